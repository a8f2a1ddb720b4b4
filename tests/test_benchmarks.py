"""The benchmark suite works (issue 7): run.py --quick runs every case end to end, and make_diary.py writes
the diary it promises, the same one for the same seed. No timings are asserted: they belong to a machine."""

import importlib.util
import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from meddiary.model import ENTRY_KINDS
from meddiary.store import Store

from conftest import BENCHMARKS, benchmark_script

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 14, 30, tzinfo=BERLIN).astimezone(UTC)  # a Thursday afternoon


make_diary = benchmark_script("make_diary")


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of meddiary's tables (the migrations ledger keeps the time it was applied: left out)."""
    conn = sqlite3.connect(path)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                            "'\\_sqlite%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name")]
        return {n: conn.execute(f"SELECT * FROM [{n}] ORDER BY rowid").fetchall() for n in names}
    finally:
        conn.close()


def build(tmp_path: Path, name: str, seed: int = 1, years: float = 0.1, meds: int = 5) -> tuple[Path, dict]:
    path = tmp_path / f"{name}.db"
    return path, make_diary.build(path, years, NOW, BERLIN, seed, meds)


def test_the_same_seed_gives_the_same_diary_row_for_row(tmp_path):
    a, _ = build(tmp_path, "a")
    b, _ = build(tmp_path, "b")
    c, _ = build(tmp_path, "c", seed=2)
    assert rows(a) == rows(b)
    assert rows(a)["entries"] != rows(c)["entries"]


def test_a_small_diary_has_what_the_generator_promises(tmp_path):
    path, counts = build(tmp_path, "small", years=0.1)  # 37 days, 2026-10-21 .. 2026-11-26
    days = 37
    assert (counts["first_day"], counts["last_day"]) == ("2026-10-21", "2026-11-26")
    assert counts["medications"] == 5
    kinds = counts["kinds"]
    assert set(kinds) <= set(ENTRY_KINDS)
    # ~15 doses a day (issue 3 sizes its targets for ~55,000 in ten years), about 95% of them taken.
    doses = kinds["take"] + kinds["skip"]
    assert 13 * days <= doses <= 17 * days
    # Mood most evenings; PHQ-9 and GAD-7 every two weeks (days 6, 20, 34); a refill of each medication
    # every 30 days (the last three days ago: days 4 and 34); side-effect episodes.
    assert 0.75 * days <= kinds["mood"] <= days
    assert kinds["check"] == 2 * 3
    assert kinds["refill"] == 5 * 2
    assert kinds["side_effect"] >= 1
    store = Store(path)
    try:
        for kind in ("mood", "side_effect", "check", "refill"):
            for e in store.entries_of((kind,)):
                assert tuple(e.data) == ENTRY_KINDS[kind] or set(e.data) == set(ENTRY_KINDS[kind]), (kind, e.data)
        checks = store.entries_of(("check",))
        assert {e.data["instrument"] for e in checks} == {"phq9", "gad7"}
        assert all(e.data["total"] == sum(e.data["answers"]) for e in checks)
        assert all(len(e.data["answers"]) == (9 if e.data["instrument"] == "phq9" else 7) for e in checks)
        meds = {m.name: m for m in store.medications()}
        assert sorted(meds) == ["lamotrigine", "lithium", "methylphenidate", "propranolol", "sertraline"]
        assert meds["propranolol"].as_needed
        # A dose change after six weeks does not fit in 37 days; the titration of lamotrigine does.
        assert [r.kind for r in meds["lamotrigine"].regimens] == ["start", "titration", "titration"]
        assert all(r.units for m in meds.values() for r in m.regimens if not r.is_stop)
    finally:
        store.close()


def test_a_ten_year_diary_has_the_dose_changes_and_the_taper(tmp_path):
    """Only the regimens: writing ten years of entries is the benchmark's job, not a test's."""
    store = Store(tmp_path / "regimens.db")
    try:
        import random

        make_diary.add_medications(store, 5, NOW.date() - timedelta(days=3652), NOW.date(), BERLIN, random.Random(1))
        meds = {m.name: m for m in store.medications()}
    finally:
        store.close()
    assert [(r.kind, r.dose_amount) for r in meds["sertraline"].regimens] == [
        ("start", 50), ("change", 100), ("taper", 100), ("taper", 75), ("taper", 50), ("change", 75)]
    assert [r.kind for r in meds["lithium"].regimens] == ["start"] + ["change"] * 5
    assert meds["methylphenidate"].regimens[0].every_days == 2


def test_fewer_medications(tmp_path):
    _, counts = build(tmp_path, "one", meds=1)
    assert counts["medications"] == 1
    assert 0.9 * 37 <= counts["kinds"]["take"] + counts["kinds"].get("skip", 0) <= 37


def test_top_up_records_the_doses_that_came_due_once(tmp_path):
    path, _ = build(tmp_path, "t")
    later = NOW + timedelta(hours=8)  # from 14:30 to 22:30
    assert make_diary.top_up(path, later, BERLIN) == 5
    assert make_diary.top_up(path, later, BERLIN) == 0
    conn = sqlite3.connect(path)
    recorded = conn.execute("SELECT m.name, e.at_utc FROM entries e JOIN medications m ON m.id = e.medication_id"
                            " WHERE e.kind = 'take' AND e.at_utc > ? ORDER BY e.at_utc", (NOW.isoformat(),)).fetchall()
    conn.close()
    # Methylphenidate is every other day from 2026-10-21: the 26th is one of its days.
    assert [(name, datetime.fromisoformat(at).astimezone(BERLIN).strftime("%H:%M")) for name, at in recorded] == [
        ("lithium", "16:03"), ("methylphenidate", "16:03"), ("lithium", "19:03"), ("lamotrigine", "20:03"),
        ("lithium", "22:03")]


def load_run():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location("run", BENCHMARKS / "run.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_reopen_leaves_a_dose_to_skip_at_any_hour(tmp_path):
    """`skip lithium` with no --at needs an open dose near now: after the top-up every past one is taken,
    so the benchmark retracts the latest (as `undo` does). Checked every 20 minutes through a day."""
    from meddiary import diary

    path, _ = build(tmp_path, "r")
    for k in range(0, 24 * 3):
        now = NOW + timedelta(minutes=20 * k)
        work = tmp_path / "w.db"
        work.write_bytes(path.read_bytes())
        make_diary.top_up(work, now, BERLIN)
        make_diary.reopen(work, "lithium", now, BERLIN)
        store = Store(work)
        try:
            med = next(m for m in store.medications() if m.name == "lithium")
            entries = store.entries_between(now - timedelta(days=3), now + timedelta(days=2), [med.id])
            diary.plan_skip(med, now, entries, now, BERLIN)  # raises if nothing is open
        finally:
            store.close()


def test_run_quick_measures_every_case(tmp_path):
    result = subprocess.run([sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--json", "--cache",
                             str(tmp_path / "cache")], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    data = json.loads(result.stdout)
    assert data["quick"] is True
    commands = {(r["command"], r["diary"]) for r in data["rows"]}
    for diary in ("0.1y", "0.2y", "0.3y"):
        for command in ("take propranolol", "take propranolol --at HH:MM", "take propranolol --dose 5mg",
                        "take propranolol --note x", "take propranolol --yes", "take propranolol --json",
                        "take --db PATH propranolol", "skip lithium --reason x", "today", "today --json", "mood 6",
                        "mood 6 --note x", "due (nothing due)", "due --json", "report --since 30d --format json",
                        "report --since 30d (terminal)", "report --since 40y --format json",
                        "export --format json", "import FILE", "check"):
            assert (command, diary) in commands
    for diary in ("0.2y", "0.3y"):
        assert ("report --since 10y --format json", diary) in commands
    assert ("meddiary --help", None) in commands
    for r in data["rows"]:
        assert r["result"] in ("PASS", "FAIL", "no bar", "not available"), r
        if r["result"] != "not available":
            assert r["runs"] == data["pairs"] and r["median_ms"] > 0 and r["ratio"] > 0 and r["peak_mb"] > 1, r
            assert r["result"] == ("no bar" if not r["checks"] else
                                   "PASS" if all(c["pass"] for c in r["checks"]) else "FAIL"), r
        assert not any("MEDDIARY_DB was used" in n for n in r["notes"]), r
    assert data["f"]["runs"] > 0
    assert data["diaries"]["0.3y"]["doses"] > data["diaries"]["0.2y"]["doses"] > data["diaries"]["0.1y"]["doses"] > 0
    assert all(d["build_seconds"] > 0 for d in data["diaries"].values())
    # The cached diaries are not grown by the runs (the writers and the top-up write to copies).
    for d in data["diaries"].values():
        assert (sqlite3.connect(d["path"]).execute("SELECT count(*) FROM entries").fetchone()[0]) == d["entries"]
    # The Markdown table: one line per measure, a column per diary, the bar and the verdict.
    table = load_run().markdown(data).splitlines()
    assert table[0] == "| measure | 0.1 y | 0.2 y | 0.3 y | bar | result |"
    assert len(table) == 2 + len(data["measures"]) == 2 + 22
    assert "| `due (nothing due)` |" in "\n".join(table) and table[-1].startswith("| `meddiary --help` | ")
    assert all(line.count(" | ") == 5 for line in table[2:])


@pytest.mark.parametrize("args, message", [
    (["--years", "0"], "--years must be above 0"),
    (["--years", "nan"], "--years must be above 0"),
    (["--meds", "6"], "--meds must be 1 to 5"),
])
def test_make_diary_rejects_bad_options(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        make_diary.main(["--db", str(tmp_path / "x.db"), *args])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()
