"""``mlcards export`` through the real CLI: dispatch by extension, --reviews, one-line errors, round trips."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from mlcards import answering, exporters
from mlcards.importers import deckfile
from mlcards.store import Store
from tests.conftest import run_cli, small_deck, utc

FIXTURES = Path(__file__).parent / "fixtures"
TRICKY = 'Tricky: quotes & "friends"'


@pytest.fixture
def tiny_db(db_path: Path) -> Path:
    with Store.open(db_path) as store:
        store.apply_deck(small_deck())
    return db_path


def one_error_line(result, exit_code: int = 1) -> str:
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# --- deck files: import -> export gives the same bytes -----------------------------------------------


@pytest.mark.parametrize("ext", [".json", ".toml", ".yaml"])
def test_deck_file_round_trip_in_process(ext: str, tmp_path: Path):
    fixture = FIXTURES / f"tricky{ext}"
    store = Store.memory()
    try:
        store.apply_deck(deckfile.read_deck(fixture))
        out = tmp_path / f"again{ext}"
        exporters.export_deck(store.export_deck(TRICKY), out)
    finally:
        store.close()
    assert out.read_bytes() == fixture.read_bytes()


@pytest.mark.parametrize("ext", [".json", ".toml", ".yaml"])
def test_deck_file_round_trip_through_cli(ext: str, tmp_path: Path):
    fixture = FIXTURES / f"tricky{ext}"
    db = tmp_path / "rt.db"
    assert run_cli("init", "--empty", db=db).returncode == 0
    imported = run_cli("import", str(fixture), db=db)
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / f"exported{ext}"
    done = run_cli("export", str(out), "--deck", TRICKY, db=db)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == fixture.read_bytes()
    assert done.stdout.startswith(f"exported {TRICKY} (6 terms) to {out}")


# --- Anki formats ------------------------------------------------------------------------------------


def test_exports_every_format(tiny_db: Path, tmp_path: Path):
    for name in ("t.tsv", "t.csv", "t.apkg", "t.json", "t.yml"):
        out = tmp_path / name
        result = run_cli("export", str(out), "--deck", "tiny", db=tiny_db)
        assert result.returncode == 0, result.stderr
        assert out.exists()
    assert (tmp_path / "t.tsv").read_text(encoding="utf-8").startswith("#separator:tab\n#html:false\n")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").startswith("#separator:comma\n#html:false\n")
    from mlcards.exporters import apkg

    summary = apkg.check_package(tmp_path / "t.apkg", expect_notes=6, expect_deck="Tiny")
    assert summary.cards_per_template == {0: 6, 1: 6}
    assert deckfile.read_deck(tmp_path / "t.yml") == small_deck()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


# --- errors: one line, exit 1, nothing written -------------------------------------------------------


def test_unknown_extension_lists_supported(tiny_db: Path, tmp_path: Path):
    out = tmp_path / "deck.xlsx"
    line = one_error_line(run_cli("export", str(out), "--deck", "Tiny", db=tiny_db))
    assert line == f"error: {out}: cannot export a deck to .xlsx; supported: .json, .toml, .yaml, .yml, .tsv, .csv, .apkg"
    assert not out.exists()


def test_missing_folder(tiny_db: Path, tmp_path: Path):
    out = tmp_path / "missing" / "deck.apkg"
    line = one_error_line(run_cli("export", str(out), "--deck", "Tiny", db=tiny_db))
    assert "does not exist; create it first" in line
    assert not out.parent.exists()


def test_deck_required_for_deck_export(tiny_db: Path, tmp_path: Path):
    out = tmp_path / "deck.tsv"
    line = one_error_line(run_cli("export", str(out), db=tiny_db))
    assert "add --deck NAME" in line and "--reviews" in line
    assert not out.exists()


def test_unknown_deck_keeps_existing_file(tiny_db: Path, tmp_path: Path):
    out = tmp_path / "deck.apkg"
    out.write_bytes(b"previous export")
    line = one_error_line(run_cli("export", str(out), "--deck", "Nope", db=tiny_db))
    assert "no deck named 'Nope'" in line
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([tiny_db.name, "deck.apkg", *_db_sidecars(tmp_path)])


def _db_sidecars(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith("cards.db-")]


def test_reviews_only_to_csv(tiny_db: Path, tmp_path: Path):
    out = tmp_path / "log.tsv"
    line = one_error_line(run_cli("export", "--reviews", str(out), db=tiny_db))
    assert line == f"error: {out}: cannot export the review log to .tsv; supported: .csv"
    assert not out.exists()


def test_usage_error_without_path(tiny_db: Path):
    result = run_cli("export", db=tiny_db)
    assert result.returncode == 2 and result.stderr.startswith("error: ")


# --- the review log ----------------------------------------------------------------------------------


def test_reviews_csv_through_cli(tiny_db: Path, tmp_path: Path):
    with Store.open(tiny_db) as store:
        store.set_setting("timezone", "America/New_York")
        other = small_deck("Second")
        store.apply_deck(other)
        ids = {
            (deck, term, kind): cid
            for cid, deck, term, kind in store.db.execute(
                "SELECT c.id, d.name, t.term, c.kind FROM cards c JOIN terms t ON t.id = c.term_id "
                "JOIN decks d ON d.id = t.deck_id"
            )
        }
        answering.answer(store, ids[("Tiny", "alpha", "recall")], 4, utc(2025, 11, 2, 5, 30), duration_ms=2500)  # 01:30 EDT
        answering.answer(store, ids[("Tiny", "beta", "reverse")], 1, utc(2025, 11, 2, 6, 30), duration_ms=900)  # 01:30 EST
        answering.answer(store, ids[("Second", "gamma", "related")], 5, utc(2025, 11, 3, 15, 0))

    out = tmp_path / "log.csv"
    result = run_cli("export", "--reviews", str(out), db=tiny_db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"exported 3 reviews to {out}"
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    # The DST fall-back hour happens twice: the stored offsets tell the two 01:30s apart.
    assert [(r["term"], r["card_kind"], r["reviewed_at_local"]) for r in rows] == [
        ("alpha", "recall", "2025-11-02T01:30:00.000-04:00"),
        ("beta", "reverse", "2025-11-02T01:30:00.000-05:00"),
        ("gamma", "related", "2025-11-03T10:00:00.000-05:00"),
    ]
    assert [r["study_day"] for r in rows] == ["2025-11-01", "2025-11-01", "2025-11-03"]
    assert [(r["grade"], r["easiness_after"], r["duration_ms"]) for r in rows] == [
        ("4", "2.50", "2500"),
        ("1", "1.96", "900"),
        ("5", "2.60", ""),
    ]

    only = tmp_path / "second.csv"
    result = run_cli("export", "--reviews", str(only), "--deck", "second", db=tiny_db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"exported 1 review to {only}"
    [row] = list(csv.DictReader(io.StringIO(only.read_text(encoding="utf-8"), newline="")))
    assert (row["deck"], row["term"]) == ("Second", "gamma")


def test_reviews_unknown_deck(tiny_db: Path, tmp_path: Path):
    out = tmp_path / "log.csv"
    line = one_error_line(run_cli("export", "--reviews", str(out), "--deck", "Nope", db=tiny_db))
    assert "no deck named 'Nope'" in line
    assert not out.exists()


def test_fixtures_are_canonical():
    """The three fixtures hold one and the same deck, with multi-line text (so each round trip is comparable)."""
    decks = [deckfile.read_deck(FIXTURES / f"tricky{ext}") for ext in (".json", ".toml", ".yaml")]
    assert decks[0] == decks[1] == decks[2]
    assert len(decks[0].terms) == 6 and "\n" in decks[0].terms[0].explanation
