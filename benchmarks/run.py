"""mlcards benchmarks: start-up, answer latency, import speed and stats, on a large database.

    python benchmarks/run.py            # 100,002 cards and ~1,000,000 reviews (built once into a temp dir)
    python benchmarks/run.py --db PATH  # build into PATH if missing, reuse it afterwards
    python benchmarks/run.py --tiny     # a small database: keeps the script working in CI

Then the key-latency benchmark (benchmarks/keys.py: every key of the dashboard, review, browse, stats and
quiz screens, press to settled) on the same database; its table is printed first and its JSON written to
benchmarks/results/keys-<size>.json (--keys-out elsewhere, --keys-repeat presses per key, --no-keys skips it).
Then the race against Anki's engine (benchmarks/anki_race.py: import of a 10,000-note Anki text file and
2,000 answers, whole processes, alternating pairs, ratio mlcards / Anki; --no-anki skips it).

Prints a table, then one JSON line with every figure (milliseconds unless named otherwise).
Targets it checks: stats summary < 300 ms; answer (commit + next card) well under 50 ms;
10,000 Anki-text rows parsed and imported < 2 s; the CLI starting without importing Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from datetime import time as dtime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import anki_race  # noqa: E402  (side by side with Anki's engine)
import keys  # noqa: E402  (the key-latency benchmark)
import stats_bench  # noqa: E402  (the database builder lives there)
from stats_bench import best_of  # noqa: E402

from mlcards import stats  # noqa: E402
from mlcards.store import Store  # noqa: E402


def cli_ms(args: list[str], repeat: int) -> float:
    cmd = [sys.executable, "-m", "mlcards", *args]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return best_of(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env), repeat)


def peak_rss_mb(args: list[str], stdin: bytes | None = None) -> float:
    """Peak resident memory of one whole ``mlcards`` process (the kernel's ru_maxrss, in MB)."""
    proc = subprocess.Popen([sys.executable, "-m", "mlcards", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None
    proc.stdin.write(stdin or b"")
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"mlcards {' '.join(args)} exited {proc.returncode}")
    return usage.ru_maxrss / 1024


def textual_loaded_by_cli() -> bool:
    code = "import sys, mlcards.cli, mlcards.store, mlcards.session, mlcards.stats; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return out.strip() == "True"


def study_now(store: Store) -> datetime:
    """Noon UTC on the day after the history ends: a fresh study day with its limits untouched."""
    last = store.db.execute("SELECT MAX(study_day) FROM reviews").fetchone()[0]
    day = datetime.fromisoformat(last).date() if last else datetime.now(timezone.utc).date()
    return datetime.combine(day + timedelta(days=1), dtime(12), tzinfo=timezone.utc)


def answer_latency(path: Path, answers: int) -> dict:
    """Build today's session, then time answer (one committed transaction) + next card."""
    from mlcards.session import ReviewSession

    store = Store.open(path)
    now = study_now(store)
    t = time.perf_counter()
    session = ReviewSession(store, clock=lambda: now)
    build_ms = (time.perf_counter() - t) * 1000
    times = []
    shown = session.next()
    while shown is not None and len(times) < answers:
        t = time.perf_counter()
        session.answer(4 if len(times) % 5 else 2)
        shown = session.next()
        times.append((time.perf_counter() - t) * 1000)
    store.close()
    times.sort()
    return {
        "session_build_ms": build_ms,
        "answer_next_median_ms": statistics.median(times) if times else None,
        "answer_next_p95_ms": times[int(0.95 * (len(times) - 1))] if times else None,
        "answers_timed": len(times),
    }


def tui_latency(path: Path, answers: int) -> dict:
    """The real app, headless: dashboard ready, then space + grade until the next card is on screen."""
    from mlcards.tui.app import make_app
    from mlcards.tui.screens.review import ReviewScreen

    async def run() -> dict:
        store = Store.open(path)
        now = study_now(store)
        store.close()
        t = time.perf_counter()
        app = make_app(path, clock=lambda: now)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            ready = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            await pilot.press("r")
            await pilot.pause()
            review_open = (time.perf_counter() - t) * 1000
            times, handler = [], []
            for i in range(answers):
                screen = app.screen
                if not isinstance(screen, ReviewScreen) or screen.shown is None:
                    break
                before = screen.shown.card.id
                if i % 2:  # the app's own work: reveal, commit the grade, render the next card
                    t = time.perf_counter()
                    screen.action_reveal()
                    screen.action_grade(4)
                    handler.append((time.perf_counter() - t) * 1000)
                    await pilot.pause()
                else:  # a full round trip through the test driver (an upper bound: Pilot waits ~100 ms)
                    t = time.perf_counter()
                    await pilot.press("space")
                    await pilot.press("4")
                    await pilot.pause()
                    times.append((time.perf_counter() - t) * 1000)
                if screen.shown is not None and screen.shown.card.id == before:
                    break
        return {
            "tui_dashboard_ready_ms": ready,
            "tui_review_open_ms": review_open,
            "tui_reveal_grade_next_handler_median_ms": statistics.median(handler) if handler else None,
            "tui_reveal_grade_next_pilot_median_ms": statistics.median(times) if times else None,
            "tui_answers_timed": len(times) + len(handler),
        }

    return asyncio.run(run())


def import_speed(rows: int, workdir: Path) -> dict:
    from mlcards import importers

    src = workdir / "big.tsv"
    with open(src, "w", encoding="utf-8") as fh:
        fh.write("#separator:tab\n#html:false\n#columns:Front\tBack\tTags\n")
        for i in range(rows):
            fh.write(f"term {i}\tDefinition number {i}, with a comma.\ttag{i % 10}\n")
    db = workdir / "import.db"
    t = time.perf_counter()
    parsed = importers.load(src, deck_name="Big")
    parse_ms = (time.perf_counter() - t) * 1000
    store = Store.open(db)
    t = time.perf_counter()
    with store.transaction():
        for deck in parsed.decks:
            store.apply_deck(deck, mode=parsed.mode)
    apply_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    with store.transaction():
        for deck in parsed.decks:
            store.apply_deck(deck, mode=parsed.mode)
    reapply_ms = (time.perf_counter() - t) * 1000
    store.close()
    return {"import_rows": rows, "import_parse_ms": parse_ms, "import_apply_ms": apply_ms,
            "import_total_ms": parse_ms + apply_ms, "reimport_unchanged_ms": reapply_ms}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="benchmark database (built if missing, reused if present)")
    ap.add_argument("--tiny", action="store_true", help="small sizes, for CI")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keys-repeat", type=int, default=None, help="presses of each key (default 20; tiny 1)")
    ap.add_argument("--keys-out", help="key-latency JSON (default benchmarks/results/keys-<size>.json)")
    ap.add_argument("--no-keys", action="store_true", help="skip the key-latency benchmark")
    ap.add_argument("--no-anki", action="store_true", help="skip the race against Anki's engine")
    args = ap.parse_args(argv)
    size = stats_bench.TINY if args.tiny else stats_bench.FULL
    repeat = 2 if args.tiny else args.repeat
    tmp = tempfile.TemporaryDirectory(prefix="mlcards-bench-")
    work = Path(tmp.name)
    path = Path(args.db) if args.db else work / "bench.db"
    if not path.exists():
        stats_bench.build(path, size)
    # answer benchmarks write: run them on a copy so a reused --db stays as built
    scratch = work / "scratch.db"
    shutil.copyfile(path, scratch)

    results: dict = {"size": "tiny" if args.tiny else "full"}
    store = Store.open(path)
    results["cards"], results["reviews"] = store.count("cards"), store.count("reviews")
    now = study_now(store)
    results["stats_summary_ms"] = best_of(lambda: stats.summary(store, now), repeat)
    results["deck_summaries_ms"] = best_of(lambda: store.deck_summaries(store.today(now)), repeat)
    store.close()
    results["cli_version_ms"] = cli_ms(["--version"], repeat)
    results["cli_help_ms"] = cli_ms(["--help"], repeat)
    results["cli_decks_json_ms"] = cli_ms(["decks", "--json", "--db", str(path)], repeat)
    results["cli_stats_json_ms"] = cli_ms(["stats", "--json", "--db", str(path)], repeat)
    results["cli_imports_textual"] = textual_loaded_by_cli()
    results["peak_rss_stats_json_mb"] = peak_rss_mb(["stats", "--json", "--db", str(path)])
    shutil.copyfile(path, scratch)
    results["peak_rss_review_plain_mb"] = peak_rss_mb(
        ["review", "--plain", "--db", str(scratch), "--limit", "200"], anki_race.grade_lines(200))
    results.update(answer_latency(scratch, 20 if args.tiny else 200))
    shutil.copyfile(path, scratch)
    results.update(tui_latency(scratch, 5 if args.tiny else 30))
    results.update(import_speed(1_000 if args.tiny else 10_000, work))
    if not args.no_keys:
        size_name = "tiny" if args.tiny else "100k"
        out = Path(args.keys_out) if args.keys_out else HERE / "results" / f"keys-{size_name}.json"
        n = args.keys_repeat if args.keys_repeat is not None else (1 if args.tiny else 20)
        figures = keys.run(path, n=n, cold=1 if args.tiny else 5, out=out, size_name=size_name, short=args.tiny)
        results["keys_json"] = str(out)
        results["keys_timed"] = sum(1 for f in figures["keys"].values() if f.get("count"))
        results["keys_over_100ms"] = figures["keys_over_100ms"]
        results["keys_worst_p99_ms"] = figures["worst_p99_ms"]

    if not args.no_anki:
        race = anki_race.run(tiny=args.tiny)
        print(anki_race.table(race))
        race_out = Path(args.keys_out).with_name("anki-race.json") if args.keys_out else \
            HERE / "results" / f"anki-race-{results['size']}.json"
        race_out.write_text(json.dumps(race, indent=2) + "\n", encoding="utf-8")
        results["race_json"] = str(race_out)
        for name in ("import", "answer"):
            results[f"race_{name}_mlcards_ms"] = race[name]["mlcards_ms"]
            results[f"race_{name}_anki_ms"] = race[name]["anki_ms"]
            results[f"race_{name}_ratio"] = race[name]["ratio"]

    width = max(len(k) for k in results)
    print(f"{'figure':<{width}}  value")
    for key, value in results.items():
        shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    print(json.dumps(results))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
