"""mlcards benchmarks: every figure of issue 14, with its target, met or missed (``make bench``).

    python benchmarks/run.py            # 100,002 cards and ~1,000,000 reviews (built once into a temp dir)
    python benchmarks/run.py --db PATH  # build into PATH if missing, reuse it afterwards
    python benchmarks/run.py --tiny     # a small database and tiny sizes: keeps every code path working in CI
    python benchmarks/run.py --markdown FILE   # also write the TARGETS table as Markdown (for the README)

First ``python -m compileall -q`` on the mlcards package that runs (this sandbox sets
PYTHONDONTWRITEBYTECODE=1, and a process that recompiles mlcards looks 0.3-0.4 s slower than it is).
Whole processes are timed where that is what a person feels: the cold start to the first card on screen
(``benchmarks/first_card.py``: ``mlcards review`` headless, with the bundled deck in a fresh database and on
the benchmark database), ``--help``, ``decks``, ``stats --json``, the import of a 10,000-term deck file,
``sync`` of 10,000 new events (push on one database, pull on the other), peak RSS of a review session in the
app and of ``stats --json``. In process: answer (commit + next card), today's queue, the dashboard counts,
``stats.summary``. Then the key-latency benchmark (``benchmarks/keys.py``: every key of the dashboard,
review, browse, edit, stats and quiz screens, press to settled; JSON in benchmarks/results/keys-<size>.json,
--keys-out elsewhere, --no-keys skips it) and the race against Anki's engine (``benchmarks/anki_race.py``;
--no-anki skips it).

Repeated figures are given as the median with p95 and p99 (nearest rank: with fewer than 100 runs the p99
is the slowest run). Prints every figure, then the TARGETS table (figure, target, measured, met/missed),
then one JSON line with every figure (milliseconds unless named otherwise); writes the same JSON, targets
included, to benchmarks/results/bench-<size>.json (or --out).
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
import targets  # noqa: E402  (issue 14's targets, the TARGETS table and its Markdown)
import whole  # noqa: E402  (whole-process figures: cold start, RSS, deck import, sync)
from whole import put, samples_ms  # noqa: E402

from mlcards import stats  # noqa: E402
from mlcards.store import Store  # noqa: E402


def cli_ms(args: list[str], runs: int) -> list[float]:
    """Spawn-to-exit times of ``mlcards ARGS`` (one untimed run first)."""
    return whole.process_ms(whole.mlcards_cmd(*args), runs)


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
    """Build today's session, then time answer (one committed transaction) + next card (p99: nearest rank)."""
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
        "answer_next_p95_ms": whole.quantile(times, 0.95) if times else None,
        "answer_next_p99_ms": whole.quantile(times, 0.99) if times else None,
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


def prepared_copy(path: Path, dst: Path) -> Path:
    """A copy of the benchmark database brought to this code's schema (UUIDs filled as ``keys.py`` does), so
    no timed process runs a migration; the migration's backup copies are removed."""
    whole.copy_db(path, dst)
    keys.fill_uuids(dst)
    Store.open(dst).close()
    for backup in dst.parent.glob(dst.name + ".pre-*"):
        backup.unlink()
    return dst


def key_figures(figures: dict) -> dict:
    """The figures issue 14 names, out of ``keys.py``'s report."""
    entries = figures["keys"]

    def p99(names: list[str]) -> tuple[float | None, str | None]:
        timed = [(entries[n]["p99_ms"], n) for n in names if entries.get(n, {}).get("count")]
        return max(timed) if timed else (None, None)

    stats_change = ["stats: r (range)", "stats: d (deck)"]
    screen_keys = [n for n in entries if n.split(":")[0] in ("review", "browse", "edit", "stats")
                   and n != "stats: s (open)" and n not in stats_change]
    worst, worst_name = p99(screen_keys)
    opening = ("(open)", "edit open", "(term view)", "(leave)")  # keys that open or close a screen
    inner, inner_name = p99([n for n in screen_keys if not any(o in n for o in opening)])
    return {
        "keys_timed": sum(1 for f in entries.values() if f.get("count")),
        "keys_over_100ms": figures["keys_over_100ms"],
        "keys_worst_p99_ms": figures["worst_p99_ms"],
        "keys_grade_p99_ms": p99([f"review: {g} (grade + next)" for g in range(6)])[0],
        "keys_screens_worst_p99_ms": worst,
        "keys_screens_worst_key": worst_name,
        "keys_in_screen_worst_p99_ms": inner,
        "keys_in_screen_worst_key": inner_name,
        "keys_stats_open_p99_ms": p99(["stats: s (open)"])[0],
        "keys_stats_change_p99_ms": p99(stats_change)[0],
    }


def git_head() -> str | None:
    r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True)
    return r.stdout.strip() or None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="benchmark database (built if missing, reused if present; never written)")
    ap.add_argument("--tiny", action="store_true", help="small sizes, for CI")
    ap.add_argument("--repeat", type=int, default=10, help="runs of each whole-process figure, after one untimed (default 10; tiny: 1, none untimed)")
    ap.add_argument("--keys-repeat", type=int, default=None, help="presses of each key (default 20; tiny 1)")
    ap.add_argument("--keys-out", help="key-latency JSON (default benchmarks/results/keys-<size>.json)")
    ap.add_argument("--no-keys", action="store_true", help="skip the key-latency benchmark")
    ap.add_argument("--no-anki", action="store_true", help="skip the race against Anki's engine")
    ap.add_argument("--out", help="this run's JSON (default benchmarks/results/bench-<size>.json)")
    ap.add_argument("--markdown", metavar="FILE", help="write the TARGETS table as Markdown, with the machine")
    args = ap.parse_args(argv)
    tiny = args.tiny
    size = stats_bench.TINY if tiny else stats_bench.FULL
    size_name = "tiny" if tiny else "100k"
    runs = 1 if tiny else args.repeat
    whole.WARMUP = 0 if tiny else 1
    in_process = 5 if tiny else 3 * args.repeat
    compiled = whole.compile_package()  # before any whole-process timing (PYTHONDONTWRITEBYTECODE=1 here)
    print(f"compiled {compiled} (python -m compileall -q): whole processes load fresh .pyc files", file=sys.stderr)
    tmp = tempfile.TemporaryDirectory(prefix="mlcards-bench-")
    work = Path(tmp.name)
    path = Path(args.db) if args.db else work / "bench.db"
    if not path.exists():
        stats_bench.build(path, size)
    load_before = os.getloadavg()[0]
    results: dict = {"size": "tiny" if tiny else "full", "compiled": str(compiled), "commit": git_head(),
                     "machine": targets.machine()}
    base = prepared_copy(path, work / "base.db")  # the benchmark database at this code's schema
    scratch = work / "scratch.db"  # the answer benchmarks write: they run on copies of base

    def fresh_scratch() -> Path:
        whole.copy_db(base, scratch)
        return scratch

    def step(name: str) -> None:
        print(f"  {name} ({time.strftime('%H:%M:%S')})", file=sys.stderr)

    step("in-process figures")
    store = Store.open(base)
    results["cards"], results["reviews"] = store.count("cards"), store.count("reviews")
    now = study_now(store)
    today = store.today(now)
    from mlcards.todayqueue import day_counts, todays_queue

    put(results, "stats_summary", samples_ms(lambda: stats.summary(store, now), in_process))
    put(results, "todays_queue", samples_ms(lambda: todays_queue(store, today), in_process))
    put(results, "day_counts", samples_ms(lambda: day_counts(store, today), in_process))
    put(results, "deck_summaries", samples_ms(lambda: store.deck_summaries(today), in_process))
    store.close()

    step("command-line processes")
    put(results, "cli_version", cli_ms(["--version"], runs))
    put(results, "cli_help", cli_ms(["--help"], runs))
    put(results, "cli_decks", cli_ms(["decks", "--db", str(base)], runs))
    put(results, "cli_decks_json", cli_ms(["decks", "--json", "--db", str(base)], runs))
    put(results, "cli_stats_json", cli_ms(["stats", "--json", "--db", str(base)], runs))
    results["cli_imports_textual"] = textual_loaded_by_cli()

    step("cold start to the first card")
    fresh_dir = work / "fresh"

    def new_database() -> None:
        if fresh_dir.exists():
            shutil.rmtree(fresh_dir)
        fresh_dir.mkdir()

    first, exits = whole.cold_start(fresh_dir / "mlcards.db", None, runs, prepare=new_database)
    put(results, "cold_start_bundled", first)
    put(results, "cold_start_bundled_exit", exits)
    first, exits = whole.cold_start(fresh_dir / "mlcards.db", None, runs)  # the same database, launched again
    put(results, "cold_start_bundled_again", first)
    first, exits = whole.cold_start(base, now, runs)  # (the warm-up run also makes the day's backup)
    put(results, "cold_start_benchdb", first)
    put(results, "cold_start_benchdb_exit", exits)

    step("peak memory")
    results["peak_rss_stats_json_mb"] = whole.peak_rss_mb(whole.mlcards_cmd("stats", "--json", "--db", str(base)))
    answers = 5 if tiny else 100
    results["peak_rss_review_tui_mb"], results["peak_rss_review_tui_answers"] = whole.review_session_rss_mb(
        fresh_scratch(), now, answers)
    results["peak_rss_review_plain_mb"] = whole.peak_rss_mb(
        whole.mlcards_cmd("review", "--plain", "--db", str(fresh_scratch()), "--limit", "200"),
        anki_race.grade_lines(200))

    step("answers")
    results.update(answer_latency(fresh_scratch(), 20 if tiny else 500))
    results.update(tui_latency(fresh_scratch(), 5 if tiny else 30))

    step("imports")
    results.update(import_speed(1_000 if tiny else 10_000, work))
    deck = whole.deck_import(work, 200 if tiny else 10_000, runs)
    put(results, "deck_import", deck["samples"])
    results["deck_import_terms"] = deck["terms"]

    step("sync")
    synced = whole.sync_bench(work, 200 if tiny else 10_000, 1 if tiny else max(3, runs // 2))
    put(results, "sync_push", synced["push"])
    put(results, "sync_pull", synced["pull"])
    results.update({f"sync_{k}": synced[k] for k in ("events", "sent", "received", "answers_on_b")})

    if not args.no_keys:
        step("key latency (keys.py)")
        out = Path(args.keys_out) if args.keys_out else HERE / "results" / f"keys-{size_name}.json"
        n = args.keys_repeat if args.keys_repeat is not None else (1 if tiny else 20)
        figures = keys.run(path, n=n, cold=1 if tiny else 5, out=out, size_name=size_name, short=tiny)
        results["keys_json"] = str(out)
        results.update(key_figures(figures))

    if not args.no_anki:
        step("race against Anki's engine (anki_race.py)")
        race = anki_race.run(tiny=tiny)
        print(anki_race.table(race))
        race_out = Path(args.keys_out).with_name("anki-race.json") if args.keys_out else \
            HERE / "results" / f"anki-race-{results['size']}.json"
        race_out.write_text(json.dumps(race, indent=2) + "\n", encoding="utf-8")
        results["race_json"] = str(race_out)
        for name in ("import", "answer"):
            results[f"race_{name}_mlcards_ms"] = race[name]["mlcards_ms"]
            results[f"race_{name}_anki_ms"] = race[name]["anki_ms"]
            results[f"race_{name}_ratio"] = race[name]["ratio"]

    results["load_average"] = f"{load_before:.2f} -> {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    width = max(len(k) for k in results if k != "machine")
    print(f"{'figure':<{width}}  value")
    for key, value in results.items():
        if key == "machine":
            continue
        shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    print()
    print(targets.table(results))
    results["targets"] = targets.rows(results)
    out_json = Path(args.out) if args.out else HERE / "results" / f"bench-{size_name}.json"
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out_json}", file=sys.stderr)
    if args.markdown:
        Path(args.markdown).write_text(targets.markdown(results), encoding="utf-8")
        print(f"wrote {args.markdown}", file=sys.stderr)
    print(json.dumps(results))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
