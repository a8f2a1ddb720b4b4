"""`meddiary measure`: lab values and vital signs with units and the person's own reference range — recorded,
refused when they cannot be right, shown in the report with the time since the last dose, exported (CSV, JSON,
FHIR Observations with LOINC codes), imported and checked. Never judged."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from meddiary import measures
from meddiary.errors import ExitCode
from meddiary.model import Entry, Medication

OBSERVATION_STATUS = {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error",
                      "unknown"}


@pytest.fixture
def lithium(run, clock):
    run("add", "lithium", "--dose", "800mg", "--at", "20:00", "--alias", "Priadel", "--start", "2026-11-01")
    run("take", "lithium", "--at", "yesterday 20:30")


VALID = [
    (("lithium", "0.72", "mmol/L", "--range", "0.4-1.0"), "measure lithium level 0.72 mmol/L (range 0.4–1; lithium)"),
    (("Li", "0.7", "MEQ/L"), "measure lithium level 0.7 mEq/L (lithium)"),
    (("valproate", "75", "mg/L", "--range", "50-100"), "measure valproate level 75 mg/L (range 50–100)"),
    (("clozapine", "450", "ng/mL", "--range", "350-600"), "measure clozapine level 450 ng/mL (range 350–600)"),
    (("anc", "3.2", "10^9/L", "--range", ">1.5"), "measure absolute neutrophil count 3.2 10^9/L (range > 1.5)"),
    (("weight", "82.5", "kg"), "measure weight 82.5 kg"),
    (("waist", "94", "cm"), "measure waist 94 cm"),
    (("bp", "128/82", "mmHg"), "measure blood pressure 128/82 mmHg"),
    (("pulse", "72", "bpm"), "measure pulse 72 /min"),
    (("glucose", "5.4", "mmol/L", "--range", "3.9-5.5"), "measure glucose 5.4 mmol/L (range 3.9–5.5)"),
    (("cholesterol", "5.1", "mmol/L", "--range", "<5.2"), "measure total cholesterol 5.1 mmol/L (range < 5.2)"),
    (("hdl", "50", "mg/dL"), "measure HDL cholesterol 50 mg/dL"),
    (("ldl", "3.0", "mmol/L"), "measure LDL cholesterol 3 mmol/L"),
    (("triglycerides", "1.7", "mmol/L"), "measure triglycerides 1.7 mmol/L"),
    (("hba1c", "38", "mmol/mol"), "measure HbA1c 38 mmol/mol"),
    (("Vitamin D", "55", "nmol/L", "--range", "50-125"), "measure Vitamin D 55 nmol/L (range 50–125)"),
    (("TSH", "2.1", "mU/L"), "measure TSH 2.1 mU/L"),
    (("weight", "82.5kg"), "measure weight 82.5 kg"),  # the unit written on to the value
    (("bp", "128/82mmHg"), "measure blood pressure 128/82 mmHg"),
    (("lithium", "0.7mmol/l"), "measure lithium level 0.7 mmol/L (lithium)"),
]


@pytest.mark.parametrize("args, said", VALID)
def test_measure_records_value_unit_and_range(run, lithium, args, said):
    result = run("measure", *args)
    assert result.out == f"#2 {said} (today at 09:00)\n"
    assert said in run("log").out


INVALID = [
    # the unit missing
    (("lithium", "0.7"), "the unit is missing: give it after the value, e.g. meddiary measure lithium 0.7 mmol/L "
                         "(units: mmol/L, mEq/L)"),
    (("weight", "82"), "the unit is missing: give it after the value, e.g. meddiary measure weight 82.5 kg (units: kg, lb)"),
    (("Vitamin D", "55"), "the unit is missing"),
    # a unit that is not one of the test's
    (("lithium", "0.7", "mg"), "bad unit 'mg' for lithium level: use mmol/L, mEq/L"),
    # physically impossible values
    (("weight", "0", "kg"), "bad weight 0 kg: not a possible value (from 0.5 to 700 kg)"),
    (("weight", "900", "kg"), "bad weight 900 kg: not a possible value"),
    (("lithium", "50", "mmol/L"), "bad lithium level 50 mmol/L: not a possible value (from 0 to 10 mmol/L)"),
    (("--", "lithium", "-0.2", "mmol/L"), "bad lithium level -0.2 mmol/L: not a possible value"),
    (("pulse", "400", "bpm"), "bad pulse 400 /min: not a possible value (from 20 to 300 /min)"),
    (("bp", "400/80", "mmHg"), "bad blood pressure '400/80': a systolic pressure of 400 mmHg is not possible"),
    (("bp", "80/120", "mmHg"), "the systolic (first) must be above the diastolic"),
    (("bp", "128", "mmHg"), "bad blood pressure '128': give systolic/diastolic in mmHg"),
    # not numbers
    (("lithium", "nan", "mmol/L"), "bad lithium level value 'nan': give a number, e.g. 0.7 mmol/L"),
    (("TSH", "inf", "mU/L"), "bad TSH value 'inf': give a number"),
    (("weight", "8O", "kg"), "bad weight value '8O': give a number"),
    # ranges
    (("lithium", "0.7", "mmol/L", "--range", "1.0-0.4"), "bad --range '1.0-0.4': the low end must be below the high end"),
    (("lithium", "0.7", "mmol/L", "--range", "normal"), "bad --range 'normal': give the range printed by the lab"),
    (("bp", "128/82", "mmHg", "--range", "90-120"), "--range is not taken for blood pressure"),
    # the future
    (("lithium", "0.7", "mmol/L", "--at", "tomorrow 08:00"), "is in the future: use a past time"),
    (("weight", "82", "kg", "--at", "10:00"), "is in the future: use a past time"),
    # names
    (("", "1", "kg"), "bad test name ''"),
    (("lithium", "0.7", "mmol/L", "--med", "lithum"), "no medication 'lithum'"),
]


@pytest.mark.parametrize("args, problem", INVALID)
def test_bad_measurement_is_one_line_exit_2_nothing_written(run, lithium, dump, args, problem):
    before = dump()
    result = run("measure", *args, expect=ExitCode.USAGE)
    assert problem in result.err
    assert result.err.count("\n") == 1 and result.err.startswith("meddiary: ") and "Traceback" not in result.err
    assert result.out == ""
    assert dump() == before


def test_measure_has_help(run):
    assert "lab value or vital sign" in run("measure", "--help").out


# -- the report ---------------------------------------------------------------------------------------------

def test_report_shows_the_time_since_the_last_dose_for_a_level(run, lithium):
    run("measure", "lithium", "0.72", "mmol/L", "--range", "0.4-1.0", "--at", "08:30")
    run("measure", "weight", "82.5", "kg")
    doc = json.loads(run("report", "--format", "json").out)
    level, weight = doc["measurements"]
    assert level["test"] == "lithium" and level["value"] == 0.72 and level["unit"] == "mmol/L"
    assert (level["range_low"], level["range_high"]) == (0.4, 1)
    assert level["medication"] == "lithium"
    assert level["since_last_dose_minutes"] == 12 * 60  # 20:30 yesterday to 08:30
    assert weight["since_last_dose_minutes"] is None and weight["medication"] is None
    md = run("report", "--format", "markdown").out
    assert "## Measurements (lab values and vital signs)" in md
    assert "12 h 00 min after lithium at 20:30" in md
    assert "0.4–1" in md and "82.5 kg" in md
    for word in ("normal", "high", "low", "abnormal", "out of range"):  # shown, never judged
        section = md.split("## Measurements")[1].split("\n## ")[0].lower()
        assert word not in section.replace("the lab's slip", "")


def test_most_in_24_hours_is_rolling():
    from meddiary import summary

    at = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    takes = [Entry(i, "take", 1, at + timedelta(hours=h), "UTC", amount, "mg")
             for i, (h, amount) in enumerate([(0, 1), (10, 0.5), (23, 1), (25, 2), (50, None)])]
    assert summary.max_in_24h(takes, lambda e: e.dose_amount) == (3.5, 3)  # 10 h, 23 h, 25 h: 0.5 + 1 + 2
    assert summary.max_in_24h([], lambda e: e.dose_amount) == (None, 0)


def test_report_model_rows_are_pure_data():
    tz = __import__("zoneinfo").ZoneInfo("Europe/London")
    at = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    med = Medication(1, "lithium carbonate", False, aliases=["Priadel"])
    takes = [Entry(1, "take", 1, at - timedelta(hours=h), "Europe/London") for h in (36, 12.5)]
    level = Entry(3, "measurement", None, at, "Europe/London",
                  data={"test": "lithium", "value": 0.6, "diastolic": None, "unit": "mmol/L", "range_low": None,
                        "range_high": None})
    (row,) = measures.report_rows([level], [med], takes, at - timedelta(days=1), at + timedelta(days=1), tz)
    assert row.medication == "lithium carbonate" and row.since_last_dose == timedelta(hours=12, minutes=30)
    assert measures.duration_text(row.since_last_dose) == "12 h 30 min"


def test_report_without_measurements_says_so(run, lithium):
    assert "No lab values or vital signs recorded in this period." in run("report", "--format", "markdown").out


# -- export, import, check ----------------------------------------------------------------------------------

@pytest.fixture
def measured(run, lithium):
    run("measure", "lithium", "0.72", "mmol/L", "--range", "0.4-1.0", "--at", "08:30", "--note", "trough")
    run("measure", "bp", "128/82", "mmHg")
    run("measure", "weight", "82.5", "kg")
    run("measure", "Vitamin D", "55", "nmol/L", "--range", ">50")
    run("measure", "clozapine", "450", "ng/mL")


def test_fhir_observations_validate_with_loinc_codes(run, measured):
    pytest.importorskip("fhir.resources")
    from fhir.resources.R4B.bundle import Bundle

    text = run("export", "--format", "fhir").out
    Bundle.model_validate_json(text)
    doc = json.loads(text)
    obs = {r["code"]["text"]: r for e in doc["entry"] if (r := e["resource"])["resourceType"] == "Observation"}
    assert all(r["status"] in OBSERVATION_STATUS and r["status"] == "final" for r in obs.values())
    lithium = obs["lithium level"]
    assert lithium["code"]["coding"] == [{"system": "http://loinc.org", "code": "14334-7",
                                          "display": "Lithium [Moles/volume] in Serum or Plasma"}]
    assert lithium["category"][0]["coding"][0]["code"] == "laboratory"
    assert lithium["valueQuantity"] == {"value": 0.72, "unit": "mmol/L", "system": "http://unitsofmeasure.org",
                                        "code": "mmol/L"}
    assert lithium["referenceRange"][0]["low"]["value"] == 0.4 and lithium["referenceRange"][0]["high"]["value"] == 1
    assert "interpretation" not in lithium  # never judged
    assert {"text": "trough"} in lithium["note"]
    weight = obs["weight"]
    assert weight["code"]["coding"][0]["code"] == "29463-7"
    assert weight["category"][0]["coding"][0]["code"] == "vital-signs"
    assert weight["valueQuantity"]["code"] == "kg"
    bp = obs["blood pressure"]
    assert bp["code"]["coding"][0]["code"] == "85354-9" and "valueQuantity" not in bp
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"], c["valueQuantity"]["code"])
            for c in bp["component"]] == [("8480-6", 128, "mm[Hg]"), ("8462-4", 82, "mm[Hg]")]
    other = obs["Vitamin D"]
    assert "coding" not in other["code"] and other["valueQuantity"] == {"value": 55, "unit": "nmol/L"}
    assert "coding" not in obs["clozapine level"]["code"]  # no LOINC code we could verify: named in text


def test_csv_export_has_a_measurements_file(run, measured, tmp_path):
    folder = tmp_path / "csv"
    run("export", "--format", "csv", "--output", str(folder))
    rows = list(csv.DictReader(io.StringIO((folder / "measurements.csv").read_text(encoding="utf-8-sig"), newline="")))
    assert [(r["test"], r["value"], r["diastolic"], r["unit"], r["range_low"], r["range_high"], r["medication"])
            for r in rows] == [("lithium", "0.72", "", "mmol/L", "0.4", "1", "lithium"),
                               ("blood_pressure", "128", "82", "mmHg", "", "", ""),
                               ("weight", "82.5", "", "kg", "", "", ""),
                               ("Vitamin D", "55", "", "nmol/L", "50", "", ""),
                               ("clozapine", "450", "", "ng/mL", "", "", "")]


def test_json_export_import_round_trip_and_check(run, measured, tmp_path):
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    other = ("--db", str(tmp_path / "other.db"))
    run(*other, "import", str(doc_file))
    assert run(*other, "report", "--format", "json").out == run("report", "--format", "json").out
    assert run(*other, "check").out.startswith("ok:")
    assert run("check").out.startswith("ok:")


@pytest.mark.parametrize("data, problem", [
    ({"value": 0}, "'data.value' is 0, expected from 0.5 to 700 kg"),
    ({"unit": "stone"}, "'data.unit' is \"stone\", expected one of kg, lb for weight"),
    ({"diastolic": 80}, "'data.diastolic' is 80"),
    ({"value": "82"}, "'data.value' is \"82\", expected a number"),
    ({"range_low": 90, "range_high": 60}, "'data.range_low' is 90, expected below data.range_high"),
])
def test_import_refuses_an_impossible_measurement(run, measured, tmp_path, data, problem):
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    doc = json.loads(doc_file.read_text())
    weight = next(e for e in doc["entries"] if e["kind"] == "measurement" and e["data"]["test"] == "weight")
    weight["data"].update(data)
    doc_file.write_text(json.dumps(doc))
    result = run("--db", str(tmp_path / "other.db"), "import", str(doc_file), expect=ExitCode.USAGE)
    assert problem in result.err and "nothing was imported" in result.err


def test_undo_names_a_measurement(run, measured):
    assert "measure clozapine level 450 ng/mL" in run("undo").out
