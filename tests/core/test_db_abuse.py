"""Issue 8, section 5: database abuse gets one line, not a traceback.

Corrupt pages, a missing table, hand-edited settings, bad JSON in a column, a read-only database, a
locked one, a full disk, odd paths, a newer schema (refused without touching it), an export onto the
database itself, and a time-zone change that must never schedule a card twice in one study day.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mlcards import answering, cli
from mlcards.database import open_database
from mlcards.store import Store
from tests.conftest import REPO, run_cli, small_deck, utc
from tests.core._support import card_id, card_row


def _make(path: Path) -> Path:
    with Store.open(path) as s:
        s.apply_deck(small_deck())
        s.set_setting("timezone", "UTC")
        answering.answer(s, card_id(s, "alpha", "recall"), 4, utc(2026, 3, 2, 12))
    return path


def _one_error(result, *needles: str) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def test_corrupt_pages_are_one_line_for_every_command(tmp_path):
    path = tmp_path / "c.db"
    with open_database(path) as s:  # the bundled deck: many pages
        s.set_setting("timezone", "UTC")
    _sql(path, "PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA journal_mode = DELETE")
    size = path.stat().st_size
    with open(path, "r+b") as fh:  # no connection is open in this process
        fh.seek(4096)
        fh.write(os.urandom(size - 8192))
    failed = 0
    for args in (["decks"], ["stats", "--json"], ["review", "--plain"], ["export", str(tmp_path / "o.json"),
                 "--deck", "ML Glossary"], ["settings"]):
        result = run_cli(*args, db=path, input="q\n")
        assert "Traceback" not in result.stderr, (args, result.stderr)
        if result.returncode != 0:
            _one_error(result)
            failed += 1
    assert failed >= 3  # most commands read damaged pages and say so in one line


def test_a_missing_table_is_one_line(tmp_path):
    path = _make(tmp_path / "m.db")
    _sql(path, "DROP VIEW reviews", "DROP TABLE review_log")
    _one_error(run_cli("stats", db=path), "missing part of its schema", "reviews", "doctor")


def test_a_hand_edited_setting_is_one_line_and_can_be_reset(tmp_path):
    path = _make(tmp_path / "s.db")
    _sql(path, "INSERT INTO settings (key, value) VALUES ('rollover_hour', 'abc') "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
    _one_error(run_cli("decks", db=path), "rollover_hour", "mlcards settings rollover_hour 4")
    fixed = run_cli("settings", "rollover_hour", "4", db=path)
    assert fixed.returncode == 0, fixed.stderr
    assert run_cli("decks", db=path).returncode == 0
    _sql(path, "UPDATE settings SET value = '99' WHERE key = 'rollover_hour'")  # valid JSON, out of range
    _one_error(run_cli("decks", db=path), "rollover_hour")


def test_bad_json_in_a_column_is_one_line(tmp_path):
    path = _make(tmp_path / "j.db")
    _sql(path, "UPDATE terms SET related = '{not json' WHERE key = 'alpha'")
    _one_error(run_cli("export", str(tmp_path / "out.json"), "--deck", "Tiny", db=path), "damaged value", "doctor")
    assert not (tmp_path / "out.json").exists()


def test_a_read_only_database_is_one_line(tmp_path, monkeypatch, capsys):
    path = _make(tmp_path / "r.db")
    real = sqlite3.connect

    def read_only(database, *a, **k):  # root ignores file modes, so open it the way a read-only file opens
        uri = "file:" + os.fsdecode(database) + "?mode=ro"
        return real(uri, *a, uri=True, **k)

    monkeypatch.setattr(sqlite3, "connect", read_only)
    assert cli.main(["--db", str(path), "settings", "new_per_day", "5"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "read-only" in err[0], err


def test_a_locked_database_is_one_line_and_nothing_is_written(tmp_path):
    path = _make(tmp_path / "l.db")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        result = run_cli("settings", "new_per_day", "5", db=path, env={"MLCARDS_WRITE_WAIT": "0.3"})
        _one_error(result, str(path), "another mlcards is writing; try again")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with open_database(path) as s:
        assert s.setting("new_per_day") == 20


def test_a_full_disk_is_one_line_and_the_import_is_all_or_nothing(tmp_path, monkeypatch, capsys):
    path = _make(tmp_path / "f.db")
    deck = tmp_path / "big.toml"
    rows = "\n".join(
        f'[[terms]]\nterm = "term {i}"\ndefinition = "{"word " * 60}{i}"\n' for i in range(400)
    )
    deck.write_text(f'name = "Big"\n\n{rows}\n')
    real_connect = Store.connect.__func__

    def tight(cls, p, **k):  # the file may not grow: SQLite reports the disk as full
        store = real_connect(cls, p, **k)
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages + 2}")
        return store

    monkeypatch.setattr(Store, "connect", classmethod(tight))
    assert cli.main(["--db", str(path), "import", str(deck)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "disk is full" in err[0], err
    monkeypatch.undo()
    with open_database(path) as s:
        assert s.deck_names() == ["Tiny"]


def test_an_over_long_path_is_one_line(tmp_path):
    _one_error(run_cli("decks", db=tmp_path / ("x" * 300 + ".db")))
    deep = tmp_path.joinpath(*(["d" * 200] * 25)) / "x.db"  # longer than PATH_MAX
    _one_error(run_cli("decks", db=deep))


def test_a_non_utf8_path_works(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.db"  # Latin-1 bytes: not valid UTF-8
    env = {**os.environ}
    env.pop("MLCARDS_DB", None)
    for args in (["init", "--empty"], ["decks"]):
        result = subprocess.run([sys.executable, "-m", "mlcards", "--db", raw, *args], capture_output=True,
                                env=env, cwd=REPO, timeout=60)
        assert result.returncode == 0, result.stderr
    assert os.path.exists(raw)


def test_a_newer_schema_is_refused_without_touching_the_file(tmp_path):
    path = _make(tmp_path / "n.db")
    _sql(path, "PRAGMA journal_mode = DELETE",
         "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('mlcards', '9999_future', 'x')")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for args in (["decks"], ["settings", "new_per_day", "3"], ["import", str(REPO / "decks" / "ml-glossary.toml")]):
        _one_error(run_cli(*args, db=path), "newer mlcards")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.db"]  # no -wal, -shm or backup files


def test_export_onto_the_database_itself_is_refused(tmp_path):
    path = _make(tmp_path / "deck.json")  # a database that happens to have a deck-file extension
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    _one_error(run_cli("export", str(path), "--deck", "Tiny", db=path), "the database itself")
    _one_error(run_cli("export", str(tmp_path / "deck.json-wal"), "--deck", "Tiny", db=path), "the database itself")
    other = tmp_path / "reviews.csv"
    db2 = _make(other)
    _one_error(run_cli("export", "--reviews", str(other), db=db2), "the database itself")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_changing_the_time_zone_never_schedules_a_card_twice_in_one_study_day(tmp_path):
    path = tmp_path / "tz.db"
    with Store.open(path) as s:
        s.apply_deck(small_deck())
        s.set_setting("timezone", "Asia/Tokyo")
        cid = card_id(s, "alpha", "recall")
        first = answering.answer(s, cid, 4, utc(2026, 3, 2, 20))  # 05:00 on 3 March in Tokyo: study day 3 March
        assert first.study_day.isoformat() == "2026-03-03" and first.kind == "new"
        scheduled = card_row(s, cid)
        s.set_setting("timezone", "America/Los_Angeles")
        # an hour later it is 13:00 on 2 March in Los Angeles: "today" went back a day
        assert s.today(utc(2026, 3, 2, 21)).isoformat() == "2026-03-02"
        again = answering.answer(s, cid, 5, utc(2026, 3, 2, 21))
        assert again.kind == "redrill" and again.study_day.isoformat() == "2026-03-03"
        assert card_row(s, cid) == scheduled  # the schedule did not move a second time
        # the next real study day in the new zone schedules it normally
        later = answering.answer(s, cid, 4, utc(2026, 3, 4, 20))
        assert later.kind == "review"


@pytest.mark.parametrize("command", [["decks"], ["stats"]])
def test_a_missing_database_folder_permission_problem_is_one_line(tmp_path, command):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _one_error(run_cli(*command, db=blocker / "sub" / "x.db"))  # a file where a folder should be
