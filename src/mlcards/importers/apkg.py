"""Anki packages (``.apkg``): a zip holding an Anki collection (SQLite) and its media.

Which collection is read:

- ``collection.anki21b``: current packages (Anki 2.1.50+); the SQLite file is zstd-compressed.
  Such packages also carry a ``collection.anki2`` whose only note asks old clients to update:
  it is never read when ``collection.anki21b`` is present.
- ``collection.anki21``, else ``collection.anki2``: legacy packages (plain SQLite).

Both collection layouts are read: the legacy one (note types and decks as JSON in ``col.models``
and ``col.decks``) and the newer one (``notetypes``, ``fields`` and ``decks`` tables, deck names
with ``\\x1f`` between levels, shown here with ``::``).

Each Anki deck with notes becomes a deck named as in Anki (``Parent::Child`` kept whole). For each
note: fields named like ours (Term/Front, Definition/Back, Explanation, Example, Related, Tags)
map by name; otherwise the first field is the term and the second the definition. Further
non-empty fields are joined (blank line between) into the explanation. HTML becomes plain text;
the note's tags are kept. A note of a cloze note type (``type`` 1 in the legacy models JSON, kind 1
in a newer note type's config) becomes a cloze term (``importers.common.cloze_term``): its Text field
(else the first) holds the deletions, its other fields (Back Extra) become the explanation; a cloze
note without a deletion or with an unclosed ``{{c1::`` is skipped with a notice. Notes whose term or
definition is empty (e.g. image-only fields) and duplicate terms in a deck are skipped with a notice;
media files are counted and ignored with a notice. The review log (``revlog``) is returned as
``AnkiReview`` entries for ``mlcards import --with-history`` (of basic notes' first two cards and of
cloze notes' cards), each with its note's GUID, its card's ordinal and Anki's revlog id, so answers
given in Anki to cards exported by mlcards can be told apart and counted once.

An Anki collection file itself (``collection.anki2`` from Anki's or AnkiDroid's profile folder, Anki
closed) is read the same way as the collection inside a package; ``.colpkg`` backups are packages.

Safety: the package size and its number of members are limited, and only stored or deflated
members are read (zipfile inflates bzip2 and LZMA without an output bound). Each member's declared
size is checked before reading and the bytes actually produced (zip inflation, then zstd, whose
window is capped too) are counted while streaming in 1 MiB chunks, against a limit per member
(the collection: ``MAX_EXPANDED_BYTES``; the media map: ``MAX_MEDIA_MAP_BYTES``), so a zip or
zstd bomb stops at the limit, having written at most that much. Member names are never used as
paths: the collection is streamed into a temporary file of our own naming, opened read-only
(immutable, ``trusted_schema`` off, query-only) and deleted afterwards. Its schema is checked before
any query: the tables and columns read must exist as plain tables and columns (no views, virtual
tables or generated columns), and a collection holding views or triggers is refused, so nothing
but stored rows is ever read. Anything malformed is one ``DeckError`` line.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from mlcards.errors import DeckError
from mlcards.importers._html import html_to_text
from mlcards.importers.ankitext import ROLE_NAMES
from mlcards.importers.base import DEFAULT_OPTIONS, AnkiReview, Parsed, ParseOptions
from mlcards.importers.common import ClozeProblem, check_file, cloze_term, human_size, validation_problem
from mlcards.models import Deck, Term
from mlcards.text import one_line

MAX_PACKAGE_BYTES = 512 * 1024 * 1024
"""Largest .apkg file read (512 MiB)."""
MAX_EXPANDED_BYTES = 128 * 1024 * 1024
"""Most bytes the collection (the SQLite file) may expand to, once inflated and un-zstd-ed (128 MiB)."""
MAX_MEDIA_MAP_BYTES = 32 * 1024 * 1024
MAX_MEMBERS = 100_000
"""Most files a package may hold (each costs a ZipInfo in memory before anything is read)."""
MAX_ZSTD_WINDOW = 1 << 27
"""Largest zstd window accepted (128 MiB; Anki's own use a few MiB)."""
MAX_NOTE_CHARS = 256 * 1024
"""A note whose fields and tags are longer than this together is skipped (a term's text is at most
20,000 characters a field; the rest is room for HTML markup). Measured in SQLite: never loaded."""
CHUNK = 1024 * 1024
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
PLACEHOLDER_TEXT = "update to the latest anki version"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
SQLITE_MAGIC = b"SQLite format 3\x00"




class _Budget:
    """Counts the bytes one member expands to against its limit."""

    def __init__(self, path: Path, limit: int):
        self.path = path
        self.limit = limit
        self.used = 0

    def check_declared(self, name: str, size: int) -> None:
        if size > self.limit - self.used:
            raise self._error(name)

    def add(self, name: str, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise self._error(name)

    def _error(self, name: str) -> DeckError:
        return DeckError(
            f"{name} expands beyond the {human_size(self.limit)} limit; "
            "refusing to unpack it (damaged or a zip bomb?)",
            path=self.path,
        )


def _stream(src: IO[bytes], name: str, budget: _Budget, zstd: bool) -> Iterator[bytes]:
    """Chunks of a member (zstd-decompressed when asked), counted against the budget."""
    if zstd:
        import zstandard  # loaded only for current packages

        reader: Any = zstandard.ZstdDecompressor(max_window_size=MAX_ZSTD_WINDOW).stream_reader(src)
    else:
        reader = src
    while True:
        chunk = reader.read(CHUNK)
        if not chunk:
            break
        budget.add(name, len(chunk))
        yield chunk


def _read_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        RuntimeError,  # encrypted members
        NotImplementedError,  # unsupported compression
        ValueError,
    )
    try:
        import zstandard

        errors += (zstandard.ZstdError,)
    except ImportError:  # pragma: no cover - zstandard is a dependency
        pass
    return errors


def parse(path: Path, options: ParseOptions = DEFAULT_OPTIONS) -> Parsed:  # noqa: ARG001 - the protocol's signature
    path = Path(path)
    check_file(path, MAX_PACKAGE_BYTES, what="an Anki package", noun="package")
    with open(path, "rb") as fh:
        magic = fh.read(len(SQLITE_MAGIC))
    if magic.startswith(SQLITE_MAGIC):
        return _parse_collection_file(path)
    if magic[:4] not in ZIP_MAGIC:
        raise DeckError("not an Anki package: the file is not a zip archive (export it again from Anki)", path=path)

    budget = _Budget(path, MAX_EXPANDED_BYTES)
    fd, tmp_name = tempfile.mkstemp(prefix="mlcards-apkg-", suffix=".sqlite")
    try:
        try:
            _check_member_count(path)
            with zipfile.ZipFile(path) as zf:
                infos = {info.filename: info for info in zf.infolist()}
                name = next((n for n in COLLECTIONS if n in infos), None)
                if name is None:
                    raise DeckError(
                        "not an Anki package: no collection inside (expected collection.anki21b, "
                        "collection.anki21 or collection.anki2)",
                        path=path,
                    )
                info = infos[name]
                _check_method(path, info)
                budget.check_declared(name, info.file_size)
                out = os.fdopen(fd, "wb")
                fd = -1  # closed with ``out`` from here on
                with out, zf.open(info) as src:
                    head = b""
                    for chunk in _stream(src, name, budget, zstd=name.endswith("b")):
                        if len(head) < len(SQLITE_MAGIC):
                            head += chunk[: len(SQLITE_MAGIC)]
                        if head.startswith(SQLITE_MAGIC[: len(head)]):
                            out.write(chunk)  # not a database (e.g. a bomb of zeros): only counted, never written
                if not head.startswith(SQLITE_MAGIC):
                    raise DeckError(f"damaged Anki package: {name} is not an SQLite database", path=path)
                media = _count_media(path, zf, infos)
        except DeckError:
            raise
        except _read_errors() as e:
            raise DeckError(f"damaged Anki package: {e}", path=path) from None
        decks, notices, history = _read_collection(path, Path(tmp_name), placeholder_possible=name != COLLECTIONS[0])
    finally:
        if fd != -1:
            os.close(fd)
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
    if media:
        notices.append(f"{path.name}: {media} media file{'s' if media != 1 else ''} ignored (mlcards shows text only)")
    return Parsed(decks=decks, notices=notices, history=history)


def _parse_collection_file(path: Path) -> Parsed:
    """A bare Anki collection (SQLite): copied (within ``MAX_EXPANDED_BYTES``) and read like a package's."""
    if path.stat().st_size > MAX_EXPANDED_BYTES:
        raise DeckError(f"the collection is larger than the {human_size(MAX_EXPANDED_BYTES)} limit", path=path)
    fd, tmp_name = tempfile.mkstemp(prefix="mlcards-anki-", suffix=".sqlite")
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            budget = _Budget(path, MAX_EXPANDED_BYTES)
            for chunk in _stream(src, path.name, budget, zstd=False):
                out.write(chunk)
        decks, notices, history = _read_collection(path, Path(tmp_name), placeholder_possible=False)
    finally:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
    return Parsed(decks=decks, notices=notices, history=history)


def _check_member_count(path: Path) -> None:
    """Refuse a package listing more than ``MAX_MEMBERS`` files, before zipfile loads its directory."""
    end_record = getattr(zipfile, "_EndRecData", None)  # the same reader zipfile itself uses
    if end_record is None:  # pragma: no cover - present in every CPython so far
        return
    with open(path, "rb") as fh:
        rec = end_record(fh)
    if rec is None:
        raise zipfile.BadZipFile("File is not a zip file")
    if rec[4] > MAX_MEMBERS:  # _ECD_ENTRIES_TOTAL
        raise DeckError(
            f"the package lists {rec[4]:,} files; the limit is {MAX_MEMBERS:,} (damaged or hostile?)", path=path
        )


def _check_method(path: Path, info: zipfile.ZipInfo) -> None:
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise DeckError(
            f"{info.filename} uses an unsupported compression (method {info.compress_type}); "
            "Anki packages are stored or deflated",
            path=path,
        )


# --- media ----------------------------------------------------------------------------------------


def _count_media(path: Path, zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> int:
    """How many media files the package carries (its ``media`` map; else numbered members)."""
    numbered = sum(1 for n in infos if n.isdigit())
    info = infos.get("media")
    if info is None or info.file_size > MAX_MEDIA_MAP_BYTES:
        return numbered
    _check_method(path, info)
    budget = _Budget(path, MAX_MEDIA_MAP_BYTES)  # its own limit, counted while inflating
    with zf.open(info) as src:
        raw = b"".join(_stream(src, "media", budget, zstd=False))
    try:  # legacy: JSON {"0": "picture.jpg", ...}
        data = json.loads(raw.decode("utf-8"))
        if isinstance(data, dict):
            return len(data)
    except (UnicodeDecodeError, ValueError):
        pass
    try:  # current: zstd-compressed protobuf MediaEntries { repeated MediaEntry entries = 1; }
        import zstandard

        reader = zstandard.ZstdDecompressor(max_window_size=MAX_ZSTD_WINDOW).stream_reader(raw)
        data = reader.read(MAX_MEDIA_MAP_BYTES + 1)
        if len(data) <= MAX_MEDIA_MAP_BYTES:
            return sum(1 for num, _wt, _v in _proto_fields(data) if num == 1)
    except Exception:  # noqa: BLE001 - an unreadable media map only costs the count
        pass
    return numbered


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def _proto_fields(data: bytes) -> Iterator[tuple[int, int, Any]]:
    """Top-level (field number, wire type, value) of a protobuf message; enough to peek at a flag."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        num, wire = key >> 3, key & 7
        value: int | bytes | None
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            length, i = _varint(data, i)
            if i + length > len(data):
                raise ValueError("truncated field")
            value, i = data[i : i + length], i + length
        elif wire == 1:
            value, i = None, i + 8
        elif wire == 5:
            value, i = None, i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield num, wire, value


def _is_cloze_config(config: bytes | None) -> bool:
    """A newer-schema note type's config blob: field 1 (kind) is 1 for cloze."""
    if not config:
        return False
    try:
        return any(num == 1 and wire == 0 and value == 1 for num, wire, value in _proto_fields(bytes(config)))
    except ValueError:
        return False


# --- the collection --------------------------------------------------------------------------------


class _Model:
    def __init__(self, name: str, fields: list[str], cloze: bool):
        self.name = name
        self.fields = fields
        self.cloze = cloze
        self.roles: dict[str, int] = {}
        self.extra: list[int] = []
        for idx, field in enumerate(fields):
            key = " ".join(field.split()).lower()
            role = next((r for r, aliases in ROLE_NAMES.items() if key in aliases), None)
            if role in ("term", "definition", "explanation", "example", "related", "tags", "aliases") and role not in self.roles:
                self.roles[role] = idx
        if "term" not in self.roles or "definition" not in self.roles:  # by position
            self.roles = {"term": 0, "definition": 1}
        mapped = set(self.roles.values())
        self.extra = [i for i in range(len(fields)) if i not in mapped]


def _connect(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path.as_uri() + "?mode=ro&immutable=1", uri=True)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA query_only = ON")
    conn.create_collation("unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold()))
    return conn


def _read_collection(
    path: Path, db_path: Path, *, placeholder_possible: bool
) -> tuple[list[Deck], list[str], list[AnkiReview]]:
    try:
        conn = _connect(db_path)
    except sqlite3.Error as e:
        raise DeckError(f"damaged Anki package: cannot open its collection ({e})", path=path) from None
    try:
        return _read(path, conn, placeholder_possible)
    except sqlite3.Error as e:
        raise DeckError(f"damaged Anki package: its collection is not a readable Anki database ({e})", path=path) from None
    except RecursionError:
        raise DeckError("damaged Anki package: its note types or decks are nested too deeply", path=path) from None
    except (ValueError, OverflowError, KeyError, TypeError, AttributeError) as e:
        # ValueError covers bad JSON, text where an id belongs, 5,000-digit numbers (int-string limit)
        detail = one_line(str(e))[:200]
        raise DeckError(f"damaged Anki package: unexpected collection contents ({type(e).__name__}: {detail})", path=path) from None
    finally:
        conn.close()


def _models_and_decks(conn: sqlite3.Connection, tables: set[str]) -> tuple[dict[int, _Model], dict[int, tuple[str, str]]]:
    models: dict[int, _Model] = {}
    decks: dict[int, tuple[str, str]] = {}
    if {"notetypes", "fields", "decks"} <= tables:  # schema 15+
        fields: dict[int, list[tuple[int, str]]] = {}
        for ntid, ord_, name in conn.execute("SELECT ntid, ord, name FROM fields"):
            fields.setdefault(int(ntid), []).append((int(ord_), str(name)))
        for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
            names = [n for _, n in sorted(fields.get(int(ntid), []))]
            models[int(ntid)] = _Model(str(name), names, _is_cloze_config(config))
        for did, name in conn.execute("SELECT id, name FROM decks"):
            decks[int(did)] = (str(name).replace("\x1f", "::"), "")
        return models, decks
    row = conn.execute("SELECT models, decks FROM col").fetchone()
    if row is None:
        raise KeyError("col")
    for mid, m in json.loads(row[0] or "{}").items():
        flds = sorted(m.get("flds", []), key=lambda f: f.get("ord", 0))
        models[int(mid)] = _Model(str(m.get("name", "")), [str(f.get("name", "")) for f in flds], m.get("type") == 1)
    for did, d in json.loads(row[1] or "{}").items():
        decks[int(did)] = (str(d.get("name", "")).replace("\x1f", "::"), html_to_text(str(d.get("desc") or "")))
    return models, decks


class _Skips:
    def __init__(self) -> None:
        self.reasons: dict[str, list[str]] = {}

    def add(self, reason: str, example: str) -> None:
        self.reasons.setdefault(reason, []).append(example)

    def notices(self, path: Path) -> list[str]:
        out = []
        for reason, examples in self.reasons.items():
            n = len(examples)
            shown = ", ".join(repr(e[:40]) for e in examples[:3] if e)
            out.append(
                f"{path.name}: {n} note{'s' if n != 1 else ''} skipped: {reason}" + (f" (e.g. {shown})" if shown else "")
            )
        return out


# The columns read from each table: a collection must have them as plain stored columns.
COLUMNS = {
    "col": ("models", "decks"),
    "notes": ("id", "guid", "mid", "tags", "flds"),
    "cards": ("id", "nid", "did", "odid", "ord"),
    "notetypes": ("id", "name", "config"),
    "fields": ("ntid", "ord", "name"),
    "decks": ("id", "name"),
    "revlog": ("id", "cid", "ease", "ivl", "lastIvl", "factor", "time", "type"),
}
NEW_SCHEMA_TABLES = {"notetypes", "fields", "decks"}


def _check_schema(path: Path, conn: sqlite3.Connection) -> set[str]:
    """The tables to read, once the schema is what Anki writes; else a DeckError.

    Only ``sqlite_master`` and ``PRAGMA table_xinfo`` are consulted here: nothing the file defines
    runs. Views and triggers are refused outright (Anki defines none; a view named like a table
    could compute anything), and so are virtual tables and generated columns among what is read.
    """
    objects = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    odd = sorted({f"{kind} {one_line(str(name))[:40]!r}" for kind, name, _sql in objects if kind in ("view", "trigger")})
    if odd:
        raise DeckError(
            f"not an Anki collection: it defines {', '.join(odd[:3])}{' ...' if len(odd) > 3 else ''} "
            "(Anki collections have no views or triggers)",
            path=path,
        )
    tables = {str(name): str(sql or "") for kind, name, sql in objects if kind == "table"}
    if not {"notes", "cards", "col"} <= tables.keys():
        raise DeckError("not an Anki package: its database has no notes and cards", path=path)
    wanted = {"notes", "cards", "col"} | ({"revlog"} & tables.keys())
    if NEW_SCHEMA_TABLES <= tables.keys():
        wanted |= NEW_SCHEMA_TABLES
    for table in sorted(wanted):
        if tables[table].lstrip()[:14].upper().startswith("CREATE VIRTUAL"):
            raise DeckError(f"not an Anki collection: its {table!r} table is a virtual table", path=path)
        columns = {str(r[1]).lower(): int(r[6]) for r in conn.execute(f'PRAGMA table_xinfo("{table}")')}
        for column in COLUMNS[table]:
            hidden = columns.get(column.lower())
            if hidden is None:
                raise DeckError(f"not an Anki collection: its {table!r} table has no {column!r} column", path=path)
            if hidden:
                raise DeckError(
                    f"not an Anki collection: {table}.{column} is a generated column, not stored data", path=path
                )
    return wanted


def _read(
    path: Path, conn: sqlite3.Connection, placeholder_possible: bool
) -> tuple[list[Deck], list[str], list[AnkiReview]]:
    tables = _check_schema(path, conn)
    models, deck_names = _models_and_decks(conn, tables)

    note_deck: dict[int, tuple[int, int]] = {}  # nid -> (lowest ord, deck id)
    card_note: dict[int, tuple[int, int]] = {}  # cid -> (nid, ord)
    for cid, nid, did, odid, ord_ in conn.execute("SELECT id, nid, did, odid, ord FROM cards"):
        home = int(odid) if odid else int(did)  # a card in a filtered deck belongs to its original deck
        card_note[int(cid)] = (int(nid), int(ord_))
        if int(nid) not in note_deck or int(ord_) < note_deck[int(nid)][0]:
            note_deck[int(nid)] = (int(ord_), home)

    # an over-long note comes back with NULL fields: its text never reaches Python
    notes = conn.execute(
        "SELECT id, mid, CASE WHEN big THEN NULL ELSE tags END, CASE WHEN big THEN NULL ELSE flds END, "
        "CAST(substr(guid, 1, 64) AS TEXT) FROM "
        "(SELECT id, guid, mid, tags, flds, coalesce(length(CAST(tags AS TEXT)), 0) "
        "+ coalesce(length(CAST(flds AS TEXT)), 0) > ? AS big FROM notes) ORDER BY id",
        (MAX_NOTE_CHARS,),
    ).fetchall()
    if (
        placeholder_possible
        and len(notes) == 1
        and len(str(notes[0][3])) < 10_000
        and PLACEHOLDER_TEXT in html_to_text(str(notes[0][3])).lower()
    ):
        raise DeckError(
            "this package holds only Anki's 'please update' placeholder; its real collection is missing "
            "(export the deck again from Anki)",
            path=path,
        )

    skips = _Skips()
    by_deck: dict[int, tuple[list[Term], set[str]]] = {}
    note_term: dict[int, tuple[int, str]] = {}  # nid -> (deck id, term)
    cloze_notes: dict[int, tuple[int, str]] = {}  # nid -> (deck id, term) of cloze notes
    guids: dict[int, str] = {}
    for nid, mid, tags, flds, guid in notes:
        guids[int(nid)] = str(guid or "")
        model = models.get(int(mid))
        if flds is None:  # longer than MAX_NOTE_CHARS (or no fields at all)
            skips.add(f"their fields are longer than {MAX_NOTE_CHARS:,} characters", "")
            continue
        values = str(flds).split("\x1f")
        first = one_line(html_to_text(values[0])) if values else ""
        if model is None:
            skips.add("their note type is missing from the package", first)
            continue
        placed = note_deck.get(int(nid))
        if placed is None:
            skips.add("they have no cards", first)
            continue
        did = placed[1]
        if model.cloze:
            cloze = _add_cloze(model, values, str(tags).split(), by_deck.setdefault(did, ([], set())), skips)
            if cloze is not None:
                cloze_notes[int(nid)] = (did, cloze)
            continue

        def field(role: str, model: _Model = model, values: list[str] = values) -> str:
            idx = model.roles.get(role)
            return html_to_text(values[idx]) if idx is not None and idx < len(values) else ""

        term, definition = one_line(field("term")), field("definition")
        if not term:
            skips.add("the term (first field) is empty once HTML and media are removed", "")
            continue
        if not definition:
            skips.add("the definition (second field) is empty once HTML and media are removed", term)
            continue
        extra = [html_to_text(values[i]) for i in model.extra if i < len(values)]
        explanation = "\n\n".join(p for p in [field("explanation"), *extra] if p) or None
        related = [r.strip() for r in field("related").replace(";", ",").replace("\n", ",").split(",") if r.strip()]
        tag_list = str(tags).split() + field("tags").split()
        try:
            item = Term(
                term=term,
                definition=definition,
                explanation=explanation,
                example=field("example") or None,
                related=related,
                aliases=[a.strip() for a in field("aliases").replace(";", ",").split(",") if a.strip()],
                tags=tag_list,
            )
        except ValidationError as e:
            skips.add(validation_problem(e), term)
            continue
        terms, seen = by_deck.setdefault(did, ([], set()))
        if item.key in seen:
            skips.add("the same term appears twice in a deck (the first is kept)", term)
            continue
        seen.add(item.key)
        terms.append(item)
        note_term[int(nid)] = (did, item.term)

    decks: list[Deck] = []
    names: dict[int, str] = {}
    for did, (terms, _seen) in by_deck.items():
        if not terms:  # only cloze notes that could not be read
            continue
        name, description = deck_names.get(did, (f"Anki deck {did}", ""))
        try:
            deck = Deck(name=name or f"Anki deck {did}", description=description, terms=terms)
        except ValidationError as e:
            err = e.errors(include_url=False)[0]
            raise DeckError(f"Anki deck {name[:60]!r}: {err.get('msg', 'invalid')}", path=path) from None
        names[did] = deck.name
        decks.append(deck)
    if not decks:
        reasons = "; ".join(skips.reasons) or "the package has no notes"
        raise DeckError(f"nothing to import: {reasons}", path=path)

    history = _history(
        conn, tables, card_note, {nid: (names[d], t) for nid, (d, t) in note_term.items()},
        {nid: (names[d], t) for nid, (d, t) in cloze_notes.items() if d in names}, guids,
    )
    return decks, skips.notices(path), history


def _add_cloze(
    model: _Model, values: list[str], tags: list[str], deck: tuple[list[Term], set[str]], skips: _Skips
) -> str | None:
    """A cloze note as a cloze term of its deck; returns the term's name (None: skipped)."""
    names = [" ".join(f.split()).lower() for f in model.fields]
    at = names.index("text") if "text" in names else 0
    text = html_to_text(values[at]) if at < len(values) else ""
    extra = "\n\n".join(p for p in (html_to_text(v) for i, v in enumerate(values) if i != at) if p) or None
    terms, seen = deck
    try:
        item = cloze_term(text, extra=extra, tags=tags, taken=seen, position=len(terms) + 1)
    except ClozeProblem as e:
        skips.add(f"cloze notes that cannot be read: {e}", one_line(text))
        return None
    if item.key in seen:
        skips.add("the same term appears twice in a deck (the first is kept)", item.term)
        return None
    seen.add(item.key)
    terms.append(item)
    return item.term


def _history(
    conn: sqlite3.Connection,
    tables: set[str],
    card_note: dict[int, tuple[int, int]],
    note_term: dict[int, tuple[str, str]],
    cloze_notes: dict[int, tuple[str, str]],
    guids: dict[int, str],
) -> list[AnkiReview]:
    if "revlog" not in tables:
        return []
    out: list[AnkiReview] = []
    kinds = {0: "recall", 1: "reverse"}
    sql = "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id"
    for rid, cid, ease, ivl, last_ivl, factor, duration, rtype in conn.execute(sql):
        nid_ord = card_note.get(int(cid))
        if nid_ord is None:
            continue
        nid, ord_ = nid_ord
        if nid in cloze_notes:
            kind = "cloze"
            deck, term = cloze_notes[nid]
        elif ord_ in kinds and nid in note_term:
            kind = kinds[ord_]
            deck, term = note_term[nid]
        else:
            continue
        if int(ease) not in (1, 2, 3, 4) or int(rtype) not in (0, 1, 2, 3):  # manual/rescheduled entries
            continue
        try:
            moment = datetime.fromtimestamp(int(rid) / 1000, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            continue
        out.append(
            AnkiReview(
                deck=deck,
                term=term,
                card_kind=kind,  # type: ignore[arg-type]
                reviewed_at=moment,
                ease=int(ease),
                interval=int(ivl),
                last_interval=int(last_ivl),
                factor=int(factor),
                duration_ms=max(0, int(duration)),
                anki_type=int(rtype),
                guid=guids.get(nid, ""),
                card_ord=ord_,
                revlog_id=int(rid),
            )
        )
    return out
