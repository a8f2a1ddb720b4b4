"""What every rendering shares: the calendar's symbols and labels, and how numbers are written."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from meddiary import regimens
from meddiary.adherence import HOLIDAY_DAYS, MedStats, Overall
from meddiary.doses import format_dose
from meddiary.model import Regimen
from meddiary.report import DoseChange, MedReport, Report

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
    "holidays": "Drug holidays",
    "about": "About these numbers",
}

ABOUT = ("Adherence = doses taken / doses scheduled; on time = within the on-time window of the scheduled time; "
         "a dose is missed when nothing was recorded by half way to the next dose (at most 12 h); extra = a dose "
         "taken with no scheduled dose near it. This is a record, not advice: raise anything here with your prescriber.")

# -- shared by the terminal, Markdown and HTML renderings ---------------------------------------------

TITLE = "meddiary — appointment report"

EMPTY = {
    "regimen": "No medications in this period.",
    "adherence": "No scheduled doses in this period.",
    "calendar": "No medications in this period.",
    "changes": "No dose changes in this period.",
    "skips": "No skipped doses in this period.",
    "as_needed": "No as-needed medications in this period.",
    "holidays": f"No drug holidays ({HOLIDAY_DAYS} or more days in a row without a dose) in this period.",
}

# The calendar's legend names the blank cell instead of drawing it.
LEGEND_SYMBOL = {**STATE_SYMBOL, "none": "(blank)"}

WEEKDAY_INITIAL = "MTWTFSS"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CALENDAR_BLOCK_DAYS = 31
SHORT = 30  # characters: a table's first column no longer than this is kept on one line


def zone(rep: Report) -> ZoneInfo:
    return ZoneInfo(rep.period.timezone)


def day_text(d: date) -> str:
    return d.isoformat()


def local_time_text(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def number(value: float | None) -> str:
    """A number as the model holds it (already rounded where it is rounded), so it reads as in the JSON."""
    return "—" if value is None else f"{value:g}"


def period_text(rep: Report) -> str:
    p = rep.period
    return f"{day_text(p.first_day)} – {day_text(p.last_day)} ({len(p.days)} days)"


def window_minutes(rep: Report) -> int:
    return int(rep.period.window.total_seconds() // 60)


def header_lines(rep: Report) -> list[tuple[str, str]]:
    """(label, value) pairs that open every report: what it covers and how to read its times."""
    return [
        ("Period", period_text(rep)),
        ("Generated", local_time_text(rep.generated_at, zone(rep))),
        ("Time zone", rep.period.timezone),
        ("On-time window", f"{window_text(window_minutes(rep))} of the scheduled time"),
    ]


def since_text(rep: Report, m: MedReport) -> str:
    """When the current regimen started, and the stop day if the medication was stopped by the report's end."""
    if m.current is None:
        return "—"
    stop = f" (stopped {day_text(m.stopped_on)})" if m.stopped_on else ""
    return day_text(m.current.start_date) + stop


def scheduled(rep: Report) -> list[MedReport]:
    return [m for m in rep.medications if not m.medication.as_needed]


def as_needed(rep: Report) -> list[MedReport]:
    return [m for m in rep.medications if m.medication.as_needed]


COUNT_HEADERS = ("Scheduled", "Taken", "On time", "Late", "Skipped", "Missed", "Extra")
RATE_HEADERS = ("Adherence", "On-time rate", "Correctly dosed days", "Drug holidays", "Longest streak",
                "Current streak")
OVERALL_NAME = "All scheduled"
AS_NEEDED_HEADERS = ("As needed", "Uses", "Uses per week", "Over the 24-hour limit")


def count_cells(s: MedStats | Overall) -> list[str]:
    return [str(n) for n in (s.scheduled, s.taken, s.on_time, s.late, s.skipped, s.missed, s.extra)]


def rate_cells(s: MedStats | Overall) -> list[str]:
    return [pct(s.adherence), pct(s.timing_adherence), pct(s.correct_dosing_days), str(s.drug_holidays),
            str(s.longest_streak), str(s.current_streak)]


def as_needed_cells(m: MedReport) -> list[str]:
    s = m.stats
    return [m.name, str(s.uses), number(s.uses_per_week), str(len(s.over_limit))]


REGIMEN_HEADERS = ("Medication", "Dose", "Schedule", "For", "Since", "Note")


def regimen_cells(rep: Report, m: MedReport) -> list[str]:
    med = m.medication
    return [m.name, dose_text(m.current), times_text(m.current), med.purpose or "—", since_text(rep, m),
            med.note or ""]


CHANGE_HEADERS = ("Date", "Medication", "Kind", "From", "To", "Reason")


def change_cells(change: DoseChange) -> list[str]:
    return [day_text(change.day), change.medication, change.kind,
            regimen_text(change.before) if change.before else "—", regimen_text(change.after), change.reason or "—"]


HOLIDAY_HEADERS = ("Medication", "From", "To", "Days")


def holiday_rows(rep: Report) -> list[list[str]]:
    return [[m.name, day_text(a), day_text(b), str((b - a).days + 1)]
            for m in scheduled(rep) for a, b in m.stats.holiday_spans]


def reason_text(reason: str | None) -> str:
    return reason or "(no reason given)"


def skip_table(rep: Report) -> tuple[list[str], list[list[str]]]:
    """Reasons down, medications with skips across, then all scheduled medications together."""
    meds = [m for m in scheduled(rep) if m.stats.skip_reasons]
    headers = ["Reason", *(m.name for m in meds), "All"]
    rows = [[reason_text(reason), *(str(m.stats.skip_reasons.get(reason, "—")) for m in meds), str(n)]
            for reason, n in rep.overall.skip_reasons.items()]
    return headers, rows


def as_needed_summary(m: MedReport) -> str:
    s = m.stats
    uses = f"{s.uses} {'use' if s.uses == 1 else 'uses'} ({number(s.uses_per_week)} per week)"
    return f"{uses}; {len(s.over_limit)} over the 24-hour limit; {len(s.too_soon)} sooner than the minimum interval."


def over_limit_lines(m: MedReport, tz: ZoneInfo) -> list[str]:
    return [local_time_text(e.at, tz) + (f" — {e.note}" if e.note else "") for e in m.stats.over_limit]


def calendar_blocks(days: list[date]) -> list[list[date]]:
    """The period in one block when it is short, else one block per calendar month (at most 31 days each)."""
    if len(days) <= CALENDAR_BLOCK_DAYS:
        return [days] if days else []
    blocks: dict[tuple[int, int], list[date]] = {}
    for d in days:
        blocks.setdefault((d.year, d.month), []).append(d)
    return list(blocks.values())


def month_text(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.year}"


def states_by_day(m: MedReport) -> dict[date, str]:
    return {d.day: d.state for d in m.stats.days}
