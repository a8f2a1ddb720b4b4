"""The report's first-page chart, in the tradition of the NIMH life chart: the period on one time axis, mood and
sleep above, each medication's dose beneath as a band (its height the dose; changes, tapers, titrations, stops
and missed or skipped days marked), then side effects, questionnaire totals and measurements as marks on the same
days. Drawn from the report model only, as inline SVG (meddiary.render.svg): no script, nothing fetched.

Every mark carries `data-day` (and `data-value` where it plots a number) so tests can check that what is drawn
is what the model holds. Shapes and greys, not colours, carry the meaning: it prints in black and white.
"""

from datetime import date, timedelta

from meddiary.render import common as c
from meddiary.render import svg
from meddiary.report import Report

WIDTH = 720
LEFT = 104  # the labels' column
RIGHT = 6
MOOD_H = 70
SLEEP_H = 30
BAND_H = 15
EVENT_H = 15
SLEEP_TOP = c.SLEEP_TOP
INK, GREY, LIGHT = "#000", "#777", "#bbb"


def x_of(i: int, n: int) -> float:
    """The centre of day i of n."""
    return LEFT + (i + 0.5) * (WIDTH - LEFT - RIGHT) / n


def day_width(n: int) -> float:
    return (WIDTH - LEFT - RIGHT) / n


def mood_y(score: float, top: float) -> float:
    return top + (10 - score) / 9 * MOOD_H


def sleep_height(hours: float) -> float:
    return min(max(hours, 0), SLEEP_TOP) / SLEEP_TOP * SLEEP_H


def dose_runs(med, days: list[date]) -> list[tuple[date, date, object]]:
    """Runs of days with the same dosing regimen in force: (first, last, regimen); days without one are left out."""
    runs: list[list] = []
    for d in days:
        r = med.regimen_on(d)
        if r is None or r.is_stop:
            continue
        key = (r.dose_amount, r.dose_unit)
        if runs and runs[-1][1] == d - timedelta(days=1) and (runs[-1][2].dose_amount, runs[-1][2].dose_unit) == key:
            runs[-1][1] = d
        else:
            runs.append([d, d, r])
    return [tuple(x) for x in runs]


def render(rep: Report) -> str:
    days = rep.period.days
    n = len(days)
    index = {d: i for i, d in enumerate(days)}
    w = day_width(n)
    h = c.health(rep)
    out: list[str] = []
    y = 14

    # the axis: month names, then day numbers at the first day and Mondays
    for i, d in enumerate(days):
        if (i == 0 or d.day == 1) and (i == 0 or n - i >= 4):  # a month's name needs about 4 days' room
            out.append(svg.text(x_of(i, n) - w / 2, y - 4, c.month_text(d), font_weight="bold"))
    y += 4

    def row_label(text: str, top: float, height: float) -> None:
        out.append(svg.text(4, top + height / 2 + 3, text))

    def grid(top: float, height: float) -> None:
        out.append(svg.el("rect", x=LEFT, y=top, width=WIDTH - LEFT - RIGHT, height=height, fill="none",
                          stroke=LIGHT, stroke_width=0.5))
        for i, d in enumerate(days):
            if d.weekday() == 0 and i:
                out.append(svg.el("line", x1=x_of(i, n) - w / 2, x2=x_of(i, n) - w / 2, y1=top, y2=top + height,
                                  stroke=LIGHT, stroke_width=0.5))

    # mood: the day's mean score, a line broken where a day has none
    top = y
    grid(top, MOOD_H)
    row_label("Mood (1–10)", top, MOOD_H)
    for score in (1, 5, 10):
        out.append(svg.text(LEFT - 3, mood_y(score, top) + 3, str(score), text_anchor="end", fill=GREY))
    mood = [(index[m.day], m) for m in h.days if m.day in index and m.score is not None]
    segment: list[tuple[float, float]] = []
    last = None
    for i, m in mood:
        if last is not None and i != last + 1 and len(segment) > 1:
            out.append(svg.polyline(segment, fill="none", stroke=INK, stroke_width=1.2))
        if last is not None and i != last + 1:
            segment = []
        segment.append((x_of(i, n), mood_y(m.score, top)))
        last = i
    if len(segment) > 1:
        out.append(svg.polyline(segment, fill="none", stroke=INK, stroke_width=1.2))
    for i, m in mood:
        out.append(svg.el("circle", svg.title(f"{m.day.isoformat()}: mood {c.number(m.score)}"), class_="mood",
                          data_day=m.day.isoformat(), data_value=c.number(m.score), cx=x_of(i, n),
                          cy=mood_y(m.score, top), r=1.8, fill=INK))
    # the highest elevated and depressed ratings (0-3) as triangles along the mood panel's top and bottom
    for m in h.days:
        if m.day not in index:
            continue
        for rating, at_top in (("elevated", True), ("depressed", False)):
            value = m.ratings.get(rating)
            if value:
                size = 1.5 + value
                cx, cy = x_of(index[m.day], n), (top + 4 if at_top else top + MOOD_H - 4)
                tip = -size if at_top else size
                out.append(svg.el("path", svg.title(f"{m.day.isoformat()}: {rating} {value}"), class_=rating,
                                  data_day=m.day.isoformat(), data_value=value,
                                  d=f"M{svg.num(cx - size)},{svg.num(cy - tip / 2)} L{svg.num(cx + size)},"
                                    f"{svg.num(cy - tip / 2)} L{svg.num(cx)},{svg.num(cy + tip / 2)} Z",
                                  fill=GREY if value < 2 else INK))
    y = top + MOOD_H + 4

    # sleep: a bar a day
    top = y
    grid(top, SLEEP_H)
    row_label(f"Sleep (0–{SLEEP_TOP} h)", top, SLEEP_H)
    for m in h.days:
        if m.day in index and m.sleep is not None:
            bar = sleep_height(m.sleep)
            out.append(svg.el("rect", svg.title(f"{m.day.isoformat()}: sleep {c.number(m.sleep)} h"), class_="sleep",
                              data_day=m.day.isoformat(), data_value=c.number(m.sleep),
                              x=x_of(index[m.day], n) - w * 0.35, y=top + SLEEP_H - bar, width=w * 0.7, height=bar,
                              fill=GREY))
    y = top + SLEEP_H + 6

    # each medication's dose as a band; missed or skipped days notched white; changes marked
    for mr in rep.medications:
        med = mr.medication
        top = y
        row_label(mr.name if len(mr.name) <= 18 else mr.name[:17] + "…", top, BAND_H)
        labels: list[str] = []
        if med.as_needed:
            per_day = {d.day: d.uses for d in mr.stats.days if d.uses}
            most = max(per_day.values(), default=1)
            for d, uses in per_day.items():
                bar = max(2.0, uses / most * (BAND_H - 2))
                out.append(svg.el("rect", svg.title(f"{d.isoformat()}: {med.name} {uses} as-needed"), class_="prn",
                                  data_day=d.isoformat(), data_value=uses, x=x_of(index[d], n) - w * 0.3,
                                  y=top + BAND_H - 1 - bar, width=w * 0.6, height=bar, fill=INK))
        else:
            runs = dose_runs(med, days)
            highest = max((r.dose_amount or 0 for _, _, r in runs), default=0) or 1
            for first, last_day, r in runs:
                height = max(3.0, (r.dose_amount or highest) / highest * (BAND_H - 3))
                x0 = x_of(index[first], n) - w / 2
                width = (index[last_day] - index[first] + 1) * w
                dose = c.dose_text(r)
                out.append(svg.el("rect", svg.title(f"{med.name} {dose}, {first.isoformat()} – {last_day.isoformat()}"),
                                  class_="dose", data_first=first.isoformat(), data_last=last_day.isoformat(),
                                  data_value=c.number(r.dose_amount), data_unit=r.dose_unit,
                                  x=x0, y=top + BAND_H - 1 - height, width=width, height=height, fill=LIGHT,
                                  stroke=INK, stroke_width=0.6))
                if width > 34:
                    labels.append(svg.text(x0 + 2, top + BAND_H - 4, dose, font_size=7.5))
            for d in mr.stats.days:
                if d.state in ("missed", "skipped", "partial") and d.day in index:
                    out.append(svg.el("rect", svg.title(f"{d.day.isoformat()}: {c.STATE_LABEL[d.state]}"),
                                      class_="gap", data_day=d.day.isoformat(), data_state=d.state,
                                      x=x_of(index[d.day], n) - w * 0.3, y=top + 1, width=w * 0.6,
                                      height=BAND_H - 2, fill="#fff", stroke=INK if d.state == "missed" else GREY,
                                      stroke_width=0.5))
            out.extend(labels)  # over the notches
        for ch in rep.changes:
            if ch.medication == mr.name and ch.day in index:
                kind = c.change_kind(ch)
                mark = {"titration (up)": "▲", "increase": "▲", "taper (down)": "▼", "decrease": "▼",
                        "stop": "■ stop", "start": "▶", "restart": "▶"}.get(kind, "◆")
                out.append(svg.text(x_of(index[ch.day], n) - w / 2 + 1, top - 0.5, mark, font_size=7,
                                    class_="change", data_day=ch.day.isoformat(), data_kind=kind))
        y = top + BAND_H + 3

    # events on the same days: side effects (from onset to the last day seen), questionnaires, measurements
    def event_row(label: str, marks: list[str]) -> None:
        nonlocal y
        if marks:
            row_label(label, y, EVENT_H)
            out.extend(marks)
            y += EVENT_H

    first_day, last_day = days[0], days[-1]
    tz = c.zone(rep)
    marks = []
    for k, ep in enumerate(h.episodes):
        onset, seen = ep.onset.astimezone(tz).date(), (ep.resolved_at or ep.last_seen).astimezone(tz).date()
        if ep.ongoing:
            seen = last_day
        a, b = max(onset, first_day), min(seen, last_day)
        if a > b:
            continue
        cy = y + 4 + (k % 2) * 6
        marks.append(svg.el("line", x1=x_of(index[a], n), x2=x_of(index[b], n), y1=cy, y2=cy, stroke=GREY,
                            stroke_width=1.5))
        marks.append(svg.el("path", svg.title(f"{onset.isoformat()}: {ep.symptom}, worst {ep.worst or 'not rated'}"),
                            class_="side-effect", data_day=onset.isoformat(),
                            d=f"M{svg.num(x_of(index[a], n))},{svg.num(cy - 3)} l3,3 l-3,3 l-3,-3 Z", fill=INK))
        marks.append(svg.text(x_of(index[a], n) + 4, cy + 3, ep.symptom[:24], font_size=7))
    event_row("Side effects", marks)
    y += 2 if marks else 0
    marks = []
    lines = {}  # one line per questionnaire, so that two on one day do not overlap
    for ck in h.checks:
        d = ck.at.astimezone(tz).date()
        if d in index:
            line = lines.setdefault(ck.title, len(lines))
            marks.append(svg.text(x_of(index[d], n), y + 8 + 8 * line, f"{ck.title} {ck.total}", font_size=7,
                                  text_anchor="middle", class_="check", data_day=d.isoformat(), data_value=ck.total))
    event_row("Questionnaires", marks)
    y += 8 * max(0, len(lines) - 1)
    from meddiary import measures

    marks = []
    tests: dict[str, int] = {}  # one line per test
    for m in rep.measurements:
        if m.day in index:
            line = tests.setdefault(m.test, len(tests))
            label = f"{m.title.replace(' level', '')} {measures.value_text(m.data)}"
            cy = y + 5 + 9 * line
            marks.append(svg.el("circle", svg.title(f"{m.day.isoformat()}: {label}"), class_="measurement",
                                data_day=m.day.isoformat(), data_value=c.number(m.value), cx=x_of(index[m.day], n),
                                cy=cy, r=2.2, fill="#fff", stroke=INK))
            marks.append(svg.text(x_of(index[m.day], n) + 4, cy + 2.5, label[:28], font_size=7))
    event_row("Measurements", marks)
    y += 9 * max(0, len(tests) - 1)

    # day numbers at the first day and each Monday
    y += 2
    for i, d in enumerate(days):
        if i == 0 or d.weekday() == 0:
            out.append(svg.text(x_of(i, n), y + 8, str(d.day), text_anchor="middle", fill=GREY))
    y += 12
    return svg.document(WIDTH, y, out, f"Mood, sleep, doses and events, {c.period_text(rep)}")


LEGEND = ("Mood: the day's mean (1 worst, 10 best); ▲ along the top: elevated, ▼ along the bottom: depressed "
          "(larger and darker: moderate or severe). Sleep: hours a day. Dose bands: height is the dose (relative to "
          "the medication's highest in the period); white notches: a dose missed (black outline) or skipped or "
          "partly taken (grey); ▲ titration up, ▼ taper down, ■ stop. As needed: a bar per day of use. Side "
          "effects: ◆ at onset, the line while it lasts. Blank: nothing recorded.")
