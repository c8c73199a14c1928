"""Deck files (JSON, TOML, YAML): parsing, errors that name the file and line, exact round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcards import bundled
from mlcards.errors import DeckError
from mlcards.exporters import deckfile as writer
from mlcards.importers import deckfile
from tests.conftest import small_deck

FIX = Path(__file__).parent / "fixtures"


def error_of(path: Path) -> DeckError:
    with pytest.raises(DeckError) as info:
        deckfile.read_deck(path)
    return info.value


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("name", ["optics.json", "sounds.toml", "colours.yaml"])
def test_fixtures_parse(name):
    d = deckfile.read_deck(FIX / name)
    assert d.name and len(d.terms) >= 3


def test_toml_multiline_and_yaml_block_text():
    sounds = deckfile.read_deck(FIX / "sounds.toml")
    assert sounds.terms[1].explanation == "Measured in hertz.\nHigher frequency means higher pitch."
    colours = deckfile.read_deck(FIX / "colours.yaml")
    assert colours.terms[1].example == "A fire engine is very saturated.\nFog is not."
    assert "café" in colours.description and '"quote"' in colours.description


@pytest.mark.parametrize(
    "name, line, fragment",
    [
        ("bad_empty_definition.toml", 9, "terms[1] ('two'): definition: must not be empty"),
        ("bad_duplicate.json", 6, "terms[2] ('ONE'): term: duplicate of terms[0] ('one')"),
        ("bad_type.yaml", 7, "terms[1] ('two'): related:"),
        ("bad_syntax.json", 5, "invalid JSON"),
    ],
)
def test_bad_fixtures_name_file_and_line(name, line, fragment):
    e = error_of(FIX / name)
    assert e.path == str(FIX / name)
    assert e.line == line
    assert fragment in e.message
    assert str(e).startswith(f"{FIX / name}:{line}: ")


@pytest.mark.parametrize(
    "suffix, text, line, fragment",
    [
        (".json", '{\n  "name": "",\n  "terms": []\n}\n', 2, "name:"),
        (".json", '{"name": "X",\n "terms": [\n  {"term": "a", "definition": "b"},\n  {"term": 5,\n   "definition": "c"}]}', 4, "terms[1]: term:"),
        (".json", '{"name": "X",\n "terms": [\n  {"term": "a",\n   "definition": "b"},\n  {"definition": "c"}\n]}', 5, "term: is required"),
        (".json", '{"name": "X", "terms": [\n {"term": "a", "definition": "b",\n  "related": ["x",\n   7]}]}', 4, "related.1"),
        (".yaml", "name: X\nterms:\n  - term: a\n    definition: b\n  - definition: c\n", 5, "terms[1]: term: is required"),
        (".yaml", "name: X\nterms:\n  - term: a\n    definition: b\n    colour: red\n", 5, "colour: is not a deck field"),
        (".yaml", "name: X\nauthor: me\nterms: []\n", 2, "author: is not a deck field"),
        (".yaml", "name: X\nterms:\n  - term: a\n    definition: b\n  - term: c\n    definition:\n", 6, "definition:"),
        (".toml", 'description = "d"\nname = 3\n', 2, "name:"),
        (".toml", 'name = "X"\n\n[[terms]]\nterm = "a"\ndefinition = "b"\n\n[[terms]]\ndefinition = "c"\n', 7, "term: is required"),
        (".toml", 'name = "X"\n\n[[terms]]\nterm = "a"\ndefinition = "b"\ntags = "t"\n', 6, "tags:"),
        (".toml", 'name = "X"\n[[terms]]\nterm = "a"\ndefinition = "b\n', 4, "invalid TOML"),
        (".yaml", "name: X\nterms:\n  - term: a\n   - term: b\n", 4, "invalid YAML"),
    ],
)
def test_every_kind_of_mistake_gets_a_line(tmp_path, suffix, text, line, fragment):
    e = error_of(write(tmp_path, "deck" + suffix, text))
    assert e.line == line, str(e)
    assert fragment in e.message


def test_empty_optional_fields_do_not_crash(tmp_path):
    p = write(tmp_path, "d.json", '{"name": "X", "terms": [{"term": "a", "definition": "b", "explanation": "", "example": "  "}]}')
    d = deckfile.read_deck(p)
    assert d.terms[0].explanation is None and d.terms[0].example is None


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".toml"])
def test_pathologically_nested_file_is_a_deck_error(tmp_path, suffix):
    body = "[" * 5_000 + "]" * 5_000
    text = body if suffix != ".toml" else "a = " + body
    e = error_of(write(tmp_path, "deep" + suffix, text))
    assert "nested" in e.message


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[1, 2]", "must hold an object"),
        ("", "must hold an object"),
    ],
)
def test_not_an_object(tmp_path, text, fragment):
    e = error_of(write(tmp_path, "d.yaml", text))
    assert fragment in e.message


def test_not_utf8_names_the_line(tmp_path):
    p = tmp_path / "d.json"
    p.write_bytes(b'{"name": "X",\n "terms": [\n {"term": "caf\xe9", "definition": "d"}]}')
    e = error_of(p)
    assert e.line == 3 and "UTF-8" in e.message


def test_missing_file(tmp_path):
    e = error_of(tmp_path / "nope.toml")
    assert "no such file" in e.message


def test_yaml_tags_are_not_executed(tmp_path):
    p = write(tmp_path, "d.yaml", "name: !!python/object/apply:os.system ['echo hi']\nterms: []\n")
    e = error_of(p)
    assert e.line == 1 and "invalid YAML" in e.message


@pytest.mark.parametrize("suffix", [".json", ".toml", ".yaml"])
def test_writer_round_trips_exactly(tmp_path, suffix):
    decks = [small_deck(), *(deckfile.read_deck(FIX / n) for n in ("optics.json", "sounds.toml", "colours.yaml"))]
    decks += [deckfile.read_deck(p) for p in bundled.deck_files()]
    for deck in decks:
        p = tmp_path / ("out" + suffix)
        writer.write(deck, p)
        first = p.read_bytes()
        back = deckfile.read_deck(p)
        assert back == deck
        writer.write(back, p)
        assert p.read_bytes() == first
        assert not list(tmp_path.glob("*.tmp"))
