"""Reading the diary into what several use cases need (the report, `due`, `supply`): through the store's
queries only, never years of rows."""


def load_supplies(store, meds, now, tz) -> tuple[dict, dict]:
    """supply.status per medication id (those with a refill or count recorded) and the latest refill entry
    per medication id, read through the store (the latest count and the refills since it, grouped take
    counts: never years of rows)."""
    from datetime import timedelta

    from meddiary import supply

    records: dict[int, tuple[list, list]] = {}
    # the latest count and the refills since (none dated later than now: a clock set ahead, an import — not on
    # hand yet; `check` lists them)
    for e in store.supply_entries(now):
        counts, refills = records.setdefault(e.medication_id, ([], []))
        (counts if e.kind == "count" else refills).append(e)
    statuses, latest = {}, {}
    today = now.astimezone(tz).date()
    for med in meds:
        if med.id not in records:
            continue
        counts, refills = records[med.id]
        since, _ = supply.anchor(counts, refills)
        # as needed: the last 30 days' use; a long-acting injection: its takes over the last interval and window
        # (the last one given decides the next due date)
        injection = any(r.schedule == "injection" for r in med.regimens)
        recent = store.take_totals(med.id, now - timedelta(days=supply.AS_NEEDED_DAYS if med.as_needed else 400)) \
            if med.as_needed or injection else None
        statuses[med.id] = supply.status(med, counts, refills, store.take_totals(med.id, since), today, tz, recent)
        if refills:
            latest[med.id] = max(refills, key=lambda e: (e.at, e.id))
    return statuses, latest


def load_refills(store, meds, supplies: dict, period, tz) -> dict:
    """The refills the report's supply section needs per medication id (supply.report_section), for `period`
    (report.Period): those of its medications with supply recorded (`supplies`) from two days before it on —
    an as-needed medication's only count — and for the others, before them, the latest refill when the ones
    before cannot change the section (supply.earlier_refills_count), else the refills of the years before as
    one (supply.carried: their supply carried into the period), or all of them when they cannot be summed up
    so."""
    from datetime import timedelta

    from meddiary import supply

    since = period.start - timedelta(days=2)  # local days before the period's first, in any zone its days are judged in
    out = {}
    for med in meds:
        if med.id not in supplies:
            continue
        mine = store.entries_of(("refill",), start=since, medication_ids=[med.id])
        if med.as_needed:
            pass
        elif not supply.earlier_refills_count(med, mine, period.first_day, period.last_day, tz):
            latest = store.latest_of("refill", since, med.id)
            mine = [latest, *mine] if latest else mine
        else:
            earlier = store.refill_amounts(med.id, since)
            if earlier:
                carried = supply.carried(med, earlier, tz)
                mine = [carried, *mine] if carried else store.entries_of(("refill",), medication_ids=[med.id])
        out[med.id] = mine
    return out
