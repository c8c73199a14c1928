"""The importer registry: extension picks the format, content confirms it; results carry notices."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcards.errors import DeckError
from mlcards.importers import FORMATS, format_for, load, supported
from tests.importers._support import FIXTURES


@pytest.mark.parametrize(
    ("name", "fmt", "mode"),
    [
        ("ml-pages.txt", "glossary page", "enrich"),
        ("anki-html.txt", "Anki text file", "replace"),
        ("evaluation.tsv", "Anki text file", "replace"),
        ("spreadsheet.csv", "Anki text file", "replace"),
        ("optimization.md", "Markdown glossary", "replace"),
    ],
)
def test_fixture_formats(name: str, fmt: str, mode: str) -> None:
    parsed = load(FIXTURES / name)
    assert parsed.format == fmt
    assert parsed.mode == mode
    assert parsed.decks and all(d.terms for d in parsed.decks)


def test_txt_content_decides(tmp_path: Path) -> None:
    page = tmp_path / "Notes.TXT"
    page.write_text("What is a loss?\nA number.\nloss explained in plain English\nLower is better.\n")
    tabbed = tmp_path / "notes2.txt"
    tabbed.write_text("What is a loss?\tA number to minimize.\n")
    assert format_for(page).name == "glossary page"
    assert format_for(tabbed).name == "Anki text file"
    assert load(tabbed).decks[0].terms[0].term == "What is a loss?"


def test_unknown_extension_lists_each_supported_one_once(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as e:
        load(tmp_path / "deck.docx")
    message = e.value.message
    assert message.startswith("unknown format .docx; supported: ")
    for ext in (".json", ".toml", ".yaml", ".txt", ".csv", ".tsv", ".md", ".apkg"):
        assert message.count(ext + ",") + message.endswith(ext) == 1, ext
    assert supported().count(".txt") == 1
    assert {f.module for f in FORMATS} >= {
        "mlcards.importers.glossary", "mlcards.importers.ankitext", "mlcards.importers.markdown", "mlcards.importers.apkg"
    }


def test_no_extension(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match=r"unknown format \(no extension\)"):
        load(tmp_path / "README")


def test_json_that_is_not_a_deck_file(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text('{"dependencies": {"left-pad": "1.0"}}')
    with pytest.raises(DeckError) as e:
        load(path)
    assert e.value.message.startswith("not a deck file (JSON/TOML/YAML): ")


def test_apkg_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "deck.apkg"
    path.write_text("#separator:tab\nfront\tback\n")
    with pytest.raises(DeckError, match="not a zip archive"):
        load(path)


def test_deck_option_renames_and_merges(tmp_path: Path) -> None:
    parsed = load(FIXTURES / "evaluation.tsv", deck_name="Metrics")
    assert [d.name for d in parsed.decks] == ["Metrics"]
    assert [t.term for t in parsed.decks[0].terms] == ["precision", "recall", "ROC curve", "F1 score"]


def test_notices_reach_parsed(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_text("#columns:Term\tDefinition\tSource\nloss\ta number\tbook\n")
    assert load(path).notices == ["x.tsv: columns ignored (no such field in mlcards): Source"]


def test_missing_txt_file_is_reported_by_the_parser(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="no such file"):
        load(tmp_path / "absent.txt")
