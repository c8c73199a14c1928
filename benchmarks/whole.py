"""Whole-process figures for ``run.py``: cold start to the first card, peak RSS, a deck-file import, sync.

Each spawns real ``mlcards`` processes (``python -m mlcards`` or ``benchmarks/first_card.py``) with the
interpreter running this script, and times them from spawn to exit (the cold start: spawn to the first
card painted, as the child reports it on the system-wide monotonic clock). ``compile_package`` first:
this sandbox sets PYTHONDONTWRITEBYTECODE=1, so without fresh .pyc files every process would recompile
mlcards.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from anki_race import count  # a count read back from a database file
from keys import copy_db  # a database copied with SQLite's backup API

HERE = Path(__file__).resolve().parent
FIRST_CARD = HERE / "first_card.py"
WARMUP = 1
"""Untimed runs before the timed ones of a whole-process figure (they fill the page cache, make the day's
backup); ``run.py --tiny`` sets 0."""


def compile_package() -> Path:
    """``python -m compileall -q`` on the mlcards package this interpreter imports; returns its folder."""
    import mlcards

    package = Path(mlcards.__file__).resolve().parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    return package


# --- statistics -------------------------------------------------------------------------------------------


def quantile(sorted_values: list[float], q: float) -> float:
    """Nearest rank (the p99 of fewer than 100 samples is the largest)."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(-(-q * len(sorted_values) // 1)) - 1))
    return sorted_values[k]


def put(results: dict[str, Any], name: str, samples: list[float], unit: str = "ms") -> None:
    """``name_ms`` (the median), ``name_p95_ms``, ``name_p99_ms`` and ``name_runs`` into ``results``."""
    s = sorted(samples)
    results[f"{name}_{unit}"] = statistics.median(s) if s else None
    results[f"{name}_p95_{unit}"] = quantile(s, 0.95) if s else None
    results[f"{name}_p99_{unit}"] = quantile(s, 0.99) if s else None
    results[f"{name}_runs"] = len(s)


def samples_ms(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


# --- processes --------------------------------------------------------------------------------------------


def mlcards_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "mlcards", *args]


def run_checked(cmd: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    r = subprocess.run(cmd, input=stdin, capture_output=True)
    if r.returncode != 0:
        tail = r.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"{' '.join(cmd[1:])} exited {r.returncode}: {' | '.join(tail)}")
    return r


def process_ms(cmd: list[str], runs: int, prepare: Callable[[], None] | None = None,
               warmup: int | None = None, stdin: bytes | None = None) -> list[float]:
    """Spawn-to-exit times of ``runs`` runs of ``cmd`` (after ``warmup`` untimed ones); ``prepare`` before each."""
    warmup = WARMUP if warmup is None else warmup
    out = []
    for i in range(warmup + runs):
        if prepare is not None:
            prepare()
        t = time.perf_counter()
        run_checked(cmd, stdin)
        if i >= warmup:
            out.append((time.perf_counter() - t) * 1000)
    return out


def peak_rss_mb(cmd: list[str], stdin: bytes | None = None) -> float:
    """Peak resident memory of one whole process (the kernel's ru_maxrss, in MB)."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        assert proc.stdin is not None
        proc.stdin.write(stdin or b"")
        proc.stdin.close()
        usage = _reap(proc, err, " ".join(cmd[1:]))
    return usage.ru_maxrss / 1024


def _reap(proc: subprocess.Popen[bytes], err: Any, what: str) -> Any:
    """Wait for ``proc`` and return its resource usage; raise with the tail of ``err`` if it failed."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err.seek(0)
        tail = err.read().decode(errors="replace")[-400:]
        raise RuntimeError(f"{what} exited {proc.returncode}: {tail}")
    return usage


def first_card_cmd(db: Path, now: datetime | None, answers: int = 0) -> list[str]:
    """``mlcards review --db DB``, headless, through ``first_card.py``."""
    ours = ["--now", now.isoformat()] if now is not None else []
    if answers:
        ours += ["--answers", str(answers)]
    return [sys.executable, str(FIRST_CARD), *ours, "--", "review", "--db", str(db)]


def cold_start(db: Path, now: datetime | None, runs: int, prepare: Callable[[], None] | None = None,
               warmup: int | None = None) -> tuple[list[float], list[float]]:
    """Spawn -> first card painted, and spawn -> exit, in ms, of ``runs`` headless ``mlcards review`` runs."""
    warmup = WARMUP if warmup is None else warmup
    cmd = first_card_cmd(db, now)
    first, whole = [], []
    for i in range(warmup + runs):
        if prepare is not None:
            prepare()
        t0 = time.monotonic()
        r = subprocess.run(cmd, capture_output=True, text=True)
        t1 = time.monotonic()
        lines = r.stdout.strip().splitlines()
        if r.returncode != 0 or not lines:
            raise RuntimeError(f"first_card.py on {db} exited {r.returncode}: {r.stderr.strip()[-400:]}")
        report = json.loads(lines[-1])
        if report["first_card"] is None:
            raise RuntimeError(f"first_card.py on {db}: no card came on screen")
        if i >= warmup:
            first.append((report["first_card"] - t0) * 1000)
            whole.append((t1 - t0) * 1000)
    return first, whole


def review_session_rss_mb(db: Path, now: datetime | None, answers: int) -> tuple[float, int]:
    """Peak RSS of a whole headless review session in the app (``answers`` cards answered by key presses),
    and how many were answered."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(first_card_cmd(db, now, answers), stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        usage = _reap(proc, err, f"review session on {db}")
    report = json.loads(stdout.decode().strip().splitlines()[-1])
    return usage.ru_maxrss / 1024, int(report["answered"])


# --- a 10,000-term deck file ------------------------------------------------------------------------------


def write_deck(path: Path, terms: int) -> None:
    """A deck file in mlcards' own format (TOML, like decks/ml-glossary.toml): every field, related links."""
    def q(text: str) -> str:
        return json.dumps(text)  # a TOML basic string is a JSON string for this text

    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f'name = "Bench {terms:,}"\ndescription = "A generated deck of {terms:,} terms."\n')
        for i in range(terms):
            related = [f"concept {j}" for j in (i - 1, i + 1, i + 7) if 0 <= j < terms]
            fh.write(
                f"\n[[terms]]\nterm = {q(f'concept {i}')}\n"
                f"definition = {q(f'The {i}th concept of the generated deck, defined in one sentence.')}\n"
                f"explanation = {q(f'Concept {i} in plain words: what it is and where it is used.')}\n"
                f"example = {q(f'An example of concept {i}, with a number: {i * 7}.')}\n"
                f"related = {json.dumps(related)}\ntags = [{q(f'group{i % 17}')}]\n"
            )


def deck_import(work: Path, terms: int, runs: int) -> dict[str, Any]:
    """``mlcards import DECK.toml --db DB`` whole, into a database holding the bundled deck, ``runs`` times."""
    folder = work / "deck-import"
    folder.mkdir(exist_ok=True)
    deck = folder / f"deck-{terms}.toml"
    write_deck(deck, terms)
    empty, db = folder / "empty.db", folder / "import.db"
    run_checked(mlcards_cmd("decks", "--db", str(empty)))  # a new database: the bundled deck, every migration
    before = count(empty, "SELECT COUNT(*) FROM terms")
    times = process_ms(mlcards_cmd("import", str(deck), "--db", str(db)), runs, lambda: copy_db(empty, db))
    return {"samples": times, "terms": count(db, "SELECT COUNT(*) FROM terms") - before}


# --- sync -------------------------------------------------------------------------------------------------

UUID_SQL = ("lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)"
            " || '-' || substr('89ab', 1 + abs(random()) % 4, 1) || substr(lower(hex(randomblob(2))), 2) || '-'"
            " || lower(hex(randomblob(6)))")


def add_answers(db: Path, answers: int) -> None:
    """``answers`` new review rows on ``db``'s cards, one per card per day over the days before today, each with
    its own UUID: the sync triggers record one event per row, as for answers given in the app."""
    conn = sqlite3.connect(db)
    try:
        cards = [r[0] for r in conn.execute("SELECT id FROM cards ORDER BY id")]
        days = -(-answers // len(cards))
        rows = []
        for k in range(answers):
            card, day = cards[k % len(cards)], days - k // len(cards)
            grade = 2 if k % 7 == 0 else 4
            rows.append((card, f"-{day} days", f"-{day} days", grade, "new" if day == days else "review",
                         k % 5000 + 1500))
        with conn:
            conn.executemany(
                f"""INSERT INTO review_log (card_id, reviewed_at, utc_offset_min, study_day, grade, kind, reps_before,
                    reps_after, ease_before, ease_after, interval_before, interval_after, lapse, leeched, duration_ms,
                    uuid)
                    VALUES (?, strftime('%Y-%m-%dT12:00:00.000Z', 'now', ?), 0, date('now', ?), ?, ?, 0, 1, 250, 250,
                    0, 1, 0, 0, ?, {UUID_SQL})""",
                rows,
            )
    finally:
        conn.close()


def sync_json(*args: str) -> dict[str, Any]:
    r = run_checked(mlcards_cmd("sync", *args, "--json"))
    return dict(json.loads(r.stdout))


def sync_bench(work: Path, events: int, runs: int) -> dict[str, Any]:
    """Two databases sharing a folder, in step; then ``events`` new answers on A. Timed, ``runs`` times from
    the same files: ``mlcards sync DIR --db A`` (push) and then ``mlcards sync DIR --db B`` (pull)."""
    root = work / "sync"
    setup, live = root / "setup", root / "live"
    setup.mkdir(parents=True)
    shared = setup / "shared"
    shared.mkdir()
    a, b = setup / "a.db", setup / "b.db"
    sync_json(str(shared), "--db", str(a))  # a new database with the bundled deck; sends its baseline
    copy_db(a, b)
    sync_json("--new-device", str(shared), "--db", str(b))
    sync_json(str(shared), "--db", str(a))
    sync_json(str(shared), "--db", str(b))
    add_answers(a, events)
    push_ms: list[float] = []
    pull_ms: list[float] = []
    sent = received = 0
    for _ in range(runs):
        if live.exists():
            shutil.rmtree(live)
        shutil.copytree(setup, live)
        la, lb, folder = live / "a.db", live / "b.db", live / "shared"
        t = time.perf_counter()
        pushed = sync_json(str(folder), "--db", str(la))
        push_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        pulled = sync_json(str(folder), "--db", str(lb))
        pull_ms.append((time.perf_counter() - t) * 1000)
        sent, received = int(pushed["sent"]), int(pulled["received"])
    return {"push": push_ms, "pull": pull_ms, "events": events, "sent": sent, "received": received,
            "answers_on_b": count(live / "b.db", "SELECT COUNT(*) FROM review_log")}
