"""Plain-text lines and JSON objects for the listing commands (no Rich: these run on the hot path)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from meddiary import regimens
from meddiary.adherence import is_different_dose
from meddiary.diary import ChecklistItem, hhmm, prescribed_text, when_phrase
from meddiary.doses import format_dose
from meddiary.model import Entry, Medication, Regimen, Slot
from meddiary.timeparse import weekday_names


def iso_local(at: datetime | None, tz: ZoneInfo) -> str | None:
    return at.astimezone(tz).isoformat(timespec="seconds") if at else None


def status(med: Medication, today: date) -> str:
    r = med.regimen_on(today)
    if r is None:
        return "planned"
    return "paused" if r.is_pause else "stopped" if r.is_stop else "active"


def paused_until(med: Medication, today: date) -> date | None:
    """The last day of the pause in force today (None: not paused, or paused until resumed)."""
    r = med.regimen_on(today)
    if r is None or not r.is_pause:
        return None
    later = [x for x in med.regimens if x.start_date > r.start_date]
    return later[0].start_date - timedelta(days=1) if later else None


def current(med: Medication, today: date) -> Regimen | None:
    """The regimen in force today, or (planned/stopped) the nearest dosing one."""
    if med.regimen_on(today) is None:  # planned: the first it will be taken as
        return next((x for x in med.regimens if not x.is_stop), None)
    return med.dosing_on(today) if med.active_on(today) else med.dosing_on()


def stopped_on(med: Medication) -> date | None:
    return med.regimens[-1].start_date if med.regimens and med.regimens[-1].kind == "stop" else None


def regimen_json(r: Regimen, end: date | None = None) -> dict:
    return {
        "start_date": r.start_date.isoformat(),
        "end_date": end.isoformat() if end else None,
        "kind": r.kind,
        "dose": format_dose(r.dose_amount, r.dose_unit) if not r.is_stop else None,
        "dose_amount": r.dose_amount,
        "dose_unit": r.dose_unit,
        "schedule": None if r.is_stop else r.schedule,
        "times": [t.strftime("%H:%M") for t in r.times],
        "doses": [{"time": t.strftime("%H:%M"), "dose": format_dose(a, r.dose_unit), "dose_amount": a}
                  for t, a in zip(r.times, r.amounts)] if not r.is_stop else [],
        "daily_dose": format_dose(r.daily_amount, r.dose_unit) if r.times and not r.is_stop else None,
        "days": weekday_names(r.weekdays) if r.weekdays else None,
        "every_days": r.every_days,
        "every_months": r.every_months,
        "cycle": {"days_on": r.cycle_on, "days_off": r.cycle_off} if r.cycle_on else None,
        "counts_from": r.cycle_anchor.isoformat() if r.schedule in ("every", "monthly", "cycle", "injection") and not r.is_stop else None,
        "window_days": r.window_days,
        "as_needed_dose": format_dose(r.prn_amount, r.dose_unit) if r.prn_amount is not None else None,
        "max_amount_per_24h": format_dose(r.max_amount, r.dose_unit) if r.max_amount else None,
        "max_per_day": r.max_per_day,
        "min_interval_minutes": int(r.min_interval.total_seconds() // 60) if r.min_interval else None,
        "reason": r.reason,
        "units_per_dose": r.units_per_dose,
        "strength": format_dose(r.strength_amount, r.strength_unit) if r.strength_amount else None,
    }


def history(med: Medication) -> list[tuple[Regimen, date | None]]:
    from datetime import timedelta

    out = []
    for i, r in enumerate(med.regimens):
        nxt = med.regimens[i + 1].start_date if i + 1 < len(med.regimens) else None
        out.append((r, nxt - timedelta(days=1) if nxt and not r.is_stop else None))
    return out


def medication_json(med: Medication, today: date, with_history: bool = False,
                    superseded: list[tuple[Regimen, datetime]] | None = None, tz: ZoneInfo | None = None) -> dict:
    r = current(med, today)
    obj = {
        "name": med.name,
        "aliases": med.aliases,
        "for": med.purpose,
        "note": med.note,
        "as_needed": med.as_needed,
        "status": status(med, today),
        "since": med.start_date.isoformat() if med.start_date else None,
        "stopped_on": stopped_on(med).isoformat() if stopped_on(med) else None,
        "paused_until": paused_until(med, today).isoformat() if paused_until(med, today) else None,
        "regimen": regimen_json(r) if r else None,
    }
    if with_history:
        obj["history"] = [regimen_json(x, end) for x, end in history(med)]
        obj["superseded"] = [{**regimen_json(x), "superseded_at": iso_local(at, tz) if tz else at.isoformat(timespec="seconds")}
                             for x, at in (superseded or [])]
    return obj


def medication_lines(meds: list[Medication], today: date) -> list[str]:
    rows = []
    for med in meds:
        r = current(med, today)
        st = status(med, today)
        label = "" if st == "active" else f"  [{_status_text(med, st, today)}]"
        also = f" ({', '.join(med.aliases)})" if med.aliases else ""
        purpose = f"  for {med.purpose}" if med.purpose else ""
        rows.append((f"{med.name}{also}", (regimens.describe(r) if r else "—") + purpose + label))
    width = max(len(a) for a, _ in rows)
    return [f"{a:<{width}}  {b}" for a, b in rows]


def _status_text(med: Medication, st: str, today: date) -> str:
    if st == "stopped":
        return f"stopped {stopped_on(med)}"
    if st == "paused":
        until = paused_until(med, today)
        return f"paused until {until}" if until else "paused until resumed"
    return st


def show_lines(med: Medication, today: date, superseded: list[tuple[Regimen, datetime]]) -> list[str]:
    r = current(med, today)
    lines = [f"{med.name}" + (f" ({', '.join(med.aliases)})" if med.aliases else "")]
    if med.purpose:
        lines.append(f"  for:      {med.purpose}")
    lines.append(f"  status:   {_status_text(med, status(med, today), today)}")
    if r:
        lines.append(f"  regimen:  {regimens.describe(r)} (since {r.start_date})")
    if med.note:
        lines.append(f"  note:     {med.note}")
    lines.append("  history:")
    for x, end in history(med):
        span = f"{x.start_date} – {end}" if end else f"{x.start_date} –"
        why = f"  ({x.reason})" if x.reason else ""
        lines.append(f"    {span:<25} {x.kind:<9} {regimens.describe(x)}{why}")
    if superseded:
        lines.append("  superseded plans (kept):")
        for x, at in superseded:
            lines.append(f"    from {x.start_date}  {x.kind:<9} {regimens.describe(x)}  (superseded {at.date()})")
    return lines


def entry_json(e: Entry, names: dict[int, str], tz: ZoneInfo, retracted: datetime | None = None,
               why: str | None = None, slot: Slot | None = None) -> dict:
    """One entry of `log --json`; `data` holds the kind's own fields (model.ENTRY_KINDS; null for take and
    skip, whose fields are the columns above). `why`: the retraction's reason; `slot`: the scheduled dose
    a take fills (its dose is `prescribed`)."""
    return {
        "id": e.id,
        "kind": e.kind,
        "medication": names.get(e.medication_id),
        "at": iso_local(e.at, ZoneInfo(e.tz) if e.tz else tz),
        "timezone": e.tz,
        "dose": format_dose(e.dose_amount, e.dose_unit) if e.dose_amount is not None else None,
        "dose_amount": e.dose_amount,
        "dose_unit": e.dose_unit,
        "prescribed": format_dose(slot.dose_amount, slot.dose_unit) if e.kind == "take" and slot else None,
        "different_dose": e.kind == "take" and is_different_dose(e.dose_amount, e.dose_unit, slot),
        "reason": e.reason,
        "note": e.note,
        "forced": e.forced,
        "retracted": retracted is not None,
        "retracted_at": iso_local(retracted, tz),
        "retraction_reason": why if retracted is not None and why not in PLAIN_RETRACTIONS else None,
        "data": e.data,
    }


# what `undo` and `retract ID` without --reason record as a retraction's reason: not shown as a reason
PLAIN_RETRACTIONS = ("undo", "retract")


def entry_line(e: Entry, names: dict[int, str], tz: ZoneInfo, retracted: datetime | None = None,
               questions: dict[str, tuple[int, str]] | None = None, why: str | None = None,
               slot: Slot | None = None) -> str:
    """One line of `log` (and of what `undo` and `retract` retracted). `questions`: question uid -> (id,
    text), to name the question an answer closes; `why`: the retraction's reason; `slot`: the scheduled
    dose a take fills (a dose other than its one is shown: '; prescribed 50 mg')."""
    when = e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    mark = ""
    if retracted:
        reason = f": {why}" if why and why not in PLAIN_RETRACTIONS else ""
        mark = f"  (retracted {retracted.astimezone(tz).strftime('%Y-%m-%d %H:%M')}{reason})"
    note = f" — note: {e.note}" if e.note else ""
    if e.kind not in ("take", "skip"):
        return f"#{e.id:<5} {when}  {entry_text(e, names, questions)}{note}{mark}"
    what = f"{names.get(e.medication_id, '?')} {format_dose(e.dose_amount, e.dose_unit) if e.dose_amount is not None else ''}".rstrip()
    if e.kind == "take" and (prescribed := prescribed_text(e.dose_amount, e.dose_unit, slot)):
        what += f"; {prescribed}"
    extra = f" — {e.reason}" if e.reason else ""
    extra += " [confirmed over the guard]" if e.forced else ""
    return f"#{e.id:<5} {when}  {e.kind:<4}  {what}{extra}{note}{mark}"


def hours_text(hours: float) -> str:
    from meddiary.doses import format_amount

    return f"{format_amount(hours)} h"


def mood_text(data: dict) -> str:
    """'mood 6/10, depressed 1, anxiety 2, sleep 7.5 h' (only the values given)."""
    parts = []
    if data.get("score") is not None:
        parts.append(f"{data['score']}/10")
    for name in ("depressed", "elevated", "anxiety", "irritability"):
        if data.get(name) is not None:
            parts.append(f"{name} {data[name]}")
    if data.get("sleep_hours") is not None:
        parts.append(f"sleep {hours_text(data['sleep_hours'])}")
    return "mood " + ", ".join(parts)


def entry_text(e: Entry, names: dict[int, str], questions: dict[str, tuple[int, str]] | None = None) -> str:
    """What a non-dose entry says, led by its kind: 'refill sertraline 30 units (2 repeats left)'."""
    from meddiary.doses import format_amount

    d = e.data or {}
    med = names.get(e.medication_id)
    if e.kind == "mood":
        return mood_text(d)
    if e.kind == "side_effect":
        symptom = d.get("symptom") or "?"
        if d.get("resolved"):
            return f"side effect {symptom} resolved"
        what = ", ".join(x for x in (d.get("severity"), med) if x)
        return f"side effect {symptom}" + (f" ({what})" if what else "")
    if e.kind == "check":
        from meddiary import scales

        inst = scales.INSTRUMENTS.get(d.get("instrument"))
        title = inst.title if inst else str(d.get("instrument"))
        flag = f"; item 9: {d['item9']}" if d.get("item9") else ""
        return f"check {title} total {d.get('total')}: {d.get('severity')}{flag}"
    if e.kind == "question":
        return f"question {d.get('text', '')}"
    if e.kind == "answer":
        q = (questions or {}).get(d.get("question"))
        which = f"#{q[0]} {q[1]}" if q else "a question"
        return f"done {which}" + (f" — answer: {d['answer']}" if d.get("answer") else "")
    if e.kind == "visit":
        return "visit"
    if e.kind == "refill":
        qty = d.get("qty")
        units = f"{format_amount(qty)} unit{'' if qty == 1 else 's'}" if qty is not None else "? units"
        left, days = d.get("repeats_left"), d.get("days_supply")
        said = [f"{left} repeat{'' if left == 1 else 's'} left"] if left is not None else []
        said += [f"{days} day's supply" if days == 1 else f"{days} days' supply"] if days is not None else []
        repeats = f" ({', '.join(said)})" if said else ""
        return f"refill {med or '?'} {units}{repeats}"
    if e.kind == "count":
        count = d.get("count")
        return f"count {med or '?'} {format_amount(count) if count is not None else '?'} on hand"
    if e.kind == "measurement":
        from meddiary import measures

        return measures.entry_text(d, med)
    return e.kind


def episode_json(ep, names: dict[int, str], tz: ZoneInfo) -> dict:
    """A side-effect episode (wellbeing.Episode) as `side-effects --json` and the report print it."""
    r = ep.dose_at_onset
    return {
        "symptom": ep.symptom,
        "medication": names.get(ep.medication_id),
        "onset": iso_local(ep.onset, tz),
        "last_seen": iso_local(ep.last_seen, tz),
        "resolved_at": iso_local(ep.resolved_at, tz),
        "status": "ongoing" if ep.ongoing else "resolved",
        "worst_severity": ep.worst,
        "logs": len(ep.entry_ids) - (0 if ep.ongoing else 1),
        "dose_at_onset": format_dose(r.dose_amount, r.dose_unit) if r else None,
        "change_date": ep.change_day.isoformat() if ep.change_day else None,
        "change_kind": ep.change_kind,
        "days_after_change": ep.days_after_change,
        "notes": ep.notes,
    }


def since_change_text(ep) -> str:
    """'5 days after the dose change (2026-11-01)'; '—' without a medication."""
    if ep.days_after_change is None:
        return "—"
    what = {"start": "the start", "stop": "the stop"}.get(ep.change_kind, "the dose change")
    n = ep.days_after_change
    when = "on the day of" if n == 0 else f"{n} day{'' if n == 1 else 's'} after"
    return f"{when} {what} ({ep.change_day.isoformat()})"


def episode_lines(eps: list, names: dict[int, str], tz: ZoneInfo) -> list[str]:
    lines = []
    for ep in eps:
        med = names.get(ep.medication_id)
        head = ep.symptom + (f" ({med})" if med else "")
        status = "ongoing" if ep.ongoing else f"resolved {ep.resolved_at.astimezone(tz).strftime('%Y-%m-%d')}"
        lines.append(f"{head}: {status}, worst {ep.worst or 'not rated'}")
        lines.append(f"  onset {ep.onset.astimezone(tz).strftime('%Y-%m-%d %H:%M')}, "
                     f"last seen {ep.last_seen.astimezone(tz).strftime('%Y-%m-%d %H:%M')}")
        if med:
            dose = format_dose(ep.dose_at_onset.dose_amount, ep.dose_at_onset.dose_unit) if ep.dose_at_onset else "not taking it"
            lines.append(f"  {med} at onset: {dose}; began {since_change_text(ep)}")
    return lines


def question_json(q, tz: ZoneInfo) -> dict:
    return {"id": q.id, "asked_at": iso_local(q.at, tz), "text": q.text, "done_at": iso_local(q.done_at, tz),
            "answer": q.answer}


def question_line(q, tz: ZoneInfo) -> str:
    return f"#{q.id:<5} {q.at.astimezone(tz).strftime('%Y-%m-%d')}  {q.text}"


_STATE_TEXT = {"late": "taken late", "upcoming": "upcoming", "due": "due now", "overdue": "overdue", "missed": "missed"}


def shown_zone(now: datetime, tz) -> str:
    """The zone `now` is shown in: the zone of the day it falls in (travel), else the one."""
    return getattr(now.astimezone(tz).tzinfo, "key", None) or tz.key


def zone_label(now: datetime, tz) -> str:
    """'times in Europe/Berlin'; with travel, when today began in another zone than the one now is shown in,
    both: 'now in America/New_York; today's dose times in Europe/Berlin, where the day began'."""
    shown = shown_zone(now, tz)
    of = getattr(tz, "of", None)
    day_zone = of(now.astimezone(tz).date()).key if of is not None else shown
    if day_zone == shown:
        return f"times in {shown}"
    return f"now in {shown}; today's dose times in {day_zone}, where the day began"


def checklist_lines(items: list[ChecklistItem], meds: list[Medication], now: datetime, tz: ZoneInfo) -> list[str]:
    local = now.astimezone(tz)
    lines = [f"Today, {local.strftime('%a %d %b %Y')}, {local.strftime('%H:%M')} ({zone_label(now, tz)})"]
    if not items:
        lines.append("  nothing scheduled today" if meds else
                     "  no medications yet: add one with 'meddiary add NAME --dose 50mg --at 08:00'")
        return lines
    rows = []
    for it in items:
        med = it.medication
        if it.slot is None:
            r = med.regimen_on(local.date())
            limit = f" of {r.max_per_day}" if r and r.max_per_day else ""
            if r and r.max_amount:
                taken = sum(e for e in it.amounts_24h or [])
                limit += f", {format_dose(taken, r.dose_unit)} of {format_dose(r.max_amount, r.dose_unit)}"
            used = f"{len(it.uses_24h)}{limit} in the last 24 h"
            if it.uses_24h:
                used += f" (at {', '.join(hhmm(t, tz) for t in it.uses_24h)})"
            nxt = f"; next allowed {when_phrase(it.next_allowed, now, tz)}" if it.next_allowed else ""
            prn = (r.dose_amount if med.as_needed else r.prn_amount) if r else None
            rows.append(("", f"{med.name} {format_dose(prn, r.dose_unit) if r else ''}", f"as needed: {used}{nxt}"))
            continue
        if it.state in ("taken", "late"):
            state = f"{_STATE_TEXT.get(it.state, 'taken')} at {hhmm(it.entry.at, tz)}"
            if it.slot.window is not None:
                from meddiary.diary import injection_timing

                state = f"given {when_phrase(it.entry.at, now, tz)}{injection_timing(it.entry.at, it.slot, tz)}"
            if is_different_dose(it.entry.dose_amount, it.entry.dose_unit, it.slot):
                state += f", {format_dose(it.entry.dose_amount, it.entry.dose_unit)} (a different dose)"
        elif it.state == "skipped":
            state = f"skipped ({it.entry.reason})"
        elif it.slot.window is not None and it.slot.day != local.date():
            state = f"due {it.slot.day}, window until {it.slot.day + timedelta(days=it.slot.window.days)}"
        else:
            state = _STATE_TEXT[it.state]
        rows.append((it.slot.at.astimezone(tz).strftime("%H:%M"), f"{med.name} {format_dose(it.slot.dose_amount, it.slot.dose_unit)}", state))
    width = max(len(b) for _, b, _ in rows)
    lines += [f"  {a:<5}  {b:<{width}}  {c}" for a, b, c in rows]
    return lines


def checklist_json(items: list[ChecklistItem], now: datetime, tz: ZoneInfo, tz_name: str) -> dict:
    slots, as_needed = [], []
    for it in items:
        med = it.medication
        if it.slot is None:
            r = med.regimen_on(now.astimezone(tz).date())
            as_needed.append({
                "medication": med.name,
                "dose": format_dose(r.dose_amount, r.dose_unit) if r else None,
                "max_per_day": r.max_per_day if r else None,
                "min_interval_minutes": int(r.min_interval.total_seconds() // 60) if r and r.min_interval else None,
                "uses_24h": [iso_local(t, tz) for t in it.uses_24h or []],
                "next_allowed": iso_local(it.next_allowed, tz),
            })
            continue
        slots.append({
            "medication": med.name,
            "time": it.slot.clock.strftime("%H:%M"),
            "at": iso_local(it.slot.at, tz),
            "dose": format_dose(it.slot.dose_amount, it.slot.dose_unit),
            "dose_amount": it.slot.dose_amount,
            "dose_unit": it.slot.dose_unit,
            "state": it.state,
            "entry_id": it.entry.id if it.entry else None,
            "entry_at": iso_local(it.entry.at, tz) if it.entry else None,
            "reason": it.entry.reason if it.entry and it.entry.kind == "skip" else None,
        })
    return {"date": now.astimezone(tz).date().isoformat(), "now": iso_local(now, tz), "timezone": shown_zone(now, tz),
            "slots": slots, "as_needed": as_needed}

