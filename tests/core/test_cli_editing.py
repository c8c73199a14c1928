"""``mlcards add / rm / undelete / trash / rename`` and the small CLI defects of issue 11, as a subprocess."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

from mlcards import answering
from mlcards.store import Store
from tests.conftest import run_cli, small_deck, utc
from tests.core._support import card_id
from tests.core.test_cli import FIX, assert_one_error_line
from tests.core.test_editing import every_table


def make(tmp_path: Path) -> Path:
    db = tmp_path / "c.db"
    with Store.open(db) as s:
        s.set_setting("timezone", "UTC")
        s.apply_deck(small_deck())
        answering.answer(s, card_id(s, "alpha", "recall"), 4, utc(2026, 3, 2, 12))
    return db


def ok(*args: str, db: Path, input: str | None = None) -> subprocess.CompletedProcess[str]:
    r = run_cli(*args, db=db, input=input)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    return r


def test_add_a_term_and_a_new_deck(tmp_path):
    db = make(tmp_path)
    r = ok("add", "--deck", "tiny", "eta", "Seventh letter.", "--explanation", "After zeta.",
           "--example", "η", "--related", "zeta, alpha", "--tags", "greek,late", db=db)
    assert r.stdout == "added 'eta' to Tiny (3 cards)\n"
    with Store.open(db) as s:
        t = s.term_model(s.term_id_in_deck(s.require_deck("Tiny"), "eta"))
    assert (t.explanation, t.example, t.related, t.tags) == ("After zeta.", "η", ["zeta", "alpha"], ["greek", "late"])
    r = ok("add", "--deck", "Fresh", "one", "The first.", db=db)
    assert r.stdout.splitlines() == ["created deck Fresh", "added 'one' to Fresh (2 cards)"]
    line = assert_one_error_line(run_cli("add", "--deck", "Tiny", "ETA", "Again.", db=db))
    assert line == "error: deck 'Tiny' already has a term 'eta'; edit or rename that one instead"
    line = assert_one_error_line(run_cli("add", "--deck", "Tiny", "theta", "  ", db=db))
    assert line.startswith("error: cannot add this term: definition")


def test_rm_a_term_asks_refuses_without_a_terminal_and_undoes(tmp_path):
    db = make(tmp_path)
    before = every_table(db)
    line = assert_one_error_line(run_cli("rm", "alpha", "--deck", "Tiny", db=db, input="y\n"))
    assert "add --yes to confirm" in line and line.startswith("error: Delete 'alpha' from Tiny with 3 cards and 1 answer")
    assert every_table(db) == before  # nothing deleted

    r = ok("rm", "Alpha", "--deck", "tiny", "--yes", db=db)
    assert r.stdout == "deleted term 'alpha' (Tiny); undo with: mlcards undelete\n"
    with Store.open(db) as s:
        assert s.term_id_in_deck(s.require_deck("Tiny"), "alpha") is None
        assert s.count("reviews") == 0

    r = ok("trash", db=db)
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["id", "deleted", "(UTC)", "what"]
    assert lines[1].split()[0] == "1" and lines[1].endswith("term 'alpha' (Tiny)")
    assert ok("undelete", db=db).stdout == "restored term 'alpha' (Tiny)\n"
    assert every_table(db) == before
    assert ok("trash", db=db).stdout == "nothing to undelete\n"
    assert "(restored " in ok("trash", "--all", db=db).stdout
    assert assert_one_error_line(run_cli("undelete", db=db)) == "error: nothing to undelete: the trash is empty"
    assert assert_one_error_line(run_cli("rm", "omega", "--deck", "Tiny", "--yes", db=db)) == (
        "error: deck 'Tiny' has no term 'omega'")


def _on_a_terminal(args: list[str], reply: bytes) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin (so it asks), answering ``reply``."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("MLCARDS_DB", None)
    os.write(master, reply)
    proc = subprocess.run([sys.executable, "-m", "mlcards", *args], stdin=slave, capture_output=True, text=True,
                          env=env, timeout=60)
    os.close(slave)
    os.close(master)
    return proc.returncode, proc.stdout + proc.stderr


def test_rm_a_deck_asks_on_a_terminal(tmp_path):
    db = make(tmp_path)
    before = every_table(db)
    code, out = _on_a_terminal(["rm", "--deck", "Tiny", "--db", str(db)], b"n\n")
    assert code == 1 and "Delete deck 'Tiny' with 6 terms, 18 cards and 1 answer? [y/N]" in out
    assert "error: nothing was deleted" in out
    assert every_table(db) == before
    code, out = _on_a_terminal(["rm", "--deck", "Tiny", "--db", str(db)], b"y\n")
    assert code == 0, out
    assert "deleted deck 'Tiny' (6 terms, 18 cards); undo with: mlcards undelete" in out
    with Store.open(db) as s:
        assert s.deck_names() == []
    ok("undelete", "1", db=db)
    assert every_table(db) == before


def test_rename_a_term_and_a_deck(tmp_path):
    db = make(tmp_path)
    r = ok("rename", "alpha", "Alpha prime", "--deck", "Tiny", db=db)
    assert r.stdout == "renamed 'alpha' to 'Alpha prime' in Tiny; its cards and their history stay\n"
    with Store.open(db) as s:
        assert s.count("reviews") == 1
        assert "Alpha prime" in s.term_model(s.term_id_in_deck(s.require_deck("Tiny"), "beta")).related
    ok("add", "--deck", "Other", "x", "y", db=db)
    line = assert_one_error_line(run_cli("rename", "--deck", "Tiny", "OTHER", db=db))
    assert line == "error: a deck named 'Other' exists already; choose another name"
    assert ok("rename", "--deck", "tiny", "Greek", db=db).stdout == "renamed deck 'Tiny' to 'Greek'\n"
    assert [d["name"] for d in json.loads(ok("decks", "--json", db=db).stdout)] == ["Greek", "Other"]
    line = assert_one_error_line(run_cli("rename", "beta", "gamma", "--deck", "Greek", db=db))
    assert "already has a term 'gamma'" in line


def test_review_deck_has_help_and_schema_takes_no_db():
    r = run_cli("review", "--help")
    assert "--deck NAME only this deck's cards (default: every deck)" in " ".join(r.stdout.split())
    assert "--db" not in run_cli("schema", "--help").stdout
    r = run_cli("schema", "--db", "x.db")
    assert r.returncode == 2 and "unrecognized arguments: --db" in r.stderr
    assert run_cli("schema").returncode == 0


def test_import_reports_every_bad_file_and_imports_nothing(tmp_path):
    db = make(tmp_path)
    before = every_table(db)
    good, bad1, bad2 = FIX / "optics.json", FIX / "bad_duplicate.json", FIX / "bad_syntax.json"
    r = run_cli("import", str(bad1), str(good), str(bad2), db=db)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r.stderr
    assert lines[0].startswith(f"error: {bad1}:6: ")
    assert lines[1].startswith(f"error: {bad2}:5: ") and lines[1].endswith(
        "(2 files could not be read; nothing was imported)")
    assert every_table(db) == before
    # one bad file: the one line it always was
    assert assert_one_error_line(run_cli("import", str(good), str(bad2), db=db)).startswith(f"error: {bad2}:5: ")


def test_a_new_database_at_a_non_default_path_is_announced(tmp_path):
    typo = tmp_path / "typo.db"
    r = run_cli("decks", db=typo)
    assert r.returncode == 0 and r.stderr == f"mlcards: created a new database at {typo}\n"
    assert "ML Glossary" in r.stdout  # a new database starts with the bundled deck, as on a first run
    r = run_cli("decks", db=typo)
    assert r.returncode == 0 and r.stderr == ""  # only once
    # the default path (here from $MLCARDS_DB) is not announced: that is the first run
    env_db = tmp_path / "env.db"
    r = run_cli("decks", env={"MLCARDS_DB": str(env_db)})
    assert r.returncode == 0 and r.stderr == "" and env_db.exists()
    r = run_cli("stats", "--json", db=env_db, env={"MLCARDS_DB": str(env_db)})
    assert r.stderr == ""
    # init says what it created in its own words
    r = run_cli("init", "--empty", db=tmp_path / "init.db")
    assert r.returncode == 0 and r.stderr == ""


def test_cli_delete_and_restore_keep_the_file_consistent_for_another_reader(tmp_path):
    db = make(tmp_path)
    stats_before = json.loads(ok("stats", "--json", db=db).stdout)
    ok("rm", "--deck", "Tiny", "--yes", db=db)
    assert json.loads(ok("stats", "--json", db=db).stdout)["reviews_total"] == 0
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 0
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        ok("undelete", db=db)
        assert con.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 18
        assert con.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()
    assert json.loads(ok("stats", "--json", db=db).stdout) == stats_before
