"""What every rendering shares: the calendar's symbols and labels, and how numbers are written."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from meddiary import regimens
from meddiary.adherence import HOLIDAY_DAYS, MedStats, Overall
from meddiary.doses import format_dose
from meddiary.model import Regimen
from meddiary.report import DoseChange, MedReport, Report

# Symbols as well as colours, so the calendar reads in black and white.
# Each symbol a different shape, so that none is mistaken for another on a greyscale print: "some late" (every
# dose taken) is a half-filled circle, "partly taken" (a dose not taken) the fraction ½.
STATE_SYMBOL = {
    "taken": "●", "late": "◐", "partial": "½", "skipped": "○", "missed": "✕",
    "pending": "·", "none": " ", "used": "◆", "extra": "+",
}
STATE_LABEL = {
    "taken": "taken on time", "late": "all taken, some late", "partial": "partly taken (a dose not taken)",
    "skipped": "skipped", "missed": "missed", "pending": "not yet due", "none": "not scheduled",
    "used": "as-needed dose taken", "extra": "extra dose, nothing scheduled",
}
STATE_COLOUR = {
    "taken": "green", "late": "yellow", "partial": "dark_orange", "skipped": "blue", "missed": "red",
    "pending": "grey50", "none": "grey50", "used": "magenta", "extra": "magenta",
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
    "item9": "PHQ-9 item 9 answered above 0",
    "summary": "At a glance",
    "regimen": "Medications: current and stopped",
    "adherence": "Adherence",
    "calendar": "Adherence calendar",
    "changes": "Dose changes in the period",
    "skips": "Reasons for skipped doses",
    "as_needed": "As-needed use",
    "holidays": "Drug holidays",
    "supply": "Supply and refills",
    "mood": "Mood and sleep",
    "questionnaires": "Questionnaires (PHQ-9, GAD-7)",
    "measurements": "Measurements (lab values and vital signs)",
    "side_effects": "Side effects",
    "around": "Around each change",
    "questions": "Open questions for the prescriber",
    "about": "About these numbers",
}

ABOUT = ("Adherence = doses taken / doses scheduled; on time = within the on-time window of the scheduled time; "
         "a dose is missed when nothing was recorded by half way to the next dose (at most 12 h); extra = a dose "
         "taken with no scheduled dose near it. PDC (proportion of days covered, Pharmacy Quality Alliance method) "
         "= days with medication on hand by the refills recorded / days from the first refill in the period to the "
         "period's end (or the day before a stop): each refill covers its days' supply as fixed when it was recorded "
         "(the label's, or its quantity walked through the doses recorded then, planned steps included); a refill "
         "made while earlier supply remains starts when that runs out; a PDC needs refills on at least two days in "
         "the period; supply past the period's end is not counted; adherent at PDC ≥ 0.80. "
         "This is a record, not advice: raise anything here with your prescriber.")

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
    "supply": "No refills or pill counts recorded for the medications in this period.",
    "mood": "No mood or sleep entries in this period.",
    "questionnaires": "No questionnaires in this period.",
    "measurements": "No lab values or vital signs recorded in this period.",
    "side_effects": "No side effects in this period.",
    "around": "No dose changes in this period to look around.",
    "questions": "No open questions.",
    "summary": "No medications in this period.",
}

# The calendar's legend names the blank cell instead of drawing it.
LEGEND_SYMBOL = {**STATE_SYMBOL, "none": "(blank)"}

WEEKDAY_INITIAL = "MTWTFSS"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CALENDAR_BLOCK_DAYS = 31
SHORT = 30  # characters: a table's first column no longer than this is kept on one line


def zone(rep: Report) -> ZoneInfo:
    """What the report's times are shown in: each day's own zone when they differ (travel), else the one."""
    return rep.period.tzinfo or ZoneInfo(rep.period.timezone)


def zone_text(rep: Report) -> str:
    """'Europe/Berlin', or with travel each zone from its first day: 'Europe/Berlin; America/New_York from
    2026-11-24'."""
    runs = rep.period.zones()
    if not runs:
        return rep.period.timezone
    return "; ".join([runs[0][1], *(f"{name} from {day_text(day)}" for day, name in runs[1:])]) + \
        " (each day in the zone recorded that day)"


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
    asked = rep.period.asked_first_day
    clamped = [("Note", f"the period asked for began {day_text(asked)}; the diary begins "
                        f"{day_text(rep.period.first_day)}, so the report starts there")] if asked else []
    return [
        ("Period", period_text(rep)), *clamped,
        ("Generated", local_time_text(rep.generated_at, zone(rep))),
        ("Time zone", zone_text(rep)),
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


def change_kind(change: DoseChange) -> str:
    """What the change did to the dose (a taper step upwards is a titration): summary.direction."""
    from meddiary.summary import direction

    return direction(change.before, change.after)


def change_cells(change: DoseChange) -> list[str]:
    return [day_text(change.day), change.medication, change_kind(change),
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
    most = f"; at most {most_24h_text(k)} in any 24 hours" if (k := key_numbers(m)) and k.max_24h_uses else ""
    return (f"{uses}{most}; {len(s.over_limit)} over the 24-hour limit; {len(s.too_soon)} sooner than the minimum "
            "interval.")


def key_numbers(m: MedReport):
    return getattr(m, "key", None)


def most_24h_text(k) -> str:
    """'3 mg (6 uses)': the most taken in any 24 hours, as an amount and as uses."""
    uses = f"{k.max_24h_uses} {'use' if k.max_24h_uses == 1 else 'uses'}"
    return f"{format_dose(k.max_24h, k.unit)} ({uses})" if k.max_24h is not None else uses


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
    """Each day's state; a day with nothing scheduled but an extra dose taken is "extra"."""
    extra = getattr(m, "extra_days", ())
    return {d.day: "extra" if d.state == "none" and d.day in extra else d.state for d in m.stats.days}


def calendar_states(rep: Report) -> list[tuple[MedReport, dict[date, str]]]:
    """Each medication with its states by day, worked out once for the whole calendar: a block (a month)
    looks up its own days in them. Worked out per block, a lifetime's calendar cost months x days."""
    return [(m, states_by_day(m)) for m in rep.medications]


# -- how the medicines work: mood and sleep, questionnaires, side effects, around each change, questions ----

BARS = "▁▂▃▄▅▆▇█"
RATING_MARK = {0: "·", 1: "▃", 2: "▅", 3: "█"}
SLEEP_TOP = 12  # hours: the sleep row's full bar
CHART_LABEL = 14  # characters before the first day


def health(rep: Report):
    return rep.sections["health"]


def score_bar(score: float) -> str:
    return BARS[round((min(max(score, 1), 10) - 1) / 9 * (len(BARS) - 1))]


def sleep_bar(hours: float) -> str:
    return BARS[round(min(max(hours, 0), SLEEP_TOP) / SLEEP_TOP * (len(BARS) - 1))]


def chart_axis(days: list[date]) -> str:
    """Day numbers over the chart: at the first day and at each Monday, where there is room."""
    cells = [" "] * len(days)
    free = 0
    for i, d in enumerate(days):
        if (i == 0 or d.weekday() == 0) and i >= free and i + len(str(d.day)) <= len(days):  # never cut: "3" for 30
            label = str(d.day)
            for j, ch in enumerate(label):
                cells[i + j] = ch
            free = i + len(label) + 1
    return "".join(cells).rstrip()


def mood_chart_rows(rep: Report) -> tuple[dict, list]:
    """What every block of the mood chart looks up: the mood days by date, and the rows (label, mark) the
    chart has. Worked out once for the whole period, not once per block (months x days over a lifetime)."""
    from meddiary.wellbeing import RATINGS

    by_day = {d.day: d for d in health(rep).days}
    rows = [("Mood 1–10", lambda m: score_bar(m.score) if m.score is not None else " "),
            ("Sleep h", lambda m: sleep_bar(m.sleep) if m.sleep is not None else " ")]
    for name in RATINGS:
        if any(m.ratings[name] is not None for m in health(rep).days):
            rows.append((name.capitalize(), lambda m, name=name: RATING_MARK.get(m.ratings[name], " ")
                         if m.ratings[name] is not None else " "))
    return by_day, rows


def mood_chart(rep: Report, days: list[date], chart_rows: tuple[dict, list] | None = None) -> list[str]:
    """One column per day: the day's mean mood, its sleep, and (when any were rated) the highest ratings.
    `chart_rows`: mood_chart_rows(rep), when the period's chart is drawn in blocks."""
    by_day, rows = chart_rows or mood_chart_rows(rep)
    lines = [" " * CHART_LABEL + chart_axis(days)]
    for label, mark in rows:
        cells = "".join(mark(by_day[d]) if d in by_day else " " for d in days)
        lines.append(f"{label:<{CHART_LABEL}}{cells}".rstrip())
    return lines


CHART_LEGEND = (f"One column per day, numbered at Mondays; blank: nothing recorded. Mood: {BARS[0]} 1 (worst) to "
                f"{BARS[-1]} 10 (best), the day's mean. Sleep: {BARS[0]} 0 h to {BARS[-1]} {SLEEP_TOP} h or more. "
                f"Ratings, the day's highest: {RATING_MARK[0]} none, {RATING_MARK[1]} mild, {RATING_MARK[2]} moderate, "
                f"{RATING_MARK[3]} severe.")

WEEK_HEADERS = ("Week", "Days with entries", "Mood, mean", "Sleep h, mean", "Depressed", "Elevated", "Anxiety",
                "Irritability")
WEEK_TEXT = ("Weekly: the mean of the days' mood scores and sleep, and each rating's highest (0 none, 1 mild, "
             "2 moderate, 3 severe).")


def week_label(first: date, last: date) -> str:
    return day_text(first) if first == last else f"{day_text(first)} – {last.day}" if first.month == last.month \
        else f"{day_text(first)} – {last.day} {MONTHS[last.month - 1]}"


def week_rows(rep: Report) -> list[list[str]]:
    from meddiary.wellbeing import RATINGS

    return [[week_label(w.first, w.last), f"{w.days} of {(w.last - w.first).days + 1}", number(w.score),
             number(w.sleep), *(number(w.ratings[k]) for k in RATINGS)] for w in health(rep).weeks]


CHECK_HEADERS = ("Date", "Questionnaire", "Total", "Severity", "Change since the first", "Item 9")


def signed(n: int | None) -> str:
    return "—" if n is None else f"+{n}" if n > 0 else f"−{-n}" if n < 0 else "0"


def check_rows(rep: Report) -> list[list[str]]:
    from meddiary import scales

    tz = zone(rep)
    return [[local_time_text(c.at, tz)[:10], c.title, f"{c.total} of {scales.INSTRUMENTS[c.instrument].max_total}",
             c.severity, signed(c.change), str(c.item9) if c.item9 is not None else "—"]
            for c in health(rep).checks]


def checks_fine_print(rep: Report) -> str:
    from meddiary import scales

    used = [scales.INSTRUMENTS[k] for k in scales.INSTRUMENTS if any(c.instrument == k for c in health(rep).checks)]
    bands = "; ".join(f"{i.title} bands: {scales.band_text(i)}" for i in used)
    return (f"{bands}. Each covers the 2 weeks before it was filled in. The change is counted from the first of "
            f"the same questionnaire in this period. {scales.CREDIT} {scales.STATEMENT}")


def item9_lines(rep: Report) -> list[str]:
    from meddiary import scales

    tz = zone(rep)
    return [f"{local_time_text(c.at, tz)}: item 9 answered {c.item9} (\"{scales.option_text(c.item9)}\"); "
            f"PHQ-9 total {c.total} ({c.severity})" for c in health(rep).item9]


ITEM9_TEXT = ("PHQ-9 item 9 asks how often, over the last 2 weeks, there were \"thoughts that you would be better "
              "off dead or of hurting yourself in some way\". Any answer above 0 matters whatever the total: please "
              "talk about it at this appointment.")

def side_effect_leads(rep: Report) -> list[tuple[str, str]]:
    """Each episode as (symptom and medication, what the record says): the worst severity, the days it was
    seen, whether it is ongoing, the dose at onset and how long after the start or the last dose change."""
    from meddiary.views import since_change_text

    tz = zone(rep)
    names = health(rep).medication_names
    out = []
    for ep in health(rep).episodes:
        med = names.get(ep.medication_id)
        onset, last = local_time_text(ep.onset, tz)[:10], local_time_text(ep.last_seen, tz)[:10]
        seen = f"seen on {onset}" if onset == last else f"seen {onset} to {last}"
        status = "ongoing" if ep.ongoing else f"resolved {local_time_text(ep.resolved_at, tz)[:10]}"
        text = f"{ep.worst or 'severity not rated'} at worst; {seen}, {status}."
        if med:
            dose = f"{dose_text(ep.dose_at_onset)} at onset" if ep.dose_at_onset else f"Not taking {med} at onset"
            text += f" {dose}, began {since_change_text(ep)}."
        out.append((ep.symptom + (f" ({med})" if med else ""), text))
    return out


def around_title(a) -> tuple[str, str]:
    before = regimen_text(a.before_regimen) if a.before_regimen else "—"
    reason = f" — {a.reason}" if a.reason else ""
    return f"{day_text(a.day)} {a.medication}", f"{a.kind}: {before} → {regimen_text(a.after_regimen)}{reason}"


def window_heading(label: str, w) -> str:
    first, last = w.mood.first, w.mood.last
    return f"{label} ({day_text(first)} – {day_text(last)})"


def _symptoms(w, names: dict) -> str:
    if not w.side_effects:
        return "none recorded"
    out = []
    for s in w.side_effects:
        extra = ", ".join(x for x in (s.worst, names.get(s.medication_id), "new" if s.new else None) if x)
        out.append(s.symptom + (f" ({extra})" if extra else ""))
    return "; ".join(out)


def around_table(rep: Report, a) -> tuple[list[str], list[list[str]]]:
    from meddiary.wellbeing import AROUND_DAYS, RATINGS

    names = health(rep).medication_names
    headers = ["", window_heading("14 days before", a.before), window_heading("14 days from the change", a.after)]

    def days(w) -> str:
        so_far = f" (the {w.days_so_far} so far)" if w.days_so_far < AROUND_DAYS else ""
        return f"{w.mood.days} of {AROUND_DAYS}{so_far}"

    def with_days(value, n) -> str:
        return "—" if value is None else f"{number(value)} ({n} day{'' if n == 1 else 's'})"

    rows = [["Days with mood entries", days(a.before), days(a.after)],
            ["Mood, mean (1–10)", with_days(a.before.mood.score, a.before.mood.score_days),
             with_days(a.after.mood.score, a.after.mood.score_days)],
            ["Sleep, mean (h)", with_days(a.before.mood.sleep, a.before.mood.sleep_days),
             with_days(a.after.mood.sleep, a.after.mood.sleep_days)]]
    for k in RATINGS:
        if a.before.mood.ratings[k] is not None or a.after.mood.ratings[k] is not None:
            rows.append([f"{k.capitalize()}, highest (0–3)", number(a.before.mood.ratings[k]),
                         number(a.after.mood.ratings[k])])
    rows.append(["Side effects logged", _symptoms(a.before, names), _symptoms(a.after, names)])
    return headers, rows


def around_others(a) -> list[str]:
    return [f"{day_text(d)} {med} ({kind})" for d, med, kind in a.others]


AROUND_TEXT = ("The record of the 14 days before each change next to the 14 days from it on, with the days that "
               "have entries counted: few days mean little. It shows what was recorded, not what caused what.")

QUESTION_HEADERS = ("Id", "Asked", "Question")


def question_rows(rep: Report) -> list[list[str]]:
    tz = zone(rep)
    return [[f"#{q.id}", local_time_text(q.at, tz)[:10], q.text] for q in health(rep).open_questions]


# -- supply and refills --------------------------------------------------------------------------------

SUPPLY_HEADERS = ("Medication", "On hand", "Days left", "Runs out about", "Repeats left", "Last refill")
PDC_HEADERS = ("Medication", "Measured over", "PDC", "Days covered", "Adherent (PDC ≥ 0.80)")


def supply_items(rep: Report) -> list[dict]:
    """The section as its JSON (supply.section_json): every rendering shows the numbers exactly as the JSON."""
    from meddiary import supply

    return supply.section_json(rep.supply, zone(rep))


def _value(x) -> str:
    return "—" if x is None else f"{x:g}" if isinstance(x, float) else str(x)


def supply_rows(rep: Report) -> list[list[str]]:
    return [[s["medication"], _value(s["on_hand"]), _value(s["days_left"]), s["run_out"] or "—",
             _value(s["repeats_left"]), s["last_refill"] or "—"] for s in supply_items(rep)]


def pdc_text(pdc: float) -> str:
    """Two decimals, rounded down: 0.796 reads 0.79, so the figure never looks adherent when it is not."""
    return f"{int(pdc * 100 + 1e-9) / 100:.2f}"


def pdc_rows(rep: Report) -> list[list[str]]:
    rows = []
    for s in supply_items(rep):
        if s["pdc"] is None:
            rows.append([s["medication"], f"no PDC: {s['pdc_note']}", "—", "—", "—"])
        else:
            rows.append([s["medication"], f"{s['pdc_first']} – {s['pdc_last']}", pdc_text(s["pdc"]),
                         f"{s['covered_days']} of {s['period_days']}", "yes" if s["adherent"] else "no"])
    return rows


def supply_fine_print(rep: Report) -> str:
    today = day_text(rep.generated_at.astimezone(zone(rep)).date())
    text = (f"On hand, days left and run-out as of {today}, from the record: the last pill count (or the first "
            "refill), plus the refills since, less the doses recorded since. Days left are at the current dose (as "
            "needed: the last 30 days' average use); the supply runs out about that many days from today. Repeats "
            "left: as the latest refill recorded them. PDC: see About these numbers.")
    if any(s["on_hand"] is None for s in supply_items(rep)):
        text += (" On hand —: the tablets (or other units) a dose uses are not recorded (meddiary change NAME "
                 "--strength 50mg, or --units-per-dose N).")
    return text


# -- measurements -------------------------------------------------------------------------------------------

MEASUREMENT_HEADERS = ("When", "Test", "Value", "Range (as entered)", "Since the last dose")
MEASUREMENT_TEXT = ("Values and ranges as the person entered them from the lab's slip; meddiary does not judge them. "
                    "For a drug level, the time from the last dose of that medication recorded before the sample "
                    "(a lithium level is usually read about 12 h after the dose).")


def measurement_rows(rep: Report) -> list[list[str]]:
    from meddiary import measures

    tz = zone(rep)
    rows = []
    for m in rep.measurements:
        if not measures.is_level(m.test):
            since = ""
        elif m.medication is None:
            since = "— (no medication matched)"
        elif m.since_last_dose is None:
            since = f"— (no {m.medication} dose recorded in the 2 days before)"
        else:
            since = f"{measures.duration_text(m.since_last_dose)} after {m.medication} at {local_time_text(m.last_dose_at, tz)[11:]}"
        rows.append([local_time_text(m.at, tz), m.title, measures.value_text(m.data),
                     measures.range_text(m.data) or "—", since])
    return rows


# -- the first page: at a glance ------------------------------------------------------------------------

SUMMARY_ALERTS = "Look at first:"
SUMMARY_NO_ALERTS = ("Nothing to look at first: no as-needed use over its limit, no side effects, no mood rated "
                     "moderate or severe, no dose other than prescribed, no missed doses on 2 days in a row and no "
                     "drug holiday in this period.")
KEY_HEADERS = ("Medication", "Now", "Started", "Taken", "On time", "Missed", "Other")
STOPPED_HEADERS = ("Stopped", "Last taken as", "Started", "Stopped on", "Taken", "Missed")
PLANNED_HEADERS = ("Planned", "From", "Step", "To")
DIFFERENT_HEADERS = ("Dose other than prescribed", "When", "Taken", "Prescribed")


def summary_alerts(rep: Report) -> list[str]:
    return [a.text for a in rep.summary.alerts]


def key_rows(rep: Report) -> list[list[str]]:
    rows = []
    for k in rep.summary.current:
        if k.as_needed:
            taken = f"{k.uses} {'use' if k.uses == 1 else 'uses'}"
            other = f"most in 24 h: {most_24h_text(k)}" + (f"; {k.over_limit} over the limit" if k.over_limit else "")
            rows.append([k.name, regimen_text(k.regimen), day_text(k.started) if k.started else "—", taken, "—",
                         "—", other])
            continue
        other = ", ".join(x for x in (f"{k.extra} extra" if k.extra else "",
                                      f"{k.different} other dose{'' if k.different == 1 else 's'}" if k.different else "",
                                      f"{k.skipped} skipped" if k.skipped else "") if x)
        rows.append([k.name, regimen_text(k.regimen), day_text(k.started) if k.started else "—",
                     f"{k.taken}/{k.scheduled} ({pct(k.adherence)})", pct(k.on_time), str(k.missed), other or "—"])
    return rows


def stopped_rows(rep: Report) -> list[list[str]]:
    return [[k.name, regimen_text(k.regimen), day_text(k.started) if k.started else "—",
             day_text(k.stopped_on) if k.stopped_on else "—",
             f"{k.taken}/{k.scheduled} ({pct(k.adherence)})" if not k.as_needed else f"{k.uses} uses",
             str(k.missed) if not k.as_needed else "—"] for k in rep.summary.stopped]


def planned_rows(rep: Report) -> list[list[str]]:
    return [[p.medication, day_text(p.day), p.label, regimen_text(p.regimen)] for p in rep.summary.planned]


def different_rows(rep: Report) -> list[list[str]]:
    tz = zone(rep)
    return [[d.medication, local_time_text(d.at, tz), format_dose(*d.taken), format_dose(*d.prescribed)]
            for d in rep.summary.different]


REGIMEN_CURRENT_HEADERS = ("Medication", "Dose", "Schedule", "For", "Started", "This dose since", "Note")


def regimen_current_rows(rep: Report) -> list[list[str]]:
    return [[m.name, dose_text(m.current), times_text(m.current), m.medication.purpose or "—",
             day_text(m.medication.start_date) if m.medication.start_date else "—",
             day_text(m.current.start_date) if m.current else "—", m.medication.note or ""]
            for m in rep.medications if not m.stopped_on]


REGIMEN_STOPPED_HEADERS = ("Stopped", "Last dose", "Schedule", "For", "Started", "Stopped on", "Note")


def regimen_stopped_rows(rep: Report) -> list[list[str]]:
    return [[m.name, dose_text(m.current), times_text(m.current), m.medication.purpose or "—",
             day_text(m.medication.start_date) if m.medication.start_date else "—", day_text(m.stopped_on),
             m.medication.note or ""]
            for m in rep.medications if m.stopped_on]
