"""Anki text export (.tsv / .csv): Anki's file headers, quoting that survives any text, round trips."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from mlcards import importers
from mlcards.exporters import ankitext, export_deck
from mlcards.models import Deck
from mlcards.store import Store
from tests.conftest import small_deck

HERE = Path(__file__).parent

NASTY = Deck(
    name="Nasty, \"quoted\"\tdeck? no: tabs are folded",
    description="Not carried by Anki text files.",
    terms=[
        dict(
            term="tab\tand, comma",
            definition='He said "hi"; then left.\nSecond line, with a comma.',
            explanation="Line one\r\nline two\n\nparagraph \"three\"",
            example="a\tb\tc",
            related=["#hash", "plain"],
            tags=["x", "y"],
        ),
        # (Related names are joined with ", ", so a related name holding ", " would not read back as one.)
        dict(term="#hash", definition="Starts with a hash, so it must be quoted.", related=["plain"]),
        dict(term="plain", definition="Nothing special here", tags=["only"]),
        dict(term='"quoted term"', definition="Starts with a quote."),
        dict(term="Ünïcødé 神经网络 🧠", definition="Non-ASCII survives."),
    ],
)


def body(text: str) -> str:
    """The data rows after the leading '#key:value' header lines."""
    lines = text.split("\n")
    n = 0
    while lines[n].startswith("#"):
        n += 1
    return "\n".join(lines[n:])


def parse_rows(text: str, separator: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(text), newline=""), delimiter=separator, strict=True))


def expected_rows(deck: Deck) -> list[list[str]]:
    return [
        [t.term, t.definition, t.explanation or "", t.example or "", ", ".join(t.related), " ".join(t.tags), deck.name]
        for t in deck.terms
    ]


@pytest.mark.parametrize("suffix, sep, sep_name", [(".tsv", "\t", "tab"), (".csv", ",", "comma")])
def test_headers_follow_the_anki_manual(suffix: str, sep: str, sep_name: str):
    text = ankitext.dumps(small_deck(), suffix)
    head = text.split("\n")[:7]
    assert head == [
        f"#separator:{sep_name}",
        "#html:false",
        "#notetype:Basic (and reversed card)",
        "#deck:Tiny",
        "#columns:" + sep.join(["Front", "Back", "Explanation", "Example", "Related", "Tags", "Deck"]),
        "#deck column:7",
        "#tags column:6",
    ]
    # The numbered columns point at the right names.
    names = head[4].removeprefix("#columns:").split(sep)
    assert names[6] == "Deck" and names[5] == "Tags"
    related = "beta, gamma" if sep == "\t" else '"beta, gamma"'
    assert text.split("\n")[7] == sep.join(["alpha", "First letter.", "Comes first.", "a", related, "greek", "Tiny"])
    assert not text.encode("utf-8").startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("suffix, sep", [(".tsv", "\t"), (".csv", ",")])
def test_quoting_survives_tabs_newlines_quotes_commas(suffix: str, sep: str):
    text = ankitext.dumps(NASTY, suffix)
    assert parse_rows(text, sep) == expected_rows(NASTY)
    # A row must never start with '#' (Anki would skip it as a comment) or a bare quote character.
    for line in body(text).split("\n"):
        assert not line.startswith("#")
    assert '"#hash"' in text
    assert '"""quoted term"""' in text  # a leading quote is doubled inside a quoted field


def test_minimal_quoting():
    assert ankitext.quote("plain text", "\t") == "plain text"
    assert ankitext.quote("a, b", "\t") == "a, b"
    assert ankitext.quote("a, b", ",") == '"a, b"'
    assert ankitext.quote("a\tb", "\t") == '"a\tb"'
    assert ankitext.quote('say "x"', "\t") == '"say ""x"""'
    assert ankitext.quote("two\nlines", ",") == '"two\nlines"'
    assert ankitext.quote("#x", ",") == '"#x"'
    assert ankitext.quote("x#", ",") == "x#"


def test_tags_never_contain_spaces():
    t = Deck.model_construct(  # bypass validation to feed a tag with inner whitespace
        name="D", description="", terms=[small_deck().terms[0].model_copy(update={"tags": ["two words", "ok"]})]
    )
    [row] = parse_rows(ankitext.dumps(t, ".tsv"), "\t")
    assert row[5] == "two_words ok"


def test_write_from_store_export(tiny_store: Store, tmp_path: Path):
    out = tmp_path / "tiny.csv"
    export_deck(tiny_store.export_deck("tiny"), out)
    assert parse_rows(out.read_text(encoding="utf-8"), ",") == expected_rows(small_deck())


def test_written_bytes_are_lf_utf8(tmp_path: Path):
    out = tmp_path / "n.tsv"
    ankitext.write(NASTY, out)
    raw = out.read_bytes()
    assert raw.decode("utf-8") == ankitext.dumps(NASTY, ".tsv")
    assert "Ünïcødé 神经网络 🧠".encode() in raw


# --- round trip through our own Anki-text importer ----------------------------------------------------

def _comparable(deck: Deck) -> list[tuple]:
    return [(t.term, t.definition, t.explanation, t.example, list(t.related), list(t.tags)) for t in deck.terms]


@pytest.mark.parametrize("suffix", [".tsv", ".csv"])
@pytest.mark.parametrize("deck", [small_deck(), NASTY], ids=["tiny", "nasty"])
def test_round_trip_through_our_importer(tmp_path: Path, suffix: str, deck: Deck):
    out = tmp_path / f"deck{suffix}"
    ankitext.write(deck, out)
    parsed = importers.load(out)
    assert [d.name for d in parsed.decks] == [deck.name]
    assert _comparable(parsed.decks[0]) == _comparable(deck)


def test_store_round_trip_keeps_text(tmp_path: Path):
    first, second = Store.memory(), Store.memory()
    try:
        first.apply_deck(NASTY)
        out = tmp_path / "nasty.tsv"
        export_deck(first.export_deck(NASTY.name), out)
        for d in importers.load(out).decks:
            second.apply_deck(d)
        again = tmp_path / "again.tsv"
        export_deck(second.export_deck(NASTY.name), again)
        assert again.read_bytes() == out.read_bytes()
    finally:
        first.close()
        second.close()
