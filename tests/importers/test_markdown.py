"""Markdown glossaries (.md): pure parser tests, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcards.errors import DeckError
from mlcards.importers import markdown
from mlcards.models import Deck
from tests.importers._support import FIXTURES


def one_deck(path: Path) -> Deck:
    """The one deck ``markdown.parse`` returns (in its 'replace' mode)."""
    parsed = markdown.parse(path)
    assert len(parsed.decks) == 1 and parsed.mode == "replace" and not parsed.history
    return parsed.decks[0]


def write(tmp_path: Path, text: str, name: str = "notes.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_fixture_glossary() -> None:
    deck = one_deck(FIXTURES / "optimization.md")
    assert deck.name == "Optimization basics"
    assert deck.description == "Terms about training a model by gradient descent."
    assert [t.term for t in deck.terms] == ["Learning-rate schedule", "Momentum", "Warm-up"]
    sched, momentum, warmup = deck.terms
    assert sched.definition == "A rule that changes the step size while training runs."
    # soft-wrapped lines are joined with a space; paragraphs stay apart
    assert sched.explanation == (
        "Most schedules start with larger steps and shrink them as the loss flattens out, so early progress "
        "is fast and the end is stable.\n\nA common choice is cosine decay."
    )
    assert sched.example == "start at 0.1 and halve the rate every ten epochs."
    assert sched.related == ["momentum", "warm-up"]  # link syntax removed
    assert sched.tags == ["optimization", "schedules"]
    assert momentum.explanation is None and momentum.example is None
    assert momentum.related == ["learning-rate schedule"]
    # a bold **Example:** label alone on its line: the following list and code block are the example
    assert warmup.example.startswith("- step 1: 0.001\n- step 100: 0.1")
    assert "## not a heading inside a code block" in warmup.example
    assert deck.graph()["learning-rate schedule"] == {"momentum", "warm-up"}


def test_no_title_uses_file_name_and_crlf(tmp_path: Path) -> None:
    text = "## Bias\r\nA constant added to a weighted sum.\r\n\r\nIt lets a neuron fire even when all inputs are zero.\r\n"
    deck = one_deck(write(tmp_path, text, "neurons.md"))
    assert deck.name == "neurons"
    assert deck.terms[0].definition == "A constant added to a weighted sum."
    assert deck.terms[0].explanation == "It lets a neuron fire even when all inputs are zero."


def test_bom_and_non_ascii(tmp_path: Path) -> None:
    path = tmp_path / "greek.md"
    path.write_bytes("\ufeff# Symbole\n\n## Lernrate η\nSchrittweite beim Gradientenabstieg.\n".encode())
    deck = one_deck(path)
    assert deck.name == "Symbole"
    assert deck.terms[0].term == "Lernrate η"


def test_heading_without_definition_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as e:
        one_deck(write(tmp_path, "# T\n\n## Epoch\nOne pass.\n\n## Step\n\nRelated: epoch\n"))
    assert e.value.line == 6
    assert "no definition" in e.value.message


def test_duplicate_term_names_both_lines(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as e:
        one_deck(write(tmp_path, "## Epoch\nOne pass.\n\n## epoch\nAgain.\n"))
    assert e.value.line == 4
    assert "first on line 1" in e.value.message


def test_no_terms_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as e:
        one_deck(write(tmp_path, "# Only a title\n\nSome prose.\n"))
    assert e.value.line == 1


def test_unclosed_code_block_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as e:
        one_deck(write(tmp_path, "## Loss\nA number.\n\n```\ncode\n"))
    assert "never closed" in e.value.message


def test_deeper_headings_are_text(tmp_path: Path) -> None:
    deck = one_deck(write(tmp_path, "## Loss\nA number to minimize.\n\n### Note\nLower is better.\n"))
    assert len(deck.terms) == 1
    assert deck.terms[0].explanation == "Note\n\nLower is better."
