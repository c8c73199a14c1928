"""Anki text files (.txt/.csv/.tsv): pure parser tests, no database (except the 10,000-row check)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcards.errors import DeckError
from mlcards.importers import Parsed, ankitext, load
from mlcards.store import Store
from tests.importers._support import FIXTURES


def write(tmp_path: Path, text: str, name: str = "cards.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def only_deck(result: Parsed):
    assert len(result.decks) == 1
    return result.decks[0]


def test_exported_style_file_with_every_header() -> None:
    result = ankitext.parse(FIXTURES / "evaluation.tsv")
    decks = {d.name: d for d in result.decks}
    assert list(decks) == ["Evaluation", "Evaluation::Summary"]  # the deck column splits rows
    precision, recall, roc = decks["Evaluation"].terms
    assert precision.term == "precision"
    assert precision.explanation == "Ask: when the model says yes,\nhow often is it right?"  # quoted newline
    assert precision.example == "8 of 10 flagged e-mails are spam: precision = 0.8"
    assert precision.related == ["recall", "F1 score"]
    assert precision.tags == ["metrics", "classification"]  # tags column
    assert recall.related == ["precision"] and recall.explanation is None
    assert roc.definition == "A plot of true-positive rate against false-positive rate"
    assert roc.explanation == "across all thresholds."
    f1 = decks["Evaluation::Summary"].terms[0]
    assert f1.definition == 'The harmonic mean of precision and recall; a "balanced" single number.'  # doubled quotes
    assert f1.related == ["precision", "recall"]
    assert result.notices == []


def test_spreadsheet_csv_with_header_row_crlf_and_quotes() -> None:
    deck = only_deck(ankitext.parse(FIXTURES / "spreadsheet.csv"))
    assert deck.name == "spreadsheet"
    assert [t.term for t in deck.terms] == ["tensor", "shape", "broadcasting"]  # header row not a card
    tensor, shape, broadcasting = deck.terms
    assert tensor.definition == "A multi-dimensional array, the basic data type of deep-learning libraries."
    assert tensor.tags == ["math", "arrays"]
    assert shape.definition == 'The size of a tensor along each axis, e.g. "(32, 3, 224, 224)".'
    assert broadcasting.definition == "Stretching a smaller array across a larger one\nso element-wise operations line up."
    assert broadcasting.tags == []


def test_html_true_becomes_plain_text_with_file_tags() -> None:
    deck = only_deck(ankitext.parse(FIXTURES / "anki-html.txt"))
    attention, softmax, compare = deck.terms
    assert attention.definition == "A mechanism that weighs parts of the input by relevance.\nKeys, queries & values."
    assert attention.explanation == "Self-attention relates a sequence to itself.\nUsed in transformers."
    assert softmax.definition == "Turns scores into probabilities that sum to 1 — e.g. [2, 1] → [0.73, 0.27]."
    assert compare.term == "a < b"
    assert all(t.tags == ["imported", "from-anki"] for t in deck.terms)


def test_html_false_is_literal(tmp_path: Path) -> None:
    path = write(tmp_path, "#separator:tab\n#html:false\n<b>tag</b>\tuse &amp; for &\n")
    t = only_deck(ankitext.parse(path)).terms[0]
    assert t.term == "<b>tag</b>"
    assert t.definition == "use &amp; for &"


def test_html_detected_without_header_as_anki_does(tmp_path: Path) -> None:
    assert only_deck(ankitext.parse(write(tmp_path, "a\tb<br>c\n"))).terms[0].definition == "b\nc"
    assert only_deck(ankitext.parse(write(tmp_path, "x < y\tif y > x\n"))).terms[0].term == "x < y"


@pytest.mark.parametrize(
    ("header", "sep"),
    [("Comma", ","), ("semicolon", ";"), ("TAB", "\t"), ("Space", " "), ("Pipe", "|"), ("Colon", ":"),
     ("|", "|"), (";", ";"), ("\t", "\t"), ("~", "~")],
)
def test_separator_header(tmp_path: Path, header: str, sep: str) -> None:
    path = write(tmp_path, f"#separator:{header}\nleft{sep}right\n")
    t = only_deck(ankitext.parse(path)).terms[0]
    assert (t.term, t.definition) == ("left", "right")


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("epoch;One pass, over the data\nbatch;A group, of examples\n", "a.csv", ("epoch", "One pass, over the data")),
        ("epoch\tOne pass; over the data\nbatch\tA group\n", "a.txt", ("epoch", "One pass; over the data")),
        ("epoch,One pass: over the data\nbatch,A group: of examples\n", "a.csv", ("epoch", "One pass: over the data")),
        ("epoch|One pass\nbatch|Group\n", "a.txt", ("epoch", "One pass")),
        ('"epoch, full",One pass\nbatch,Group\n', "a.csv", ("epoch, full", "One pass")),
    ],
)
def test_separator_sniffed_without_header(tmp_path: Path, text: str, name: str, expected: tuple) -> None:
    t = only_deck(ankitext.parse(write(tmp_path, text, name))).terms[0]
    assert (t.term, t.definition) == expected


def test_legacy_tags_line_and_comments(tmp_path: Path) -> None:
    text = "tags:old-style two\n# a comment\n#deck:Legacy\nloss\tA number to minimize\n# another comment\n"
    deck = only_deck(ankitext.parse(write(tmp_path, text)))
    assert deck.name == "Legacy"
    assert deck.terms[0].tags == ["old-style", "two"]
    assert len(deck.terms) == 1


def test_tabs_newlines_and_separators_inside_quoted_fields(tmp_path: Path) -> None:
    text = '#separator:comma\nkey,"value with\ta tab, a comma,\nand a ""quote"""\nnext,plain\n'
    deck = only_deck(ankitext.parse(write(tmp_path, text)))
    assert deck.terms[0].definition == 'value with\ta tab, a comma,\nand a "quote"'
    assert deck.terms[1].term == "next"


def test_positional_extra_columns_join_the_explanation(tmp_path: Path) -> None:
    t = only_deck(ankitext.parse(write(tmp_path, "term\tdef\tpart one\t\tpart two\n"))).terms[0]
    assert t.explanation == "part one\n\npart two"


def test_columns_by_name_case_insensitive_with_unknown_column_notice(tmp_path: Path) -> None:
    text = "#separator:semicolon\n#columns:NOTES;back;FRONT;Example;Source\nextra;the definition;the term;ex;book\n"
    result = ankitext.parse(write(tmp_path, text))
    t = only_deck(result).terms[0]
    assert (t.term, t.definition, t.example) == ("the term", "the definition", "ex")
    assert result.notices == ["cards.txt: columns ignored (no such field in mlcards): NOTES, Source"]


def test_unknown_column_names_fall_back_to_position(tmp_path: Path) -> None:
    t = only_deck(ankitext.parse(write(tmp_path, "#separator:tab\n#columns:Begriff\tErklärung\nEpoche\tEin Durchlauf\n"))).terms[0]
    assert (t.term, t.definition) == ("Epoche", "Ein Durchlauf")


def test_meta_columns_are_not_fields(tmp_path: Path) -> None:
    text = ("#separator:tab\n#guid column:1\n#notetype column:2\n#tags column:5\n#deck column:6\n"
            "abc123\tBasic\tgradient\tslope of the loss\tcalculus core\tMaths\n")
    deck = only_deck(ankitext.parse(write(tmp_path, text)))
    assert deck.name == "Maths"
    t = deck.terms[0]
    assert (t.term, t.definition, t.tags, t.explanation) == ("gradient", "slope of the loss", ["calculus", "core"], None)


def test_notes_exported_by_anki_with_guid_notetype_deck_and_tags_columns(tmp_path: Path) -> None:
    # the shape of Anki's own "Notes in Plain Text" export; the last line has no line break
    text = (
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
        "f2b)X,w!Qe\tBasic\tML::Basics\tepoch\tOne pass&nbsp;over <b>data</b>\tml core\n"
        'q"w\tBasic (and reversed card)\tML\tbatch\t"A group; of <i>examples</i>"\t'
    )
    result = ankitext.parse(write(tmp_path, text, "Exported.txt"))
    assert [(d.name, [(t.term, t.definition, t.tags) for t in d.terms]) for d in result.decks] == [
        ("ML::Basics", [("epoch", "One pass over data", ["ml", "core"])]),
        ("ML", [("batch", "A group; of examples", [])]),
    ]


def test_numeric_deck_header_is_an_anki_id_so_the_file_name_wins(tmp_path: Path) -> None:
    deck = only_deck(ankitext.parse(write(tmp_path, "#deck:1700000000123\na\tb\n", "vocab.txt")))
    assert deck.name == "vocab"


def test_bom_before_headers(tmp_path: Path) -> None:
    path = tmp_path / "bom.tsv"
    path.write_bytes("\ufeff#separator:Pipe\nx|y\n".encode())
    t = only_deck(ankitext.parse(path)).terms[0]
    assert (t.term, t.definition) == ("x", "y")


# --- errors name the physical line ----------------------------------------------------------------


def error(path: Path) -> DeckError:
    with pytest.raises(DeckError) as e:
        ankitext.parse(path)
    assert e.value.path == str(path)
    return e.value


def test_error_line_counts_quoted_newlines_comments_and_blank_lines(tmp_path: Path) -> None:
    text = (
        "#separator:tab\n#html:false\n"  # lines 1-2
        'one\t"a field\nover\nthree lines"\n'  # lines 3-5
        "# comment\n"  # line 6
        "\n"  # line 7
        "two\t\n"  # line 8: no definition
    )
    e = error(write(tmp_path, text))
    assert e.line == 8
    assert "'two' has no definition" in e.message


def test_crlf_line_numbers(tmp_path: Path) -> None:
    e = error(write(tmp_path, "a;b\r\nc;\"d\r\ne\"\r\n;f\r\n", "x.csv"))
    assert e.line == 4
    assert "no term" in e.message


def test_unterminated_quote_names_the_row_where_it_starts(tmp_path: Path) -> None:
    e = error(write(tmp_path, 'a\tb\nc\t"never closed\nmore\n'))
    assert e.line == 2
    assert "never closed" in e.message


def test_duplicate_term(tmp_path: Path) -> None:
    e = error(write(tmp_path, "loss\tone\nLoss \ttwo\n"))
    assert e.line == 2
    assert "first on line 1" in e.message


@pytest.mark.parametrize(
    ("header", "fragment"),
    [("#separator:dots", "unknown separator"), ("#html:maybe", "#html must be true or false"),
     ("#deck column:first", "column number"), ("#tags column:0", "column number")],
)
def test_bad_headers(tmp_path: Path, header: str, fragment: str) -> None:
    e = error(write(tmp_path, f"#separator:tab\n{header}\na\tb\n"))
    assert e.line == 2
    assert fragment in e.message


def test_only_headers(tmp_path: Path) -> None:
    assert "no rows" in error(write(tmp_path, "#separator:tab\n# nothing else\n")).message


def test_single_column_explains_and_hints_at_glossary_pages(tmp_path: Path) -> None:
    e = error(write(tmp_path, "What is a tensor?\nAn array of numbers.\n"))
    assert e.line == 1
    assert "need at least two columns" in e.message
    assert "explained in plain English" in e.message


def test_field_too_long(tmp_path: Path) -> None:
    e = error(write(tmp_path, "a\tb\nc\t" + "d" * 20_001 + "\n"))
    assert e.line == 2
    assert "definition" in e.message


# --- size -----------------------------------------------------------------------------------------


def test_ten_thousand_rows_parse_and_apply(tmp_path: Path) -> None:
    rows = "".join(f'term {i}\t"definition {i}, with a comma"\tmore about {i}\n' for i in range(10_000))
    path = write(tmp_path, "#separator:tab\n#columns:Term\tDefinition\tExplanation\n" + rows, "big.tsv")
    parsed = load(path)
    assert len(parsed.decks[0].terms) == 10_000
    with Store.open(tmp_path / "big.db") as store:
        report = store.apply_deck(parsed.decks[0], mode=parsed.mode)
        assert len(report.added) == 10_000
        assert store.count("cards") == 20_000
        row = store.db.execute("SELECT definition, explanation FROM terms WHERE key = 'term 9999'").fetchone()
        assert row == ("definition 9999, with a comma", "more about 9999")
