"""The report as one JSON object (documented in the README)."""

import json

from meddiary.render.common import dose_text, regimen_text
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
    zone = _zone(tz)
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
            "days": [{"date": d.day.isoformat(), "state": d.state} for d in s.days],
        })
    o = report.overall
    return {
        "period": {
            "start": p.start.astimezone(zone).isoformat(), "end": p.end.astimezone(zone).isoformat(),
            "first_day": p.first_day.isoformat(), "last_day": p.last_day.isoformat(),
            "timezone": tz, "window_minutes": int(p.window.total_seconds() // 60),
        },
        "generated_at": report.generated_at.astimezone(zone).isoformat(timespec="seconds"),
        "medications": meds,
        "overall": {**_counts(o), "as_needed_uses": o.as_needed_uses, "over_limit": o.over_limit},
        "dose_changes": [{
            "date": c.day.isoformat(), "medication": c.medication, "kind": c.kind,
            "from": regimen_text(c.before) if c.before else None, "to": regimen_text(c.after), "reason": c.reason,
        } for c in report.changes],
    }


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False)
