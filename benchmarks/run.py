"""The speed benchmark of issues 2 and 3: wall time and peak memory of the installed `meddiary`, as ratios
to F = `python -c "import sqlite3"`, all measured in one run, interleaved.

    source .venv/bin/activate
    python bench/bench.py                # 20 rounds; exits 1 if a target is missed
    python bench/bench.py --reps 25 --json results.json

Not a test: it is run by hand (timings belong to a machine, not to CI). Every round runs every case once,
in a shuffled order, so a slow moment of the machine touches all cases alike; the medians are compared.
Each run is a fresh process of the console script from the venv, with MEDDIARY_TZ=Europe/Berlin and
MEDDIARY_DB pointing at a temporary copy of a cached diary (bench/.cache, rebuilt when make_diary.py, the
schema or the day changes). A `take` run gets a fresh copy of its diary every time, so each one records
the same dose into the same diary.

Peak memory is measured in separate, untimed runs under GNU time (`/usr/bin/time -f %M`, the child's
ru_maxrss). Not with os.wait4 or RUSAGE_CHILDREN deltas from this script: Linux counts a child's RSS high-water
mark from the moment it is forked, i.e. including this ~20 MB Python process it was copied from, so every
command would read ~20 MB. GNU time is a small C program, so its child starts from ~1 MB.
"""

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
TZ = "Europe/Berlin"


@dataclass
class Case:
    name: str
    argv: list[str]  # after the program
    diary: str | None  # key of a diary, None: no diary (F)
    fresh: bool = False  # a fresh copy of the diary before every run (commands that write)
    times: list[float] = field(default_factory=list)  # seconds
    rss: list[int] = field(default_factory=list)  # KiB


@dataclass
class Target:
    label: str
    value: float
    limit: float
    unit: str

    @property
    def met(self) -> bool:
        return self.value <= self.limit  # False for NaN: a target that could not be measured is not met


def console_script() -> Path:
    found = shutil.which("meddiary") or str(Path(sys.executable).parent / "meddiary")
    path = Path(found)
    if not path.exists():
        sys.exit("bench: no `meddiary` console script: activate the venv (source .venv/bin/activate)")
    return path


def interpreter_of(script: Path) -> str:
    """The Python the console script runs on (its shebang), so F starts the very same interpreter."""
    first = script.open("rb").readline().decode().strip()
    if first.startswith("#!") and " " not in first[2:].strip():
        return first[2:].strip()
    return sys.executable


def cache_key(python: str) -> str:
    """make_diary.py's text, the schema's migration names and today's date: a stale cache is rebuilt."""
    names = subprocess.run([python, "-c", "from meddiary.store import MIGRATION_NAMES as m; print(','.join(m))"],
                           check=True, capture_output=True, text=True).stdout.strip()
    h = hashlib.sha256((HERE / "make_diary.py").read_bytes() + names.encode()).hexdigest()[:10]
    return f"{datetime.now(ZoneInfo(TZ)).date().isoformat()}-{h}"


def diary(python: str, years: int, key: str) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"diary-{years}y-{key}.db"
    if not path.exists():
        for old in CACHE.glob(f"diary-{years}y-*.db"):
            old.unlink()
        print(f"building a {years}-year diary …", file=sys.stderr, flush=True)
        subprocess.run([python, str(HERE / "make_diary.py"), "--years", str(years), "--out", str(path),
                        "--tz", TZ], check=True)
    return path


def copy_diary(src: Path, dst: Path) -> None:
    """A copy of a diary, flushed to disk, so a timed `take` (whose commit syncs) does not pay for the copy."""
    for suffix in ("-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    fd = os.open(dst, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


GNU_TIME = "/usr/bin/time"


def run(argv: list[str], env: dict, out_path: Path) -> tuple[float, int]:
    """One child process: (wall seconds, exit code)."""
    with open(out_path, "wb") as out:
        t0 = time.perf_counter()
        code = subprocess.call(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
        return time.perf_counter() - t0, code


def peak_rss(argv: list[str], env: dict, out_path: Path) -> tuple[int | None, int]:
    """One child process under GNU time: (peak RSS in KiB or None without GNU time, exit code)."""
    if not os.access(GNU_TIME, os.X_OK):
        return None, run(argv, env, out_path)[1]
    rss_file = out_path.with_suffix(".rss")
    with open(out_path, "wb") as out:
        code = subprocess.call([GNU_TIME, "-f", "%M", "-o", str(rss_file), *argv], stdin=subprocess.DEVNULL,
                               stdout=out, stderr=subprocess.STDOUT, env=env)
    return int(rss_file.read_text().split()[-1]), code


def git_state() -> str:
    """The commit measured, and whether src/ had uncommitted changes (others may be editing it)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=HERE.parent, capture_output=True,
                               text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    changed = [line[3:] for line in dirty if line.strip()]
    return f"{head}" + (f" + uncommitted changes in {', '.join(changed)}" if changed else " (src/ clean)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=20, help="rounds (each runs every case once; default 20)")
    ap.add_argument("--mem-reps", type=int, default=3, help="untimed rounds measuring peak memory (default 3)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the order shuffled in each round")
    ap.add_argument("--json", type=Path, help="also write the raw results to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = ap.parse_args(argv)

    script = console_script()
    python = interpreter_of(script)
    key = cache_key(python)
    diaries = {"1y": diary(python, 1, key), "10y": diary(python, 10, key)}
    tmp = Path(tempfile.mkdtemp(prefix="meddiary-bench-"))
    work = {}
    for name, src in diaries.items():
        work[name] = tmp / f"{name}.db"
        copy_diary(src, work[name])
        work[f"take-{name}"] = tmp / f"take-{name}.db"

    md = [str(script)]
    cases = [
        Case("F  python -c 'import sqlite3'", [python, "-c", "import sqlite3"], None),
        Case("take sertraline --yes  (1y)", md + ["take", "sertraline", "--yes"], "1y", fresh=True),
        Case("take sertraline --yes  (10y)", md + ["take", "sertraline", "--yes"], "10y", fresh=True),
        Case("today  (1y)", md + ["today"], "1y"),
        Case("today  (10y)", md + ["today"], "10y"),
        Case("meddiary  (bare, 10y)", md, "10y"),
        Case("report --since 30d json  (1y)", md + ["report", "--since", "30d", "--format", "json"], "1y"),
        Case("report --since 30d json  (10y)", md + ["report", "--since", "30d", "--format", "json"], "10y"),
        Case("report --since 10y json  (10y)", md + ["report", "--since", "10y", "--format", "json"], "10y"),
    ]
    # PYTHONDONTWRITEBYTECODE would make every run recompile any module edited since its .pyc was written
    # (pip writes .pyc at install; a user's runs write them too); PYTHONUNBUFFERED is not a user's default.
    dropped = ("TZ", "MEDDIARY_DB", "MEDDIARY_TZ", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")
    base_env = {k: v for k, v in os.environ.items() if k not in dropped}
    base_env["MEDDIARY_TZ"] = TZ

    def once(case: Case, measure=run):
        env = dict(base_env)
        if case.diary:
            db = work[f"take-{case.diary}"] if case.fresh else work[case.diary]
            if case.fresh:
                copy_diary(diaries[case.diary], db)
            env["MEDDIARY_DB"] = str(db)
        out = tmp / "out.txt"
        value, code = measure(case.argv, env, out)
        if code != 0:
            sys.exit(f"bench: {case.name} exited {code}:\n{out.read_text(errors='replace')[-2000:]}")
        return value

    load_before = os.getloadavg()
    print(f"warming up (one untimed round) in {tmp} …", file=sys.stderr, flush=True)
    for case in cases:
        once(case)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    for rep in range(args.reps):
        order = cases[:]
        rng.shuffle(order)
        for case in order:
            case.times.append(once(case))
        print(f"\rround {rep + 1}/{args.reps}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    took = time.perf_counter() - started
    load_after = os.getloadavg()
    for rep in range(args.mem_reps):
        for case in cases:
            rss = once(case, peak_rss)
            if rss is not None:
                case.rss.append(rss)
    if not cases[0].rss:
        print(f"bench: no {GNU_TIME} (apt-get install time): peak memory not measured", file=sys.stderr)

    f = statistics.median(cases[0].times)
    med = {c.name: statistics.median(c.times) for c in cases}
    peak = {c.name: max(c.rss) / 1024 if c.rss else float("nan") for c in cases}

    print(f"meddiary benchmark — {datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"python {platform.python_version()} ({python}), {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"{args.reps} interleaved rounds in {took:.0f} s; load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after")
    counts = {}
    for name, path in diaries.items():
        import sqlite3

        with sqlite3.connect(path) as conn:
            counts[name] = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    print("diaries: " + ", ".join(f"{n} = {c:,} entries" for n, c in counts.items()))
    print(f"meddiary tree: {git_state()}")
    print()
    fmin = min(cases[0].times)
    print(f"{'case':34} {'median':>9} {'× F':>7} {'min':>9} {'min/minF':>8} {'max':>9} {'peak RSS':>9}")
    for c in cases:
        print(f"{c.name:34} {med[c.name] * 1000:7.1f}ms {med[c.name] / f:6.2f}× {min(c.times) * 1000:7.1f}ms "
              f"{min(c.times) / fmin:7.2f}× {max(c.times) * 1000:7.1f}ms {peak[c.name]:6.1f} MB")
    print("(targets use the medians; min/minF, the fastest run of each against F's fastest, is less "
          "sensitive to a busy machine)")

    targets = []
    for c in cases[1:6]:  # take, today, bare: issue 2
        targets.append(Target(f"{c.name}: time", med[c.name] / f, 5, "× F"))
        targets.append(Target(f"{c.name}: peak memory", peak[c.name], 30, "MB"))
    r1, r10, rall = cases[6].name, cases[7].name, cases[8].name
    targets.append(Target(f"{r10}: time", med[r10] / f, 8, "× F"))
    targets.append(Target(f"{r10} vs 1y diary", med[r10] / med[r1], 1.3, "×"))
    targets.append(Target(f"{rall}: time", med[rall] / f, 60, "× F"))
    targets.append(Target(f"{rall}: peak memory", peak[rall], 100, "MB"))
    print()
    print("targets (issue 2: take/today/bare ≤ 5× F, < 30 MB; issue 3: report 30d ≤ 8× F and ≤ 1.3× the 1y "
          "diary's, report 10y ≤ 60× F, < 100 MB):")
    for t in targets:
        print(f"  {'met   ' if t.met else 'MISSED'} {t.label:52} {t.value:7.2f} {t.unit:4} (limit {t.limit:g})")
    missed = [t for t in targets if not t.met]
    print()
    print(f"{len(targets) - len(missed)} of {len(targets)} targets met" + (f"; {len(missed)} missed" if missed else ""))

    if args.json:
        args.json.write_text(json.dumps({
            "when": datetime.now().astimezone().isoformat(timespec="seconds"), "reps": args.reps,
            "python": platform.python_version(), "cpus": os.cpu_count(), "load": [load_before, load_after],
            "entries": counts, "f_seconds": f,
            "cases": [{"name": c.name, "argv": c.argv[1:], "diary": c.diary, "times": c.times, "rss_kib": c.rss,
                       "median": med[c.name], "ratio": med[c.name] / f, "peak_mb": peak[c.name]} for c in cases],
            "targets": [{"label": t.label, "value": t.value, "limit": t.limit, "unit": t.unit, "met": t.met}
                        for t in targets],
        }, indent=2) + "\n")
    if args.keep:
        print(f"temporary files kept in {tmp}", file=sys.stderr)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
