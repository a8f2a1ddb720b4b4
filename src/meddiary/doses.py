"""Doses: '50mg', '0.5 mg', '1 tablet' -> (amount, unit), and back to text."""

import re

from meddiary.errors import UsageError

DOSE_FORMS = "a positive amount with a unit, e.g. 50mg, 0.5mg, 100mcg, 5ml, 1tablet"
MAX_AMOUNT = 10_000_000  # larger than any real dose (1,000,000 IU is already rare), so no float surprises
_UNITS = {
    "mg": "mg", "g": "g", "mcg": "mcg", "ug": "mcg", "µg": "mcg", "μg": "mcg",
    "ml": "ml", "iu": "IU", "unit": "unit", "units": "unit",
    "tab": "tablet", "tabs": "tablet", "tablet": "tablet", "tablets": "tablet", "pill": "tablet", "pills": "tablet",
    "cap": "capsule", "caps": "capsule", "capsule": "capsule", "capsules": "capsule",
    "drop": "drop", "drops": "drop", "puff": "puff", "puffs": "puff", "patch": "patch",
}
_DOSE = re.compile(r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([a-zµμ]+)")


def parse_dose(text: str, *, allow_zero: bool = False) -> tuple[float, str]:
    t = text.strip().lower()
    if allow_zero and t in ("0", "0mg", "stop"):
        return 0.0, ""
    m = _DOSE.fullmatch(t)
    if not m or m[2] not in _UNITS:
        raise UsageError(f"bad dose {text!r}: use {DOSE_FORMS}")
    amount = float(m[1])
    if amount > MAX_AMOUNT:
        raise UsageError(f"bad dose {text!r}: the amount is too large; use {DOSE_FORMS}")
    if amount <= 0 and not allow_zero:
        raise UsageError(f"bad dose {text!r}: the amount must be more than 0; use {DOSE_FORMS}")
    return amount, _UNITS[m[2]]


def format_amount(amount: float) -> str:
    """50.0 -> '50', 0.25 -> '0.25', 2400000 -> '2400000' (never scientific notation)."""
    return f"{amount:.6f}".rstrip("0").rstrip(".")


def format_dose(amount: float | None, unit: str | None) -> str:
    if amount is None:
        return "—"
    if unit in ("mg", "g", "mcg", "ml", "IU"):
        return f"{format_amount(amount)} {unit}"
    if amount == 1:
        return f"{format_amount(amount)} {unit}"
    return f"{format_amount(amount)} {unit}{'es' if unit.endswith(('ch', 'sh', 's', 'x')) else 's'}"


_MASS = {"g": 1_000_000.0, "mg": 1000.0, "mcg": 1.0}  # in micrograms


def convert(amount: float | None, unit: str | None, to: str | None) -> float | None:
    """`amount` of `unit` in `to`: the same unit, or grams, milligrams and micrograms into one another
    (0.1 g = 100 mg); None when they do not convert (mg into ml, tablets into mg)."""
    if amount is None:
        return None
    if unit == to:
        return amount
    if unit in _MASS and to in _MASS:
        return round(amount * _MASS[unit] / _MASS[to], 9)
    return None
