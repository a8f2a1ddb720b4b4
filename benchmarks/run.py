"""The speed benchmark: the hot commands of the installed `meddiary` as ratios to F = `python -c "import sqlite3"`,
on a 1-year and a 10-year diary, with each command's target and PASS/FAIL.

    python benchmarks/run.py            # every command, 9 pairs each; exit 1 if a target is missed
    python benchmarks/run.py --json     # the same as data
    python benchmarks/run.py --quick    # tiny diaries and 2 pairs: proves the script works (the tests run it)

Not a test: timings belong to a machine, so this is run by hand (the test suite only runs --quick, which
asserts no timing). Standard library and the installed meddiary only.

How each command is measured: one warm-up, then pairs of runs, the command then F, A B A B ..., and the
median of the per-pair ratios command / F. Alternating keeps a slow moment of a shared machine from
landing on one side only; the ratio makes figures comparable between machines. Every run is a fresh
process of the console script (the one next to this Python, else on PATH) with MEDDIARY_TZ=Europe/Berlin
and MEDDIARY_DB pointing at a working copy of a cached diary: benchmarks/.cache holds the diaries
make_diary.py writes (ignored by git; rebuilt when make_diary.py, the schema or the date changes). Before
each command the working copy is topped up (make_diary.py --top-up: the doses that came due since are
recorded), so `due` has nothing to say at any hour. `take` gets a fresh copy of the working diary before
every run, so the diary never grows and every `take` records the same dose into the same diary.

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
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
TZ = "Europe/Berlin"
F_ARGV = ["-c", "import sqlite3"]

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
            before=None) -> Measured:
    """A warm-up pair, then `pairs` pairs: the command, then F (A B A B ...). `before` runs (untimed)
    before every run of the command. Stops at the first run that exits non-zero."""
    m = Measured()
    out = tmp / "out.txt"
    for i in range(pairs + 1):
        if before is not None:
            before()
        t, peak, code = spawner.run(argv, env, out)
        if code != 0:
            last = (out.read_text(errors="replace").strip().splitlines() or ["(no output)"])[-1]
            m.error = f"exit {code}: {last[:120]}"
            return m
        if i and out.stat().st_size:
            m.printed += 1
        tf, peak_f, _ = spawner.run(f_argv, f_env, tmp / "f.txt")
        if i:
            m.times.append(t)
            m.peaks.append(peak)
            m.ratios.append(t / tf)
            m.f_times.append(tf)
            m.f_peaks.append(peak_f)
    return m


class Case:
    """One command on one diary; `targets` are (what, limit) with what in 'xF' (median ratio to F),
    'MB' (peak memory) or ('vs', key) (its ratio over another case's ratio)."""

    def __init__(self, key: str, label: str, argv: list[str], diary: str | None, targets: list, source: str,
                 fresh: bool = False, silent: bool = False, needs: str | None = None):
        self.key, self.label, self.argv, self.diary, self.targets = key, label, argv, diary, targets
        self.source, self.fresh, self.silent, self.needs = source, fresh, silent, needs
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
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"diary-{cache_key(python, years)}.db"
    if not path.exists():
        for old in cache.glob(f"diary-{years:g}y-*.db"):
            old.unlink()
        print(f"building a {years:g}-year diary ...", file=sys.stderr, flush=True)
        subprocess.run([python, str(HERE / "make_diary.py"), "--db", str(path), "--years", f"{years:g}",
                        "--tz", TZ], check=True)
    return path


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


def git_state() -> str:
    """The commit measured, and whether src/ had uncommitted changes (others may be editing it)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=HERE.parent, capture_output=True,
                               text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + (f" + uncommitted changes in {len(dirty)} files of src/" if dirty else " (src/ clean)")


def cases_for(small: str, large: str) -> list[Case]:
    i2, i3, i5 = "issue 2", "issue 3", "issue 5"
    start = [("xF", 5), ("MB", 30)]
    out: list[Case] = []
    for d in (small, large):
        out += [
            Case(f"take-{d}", "take propranolol", ["take", "propranolol"], d, start, i2, fresh=True),
            Case(f"today-{d}", "today", ["today"], d, start, i2),
            Case(f"bare-{d}", "meddiary (bare)", [], d, start, i2),
            Case(f"due-{d}", "due (nothing due)", ["due"], d, [("xF", 2), ("MB", 20)], i5, silent=True, needs="due"),
            Case(f"json-{d}", "report --format json", ["report", "--format", "json"], d,
                 [("xF", 8)] + ([(("vs", f"json-{small}"), 1.3)] if d == large else []), i3),
            Case(f"term-{d}", "report (terminal)", ["report"], d,
                 [(("vs", f"term-{small}"), 1.3)] if d == large else [], "issue 3 (flat as the diary grows)"),
        ]
    out.append(Case(f"all-{large}", "report --since 10y --format json", ["report", "--since", "10y", "--format", "json"],
                    large, [("xF", 60), ("MB", 100)], i3))
    out.append(Case("help", "meddiary --help", ["--help"], None, start, "set here, as for take/today"))
    return out


def fmt_target(case: Case, labels: dict, by_key: dict) -> str:
    parts = []
    for what, limit in case.targets:
        if what == "xF":
            parts.append(f"<= {limit:g}x F")
        elif what == "MB":
            parts.append(f"< {limit:g} MB")
        elif what[1] in by_key:
            parts.append(f"<= {limit:g}x the {labels[by_key[what[1]].diary]} diary's")
    return ", ".join(parts) or "(reference)"


def judge(cases: list[Case]) -> list[dict]:
    by_key = {c.key: c for c in cases}
    rows = []
    for c in cases:
        row = {"key": c.key, "command": c.label, "argv": c.argv, "diary": c.diary, "source": c.source,
               "runs": len(c.times), "notes": c.notes, "checks": []}
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
                other = by_key.get(what[1])
                if other is None:  # left out by --only
                    continue
                value = ratio / statistics.median(other.ratios) if not other.status else None
                check = {"what": f"vs {other.diary} diary", "value": value, "limit": limit, "unit": "x",
                         "pass": value is not None and value <= limit}
            row["checks"].append(check)
        row["result"] = "PASS" if all(ch["pass"] for ch in row["checks"]) else "FAIL"
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny diaries (0.1 and 0.2 years) and 2 pairs: a check "
                                                         "that the benchmark works, not a measurement")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    ap.add_argument("--pairs", type=int, help="pairs per command after the warm-up (default 9, --quick 2; at "
                                              "least 7 for a measurement)")
    ap.add_argument("--cache", type=Path, default=HERE / ".cache", help="where the diaries are cached "
                                                                        "(default benchmarks/.cache)")
    ap.add_argument("--only", help="measure only the cases whose key contains this text (e.g. due, json-10y)")
    args = ap.parse_args(argv)
    pairs = args.pairs or (2 if args.quick else 9)
    if pairs < 1 or (pairs < 7 and not args.quick):
        ap.error("--pairs: at least 7 for a measurement (or --quick)")

    script = console_script()
    python = interpreter_of(script)
    years = (0.1, 0.2) if args.quick else (1.0, 10.0)
    labels = {f"{y:g}y": f"{y:g}-year" for y in years}
    small, large = labels
    diaries = {label: cached_diary(python, args.cache, y) for label, y in zip(labels, years)}
    package = py_out(python, "import meddiary, os; print(os.path.dirname(meddiary.__file__))")
    subprocess.run([python, "-m", "compileall", "-q", package], check=True)

    tmp = Path(tempfile.mkdtemp(prefix="meddiary-bench-"))
    work = {d: tmp / f"work-{d}.db" for d in diaries}
    for d, src in diaries.items():
        copy_diary(src, work[d])
    base_env = child_env()
    cases = cases_for(small, large)
    if args.only:
        cases = [c for c in cases if args.only in c.key]
    md = str(script)
    f_runs: list[float] = []
    f_peaks: list[float] = []
    spawner = Spawner(python)
    load_before = os.getloadavg()
    try:
        for n, case in enumerate(cases, 1):
            if sys.stderr.isatty():
                print(f"\r[{n}/{len(cases)}] {case.label} ({case.diary or 'no diary'})".ljust(60), end="",
                      file=sys.stderr, flush=True)
            env = dict(base_env)
            env["MEDDIARY_DB"] = str(work[case.diary]) if case.diary else str(tmp / "none" / "diary.db")
            out = tmp / "out.txt"
            if case.needs:
                _, _, code = spawner.run([md, case.needs, "--help"], env, out)
                if code != 0:
                    case.status = "not available"
                    case.notes.append(f"`meddiary {case.needs}` does not exist in this meddiary yet")
                    continue
            if case.diary:
                top_up(python, work[case.diary])
            take_copy = tmp / f"take-{case.diary}.db"
            if case.fresh:
                env["MEDDIARY_DB"] = str(take_copy)

            def before() -> None:
                if case.fresh:
                    copy_diary(work[case.diary], take_copy)

            m = measure(spawner, [md, *case.argv], env, [python, *F_ARGV], base_env, pairs, tmp, before)
            if m.error:
                case.status = f"ERROR ({m.error})"
            case.times, case.ratios, case.peaks, case.f_times = m.times, m.ratios, m.peaks, m.f_times
            f_runs += m.f_times
            f_peaks += m.f_peaks
            printed = m.printed if case.silent else 0
            if printed:
                case.notes.append(f"printed something in {printed} of {pairs} runs (a dose came due meanwhile?)")
    finally:
        spawner.close()
        if sys.stderr.isatty():
            print("\r".ljust(60), file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    rows = judge(cases)
    result = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": args.quick, "pairs": pairs,
        "python": platform.python_version(), "interpreter": python, "cpus": os.cpu_count(),
        "platform": platform.platform(), "load": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "tree": git_state(),
        "diaries": {d: {"path": str(p), **entry_counts(p)} for d, p in diaries.items()},
        "f": {"argv": ["python", *F_ARGV], "median_ms": statistics.median(f_runs) * 1000 if f_runs else None,
              "peak_mb": max(f_peaks) if f_peaks else None, "runs": len(f_runs)},
        "rows": rows,
    }
    failed = [r for r in rows if r["result"] == "FAIL"]
    broken = [r for r in rows if r["result"].startswith("ERROR")]
    result["passed"] = not failed and not broken
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result, cases, labels)
    if broken:
        return 1
    return 0 if args.quick or not failed else 1


def print_table(result: dict, cases: list[Case], labels: dict) -> None:
    by_key = {c.key: c for c in cases}
    targets = {c.key: fmt_target(c, labels, by_key) for c in cases}
    f = result["f"]
    print(f"meddiary benchmark, {result['when']}" + ("  (--quick: not a measurement)" if result["quick"] else ""))
    print(f"python {result['python']}, {result['cpus']} CPUs, {result['platform']}; load average "
          f"{result['load'][0]} before, {result['load'][1]} after; meddiary tree {result['tree']}")
    print("diaries: " + "; ".join(f"{d}: {c['entries']:,} entries ({c['doses']:,} doses)"
                                  for d, c in result["diaries"].items()))
    if f["median_ms"] is not None:
        print(f"F = python -c 'import sqlite3': median {f['median_ms']:.1f} ms, peak {f['peak_mb']:.1f} MB "
              f"({f['runs']} runs); {result['pairs']} pairs per command after a warm-up, A B A B")
    print()
    head = f"{'command':34} {'diary':6} {'median':>9} {'x F':>6} {'min/F':>6} {'peak':>8}  {'target':44} result"
    print(head)
    print("-" * len(head))
    note = "x F: median of the per-pair ratios (the targets use it); min/F: fastest run over fastest F"
    for r in result["rows"]:
        if r["median_ms"] is None:
            print(f"{r['command']:34} {r['diary'] or '-':6} {'':>9} {'':>6} {'':>6} {'':>8}  {targets[r['key']]:44} "
                  f"{r['result']}")
        else:
            extra = "".join(f" ({ch['value']:.2f}x {ch['what']})" for ch in r["checks"]
                            if ch["what"].startswith("vs") and ch["value"] is not None)
            print(f"{r['command']:34} {r['diary'] or '-':6} {r['median_ms']:7.1f}ms {r['ratio']:6.2f} {r['min_ratio']:6.2f} "
                  f"{r['peak_mb']:5.1f} MB  {targets[r['key']]:44} {r['result']}{extra}")
        for note in r["notes"]:
            print(f"    note: {note}")
    passed = sum(r["result"] == "PASS" for r in result["rows"])
    print(note)
    print()
    print(f"{passed} of {len(result['rows'])} rows pass"
          + "".join(f"; {sum(r['result'] == s for r in result['rows'])} {s}" for s in ("FAIL", "not available")
                    if any(r["result"] == s for r in result["rows"])))


if __name__ == "__main__":
    sys.exit(main())
