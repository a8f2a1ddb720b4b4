"""What every rendering shares: the calendar's symbols and labels, and how numbers are written."""

from meddiary import regimens
from meddiary.doses import format_dose
from meddiary.model import Regimen

# Symbols as well as colours, so the calendar reads in black and white.
STATE_SYMBOL = {
    "taken": "●", "late": "◐", "partial": "◑", "skipped": "○", "missed": "✕",
    "pending": "·", "none": " ", "used": "◆",
}
STATE_LABEL = {
    "taken": "taken on time", "late": "taken, some late", "partial": "partly taken", "skipped": "skipped",
    "missed": "missed", "pending": "not yet due", "none": "not scheduled", "used": "as-needed dose taken",
}
STATE_COLOUR = {
    "taken": "green", "late": "yellow", "partial": "dark_orange", "skipped": "blue", "missed": "red",
    "pending": "grey50", "none": "grey50", "used": "magenta",
}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def regimen_text(r: Regimen | None) -> str:
    return "—" if r is None else regimens.describe(r)


def dose_text(r: Regimen | None) -> str:
    return "—" if r is None or r.is_stop else format_dose(r.dose_amount, r.dose_unit)


def times_text(r: Regimen | None) -> str:
    if r is None or r.is_stop:
        return "—"
    return regimens.describe_schedule_dict(regimens.as_dict(r))


def window_text(minutes: int) -> str:
    return f"±{minutes // 60} h" if minutes % 60 == 0 else f"±{minutes} min"


SECTION_TITLES = {
    "regimen": "Current regimen",
    "adherence": "Adherence",
    "calendar": "Adherence calendar",
    "changes": "Dose changes in the period",
    "skips": "Reasons for skipped doses",
    "as_needed": "As-needed use",
}

ABOUT = ("Adherence = doses taken / doses scheduled; on time = within the on-time window of the scheduled time; "
         "a dose is missed when nothing was recorded by half way to the next dose (at most 12 h); extra = a dose "
         "taken with no scheduled dose near it. This is a record, not advice: raise anything here with your prescriber.")
