"""``mlcards doctor`` (issue 8, section 6) on real files, through the real command."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from mlcards import doctor
from tests.conftest import run_cli
from tests.core.test_backup import corrupt, make_db

CHECKS = ["file", "integrity", "schema", "foreign keys", "orphans", "settings"]


def run_doctor(db: Path):
    """Both faces of the command: the lines and the JSON; returns (exit code, lines, json)."""
    r = run_cli("doctor", db=db)
    j = run_cli("doctor", "--json", db=db)
    for x in (r, j):
        assert "Traceback" not in x.stderr and x.stderr == "", x.stderr
    assert r.returncode == j.returncode
    return r.returncode, r.stdout.splitlines(), json.loads(j.stdout)


def line(lines: list[str], name: str) -> str:
    (found,) = [x for x in lines if x.split(None, 1)[1].startswith(name + ":")]
    return found


def sql(db: Path, *statements: str) -> None:
    con = sqlite3.connect(db)  # foreign keys are off by default in sqlite3
    try:
        for s in statements:
            con.execute(s)
        con.commit()
    finally:
        con.close()


def test_a_healthy_database(tmp_path):
    db = make_db(tmp_path / "c.db")
    before = db.read_bytes()
    code, lines, report = run_doctor(db)
    assert code == 0
    assert [x.split(None, 1)[1].split(":")[0] for x in lines] == CHECKS
    assert all(x.startswith("ok ") for x in lines), lines
    assert report["healthy"] is True and report["path"] == str(db)
    assert [c["name"] for c in report["checks"]] == CHECKS
    assert all(c["ok"] and c["problems"] == [] for c in report["checks"])
    assert "1 stored setting, all valid" in line(lines, "settings")
    assert db.read_bytes() == before  # doctor reads only


def test_an_orphan_review(tmp_path):
    db = make_db(tmp_path / "c.db")
    sql(db, "INSERT INTO review_log (id, card_id, reviewed_at, utc_offset_min, study_day, grade, kind, reps_before, "
            "reps_after, ease_before, ease_after, interval_before, interval_after) "
            "VALUES (777, 99999, '2025-01-01 00:00:00', 0, '2025-01-01', 4, 'review', 0, 1, 250, 250, 0, 1)")
    code, lines, report = run_doctor(db)
    assert code == 1
    assert line(lines, "orphans").startswith("PROBLEM")
    assert "1 review without a card (review 777 -> card 99999)" in line(lines, "orphans")
    assert "review_log row 777 -> missing cards" in line(lines, "foreign keys")
    assert line(lines, "integrity").startswith("ok") and line(lines, "settings").startswith("ok")
    assert report["healthy"] is False
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["orphans"]["problems"] == ["review 777 -> card 99999"]
    assert checks["foreign keys"]["problems"] == ["review_log row 777 -> missing cards"]


def test_every_kind_of_orphan_is_named(tmp_path):
    db = make_db(tmp_path / "c.db")
    sql(db,
        "INSERT INTO terms (id, deck_id, key, term, definition, created_at, updated_at) "
        "VALUES (500, 42, 'lost', 'lost', 'x', 't', 't')",
        "INSERT INTO cards (id, term_id, kind, created_at) VALUES (600, 4242, 'recall', 't')",
        "INSERT INTO links (term_id, other_id) VALUES (1, 8888)")
    code, lines, report = run_doctor(db)
    assert code == 1
    assert report["healthy"] is False
    text = line(lines, "orphans")
    assert "1 term without a deck (term 500 (lost) -> deck 42)" in text
    assert "1 card without a term (card 600 -> term 4242)" in text
    assert "1 link to a missing term (link 1 -> 8888)" in text


def test_bad_setting_values(tmp_path):
    db = make_db(tmp_path / "c.db")
    sql(db,
        "INSERT INTO settings (key, value) VALUES ('new_per_day', '\"lots\"')",
        "INSERT INTO settings (key, value) VALUES ('rollover_hour', 'not json')",
        "INSERT INTO settings (key, value) VALUES ('leech_threshold', '\"8\"')",
        "INSERT INTO settings (key, value) VALUES ('colour', '\"red\"')")
    code, lines, report = run_doctor(db)
    assert code == 1
    text = line(lines, "settings")
    assert text.startswith("PROBLEM") and "4 problems" in text
    assert "unknown setting 'colour'" in text
    assert "new_per_day: setting 'new_per_day' must be a whole number" in text
    assert "rollover_hour: stored value 'not json' is not JSON" in text
    assert "leech_threshold: stored as '8', should be 8" in text
    assert [c["name"] for c in report["checks"] if not c["ok"]] == ["settings"]


def test_a_dropped_table(tmp_path):
    db = make_db(tmp_path / "c.db")
    sql(db, "DROP TABLE links")
    code, lines, report = run_doctor(db)
    assert code == 1
    assert line(lines, "schema").startswith("PROBLEM") and "missing table links" in line(lines, "schema")
    assert "cannot check links (table links missing)" in line(lines, "orphans")
    assert line(lines, "integrity").startswith("ok")
    assert [c["name"] for c in report["checks"] if not c["ok"]] == ["schema", "orphans"]
    sql(db, "DROP TABLE settings")
    code, lines, _ = run_doctor(db)
    assert code == 1 and "missing tables links, settings" in line(lines, "schema")
    assert "cannot check: table settings missing" in line(lines, "settings")


def test_corrupt_pages_are_reported_not_a_traceback(tmp_path):
    db = make_db(tmp_path / "c.db")
    corrupt(db)  # every page after the first: even the schema cannot be read
    code, lines, report = run_doctor(db)
    assert code == 1
    assert [c["name"] for c in report["checks"]] == CHECKS
    assert line(lines, "file").startswith("ok")
    assert line(lines, "integrity").startswith("PROBLEM")
    assert "malformed" in line(lines, "schema")
    assert report["healthy"] is False


def test_damaged_data_pages_with_a_readable_schema(tmp_path):
    db = make_db(tmp_path / "c.db")
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    start = (len(data) // page // 2) * page  # the second half of the file
    data[start:] = bytes((i * 7 + 3) % 256 for i in range(len(data) - start))
    db.write_bytes(bytes(data))
    code, lines, report = run_doctor(db)
    assert code == 1
    assert [c["name"] for c in report["checks"]] == CHECKS
    assert line(lines, "integrity").startswith("PROBLEM")


def test_a_newer_schema_and_pending_migrations(tmp_path):
    db = make_db(tmp_path / "c.db")
    sql(db, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('mlcards', '9999_future', 'x')")
    code, lines, _ = run_doctor(db)
    assert code == 1 and "newer mlcards (migration 9999_future)" in line(lines, "schema")
    sql(db, "DELETE FROM _sqlite_migrations WHERE name NOT LIKE '0001%'")
    code, lines, _ = run_doctor(db)
    assert code == 0 and "pending" in line(lines, "schema")  # an older schema is fine: the next open upgrades it


def test_not_a_database_missing_file_and_other_sqlite(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("hello\n" * 50)
    code, lines, report = run_doctor(text)
    assert code == 1 and lines == ["PROBLEM  file: not an SQLite database"]
    assert report["checks"][0]["name"] == "file"
    code, lines, _ = run_doctor(tmp_path / "missing.db")
    assert code == 1 and lines == ["PROBLEM  file: no database here"]
    assert not (tmp_path / "missing.db").exists()
    other = tmp_path / "other.db"
    sql(other, "CREATE TABLE t (x)")
    code, lines, _ = run_doctor(other)
    assert code == 1 and "no migrations table" in line(lines, "schema")


def test_check_function_directly(tmp_path):
    db = make_db(tmp_path / "c.db")
    report = doctor.check(db)
    assert report.healthy and [c.name for c in report.checks] == CHECKS
