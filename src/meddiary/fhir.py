"""The diary as a FHIR R4 Bundle (type `collection`) for a clinician's system. Pure: data in, a dict out.

- a Patient with no identifying data (the diary holds none), the subject of everything below;
- a MedicationStatement per regimen that dosed (superseded plans, and one stopped on its first day, left out): `active` (in force today),
  `completed` (ended by a later change), `stopped` (ended by a stop), `intended` (starts later), with its
  period, dosage timing and dose, and `asNeededBoolean`;
- a MedicationAdministration per recorded dose: `completed` with the time it was taken, or `not-done` with
  the skip's reason as `statusReason`;
- an Observation per questionnaire total (LOINC 44261-6 PHQ-9 total, 70274-6 GAD-7 total);
- an Observation per measurement (`measurement`, below): LOINC-coded where meddiary.measures knows the code for
  its unit, its value with the UCUM unit, and the reference range the person entered — never an interpretation.

Retracted entries are left out (they are not part of the record). Every dateTime carries a UTC offset:
local wall-clock time in the zone the entry was recorded in (regimen dates: in the diary's zone).
Resource ids are the rows' stable uids written as UUIDs, so a second export names the same resources.
"""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from meddiary.model import Entry, Medication, Regimen

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
QUESTIONNAIRES = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}
# meddiary's dose units and their UCUM codes (the others, like tablet, are plain text units)
UCUM_UNITS = {"mg": "mg", "mcg": "ug", "ug": "ug", "g": "g", "ml": "mL", "l": "L", "iu": "[iU]"}


def _urn(uid: str) -> str:
    return f"urn:uuid:{uuid.UUID(hex=uid)}"


def _id(uid: str) -> str:
    return str(uuid.UUID(hex=uid))


def _zone(name: str, fallback: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).isoformat(timespec="seconds")


def _day_start(day: date, zone: ZoneInfo) -> str:
    return datetime.combine(day, time(0, 0), tzinfo=zone).isoformat(timespec="seconds")


def _day_end(day: date, zone: ZoneInfo) -> str:
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).isoformat(timespec="seconds")


def quantity(amount: float | None, unit: str | None) -> dict | None:
    if amount is None:
        return None
    value = int(amount) if float(amount).is_integer() else amount
    q: dict = {"value": value}
    if unit:
        q["unit"] = unit
        code = UCUM_UNITS.get(unit.lower())
        if code:
            q["system"], q["code"] = UCUM, code
    return q


def statement_status(r: Regimen, end: date | None, stopped_after: bool, today: date) -> str:
    """MedicationStatement.status of a dosing regimen whose last day is `end` (None: open-ended)."""
    if r.start_date > today:
        return "intended"
    if end is None or end >= today:
        return "active"
    return "stopped" if stopped_after else "completed"


def dosage(med: Medication, r: Regimen) -> list[dict]:
    """The regimen's Dosage list: one per time of day when the doses differ by time (lithium 400 mg at
    08:00, 600 mg at 20:00), else one; and the as-needed part (of an as-needed medication, or beside a
    schedule) with its limits: maxDosePerPeriod as a Ratio of quantities with units, per 24 hours."""
    from meddiary import schedule
    from meddiary.regimens import describe

    out = []
    if r.schedule != "as_needed":
        times = list(zip(r.times, r.doses)) if r.doses else [(None, r.dose_amount)]
        for seq, (clock, amount) in enumerate(times, start=1):
            d: dict = {"text": describe(r), "asNeededBoolean": False, "timing": schedule.fhir_timing(r, clock)}
            if r.doses:
                d["sequence"] = seq
            if (q := quantity(amount, r.dose_unit)) is not None:
                d["doseAndRate"] = [{"doseQuantity": q}]
            out.append(d)
    prn = r.dose_amount if r.schedule == "as_needed" else r.prn_amount
    if r.schedule == "as_needed" or r.prn_amount is not None:
        d = {"text": describe(r), "asNeededBoolean": True}
        limits = []
        if r.max_per_day:
            limits.append({"numerator": {"value": r.max_per_day, "unit": "dose"},
                           "denominator": {"value": 24, "unit": "h", "system": UCUM, "code": "h"}})
        if r.max_amount:
            limits.append({"numerator": quantity(r.max_amount, r.dose_unit),
                           "denominator": {"value": 24, "unit": "h", "system": UCUM, "code": "h"}})
        if limits:
            # R4 allows one maxDosePerPeriod: the amount when one is set (it is what the body gets), else the count
            d["maxDosePerPeriod"] = limits[-1]
            if len(limits) > 1:
                d["additionalInstruction"] = [{"text": f"at most {r.max_per_day} doses in 24 hours"}]
        if (q := quantity(prn, r.dose_unit)) is not None:
            d["doseAndRate"] = [{"doseQuantity": q}]
        out.append(d)
    return out


def bundle(meds: list[Medication], entries: list[Entry], regimen_uids: dict[int, str], now: datetime,
           tz: ZoneInfo, today: date) -> dict:
    """The Bundle. `entries`: the takes, skips and questionnaires (not retracted); `regimen_uids`: each
    regimen's stable uid by its id."""
    first = min((uid for uid in regimen_uids.values()), default="")
    patient_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"meddiary:patient:{first}"))
    subject = {"reference": f"urn:uuid:{patient_id}"}
    out = [{"fullUrl": f"urn:uuid:{patient_id}", "resource": {"resourceType": "Patient", "id": patient_id}}]
    names = {m.id: m.name for m in meds}
    for med in meds:
        concept = {"text": med.name}
        for i, r in enumerate(med.regimens):
            if r.is_stop:
                continue
            nxt = med.regimens[i + 1] if i + 1 < len(med.regimens) else None
            end = nxt.start_date - timedelta(days=1) if nxt else None
            if end is not None and end < r.start_date:
                continue  # ended (stopped) on the day it started: never in force a whole day
            status = statement_status(r, end, bool(nxt and nxt.is_stop), today)
            uid = regimen_uids[r.id]
            period = {"start": _day_start(r.start_date, tz)}
            if end is not None:
                period["end"] = _day_end(end, tz)
            resource = {
                "resourceType": "MedicationStatement", "id": _id(uid), "status": status,
                "medicationCodeableConcept": concept, "subject": subject, "effectivePeriod": period,
                "dosage": dosage(med, r),
            }
            if r.created_at is not None:
                resource["dateAsserted"] = _local(r.created_at, tz)
            if med.purpose:
                resource["reasonCode"] = [{"text": med.purpose}]
            if r.reason:
                resource["note"] = [{"text": r.reason}]
            out.append({"fullUrl": _urn(uid), "resource": resource})
    for e in entries:
        zone = _zone(e.tz, tz)
        if e.kind in ("take", "skip"):
            resource = {
                "resourceType": "MedicationAdministration", "id": _id(e.uid),
                "status": "completed" if e.kind == "take" else "not-done",
                "medicationCodeableConcept": {"text": names.get(e.medication_id, "unknown medication")},
                "subject": subject, "effectiveDateTime": _local(e.at, zone),
            }
            if e.kind == "skip":
                resource["statusReason"] = [{"text": e.reason or "not given"}]
            if (q := quantity(e.dose_amount, e.dose_unit)) is not None:
                resource["dosage"] = {"dose": q}
            if e.note:
                resource["note"] = [{"text": e.note}]
            out.append({"fullUrl": _urn(e.uid), "resource": resource})
        elif e.kind == "check" and e.data and e.data.get("instrument") in QUESTIONNAIRES \
                and isinstance(e.data.get("total"), int):
            code, display = QUESTIONNAIRES[e.data["instrument"]]
            resource = {
                "resourceType": "Observation", "id": _id(e.uid), "status": "final",
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                          "code": "survey", "display": "Survey"}]}],
                "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
                "subject": subject, "effectiveDateTime": _local(e.at, zone), "valueInteger": e.data["total"],
            }
            if e.data.get("severity"):
                resource["interpretation"] = [{"text": str(e.data["severity"])}]
            out.append({"fullUrl": _urn(e.uid), "resource": resource})
        elif e.kind == "measurement" and e.data:
            out.append({"fullUrl": _urn(e.uid), "resource": measurement(e, subject, zone, names)})
    return {"resourceType": "Bundle", "type": "collection",
            "timestamp": now.astimezone(tz).isoformat(timespec="seconds"), "entry": out}


def measurement(e: Entry, subject: dict, zone: ZoneInfo, names: dict[int, str]) -> dict:
    """A measurement as an Observation (`final`): category laboratory or vital-signs, the LOINC code where
    meddiary.measures gives one for the unit (else the test's name as text), the value as a Quantity (UCUM where
    the unit is one meddiary knows), blood pressure as the panel with systolic and diastolic components, and
    the person's reference range. No `interpretation`: meddiary does not judge values."""
    from meddiary import measures

    d = e.data
    test = measures.known(d["test"])
    title = measures.title(d["test"])
    unit = d.get("unit")
    ucum = measures.UNITS.get(unit, (None,))[0]

    def qty(value) -> dict:
        q: dict = {"value": value, "unit": unit}
        if ucum:
            q["system"], q["code"] = UCUM, ucum
        return q

    code: dict = {"text": title}
    if test is not None and test.loinc and test.units.get(unit, (0, 0, False))[2]:
        code["coding"] = [{"system": LOINC, "code": test.loinc[0], "display": test.loinc[1]}]
    category = test.category if test is not None else "laboratory"
    resource: dict = {
        "resourceType": "Observation", "id": _id(e.uid), "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": category, "display": measures.LOINC_CATEGORY[category]}]}],
        "code": code, "subject": subject, "effectiveDateTime": _local(e.at, zone),
    }
    if d["test"] == measures.BLOOD_PRESSURE:
        resource["component"] = [
            {"code": {"coding": [{"system": LOINC, "code": c, "display": t}], "text": t}, "valueQuantity": qty(v)}
            for (c, t), v in ((measures.BP_SYSTOLIC, d["value"]), (measures.BP_DIASTOLIC, d["diastolic"]))]
    else:
        resource["valueQuantity"] = qty(d["value"])
        rng: dict = {}
        if d.get("range_low") is not None:
            rng["low"] = qty(d["range_low"])
        if d.get("range_high") is not None:
            rng["high"] = qty(d["range_high"])
        if rng:
            rng["text"] = f"as given by the person: {measures.range_text(d)} {unit}"
            resource["referenceRange"] = [rng]
    notes = [x for x in (e.note, f"related medication: {names[e.medication_id]}"
                         if e.medication_id in names else None) if x]
    if notes:
        resource["note"] = [{"text": x} for x in notes]
    return resource
