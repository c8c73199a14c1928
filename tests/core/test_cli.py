"""The real ``mlcards`` command in a subprocess (issue 2, section 9)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from mlcards import answering, studyday
from mlcards.database import open_database
from mlcards.importers import deckfile
from mlcards.models import Deck
from mlcards.session import ReviewSession
from mlcards.store import Store
from tests.conftest import REPO, run_cli, small_deck
from tests.core._support import card_id

FIX = Path(__file__).parent / "fixtures"


def make_db(path: Path, *decks: Deck, tz: str = "UTC") -> Path:
    with Store.open(path) as s:
        for d in decks:
            s.apply_deck(d)
        s.set_setting("timezone", tz)
    return path


def snapshot(path: Path) -> dict:
    """Everything in the database that a command might change."""
    con = sqlite3.connect(path)
    try:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("decks", "terms", "cards", "reviews", "settings", "links")
        }
    finally:
        con.close()


def decks_json(db: Path) -> list[dict]:
    r = run_cli("decks", "--json", db=db)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def assert_one_error_line(r, exit_code: int = 1) -> str:
    assert r.returncode == exit_code, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


# --- init and decks -------------------------------------------------------------------------------


def test_init_installs_the_bundled_deck(db_path):
    r = run_cli("init", db=db_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"created {db_path}")
    (d,) = decks_json(db_path)
    assert d["name"] == "ML Glossary"
    assert d["terms"] >= 150 and d["cards"] == 3 * d["terms"]
    # today's counts: the new-card limit (20) and one card per term; every card is still unseen
    assert (d["new"], d["learning"], d["due"]) == (20, 0, 0) and d["unseen"] == d["cards"]
    assert list(d) == ["name", "terms", "cards", "new", "learning", "due", "unseen", "suspended"]


def test_init_empty_then_init_again_is_an_error(db_path):
    r = run_cli("init", "--empty", db=db_path)
    assert r.returncode == 0, r.stderr
    assert "empty" in r.stdout
    assert decks_json(db_path) == []
    before = db_path.read_bytes()
    line = assert_one_error_line(run_cli("init", db=db_path))
    assert line.startswith(f"error: {db_path}: ") and "already exists" in line
    assert db_path.read_bytes() == before


def test_decks_table_and_json(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck(), deckfile.read_deck(FIX / "optics.json"))
    s = open_database(db)
    answering.answer(s, card_id(s, "alpha", "recall"), 5, studyday.now() - timedelta(days=3))
    s.close()
    r = run_cli("decks", db=db)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    # today's counts: alpha's recall card is due, which keeps its new siblings for another day
    assert lines[0].split() == ["deck", "terms", "cards", "new", "learn", "due"]
    assert lines[1].split() == ["Tiny", "6", "18", "5", "0", "1"]
    assert lines[2].split() == ["Optics", "4", "12", "4", "0", "0"]
    assert decks_json(db) == [
        {"name": "Tiny", "terms": 6, "cards": 18, "new": 5, "learning": 0, "due": 1, "unseen": 17, "suspended": 0},
        {"name": "Optics", "terms": 4, "cards": 12, "new": 4, "learning": 0, "due": 0, "unseen": 12, "suspended": 0},
    ]


def test_first_command_on_a_new_db_installs_the_bundled_deck(tmp_path):
    db = tmp_path / "new.db"
    assert [d["name"] for d in decks_json(db)] == ["ML Glossary"]


# --- import ---------------------------------------------------------------------------------------


def test_import_json_toml_yaml(tmp_path):
    db = make_db(tmp_path / "c.db")
    r = run_cli("import", str(FIX / "optics.json"), str(FIX / "sounds.toml"), str(FIX / "colours.yaml"), db=db)
    assert r.returncode == 0, r.stderr
    assert "imported Optics: 4 added, 0 updated, 0 unchanged" in r.stdout
    assert "imported Sounds: 3 added" in r.stdout
    assert "imported Colours: 3 added" in r.stdout
    assert [(d["name"], d["terms"]) for d in decks_json(db)] == [("Optics", 4), ("Sounds", 3), ("Colours", 3)]
    with open_database(db) as s:
        for name in ("optics.json", "sounds.toml", "colours.yaml"):
            parsed = deckfile.read_deck(FIX / name)
            assert s.export_deck(parsed.name) == parsed


def test_import_again_reports_unchanged_and_keeps_progress(tmp_path):
    db = make_db(tmp_path / "c.db")
    assert run_cli("import", str(FIX / "optics.json"), db=db).returncode == 0
    with open_database(db) as s:
        answering.answer(s, card_id(s, "lens", "recall"), 5)
    before = snapshot(db)
    r = run_cli("import", str(FIX / "optics.json"), db=db)
    assert r.returncode == 0
    assert "Optics: 0 added, 0 updated, 4 unchanged" in r.stdout
    assert snapshot(db)["cards"] == before["cards"]
    assert snapshot(db)["reviews"] == before["reviews"]


def test_import_reports_missing_terms(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck("Optics"))
    r = run_cli("import", str(FIX / "optics.json"), db=db)
    assert r.returncode == 0
    assert "6 kept but missing from the file" in r.stdout
    assert "missing: alpha, beta, gamma, delta, epsilon, zeta" in r.stdout
    assert decks_json(db)[0]["terms"] == 10


def test_import_with_deck_name(tmp_path):
    db = make_db(tmp_path / "c.db")
    r = run_cli("import", str(FIX / "sounds.toml"), "--deck", "Acoustics", db=db)
    assert r.returncode == 0, r.stderr
    assert [d["name"] for d in decks_json(db)] == ["Acoustics"]


def test_dry_run_writes_nothing(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    before = snapshot(db)
    r = run_cli("import", str(FIX / "optics.json"), str(FIX / "colours.yaml"), "--dry-run", db=db)
    assert r.returncode == 0, r.stderr
    assert "would import Optics: 4 added" in r.stdout
    assert "added: focal length, lens, aperture, refraction" in r.stdout
    assert "dry run: nothing was written" in r.stdout
    assert snapshot(db) == before


def test_dry_run_does_not_create_a_database(tmp_path):
    db = tmp_path / "never.db"
    r = run_cli("import", str(FIX / "optics.json"), "--dry-run", db=db)
    assert r.returncode == 0
    assert "would import" in r.stdout and "added" in r.stdout
    assert not db.exists()


def test_several_files_into_one_deck_are_merged_before_applying(tmp_path):
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    a.write_text('{"name": "A", "terms": [{"term": "x", "definition": "X one."}, {"term": "y", "definition": "Y."}]}')
    b.write_text('{"name": "B", "terms": [{"term": "z", "definition": "Z."}, {"term": "x", "definition": "X two."}]}')
    db = tmp_path / "m.db"
    assert run_cli("init", "--empty", db=db).returncode == 0
    r = run_cli("import", str(a), str(b), "--deck", "Merged", db=db)
    assert r.returncode == 0, r.stderr
    assert "Merged: 3 added, 0 updated" in r.stdout
    assert "missing" not in r.stdout  # the second file does not report the first file's terms as missing
    store = Store.open(db)
    deck = store.export_deck("Merged")
    assert [t.term for t in deck.terms] == ["x", "y", "z"]  # first-seen order, positions distinct
    assert deck.terms[0].definition == "X two."  # the later file's text wins, as a re-import would
    store.close()


@pytest.mark.parametrize(
    "name, line",
    [
        ("bad_empty_definition.toml", 9),
        ("bad_duplicate.json", 6),
        ("bad_type.yaml", 7),
        ("bad_syntax.json", 5),
    ],
)
def test_bad_deck_file_one_error_line_and_nothing_written(tmp_path, name, line):
    db = make_db(tmp_path / "c.db", small_deck())
    before = snapshot(db)
    bad = FIX / name
    r = run_cli("import", str(FIX / "optics.json"), str(bad), str(FIX / "colours.yaml"), db=db)
    msg = assert_one_error_line(r)
    assert msg.startswith(f"error: {bad}:{line}: ")
    assert r.stdout == ""
    assert snapshot(db) == before  # all or nothing: the good first file was not imported either


def test_bad_deck_file_on_a_missing_db_creates_nothing(tmp_path):
    db = tmp_path / "none.db"
    r = run_cli("import", str(FIX / "bad_duplicate.json"), db=db)
    assert_one_error_line(r)
    assert not db.exists()


def test_import_missing_file_and_unknown_format(tmp_path):
    db = make_db(tmp_path / "c.db")
    line = assert_one_error_line(run_cli("import", str(tmp_path / "nope.json"), db=db))
    assert str(tmp_path / "nope.json") in line
    odd = tmp_path / "deck.exe"
    odd.write_text("x")
    line = assert_one_error_line(run_cli("import", str(odd), db=db))
    assert line.startswith(f"error: {odd}: ")


def test_control_characters_never_reach_the_terminal(tmp_path):
    evil = tmp_path / "evil.json"
    evil.write_text(
        json.dumps({"name": "Evil\x1b[2J", "terms": [{"term": "bell\x07", "definition": "clear\x1b[2J screen\x9b"}]})
    )
    db = make_db(tmp_path / "c.db")
    r = run_cli("import", str(evil), db=db)
    assert r.returncode == 0, r.stderr
    r = run_cli("review", "--plain", input="\n5\n", db=db)
    out = r.stdout + run_cli("decks", db=db).stdout
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "clear[2J screen" in r.stdout


# --- export ---------------------------------------------------------------------------------------


def test_export_import_round_trips_exactly(tmp_path):
    src = tmp_path / "src.db"
    with open_database(src):  # the bundled glossary: a realistic deck
        pass
    for suffix in (".json", ".toml", ".yaml"):
        first = tmp_path / f"first{suffix}"
        r = run_cli("export", str(first), "--deck", "ML Glossary", db=src)
        assert r.returncode == 0, r.stderr
        assert f"to {first}" in r.stdout
        dst = make_db(tmp_path / f"dst{suffix}.db")
        assert run_cli("import", str(first), db=dst).returncode == 0
        second = tmp_path / f"second{suffix}"
        assert run_cli("export", str(second), "--deck", "ML Glossary", db=dst).returncode == 0
        assert second.read_bytes() == first.read_bytes()
        with open_database(src) as a, open_database(dst) as b:
            assert a.export_deck("ML Glossary") == b.export_deck("ML Glossary")
            assert deckfile.read_deck(first) == a.export_deck("ML Glossary")


def test_export_errors(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    line = assert_one_error_line(run_cli("export", str(tmp_path / "x.json"), "--deck", "Nope", db=db))
    assert "Nope" in line
    assert not (tmp_path / "x.json").exists()
    line = assert_one_error_line(run_cli("export", str(tmp_path / "x.docx"), "--deck", "Tiny", db=db))
    assert str(tmp_path / "x.docx") in line
    assert_one_error_line(run_cli("export", str(tmp_path / "no" / "such" / "x.json"), "--deck", "Tiny", db=db))


# --- schema, usage, --db, MLCARDS_DB --------------------------------------------------------------


def test_schema_is_valid_json_schema_that_accepts_our_decks():
    import jsonschema

    r = run_cli("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    for name in ("optics.json",):
        assert list(v.iter_errors(json.loads((FIX / name).read_text()))) == []
    for p in FIX.glob("*.yaml"):
        import yaml

        data = yaml.safe_load(p.read_text())
        assert bool(list(v.iter_errors(data))) == p.name.startswith("bad_")
    assert list(v.iter_errors({"name": "X", "terms": [{"term": "a"}]}))  # definition missing
    assert list(v.iter_errors({"name": "X", "terms": [{"term": "a", "definition": "b", "colour": "red"}]}))


@pytest.mark.parametrize(
    "args",
    [
        ("frobnicate",),
        ("import",),
        ("review", "--plain", "--limit", "-3"),
        ("review", "--plain", "--new-limit", "x"),
        ("init", "--db"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, args):
    r = run_cli(*args, env={"MLCARDS_DB": str(tmp_path / "env.db")})
    assert_one_error_line(r, exit_code=2)
    assert not (tmp_path / "env.db").exists()


def test_help_and_version():
    r = run_cli("--help")
    assert r.returncode == 0 and "import" in r.stdout and "review" in r.stdout
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("mlcards ")


def test_db_option_on_every_command(tmp_path):
    db = tmp_path / "c.db"
    out = tmp_path / "out.json"
    calls = iter(range(100))

    def cli(*args, **kw):
        # alternate: --db before the command, then after it
        full = ("--db", str(db), *args) if next(calls) % 2 == 0 else (*args, "--db", str(db))
        return run_cli(*full, **kw)

    assert cli("init", "--empty").returncode == 0
    assert db.exists()
    assert cli("import", str(FIX / "optics.json")).returncode == 0
    r = cli("decks", "--json")
    assert [d["name"] for d in json.loads(r.stdout)] == ["Optics"]
    assert cli("export", str(out), "--deck", "Optics").returncode == 0
    assert deckfile.read_deck(out) == deckfile.read_deck(FIX / "optics.json")
    assert cli("settings", "new_per_day", "1").returncode == 0
    r = cli("review", "--plain", input="\n5\n\n5\n")
    assert r.returncode == 0 and "1 card to review" in r.stdout
    assert cli("schema").returncode == 0
    assert "Optics" in cli("decks").stdout
    with open_database(db) as s:
        assert s.count("reviews") == 1 and s.setting("new_per_day") == 1


def test_mlcards_db_env_is_honoured_and_db_overrides_it(tmp_path):
    env_db = tmp_path / "from_env.db"
    r = run_cli("init", "--empty", env={"MLCARDS_DB": str(env_db)})
    assert r.returncode == 0 and env_db.exists()
    assert run_cli("import", str(FIX / "sounds.toml"), env={"MLCARDS_DB": str(env_db)}).returncode == 0
    other = tmp_path / "other.db"
    r = run_cli("decks", "--json", db=other, env={"MLCARDS_DB": str(env_db)})
    assert [d["name"] for d in json.loads(r.stdout)] == ["ML Glossary"]  # --db wins
    r = run_cli("decks", "--json", env={"MLCARDS_DB": str(env_db)})
    assert [d["name"] for d in json.loads(r.stdout)] == ["Sounds"]


def test_not_a_database(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello")
    line = assert_one_error_line(run_cli("decks", db=p))
    assert line.startswith(f"error: {p}: ") and "not an SQLite database" in line
    assert p.read_text() == "hello"


def test_import_hygiene_core_never_loads_textual():
    code = (
        "import mlcards.cli, mlcards.store, mlcards.session, mlcards.plain, mlcards.schedulers.sm2, mlcards.queue, "
        "mlcards.cards, mlcards.answers, mlcards.studyday, mlcards.importers.deckfile, mlcards.exporters.deckfile; "
        "import sys; assert 'textual' not in sys.modules, 'textual'; "
        "assert 'yaml' not in sys.modules, 'yaml'; assert 'rich' not in sys.modules, 'rich'"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0, r.stderr


def test_plain_review_never_loads_textual(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    code = (
        "import sys, io; from mlcards.cli import main; sys.stdin = io.StringIO('\\n5\\n'); "
        f"rc = main(['review', '--plain', '--limit', '1', '--db', {str(db)!r}]); "
        "assert rc == 0; assert 'textual' not in sys.modules, 'textual loaded'"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


# --- review --plain from a pipe -------------------------------------------------------------------


def reviews_in(db: Path) -> list[tuple[str, str, int, str]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            """SELECT t.term, c.kind, r.grade, r.kind FROM reviews r JOIN cards c ON c.id = r.card_id
               JOIN terms t ON t.id = c.term_id ORDER BY r.id"""
        ).fetchall()
    finally:
        con.close()


def test_plain_review_stores_answers_and_ends_with_a_summary(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    # alpha: reveal, 5; beta: reveal, accept the suggestion (4); gamma: reveal, 3; then EOF
    r = run_cli("review", "--plain", input="\n5\n\n\n\n3\n", db=db)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "6 cards to review" in r.stdout.splitlines()[0]
    assert "What does this term mean?" in r.stdout
    assert "Definition: First letter." in r.stdout
    assert "In plain English: Comes first." in r.stdout
    assert "grade 0-5 [4]>" in r.stdout
    assert "saved 5 (perfect response)" in r.stdout
    assert "it comes back later this session" in r.stdout
    last = r.stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("Session: 3 cards, 3 answers, 100% graded 3+, 0 re-drills")
    assert "4 left for today" in last  # delta, epsilon, zeta and gamma's re-drill
    assert reviews_in(db) == [("alpha", "recall", 5, "new"), ("beta", "recall", 4, "new"), ("gamma", "recall", 3, "new")]


def test_plain_review_q_stops_cleanly(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    r = run_cli("review", "--plain", input="\n4\nq\n\n5\n", db=db)
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.rstrip().splitlines()[-1].startswith("Session: 1 card, 1 answer")
    assert reviews_in(db) == [("alpha", "recall", 4, "new")]
    # q at the grade prompt: the revealed card is not graded
    r = run_cli("review", "--plain", input="\nq\n", db=db)
    assert r.returncode == 0
    assert "Session: no answers." in r.stdout
    assert len(reviews_in(db)) == 1


def test_plain_review_eof_before_grading_saves_nothing_for_that_card(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    r = run_cli("review", "--plain", input="\n", db=db)
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.rstrip().splitlines()[-1].startswith("Session: no answers.")
    assert reviews_in(db) == []


def test_plain_review_bad_grade_asks_again(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    r = run_cli("review", "--plain", "--limit", "1", input="\n7\nfive\n2\n\n5\n", db=db)
    assert r.returncode == 0
    assert r.stdout.count("a grade is a number from 0 to 5") == 2
    assert reviews_in(db) == [("alpha", "recall", 2, "new"), ("alpha", "recall", 5, "redrill")]
    assert "re-drill logged; schedule unchanged" in r.stdout
    assert "1 re-drill" in r.stdout.splitlines()[-1]


def test_plain_review_limits(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    many = "\n5\n" * 10
    r = run_cli("review", "--plain", "--limit", "2", input=many, db=db)
    assert "2 cards to review" in r.stdout
    assert len(reviews_in(db)) == 2
    r = run_cli("review", "--plain", "--new-limit", "3", input=many, db=db)
    assert "1 card to review" in r.stdout  # 2 new already today, 3 allowed
    assert len(reviews_in(db)) == 3
    r = run_cli("review", "--plain", input=many, db=db)  # setting: 20 a day
    assert "3 cards to review" in r.stdout
    assert len(reviews_in(db)) == 6
    r = run_cli("review", "--plain", input=many, db=db)
    assert "Nothing to review today." in r.stdout


def test_plain_review_review_limit(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    with open_database(db) as s:
        past = studyday.now() - timedelta(days=5)
        for i, term in enumerate(("alpha", "beta", "gamma")):
            answering.answer(s, card_id(s, term, "recall"), 4, past + timedelta(days=i))
    r = run_cli("review", "--plain", "--review-limit", "1", "--new-limit", "0", input="\n5\n\n5\n", db=db)
    assert r.returncode == 0
    assert "1 card to review" in r.stdout
    assert "recall · new" not in r.stdout
    assert reviews_in(db)[-1] == ("alpha", "recall", 5, "review")  # the most overdue


def only_related(db: Path) -> None:
    with open_database(db) as s:
        s.db.execute("UPDATE cards SET suspended = 1 WHERE kind IN ('recall', 'reverse')")
        s.db.conn.commit()


def first_question(db: Path, n: int = 1):
    with open_database(db) as s:
        session = ReviewSession(s)
        out = []
        for _ in range(n):
            shown = session.next()
            out.append(shown.question)
        return out


def test_plain_review_multiple_choice_by_number(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    only_related(db)
    q1, q2, q3 = first_question(db, 3)
    wrong = (q2.answer + 1) % len(q2.choices)
    # right (accept suggested 5), wrong (accept suggested 1), give up (accept suggested 0)
    stdin = f"{q1.answer + 1}\n\n{wrong + 1}\n\n\n\n"
    r = run_cli("review", "--plain", "--limit", "3", input=stdin, db=db)
    assert r.returncode == 0, r.stderr
    assert "1) " in r.stdout and q1.choices[0] in r.stdout
    assert "right (suggested grade 5)" in r.stdout
    assert f"wrong: the answer is {q2.answer + 1}) {q2.choices[q2.answer]} (suggested grade 1)" in r.stdout
    assert f"the answer: {q3.answer + 1}) {q3.choices[q3.answer]}" in r.stdout
    assert [g for _, kind, g, _ in reviews_in(db) if kind == "related"] == [5, 1, 0]


def test_plain_review_multiple_choice_out_of_range_asks_again(tmp_path):
    db = make_db(tmp_path / "c.db", small_deck())
    only_related(db)
    (q,) = first_question(db)
    r = run_cli("review", "--plain", "--limit", "1", input=f"9\nabc\n{q.answer + 1}\n4\n", db=db)
    assert r.stdout.count(f"type a number from 1 to {len(q.choices)}") == 2
    assert reviews_in(db) == [("alpha", "related", 4, "new")]


def test_plain_review_typed_answer_on_a_reverse_card(tmp_path):
    db = make_db(tmp_path / "c.db", deckfile.read_deck(FIX / "optics.json"))
    with open_database(db) as s:
        s.db.execute("UPDATE cards SET suspended = 1 WHERE kind = 'recall'")
        s.db.conn.commit()
    # a typo (suggests 4, accepted), an exact answer (suggests 5, accepted), a wrong one (overridden to 2)
    stdin = "focal lenght\n\nLENS\n\nbanana\n2\n"
    r = run_cli("review", "--plain", "--limit", "3", input=stdin, db=db)
    assert r.returncode == 0, r.stderr
    assert "Which term is this?" in r.stdout
    assert "The distance from a lens to the point where parallel rays meet." in r.stdout
    assert "you typed 'focal lenght': 92% match" in r.stdout
    assert "grade 0-5 [4]>" in r.stdout and "grade 0-5 [5]>" in r.stdout and "grade 0-5 [1]>" in r.stdout
    assert "Term: focal length" in r.stdout
    assert reviews_in(db) == [
        ("focal length", "reverse", 4, "new"),
        ("lens", "reverse", 5, "new"),
        ("aperture", "reverse", 2, "new"),
    ]


def test_decks_on_an_existing_database_loads_neither_pydantic_nor_sqlite_utils(tmp_path):
    """Start-up stays lean: listing decks (and answering SM-2 cards) needs neither the deck-file schema nor
    sqlite-utils (it loads for migrations only), nor FSRS's extension."""
    db = make_db(tmp_path / "c.db", small_deck())
    code = (
        "import sys, io, contextlib; from mlcards.cli import main; out = io.StringIO()\n"
        f"with contextlib.redirect_stdout(out): rc = main(['decks', '--db', {str(db)!r}])\n"
        "assert rc == 0 and 'Tiny' in out.getvalue() or 'deck' in out.getvalue(), out.getvalue()\n"
        "heavy = [m for m in ('pydantic', 'sqlite_utils', 'fsrs_rs_python', 'textual') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        f"sys.stdin = io.StringIO('\\n5\\n'); rc = main(['review', '--plain', '--limit', '1', '--db', {str(db)!r}])\n"
        "heavy = [m for m in ('pydantic', 'sqlite_utils', 'fsrs_rs_python', 'textual') if m in sys.modules]\n"
        "assert rc == 0 and not heavy, heavy\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
