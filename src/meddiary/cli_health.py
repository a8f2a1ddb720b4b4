"""Commands: how the medicines work — mood and sleep, side effects, PHQ-9 and GAD-7, questions for the
prescriber, visits (registered on meddiary.cli.app). Thin: parse, call the pure modules, print."""

import sys
from typing import Annotated, Optional

import typer

from meddiary import cli_app as cli, grammar
from meddiary.cli_app import _text, app, emit_json, env, hot_command, out
from meddiary.errors import TEXT_MAX, Refused, UsageError, check_text

from meddiary.settings import CRISIS_LINE_SETTING


def _when(e, at: Optional[str]):
    from meddiary import timeparse

    return timeparse.parse_when(at, e.now, e.here) if at is not None else e.now


def _entry_id(text: str) -> int:
    t = text.strip().lstrip("#")
    if not t.isascii() or not t.isdigit() or len(t) > 12:
        raise UsageError(f"bad question id {text!r}: use the number shown by 'meddiary ask --list', e.g. 12 or #12")
    return int(t)


# -- mood and sleep -------------------------------------------------------------------------------------

hot_command(grammar.MOOD)


def _phrase(when, e) -> str:
    from meddiary.diary import when_phrase

    return when_phrase(when, e.now, e.tz)


# -- side effects ---------------------------------------------------------------------------------------

@app.command("side-effect")
def side_effect_cmd(
    ctx: typer.Context,
    symptom: Annotated[str, typer.Argument(help="What you notice, e.g. nausea, 'trouble sleeping'.")],
    med: Annotated[Optional[str], typer.Option("--med", help="The medication you connect it with (name or alias).")] = None,
    severity: Annotated[Optional[str], typer.Option("--severity", help="mild, moderate or severe.")] = None,
    resolved: Annotated[bool, typer.Option("--resolved", help="It has gone: end the ongoing episode.")] = False,
    note: Annotated[Optional[str], typer.Option("--note", help="A note kept with the entry.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When: 08:10, 'yesterday 21:00', '2h ago' (default now).")] = None,
):
    """Record a side effect; the same symptom again continues its episode; --resolved ends it."""
    from meddiary import diary, wellbeing

    e = env(ctx)
    name = wellbeing.symptom_text(symptom)
    sev = wellbeing.severity_value(severity, resolved)
    when = _when(e, at)
    store = e.store()
    meds = store.medications()
    medication = diary.find(meds, med) if med is not None else None
    names = {m.id: m.name for m in meds}
    with store.transaction():
        med_id, ongoing = wellbeing.plan_log(store.entries_of(("side_effect",)), meds, name, sev, resolved, when,
                                             medication.id if medication else None, e.now, e.tz)
        (entry_id,) = store.add_entries([{
            "kind": "side_effect", "at": when, "tz": e.tz_name, "medication_id": med_id,
            "note": _text(note), "data": {"symptom": name, "severity": sev, "resolved": resolved}}], e.now)
        if not resolved:
            episode = wellbeing.episode_of(wellbeing.episodes(store.entries_of(("side_effect",)), meds, e.tz), entry_id)
    if resolved:
        out(f"#{entry_id} {ongoing.symptom} resolved {_phrase(when, e)} (since {_day(ongoing.onset, e)})")
        return
    what = ", ".join(x for x in (sev, names.get(med_id)) if x)
    status = wellbeing.status_text(episode, e.tz)
    if episode.entry_ids == [entry_id]:
        said = "new"
    elif episode.entry_ids[0] == entry_id:
        said = f"now the onset of the episode last seen {_day(episode.last_seen, e)}, {status}"
    elif episode.ongoing:
        said = f"continues since {_day(episode.onset, e)}"
    else:
        said = f"continues the episode of {_day(episode.onset, e)} ({status})"
    out(f"#{entry_id} side effect {name}" + (f" ({what})" if what else "") + f" {_phrase(when, e)} — {said}")


def _day(at, e) -> str:
    return at.astimezone(e.tz).date().isoformat()


@app.command("side-effects")
def side_effects_cmd(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
):
    """List side-effect episodes: onset, last seen, worst severity, ongoing or resolved, and the dose then."""
    from meddiary import views, wellbeing

    e = env(ctx)
    store = e.store()
    meds = store.medications()
    eps = wellbeing.episodes(store.entries_of(("side_effect",)), meds, e.tz)
    names = {m.id: m.name for m in meds}
    if json_out:
        emit_json({"side_effects": [views.episode_json(ep, names, e.tz) for ep in eps]})
        return
    if not eps:
        out("no side effects recorded: meddiary side-effect SYMPTOM [--med NAME] [--severity mild|moderate|severe]")
        return
    for line in views.episode_lines(eps, names, e.tz):
        out(line)


# -- questionnaires and the diary check --------------------------------------------------------------------

@app.command("questionnaire")
def questionnaire_cmd(
    ctx: typer.Context,
    instrument: Annotated[Optional[str], typer.Argument(help="phq9 (depression) or gad7 (anxiety).", metavar="phq9|gad7")] = None,
    answers: Annotated[Optional[str], typer.Option("--answers", help="All answers at once, each 0-3: 0,1,2,… (9 for phq9, 7 for gad7).", metavar="N,N,…")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When it was filled in (default now).", metavar="WHEN")] = None,
    crisis_line: Annotated[Optional[str], typer.Option("--crisis-line", help="The crisis line to show, kept for next time, e.g. 'Samaritans 116 123' (default: the national line of the home zone's country, if known).", metavar="TEXT")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the stored result as JSON.")] = False,
):
    """Fill in the PHQ-9 (depression) or GAD-7 (anxiety) questionnaire, asked item by item or given with
    --answers; --crisis-line alone sets the crisis line shown with item 9."""
    e = env(ctx)
    line = _crisis_line(crisis_line)
    if instrument is None:
        if answers is not None or at is not None:
            raise UsageError("--answers and --at need a questionnaire: meddiary questionnaire phq9 (or gad7)")
        if line is None:
            raise UsageError("name the questionnaire: meddiary questionnaire phq9 or meddiary questionnaire gad7")
        e.store().set_setting(CRISIS_LINE_SETTING, line, e.now, e.tz_name)
        out(f"crisis line set: {line}")
        return
    _questionnaire(e, instrument, answers, at, line, json_out)


def _crisis_line(crisis_line: Optional[str]) -> Optional[str]:
    if crisis_line is None:
        return None
    line = " ".join(crisis_line.split())
    if not line or len(line) > 200:
        raise UsageError("bad --crisis-line: give the number and its name, e.g. --crisis-line 'Samaritans 116 123'")
    return check_text(line, "--crisis-line")


@app.command("check")
def check_cmd(
    ctx: typer.Context,
    instrument: Annotated[Optional[str], typer.Argument(help="Old spelling of 'meddiary questionnaire phq9|gad7' (still works).", hidden=True)] = None,
    answers: Annotated[Optional[str], typer.Option("--answers", help="Old spelling: see 'meddiary questionnaire'.", hidden=True)] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="Old spelling: see 'meddiary questionnaire'.", hidden=True)] = None,
    crisis_line: Annotated[Optional[str], typer.Option("--crisis-line", help="Old spelling: see 'meddiary questionnaire'.", hidden=True)] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print {\"ok\": …, \"lines\": […]}.")] = False,
):
    """Check the diary file: SQLite's integrity check and meddiary's consistency checks, in plain words
    (exit 1 when something is wrong). The questionnaires are 'meddiary questionnaire phq9|gad7'."""
    e = env(ctx)
    if instrument is not None or answers is not None or at is not None or crisis_line is not None:
        # `check phq9` was the questionnaire's name until "check" came to mean one thing: the file check.
        # The note comes after the work, so bad input still gets its one line.
        questionnaire_cmd(ctx, instrument, answers, at, crisis_line, json_out)
        _say("note: 'meddiary check phq9|gad7' is now 'meddiary questionnaire phq9|gad7' "
             "('check' alone checks the diary file); the old spelling still works")
        return
    from meddiary.usecases import run

    code = run("check", e, {"json_out": json_out})
    if code:
        raise typer.Exit(code)


def _questionnaire(e, name: str, answers: Optional[str], at: Optional[str], line: Optional[str], json_out: bool) -> None:
    from meddiary import scales, wellbeing

    inst = scales.instrument(name)
    if answers is not None:
        given = scales.parse_answers(inst, answers)
    elif e.interactive:
        given = None
    else:
        example = ",".join(["0"] * len(inst.items))
        raise UsageError(f"no terminal to ask the {inst.title} items on: give every answer with "
                         f"--answers 0,1,2,... ({len(inst.items)} answers, each 0-3, e.g. --answers {example})")
    if given is None:
        _when(e, at)  # a bad --at or a diary that cannot be opened is refused before the questions
        e.store()
        given = _ask(e, inst)
    result = scales.score(inst, given)
    # Item 9 first, as soon as the answers are scored: before --at is read and before the write, so a bad
    # --at, a busy or read-only diary never hides it. In --json mode on stderr, so stdout stays JSON.
    say = _say if json_out else out
    if scales.item9_flagged(result):
        for text in scales.item9_message(result["item9"], line if line is not None else _saved_crisis_line(e)):
            say(text)
        say("")
        sys.stdout.flush()
    when = _when(e, at)
    store = e.store()
    with store.transaction():
        if line is not None:
            store.set_setting(CRISIS_LINE_SETTING, line, e.now, e.tz_name)
        nearest = wellbeing.nearest_same(store.entries_of(("check",)), inst.key, when, e.tz)
        (entry_id,) = store.add_entries([{"kind": "check", "at": when, "tz": e.tz_name, "data": result}], e.now)
    if json_out:
        emit_json(result)
    else:
        flag = f"; item 9: {result['item9']}" if result["item9"] else ""
        out(f"#{entry_id} {inst.title} total {result['total']} of {inst.max_total}: {result['severity']}{flag}")
        out(f"  ({inst.title} bands: {scales.band_text(inst)})")
        if answers is not None:  # asked item by item, the statement came with the questions
            out(f"  ({scales.STATEMENT})")
    if nearest is not None and abs(nearest) < scales.REPEAT_DAYS:
        days = f"{abs(nearest)} day{'s' if abs(nearest) != 1 else ''}"
        if nearest == 0:
            said = f"another {inst.title} is recorded the same day"
        elif nearest > 0:
            said = f"the last {inst.title} was {days} before"
        else:
            said = f"another {inst.title} is recorded {days} after this one"
        say(f"note: {said}; each one covers the last 2 weeks, so every {scales.REPEAT_DAYS} days is often "
            "enough (this one is recorded)")


def _saved_crisis_line(e) -> Optional[str]:
    """The crisis line for the item-9 message: the one kept in the diary, else the national line of the home
    zone's country (meddiary.crisis), else None (general words). When there is no diary yet or it cannot be read
    now (busy, damaged, locked with a passphrase) the machine's zone decides: the message never waits on it."""
    from meddiary import crisis

    try:
        if not e.path().exists():
            return crisis.line_for(None, e.machine_tz_name)
        return crisis.line_for(e.store().setting(CRISIS_LINE_SETTING), e.tz_name)
    except Exception:  # noqa: BLE001 - whatever the diary's trouble, the message is shown with the zone's line
        try:
            return crisis.line_for(None, e.machine_tz_name)
        except Exception:  # noqa: BLE001
            return None


def _say(text: str = "") -> None:
    """A line on stderr; at a terminal, wrapped at word boundaries to its width."""
    if sys.stderr.isatty():
        from meddiary import screen

        text = screen.fit(text, screen.columns(sys.stderr))
    sys.stderr.write(text + "\n")


def _ask(e, inst) -> list[int]:
    """The items one by one on the terminal (stderr for the questions, so stdout keeps only the result)."""
    from meddiary import scales

    say = _say

    say(f"{inst.title}. {inst.stem}")
    say("  " + "   ".join(f"{v} = {words}" for v, words in scales.OPTIONS))
    say(f"  ({scales.STATEMENT})")
    given = []
    for i, item in enumerate(inst.items, 1):
        say()
        say(f"{i}/{len(inst.items)}. {item}")
        while True:
            try:
                text = e.ask("  answer 0-3: ")
            except EOFError:
                raise Refused(f"{inst.title} not finished; nothing recorded") from None
            try:
                given.append(scales.parse_answer(text))
                break
            except UsageError:
                say("  please answer 0 (not at all), 1 (several days), 2 (more than half the days) or 3 (nearly every day)")
    say()
    return given


# -- questions for the prescriber and visits -------------------------------------------------------------

@app.command("ask")
def ask_cmd(
    ctx: typer.Context,
    text: Annotated[Optional[str], typer.Argument(help="The question, e.g. 'Is the insomnia from the sertraline?'")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the open questions.")] = False,
    done: Annotated[Optional[str], typer.Option("--done", help="Mark a question done, by its id (as --list shows it).", metavar="ID")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", help="With --done: the answer you were given.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="With --list: print JSON.")] = False,
):
    """Keep questions for the next appointment: add one, --list them, --done ID [--answer TEXT]."""
    from meddiary import views, wellbeing

    e = env(ctx)
    modes = sum([text is not None, list_, done is not None])
    if modes != 1:
        raise UsageError("give one of: a question (meddiary ask 'Is the insomnia from the sertraline?'), --list, "
                         "or --done ID [--answer TEXT]")
    if answer is not None and done is None:
        raise UsageError("--answer goes with --done ID: meddiary ask --done 12 --answer 'yes, likely'")
    if json_out and not list_:
        raise UsageError("--json goes with --list")
    if text is not None:
        q = " ".join(text.split())
        if not q:
            raise UsageError("the question is empty: meddiary ask 'Is the insomnia from the sertraline?'")
        q = check_text(q, "the question", TEXT_MAX)
        (entry_id,) = e.store().add_entries([{"kind": "question", "at": e.now, "tz": e.tz_name,
                                               "data": {"text": q}}], e.now)
        out(f"#{entry_id} question for the next appointment: {q}")
        return
    store = e.store()
    if list_:
        qs = [q for q in wellbeing.questions(store.entries_of(("question", "answer"))) if q.open]
        if json_out:
            emit_json({"questions": [views.question_json(q, e.tz) for q in qs]})
            return
        if not qs:
            out("no open questions: add one with meddiary ask 'Is the insomnia from the sertraline?'")
        for q in qs:
            out(views.question_line(q, e.tz))
        return
    wanted = _entry_id(done)
    reply = None
    if answer is not None:
        reply = " ".join(answer.split())
        if not reply:
            raise UsageError("the answer is empty: give --answer TEXT or leave it out")
        reply = check_text(reply, "--answer", TEXT_MAX)
    with store.transaction():
        qs = {q.id: q for q in wellbeing.questions(store.entries_of(("question", "answer")))}
        q = qs.get(wanted)
        if q is None:
            open_ = [f"#{x.id}" for x in qs.values() if x.open]
            listed = f"open questions: {', '.join(open_)}" if open_ else "there are no open questions"
            raise UsageError(f"no question #{wanted} ({listed}; see meddiary ask --list)")
        if not q.open:
            raise Refused(f"question #{wanted} was already done {_phrase(q.done_at, e)}; nothing recorded")
        (entry_id,) = store.add_entries([{"kind": "answer", "at": e.now, "tz": e.tz_name,
                                          "data": {"question": q.uid, "answer": reply}}], e.now)
    out(f"#{entry_id} done: #{q.id} {q.text}" + (f" — answer: {reply}" if reply else ""))


@app.command("visit")
def visit_cmd(
    ctx: typer.Context,
    at: Annotated[Optional[str], typer.Option("--at", help="The day of the appointment: YYYY-MM-DD, today, yesterday (default today).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note, e.g. 'Dr Okafor: sertraline up to 100 mg'.")] = None,
):
    """Record an appointment; `report --since last-visit` then covers the time since it."""
    from meddiary import timeparse

    e = env(ctx)
    if at is None:
        when, day = e.now, e.today
    else:
        day = timeparse.parse_date(at, e.today)
        if day > e.today:
            raise UsageError(f"--at {at} is in the future: record a visit on the day it happens (YYYY-MM-DD, today, yesterday)")
        # A past day: noon, so the visit stays on that local day whatever the zone's changes.
        from datetime import time

        when = timeparse.wall_to_utc(day, time(12, 0), e.tz) if day < e.today else e.now
    (entry_id,) = e.store().add_entries([{"kind": "visit", "at": when, "tz": e.tz_name, "note": _text(note)}], e.now)
    out(f"#{entry_id} visit on {day.isoformat()}" + (f" ({_text(note)})" if _text(note) else "")
        + " — meddiary report --since last-visit covers the time from this day on")


# -- measurements: lab values and vital signs ------------------------------------------------------------

@app.command("measure")
def measure_cmd(
    ctx: typer.Context,
    test: Annotated[str, typer.Argument(help="lithium, valproate, clozapine, anc, weight, waist, bp, pulse, glucose, "
                                             "cholesterol, hdl, ldl, triglycerides, hba1c, or any other by name.")],
    value: Annotated[str, typer.Argument(help="The value: 0.7, or systolic/diastolic for bp (128/82).")],
    unit: Annotated[Optional[str], typer.Argument(help="Its unit: mmol/L, mg/L, ng/mL, 10^9/L, kg, lb, cm, mmHg, bpm, mg/dL, %…")] = None,
    range_: Annotated[Optional[str], typer.Option("--range", help="The lab's reference range as printed, in the same unit: 0.4-1.0, <5.2 or >1.0.")] = None,
    med: Annotated[Optional[str], typer.Option("--med", help="The medication it relates to (default: found by name for drug levels).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note kept with the entry, e.g. 'trough, 12 h after the evening dose'.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When it was taken (the blood drawn): 08:10, 'yesterday 09:00', '2h ago' (default now).")] = None,
):
    """Record a lab value or vital sign with its unit and the lab's range as printed. Shown, never judged."""
    from meddiary import diary, measures, views

    e = env(ctx)
    key = measures.test_key(test)
    data = measures.measurement(key, value, unit, range_)
    when = _when(e, at)
    store = e.store()
    meds = store.medications()
    if med is not None:
        medication = diary.find(meds, med)
    else:
        found = measures.related(key, meds)
        medication = found[0] if len(found) == 1 else None
    (entry_id,) = store.add_entries([{"kind": "measurement", "at": when, "tz": e.tz_name, "note": _text(note),
                                      "medication_id": medication.id if medication else None, "data": data}], e.now)
    out(f"#{entry_id} {measures.entry_text(data, medication.name if medication else None)} ({_phrase(when, e)})")
