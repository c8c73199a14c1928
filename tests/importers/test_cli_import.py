"""`mlcards import` for every format, through the real CLI in a subprocess."""

from __future__ import annotations

from pathlib import Path

import genanki
import pytest

from mlcards import answering
from mlcards.database import open_database
from mlcards.store import Store
from mlcards.text import term_key
from tests.conftest import run_cli
from tests.importers._support import (
    FIXTURES,
    add_revlog,
    card_ids,
    current_package,
    genanki_model,
    write_collection,
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cards.db"
    Store.open(path).close()
    return path


def decks(db: Path) -> dict[str, int]:
    with open_database(db) as store:
        return {s.name: s.terms for s in store.deck_summaries()}


def one_error_line(r) -> str:
    assert r.returncode == 1
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


def test_glossary_page_import_and_dry_run(db: Path) -> None:
    dry = run_cli("import", "--dry-run", str(FIXTURES / "ml-pages.txt"), db=db)
    assert dry.returncode == 0, dry.stderr
    assert "would import ml-pages: 7 added, 0 updated, 0 unchanged" in dry.stdout
    assert "  added: dropout, overfitting, ensemble, Neuron, embedding, vector, naïve Bayes" in dry.stdout
    assert dry.stdout.rstrip().endswith("dry run: nothing was written")
    assert decks(db) == {}
    r = run_cli("import", str(FIXTURES / "ml-pages.txt"), db=db)
    assert r.returncode == 0, r.stderr
    assert "imported ml-pages: 7 added" in r.stdout
    assert decks(db) == {"ml-pages": 7}


def test_enrich_through_the_cli_keeps_the_schedule(db: Path) -> None:
    assert run_cli("import", "--deck", "ML", str(FIXTURES / "ml-pages.txt"), db=db).returncode == 0
    with open_database(db) as store:
        cid = store.db.execute(
            "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.key = ? AND c.kind = 'recall'",
            [term_key("overfitting")],
        ).fetchone()[0]
        answering.answer(store, cid, 4)
        state = store.card(cid).state
    r = run_cli("import", "--deck", "ML", str(FIXTURES / "overfitting-page.txt"), db=db)
    assert r.returncode == 0, r.stderr
    assert "imported ML: 1 added, 1 updated, 1 unchanged, 5 kept but missing from the file" in r.stdout
    with open_database(db) as store:
        card = store.card(cid)
        assert card.state == state
        assert card.reviews == 1
        assert card.explanation.startswith("It has learned the noise")


def test_markdown_import_and_dry_run(db: Path) -> None:
    dry = run_cli("import", "--dry-run", str(FIXTURES / "optimization.md"), db=db)
    assert dry.returncode == 0, dry.stderr
    assert "would import Optimization basics: 3 added" in dry.stdout
    assert decks(db) == {}
    r = run_cli("import", str(FIXTURES / "optimization.md"), db=db)
    assert r.returncode == 0, r.stderr
    assert decks(db) == {"Optimization basics": 3}


def test_anki_text_import_with_deck_column_and_dry_run(db: Path) -> None:
    files = [str(FIXTURES / "evaluation.tsv"), str(FIXTURES / "spreadsheet.csv")]
    dry = run_cli("import", "--dry-run", *files, db=db)
    assert dry.returncode == 0, dry.stderr
    assert "would import Evaluation::Summary: 1 added" in dry.stdout
    assert decks(db) == {}
    r = run_cli("import", *files, db=db)
    assert r.returncode == 0, r.stderr
    assert decks(db) == {"Evaluation": 3, "Evaluation::Summary": 1, "spreadsheet": 3}
    again = run_cli("import", "--deck", "Everything", *files, db=db)  # --deck gathers both files' rows
    assert again.returncode == 0, again.stderr
    assert decks(db)["Everything"] == 7


def test_anki_package_import_with_notices_and_history(tmp_path: Path, db: Path) -> None:
    deck = genanki.Deck(1_900_000_000, "From Anki")
    model = genanki_model()
    deck.add_note(genanki.Note(model=model, fields=["loss", "A number to minimize."], tags=["basics"]))
    deck.add_note(genanki.Note(model=model, fields=["label", "The answer a model should give."]))
    collection = write_collection(tmp_path / "c.anki2", [deck])
    ids = card_ids(collection)
    add_revlog(collection, [(1_704_110_400_000, ids[("loss", 0)], 3, 1, 0, 2500, 6000, 0),
                            (1_704_196_800_000, ids[("loss", 0)], 4, 4, 1, 2650, 3000, 1)])
    package = current_package(tmp_path / "from-anki.apkg", collection, tmp_path, media_entries=2)

    dry = run_cli("import", "--dry-run", "--with-history", str(package), db=db)
    assert dry.returncode == 0, dry.stderr
    assert "would bring over up to 2 Anki review-log entries from from-anki.apkg" in dry.stdout
    assert "would import From Anki: 2 added" in dry.stdout

    plain = run_cli("import", str(package), db=db)
    assert plain.returncode == 0, plain.stderr
    assert "note: from-anki.apkg: 2 media files ignored (mlcards shows text only)" in plain.stdout
    assert "note: from-anki.apkg: 2 Anki review-log entries not imported (add --with-history" in plain.stdout
    with open_database(db) as store:
        assert store.count("reviews") == 0

    r = run_cli("import", "--with-history", str(package), db=db)
    assert r.returncode == 0, r.stderr
    assert "imported 2 Anki review-log entries (0 already here, 0 without a matching card)" in r.stdout
    again = run_cli("import", "--with-history", str(package), db=db)
    assert "imported 0 Anki review-log entries (2 already here, 0 without a matching card)" in again.stdout
    with open_database(db) as store:
        rows = list(store.db.query("SELECT grade, kind, source FROM reviews ORDER BY reviewed_at"))
        assert rows == [{"grade": 4, "kind": "new", "source": "anki"}, {"grade": 5, "kind": "review", "source": "anki"}]
        assert store.db.execute("SELECT COUNT(*) FROM cards WHERE due IS NOT NULL").fetchone()[0] == 0
        assert store.export_deck("From Anki").terms[0].tags == ["basics"]


@pytest.mark.parametrize(
    ("name", "content", "where", "fragment"),
    [
        ("page.txt", "What is a tensor?\ntensor explained in plain English\nAn array.\n", ":2: ", "no definition"),
        ("cards.tsv", "#separator:tab\nloss\tA number\nlabel\t\n", ":3: ", "'label' has no definition"),
        ("cards.csv", 'a,b\nc,"never closed\n', ":2: ", "never closed"),
        ("notes.md", "## Loss\nA number.\n\n## Label\n\nRelated: loss\n", ":4: ", "no definition"),
        ("deck.apkg", "not a zip", ": ", "not a zip archive"),
        ("deck.docx", "x", ": ", "unknown format .docx; supported: .json"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, db: Path, name: str, content: str, where: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    line = one_error_line(run_cli("import", str(path), db=db))
    assert line.startswith(f"error: {path}{where}")
    assert fragment in line


def test_all_or_nothing_across_files(tmp_path: Path, db: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("loss\tA number\nloss\tagain\n")
    line = one_error_line(run_cli("import", str(FIXTURES / "optimization.md"), str(bad), db=db))
    assert line.startswith(f"error: {bad}:2: duplicate term")
    assert decks(db) == {}
