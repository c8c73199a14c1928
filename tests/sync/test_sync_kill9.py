"""``kill -9`` during ``mlcards sync`` at random moments: the next sync completes, nothing lost or doubled.

Two databases set up independently (``init``: the bundled deck on each), answers on both, then
``mlcards sync`` processes on either side killed at seeded random moments (``tests.process._proc.SEED``)
while they read, apply and write. Afterwards two complete syncs each: every answer is in both logs
exactly once, both schedules are the fold of the merged log, and the folder holds no half-written file.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlcards import answering
from mlcards.store import Store
from tests.process._proc import SEED, db_args, integrity, make_env, mlcards_argv, run

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX processes and signals"),
]


def _answer_some(db: Path, n: int, grade_seed: int) -> set[str]:
    rng = random.Random(grade_seed)
    with Store.open(db) as s:
        cards = s.card_ids()
        made = set()
        for cid in rng.sample(cards, n):
            rid = answering.answer(s, cid, rng.randint(0, 5)).review_id
            made.add(s.db.execute("SELECT uuid FROM review_log WHERE id = ?", [rid]).fetchone()[0])
        undo_id = s.db.execute("SELECT id FROM reviews ORDER BY id LIMIT 1").fetchone()[0]
        answering.undo(s, undo_id)
    return made


def _state(db: Path) -> tuple:
    with Store.open(db) as s:
        log = s.db.execute("SELECT uuid, undone_at IS NULL FROM review_log ORDER BY uuid").fetchall()
        cards = s.db.execute(
            "SELECT uuid, repetitions, easiness_centi, interval, due, lapses, suspended FROM cards ORDER BY uuid"
        ).fetchall()
        doubled = s.db.execute("SELECT COUNT(*) - COUNT(DISTINCT uuid) FROM review_log").fetchone()[0]
        refolded = answering.rebuild(s)
    return log, cards, doubled, refolded


def test_kill9_during_sync_then_the_next_sync_completes(tmp_path):
    env = make_env(tmp_path)
    folder = tmp_path / "shared"
    folder.mkdir()
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for db in (a, b):
        run(db_args(db, "init"), env)
    made = _answer_some(a, 12, SEED) | _answer_some(b, 12, SEED + 1)

    start = time.monotonic()
    run(db_args(a, "sync", str(folder)), env)
    duration = time.monotonic() - start
    rng = random.Random(SEED)
    kills = 0
    for round_ in range(8):
        db = (b, a)[round_ % 2]
        if round_ == 4:
            _answer_some(a, 3, SEED + 2 + round_)  # more to send while the others are killed
        proc = subprocess.Popen([*mlcards_argv(), *db_args(db, "sync", str(folder))], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.1, 1.2) * duration)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(30)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert "Traceback" not in err, err
    assert kills >= 2, f"only {kills} kills landed on a running sync (seed {SEED})"

    for db in (a, b, a, b):
        r = run(db_args(db, "sync", str(folder)), env)
        assert "warning" not in r.stderr, r.stderr
    for db in (a, b):
        assert integrity(db) == "ok"
    log_a, cards_a, doubled_a, refold_a = _state(a)
    log_b, cards_b, doubled_b, refold_b = _state(b)
    assert doubled_a == doubled_b == 0
    assert log_a == log_b and cards_a == cards_b, f"seed {SEED}"
    assert made <= {u for u, _ in log_a}
    assert refold_a == refold_b == 0  # each cache is the fold of the merged log
    assert not list(folder.rglob("*.tmp"))  # a killed writer's temporary file is cleared by the next sync
