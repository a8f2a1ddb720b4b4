"""The report as one JSON object (documented in the README)."""

import json
import sys

from meddiary.render.common import change_kind, dose_text, regimen_text
from meddiary.report import Report


def _counts(s) -> dict:
    return {
        "scheduled": s.scheduled, "taken": s.taken, "on_time": s.on_time, "late": s.late,
        "skipped": s.skipped, "missed": s.missed, "extra": s.extra,
        "adherence": s.adherence, "timing_adherence": s.timing_adherence,
        "correct_dosing_days": s.correct_dosing_days, "drug_holidays": s.drug_holidays,
        "longest_streak": s.longest_streak, "current_streak": s.current_streak,
        "skip_reasons": dict(s.skip_reasons),
    }


def to_dict(report: Report) -> dict:
    p, tz = report.period, report.period.timezone
    zone = p.tzinfo or _zone(tz)
    iso: dict = {}  # each day's text once, not once per medication
    meds = []
    for m in report.medications:
        s = m.stats
        meds.append({
            "name": m.name,
            "for": m.medication.purpose,
            "dose": dose_text(m.current),
            "regimen": regimen_text(m.current),
            "stopped_on": m.stopped_on.isoformat() if m.stopped_on else None,
            "as_needed_medication": m.medication.as_needed,
            **_counts(s),
            "pending": s.pending,
            "holidays": [{"start": a.isoformat(), "end": b.isoformat()} for a, b in s.holiday_spans],
            "as_needed": {
                "uses": s.uses, "uses_per_week": s.uses_per_week,
                "over_limit": len(s.over_limit), "too_soon": len(s.too_soon),
                "over_limit_at": [e.at.astimezone(zone).isoformat() for e in s.over_limit],
            } if m.medication.as_needed else None,
            "days": [{"date": iso.get(d.day) or iso.setdefault(d.day, d.day.isoformat()), "state": d.state}
                     for d in s.days],
        })
    o = report.overall
    return {
        "period": {
            "start": p.start.astimezone(zone).isoformat(), "end": p.end.astimezone(zone).isoformat(),
            "first_day": p.first_day.isoformat(), "last_day": p.last_day.isoformat(),
            "timezone": tz, "window_minutes": int(p.window.total_seconds() // 60),
            # only when the days were judged in more than one zone (travel): each zone from its first day
            **({"zones": [{"from": d.isoformat(), "timezone": z} for d, z in p.zones()]} if p.zones() else {}),
            # only when the period asked for began before the diary (report.clamp)
            **({"asked_first_day": p.asked_first_day.isoformat()} if p.asked_first_day else {}),
        },
        "generated_at": report.generated_at.astimezone(zone).isoformat(timespec="seconds"),
        "medications": meds,
        "overall": {**_counts(o), "as_needed_uses": o.as_needed_uses, "over_limit": o.over_limit},
        "dose_changes": [{
            "date": c.day.isoformat(), "medication": c.medication, "kind": c.kind,
            "direction": change_kind(c),
            "from": regimen_text(c.before) if c.before else None, "to": regimen_text(c.after), "reason": c.reason,
        } for c in report.changes],
        "supply": supply_list(report, zone),
        **health_dict(report.health, zone),
        "measurements": [measurement_dict(m, zone) for m in report.measurements],
        "summary": summary_dict(report, zone),
    }


def summary_dict(report: Report, zone) -> dict:
    """The first page (README.md, "The first page"): alerts, planned steps, doses other than prescribed, and the
    days with an extra dose and nothing scheduled."""
    s = report.summary
    return {
        "alerts": [{"kind": a.kind, "medication": a.medication, "text": a.text, "days": [d.isoformat() for d in a.days]}
                   for a in s.alerts],
        "current": [k.name for k in s.current],
        "stopped": [{"name": k.name, "started": k.started.isoformat() if k.started else None,
                     "stopped_on": k.stopped_on.isoformat() if k.stopped_on else None} for k in s.stopped],
        "planned": [{"medication": p.medication, "date": p.day.isoformat(), "step": p.label,
                     "regimen": regimen_text(p.regimen)} for p in s.planned],
        "different_doses": [{"medication": d.medication, "at": _at(d.at, zone), "taken": dose_text_of(d.taken),
                             "prescribed": dose_text_of(d.prescribed)} for d in s.different],
        "extra_dose_days": {name: [d.isoformat() for d in days] for name, days in s.extra_days.items()},
        "as_needed_most_in_24h": {k.name: {"amount": k.max_24h, "unit": k.unit, "uses": k.max_24h_uses}
                                  for k in s.current + s.stopped if k.as_needed},
    }


def dose_text_of(dose) -> str:
    from meddiary.doses import format_dose

    return format_dose(*dose)


def measurement_dict(m, zone) -> dict:
    """A measurement (README.md, "Measurements"): the values as entered; since_last_dose_minutes for drug levels."""
    return {
        "at": _at(m.at, zone), "date": m.day.isoformat(), "test": m.test, "title": m.title, "value": m.value,
        "diastolic": m.diastolic, "unit": m.unit, "range_low": m.range_low, "range_high": m.range_high,
        "medication": m.medication, "last_dose_at": _at(m.last_dose_at, zone) if m.last_dose_at else None,
        "since_last_dose_minutes": int(m.since_last_dose.total_seconds() // 60) if m.since_last_dose else None,
        "note": m.note,
    }


def supply_list(report: Report, zone) -> list[dict]:
    """The supply section (documented in README.md, "The report's supply section"): supply.section_json's items."""
    from meddiary import supply

    return supply.section_json(report.supply, zone)


def _at(at, zone) -> str:
    return at.astimezone(zone).isoformat(timespec="seconds")


def _summary(s) -> dict:
    from meddiary.wellbeing import RATINGS

    return {"first_day": s.first.isoformat(), "last_day": s.last.isoformat(), "days_with_data": s.days,
            "mood_mean": s.score, "mood_days": s.score_days, "sleep_mean": s.sleep, "sleep_days": s.sleep_days,
            "highest": {k: s.ratings[k] for k in RATINGS}}


def _window(w, names: dict) -> dict:
    return {**_summary(w.mood), "days_so_far": w.days_so_far,
            "side_effects": [{"symptom": x.symptom, "medication": names.get(x.medication_id),
                              "worst_severity": x.worst, "new": x.new} for x in w.side_effects]}


def health_dict(h, zone) -> dict:
    """The health parts of the report (documented in README.md, "Health entries and their report sections")."""
    from meddiary import views
    from meddiary.wellbeing import RATINGS

    names = h.medication_names
    return {
        "item9": [{"at": _at(c.at, zone), "answer": c.item9, "total": c.total, "severity": c.severity}
                  for c in h.item9],
        "mood": {
            "days": [{"date": d.day.isoformat(), "score": d.score, **{k: d.ratings[k] for k in RATINGS},
                      "sleep_hours": d.sleep, "entries": d.entries} for d in h.days],
            "weeks": [_summary(w) for w in h.weeks],
        },
        "questionnaires": [{"at": _at(c.at, zone), "instrument": c.instrument, "answers": c.answers,
                            "total": c.total, "severity": c.severity, "item9": c.item9,
                            "change_since_first": c.change} for c in h.checks],
        "side_effects": [views.episode_json(ep, names, zone) for ep in h.episodes],
        "around_changes": [{
            "date": a.day.isoformat(), "medication": a.medication, "kind": a.kind,
            "from": regimen_text(a.before_regimen) if a.before_regimen else None,
            "to": regimen_text(a.after_regimen), "reason": a.reason,
            "before": _window(a.before, names), "after": _window(a.after, names),
            "other_changes": [{"date": d.isoformat(), "medication": m, "kind": k} for d, m, k in a.others],
        } for a in h.around],
        "open_questions": [views.question_json(q, zone) for q in h.open_questions],
    }


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def render(report: Report) -> str:
    # Indented for a person at a terminal; compact otherwise (files, pipes): json's indenting encoder is the
    # pure-Python one, about three times slower — most of a ten-year report's time.
    # The model is a tree, so the encoder's check for circular references (a dict look-up per list and dict,
    # tens of thousands of them) is left out.
    indent = 2 if sys.stdout.isatty() else None
    return json.dumps(to_dict(report), indent=indent, ensure_ascii=False, check_circular=False)
