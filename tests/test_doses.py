"""Doses (doses.py): what the person types -> (amount, unit), and back to text."""

import pytest

from meddiary.doses import format_dose, parse_dose
from meddiary.errors import UsageError

VALID_DOSES = [
    ("50mg", (50.0, "mg")),
    ("50 mg", (50.0, "mg")),
    ("50MG", (50.0, "mg")),
    (" 50mg ", (50.0, "mg")),
    ("0.5mg", (0.5, "mg")),
    (".5mg", (0.5, "mg")),
    ("12.5 mg", (12.5, "mg")),
    ("0.125mg", (0.125, "mg")),
    ("1g", (1.0, "g")),
    ("100mcg", (100.0, "mcg")),
    ("100ug", (100.0, "mcg")),
    ("100µg", (100.0, "mcg")),  # micro sign U+00B5
    ("100μg", (100.0, "mcg")),  # Greek mu U+03BC
    ("5ml", (5.0, "ml")),
    ("5 mL", (5.0, "ml")),
    ("1000iu", (1000.0, "IU")),
    ("1000 IU", (1000.0, "IU")),
    ("1unit", (1.0, "unit")),
    ("10 units", (10.0, "unit")),
    ("1tablet", (1.0, "tablet")),
    ("2 tablets", (2.0, "tablet")),
    ("1 pill", (1.0, "tablet")),  # as phone apps write it (medTimer's amounts, issue 16)
    ("2pills", (2.0, "tablet")),
    ("1 tab", (1.0, "tablet")),
    ("2 tabs", (2.0, "tablet")),
    ("0.5 tablet", (0.5, "tablet")),
    ("1 capsule", (1.0, "capsule")),
    ("2caps", (2.0, "capsule")),
    ("1 cap", (1.0, "capsule")),
    ("3 drops", (3.0, "drop")),
    ("1 drop", (1.0, "drop")),
    ("2 puffs", (2.0, "puff")),
    ("1 patch", (1.0, "patch")),
]


@pytest.mark.parametrize(("text", "expected"), VALID_DOSES)
def test_valid_dose(text, expected):
    assert parse_dose(text) == expected
    assert parse_dose(text, allow_zero=True) == expected


INVALID_DOSES = [
    "",
    "fifty",
    "fifty mg",
    "-5mg",
    "- 5mg",
    "+5mg",
    "50",
    "mg",
    "50 kg",
    "50 mg daily",
    "50mg 25mg",
    "1,5mg",
    "1.mg",
    "1e3mg",
    "50 milligrams",
    "stop",
    "0",
    "half a tablet",
]


@pytest.mark.parametrize("text", INVALID_DOSES)
def test_invalid_dose_names_the_accepted_forms(text):
    with pytest.raises(UsageError, match=r"bad dose .*use a positive amount with a unit, e.g. 50mg, 0.5mg"):
        parse_dose(text)


@pytest.mark.parametrize("text", ["0mg", "0 mg", "0.0mg", "00mg", "0 tablets"])
def test_zero_dose_is_refused_with_its_own_message(text):
    with pytest.raises(UsageError) as err:
        parse_dose(text)
    assert str(err.value) == (f"bad dose {text!r}: the amount must be more than 0; use a positive amount with a unit, "
                              "e.g. 50mg, 0.5mg, 100mcg, 5ml, 1tablet")


# A taper's last step may be 0 (stop): allow_zero accepts it, and nothing else changes.
ZERO_FOR_TAPER = [
    ("0", (0.0, "")),
    ("0mg", (0.0, "")),
    ("stop", (0.0, "")),
    ("STOP", (0.0, "")),
    (" 0 ", (0.0, "")),
    ("0 mg", (0.0, "mg")),
    ("0.0mg", (0.0, "mg")),
]


@pytest.mark.parametrize(("text", "expected"), ZERO_FOR_TAPER)
def test_allow_zero_for_taper(text, expected):
    amount, unit = parse_dose(text, allow_zero=True)
    assert (amount, unit) == expected
    assert amount == 0


@pytest.mark.parametrize("text", ["-5mg", "fifty", "0 kg", "0x", "stopp", "50"])
def test_allow_zero_still_refuses_bad_doses(text):
    with pytest.raises(UsageError, match=r"bad dose"):
        parse_dose(text, allow_zero=True)


FORMATTED = [
    ((50.0, "mg"), "50 mg"),
    ((0.5, "mg"), "0.5 mg"),
    ((12.5, "mg"), "12.5 mg"),
    ((0.125, "mg"), "0.125 mg"),
    ((1.0, "g"), "1 g"),
    ((100.0, "mcg"), "100 mcg"),
    ((5.0, "ml"), "5 ml"),
    ((1000.0, "IU"), "1000 IU"),
    ((50000.0, "IU"), "50000 IU"),
    ((1.0, "tablet"), "1 tablet"),
    ((2.0, "tablet"), "2 tablets"),
    ((0.5, "tablet"), "0.5 tablets"),
    ((1.0, "capsule"), "1 capsule"),
    ((2.0, "capsule"), "2 capsules"),
    ((1.0, "drop"), "1 drop"),
    ((3.0, "drop"), "3 drops"),
    ((2.0, "puff"), "2 puffs"),
    ((1.0, "unit"), "1 unit"),
    ((10.0, "unit"), "10 units"),
    ((1.0, "patch"), "1 patch"),
    ((None, None), "—"),
    ((None, "mg"), "—"),
]


@pytest.mark.parametrize(("dose", "text"), FORMATTED)
def test_format_dose(dose, text):
    assert format_dose(*dose) == text


@pytest.mark.parametrize("text", ["50mg", "0.5 mg", "12.5mg", "100 mcg", "5ml", "1000 IU", "1 tablet", "2 tablets",
                                  "2 capsules", "3 drops", "2 puffs", "10 units"])
def test_format_parses_back_to_the_same_dose(text):
    dose = parse_dose(text)
    assert parse_dose(format_dose(*dose)) == dose


def test_format_dose_plural_of_patch():
    # Was '2 patchs' (fixed in 4d03d44).
    assert format_dose(2.0, "patch") == "2 patches"
    assert format_dose(1.0, "patch") == "1 patch"


# Were '2.4e+06 units' and '1e+06 IU' with '{:g}' (fixed in 4d03d44).
@pytest.mark.parametrize(("dose", "text"), [((2400000.0, "unit"), "2400000 units"),
                                            ((1000000.0, "IU"), "1000000 IU"),
                                            ((1234.5678, "mg"), "1234.5678 mg")])
def test_format_dose_large_amounts(dose, text):
    assert format_dose(*dose) == text
