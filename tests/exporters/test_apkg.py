"""Anki package export: what Anki reads from collection.anki2, stable ids, escaping, round trip."""

from __future__ import annotations

import json
import sqlite3
import warnings
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import genanki
import pytest

from mlcards import identity, importers
from mlcards.database import memory_database
from mlcards.errors import MlcardsError
from mlcards.exporters import apkg, export_deck
from mlcards.models import Deck
from mlcards.store import Store
from tests.conftest import small_deck

NOW = datetime(2025, 5, 4, 3, 2, 1, tzinfo=timezone.utc)

RICH = Deck(
    name="Rich <deck> & co",
    description="Line one\nline <two> & three",
    terms=[
        dict(
            term="a < b & c",
            definition='Uses <b>not bold</b> & "quotes".\nSecond line.',
            explanation="Para one.\n\nPara two.",  # (HTML collapses tabs and space runs, as Anki shows them)
            example="x -> y",
            related=["plain", "R&D"],
            tags=["math", "odd-tag"],
        ),
        dict(term="plain", definition="Nothing special.", related=["a < b & c"]),
        dict(term="R&D", definition="Research & development.", tags=["business"]),
        dict(term="Ünïcødé 神经网络", definition="Non-ASCII 🧠."),
    ],
)


def open_collection(package: Path, tmp_path: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(package) as zf:
        assert sorted(zf.namelist()) == ["collection.anki2", "media"]
        assert json.loads(zf.read("media")) == {}
        target = tmp_path / f"{package.stem}-collection.anki2"
        target.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(target)
    conn.row_factory = sqlite3.Row
    return conn


def write(deck: Deck, tmp_path: Path, name: str = "deck.apkg", now: datetime = NOW) -> Path:
    out = tmp_path / name
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # genanki warns about unescaped HTML: there must be none
        apkg.write(deck, out, now=now)
    return out


def test_collection_is_consistent(tmp_path: Path):
    conn = open_collection(write(small_deck(), tmp_path), tmp_path)
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    assert list(models) == [str(apkg.MODEL_ID)]
    model = models[str(apkg.MODEL_ID)]
    assert model["name"] == "mlcards term"
    assert [f["name"] for f in model["flds"]] == [
        "Term", "Definition", "Explanation", "Example", "Related", "Tags", "Aliases"
    ]
    assert [t["name"] for t in model["tmpls"]] == ["Recall", "Reverse"]
    assert model["type"] == 0 and model["sortf"] == 0
    deck_id = apkg.deck_id_for("Tiny")
    assert decks[str(deck_id)]["name"] == "Tiny"

    notes = conn.execute("SELECT id, guid, mid, flds, sfld, tags, mod FROM notes ORDER BY id").fetchall()
    assert len(notes) == 6
    assert {n["mid"] for n in notes} == {apkg.MODEL_ID}
    assert all(len(n["flds"].split("\x1f")) == 7 for n in notes)
    assert [n["sfld"] for n in notes] == ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    assert len({n["guid"] for n in notes}) == 6
    assert {n["mod"] for n in notes} == {int(NOW.timestamp())}

    cards = conn.execute("SELECT nid, did, ord, due, queue, type FROM cards ORDER BY nid, ord").fetchall()
    assert len(cards) == 12
    by_note: dict[int, list[int]] = {}
    for c in cards:
        by_note.setdefault(c["nid"], []).append(c["ord"])
        assert c["did"] == deck_id and c["queue"] == 0 and c["type"] == 0  # new cards in our deck
    assert by_note == {n["id"]: [0, 1] for n in notes}
    # New cards keep the deck's order.
    due_by_note = {c["nid"]: c["due"] for c in cards}
    assert [due_by_note[n["id"]] for n in notes] == [0, 1, 2, 3, 4, 5]

    summary = apkg.check_package(tmp_path / "deck.apkg", expect_notes=6, expect_deck="Tiny")
    assert (summary.notes, summary.cards, summary.cards_per_template) == (6, 12, {0: 6, 1: 6})


def test_templates_show_term_then_the_rest(tmp_path: Path):
    conn = open_collection(write(small_deck(), tmp_path), tmp_path)
    model = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])[str(apkg.MODEL_ID)]
    recall, reverse = model["tmpls"]
    assert "{{Term}}" in recall["qfmt"] and "{{Definition}}" not in recall["qfmt"]
    for field in ("{{Definition}}", "{{Explanation}}", "{{Example}}", "{{Related}}"):
        assert field in recall["afmt"]
    assert "{{Definition}}" in reverse["qfmt"] and "{{Term}}" not in reverse["qfmt"]
    for field in ("{{Term}}", "{{Explanation}}", "{{Example}}", "{{Related}}"):
        assert field in reverse["afmt"]
    assert recall["afmt"].startswith("{{FrontSide}}") and reverse["afmt"].startswith("{{FrontSide}}")
    # Each card type needs its front field: Term for Recall (ord 0), Definition for Reverse (ord 1).
    assert model["req"] == [[0, "all", [0]], [1, "all", [1]]]


def test_fields_are_escaped_plain_text(tmp_path: Path):
    conn = open_collection(write(RICH, tmp_path), tmp_path)
    rows = conn.execute("SELECT flds, tags FROM notes ORDER BY id").fetchall()
    first = rows[0]["flds"].split("\x1f")
    assert first == [
        "a &lt; b &amp; c",
        'Uses &lt;b&gt;not bold&lt;/b&gt; &amp; "quotes".<br>Second line.',
        "Para one.<br><br>Para two.",
        "x -&gt; y",
        "plain, R&amp;D",
        "math odd-tag",
        "",  # no aliases
    ]
    assert rows[0]["tags"].split() == ["math", "odd-tag"]
    assert rows[3]["flds"].split("\x1f")[:2] == ["Ünïcødé 神经网络", "Non-ASCII 🧠."]
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    assert decks[str(apkg.deck_id_for(RICH.name))]["desc"] == "Line one<br>line &lt;two&gt; &amp; three"


def test_tags_are_sanitised_for_anki():
    term = small_deck().terms[0].model_copy(update={"tags": ["two words", "tab\there", "ok"]})
    deck = Deck.model_construct(name="D", description="", terms=[term])
    note = apkg.build_package(deck).decks[0].notes[0]
    assert list(note.tags) == ["two_words", "tab_here", "ok"]
    assert note.fields[5] == "two_words tab_here ok"


def test_ids_and_guids_are_stable(tmp_path: Path):
    a = open_collection(write(small_deck(), tmp_path, "a.apkg", NOW), tmp_path)
    later = datetime(2026, 1, 1, tzinfo=timezone.utc)
    edited = small_deck().model_copy(
        update={"terms": [small_deck().terms[0].model_copy(update={"definition": "Changed."}), *small_deck().terms[1:]]}
    )
    b = open_collection(write(edited, tmp_path, "b.apkg", later), tmp_path)
    guids_a = [r[0] for r in a.execute("SELECT guid FROM notes ORDER BY id")]
    guids_b = [r[0] for r in b.execute("SELECT guid FROM notes ORDER BY id")]
    assert guids_a == guids_b
    # the GUID is derived from the UUID a database gives the term (deck name + key), pinned here
    term_uuid = identity.term_uuid(identity.deck_uuid("Tiny"), "alpha")
    assert guids_a[0] == genanki.guid_for("mlcards-term", term_uuid) == apkg.note_guid_for_uuid(term_uuid)
    assert {r[0] for r in b.execute("SELECT mod FROM notes")} == {int(later.timestamp())}  # newer: Anki updates
    assert [r[0] for r in a.execute("SELECT did FROM cards")] == [r[0] for r in b.execute("SELECT did FROM cards")]

    # Deck ids follow the name case-insensitively (as mlcards does); another deck gets other ids.
    assert apkg.deck_id_for("Tiny") == apkg.deck_id_for("tiny") == apkg.deck_id_for("TINY")
    assert apkg.deck_id_for("Tiny") != apkg.deck_id_for("Other")
    assert apkg.note_guid("Other", small_deck().terms[0]) != apkg.note_guid("Tiny", small_deck().terms[0])
    assert apkg.note_guid("TINY", small_deck().terms[0]) == guids_a[0]


def test_model_id_is_pinned():
    # Changing this id would make Anki treat our note type as a new one: only with a new version name.
    assert apkg.MODEL_ID == apkg.stable_id("mlcards-term-v1") == 1881379608
    assert 1 << 30 <= apkg.MODEL_ID < 1 << 31
    assert 1 << 30 <= apkg.deck_id_for("anything at all") < 1 << 31


def test_from_store_and_bundled_size(tmp_path: Path):
    store = memory_database()
    try:
        name = store.deck_names()[0]
        deck = store.export_deck(name)
    finally:
        store.close()
    out = tmp_path / "bundled.apkg"
    export_deck(deck, out, now=NOW)
    summary = apkg.check_package(out)
    assert summary.notes == len(deck.terms) and summary.cards == 2 * len(deck.terms)
    assert list(summary.decks.values()) == [name]


def test_empty_deck(tmp_path: Path):
    summary = apkg.check_package(write(Deck(name="Empty"), tmp_path))
    assert (summary.notes, summary.cards, list(summary.decks.values())) == (0, 0, ["Empty"])


# --- check_package catches broken packages -------------------------------------------------------------


def _tamper(package: Path, tmp_path: Path, sql: str) -> Path:
    work = tmp_path / "tamper.anki2"
    with zipfile.ZipFile(package) as zf:
        work.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(work)
    conn.execute(sql)
    conn.commit()
    conn.close()
    bad = tmp_path / "bad.apkg"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.write(work, "collection.anki2")
        zf.writestr("media", "{}")
    return bad


@pytest.mark.parametrize(
    "sql, message",
    [
        ("UPDATE notes SET flds = 'only one field' WHERE id = (SELECT MIN(id) FROM notes)", "has 1 fields; its note type has 7"),
        ("DELETE FROM cards WHERE ord = 1 AND nid = (SELECT MIN(id) FROM notes)", "expected [0, 1]"),
        ("UPDATE cards SET did = 42", "unknown deck 42"),
        ("UPDATE notes SET mid = 7", "unknown note type 7"),
        ("UPDATE notes SET guid = 'same'", "share a GUID"),
        ("UPDATE cards SET ord = 5 WHERE id = (SELECT MIN(id) FROM cards)", "template 5"),
    ],
)
def test_check_package_detects_inconsistency(tmp_path: Path, sql: str, message: str):
    bad = _tamper(write(small_deck(), tmp_path), tmp_path, sql)
    with pytest.raises(MlcardsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        apkg.check_package(bad)


def test_check_package_rejects_non_packages(tmp_path: Path):
    junk = tmp_path / "junk.apkg"
    junk.write_text("not a zip", encoding="utf-8")
    with pytest.raises(MlcardsError, match="not a zip archive"):
        apkg.check_package(junk)
    nomedia = tmp_path / "nomedia.apkg"
    with zipfile.ZipFile(nomedia, "w") as zf:
        zf.writestr("collection.anki2", b"")
    with pytest.raises(MlcardsError, match="expected collection.anki2 and media"):
        apkg.check_package(nomedia)


def test_no_temporary_files_left(tmp_path: Path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    write(small_deck(), out_dir)
    assert [p.name for p in out_dir.iterdir()] == ["deck.apkg"]


# --- round trip through our own .apkg importer ----------------------------------------------------------

@pytest.mark.parametrize("deck", [small_deck(), RICH], ids=["tiny", "rich"])
def test_round_trip_through_our_importer(tmp_path: Path, deck: Deck):
    out = write(deck, tmp_path)
    parsed = importers.load(out)
    assert [d.name for d in parsed.decks] == [deck.name]
    got = parsed.decks[0]
    assert [(t.term, t.definition, t.explanation, t.example, list(t.related), list(t.tags)) for t in got.terms] == [
        (t.term, t.definition, t.explanation, t.example, list(t.related), list(t.tags)) for t in deck.terms
    ]


def test_reexport_after_import_is_identical(tmp_path: Path):
    first = write(RICH, tmp_path, "first.apkg")
    store = Store.memory()
    try:
        for d in importers.load(first).decks:
            store.apply_deck(d)
        second = tmp_path / "second.apkg"
        export_deck(store.export_deck(RICH.name), second, now=NOW)
    finally:
        store.close()
    a, b = open_collection(first, tmp_path), open_collection(second, tmp_path)
    rows = "SELECT guid, mid, flds, tags FROM notes ORDER BY id"
    assert [tuple(r) for r in a.execute(rows)] == [tuple(r) for r in b.execute(rows)]

