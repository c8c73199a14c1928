"""Helpers for the importer tests: fixture paths and Anki packages built with genanki.

genanki writes a legacy collection (``collection.anki2``). ``current_package`` turns such a
collection into a current-style package: the SQLite file zstd-compressed as
``collection.anki21b``, a placeholder ``collection.anki2`` whose only note asks to update Anki (as
real Anki exports carry), a ``meta`` file and a zstd-compressed protobuf media map.

To check against a package exported from Anki itself: in Anki, File > Export..., "Anki Deck
Package (*.apkg)", tick "Include scheduling information", then
``mlcards --db /tmp/try.db import --dry-run Exported.apkg`` (and without --dry-run, with
``--with-history``) and compare the terms, tags and review count with Anki's browser.
"""

from __future__ import annotations

import itertools
import sqlite3
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
TIMESTAMP = 1_700_000_000.0  # fixed, so note and card ids are deterministic
PLACEHOLDER = "Please update to the latest Anki version, then import the .colpkg/.apkg file again."


def genanki_model(fields=("Front", "Back"), model_id: int = 1_607_392_319, name: str = "Basic (and reversed card)"):
    import genanki

    return genanki.Model(
        model_id,
        name,
        fields=[{"name": f} for f in fields],
        templates=[
            {"name": "Card 1", "qfmt": "{{%s}}" % fields[0], "afmt": "{{FrontSide}}<hr id=answer>{{%s}}" % fields[1]},
            {"name": "Card 2", "qfmt": "{{%s}}" % fields[1], "afmt": "{{FrontSide}}<hr id=answer>{{%s}}" % fields[0]},
        ],
    )


def write_collection(db_path: Path, decks) -> Path:
    """A legacy Anki collection (SQLite) holding the given genanki decks."""
    import genanki

    conn = sqlite3.connect(db_path)
    try:
        genanki.Package(decks).write_to_db(conn.cursor(), TIMESTAMP, itertools.count(int(TIMESTAMP * 1000)))
        conn.commit()
    finally:
        conn.close()
    return db_path


def add_revlog(db_path: Path, rows: list[tuple]) -> None:
    """Insert review-log rows: (id ms, card id, ease, ivl, lastIvl, factor, time ms, type)."""
    conn = sqlite3.connect(db_path)
    try:
        conn.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.commit()
    finally:
        conn.close()


def card_ids(db_path: Path) -> dict[tuple[str, int], int]:
    """(first field, card ord) -> card id."""
    conn = sqlite3.connect(db_path)
    try:
        return {
            (flds.split("\x1f")[0], ord_): cid
            for cid, ord_, flds in conn.execute("SELECT c.id, c.ord, n.flds FROM cards c JOIN notes n ON n.id = c.nid")
        }
    finally:
        conn.close()


def zip_members(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def legacy_package(path: Path, db_path: Path, media: bytes = b"{}", extra: dict[str, bytes] | None = None) -> Path:
    return zip_members(path, {"collection.anki2": db_path.read_bytes(), "media": media, **(extra or {})})


def placeholder_collection(db_path: Path) -> Path:
    import genanki

    deck = genanki.Deck(1, "Default")
    deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=[PLACEHOLDER, ""]))
    return write_collection(db_path, [deck])


def current_package(path: Path, db_path: Path, tmp: Path, media_entries: int = 0) -> Path:
    """A current-style package: zstd collection.anki21b, placeholder collection.anki2, meta, media."""
    import zstandard

    placeholder = placeholder_collection(tmp / "placeholder.anki2")
    entry = b"\x0a\x05a.jpg\x10\x03"  # MediaEntry{name="a.jpg", size=3}
    media = b"".join(b"\x0a" + bytes([len(entry)]) + entry for _ in range(media_entries))
    cctx = zstandard.ZstdCompressor()
    members = {
        "collection.anki2": placeholder.read_bytes(),
        "collection.anki21b": cctx.compress(db_path.read_bytes()),
        "meta": b"\x08\x03",  # PackageMetadata{version=VERSION_LATEST}
        "media": cctx.compress(media),
    }
    for i in range(media_entries):
        members[str(i)] = cctx.compress(b"jpg")
    return zip_members(path, members)
