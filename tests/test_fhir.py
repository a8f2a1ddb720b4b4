"""The FHIR R4 export: a Bundle (collection) that fhir.resources' R4B models accept, with statuses from the
R4 value sets (the validator does not check codes), UTC offsets on every dateTime, LOINC totals."""

import json
import re

import pytest
from fixtures.sample import fill

from meddiary import store

pytest.importorskip("fhir.resources")
from fhir.resources.R4B.bundle import Bundle  # noqa: E402

# R4 value sets (the validator does not check codes)
MEDICATION_STATEMENT_STATUS = {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown",
                               "not-taken"}
MEDICATION_ADMINISTRATION_STATUS = {"in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped",
                                    "unknown"}
OBSERVATION_STATUS = {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error",
                      "unknown"}
DATETIME_KEYS = {"effectiveDateTime", "start", "end", "dateAsserted", "timestamp"}


@pytest.fixture
def bundle(run, clock, db_path):
    fill(run, db_path)
    text = run("export", "--format", "fhir").out
    return text


def resources(doc, kind):
    return [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == kind]


def date_times(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in DATETIME_KEYS and isinstance(v, str):
                yield k, v
            yield from date_times(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from date_times(v)


def test_the_bundle_validates_against_r4b(bundle):
    parsed = Bundle.model_validate_json(bundle)
    assert parsed.type == "collection"
    assert len(parsed.entry) == len(json.loads(bundle)["entry"])


def test_every_status_is_in_its_r4_value_set(bundle):
    doc = json.loads(bundle)
    for r in resources(doc, "MedicationStatement"):
        assert r["status"] in MEDICATION_STATEMENT_STATUS
    for r in resources(doc, "MedicationAdministration"):
        assert r["status"] in MEDICATION_ADMINISTRATION_STATUS
    for r in resources(doc, "Observation"):
        assert r["status"] in OBSERVATION_STATUS


def test_every_datetime_has_a_utc_offset(bundle):
    found = list(date_times(json.loads(bundle)))
    assert len(found) > 40
    for key, value in found:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), (key, value)


def test_a_medication_statement_per_regimen(bundle):
    doc = json.loads(bundle)
    statements = [(r["medicationCodeableConcept"]["text"], r["status"], r["effectivePeriod"]["start"][:10],
                   r["effectivePeriod"].get("end", "")[:10], r["dosage"][0]["text"])
                  for r in resources(doc, "MedicationStatement")]
    assert sorted(statements) == sorted([
        ("sertraline", "completed", "2026-11-01", "2026-11-19", "50 mg at 08:00 daily"),
        ("sertraline", "active", "2026-11-20", "", "100 mg at 08:00 daily"),
        ("lorazepam", "active", "2026-11-01", "", "0.5 mg as needed, at most 3 in 24 h, at least 4 h apart"),
        ("quetiapine", "completed", "2026-11-02", "2026-11-22", "25 mg at 21:00 on mon,wed,fri"),
        ("quetiapine", "active", "2026-11-23", "2026-11-29", "25 mg at 21:00 on mon,wed,fri"),
        ("quetiapine", "intended", "2026-11-30", "", "12.5 mg at 21:00 on mon,wed,fri"),
        ("lithium", "stopped", "2026-11-01", "2026-11-09", "400 mg at 08:00, 20:00 daily"),
    ])
    quetiapine = next(r for r in resources(doc, "MedicationStatement") if r["dosage"][0]["text"].startswith("12.5"))
    assert quetiapine["dosage"][0]["timing"] == {"repeat": {"timeOfDay": ["21:00:00"], "frequency": 1, "period": 1,
                                                            "periodUnit": "d", "dayOfWeek": ["mon", "wed", "fri"]}}
    assert quetiapine["dosage"][0]["asNeededBoolean"] is False
    assert quetiapine["dosage"][0]["doseAndRate"] == [{"doseQuantity": {"value": 12.5, "unit": "mg",
                                                                        "system": "http://unitsofmeasure.org", "code": "mg"}}]
    assert quetiapine["effectivePeriod"]["start"] == "2026-11-30T00:00:00+01:00"
    prn = next(r for r in resources(doc, "MedicationStatement") if r["medicationCodeableConcept"]["text"] == "lorazepam")
    assert prn["dosage"][0]["asNeededBoolean"] is True
    # a Ratio of quantities with units (a count of doses per 24 hours), never a bare number
    assert prn["dosage"][0]["maxDosePerPeriod"] == {
        "numerator": {"value": 3, "unit": "dose"},
        "denominator": {"value": 24, "unit": "h", "system": "http://unitsofmeasure.org", "code": "h"}}
    assert prn["reasonCode"] == [{"text": "anxiety"}]


def test_a_regimen_stopped_on_its_start_day_is_left_out_and_every_period_is_in_order(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("stop", "sertraline", "--on", "2026-11-20")
    run("add", "lithium", "--dose", "400mg", "--at", "20:00", "--start", "2026-11-10")
    run("stop", "lithium", "--on", "2026-11-15")
    doc = json.loads(run("export", "--format", "fhir").out)
    Bundle.model_validate(doc)
    statements = resources(doc, "MedicationStatement")
    assert [r["medicationCodeableConcept"]["text"] for r in statements] == ["lithium"]
    for r in statements:
        period = r["effectivePeriod"]
        assert "end" not in period or period["start"] <= period["end"], period


def test_a_medication_administration_per_dose(bundle):
    doc = json.loads(bundle)
    given = resources(doc, "MedicationAdministration")
    assert len(given) == 30  # the undone lithium dose is not part of the record
    take = given[0]
    assert (take["status"], take["effectiveDateTime"], take["medicationCodeableConcept"]["text"], take["dosage"]["dose"]["value"]) \
        == ("completed", "2026-11-02T08:12:00+01:00", "sertraline", 50)
    skips = [r for r in given if r["status"] == "not-done"]
    assert len(skips) == 3
    assert skips[0]["statusReason"] == [{"text": "forgot"}] and skips[0]["note"] == [{"text": "busy morning"}]
    assert "statusReason" not in take


def test_questionnaire_totals_are_loinc_observations(bundle):
    doc = json.loads(bundle)
    obs = [(r["code"]["coding"][0]["system"], r["code"]["coding"][0]["code"], r["valueInteger"], r["effectiveDateTime"])
           for r in resources(doc, "Observation")]
    assert obs == [("http://loinc.org", "44261-6", 8, "2026-11-08T19:00:00+01:00"),
                   ("http://loinc.org", "70274-6", 9, "2026-11-22T19:00:00+01:00")]


def test_every_resource_refers_to_the_one_patient_and_ids_are_stable(run, bundle):
    doc = json.loads(bundle)
    (patient,) = resources(doc, "Patient")
    assert set(patient) == {"resourceType", "id"}  # nothing identifying
    for e in doc["entry"][1:]:
        assert e["resource"]["subject"] == {"reference": f"urn:uuid:{patient['id']}"}
        assert e["fullUrl"] == f"urn:uuid:{e['resource']['id']}"
    again = json.loads(run("export", "--format", "fhir").out)
    assert [e["fullUrl"] for e in again["entry"]] == [e["fullUrl"] for e in doc["entry"]]


def test_an_empty_diary_is_an_empty_valid_bundle(run, clock, db_path):
    store.Store(db_path).close()
    text = run("export", "--format", "fhir").out
    Bundle.model_validate_json(text)
    assert [e["resource"]["resourceType"] for e in json.loads(text)["entry"]] == ["Patient"]


def test_fhir_to_a_file(run, bundle, tmp_path):
    target = tmp_path / "fhir.json"
    run("export", "--format", "FHIR", "-o", str(target))
    assert json.loads(target.read_text()) == json.loads(bundle)
