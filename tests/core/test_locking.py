"""Issue 8, section 1: the lock bug and its class.

A process that holds an SQLite connection must never open the database file any other way (closing
that descriptor drops the process's POSIX locks, and the next outside connection deletes the WAL in
use). Writes begin IMMEDIATE, a busy database is retried and then reported in one line, and an
answer is never dropped.
"""

from __future__ import annotations

import builtins
import io
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mlcards import answering, imports
from mlcards.database import open_database
from mlcards.store import DatabaseBusy, Store
from tests.conftest import REPO, run_cli, small_deck, utc
from tests.core._support import card_id


def _make(path: Path) -> Path:
    with Store.open(path) as s:
        s.apply_deck(small_deck())
        s.set_setting("timezone", "UTC")
    return path


def test_opening_never_touches_the_file_outside_sqlite(db_path, monkeypatch):
    """Store.open, Store.connect and every later open in the same process go through SQLite only."""
    _make(db_path)
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy(file, *a, **k):
        opened.append(str(file))
        return real_open(file, *a, **k)

    def os_spy(file, *a, **k):
        opened.append(str(file))
        return real_os_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(io, "open", spy)
    monkeypatch.setattr(os, "open", os_spy)
    with open_database(db_path) as first:
        with open_database(db_path):  # what each app worker did on every refresh
            pass
        Store.connect(db_path).close()
        answering.answer(first, card_id(first, "alpha", "recall"), 4, utc(2026, 3, 2, 12))
    assert not [p for p in opened if Path(p).name.startswith(db_path.name)], opened


def test_other_processes_opening_and_closing_never_lose_this_process_s_answers(db_path):
    """The reported scenario: the app answering while `mlcards decks` and `stats` run alongside."""
    _make(db_path)
    with open_database(db_path) as app:
        cid = card_id(app, "alpha", "recall")
        other = card_id(app, "beta", "recall")
        for i in range(3):
            with open_database(db_path):  # a worker refresh inside the app's own process
                pass
            for args in (["decks"], ["stats", "--json"]):
                assert run_cli(*args, db=db_path).returncode == 0
            answering.answer(app, cid if i % 2 == 0 else other, 4, utc(2026, 3, 2 + i, 12))
            # another process must see every answer committed so far, and may write in between
            assert _count_elsewhere(db_path) == i + 1
            assert run_cli("settings", "new_per_day", str(10 + i), db=db_path).returncode == 0
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 3


def _count_elsewhere(path: Path) -> int:
    code = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM reviews').fetchone()[0])"
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_a_busy_database_raises_one_line_and_writes_nothing(db_path):
    _make(db_path)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with open_database(db_path) as s:
            s.write_wait = 0.3
            cid = card_id(s, "alpha", "recall")
            started = time.monotonic()
            with pytest.raises(DatabaseBusy) as info:
                answering.answer(s, cid, 4, utc(2026, 3, 2, 12))
            assert time.monotonic() - started < 3
            assert str(info.value) == f"{db_path}: another mlcards is writing; try again"
            assert s.count("reviews") == 0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_a_write_waits_for_a_short_lock_instead_of_failing(db_path):
    _make(db_path)
    blocker = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: blocker.execute("COMMIT"))
    release.start()
    try:
        with open_database(db_path) as s:
            s.write_wait = 5
            answering.answer(s, card_id(s, "alpha", "recall"), 4, utc(2026, 3, 2, 12))
            assert s.count("reviews") == 1
    finally:
        release.join()
        blocker.close()


def test_writes_begin_immediate(db_path):
    """A transaction that reads, then writes, must hold the write lock from its start."""
    _make(db_path)
    with open_database(db_path) as s:
        with s.transaction():
            other = sqlite3.connect(db_path, timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()


def test_plain_review_keeps_a_busy_answer_and_saves_it(db_path):
    """`review --plain` while another process holds the write lock: one error line, then it is saved."""
    _make(db_path)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    env = {**os.environ, "MLCARDS_WRITE_WAIT": "0.3", "PYTHONIOENCODING": "utf-8"}
    env.pop("MLCARDS_DB", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlcards", "--db", str(db_path), "review", "--plain", "--limit", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
    )
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write("\n4\n")
    proc.stdin.flush()
    first = proc.stderr.readline()  # the answer is waiting for the lock
    assert first.startswith(f"error: {db_path}: another mlcards is writing; try again"), first
    blocker.execute("ROLLBACK")
    blocker.close()
    out, err = proc.communicate("q\n", timeout=60)
    assert proc.returncode == 0, err
    assert "saved 4" in out
    with open_database(db_path) as s:
        assert s.count("reviews") == 1


def test_an_interrupted_init_is_finished_by_the_next_command(tmp_path):
    """A file left without mlcards' schema (killed init) counts as new: init works, decks installs."""
    path = tmp_path / "half.db"
    sqlite3.connect(path).close()  # an empty SQLite file, as an init killed before its commit leaves
    result = run_cli("init", db=path)
    assert result.returncode == 0, result.stderr
    assert "ML Glossary" in result.stdout
    again = run_cli("init", db=path)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_migrations_and_the_bundled_deck_commit_together(tmp_path, monkeypatch):
    """If installing the bundled deck fails, nothing of the schema is left half-made."""
    path = tmp_path / "x.db"

    def boom(store):
        raise RuntimeError("simulated crash while installing")

    monkeypatch.setattr(imports, "install_bundled", boom)
    with pytest.raises(RuntimeError):
        open_database(path)
    probe = Store.connect(path)
    try:
        assert not probe.is_set_up()
    finally:
        probe.close()
    monkeypatch.undo()
    with open_database(path) as s:
        assert s.deck_names() == ["ML Glossary"]


def test_changed_elsewhere_sees_other_connections_commits_and_drops_cached_settings(db_path):
    _make(db_path)
    with open_database(db_path) as a, open_database(db_path) as b:
        assert not a.changed_elsewhere()
        assert a.setting("new_per_day") == 20
        b.set_setting("new_per_day", 7)
        assert a.changed_elsewhere()
        assert a.setting("new_per_day") == 7
        assert not a.changed_elsewhere()
        a.set_setting("new_per_day", 8)  # its own commits are not "elsewhere"
        assert not a.changed_elsewhere()
