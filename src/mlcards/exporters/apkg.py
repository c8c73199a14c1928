"""Write a Deck as an Anki package (``.apkg``) with ``genanki``.

- One note per term, of a dedicated note type "mlcards term" whose fields are Term, Definition,
  Explanation, Example, Related, Tags and Aliases (the term's other names, shown on the back of
  both cards as "Also: ..."; never on a front, where they would give the answer away), with two card types: "Recall" (term on the front;
  definition, explanation, example and related terms on the back) and "Reverse" (definition on the
  front; the term and the rest on the back).
- Stable identities, so exporting again and importing into Anki updates notes instead of adding
  duplicates: the note type id is derived from the constant ``"mlcards-term-v1"``, the deck id from
  the deck name (case-insensitive, like deck names in mlcards) and each note's GUID from the term's
  UUID (``note_guid_for_uuid``; ``mlcards.identity``): exported from a database, a renamed term keeps
  its GUID; a bare ``Deck`` uses the UUID a database would give the term (from the deck name and the
  term's key), so aliases and links do not change it. The import side finds a term again from its
  GUID. Notes carry the export time as their modification time, so Anki's default "update if newer"
  applies them.
- ``progress`` (``mlcards export --with-progress``): card schedules and the review log are written
  into the package too (``exporters.apkg_progress``).
- Our text is plain: every field is HTML-escaped and line breaks become ``<br>``. Tags cannot
  contain spaces in Anki (ours never do; whitespace is replaced by "_" anyway).
- New cards keep the deck's order (each note's ``due`` is its position).
- A cloze term (``Term.cloze``) is a note of a second, cloze note type "mlcards cloze" (Anki's
  ``type`` 1; fields Text and Back Extra, the explanation and example), which Anki turns into one card
  per deletion index, as mlcards does.

The package's collection is built in memory (SQLite serialisation, so a killed export leaves no
temporary folder behind), zipped, checked (``check_package``: notes, cards, note type and deck agree)
and only then put in place.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mlcards import identity, studyday
from mlcards.errors import MlcardsError
from mlcards.exporters.apkg_progress import DeckProgress, write_progress
from mlcards.exporters.atomic import atomic_write
from mlcards.models import Deck, Term
from mlcards.text import term_key

MODEL_NAME = "mlcards term"
FIELDS = ("Term", "Definition", "Explanation", "Example", "Related", "Tags", "Aliases")
TEMPLATE_NAMES = ("Recall", "Reverse")
RELATED_JOIN = ", "


def stable_id(text: str) -> int:
    """A deterministic id in genanki's recommended range [2**30, 2**31) from ``text``."""
    digest = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    return (1 << 30) + digest % (1 << 30)


MODEL_ID = stable_id("mlcards-term-v1")
CLOZE_MODEL_NAME = "mlcards cloze"
CLOZE_FIELDS = ("Text", "Back Extra")
CLOZE_MODEL_ID = stable_id("mlcards-cloze-v1")

_BACK_REST = (
    "{{#Aliases}}<div class=aliases><span class=label>Also:</span> {{Aliases}}</div>{{/Aliases}}\n"
    "{{#Explanation}}<div class=explanation>{{Explanation}}</div>{{/Explanation}}\n"
    "{{#Example}}<div class=example><span class=label>Example:</span> {{Example}}</div>{{/Example}}\n"
    "{{#Related}}<div class=related><span class=label>Related:</span> {{Related}}</div>{{/Related}}\n"
)

TEMPLATES = [
    {
        "name": "Recall",
        "qfmt": "<div class=term>{{Term}}</div>",
        "afmt": "{{FrontSide}}\n<hr id=answer>\n<div class=definition>{{Definition}}</div>\n" + _BACK_REST,
    },
    {
        "name": "Reverse",
        "qfmt": "<div class=definition>{{Definition}}</div>",
        "afmt": "{{FrontSide}}\n<hr id=answer>\n<div class=term>{{Term}}</div>\n" + _BACK_REST,
    },
]

CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }
.term { font-size: 28px; font-weight: bold; text-align: center; }
.definition { margin: 0.6em 0; }
.aliases, .explanation, .example, .related { margin: 0.6em 0; font-size: 18px; }
.label { font-weight: bold; }
.nightMode .card, .card.nightMode { color: white; background: #2f2f31; }
"""


def field_html(text: str | None) -> str:
    """Plain text as an Anki field: HTML-escaped, line breaks as <br>."""
    if not text:
        return ""
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def anki_tag(tag: str) -> str:
    return "_".join(tag.split())


def deck_id_for(name: str) -> int:
    return stable_id("mlcards-deck:" + term_key(name))


def note_guid_for_uuid(term_uuid: str) -> str:
    """A note's GUID from its term's UUID (Anki's base-91 form, via ``genanki.guid_for``)."""
    import genanki

    return str(genanki.guid_for("mlcards-term", term_uuid))


def default_term_uuid(deck_name: str, term: Term) -> str:
    """The UUID a database gives ``term`` when it is created in deck ``deck_name``."""
    return identity.term_uuid(identity.deck_uuid(deck_name), term.key)


def note_guid(deck_name: str, term: Term) -> str:
    return note_guid_for_uuid(default_term_uuid(deck_name, term))


def note_fields(term: Term) -> list[str]:
    return [
        field_html(term.term),
        field_html(term.definition),
        field_html(term.explanation),
        field_html(term.example),
        RELATED_JOIN.join(field_html(r) for r in term.related),
        " ".join(t for t in (anki_tag(tag) for tag in term.tags) if t),
        RELATED_JOIN.join(field_html(a) for a in term.aliases),
    ]


def model() -> Any:  # a genanki.Model (genanki has no type hints)
    import genanki

    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[dict(t) for t in TEMPLATES],
        css=CSS,
        sort_field_index=0,
    )


def cloze_model() -> Any:  # a genanki.Model of the cloze type
    import genanki

    return genanki.Model(
        CLOZE_MODEL_ID,
        CLOZE_MODEL_NAME,
        fields=[{"name": name} for name in CLOZE_FIELDS],
        templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>\n{{Back Extra}}"}],
        css=CSS,
        model_type=genanki.Model.CLOZE,
    )


def cloze_fields(term: Term) -> list[str]:
    return [field_html(term.cloze), "<br><br>".join(field_html(t) for t in (term.explanation, term.example) if t)]


def build_package(deck: Deck, term_uuids: Sequence[str] | None = None) -> Any:  # a genanki.Package
    """The genanki Package for ``deck`` (one Anki deck, one note per term).

    ``term_uuids``: the terms' UUIDs, in deck order (from the database); by default each term's
    ``default_term_uuid``.
    """
    import genanki

    uuids = list(term_uuids) if term_uuids is not None else [default_term_uuid(deck.name, t) for t in deck.terms]
    if len(uuids) != len(deck.terms):
        raise ValueError(f"{len(uuids)} term UUIDs for {len(deck.terms)} terms")
    m, cm = model(), cloze_model()
    anki_deck = genanki.Deck(deck_id_for(deck.name), deck.name, description=field_html(deck.description))
    for position, term in enumerate(deck.terms):
        tags = [t for t in (anki_tag(tag) for tag in term.tags) if t]
        fields = cloze_fields(term) if term.cloze else note_fields(term)
        anki_deck.add_note(
            genanki.Note(model=cm if term.cloze else m, fields=fields, tags=tags, guid=note_guid_for_uuid(uuids[position]),
                         due=position)
        )
    anki_deck.add_model(m)
    if any(t.cloze for t in deck.terms):
        anki_deck.add_model(cm)
    return genanki.Package(anki_deck)


def write(
    deck: Deck,
    path: Path,
    *,
    now: datetime | None = None,
    term_uuids: Sequence[str] | None = None,
    progress: DeckProgress | None = None,
) -> None:
    """Write ``deck`` to ``path`` as an .apkg (atomically; checked before it is put in place).

    ``term_uuids`` (deck order) give the notes' GUIDs; ``progress`` adds schedules and the review log.
    """
    path = Path(path)
    moment = now or studyday.now()
    timestamp = moment.timestamp()
    package = build_package(deck, term_uuids)
    uuids = list(term_uuids) if term_uuids is not None else [default_term_uuid(deck.name, t) for t in deck.terms]

    def _write(tmp: Path) -> None:
        with _collection() as conn:  # built in memory: a killed export leaves nothing in the temp folder
            package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
            if progress is not None:
                write_progress(conn, progress, {note_guid_for_uuid(u): u for u in uuids}, [CLOZE_MODEL_ID], now=moment)
            conn.commit()
            data = _collection_bytes(conn)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("collection.anki2", data)
            zf.writestr("media", "{}")
        check_package(tmp, expect_notes=len(deck.terms), expect_deck=deck.name)

    atomic_write(path, _write)


_IN_MEMORY = hasattr(sqlite3.Connection, "serialize") and hasattr(sqlite3.Connection, "deserialize")


@contextmanager
def _collection(data: bytes | None = None) -> Iterator[sqlite3.Connection]:
    """An SQLite connection for a collection: in memory (filled from ``data`` if given) where this
    Python can serialise databases, else a file in a temporary folder removed afterwards."""
    if _IN_MEMORY:
        conn = sqlite3.connect(":memory:")
        try:
            if data is not None:
                conn.deserialize(data)
            yield conn
        finally:
            conn.close()
        return
    with tempfile.TemporaryDirectory(prefix="mlcards-apkg-") as folder:
        db_path = Path(folder) / "collection.anki2"
        if data is not None:
            db_path.write_bytes(data)
        conn = sqlite3.connect(db_path)
        try:
            yield conn
        finally:
            conn.close()


def _collection_bytes(conn: sqlite3.Connection) -> bytes:
    if _IN_MEMORY:
        return conn.serialize()
    return Path(conn.execute("PRAGMA database_list").fetchone()[2]).read_bytes()


# --- checking a written package --------------------------------------------------------------------


@dataclass(frozen=True)
class PackageSummary:
    notes: int
    cards: int
    decks: dict[int, str]  # id -> name (without Anki's built-in "Default")
    models: dict[int, tuple[str, tuple[str, ...], tuple[str, ...]]]  # id -> (name, fields, template names)
    cards_per_template: dict[int, int]  # ord -> count


def check_package(path: Path, *, expect_notes: int | None = None, expect_deck: str | None = None) -> PackageSummary:
    """Open a legacy package's ``collection.anki2`` and check what Anki relies on when importing.

    Every note's model exists and its field count matches; GUIDs are unique; every card points at
    an existing note, a known deck and a template of the note's model; every note has a card for
    each template. Raises ``MlcardsError`` naming ``path`` on the first problem.
    """
    path = Path(path)

    def fail(message: str) -> MlcardsError:
        return MlcardsError(f"package check failed: {message}", path=path)

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "collection.anki2" not in names or "media" not in names:
                raise fail(f"expected collection.anki2 and media, found {sorted(names)}")
            json.loads(zf.read("media"))
            data = zf.read("collection.anki2")
    except zipfile.BadZipFile:
        raise fail("not a zip archive") from None
    with _collection(data) as conn:
        return _check_collection(conn, fail, expect_notes, expect_deck)


def _check_collection(
    conn: sqlite3.Connection, fail: Callable[[str], MlcardsError], expect_notes: int | None, expect_deck: str | None
) -> PackageSummary:
    if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        raise fail("the collection database is damaged")
    cols = conn.execute("SELECT models, decks FROM col").fetchall()
    if len(cols) != 1:
        raise fail(f"expected one collection row, found {len(cols)}")
    models_json, decks_json = json.loads(cols[0][0]), json.loads(cols[0][1])
    models = {
        int(mid): (
            m["name"],
            tuple(f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])),
            tuple(t["name"] for t in sorted(m["tmpls"], key=lambda t: t["ord"])),
        )
        for mid, m in models_json.items()
    }
    cloze_models = {int(mid) for mid, m in models_json.items() if m.get("type") == 1}
    decks = {int(did): d["name"] for did, d in decks_json.items()}
    notes = conn.execute("SELECT id, guid, mid, flds FROM notes").fetchall()
    guids = [n[1] for n in notes]
    if len(set(guids)) != len(guids):
        raise fail("two notes share a GUID")
    note_model = {}
    for nid, _guid, mid, flds in notes:
        if mid not in models:
            raise fail(f"note {nid} uses an unknown note type {mid}")
        n_fields = len(flds.split("\x1f"))
        if n_fields != len(models[mid][1]):
            raise fail(f"note {nid} has {n_fields} fields; its note type has {len(models[mid][1])}")
        note_model[nid] = mid
    per_template: dict[int, int] = {}
    seen: dict[int, set[int]] = {nid: set() for nid in note_model}
    cards = conn.execute("SELECT id, nid, did, ord FROM cards").fetchall()
    for cid, nid, did, ord_ in cards:
        if nid not in note_model:
            raise fail(f"card {cid} belongs to no note")
        if did not in decks:
            raise fail(f"card {cid} is in an unknown deck {did}")
        if note_model[nid] in cloze_models:  # a card per deletion index: ord is the index - 1
            if ord_ < 0:
                raise fail(f"card {cid} has a negative cloze index")
        elif not 0 <= ord_ < len(models[note_model[nid]][2]):
            raise fail(f"card {cid} uses template {ord_}, which its note type lacks")
        seen[nid].add(ord_)
        per_template[ord_] = per_template.get(ord_, 0) + 1
    for nid, ords in seen.items():
        if note_model[nid] in cloze_models:
            if not ords:
                raise fail(f"cloze note {nid} has no card")
            continue
        wanted = set(range(len(models[note_model[nid]][2])))
        if ords != wanted:
            raise fail(f"note {nid} has cards for templates {sorted(ords)}, expected {sorted(wanted)}")
    if expect_notes is not None and len(notes) != expect_notes:
        raise fail(f"expected {expect_notes} notes, found {len(notes)}")
    user_decks = {did: name for did, name in decks.items() if did != 1}
    if expect_deck is not None and expect_deck not in user_decks.values():
        raise fail(f"deck {expect_deck!r} is missing")
    return PackageSummary(len(notes), len(cards), user_decks, models, per_template)
