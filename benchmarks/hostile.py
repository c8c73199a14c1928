"""Hostile input: every file of the corpus (tests/importers/hostile.py) through the real CLI.

    python benchmarks/hostile.py            # the whole corpus
    python benchmarks/hostile.py --tiny     # a few small files: keeps the script working in CI
    python benchmarks/hostile.py --only apkg,yaml   # some groups of the corpus

Each file is imported by ``mlcards --db DB import FILE`` in its own process, into a database made
by ``mlcards init``. For each it measures wall time and the child's peak RSS (``os.wait4``), and
checks the outcome: exit status 1 and one ``error: `` line naming the file. Prints a table and the
worst case, and writes every figure to benchmarks/results/hostile.json. Targets: every file under
2 s and 200 MB; the exit status is 1 when a file misses a target or is not refused properly.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from tests.importers.hostile import GROUPS  # noqa: E402  (only names: the corpus is written in a child)

MAX_SECONDS = 2.0
MAX_MB = 200.0


def run(cmd: list[str], env: dict, timeout: float = 30.0) -> tuple[int, str, float, float]:
    """Exit status, stderr, wall seconds and peak RSS (MB) of one child process (killed after ``timeout``)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return proc.returncode, stderr, wall, rss_mb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiny", action="store_true", help="only a few small files")
    ap.add_argument("--only", help=f"comma-separated groups: {', '.join(GROUPS)}")
    ap.add_argument("--timeout", type=float, default=30.0, help="kill a child after this many seconds")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "hostile.json")
    args = ap.parse_args(argv)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("MLCARDS_DB", None)
    rows = []
    with tempfile.TemporaryDirectory(prefix="mlcards-hostile-") as tmp:
        folder = Path(tmp) / "corpus"
        # written by another process: a child forked from a parent that grew while building the
        # corpus would inherit the parent's peak RSS in its own ru_maxrss
        make = [sys.executable, "-m", "tests.importers.hostile", str(folder), "--json"]
        make += ["--tiny"] if args.tiny else []
        make += ["--only", args.only] if args.only else []
        listed = subprocess.run(make, check=True, capture_output=True, text=True, cwd=REPO, env=env).stdout
        corpus = [(name, Path(p)) for name, p in json.loads(listed)]
        db = Path(tmp) / "x.db"
        base = [sys.executable, "-m", "mlcards", "--db", str(db)]
        subprocess.run([*base, "init"], check=True, capture_output=True, env=env)
        _, _, startup, startup_mb = run([*base, "decks", "--json"], env)
        for name, path in corpus:
            code, stderr, wall, rss = run([*base, "import", str(path)], env, args.timeout)
            lines = stderr.splitlines()
            refused = code == 1 and len(lines) == 1 and lines[0].startswith("error: ") and str(path) in lines[0]
            ok = refused and wall < MAX_SECONDS and rss < MAX_MB
            rows.append(
                {
                    "file": name,
                    "bytes": path.stat().st_size,
                    "seconds": round(wall, 3),
                    "peak_rss_mb": round(rss, 1),
                    "exit": code,
                    "refused": refused,
                    "ok": ok,
                    "error": (lines[0] if len(lines) == 1 else stderr)[:300],
                }
            )
    width = max(len(r["file"]) for r in rows)
    print(f"{'file':<{width}}  {'bytes':>11}  {'seconds':>7}  {'peak MB':>7}  ok   error")
    for r in rows:
        mark = "yes" if r["ok"] else "NO "
        print(
            f"{r['file']:<{width}}  {r['bytes']:>11,}  {r['seconds']:>7.3f}  {r['peak_rss_mb']:>7.1f}  {mark}  "
            f"{r['error'].replace(chr(10), ' | ')[:110]}"
        )
    slowest = max(rows, key=lambda r: r["seconds"])
    largest = max(rows, key=lambda r: r["peak_rss_mb"])
    failed = [r["file"] for r in rows if not r["ok"]]
    print()
    print(f"CLI start-up alone (decks --json): {startup:.3f} s, {startup_mb:.1f} MB")
    print(f"worst time:   {slowest['seconds']:.3f} s  ({slowest['file']})")
    print(f"worst memory: {largest['peak_rss_mb']:.1f} MB  ({largest['file']})")
    print(f"{len(rows) - len(failed)}/{len(rows)} files refused within {MAX_SECONDS:g} s and {MAX_MB:g} MB")
    if failed:
        print("FAILED: " + ", ".join(failed))
    summary = {
        "size": "tiny" if args.tiny else "full",
        "files": len(rows),
        "failed": failed,
        "worst_seconds": slowest["seconds"],
        "worst_seconds_file": slowest["file"],
        "worst_peak_rss_mb": largest["peak_rss_mb"],
        "worst_peak_rss_file": largest["file"],
        "startup_seconds": round(startup, 3),
        "startup_peak_rss_mb": round(startup_mb, 1),
        "limits": {"seconds": MAX_SECONDS, "peak_rss_mb": MAX_MB},
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
