"""Anki packages (.apkg): fixtures built here with genanki; pure parser tests, no mlcards database."""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import genanki
import pytest
import zstandard

from mlcards.errors import DeckError
from mlcards.importers import apkg, load
from tests.importers._support import (
    PLACEHOLDER,
    add_revlog,
    card_ids,
    current_package,
    genanki_model,
    legacy_package,
    placeholder_collection,
    write_collection,
    zip_members,
)


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every temporary file the importer makes lands here, so tests can check it is cleaned up."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == [], "the importer left temporary files behind"


def ml_decks():
    basic = genanki_model()
    basics = genanki.Deck(2_059_400_110, "ML::Basics", description="Core <b>ideas</b>")
    basics.add_note(genanki.Note(model=basic, fields=["epoch", "One full pass<br>over the training data &amp; labels"], tags=["ml", "core"]))
    basics.add_note(genanki.Note(model=basic, fields=["<b>batch</b>", "<div>A group of examples</div>"]))
    basics.add_note(genanki.Note(model=basic, fields=['<img src="chart.png">', "picture only"]))
    basics.add_note(genanki.Note(model=genanki.CLOZE_MODEL, fields=["{{c1::Adam}} is an optimizer", ""]))
    extra = genanki_model(("Word", "Meaning", "Notes", "Source"), model_id=1_607_392_320, name="Vocab")
    other = genanki.Deck(2_059_400_111, "Statistics")
    other.add_note(genanki.Note(model=extra, fields=["variance", "Mean squared distance from the mean.", "Square root: std.", "book p. 4"], tags=["stats"]))
    return [basics, other]


@pytest.fixture
def legacy_db(tmp_path: Path) -> Path:
    return write_collection(tmp_path / "legacy.anki2", ml_decks())


def test_legacy_package(tmp_path: Path, legacy_db: Path) -> None:
    path = legacy_package(tmp_path / "ml.apkg", legacy_db, media=b'{"0": "chart.png"}', extra={"0": b"\x89PNG"})
    result = apkg.parse(path)
    decks = {d.name: d for d in result.decks}
    assert list(decks) == ["ML::Basics", "Statistics"]  # subdeck path kept as the name; empty Default left out
    basics = decks["ML::Basics"]
    assert basics.description == "Core ideas"
    assert [t.term for t in basics.terms] == ["epoch", "batch", "Adam"]  # the cloze note is a cloze term
    epoch, batch, adam = basics.terms
    assert (adam.cloze, adam.definition) == ("{{c1::Adam}} is an optimizer", "Adam is an optimizer")
    assert epoch.definition == "One full pass\nover the training data & labels"
    assert epoch.tags == ["ml", "core"]
    assert batch.definition == "A group of examples"
    variance = decks["Statistics"].terms[0]
    # unknown field names: first = term, second = definition, the rest joined into the explanation
    assert (variance.term, variance.definition) == ("variance", "Mean squared distance from the mean.")
    assert variance.explanation == "Square root: std.\n\nbook p. 4"
    assert variance.tags == ["stats"]
    assert result.notices == [
        "ml.apkg: 1 note skipped: the term (first field) is empty once HTML and media are removed",
        "ml.apkg: 1 media file ignored (mlcards shows text only)",
    ]
    assert result.history == []


def test_fields_named_like_ours_map_by_name(tmp_path: Path) -> None:
    model = genanki_model(("Definition", "Term", "Example", "Related", "Explanation", "Tags"), model_id=1_700_000_001, name="mlcards term")
    deck = genanki.Deck(1_700_000_002, "Optimizers")
    deck.add_note(genanki.Note(
        model=model,
        fields=["Adaptive moment estimation.", "Adam", "lr=3e-4", "SGD, RMSprop", "Keeps running averages.", "optim fast"],
        tags=["imported"],
    ))
    path = legacy_package(tmp_path / "ours.apkg", write_collection(tmp_path / "c.anki2", [deck]))
    t = apkg.parse(path).decks[0].terms[0]
    assert (t.term, t.definition, t.example, t.explanation) == ("Adam", "Adaptive moment estimation.", "lr=3e-4", "Keeps running averages.")
    assert t.related == ["SGD", "RMSprop"]
    assert t.tags == ["imported", "optim", "fast"]


def test_current_package_reads_anki21b_and_never_the_placeholder(tmp_path: Path, legacy_db: Path) -> None:
    path = current_package(tmp_path / "current.apkg", legacy_db, tmp_path, media_entries=3)
    with zipfile.ZipFile(path) as zf:  # the placeholder really is there, and really looks like a deck
        assert {"collection.anki2", "collection.anki21b", "meta"} <= set(zf.namelist())
    result = apkg.parse(path)
    terms = [t.term for d in result.decks for t in d.terms]
    assert terms == ["epoch", "batch", "Adam", "variance"]
    assert not any("update" in t.lower() for t in terms)
    assert result.notices[-1] == "current.apkg: 3 media files ignored (mlcards shows text only)"


def test_legacy_anki21_preferred_over_anki2(tmp_path: Path, legacy_db: Path) -> None:
    placeholder = placeholder_collection(tmp_path / "p.anki2")
    path = zip_members(tmp_path / "v2.apkg", {"collection.anki2": placeholder.read_bytes(),
                                              "collection.anki21": legacy_db.read_bytes(), "media": b"{}"})
    assert [d.name for d in apkg.parse(path).decks] == ["ML::Basics", "Statistics"]


def test_package_holding_only_the_placeholder_is_an_error(tmp_path: Path) -> None:
    path = zip_members(tmp_path / "stub.apkg", {"collection.anki2": placeholder_collection(tmp_path / "p.anki2").read_bytes()})
    with pytest.raises(DeckError) as e:
        apkg.parse(path)
    assert "placeholder" in e.value.message
    assert PLACEHOLDER not in str(e.value)


def newer_schema_collection(path: Path) -> Path:
    """A schema-18-style collection: notetypes/fields/decks tables, deck levels split by \\x1f."""
    conn = sqlite3.connect(path)
    conn.create_collation("unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))
    conn.executescript(
        """
        CREATE TABLE col (id integer primary key, crt integer, mod integer, scm integer, ver integer, dty integer,
            usn integer, ls integer, conf text, models text, decks text, dconf text, tags text);
        INSERT INTO col VALUES (1, 0, 0, 0, 18, 0, 0, 0, '', '', '', '', '');
        CREATE TABLE notes (id integer primary key, guid text, mid integer, mod integer, usn integer, tags text,
            flds text, sfld integer, csum integer, flags integer, data text);
        CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer, mod integer, usn integer,
            type integer, queue integer, due integer, ivl integer, factor integer, reps integer, lapses integer,
            left integer, odue integer, odid integer, flags integer, data text);
        CREATE TABLE revlog (id integer primary key, cid integer, usn integer, ease integer, ivl integer,
            lastIvl integer, factor integer, time integer, type integer);
        CREATE TABLE notetypes (id integer not null primary key, name text not null collate unicase,
            mtime_secs integer not null, usn integer not null, config blob not null);
        CREATE UNIQUE INDEX idx_notetypes_name ON notetypes (name);
        CREATE TABLE fields (ntid integer not null, ord integer not null, name text not null collate unicase,
            config blob not null, primary key (ntid, ord)) without rowid;
        CREATE TABLE decks (id integer primary key not null, name text not null collate unicase,
            mtime_secs integer not null, usn integer not null, common blob not null, kind blob not null);
        CREATE UNIQUE INDEX idx_decks_name ON decks (name);
        """
    )
    conn.executemany("INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)", [(10, "Basic", b"\x1a\x00"), (11, "Cloze", b"\x08\x01")])
    conn.executemany(
        "INSERT INTO fields VALUES (?, ?, ?, x'')",
        [(10, 0, "Front"), (10, 1, "Back"), (11, 0, "Text"), (11, 1, "Back Extra")],
    )
    conn.executemany(
        "INSERT INTO decks VALUES (?, ?, 0, 0, x'', x'')",
        [(1, "Default"), (20, "Vision\x1fConvolutions"), (21, "Filtered review")],
    )
    conn.executemany(
        "INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, '', 0, 0, '')",
        [(100, "g1", 10, " cnn ", "kernel\x1fA small weight matrix slid over the image."),
         (101, "g2", 10, "", "stride\x1fHow far the kernel moves each step."),
         (102, "g3", 11, "", "{{c1::Pooling}} shrinks maps\x1f")],
    )
    conn.executemany(
        "INSERT INTO cards VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?, 0, '')",
        [(1000, 100, 20, 0, 0), (1001, 100, 20, 1, 0), (1002, 101, 21, 0, 20), (1003, 102, 20, 0, 0)],
    )
    conn.commit()
    conn.close()
    return path


def test_newer_schema_tables(tmp_path: Path) -> None:
    db = newer_schema_collection(tmp_path / "v18.anki2")
    path = zip_members(tmp_path / "v18.apkg", {
        "collection.anki21b": zstandard.ZstdCompressor().compress(db.read_bytes()),
        "collection.anki2": placeholder_collection(tmp_path / "p.anki2").read_bytes(),
    })
    result = apkg.parse(path)
    assert [d.name for d in result.decks] == ["Vision::Convolutions"]  # \x1f shown as ::
    kernel, stride, pooling = result.decks[0].terms  # stride sits in a filtered deck: it belongs to its original deck
    assert (kernel.term, kernel.definition, kernel.tags) == ("kernel", "A small weight matrix slid over the image.", ["cnn"])
    assert stride.term == "stride"
    assert (pooling.term, pooling.cloze) == ("Pooling", "{{c1::Pooling}} shrinks maps")  # a cloze note type (config kind 1)
    assert not any("cloze" in n for n in result.notices)


def test_review_log_is_returned_for_ord_0_and_1(tmp_path: Path, legacy_db: Path) -> None:
    ids = card_ids(legacy_db)
    t0 = 1_700_000_000_000
    add_revlog(legacy_db, [
        (t0, ids[("epoch", 0)], 3, 1, 0, 2500, 8000, 0),
        (t0 + 86_400_000, ids[("epoch", 0)], 1, -600, 1, 2300, 70_000, 1),
        (t0 + 2 * 86_400_000, ids[("epoch", 1)], 4, 4, 0, 2650, 3000, 0),
        (t0 + 3 * 86_400_000, ids[("epoch", 0)], 0, 5, 1, 2300, 0, 4),  # manual reschedule: not an answer
        (t0 + 4 * 86_400_000, 999, 3, 1, 0, 2500, 1000, 1),  # card not in the package
    ])
    result = apkg.parse(legacy_package(tmp_path / "h.apkg", legacy_db))
    h = result.history
    assert [(x.term, x.card_kind, x.ease, x.interval, x.last_interval, x.factor, x.duration_ms, x.anki_type) for x in h] == [
        ("epoch", "recall", 3, 1, 0, 2500, 8000, 0),
        ("epoch", "recall", 1, -600, 1, 2300, 70_000, 1),
        ("epoch", "reverse", 4, 4, 0, 2650, 3000, 0),
    ]
    assert h[0].deck == "ML::Basics"
    assert h[0].reviewed_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    renamed = load(tmp_path / "h.apkg", deck_name="Mine")
    assert {x.deck for x in renamed.history} == {"Mine"}
    # what the round trip of an mlcards export matches on: the note's GUID, the card's ord, Anki's id
    guid = sqlite3.connect(legacy_db).execute("SELECT guid FROM notes WHERE flds LIKE 'epoch%'").fetchone()[0]
    assert [(x.guid, x.card_ord, x.revlog_id) for x in h] == [
        (guid, 0, t0), (guid, 0, t0 + 86_400_000), (guid, 1, t0 + 2 * 86_400_000)]


def test_review_log_of_cloze_notes_carries_the_deletion_ordinal(tmp_path: Path, legacy_db: Path) -> None:
    ids = card_ids(legacy_db)
    cloze_card = ids[("{{c1::Adam}} is an optimizer", 0)]
    add_revlog(legacy_db, [(1_700_000_000_000, cloze_card, 3, 1, 0, 2500, 1000, 0)])
    h = apkg.parse(legacy_package(tmp_path / "c.apkg", legacy_db)).history
    assert [(x.term, x.card_kind, x.card_ord, x.ease) for x in h] == [("Adam", "cloze", 0, 3)]


def test_a_bare_collection_file_reads_like_a_package(tmp_path: Path, legacy_db: Path) -> None:
    """Anki's or AnkiDroid's own ``collection.anki2`` (the app closed): no zip around it."""
    add_revlog(legacy_db, [(1_700_000_000_000, card_ids(legacy_db)[("epoch", 0)], 3, 1, 0, 2500, 1000, 0)])
    bare = tmp_path / "collection.anki2"
    bare.write_bytes(legacy_db.read_bytes())
    from_file, from_package = load(bare), load(legacy_package(tmp_path / "p.apkg", legacy_db))
    assert from_file.decks == from_package.decks and from_file.history == from_package.history
    assert len(from_file.history) == 1 and from_file.format == "Anki package"


# --- safety ---------------------------------------------------------------------------------------


def parse_error(path: Path) -> DeckError:
    with pytest.raises(DeckError) as e:
        apkg.parse(path)
    assert e.value.path == str(path)
    assert "\n" not in str(e.value)
    return e.value


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.apkg"
    path.write_text("front\tback\n")
    assert "not a zip archive" in parse_error(path).message


def test_zip_without_collection(tmp_path: Path) -> None:
    path = zip_members(tmp_path / "empty.apkg", {"media": b"{}", "readme.txt": b"hello"})
    assert "no collection inside" in parse_error(path).message


def test_collection_that_is_not_sqlite(tmp_path: Path) -> None:
    path = zip_members(tmp_path / "bad.apkg", {"collection.anki2": b"this is not a database" * 100})
    assert "damaged Anki package" in parse_error(path).message


def test_sqlite_that_is_not_an_anki_collection(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    path = zip_members(tmp_path / "other.apkg", {"collection.anki2": db.read_bytes()})
    assert "no notes and cards" in parse_error(path).message


def test_corrupt_zstd(tmp_path: Path) -> None:
    path = zip_members(tmp_path / "z.apkg", {"collection.anki21b": b"\x28\xb5\x2f\xfd garbage"})
    assert "damaged Anki package" in parse_error(path).message


def test_member_declaring_more_than_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg, "MAX_EXPANDED_BYTES", 1024 * 1024)
    path = zip_members(tmp_path / "bomb.apkg", {"collection.anki2": b"\0" * (2 * 1024 * 1024)})
    assert path.stat().st_size < 20_000  # small on disk
    message = parse_error(path).message
    assert "expands beyond the 1 MiB limit" in message


def test_zstd_member_expanding_beyond_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg, "MAX_EXPANDED_BYTES", 1024 * 1024)
    bomb = zstandard.ZstdCompressor().compress(b"\0" * (8 * 1024 * 1024))
    path = zip_members(tmp_path / "zbomb.apkg", {"collection.anki21b": bomb})
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("collection.anki21b").file_size < 1024 * 1024  # declares little
    assert "expands beyond the 1 MiB limit" in parse_error(path).message


def test_member_lying_about_its_size(tmp_path: Path) -> None:
    path = zip_members(tmp_path / "liar.apkg", {"collection.anki2": b"\0" * (2 * 1024 * 1024)})
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size: local and central headers
        at = data.index(sig)
        data[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert "damaged Anki package" in parse_error(path).message


def test_package_file_size_limit(tmp_path: Path, legacy_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg, "MAX_PACKAGE_BYTES", 1000)
    path = legacy_package(tmp_path / "big.apkg", legacy_db)
    assert parse_error(path).message == f"package is {path.stat().st_size / 1024:.0f} KiB; the limit is 1000 bytes"


def test_member_names_are_never_written(tmp_path: Path, legacy_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    path = legacy_package(tmp_path / "slip.apkg", legacy_db, extra={
        "../../evil": b"owned", "../../../evil.sh": b"owned", "/tmp/evil-abs": b"owned", "collection.anki21/../../evil2": b"x",
    })
    result = apkg.parse(path)
    assert [d.name for d in result.decks] == ["ML::Basics", "Statistics"]
    for folder in (work, work.parent, work.parent.parent, tmp_path):
        assert not any(p.name.startswith("evil") for p in folder.iterdir())
    assert not Path("/tmp/evil-abs").exists()


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in parse_error(tmp_path / "absent.apkg").message
