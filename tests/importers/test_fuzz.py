"""Fuzzing every importer: any input either parses to valid decks or raises ``DeckError``.

Inputs are built from each format's own tokens (headers, separators, headings, brackets, anchors,
HTML tags, entities, invisible characters, surrogate escapes...) so that they reach deep into the
parsers, plus mutated bytes of valid files and packages. Nothing but ``DeckError`` may escape, and
what parses must hold valid, storable text. Sized to take well under a minute on 2 cores.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from mlcards.errors import DeckError
from mlcards.importers import Parsed, _html, load
from mlcards.models import Deck

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
_counter = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _write(folder: Path, suffix: str, data: str | bytes) -> Path:
    path = folder / f"f{next(_counter)}{suffix}"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(data)
    return path


def check(path: Path) -> Parsed | None:
    """Load ``path``: valid decks, or a DeckError naming the file; nothing else may escape."""
    try:
        parsed = load(path)
    except DeckError as e:
        assert e.path is not None and Path(e.path).name == path.name, e
        assert e.message
        return None
    finally:
        path.unlink(missing_ok=True)
    assert parsed.decks
    for deck in parsed.decks:
        assert isinstance(deck, Deck)
        assert Deck.model_validate(deck.model_dump()) == deck  # valid as it stands
        json.dumps(deck.model_dump(), ensure_ascii=False).encode("utf-8")  # storable: no lone surrogates
    for notice in parsed.notices:
        notice.encode("utf-8")
    return parsed


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\x00", "\x1f", "\r"]
WORDS = ["term", "definition", "a", "x y", "Ünï", "9" * 30, "\u00e9", "\t", " ", "  ", "\n", "\n\n"]


def tokens(*extra: str) -> st.SearchStrategy[str]:
    token = st.one_of(st.sampled_from([*extra, *WORDS, *INVISIBLE]), st.text(max_size=4))
    return st.lists(token, max_size=60).map("".join)


# --- deck files ----------------------------------------------------------------------------------

KEYS = ["name", "description", "terms", "term", "definition", "explanation", "example", "related", "tags", "x"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=12),  # may hold lone surrogates
    st.sampled_from(["", " ", *INVISIBLE, "\u200b\u2060\ufeff"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
    max_leaves=25,
)
term = st.fixed_dictionaries(
    {"term": st.one_of(st.text(max_size=8), st.sampled_from(INVISIBLE)), "definition": st.text(max_size=8)},
    optional={"related": st.lists(st.text(max_size=5), max_size=3), "tags": st.lists(st.text(max_size=5), max_size=3)},
)
decks = st.one_of(
    values,
    st.fixed_dictionaries({"name": st.one_of(st.text(max_size=8), values)}, optional={"terms": st.lists(st.one_of(term, values), max_size=4)}),
)


def _mutate(text: str, cuts: list[tuple[int, str]]) -> str:
    for at, insert in cuts:
        at = at % (len(text) + 1)
        text = text[:at] + insert + text[at:]
    return text


mutations = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["[", "{", "]", '"', ",", ":", "\\u", "&a ", "*a", "\n", "1" * 40])), max_size=3)


@FUZZ
@given(data=decks, cuts=mutations)
@example(data={"name": "d", "terms": [{"term": "t", "definition": "d"}]}, cuts=[])
def test_fuzz_json(folder: Path, data, cuts) -> None:
    parsed = check(_write(folder, ".json", _mutate(json.dumps(data, ensure_ascii=True), cuts)))
    if data == {"name": "d", "terms": [{"term": "t", "definition": "d"}]} and not cuts:
        assert parsed is not None  # the fuzzer's checks do see successes


@FUZZ
@given(data=decks, raw=tokens("&a ", "*a", "<<: ", "- ", ": ", "[", "]", "{", "}", "!!binary ", "!!set ", "1:20:30", "2024-13-01", "~", "'", '"'), use_raw=st.booleans())
def test_fuzz_yaml(folder: Path, data, raw, use_raw: bool) -> None:
    import yaml

    text = raw if use_raw else yaml.safe_dump(data, allow_unicode=False)
    check(_write(folder, ".yaml", text))


@settings(FUZZ, max_examples=200)
@given(data=decks, raw=tokens("[[terms]]", "name = ", "term = ", "definition = ", "'", '"', "[", "]", "{", "}", "= ", "1" * 40), use_raw=st.booleans())
def test_fuzz_toml(folder: Path, data, raw, use_raw: bool) -> None:
    import tomli_w

    text = raw
    if not use_raw and isinstance(data, dict):
        try:
            text = tomli_w.dumps(data)
        except (TypeError, ValueError):
            text = ""
    check(_write(folder, ".toml", text))


# --- text formats --------------------------------------------------------------------------------


@settings(FUZZ, max_examples=500)
@given(text=tokens("## ", "# ", "### ", "##", "#", "\n## ", "Related: ", "Tags: ", "Example: ", "**Example:** ", "```", "~~~",
                   "[", "](", ")", "[[", "]]", "- ", "1. ", "* ", ", ", "; ", "    "))
@example(text="# Deck\n\n## t\ndefinition\n\nRelated: [u](x), [[v]]\n")
def test_fuzz_markdown(folder: Path, text: str) -> None:
    check(_write(folder, ".md", text))


PAGE = "What is a thing?\nA thing.\nthing explained in plain English\n"


@settings(FUZZ, max_examples=500)
@given(text=tokens("What is ", "What are ", "what is a ", "?", " explained in plain English", "explained in plain English:",
                   "People also read", "Example", "Examples:", "- ", "\u2022 ", "--- See X for more information.", "things",
                   "\nWhat is a tokenizer?\nSplits text.\ntokenizer explained in plain English\n"),
       prefix=st.booleans())
@example(text="", prefix=True)
def test_fuzz_glossary(folder: Path, text: str, prefix: bool) -> None:
    check(_write(folder, ".txt", (PAGE if prefix else "") + text))


@settings(FUZZ, max_examples=500)
@given(text=tokens(",", ";", "\t", "|", ":", '"', '""', "\n", "\r\n", "#separator:", "Tab\n", "#html:true\n", "#html:false\n",
                   "#columns:", "Front,Back\n", "Term\tDefinition\tTags\n", "#deck column:", "#tags column:", "#deck:", "tags:",
                   "<p>", "<br>", "</li>", "<a ", "<!--", "&amp;", "&#", "&#xd800;", "[sound:a.mp3]", "<script>"),
       suffix=st.sampled_from([".csv", ".tsv", ".txt"]))
@example(text="#html:true\nFront,Back\n<b>t</b>,d&amp;\n", suffix=".csv")
def test_fuzz_ankitext(folder: Path, text: str, suffix: str) -> None:
    check(_write(folder, suffix, text))


@settings(FUZZ, max_examples=1000)
@given(text=tokens("<", ">", "</", "<p>", "<br/>", "<li>", "<b>", "</b>", "<a href='>'>", "<!--", "-->", "<!", "<?", "<![CDATA[",
                   "<script>", "</script>", "<style>", "&", "&#", "&#x", ";", "&amp;", "&nbsp;", "&#0;", "&#xd800;", "[sound:", "]"))
def test_fuzz_html_to_text(text: str) -> None:
    out = _html.html_to_text(text)
    assert isinstance(out, str)
    out.encode("utf-8", "surrogatepass")


# --- Anki packages -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def template() -> bytes:
    """A small legacy collection (3 notes), built once; not a fixture, so Hypothesis never prints it."""
    import tempfile

    from tests.importers.hostile import _collection

    with tempfile.TemporaryDirectory() as tmp:
        return _collection(Path(tmp) / "template.anki2", notes=3).read_bytes()


field_text = tokens("\x1f", "<b>", "</b>", "<br>", "&nbsp;", "[sound:x.mp3]", "{{c1::x}}", "Front", "Back")
sql_value = st.one_of(st.integers(-(2**63), 2**63 - 1), st.text(max_size=6), st.floats(), st.binary(max_size=4))


@settings(FUZZ, max_examples=150)
@given(
    flds=st.lists(field_text, min_size=3, max_size=3),
    tags=st.lists(tokens(" ", "tag"), min_size=3, max_size=3),
    odd=st.lists(
        st.tuples(st.sampled_from(["notes.mid", "notes.id", "cards.nid", "cards.did", "cards.ord", "cards.odid", "col.models", "col.decks"]), sql_value),
        max_size=2,
    ),
    name=st.sampled_from(["collection.anki2", "collection.anki21"]),
)
@example(flds=["a\x1fb", "c\x1fd", "e\x1ff"], tags=["", "x", ""], odd=[], name="collection.anki2")
def test_fuzz_apkg_contents(folder: Path, flds, tags, odd, name) -> None:
    db = folder / f"c{next(_counter)}.anki2"
    db.write_bytes(template())
    conn = sqlite3.connect(db)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM notes ORDER BY id")]
        for nid, f, t in zip(ids, flds, tags):
            conn.execute("UPDATE notes SET flds = ?, tags = ? WHERE id = ?", (f, t, nid))
        for column, value in odd:
            table, col = column.split(".")
            try:
                conn.execute(f"UPDATE {table} SET {col} = ? WHERE rowid = (SELECT min(rowid) FROM {table})", (value,))
            except sqlite3.IntegrityError:  # e.g. text for an INTEGER PRIMARY KEY: SQLite itself refuses
                pass
        conn.commit()
    finally:
        conn.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, db.read_bytes())
        zf.writestr("media", b"{}")
    db.unlink()
    check(_write(folder, ".apkg", buf.getvalue()))


@settings(FUZZ, max_examples=150)
@given(flips=st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), min_size=1, max_size=6), stored=st.booleans())
def test_fuzz_apkg_bytes(folder: Path, flips, stored: bool) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("collection.anki2", template())
        zf.writestr("media", b'{"0": "a.jpg"}')
    data = bytearray(buf.getvalue())
    for at, value in flips:
        data[at % len(data)] = value
    assume(bytes(data[:4]) == b"PK\x03\x04" or flips[0][1] % 2)  # mostly zips, some not
    check(_write(folder, ".apkg", bytes(data)))


def test_fuzz_folder_is_left_clean(folder: Path) -> None:
    leftovers = [p.name for p in folder.iterdir()]
    shutil.rmtree(folder, ignore_errors=True)
    assert leftovers == []
