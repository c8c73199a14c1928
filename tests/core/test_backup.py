"""Backups and restore (issue 8, section 6): real SQLite files and the real ``mlcards`` command."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from mlcards import answering, backup
from mlcards.database import open_database
from mlcards.store import Store
from mlcards.store.schema import migrations
from tests.conftest import REPO, run_cli, small_deck
from tests.core._support import card_id

SCHEMAS = REPO / "tests" / "fixtures" / "schemas"
TABLES = ("decks", "terms", "links", "cards", "reviews", "settings")


def make_db(path: Path) -> Path:
    with Store.open(path) as s:
        s.apply_deck(small_deck())
        s.set_setting("timezone", "UTC")
        answering.answer(s, card_id(s, "alpha", "recall"), 4)
    return path


def rows(path: Path) -> dict:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}
    finally:
        con.close()


def counts(path: Path) -> dict:
    return {t: len(v) for t, v in rows(path).items()}


def applied(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    finally:
        con.close()


def integrity(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def one_error_line(r) -> str:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


def no_temp_files(folder: Path) -> None:
    leftovers = [p.name for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert leftovers == []


def corrupt(path: Path) -> None:
    """Keep page 1 (the header and schema), overwrite every other page with garbage."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for i in range(page, len(data)):
        data[i] = (i * 37 + 11) % 256
    path.write_bytes(bytes(data))


# --- mlcards backup ---------------------------------------------------------------------------------


def test_backup_while_another_connection_holds_a_write_transaction(tmp_path):
    db = make_db(tmp_path / "c.db")
    before = rows(db)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO settings (key, value) VALUES ('new_per_day', '3')")
        writer.execute("UPDATE cards SET interval = 99")
        out = tmp_path / "copy.bak"
        r = run_cli("backup", str(out), db=db)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == f"backed up {db} to {out}"
        assert writer.in_transaction  # the copy neither waited for nor disturbed the writer
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert rows(out) == before  # the committed state, without the uncommitted change
    assert integrity(out) == "ok"
    assert applied(out) == applied(db)
    con = sqlite3.connect(out)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    con.close()
    assert not (tmp_path / "copy.bak-wal").exists()
    no_temp_files(tmp_path)


def test_backup_by_default_goes_to_the_backups_folder_beside_the_database(tmp_path):
    db = make_db(tmp_path / "c.db")
    first = run_cli("backup", db=db)
    second = run_cli("backup", db=db)
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    made = sorted((tmp_path / "backups").iterdir())
    assert len(made) == 2
    for p in made:
        assert re.fullmatch(r"c\.db\.\d{8}T\d{6}Z(-\d+)?\.bak", p.name), p.name
        assert rows(p) == rows(db)
        assert p.name in first.stdout + second.stdout
    no_temp_files(tmp_path)


def test_backup_into_a_folder_and_errors(tmp_path):
    db = make_db(tmp_path / "c.db")
    (tmp_path / "keep").mkdir()
    r = run_cli("backup", str(tmp_path / "keep"), db=db)
    assert r.returncode == 0, r.stderr
    (made,) = (tmp_path / "keep").iterdir()
    assert rows(made) == rows(db)
    assert "does not exist" in one_error_line(run_cli("backup", str(tmp_path / "no" / "x.bak"), db=db))
    assert "no database here" in one_error_line(run_cli("backup", db=tmp_path / "missing.db"))
    assert not (tmp_path / "missing.db").exists()
    line = one_error_line(run_cli("backup", str(db), db=db))
    assert "database itself" in line
    assert integrity(db) == "ok"


# --- the automatic daily backup ---------------------------------------------------------------------


def test_daily_backup_once_per_study_day_keeps_seven(tmp_path):
    db = make_db(tmp_path / "c.db")
    with open_database(db) as s:
        today = s.today()
    folder = tmp_path / "backups"
    folder.mkdir()
    for n in range(1, 10):  # nine older daily backups
        (folder / f"c.db.daily-{today - timedelta(days=n)}.bak").write_bytes(b"old")
    manual = folder / "c.db.20240101T000000Z.bak"
    manual.write_bytes(b"manual")
    other = folder / "other.db.daily-2000-01-01.bak"  # another database's backups are not counted
    other.write_bytes(b"other")

    assert run_cli("decks", db=db).returncode == 0  # reading does not back up
    assert not (folder / f"c.db.daily-{today}.bak").exists()

    r = run_cli("settings", "new_per_day", "11", db=db)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    daily = sorted(p.name for p in folder.glob("c.db.daily-*.bak"))
    assert daily == [f"c.db.daily-{today - timedelta(days=n)}.bak" for n in range(6, -1, -1)]
    newest = folder / f"c.db.daily-{today}.bak"
    assert integrity(newest) == "ok"
    assert rows(newest)["cards"] == rows(db)["cards"]
    assert manual.exists() and other.exists()

    stamp = newest.stat().st_mtime_ns
    assert run_cli("settings", "new_per_day", "12", db=db).returncode == 0  # same day: nothing new
    assert newest.stat().st_mtime_ns == stamp
    assert len(list(folder.glob("c.db.daily-*.bak"))) == 7
    no_temp_files(tmp_path)


def test_a_failed_daily_backup_is_a_note_after_the_command_succeeds(tmp_path):
    db = make_db(tmp_path / "c.db")
    (tmp_path / "backups").write_text("a file where the folder belongs")
    r = run_cli("settings", "new_per_day", "11", db=db)
    assert r.returncode == 0 and r.stdout == "new_per_day = 11\n"
    (note,) = r.stderr.splitlines()
    assert note.startswith("note: the daily backup was not written: ") and "backups" in note
    with open_database(db) as s:
        assert s.setting("new_per_day") == 11


def test_temporary_files_of_a_killed_copy_are_swept(tmp_path):
    db = make_db(tmp_path / "c.db")
    folder = tmp_path / "backups"
    folder.mkdir()
    stale, fresh = folder / ".c.db.daily-2020-01-01.bak.abc.tmp", folder / ".c.db.daily-2020-01-02.bak.def.tmp"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")  # perhaps another process copying right now: kept
    os.utime(stale, (1, 1))
    with open_database(db) as s:
        assert backup.daily_backup(s) is not None
    assert not stale.exists() and fresh.exists()


def test_daily_backup_function(tmp_path):
    db = make_db(tmp_path / "c.db")
    with open_database(db) as s:
        day = s.today()
        made = [backup.daily_backup(s, today=day + timedelta(days=n)) for n in range(10)]
        assert all(p is not None for p in made)
        assert backup.daily_backup(s, today=day + timedelta(days=9)) is None
        assert backup.daily_backup(s, today=day) is None  # an earlier day than the newest: nothing
    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert kept == [f"c.db.daily-{day + timedelta(days=n)}.bak" for n in range(3, 10)]
    assert Store.memory().path is None and backup.daily_backup(Store.memory()) is None


# --- restore ----------------------------------------------------------------------------------------


def test_restore_replaces_the_database_and_keeps_the_previous_one(tmp_path):
    db = make_db(tmp_path / "c.db")
    saved = tmp_path / "saved.bak"
    assert run_cli("backup", str(saved), db=db).returncode == 0
    old = rows(db)
    with open_database(db) as s:
        s.set_setting("new_per_day", 5)
        answering.answer(s, card_id(s, "beta", "recall"), 5)
    changed = rows(db)
    assert changed != old
    reader = sqlite3.connect(db)  # another connection stays open across the restore
    try:
        assert reader.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 2
        r = run_cli("restore", str(saved), db=db)
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines()[0] == f"restored {db} from {saved} (1 deck, 18 cards, 1 review)"
        assert reader.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1  # sees the restored file
    finally:
        reader.close()
    assert rows(db) == old
    assert integrity(db) == "ok"
    (previous,) = (tmp_path / "backups").glob("c.db.pre-restore-*.bak")
    assert str(previous) in r.stdout
    assert rows(previous) == changed
    with open_database(db) as s:  # the restored database opens and works
        assert s.setting("new_per_day") == 20
        answering.answer(s, card_id(s, "gamma", "recall"), 4)
    no_temp_files(tmp_path)


def test_restore_an_older_schema_upgrades_it_at_once(tmp_path):
    db = make_db(tmp_path / "c.db")
    r = run_cli("restore", str(SCHEMAS / "schema-0001.db"), db=db)
    assert r.returncode == 0, r.stderr
    assert "(2 decks, 18 cards, 5 reviews)" in r.stdout.splitlines()[0]
    assert applied(db) == [m.name for m in migrations._migrations]
    assert counts(db) == counts(SCHEMAS / "schema-0001.db")
    (pre,) = tmp_path.glob("c.db.pre-0002-*.bak")
    assert applied(pre) == ["0001_initial"]


def test_restore_into_a_missing_database_creates_it(tmp_path):
    src = make_db(tmp_path / "c.db")
    target = tmp_path / "new.db"
    r = run_cli("restore", str(src), db=target)
    assert r.returncode == 0, r.stderr
    assert rows(target) == rows(src)
    assert not (tmp_path / "backups").exists()


def _refused(tmp_path: Path, bad: Path, expect: str) -> None:
    db = make_db(tmp_path / "c.db")
    before_bytes, before_rows = db.read_bytes(), rows(db)
    line = one_error_line(run_cli("restore", str(bad), db=db))
    assert line.startswith(f"error: {bad}: "), line
    assert expect in line, line
    assert "nothing was restored" in line or "no such file" in line
    assert db.read_bytes() == before_bytes and rows(db) == before_rows
    assert not (tmp_path / "backups").exists()  # refused before anything was written


def test_restore_refuses_a_non_sqlite_file(tmp_path):
    bad = tmp_path / "notes.bak"
    bad.write_text("these are not the cards you are looking for\n" * 10)
    _refused(tmp_path, bad, "not an SQLite database")


def test_restore_refuses_a_corrupt_file(tmp_path):
    bad = make_db(tmp_path / "damaged.db")
    corrupt(bad)
    _refused(tmp_path, bad, "damaged")


def test_restore_refuses_a_file_from_a_newer_mlcards(tmp_path):
    bad = make_db(tmp_path / "future.db")
    con = sqlite3.connect(bad)
    con.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('mlcards', '9999_future', 'x')")
    con.commit()
    con.close()
    _refused(tmp_path, bad, "newer mlcards")


def test_restore_refuses_other_sqlite_files_and_missing_files(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    _refused(tmp_path, other, "not an mlcards database")
    shutil.rmtree(tmp_path / "backups", ignore_errors=True)
    (tmp_path / "c.db").unlink()
    _refused(tmp_path, tmp_path / "nowhere.bak", "no such file")


def test_restore_over_a_damaged_database(tmp_path):
    good = make_db(tmp_path / "good.db")
    saved = tmp_path / "saved.bak"
    assert run_cli("backup", str(saved), db=good).returncode == 0
    db = tmp_path / "c.db"
    db.write_bytes(b"\x00garbage" * 1000)  # not SQLite any more
    r = run_cli("restore", str(saved), db=db)
    assert r.returncode == 0, r.stderr
    assert rows(db) == rows(good)
    (previous,) = (tmp_path / "backups").glob("c.db.pre-restore-*.bak")
    assert previous.read_bytes() == b"\x00garbage" * 1000  # the damaged bytes are kept too


def test_restore_over_a_database_with_corrupt_pages(tmp_path):
    good = make_db(tmp_path / "good.db")
    saved = tmp_path / "saved.bak"
    backup.manual_backup(good, saved)
    db = make_db(tmp_path / "c.db")
    corrupt(db)
    damaged = db.read_bytes()
    r = run_cli("restore", str(saved), db=db)
    assert r.returncode == 0, r.stderr
    assert integrity(db) == "ok" and rows(db) == rows(good)
    (previous,) = (tmp_path / "backups").glob("c.db.pre-restore-*.bak")
    assert len(previous.read_bytes()) == len(damaged)
    assert run_cli("doctor", db=db).returncode == 0


def test_restore_waits_then_gives_up_on_a_writer(tmp_path):
    db = make_db(tmp_path / "c.db")
    saved = tmp_path / "saved.bak"
    backup.manual_backup(db, saved)
    with open_database(db) as s:
        s.set_setting("new_per_day", 7)
    before = rows(db)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        with pytest.raises(backup.StoreError, match="in use by another process"):
            backup.restore(db, saved, wait_s=0.5)
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert rows(db) == before


# --- before a migration: a copy beside the database ---------------------------------------------------


def _fixtures() -> list[Path]:
    return sorted(SCHEMAS.glob("schema-*.db"))


def test_a_fixture_for_every_released_schema():
    names = [p.name for p in _fixtures()]
    assert {"schema-0001.db", "schema-0002.db", "schema-0003.db"} <= set(names)
    known = [m.name[:4] for m in migrations._migrations]
    for p in _fixtures():
        assert applied(p)[-1][:4] == p.stem.split("-")[1] and p.stem.split("-")[1] in known


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda p: p.stem)
def test_each_schema_migrates_forward_with_its_data_and_a_backup(tmp_path, fixture):
    db = tmp_path / "mlcards.db"
    shutil.copyfile(fixture, db)
    before, was = counts(db), applied(db)
    pending = [m.name for m in migrations._migrations if m.name not in was]
    with open_database(db) as s:
        assert s.count("reviews") == before["reviews"] == 5
        assert [d.name for d in s.deck_summaries()] == ["Fixture Alpha", "Fixture Beta"]
        (row,) = [r for r in s.reviews_of_card(1) if r.grade == 5]
        assert (row.reviewed_at, row.study_day, row.interval_after) == (datetime(2025, 3, 3, 8, 5), date(2025, 3, 3), 6)
        assert s.setting("new_per_day") == 12
    assert counts(db) == before
    assert applied(db) == was + pending
    assert integrity(db) == "ok"
    made = sorted(tmp_path.glob("mlcards.db.pre-*.bak"))
    if not pending:
        assert made == []
        return
    (bak,) = made
    assert re.fullmatch(rf"mlcards\.db\.pre-{pending[0][:4]}-\d{{8}}T\d{{6}}Z\.bak", bak.name), bak.name
    assert applied(bak) == was  # the schema as it was before the migration
    assert counts(bak) == before and integrity(bak) == "ok"
    no_temp_files(tmp_path)
    with open_database(db):  # up to date now: no second backup
        pass
    assert sorted(tmp_path.glob("mlcards.db.pre-*.bak")) == made


def test_no_pre_migration_backup_for_a_new_database(tmp_path):
    db = tmp_path / "new.db"
    Store.open(db).close()
    open_database(db).close()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("new.db-")) == ["new.db"]


def test_pre_migration_backup_through_the_cli(tmp_path):
    db = tmp_path / "old.db"
    shutil.copyfile(SCHEMAS / "schema-0001.db", db)
    r = run_cli("decks", db=db)
    assert r.returncode == 0, r.stderr
    (bak,) = tmp_path.glob("old.db.pre-0002-*.bak")
    assert applied(bak) == ["0001_initial"] and counts(bak) == counts(SCHEMAS / "schema-0001.db")
