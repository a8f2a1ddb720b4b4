"""The speed benchmark of issue 14: every hot command of the installed `meddiary` as a ratio to
F = `python -c "import sqlite3"`, on a 1-, a 10- and a 40-year diary, with each measure's bar and PASS/FAIL.

    python benchmarks/run.py              # every measure, 9 pairs each; exit 1 if a bar is missed
    python benchmarks/run.py --json       # the same as data
    python benchmarks/run.py --markdown   # the performance table (measure | 1 y | 10 y | 40 y | bar | result)
    python benchmarks/run.py --quick      # tiny diaries and 1 pair: proves the script works (the tests run it)

Not a test: timings belong to a machine, so this is run by hand (the test suite only runs --quick, which
asserts no timing). Standard library and the installed meddiary only.

How each command is measured: one warm-up, then pairs of runs, the command then F, A B A B ..., and the
median of the per-pair ratios command / F. Alternating keeps a slow moment of a shared machine from
landing on one side only; the ratio makes figures comparable between machines. Every run is a fresh
process of the console script (the one next to this Python, else on PATH) with MEDDIARY_TZ=Europe/Berlin
and MEDDIARY_DB pointing at a working copy of a cached diary: benchmarks/.cache holds the diaries
make_diary.py writes (ignored by git; rebuilt when make_diary.py, the schema or the date changes). Before
each command the working copy is topped up (make_diary.py --top-up: the doses that came due since are
recorded), so `due` has nothing to say at any hour. A command that writes (take, skip, mood, import) gets a
fresh copy of the diary before every run (import: a fresh empty diary), so the diary never grows and every
run records the same thing into the same diary.

Peak memory is the child's ru_maxrss, from os.wait4 in a small spawner process (python -I -S, about 8 MB)
that forks and execs every run: a child forked from this script would inherit its ~20 MB high-water mark.
The figure is exact above the spawner's own size, which every Python program here exceeds.

The children run without PYTHONDONTWRITEBYTECODE (which the sandbox sets and no user has: every run would
compile again any module whose .pyc is stale) and after `python -m compileall` of the meddiary package.
"""

import argparse
import hashlib
import json
import marshal
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
TZ = "Europe/Berlin"
F_ARGV = ["-c", "import sqlite3"]
YEARS = (1.0, 10.0, 40.0)
QUICK_YEARS = (0.1, 0.2, 0.3)
TOP_UP_EVERY = 30  # seconds: a working copy is topped up before a case if it was not this recently
SKIP_MED = "lithium"  # `skip NAME`: its latest take is retracted in the copy, so one of its doses is open now

# The spawner: reads (argv, env, output path) requests, runs each child with fork/exec, answers with its
# wall time, peak RSS and exit code. Kept to built-in modules so the process stays small.
SPAWNER = r"""
import marshal, os, sys, time
inp, outp = sys.stdin.buffer, sys.stdout.buffer
devnull = os.open(os.devnull, os.O_RDONLY)
while True:
    head = inp.read(8)
    if len(head) < 8:
        break
    argv, env, out_path = marshal.loads(inp.read(int.from_bytes(head, "little")))
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    t0 = time.perf_counter_ns()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(devnull, 0)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    os.close(fd)
    outp.write(b"%d %d %d\n" % (t1 - t0, usage.ru_maxrss, os.waitstatus_to_exitcode(status)))
    outp.flush()
"""


class Spawner:
    def __init__(self, python: str):
        self.proc = subprocess.Popen([python, "-I", "-S", "-c", SPAWNER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)

    def run(self, argv: list[str], env: dict, out: Path) -> tuple[float, float, int]:
        """(seconds, peak RSS in MB, exit code) of one child."""
        msg = marshal.dumps((argv, env, str(out)))
        self.proc.stdin.write(len(msg).to_bytes(8, "little") + msg)
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            sys.exit("benchmark: the spawner process died")
        ns, kib, code = map(int, line.split())
        return ns / 1e9, kib / 1024, code

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


class Measured:
    def __init__(self):
        self.times: list[float] = []  # seconds, after the warm-up
        self.ratios: list[float] = []  # each run over the F run paired with it
        self.peaks: list[float] = []  # MB
        self.f_times: list[float] = []
        self.f_peaks: list[float] = []
        self.printed = 0  # runs that wrote anything to stdout or stderr
        self.error: str | None = None


def measure(spawner: Spawner, argv: list[str], env: dict, f_argv: list[str], f_env: dict, pairs: int, tmp: Path,
            before=None, warmup: int = 1) -> Measured:
    """`warmup` pairs (not counted), then `pairs` pairs: the command, then F (A B A B ...). `before` runs
    (untimed) before every run of the command. Stops at the first run that exits non-zero."""
    m = Measured()
    out = tmp / "out.txt"
    for i in range(1 - warmup, pairs + 1):
        if before is not None:
            before()
        t, peak, code = spawner.run(argv, env, out)
        if code != 0:
            last = (out.read_text(errors="replace").strip().splitlines() or ["(no output)"])[-1]
            m.error = f"exit {code}: {last[:120]}"
            return m
        if i > 0 and out.stat().st_size:
            m.printed += 1
        tf, peak_f, _ = spawner.run(f_argv, f_env, tmp / "f.txt")
        if i > 0:
            m.times.append(t)
            m.peaks.append(peak)
            m.ratios.append(t / tf)
            m.f_times.append(tf)
            m.f_peaks.append(peak_f)
    return m


class Measure:
    """One row of the table: a command measured on some of the diaries. `targets` maps a diary to its bars,
    each (what, limit) with what in 'xF' (median ratio to F), 'MB' (peak memory) or ('vs', diary) (its ratio
    over the same measure's ratio on that diary). `fresh`: what each run gets to write to, None (the working
    copy), 'copy' (a fresh copy of it), 'reopen' (a fresh copy with the latest SKIP_MED take retracted) or
    'empty' (no diary yet). `needs`: (command, option) that must appear in `meddiary COMMAND --help`, else
    the row says "not available". In argv, {db} is the file written to, {export} the diary's JSON export,
    {hhmm} a wall-clock time a minute ago ('yesterday HH:MM' just after midnight)."""

    def __init__(self, key: str, label: str, argv: list[str], targets: dict, diaries: list | None = None,
                 fresh: str | None = None, needs: tuple | None = None, silent: bool = False, db_env: bool = True,
                 what: str | None = None):
        self.key, self.label, self.argv, self.targets, self.what = key, label, argv, targets, what
        self.diaries = diaries if diaries is not None else list(targets)
        self.fresh, self.needs, self.silent, self.db_env = fresh, needs, silent, db_env


class Case:
    """One measure on one diary (None: no diary)."""

    def __init__(self, measure: Measure, diary: str | None):
        self.measure, self.diary = measure, diary
        self.key = f"{measure.key}-{diary}" if diary else measure.key
        self.label, self.targets = measure.label, measure.targets.get(diary, [])
        self.times: list[float] = []
        self.ratios: list[float] = []
        self.peaks: list[float] = []
        self.f_times: list[float] = []  # the F runs paired with this case's
        self.status: str | None = None  # set when it cannot be measured: "not available" or "ERROR ..."
        self.notes: list[str] = []


def console_script() -> Path:
    here = Path(sys.executable).parent / "meddiary"
    found = here if here.exists() else Path(shutil.which("meddiary") or "")
    if not found.name or not found.exists():
        sys.exit("benchmark: no `meddiary` console script: install meddiary (pip install .) or activate its venv")
    return found


def interpreter_of(script: Path) -> str:
    """The Python the console script runs on (its #! line), so F starts that very interpreter."""
    first = script.open("rb").readline().decode(errors="replace").strip()
    if first.startswith("#!") and " " not in first[2:].strip():
        return first[2:].strip()
    return sys.executable


def py_out(python: str, code: str) -> str:
    return subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def cache_key(python: str, years: float) -> str:
    """make_diary.py's text, the schema's migration names and today's date: a stale diary is rebuilt."""
    names = py_out(python, "from meddiary.store import MIGRATION_NAMES as m; print(','.join(m))")
    h = hashlib.sha256((HERE / "make_diary.py").read_bytes() + names.encode()).hexdigest()[:10]
    return f"{years:g}y-{datetime.now(ZoneInfo(TZ)).date().isoformat()}-{h}"


def cached_diary(python: str, cache: Path, years: float) -> Path:
    """The cached diary of `years` years, built (and its build time kept next to it) if missing or stale."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"diary-{cache_key(python, years)}.db"
    if not path.exists():
        for old in cache.glob(f"diary-{years:g}y-*"):
            old.unlink()
        print(f"building a {years:g}-year diary ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        subprocess.run([python, str(HERE / "make_diary.py"), "--db", str(path), "--years", f"{years:g}",
                        "--tz", TZ], check=True)
        seconds = time.perf_counter() - t0
        path.with_suffix(".json").write_text(json.dumps({"years": years, "build_seconds": round(seconds, 2)}))
    return path


def build_seconds(path: Path) -> float | None:
    """How long make_diary.py took to write this cached diary (None if not recorded)."""
    try:
        return json.loads(path.with_suffix(".json").read_text())["build_seconds"]
    except (OSError, ValueError, KeyError):
        return None


def top_up(python: str, path: Path) -> None:
    """Record the doses that came due since the diary was made (see make_diary.py --top-up)."""
    subprocess.run([python, str(HERE / "make_diary.py"), "--db", str(path), "--top-up", "--tz", TZ], check=True,
                   capture_output=True)


def child_env() -> dict:
    """This environment without what would change a child's behaviour or cost (see the module's doc)."""
    dropped = ("TZ", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONSTARTUP")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("MEDDIARY_")}
    env["MEDDIARY_TZ"] = TZ
    return env


def copy_diary(src: Path, dst: Path) -> None:
    """A copy flushed to disk, so a timed `take` (whose commit syncs) does not pay for the copy."""
    for suffix in ("-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    fd = os.open(dst, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def entry_counts(path: Path) -> dict:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        kinds = dict(conn.execute("SELECT kind, count(*) FROM entries GROUP BY kind").fetchall())
    finally:
        conn.close()
    return {"entries": sum(kinds.values()), "doses": kinds.get("take", 0) + kinds.get("skip", 0)}


def git_state(package: str | None = None) -> str:
    """The commit of the meddiary measured (the checkout its package is in: an editable install runs the
    source where it was installed from, which need not be this benchmark's checkout), and whether its src/
    had uncommitted changes (others may be editing it)."""
    where = Path(package) if package else HERE
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=where, capture_output=True, text=True,
                             check=True).stdout.strip()
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=where, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=top, capture_output=True,
                               text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return f"{where} (not a git checkout)"
    return f"{top} at {head}" + (f" + uncommitted changes in {len(dirty)} files of src/" if dirty else " (src/ clean)")


def source_fingerprint(package: str) -> str:
    """A hash of the measured package's source files: compared before and after, it tells whether the code
    measured changed during the run (an editable install follows its checkout)."""
    h = hashlib.sha256()
    for f in sorted(Path(package).rglob("*.py")):
        h.update(str(f.relative_to(package)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def measures_for(small: str, mid: str, large: str) -> list[Measure]:
    """Issue 14's table of bars. Start-up commands and reports over a fixed period have their bar on every
    diary; export, import and check read or write the whole diary, so their bar (stated for 10 years) holds
    on the 1- and 10-year diaries and the 40-year figure is for information."""
    every = (small, mid, large)

    def on(diaries, *targets):
        return {d: list(targets) for d in diaries}

    def start(key, label, argv, limit=3, **kw):
        return Measure(key, label, argv, on(every, ("xF", limit)), **kw)

    name = "propranolol"  # as needed: the guard's 24-hour check, then the insert and commit
    out = [
        start("take", f"take {name}", ["take", name], fresh="copy"),
        start("take-at", f"take {name} --at HH:MM", ["take", name, "--at", "{hhmm}"], fresh="copy"),
        start("take-dose", f"take {name} --dose 5mg", ["take", name, "--dose", "5mg"], fresh="copy"),
        start("take-note", f"take {name} --note x", ["take", name, "--note", "x"], fresh="copy"),
        start("take-yes", f"take {name} --yes", ["take", name, "--yes"], fresh="copy"),
        start("take-json", f"take {name} --json", ["take", name, "--json"], fresh="copy", needs=("take", "--json")),
        start("take-db", f"take --db PATH {name}", ["take", "--db", "{db}", name], fresh="copy", db_env=False),
        start("skip", f"skip {SKIP_MED} --reason x", ["skip", SKIP_MED, "--reason", "x"], fresh="reopen"),
        start("today", "today", ["today"]),
        start("today-json", "today --json", ["today", "--json"]),
        start("mood", "mood 6", ["mood", "6"], fresh="copy"),
        start("mood-note", "mood 6 --note x", ["mood", "6", "--note", "x"], fresh="copy"),
        start("due", "due (nothing due)", ["due"], limit=1.5, silent=True, needs=("due", None)),
        start("due-json", "due --json", ["due", "--json"], needs=("due", "--json")),
        Measure("json", "report --since 30d --format json", ["report", "--since", "30d", "--format", "json"],
                {small: [("xF", 5)], **on((mid, large), ("xF", 5), (("vs", small), 1.1))}),
        Measure("term", "report --since 30d (terminal)", ["report", "--since", "30d"], on(every, ("xF", 8))),
        Measure("10y", "report --since 10y --format json", ["report", "--since", "10y", "--format", "json"],
                on((mid, large), ("xF", 20), ("MB", 60))),
        # Whole history: report has no "all", and --since starts no earlier than the diary's first day.
        Measure("whole", "report --since 40y --format json", ["report", "--since", "40y", "--format", "json"],
                {large: [(("vs", mid), 4)]}, diaries=list(every), what="whole history:"),
        Measure("export", "export --format json", ["export", "--format", "json"], on((small, mid), ("xF", 20)),
                diaries=list(every)),
        Measure("import", "import FILE", ["import", "{export}"], on((small, mid), ("xF", 40)), diaries=list(every),
                fresh="empty", what="the export above into a new diary:"),
        Measure("check", "check", ["check"], on((small, mid), ("xF", 20)), diaries=list(every)),
        Measure("help", "meddiary --help", ["--help"], {None: [("xF", 3)]}),
    ]
    return out


def wall_minute_ago(tz: ZoneInfo) -> str:
    """A minute ago as `take --at` reads it: HH:MM (today's), or 'yesterday HH:MM' just after midnight."""
    now = datetime.now(tz)
    then = now - timedelta(minutes=1)
    return f"{then:%H:%M}" if then.date() == now.date() else f"yesterday {then:%H:%M}"


def diary_name(label: str | None) -> str:
    return "no diary" if label is None else label.replace("y", " y")


def fmt_bar(targets: dict, measured: list) -> str:
    """The bars of a measure in words; a bar held on only some of the measured diaries names them."""
    seen: dict = {}
    for d in measured:
        for t in targets.get(d, []):
            seen.setdefault(t, []).append(d)
    parts = []
    for (what, limit), ds in seen.items():
        if what == "xF":
            text = f"≤ {limit:g}× F"
        elif what == "MB":
            text = f"< {limit:g} MB"
        else:
            text = f"≤ {limit:g}× the {diary_name(what[1])}'s"
        if ds != [d for d in measured if d is not None] and None not in ds:
            text += f" ({', '.join(diary_name(d) for d in ds)})"
        parts.append(text)
    return "; ".join(parts) or "(reference)"


def judge(cases: list[Case]) -> list[dict]:
    by_key = {(c.measure.key, c.diary): c for c in cases}
    rows = []
    for c in cases:
        row = {"key": c.key, "measure": c.measure.key, "command": c.label, "argv": c.measure.argv,
               "diary": c.diary, "runs": len(c.times), "notes": c.notes, "checks": []}
        if c.status:
            row.update(median_ms=None, ratio=None, min_ratio=None, peak_mb=None, f_median_ms=None, result=c.status)
            rows.append(row)
            continue
        ratio = statistics.median(c.ratios)
        # Informational: the fastest run over the fastest F, which a busy moment of the machine moves less.
        row.update(median_ms=statistics.median(c.times) * 1000, ratio=ratio, min_ratio=min(c.times) / min(c.f_times),
                   peak_mb=max(c.peaks), f_median_ms=statistics.median(c.f_times) * 1000)
        for what, limit in c.targets:
            if what == "xF":
                check = {"what": "time", "value": ratio, "limit": limit, "unit": "x F", "pass": ratio <= limit}
            elif what == "MB":
                check = {"what": "peak memory", "value": row["peak_mb"], "limit": limit, "unit": "MB",
                         "pass": row["peak_mb"] < limit}
            else:
                other = by_key.get((c.measure.key, what[1]))
                if other is None:  # left out by --only
                    continue
                value = ratio / statistics.median(other.ratios) if not other.status else None
                check = {"what": f"vs {other.diary} diary", "vs": other.diary, "value": value, "limit": limit,
                         "unit": "x", "pass": value is not None and value <= limit}
            row["checks"].append(check)
        row["result"] = ("PASS" if all(ch["pass"] for ch in row["checks"]) else "FAIL") if row["checks"] else "no bar"
        rows.append(row)
    return rows


def summarise(measures: list[Measure], rows: list[dict], labels: list) -> list[dict]:
    """One entry per measure: its bar, its rows by diary, and PASS / FAIL (with the worst miss) /
    not available / ERROR."""
    out = []
    for m in measures:
        mine = {r["diary"]: r for r in rows if r["measure"] == m.key}
        if not mine:
            continue
        results = [r["result"] for r in mine.values()]
        misses = [ch["value"] / ch["limit"] for r in mine.values() for ch in r["checks"]
                  if not ch["pass"] and ch["value"] is not None]
        if any(x.startswith("ERROR") for x in results):
            result = "ERROR"
        elif all(x == "not available" for x in results):
            result = "not available"
        elif "FAIL" in results:
            result = "FAIL"
        else:
            result = "PASS"
        out.append({"measure": m.key, "command": m.label, "what": m.what, "bar": fmt_bar(m.targets, m.diaries),
                    "diaries": [d for d in labels + [None] if d in mine], "result": result,
                    "worst_miss": max(misses) if misses else None})
    return out


def cell(r: dict | None) -> str:
    """A row's figure for the table: its ratio to F, the memory and the ratio to another diary where a bar
    asks for them; bold where it misses a bar."""
    if r is None:
        return "—"
    if r["median_ms"] is None:
        return "n/a" if r["result"] == "not available" else "error"
    text = f"{r['ratio']:.2f}×"
    for ch in r["checks"]:
        if ch["what"] == "peak memory":
            text += f", {ch['value']:.0f} MB"
        elif "vs" in ch and ch["value"] is not None:
            text += f" ({ch['value']:.2f}× the {diary_name(ch['vs'])}'s)"
    return f"**{text}**" if r["result"] == "FAIL" else text


def markdown(result: dict) -> str:
    """The performance table (docs and README), from run.py's result: one line per measure."""
    labels = list(result["diaries"])
    lines = [f"| measure | {' | '.join(diary_name(d) for d in labels)} | bar | result |",
             "| --- | " + "---: | " * len(labels) + "--- | --- |"]
    rows = {(r["measure"], r["diary"]): r for r in result["rows"]}
    for s in result["measures"]:
        if s["diaries"] == [None]:  # no diary (--help): its figure in the first column
            cells = [cell(rows[(s["measure"], None)])] + ["—"] * (len(labels) - 1)
        else:
            cells = [cell(rows.get((s["measure"], d))) for d in labels]
        verdict = s["result"] + (f" ({s['worst_miss']:.2f}× its bar)" if s["worst_miss"] else "")
        name = f"`{s['command']}`" if not s["what"] else f"{s['what']} `{s['command']}`"
        lines.append(f"| {name} | {' | '.join(cells)} | {s['bar']} | {verdict} |")
    return "\n".join(lines)


def header(result: dict) -> list[str]:
    f = result["f"]
    lines = [f"meddiary benchmark, {result['when']}" + ("  (--quick: not a measurement)" if result["quick"] else ""),
             f"python {result['python']}, {result['cpus']} CPUs, {result['platform']}; load average "
             f"{result['load'][0]} before, {result['load'][1]} after; {result['minutes']:.1f} minutes; "
             f"meddiary tree {result['tree']}",
             "diaries: " + "; ".join(
                 f"{diary_name(d)}: {c['entries']:,} entries ({c['doses']:,} doses)"
                 + (f", built in {c['build_seconds']:.1f} s" if c.get("build_seconds") is not None else "")
                 for d, c in result["diaries"].items())]
    if result.get("source_changed"):
        lines.append(f"WARNING: the meddiary source in {result['package']} changed during the run: the figures "
                     "mix versions; measure again")
    if f["median_ms"] is not None:
        lines.append(f"F = python -c 'import sqlite3': median {f['median_ms']:.1f} ms, peak {f['peak_mb']:.1f} MB "
                     f"({f['runs']} runs); {result['pairs']} pair(s) per command after "
                     f"{'a warm-up' if result['warmup'] else 'no warm-up'}, A B A B")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny diaries (0.1, 0.2 and 0.3 years), no warm-up and "
                                                         "1 pair: a check that the benchmark works, not a measurement")
    out_format = ap.add_mutually_exclusive_group()
    out_format.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    out_format.add_argument("--markdown", action="store_true", help="print the performance table in Markdown "
                                                                    "(measure | 1 y | 10 y | 40 y | bar | result)")
    ap.add_argument("--pairs", type=int, help="pairs per command after the warm-up (default 9, --quick 1; at "
                                              "least 7 for a measurement)")
    ap.add_argument("--cache", type=Path, default=HERE / ".cache", help="where the diaries are cached "
                                                                        "(default benchmarks/.cache)")
    ap.add_argument("--only", help="measure only the cases whose key contains this text (e.g. due, json-10y, "
                                   "take-)")
    args = ap.parse_args(argv)
    pairs = args.pairs or (1 if args.quick else 9)
    if pairs < 1 or (pairs < 7 and not args.quick):
        ap.error("--pairs: at least 7 for a measurement (or --quick)")
    started = time.monotonic()

    script = console_script()
    python = interpreter_of(script)
    years = QUICK_YEARS if args.quick else YEARS
    labels = [f"{y:g}y" for y in years]
    diaries = {label: cached_diary(python, args.cache, y) for label, y in zip(labels, years)}
    package = py_out(python, "import meddiary, os; print(os.path.dirname(meddiary.__file__))")
    subprocess.run([python, "-m", "compileall", "-q", package], check=True)
    fingerprint = source_fingerprint(package)

    measures = measures_for(*labels)
    cases = [Case(m, d) for d in labels + [None] for m in measures if d in m.diaries]
    if args.only:
        cases = [c for c in cases if args.only in c.key]
    tmp = Path(tempfile.mkdtemp(prefix="meddiary-bench-"))
    work = {d: tmp / f"work-{d}.db" for d in diaries}
    for d, src in diaries.items():
        copy_diary(src, work[d])
    topped: dict[str, float] = {}
    exports: dict[str, Path] = {}
    base_env = child_env()
    md = str(script)
    f_runs: list[float] = []
    f_peaks: list[float] = []
    available: dict[tuple, bool] = {}
    spawner = Spawner(python)
    load_before = os.getloadavg()
    try:
        for n, case in enumerate(cases, 1):
            m = case.measure
            if sys.stderr.isatty():
                print(f"\r[{n}/{len(cases)}] {case.label} ({case.diary or 'no diary'})".ljust(72)[:72], end="",
                      file=sys.stderr, flush=True)
            env = dict(base_env)
            env["MEDDIARY_DB"] = str(work[case.diary]) if case.diary else str(tmp / "none" / "diary.db")
            out = tmp / "out.txt"
            if m.needs:
                if m.needs not in available:
                    command, option = m.needs
                    _, _, code = spawner.run([md, command, "--help"], env, out)
                    available[m.needs] = code == 0 and (option is None or option in out.read_text().split())
                if not available[m.needs]:
                    command, option = m.needs
                    case.status = "not available"
                    case.notes.append(f"`meddiary {command}` has no {option} option" if option
                                      else f"`meddiary {command}` does not exist in this meddiary yet")
                    continue
            if case.diary and time.monotonic() - topped.get(case.diary, -1e9) >= TOP_UP_EVERY:
                top_up(python, work[case.diary])
                # What `due` has to say after the top-up (the as-needed dose allowed again after the diary's
                # last one) it says once, as cron running it every five minutes would have: then nothing.
                spawner.run([md, "due"], {**base_env, "MEDDIARY_DB": str(work[case.diary])}, tmp / "settle.txt")
                topped[case.diary] = time.monotonic()
            fresh = tmp / f"fresh-{case.diary}.db"
            source = work.get(case.diary)
            if m.fresh == "reopen":
                source = tmp / f"reopened-{case.diary}.db"
                copy_diary(work[case.diary], source)
                subprocess.run([python, str(HERE / "make_diary.py"), "--db", str(source), "--reopen", SKIP_MED,
                                "--tz", TZ], check=True, capture_output=True)
            if m.fresh:
                env["MEDDIARY_DB"] = str(fresh)
            unused = tmp / "unused" / "diary.db"
            if not m.db_env:  # the diary is named by --db only: MEDDIARY_DB names one that must stay unmade
                env["MEDDIARY_DB"] = str(unused)
            if "{export}" in m.argv and case.diary not in exports:
                exports[case.diary] = tmp / f"export-{case.diary}.json"
                subprocess.run([md, "export", "--format", "json", "-o", str(exports[case.diary])],
                               env={**base_env, "MEDDIARY_DB": str(work[case.diary])}, check=True,
                               capture_output=True)
            subst = {"{db}": str(fresh), "{export}": str(exports.get(case.diary, "")),
                     "{hhmm}": wall_minute_ago(ZoneInfo(TZ))}
            run_argv = [md, *(subst.get(a, a) for a in m.argv)]

            def before(m=m, source=source, fresh=fresh) -> None:
                if m.fresh == "empty":
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
                elif m.fresh:
                    copy_diary(source, fresh)

            r = measure(spawner, run_argv, env, [python, *F_ARGV], base_env, pairs, tmp, before,
                        warmup=0 if args.quick else 1)
            if r.error:
                case.status = f"ERROR ({r.error})"
            case.times, case.ratios, case.peaks, case.f_times = r.times, r.ratios, r.peaks, r.f_times
            f_runs += r.f_times
            f_peaks += r.f_peaks
            printed = r.printed if m.silent else 0
            if printed:
                case.notes.append(f"printed something in {printed} of {pairs} runs (a dose came due meanwhile?)")
            if unused.exists():
                case.notes.append(f"MEDDIARY_DB was used although --db named another diary ({unused} exists)")
                shutil.rmtree(unused.parent, ignore_errors=True)
    finally:
        spawner.close()
        if sys.stderr.isatty():
            print("\r".ljust(72), file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    rows = judge(cases)
    result = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": args.quick, "pairs": pairs, "warmup": 0 if args.quick else 1,
        "python": platform.python_version(), "interpreter": python, "cpus": os.cpu_count(),
        "platform": platform.platform(), "load": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "minutes": (time.monotonic() - started) / 60,
        "tree": git_state(package), "package": package,
        "source_changed": source_fingerprint(package) != fingerprint,
        "diaries": {d: {"path": str(p), **entry_counts(p), "build_seconds": build_seconds(p)}
                    for d, p in diaries.items()},
        "f": {"argv": ["python", *F_ARGV], "median_ms": statistics.median(f_runs) * 1000 if f_runs else None,
              "peak_mb": max(f_peaks) if f_peaks else None, "runs": len(f_runs)},
        "rows": rows,
        "measures": summarise(measures, rows, labels),
    }
    failed = [r for r in rows if r["result"] == "FAIL"]
    broken = [r for r in rows if r["result"].startswith("ERROR")]
    result["passed"] = not failed and not broken and not result["source_changed"]
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.markdown:
        print("\n".join(f"<!-- {line} -->" for line in header(result)))
        print()
        print(markdown(result))
        notes = list(dict.fromkeys(f"{r['command']}: {note}" for r in rows for note in r["notes"]))
        if notes:
            print()
            print("\n".join(f"- {note}" for note in notes))
    else:
        print_table(result)
    if broken or result["source_changed"]:
        return 1
    return 0 if args.quick or not failed else 1


def print_table(result: dict) -> None:
    print("\n".join(header(result)))
    print()
    bars = {s["measure"]: s["bar"] for s in result["measures"]}
    head = (f"{'command':48} {'diary':6} {'median':>10} {'x F':>7} {'min/F':>7} {'peak':>8}  {'bar':44} result")
    print(head)
    print("-" * len(head))
    for r in result["rows"]:
        bar = bars[r["measure"]] if r["result"] != "no bar" else "(for information)"
        if r["median_ms"] is None:
            print(f"{r['command']:48} {r['diary'] or '-':6} {'':>10} {'':>7} {'':>7} {'':>8}  {bar:44} {r['result']}")
        else:
            extra = "".join(f" ({ch['value']:.2f}x {ch['what']})" for ch in r["checks"]
                            if ch["what"].startswith("vs") and ch["value"] is not None)
            result_text = r["result"]
            print(f"{r['command']:48} {r['diary'] or '-':6} {r['median_ms']:8.1f}ms {r['ratio']:7.2f} "
                  f"{r['min_ratio']:7.2f} {r['peak_mb']:5.1f} MB  {bar:44} {result_text}{extra}")
        for note in r["notes"]:
            print(f"    note: {note}")
    print("x F: median of the per-pair ratios (the bars use it); min/F: fastest run over fastest F")
    print()
    counts = {s: sum(r["result"] == s for r in result["rows"]) for s in ("PASS", "FAIL", "not available")}
    errors = sum(r["result"].startswith("ERROR") for r in result["rows"])
    print(f"{counts['PASS']} rows pass, {counts['FAIL']} fail" + (f", {errors} ERROR" if errors else "")
          + (f", {counts['not available']} not available" if counts["not available"] else "")
          + "; by measure: " + ", ".join(f"{sum(s['result'] == v for s in result['measures'])} {v}"
                                         for v in ("PASS", "FAIL", "not available", "ERROR")
                                         if any(s["result"] == v for s in result["measures"])))


if __name__ == "__main__":
    sys.exit(main())
