"""Measurements: lab values and vital signs, each with its unit and the reference range the person copied
from their lab slip. Pure: parsing, checking and describing; no database, no clock.

meddiary shows a value next to the range the person entered; it never says whether a value is high, low or
fine — that is the prescriber's reading (the lab's range may differ from another lab's, and a lithium level
depends on when it was drawn, which the report shows as the time since the last dose).

A known test accepts a few units, each with the values that are physically possible in it (a weight of
0 kg or a lithium level of 50 mmol/L is a typing error, refused). Any other test is taken by name and unit.
LOINC codes are given only where the code's property matches the unit (mass or moles per volume) and the code
was checked against published LOINC listings; otherwise the FHIR export names the test in text only.
"""

import math
import re
from datetime import datetime, timedelta

from meddiary.errors import UsageError

# unit as stored -> (UCUM code, spellings accepted, lower case)
UNITS = {
    "mmol/L": ("mmol/L", ("mmol/l",)),
    "mEq/L": ("meq/L", ("meq/l",)),
    "mg/L": ("mg/L", ("mg/l",)),
    "ug/mL": ("ug/mL", ("ug/ml", "µg/ml", "mcg/ml")),
    "umol/L": ("umol/L", ("umol/l", "µmol/l")),
    "ng/mL": ("ng/mL", ("ng/ml",)),
    "ug/L": ("ug/L", ("ug/l", "µg/l", "mcg/l")),
    "10^9/L": ("10*9/L", ("10^9/l", "x10^9/l", "10*9/l", "×10^9/l", "g/l")),
    "/uL": ("/uL", ("/ul", "/µl", "cells/ul", "cells/µl", "/mm3")),
    "kg": ("kg", ("kg",)),
    "lb": ("[lb_av]", ("lb", "lbs")),
    "cm": ("cm", ("cm",)),
    "in": ("[in_i]", ("in", "inch", "inches")),
    "mmHg": ("mm[Hg]", ("mmhg",)),
    "/min": ("/min", ("/min", "bpm", "beats/min")),
    "mg/dL": ("mg/dL", ("mg/dl",)),
    "%": ("%", ("%",)),
    "mmol/mol": ("mmol/mol", ("mmol/mol",)),
}
_SPELLING = {s: unit for unit, (_, spellings) in UNITS.items() for s in spellings}

LOINC_CATEGORY = {"laboratory": "Laboratory", "vital-signs": "Vital Signs"}


class Test:
    """A known test: its accepted units (unit -> (lowest, highest) possible value, and whether its LOINC code
    applies in that unit), its LOINC code, and the medication names whose last dose the report shows."""

    __slots__ = ("key", "title", "aliases", "units", "loinc", "category", "drugs")

    def __init__(self, key: str, title: str, aliases: tuple[str, ...], units: dict[str, tuple[float, float, bool]],
                 loinc: tuple[str, str] | None, category: str, drugs: tuple[str, ...] = ()):
        self.key, self.title, self.aliases, self.units = key, title, aliases, units
        self.loinc, self.category, self.drugs = loinc, category, drugs


BLOOD_PRESSURE = "blood_pressure"
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
BP_SYSTOLIC = ("8480-6", "Systolic blood pressure")
BP_DIASTOLIC = ("8462-4", "Diastolic blood pressure")
SYSTOLIC_LIMITS = (30.0, 300.0)
DIASTOLIC_LIMITS = (10.0, 250.0)

TESTS = {t.key: t for t in (
    Test("lithium", "lithium level", ("li",), {"mmol/L": (0, 10, True), "mEq/L": (0, 10, False)},
         ("14334-7", "Lithium [Moles/volume] in Serum or Plasma"), "laboratory",
         ("lithium", "priadel", "camcolit", "liskonum", "lithobid", "eskalith")),
    Test("valproate", "valproate level", ("valproic-acid", "vpa"),
         {"mg/L": (0, 1000, True), "ug/mL": (0, 1000, True), "umol/L": (0, 7000, False)},
         ("4086-5", "Valproate [Mass/volume] in Serum or Plasma"), "laboratory",
         ("valpro", "divalproex", "depakote", "depakine", "epilim", "depakene")),
    Test("clozapine", "clozapine level", (), {"ng/mL": (0, 20000, False), "ug/L": (0, 20000, False)},
         None, "laboratory", ("clozapine", "clozaril", "leponex", "denzapine", "zaponex", "versacloz")),
    Test("anc", "absolute neutrophil count", ("neutrophils",), {"10^9/L": (0, 200, True), "/uL": (0, 200000, True)},
         ("751-8", "Neutrophils [#/volume] in Blood by Automated count"), "laboratory"),
    Test("weight", "weight", ("body-weight",), {"kg": (0.5, 700, True), "lb": (1, 1500, True)},
         ("29463-7", "Body weight"), "vital-signs"),
    Test("waist", "waist", ("waist-circumference",), {"cm": (20, 300, True), "in": (8, 120, True)},
         ("8280-0", "Waist Circumference at umbilicus by Tape measure"), "vital-signs"),
    Test(BLOOD_PRESSURE, "blood pressure", ("bp", "blood-pressure"), {"mmHg": (*SYSTOLIC_LIMITS, True)},
         BP_PANEL, "vital-signs"),
    Test("pulse", "pulse", ("heart-rate", "hr"), {"/min": (20, 300, True)}, ("8867-4", "Heart rate"), "vital-signs"),
    Test("glucose", "glucose", ("blood-sugar",), {"mmol/L": (0, 150, False), "mg/dL": (0, 2700, True)},
         ("2345-7", "Glucose [Mass/volume] in Serum or Plasma"), "laboratory"),
    Test("cholesterol", "total cholesterol", ("total-cholesterol",), {"mmol/L": (0, 50, False), "mg/dL": (0, 2000, True)},
         ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma"), "laboratory"),
    Test("hdl", "HDL cholesterol", ("hdl-cholesterol",), {"mmol/L": (0, 20, False), "mg/dL": (0, 800, True)},
         ("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma"), "laboratory"),
    Test("ldl", "LDL cholesterol", ("ldl-cholesterol",), {"mmol/L": (0, 50, False), "mg/dL": (0, 2000, True)},
         ("13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation"), "laboratory"),
    Test("triglycerides", "triglycerides", ("tg",), {"mmol/L": (0, 200, False), "mg/dL": (0, 18000, True)},
         ("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma"), "laboratory"),
    Test("hba1c", "HbA1c", ("a1c",), {"%": (2, 25, True), "mmol/mol": (0, 250, False)},
         ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"), "laboratory"),
)}
_NAMES = {n: t for t in TESTS.values() for n in (t.key, t.key.replace("_", "-"), *t.aliases)}

MAX_OTHER = 1e9  # any other test: any finite value up to this size
NAME_FORMS = (f"a known test ({', '.join(k.replace('_', '-') for k in TESTS)}) "
              "or any other by name, e.g. 'vitamin D'")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def test_key(text: str) -> str:
    """A test's stored name: a known test's key, or another test's name as typed (spaces tidied, lower case)."""
    t = " ".join(text.split()).lower()
    if not t or len(t) > 60:
        raise UsageError(f"bad test name {text!r}: use {NAME_FORMS} (at most 60 characters)")
    known = _NAMES.get(t.replace(" ", "-").replace("_", "-"))
    return known.key if known else " ".join(text.split())


def known(test: str) -> Test | None:
    return TESTS.get(test)


def title(test: str) -> str:
    t = TESTS.get(test)
    return t.title if t else test


def unit_forms(test: str) -> str:
    t = TESTS.get(test)
    return ", ".join(t.units) if t else "any unit, e.g. nmol/L, U/L or %"


def parse_unit(test: str, text: str | None) -> str:
    """The unit as stored: a known test's in its spelling (mmol/L), another test's as typed."""
    t = TESTS.get(test)
    example = f"meddiary measure {test.replace('_', '-') if t else repr(test)} {_example(test)}"
    if text is None or not text.strip():
        raise UsageError(f"the unit is missing: give it after the value, e.g. {example} (units: {unit_forms(test)})")
    u = text.strip()
    if t is None:
        if len(u) > 20 or any(c.isspace() for c in u) or not u.isprintable():
            raise UsageError(f"bad unit {text!r}: one word of at most 20 characters, e.g. nmol/L")
        return u
    unit = _SPELLING.get(u.lower())
    if unit not in t.units:
        raise UsageError(f"bad unit {text!r} for {t.title}: use {unit_forms(test)}, e.g. {example}")
    return unit


def _example(test: str) -> str:
    return {"lithium": "0.7 mmol/L", "valproate": "75 mg/L", "clozapine": "450 ng/mL", "anc": "3.2 10^9/L",
            "weight": "82.5 kg", "waist": "94 cm", BLOOD_PRESSURE: "128/82 mmHg", "pulse": "72 bpm",
            "glucose": "5.4 mmol/L", "cholesterol": "5.1 mmol/L", "hdl": "1.3 mmol/L", "ldl": "3.0 mmol/L",
            "triglycerides": "1.7 mmol/L", "hba1c": "38 mmol/mol"}.get(test, "55 nmol/L")


def _number(text: str, what: str, forms: str) -> float:
    t = text.strip()
    if not t.isascii() or not _NUMBER.fullmatch(t):
        raise UsageError(f"bad {what} {text!r}: {forms}")
    value = float(t)
    if not math.isfinite(value) or abs(value) > MAX_OTHER:
        raise UsageError(f"bad {what} {text!r}: {forms}")
    return value


def parse_value(test: str, text: str, unit: str) -> tuple[float, float | None]:
    """(value, diastolic): blood pressure is SYSTOLIC/DIASTOLIC; every other test one number, within what is
    physically possible in its unit."""
    t = TESTS.get(test)
    if test == BLOOD_PRESSURE:
        forms = "give systolic/diastolic in mmHg, e.g. meddiary measure bp 128/82 mmHg"
        parts = text.split("/")
        if len(parts) != 2:
            raise UsageError(f"bad blood pressure {text!r}: {forms}")
        sys_, dia = (_number(p, "blood pressure", forms) for p in parts)
        for v, (low, high), name in ((sys_, SYSTOLIC_LIMITS, "systolic"), (dia, DIASTOLIC_LIMITS, "diastolic")):
            if not low <= v <= high:
                raise UsageError(f"bad blood pressure {text!r}: a {name} pressure of {v:g} mmHg is not possible "
                                 f"(from {low:g} to {high:g}); {forms}")
        if dia >= sys_:
            raise UsageError(f"bad blood pressure {text!r}: the systolic (first) must be above the diastolic; {forms}")
        return sys_, dia
    forms = f"give a number, e.g. {_example(test)}"
    value = _number(text, f"{title(test)} value", forms)
    if t is not None:
        low, high, _ = t.units[unit]
        if not low <= value <= high:
            raise UsageError(f"bad {t.title} {text} {unit}: not a possible value (from {low:g} to {high:g} {unit}); "
                             "check the number and the unit")
    return value, None


def parse_range(text: str, test: str) -> tuple[float | None, float | None]:
    """The reference range as printed on the lab slip: LOW-HIGH (0.4-1.0), <HIGH or >LOW, in the value's unit."""
    forms = "give the range printed by the lab in the value's unit: LOW-HIGH (0.4-1.0), <HIGH (<5.2) or >LOW (>1.0)"
    if test == BLOOD_PRESSURE:
        raise UsageError("--range is not taken for blood pressure (two numbers): leave it out")
    t = text.strip().replace("–", "-").replace("..", "-")
    if t[:1] in "<>" and t[1:].strip():
        value = _number(t[1:], "--range", forms)
        return (None, value) if t[0] == "<" else (value, None)
    m = re.fullmatch(r"\s*([0-9.]+)\s*-\s*([0-9.]+)\s*", t) if t.isascii() else None
    if not m:
        raise UsageError(f"bad --range {text!r}: {forms}")
    low, high = _number(m[1], "--range", forms), _number(m[2], "--range", forms)
    if low >= high:
        raise UsageError(f"bad --range {text!r}: the low end must be below the high end; {forms}")
    return low, high


def measurement(test: str, value_text: str, unit_text: str | None, range_text: str | None) -> dict:
    """The stored `data` of a measurement entry, from what the person typed (UsageError on any bad part)."""
    if unit_text is None and (glued := re.fullmatch(r"\s*([0-9.+-][0-9./+-]*?)\s*([^\s0-9./+-]\S*)\s*", value_text)):
        value_text, unit_text = glued[1], glued[2]  # '82.5kg', '0.7mmol/L', '128/82mmHg'
    unit = parse_unit(test, unit_text)
    value, diastolic = parse_value(test, value_text, unit)
    low, high = parse_range(range_text, test) if range_text is not None else (None, None)
    return {"test": test, "value": _tidy(value), "diastolic": _tidy(diastolic), "unit": unit,
            "range_low": _tidy(low), "range_high": _tidy(high)}


def _tidy(x: float | None):
    return None if x is None else (int(x) if float(x).is_integer() else x)


def problem(d: dict) -> tuple[str, str] | None:
    """The rule of a stored measurement (integrity and import): (field, what it should be) or None."""
    if not isinstance(d.get("test"), str) or not d["test"].strip() or len(d["test"]) > 60:
        return "data.test", "the test's name (text)"
    if not isinstance(d.get("unit"), str) or not d["unit"].strip() or len(d["unit"]) > 20:
        return "data.unit", "the unit (text)"
    for key in ("value", "diastolic", "range_low", "range_high"):
        v = d.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
                              or abs(v) > MAX_OTHER):
            return f"data.{key}", "a number" + ("" if key == "value" else " or null")
    if d.get("value") is None:
        return "data.value", "a number"
    t = TESTS.get(d["test"])
    if t is not None:
        if d["unit"] not in t.units:
            return "data.unit", f"one of {unit_forms(t.key)} for {t.title}"
        low, high, _ = t.units[d["unit"]]
        if not low <= d["value"] <= high:
            return "data.value", f"from {low:g} to {high:g} {d['unit']}"
    if (d["test"] == BLOOD_PRESSURE) != (d.get("diastolic") is not None):
        return "data.diastolic", "the diastolic pressure for blood pressure, null for any other test"
    if d["test"] == BLOOD_PRESSURE and not (DIASTOLIC_LIMITS[0] <= d["diastolic"] < d["value"]):
        return "data.diastolic", f"from {DIASTOLIC_LIMITS[0]:g} mmHg and below the systolic"
    if d.get("range_low") is not None and d.get("range_high") is not None and d["range_low"] >= d["range_high"]:
        return "data.range_low", "below data.range_high"
    return None


# -- describing --------------------------------------------------------------------------------------------

def number_text(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def value_text(d: dict) -> str:
    """'0.7 mmol/L', '128/82 mmHg'."""
    value = f"{number_text(d.get('value'))}/{number_text(d.get('diastolic'))}" \
        if d.get("diastolic") is not None else number_text(d.get("value"))
    return f"{value} {d.get('unit') or ''}".rstrip()


def range_text(d: dict) -> str:
    """The range the person entered, as written on a slip: '0.4–1.0', '< 5.2', '> 1.0'; '' when none."""
    low, high = d.get("range_low"), d.get("range_high")
    if low is not None and high is not None:
        return f"{low:g}–{high:g}"
    if high is not None:
        return f"< {high:g}"
    if low is not None:
        return f"> {low:g}"
    return ""


def entry_text(d: dict, med: str | None) -> str:
    """What `log` and `undo` say: 'measure lithium level 0.7 mmol/L (range 0.4–1.0; lithium)'."""
    extra = [f"range {r}"] if (r := range_text(d)) else []
    extra += [med] if med else []
    return f"measure {title(d.get('test') or '?')} {value_text(d)}" + (f" ({'; '.join(extra)})" if extra else "")


def related(test: str, meds) -> list:
    """The medications whose last dose matters for a test (a lithium level: the lithium), by name or alias."""
    t = TESTS.get(test)
    if t is None or not t.drugs:
        return []
    return [m for m in meds if any(d in n.lower() for d in t.drugs for n in (m.name, *m.aliases))]


def since_last_dose(at: datetime, takes: list[datetime]) -> timedelta | None:
    """Time from the last dose taken at or before `at` (None: none among `takes`)."""
    before = [x for x in takes if x <= at]
    return at - max(before) if before else None


def duration_text(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    if h >= 48:
        return f"{h // 24} days"
    return f"{h} h {m:02d} min" if h else f"{m} min"


# -- the report's part ---------------------------------------------------------------------------------------

class Row:
    """A measurement as the report shows it: the entry's values, the related medication's name, and for a drug
    level the time since that medication's last dose taken before the blood was drawn."""

    __slots__ = ("entry_id", "at", "day", "test", "title", "value", "diastolic", "unit", "range_low", "range_high",
                 "medication", "last_dose_at", "since_last_dose", "note")

    def __init__(self, entry_id: int, at: datetime, day, test: str, data: dict, medication: str | None,
                 last_dose_at: datetime | None, note: str | None):
        self.entry_id, self.at, self.day, self.test, self.title = entry_id, at, day, test, title(test)
        self.value, self.diastolic, self.unit = data.get("value"), data.get("diastolic"), data.get("unit")
        self.range_low, self.range_high = data.get("range_low"), data.get("range_high")
        self.medication, self.last_dose_at, self.note = medication, last_dose_at, note
        self.since_last_dose = at - last_dose_at if last_dose_at is not None else None

    @property
    def data(self) -> dict:
        return {"test": self.test, "value": self.value, "diastolic": self.diastolic, "unit": self.unit,
                "range_low": self.range_low, "range_high": self.range_high}


def report_rows(entries, meds, takes, start: datetime, end: datetime, tz) -> list[Row]:
    """The measurements in [start, end), oldest first. `takes`: the take entries loaded around the period (the
    last dose before a level is looked for among them); a drug level's medication is the one recorded with it,
    else the one medication whose name or alias matches the drug."""
    names = {m.id: m.name for m in meds}
    by_med: dict[int, list[datetime]] = {}
    for e in takes:
        if e.kind == "take" and e.medication_id is not None:
            by_med.setdefault(e.medication_id, []).append(e.at)
    rows = []
    for e in sorted((x for x in entries if x.kind == "measurement" and x.data and start <= x.at < end),
                    key=lambda x: (x.at, x.id)):
        test = e.data.get("test") or "?"
        med_id = medication_of(e, meds)
        last = None
        if level_medication(e, meds) is not None:
            before = [x for x in by_med.get(med_id, []) if x <= e.at]
            last = max(before) if before else None
        rows.append(Row(e.id, e.at, e.at.astimezone(tz).date(), test, e.data, names.get(med_id), last, e.note))
    return rows


def medication_of(e, meds) -> int | None:
    """A measurement's medication: the one recorded with it, else the one medication whose name or alias
    matches the drug its test measures (None: none, or more than one)."""
    if e.medication_id is None and len(found := related(e.data.get("test") or "?", meds)) == 1:
        return found[0].id
    return e.medication_id


def level_medication(e, meds) -> int | None:
    """The medication a drug level was drawn for (its time since the last dose matters); None when `e` is not a
    drug level or its medication is not known."""
    t = TESTS.get(e.data.get("test") or "?")
    return medication_of(e, meds) if t is not None and t.drugs else None


def is_level(test: str) -> bool:
    """A drug level: the time since the last dose matters for reading it."""
    t = TESTS.get(test)
    return bool(t and t.drugs)
