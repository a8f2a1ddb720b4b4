"""meddiary next to its peers, measured the same way: jrnl (write an entry, list the last ten) and Watson
(its report) on a 1-year and a 10-year history, against meddiary's equivalents on its 1-year and 10-year
diaries. The point is the last column: how much slower each gets as the history grows ten times.

    python benchmarks/peers.py           # sets up benchmarks/.cache/peers (a venv with jrnl and td-watson)
    python benchmarks/peers.py --json

The peers are installed from the package index with pip into their own venv (never into meddiary's), the
first time only. Their histories are generated here, in a temporary HOME:

  jrnl    a journal of two entries a day on average (one to three, a title and a few lines each):
          ~730 entries a year; its config in $XDG_CONFIG_HOME/jrnl/jrnl.yaml, no editor, no encryption.
  Watson  a frames file of 15 frames a day (a frame per task, like meddiary's ~15 doses a day): ~5,500
          frames a year, the size of meddiary's diary.

Each command is measured as run.py measures meddiary's (run.measure: a warm-up, then pairs A B A B with
F = `python -c "import sqlite3"` of the same interpreter; median of the per-pair ratios; peak memory of the
child). Writes run on a fresh copy of the history before every run, so the history does not grow.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import run  # benchmarks/run.py, next to this file

PEERS = run.HERE / ".cache" / "peers"
PACKAGES = ("jrnl", "td-watson")
WORDS = ("slept", "badly", "well", "work", "walk", "call", "mum", "tired", "anxious", "calm", "sertraline",
         "dose", "headache", "rain", "sun", "friends", "dinner", "reading", "meeting", "therapy", "run", "garden")
PROJECTS = ("meddiary", "thesis", "admin", "email", "reading", "teaching", "review", "meetings")


def ensure_peers(base_python: str) -> Path:
    """The peers' venv, made once: `python -m venv` and pip with the ordinary package index."""
    bin_dir = PEERS / "bin"
    if not ((bin_dir / "jrnl").exists() and (bin_dir / "watson").exists()):
        print(f"installing {', '.join(PACKAGES)} into {PEERS} ...", file=sys.stderr, flush=True)
        subprocess.run([base_python, "-m", "venv", "--clear", str(PEERS)], check=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", *PACKAGES], check=True)
    return bin_dir


def versions(bin_dir: Path) -> dict:
    out = subprocess.run([str(bin_dir / "python"), "-m", "pip", "list", "--format", "json"], check=True,
                         capture_output=True, text=True).stdout
    have = {p["name"].lower(): p["version"] for p in json.loads(out)}
    return {name: have.get(name) for name in PACKAGES}


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_jrnl(home: Path, years: float, now: datetime, rng: random.Random) -> tuple[Path, int]:
    """A journal file in jrnl's own format and the config that points at it; returns (journal, entries)."""
    journal = home / "journal.txt"
    days = round(365.25 * years)
    lines = []
    count = 0
    for d in range(days, 0, -1):
        day = (now - timedelta(days=d)).date()
        for _ in range(rng.choice((1, 2, 2, 3))):
            at = datetime(day.year, day.month, day.day, rng.randint(7, 22), rng.randrange(60))
            body = "\n".join(sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(1, 4)))
            lines.append(f"[{at.strftime('%Y-%m-%d %I:%M:%S %p')}] {sentence(rng, rng.randint(3, 8))}\n{body}\n")
            count += 1
    journal.write_text("\n".join(lines), encoding="utf-8")
    config = home / ".config" / "jrnl" / "jrnl.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "colors:\n  body: none\n  date: none\n  tags: none\n  title: none\n"
        "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\nhighlight: true\n"
        "indent_character: '|'\n"
        f"journals:\n  default:\n    journal: {journal}\n"
        "linewrap: 79\ntagsymbols: '#@'\ntemplate: false\ntimeformat: '%F %r'\nversion: v4.6\n",
        encoding="utf-8")
    return journal, count


def make_watson(home: Path, years: float, now: datetime, rng: random.Random) -> tuple[Path, int]:
    """Watson's frames file: [start, stop, project, id, tags, updated_at] per frame, oldest first."""
    folder = home / "watson"
    folder.mkdir(parents=True, exist_ok=True)
    frames = []
    days = round(365.25 * years)
    for d in range(days, 0, -1):
        t = (now - timedelta(days=d)).replace(hour=8, minute=0, second=0, microsecond=0).timestamp()
        for _ in range(15):
            length = rng.randint(15 * 60, 50 * 60)
            tags = rng.sample(["deep", "call", "writing", "bugfix", "plan"], rng.randint(0, 2))
            frames.append([int(t), int(t + length), rng.choice(PROJECTS), uuid.UUID(int=rng.getrandbits(128)).hex,
                           tags, int(t + length)])
            t += length + rng.randint(60, 15 * 60)
    (folder / "frames").write_text(json.dumps(frames), encoding="utf-8")
    return folder, len(frames)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=9, help="pairs per command after the warm-up (default 9)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = ap.parse_args(argv)

    script = run.console_script()
    python = run.interpreter_of(script)
    bin_dir = ensure_peers(python)
    peer_python = str(bin_dir / "python")
    now = datetime.now().astimezone()
    tmp = Path(tempfile.mkdtemp(prefix="meddiary-peers-"))
    sizes = {"1y": 1.0, "10y": 10.0}
    history: dict = {}
    cases = []  # (tool, action, size, argv, env, f_python, history file to restore before each run or None)
    base = run.child_env()
    for size, years in sizes.items():
        home = tmp / size
        home.mkdir()
        journal, n_entries = make_jrnl(home, years, now, random.Random(1))
        watson_dir, n_frames = make_watson(home, years, now, random.Random(2))
        diary = run.cached_diary(python, run.HERE / ".cache", years)
        work = tmp / f"diary-{size}.db"
        run.copy_diary(diary, work)
        run.top_up(python, work)
        history[size] = {"jrnl_entries": n_entries, "watson_frames": n_frames, **run.entry_counts(diary)}
        peer_env = {**base, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                    "XDG_DATA_HOME": str(home / ".local" / "share"), "WATSON_DIR": str(watson_dir),
                    "NO_COLOR": "1", "TERM": "dumb"}
        md_env = {**base, "MEDDIARY_DB": str(work)}
        jrnl, watson = str(bin_dir / "jrnl"), str(bin_dir / "watson")
        cases += [
            ("jrnl", "write an entry", size, [jrnl, "Took", "the", "sertraline", "with", "breakfast."], peer_env,
             peer_python, journal),
            ("jrnl", "list the last 10 (-n 10)", size, [jrnl, "-n", "10"], peer_env, peer_python, None),
            ("Watson", "report (the last 7 days)", size, [watson, "report", "--no-pager"], peer_env, peer_python,
             None),
            ("meddiary", "take propranolol", size, [str(script), "take", "propranolol"], md_env, python, work),
            ("meddiary", "log --limit 10", size, [str(script), "log", "--limit", "10"], md_env, python, None),
            ("meddiary", "report --since 7d", size, [str(script), "report", "--since", "7d"], md_env, python, None),
        ]

    spawner = run.Spawner(python)
    results = []
    try:
        for n, (tool, action, size, argv_, env, f_python, restore) in enumerate(cases, 1):
            print(f"[{n}/{len(cases)}] {tool} {action} ({size})", file=sys.stderr, flush=True)
            before = None
            if restore is not None:
                pristine = restore.with_name(restore.name + ".pristine")
                if not pristine.exists():
                    shutil.copyfile(restore, pristine)

                def before(src=pristine, dst=restore) -> None:
                    run.copy_diary(src, dst)

            m = run.measure(spawner, argv_, env, [f_python, *run.F_ARGV], base, args.pairs, tmp, before)
            results.append({"tool": tool, "action": action, "history": size, "argv": argv_[1:],
                            "error": m.error,
                            "median_ms": statistics.median(m.times) * 1000 if m.times and not m.error else None,
                            "ratio": statistics.median(m.ratios) if m.ratios and not m.error else None,
                            "peak_mb": max(m.peaks) if m.peaks and not m.error else None,
                            "f_median_ms": statistics.median(m.f_times) * 1000 if m.f_times else None})
    finally:
        spawner.close()
        shutil.rmtree(tmp, ignore_errors=True)

    by = {(r["tool"], r["action"], r["history"]): r for r in results}
    rows = []
    for tool, action in dict.fromkeys((r["tool"], r["action"]) for r in results):
        small, large = by[(tool, action, "1y")], by[(tool, action, "10y")]
        growth = large["ratio"] / small["ratio"] if small["ratio"] and large["ratio"] else None
        rows.append({"tool": tool, "action": action, "1y": small, "10y": large, "growth": growth})
    out = {"when": now.isoformat(timespec="seconds"), "pairs": args.pairs, "cpus": os.cpu_count(),
           "load": round(os.getloadavg()[0], 2), "versions": versions(bin_dir), "history": history, "rows": rows}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    v = out["versions"]
    print(f"peers, {out['when']}: jrnl {v['jrnl']}, td-watson {v['td-watson']}; {out['cpus']} CPUs, load {out['load']}; "
          f"{args.pairs} pairs each, A B A B against F")
    print("histories: " + "; ".join(
        f"{s}: jrnl {h['jrnl_entries']:,} entries, Watson {h['watson_frames']:,} frames, meddiary {h['entries']:,} "
        f"entries" for s, h in history.items()))
    print()
    print(f"{'tool':9} {'command':26} {'1y x F':>8} {'10y x F':>8} {'10y/1y':>7} {'10y ms':>8} {'10y peak':>9}")
    for r in rows:
        cells = []
        for s in ("1y", "10y"):
            cells.append(f"{r[s]['ratio']:8.2f}" if r[s]["ratio"] else f"{'error':>8}")
        growth = f"{r['growth']:6.2f}x" if r["growth"] else f"{'-':>7}"
        big = r["10y"]
        ms = f"{big['median_ms']:6.0f}ms" if big["median_ms"] else ""
        peak = f"{big['peak_mb']:6.1f} MB" if big["peak_mb"] else ""
        print(f"{r['tool']:9} {r['action']:26} {cells[0]} {cells[1]} {growth} {ms:>8} {peak:>9}")
        for s in ("1y", "10y"):
            if r[s]["error"]:
                print(f"    {s}: {r[s]['error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
