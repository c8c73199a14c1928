"""The store: every SQL statement in mlcards lives here (SQLite through sqlite-utils).

- Schema versioned with sqlite-utils' ``Migrations``; WAL, foreign keys, a busy timeout.
- A card's identity is deck + normalised term + kind: re-importing a deck updates text in place and
  keeps every schedule and its history.
- Each answer (card update + review-log row) is one transaction, committed before ``answer`` returns.
- A ``Store`` (like its ``Database``) belongs to one thread; a worker thread opens its own.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from mlcards import sm2, studyday
from mlcards.errors import StoreError
from mlcards.models import (
    RELATION_KINDS,
    AnswerResult,
    CardInfo,
    CardKind,
    Deck,
    DeckSummary,
    ImportReport,
    Term,
    name_clash,
    related_graph,
)
from mlcards.sm2 import SM2State
from mlcards.text import term_key

# --- settings --------------------------------------------------------------------------------------

DEFAULT_SETTINGS: dict[str, Any] = {
    "new_per_day": 20,
    "reviews_per_day": 200,
    "rollover_hour": studyday.DEFAULT_ROLLOVER_HOUR,
    "timezone": "",  # IANA name; empty means the system's local zone
    "leech_threshold": 8,
    "keymap": {},  # binding id -> keys, e.g. {"review.reveal": "space,j"}; ids are listed in the README
}
"""Every setting with its default; ``mlcards`` stores only what the user changed."""


def _check_setting(key: str, value: Any) -> Any:
    if key not in DEFAULT_SETTINGS:
        raise StoreError(f"unknown setting {key!r}; known: {', '.join(sorted(DEFAULT_SETTINGS))}")
    default = DEFAULT_SETTINGS[key]
    if isinstance(default, dict):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise StoreError(f"setting {key!r} must be a JSON object such as {{\"review.reveal\": \"j\"}}") from None
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise StoreError(f"setting {key!r} must map binding ids to keys, e.g. {{\"review.reveal\": \"j\"}}")
        return value
    if isinstance(default, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise StoreError(f"setting {key!r} must be a whole number, got {value!r}")
        lo, hi = {"rollover_hour": (0, 23), "leech_threshold": (1, 1000)}.get(key, (0, 100_000))
        if not lo <= value <= hi:
            raise StoreError(f"setting {key!r} must be between {lo} and {hi}, got {value}")
    elif key == "timezone" and value:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise StoreError(f"unknown time zone {value!r}; use an IANA name such as Europe/Paris") from None
    return value


# --- schema ----------------------------------------------------------------------------------------

migrations = Migrations("mlcards")

KIND_ORDER_SQL = "CASE c.kind WHEN 'recall' THEN 0 WHEN 'reverse' THEN 1 WHEN 'related' THEN 2 ELSE 3 END"


@migrations(name="0001_initial")
def _m0001_initial(db: Database) -> None:
    statements = [
        """CREATE TABLE decks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE terms (
            id INTEGER PRIMARY KEY,
            deck_id INTEGER NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            term TEXT NOT NULL,
            definition TEXT NOT NULL,
            explanation TEXT,
            example TEXT,
            related TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            position INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (deck_id, key)
        )""",
        "CREATE INDEX terms_deck_position ON terms(deck_id, position)",
        """CREATE TABLE links (
            term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
            other_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
            PRIMARY KEY (term_id, other_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE cards (
            id INTEGER PRIMARY KEY,
            term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('recall', 'reverse', 'related')),
            repetitions INTEGER NOT NULL DEFAULT 0,
            easiness_centi INTEGER NOT NULL DEFAULT 250,
            interval INTEGER NOT NULL DEFAULT 0,
            due TEXT,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            leech INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (term_id, kind)
        )""",
        "CREATE INDEX cards_due ON cards(due)",
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
            reviewed_at TEXT NOT NULL,
            utc_offset_min INTEGER NOT NULL,
            study_day TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
            kind TEXT NOT NULL CHECK (kind IN ('new', 'review', 'redrill')),
            reps_before INTEGER NOT NULL,
            reps_after INTEGER NOT NULL,
            ease_before INTEGER NOT NULL,
            ease_after INTEGER NOT NULL,
            interval_before INTEGER NOT NULL,
            interval_after INTEGER NOT NULL,
            due_before TEXT,
            due_after TEXT,
            lapse INTEGER NOT NULL DEFAULT 0,
            leeched INTEGER NOT NULL DEFAULT 0,
            duration_ms INTEGER,
            source TEXT NOT NULL DEFAULT 'review'
        )""",
        "CREATE INDEX reviews_day ON reviews(study_day)",
        "CREATE INDEX reviews_card ON reviews(card_id, id)",
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ]
    for sql in statements:
        db.execute(sql)


@migrations(name="0002_stats_indexes")
def _m0002_stats_indexes(db: Database) -> None:
    """Covering indexes for ``mlcards.stats`` (each checked with EXPLAIN QUERY PLAN).

    None leads with a low-cardinality flag such as ``suspended``: without ANALYZE statistics SQLite
    would take an equality on it as selective and prefer it over ``cards_due`` for the queue.
    """
    statements = [
        # retention (kind = 'review' over a day range), related-concept accuracy, deck-filtered day counts
        "CREATE INDEX reviews_kind_day ON reviews(kind, study_day, grade, interval_before, card_id)",
        # card states per deck (terms -> cards by term_id) and every deck-filtered card figure
        "CREATE INDEX cards_term_stats ON cards(term_id, suspended, due, repetitions, interval, easiness_centi,"
        " leech, lapses)",
        # the forecast (due range, suspended checked in the index); also serves the queue's due/new lookups
        "CREATE INDEX cards_due_stats ON cards(due, suspended, term_id)",
        # easiness and interval histograms: one ordered pass, no sorting
        "CREATE INDEX cards_ease_interval ON cards(easiness_centi, interval, suspended, due, term_id)",
        # the hardest terms: only lapsed cards
        "CREATE INDEX cards_lapsed ON cards(term_id, lapses) WHERE lapses > 0",
    ]
    for sql in statements:
        db.execute(sql)


@migrations(name="0003_stats_card_day_index")
def _m0003_stats_card_day_index(db: Database) -> None:
    """Per card, its answers by study day (covering kind and grade) for ``mlcards.stats``: a deck's
    answers per day and the related-concept accuracy read one index range per card, without sorting.
    Also answers ``Store.answer``'s "already answered today?" check from the index alone."""
    db.execute("CREATE INDEX reviews_card_day ON reviews(card_id, study_day, kind, grade)")


@migrations(name="0004_aliases_relations")
def _m0004_aliases_relations(db: Database) -> None:
    """Per term, its aliases and its typed relations.

    ``aliases`` is a JSON list of names; ``relations`` a JSON object, kind -> list of term names
    (kinds from ``models.RELATION_KINDS``, empty kinds left out), written as in the deck file, so
    each edge keeps its direction. ``Store.term_relations`` decodes them into (term, other, kind)
    edges; the ``links`` table stays the undirected union of ``related`` and every typed relation
    (what related-concept questions use), rebuilt on each import or edit.
    """
    db.execute("ALTER TABLE terms ADD COLUMN aliases TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE terms ADD COLUMN relations TEXT NOT NULL DEFAULT '{}'")


@migrations(name="0005_mc_choice")
def _m0005_mc_choice(db: Database) -> None:
    """Multiple-choice answers record the option picked; a pair confused twice gets a contrast card.

    - ``reviews.chosen_term_id``: the term of the option chosen on a multiple-choice card (NULL for
      other cards, or when no option was chosen); ``reviews.key_term_id``: the right option's term when
      the question asked to identify a term (describe, example, contrast), so a different chosen term
      is a confusion of the two.
    - ``cards.pair_term_id`` and the card kind ``'contrast'``: a card for a pair of terms (the card's
      term and the pair term), scheduled like any card.

    SQLite cannot change a CHECK constraint in place, so ``cards`` is rebuilt. With foreign keys on,
    dropping the old table would first delete its rows and cascade into ``reviews``, so ``reviews`` is
    rebuilt first, pointing at the new table; the indexes of both are recreated from their own SQL.
    """
    others = [
        name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('cards', 'reviews') "
            "AND sql LIKE '%REFERENCES cards%'"
        )
    ]
    if others:  # a table this migration does not know would lose its rows to the cascade
        raise StoreError(f"cannot rebuild the cards table: {', '.join(others)} refer to it")
    indexes = [
        sql for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cards', 'reviews') AND sql IS NOT NULL"
        )
    ]
    card_cols = ", ".join(r[1] for r in db.execute("PRAGMA table_info(cards)"))
    review_cols = ", ".join(r[1] for r in db.execute("PRAGMA table_info(reviews)"))
    db.execute("""CREATE TABLE cards_new (
            id INTEGER PRIMARY KEY,
            term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('recall', 'reverse', 'related', 'contrast')),
            repetitions INTEGER NOT NULL DEFAULT 0,
            easiness_centi INTEGER NOT NULL DEFAULT 250,
            interval INTEGER NOT NULL DEFAULT 0,
            due TEXT,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            leech INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,
            created_at TEXT NOT NULL,
            pair_term_id INTEGER REFERENCES terms(id) ON DELETE CASCADE,
            CHECK ((kind = 'contrast') = (pair_term_id IS NOT NULL))
        )""")
    db.execute(f"INSERT INTO cards_new ({card_cols}) SELECT {card_cols} FROM cards")
    db.execute("""CREATE TABLE reviews_new (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards_new(id) ON DELETE CASCADE,
            reviewed_at TEXT NOT NULL,
            utc_offset_min INTEGER NOT NULL,
            study_day TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
            kind TEXT NOT NULL CHECK (kind IN ('new', 'review', 'redrill')),
            reps_before INTEGER NOT NULL,
            reps_after INTEGER NOT NULL,
            ease_before INTEGER NOT NULL,
            ease_after INTEGER NOT NULL,
            interval_before INTEGER NOT NULL,
            interval_after INTEGER NOT NULL,
            due_before TEXT,
            due_after TEXT,
            lapse INTEGER NOT NULL DEFAULT 0,
            leeched INTEGER NOT NULL DEFAULT 0,
            duration_ms INTEGER,
            source TEXT NOT NULL DEFAULT 'review',
            chosen_term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL,
            key_term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL
        )""")
    db.execute(f"INSERT INTO reviews_new ({review_cols}) SELECT {review_cols} FROM reviews")
    db.execute("DROP TABLE reviews")
    db.execute("DROP TABLE cards")  # nothing refers to it any more: no cascade
    db.execute("ALTER TABLE cards_new RENAME TO cards")  # reviews_new's reference follows the rename
    db.execute("ALTER TABLE reviews_new RENAME TO reviews")
    for sql in indexes:
        db.execute(sql)
    # a card's identity: term + kind (+ the pair term for a contrast card); INSERT OR IGNORE relies on it
    db.execute("CREATE UNIQUE INDEX cards_identity ON cards(term_id, kind, ifnull(pair_term_id, 0))")
    db.execute("CREATE INDEX reviews_confusion ON reviews(key_term_id, chosen_term_id) WHERE chosen_term_id IS NOT NULL")


def _json_relations(text: Any) -> dict[str, list[str]]:
    """The ``relations`` column: kind -> names (unknown kinds dropped); a damaged value is one clear error."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(v, list) and all(isinstance(n, str) for n in v) for v in value.values()
    ):
        raise StoreError(
            f"a damaged value in the database ({str(text)[:40]!r} where typed relations belong); "
            "run `mlcards doctor`, or restore a backup with `mlcards restore`"
        )
    return {k: value[k] for k in RELATION_KINDS if value.get(k)}


MIGRATION_NAMES = frozenset(
    {"0001_initial", "0002_stats_indexes", "0003_stats_card_day_index", "0004_aliases_relations", "0005_mc_choice"}
)
"""Every migration this mlcards knows (a database with another one applied is from a newer mlcards)."""

CONFUSED_TWICE = 2
"""A pair of terms confused this many times on multiple-choice cards gets a contrast card."""

BUSY_TIMEOUT_MS = 5000
"""How long one SQLite call waits for another connection's lock before reporting busy."""

WRITE_WAIT_S = float(os.environ.get("MLCARDS_WRITE_WAIT", "10"))
"""How long a write keeps retrying a database another process is writing to."""


class DatabaseBusy(StoreError):
    """Another process held the write lock for longer than a write is willing to wait."""

    def __init__(self, *, path: str | Path | None = None):
        super().__init__("another mlcards is writing; try again", path=path or "DB")


def _is_busy(e: sqlite3.Error) -> bool:
    return getattr(e, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (
        "locked" in str(e) or "busy" in str(e)
    )


def _json_list(text: Any) -> list[str]:
    """A JSON list of strings stored in a column; a hand-damaged value is one clear error."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StoreError(
            f"a damaged value in the database ({str(text)[:40]!r} where a list of names belongs); "
            "run `mlcards doctor`, or restore a backup with `mlcards restore`"
        )
    return value


def _db_error(e: sqlite3.Error, path: Path | None) -> StoreError:
    """An SQLite failure as one line that says what to do."""
    text = str(e)
    if _is_busy(e):
        return DatabaseBusy(path=path)
    if "not a database" in text:
        return StoreError("not an SQLite database; pass --db with an mlcards database file", path=path)
    if "malformed" in text or "corrupt" in text:
        return StoreError(
            "the database file is damaged; run `mlcards doctor`, or restore a backup with `mlcards restore`",
            path=path,
        )
    if "readonly" in text or "read-only" in text:
        return StoreError("the database (or its folder) is read-only; check its permissions", path=path)
    if "disk is full" in text or "database or disk is full" in text:
        return StoreError("the disk is full; free some space and try again", path=path)
    if "no such table" in text or "no such column" in text:
        return StoreError(
            f"the database is missing part of its schema ({text}); run `mlcards doctor`, "
            "or restore a backup with `mlcards restore`",
            path=path,
        )
    if "unable to open" in text:
        return StoreError("cannot open the database file; check the path and its folder's permissions", path=path)
    return StoreError(f"database error: {text}", path=path)


def default_db_path() -> Path:
    """``$MLCARDS_DB`` if set, else ``mlcards.db`` in the platform's user data folder."""
    env = os.environ.get("MLCARDS_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path("mlcards", appauthor=False) / "mlcards.db"


def _now_text(now: datetime | None = None) -> str:
    return studyday.to_utc_text(now or studyday.now())


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _merge_names(first: list[str], more: list[str]) -> list[str]:
    """``first`` then the names of ``more`` it lacks (ignoring case and spacing)."""
    keys = {term_key(v) for v in first}
    return list(first) + [v for v in more if term_key(v) not in keys]


@dataclass(frozen=True)
class QueueRow:
    """A candidate for today's queue (see ``mlcards.queue``)."""

    card_id: int
    term_id: int
    kind: str
    due: date | None


@dataclass(frozen=True)
class TermBrief:
    id: int
    term: str
    definition: str
    key: str


class Store:
    """The mlcards database. Open with ``Store.open(path)`` or ``Store.memory()`` for tests."""

    def __init__(self, db: Database, path: Path | None = None):
        self.db = db
        self.path = path
        self._settings: dict[str, Any] | None = None
        self._data_version = 0
        self.write_wait = WRITE_WAIT_S
        """Seconds a write keeps retrying while another process writes (the app uses less, then retries)."""

    # --- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | None = None, *, install_bundled: bool = True) -> "Store":
        """Open (creating if needed) the database at ``path`` (default: ``default_db_path()``).

        A database that has never been set up (new, or left empty by an interrupted ``init``) is
        migrated and, unless ``install_bundled`` is False, given the bundled decks, all in one
        transaction: an interruption leaves it unset-up, and the next open finishes the job.

        The file is only ever opened through SQLite. Opening and closing any other descriptor of it
        would drop every POSIX lock this process holds on it (SQLite's "How To Corrupt", 2.2), and the
        next connection from another process would checkpoint and delete the WAL still in use here.
        """
        path = Path(path).expanduser() if path is not None else default_db_path()
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as e:  # e.g. a name too long for the file system
            raise StoreError(f"cannot use this path: {e.strerror}", path=path) from None
        if is_dir:
            raise StoreError("is a folder; give a database file path", path=path)
        if not exists:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the folder for the database: {e.strerror}", path=path) from None
        store = cls.connect(path)
        try:
            store.migrate(install_bundled=install_bundled)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def connect(cls, path: str | Path, *, check_same_thread: bool = True) -> "Store":
        """A connection to an existing (or about to be created) database file, configured, not migrated."""
        path = Path(path)
        try:
            conn = sqlite3.connect(os.fsencode(path), isolation_level=None, check_same_thread=check_same_thread)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the database: {e}", path=path) from None
        store = cls(Database(conn), path)
        try:
            store._configure()
        except StoreError:
            store.close()
            raise
        except sqlite3.DatabaseError as e:
            store.close()
            raise _db_error(e, path) from None
        return store

    @classmethod
    def memory(cls, *, install_bundled: bool = False) -> "Store":
        store = cls(Database(sqlite3.connect(":memory:", isolation_level=None)))
        store._configure()
        store.migrate(install_bundled=install_bundled)
        return store

    def _configure(self) -> None:
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # Reading the schema is how SQLite itself checks the header: a file that is not a database
        # fails here, before anything is written to it.
        conn.execute("PRAGMA schema_version").fetchone()
        if not self.db.memory:
            conn.execute("PRAGMA synchronous = FULL")
        self._data_version = self.data_version()

    def _use_wal(self) -> None:
        """Switch the file to WAL (persistent; done once the file is known to be ours and not newer)."""
        if self.db.memory:
            return
        conn = self.db.conn
        if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            return
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # e.g. a network file system
            conn.execute("PRAGMA journal_mode = DELETE")

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it changes when another connection commits."""
        return int(self.db.conn.execute("PRAGMA data_version").fetchone()[0])

    def changed_elsewhere(self) -> bool:
        """True once after another connection (or process) committed a change to this database."""
        version = self.data_version()
        if version == self._data_version:
            return False
        self._data_version = version
        self._settings = None
        return True

    def is_set_up(self) -> bool:
        """Whether mlcards' schema has been created in this file (an interrupted ``init`` leaves none)."""
        return self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [migrations.migrations_table]
        ).fetchone() is not None

    def migrate(self, *, install_bundled: bool = False) -> None:
        """Bring the schema up to date in one write transaction (so two processes never race).

        A database that was not set up yet also gets the bundled decks when ``install_bundled``.
        """
        try:
            applied = {m.name for m in migrations.applied(self.db)}
            if applied - MIGRATION_NAMES:
                raise StoreError(
                    "this database was written by a newer mlcards; upgrade mlcards to open it", path=self.path
                )
            self._use_wal()
            if applied == MIGRATION_NAMES:
                return
            if self.is_set_up() and self.path is not None:
                from mlcards import backup

                backup.before_migration(self)  # a copy beside the file, before the schema changes
            with self.transaction():
                fresh = not self.is_set_up()  # checked again under the write lock
                migrations.apply(self.db)
                if fresh and install_bundled:
                    self.install_bundled()
        except sqlite3.DatabaseError as e:
            raise _db_error(e, self.path) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, wait: float | None = None) -> Iterator[None]:
        """One write transaction, begun IMMEDIATE so the busy timeout applies; nested calls use savepoints.

        A database another process is writing to is retried with backoff for about ``wait`` seconds
        (default ``WRITE_WAIT_S``); if it stays busy, ``DatabaseBusy`` is raised and nothing was written.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self._begin_immediate(self.write_wait if wait is None else wait)
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._data_version = self.data_version()

    def _begin_immediate(self, wait: float) -> None:
        import time

        conn = self.db.conn
        deadline = time.monotonic() + wait
        delay = 0.05
        while True:
            remaining = deadline - time.monotonic()
            conn.execute(f"PRAGMA busy_timeout = {max(0, min(BUSY_TIMEOUT_MS, int(remaining * 1000)))}")
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if not _is_busy(e):
                    raise _db_error(e, self.path) from None
                if time.monotonic() + delay >= deadline:
                    raise DatabaseBusy(path=self.path) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
            finally:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def install_bundled(self) -> list[ImportReport]:
        from mlcards import bundled
        from mlcards.importers import deckfile

        reports = []
        with self.transaction():
            for path in bundled.deck_files():
                reports.append(self.apply_deck(deckfile.parse(path)))
        return reports

    # --- settings ----------------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        if self._settings is None:
            values = dict(DEFAULT_SETTINGS)
            for key, raw in self.db.execute("SELECT key, value FROM settings"):
                if key not in values:
                    continue  # a setting from a newer mlcards, or hand-added: doctor reports it
                try:
                    values[key] = _check_setting(key, json.loads(raw))
                except (ValueError, TypeError, StoreError):
                    raise StoreError(
                        f"setting {key!r} holds an invalid value ({str(raw)[:40]!r}); reset it with "
                        f"`mlcards settings {key} {json.dumps(DEFAULT_SETTINGS[key])}`",
                        path=self.path,
                    ) from None
            self._settings = values
        return dict(self._settings)

    def setting(self, key: str) -> Any:
        return self.settings()[key]

    def set_setting(self, key: str, value: Any) -> Any:
        """Validate and store a setting; returns the stored value."""
        value = _check_setting(key, value)
        with self.transaction():
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value)],
            )
        self._settings = None
        return value

    def tz(self) -> tzinfo | None:
        name = self.setting("timezone")
        if not name:
            return None
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)

    def today(self, now: datetime | None = None) -> date:
        """The current study day (rollover hour and time zone from the settings)."""
        return studyday.study_day(now or studyday.now(), self.setting("rollover_hour"), self.tz())

    # --- decks -------------------------------------------------------------------------------------

    def deck_id(self, name: str) -> int | None:
        row = self.db.execute("SELECT id FROM decks WHERE name = ? COLLATE NOCASE", [name]).fetchone()
        return row[0] if row else None

    def deck_names(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM decks ORDER BY id")]

    def require_deck(self, name: str) -> int:
        deck_id = self.deck_id(name)
        if deck_id is None:
            names = ", ".join(repr(n) for n in self.deck_names()) or "none yet"
            raise StoreError(f"no deck named {name!r}; decks: {names}")
        return deck_id

    def apply_deck(
        self,
        deck: Deck,
        *,
        mode: Literal["replace", "enrich"] = "replace",
        dry_run: bool = False,
        now: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Add or update ``deck`` in one transaction, keeping every existing card and its history.

        ``replace`` makes each term's text match the file; ``enrich`` only fills in and adds
        (for glossary pages, where a later page may say more about a term met earlier).
        Terms missing from ``deck`` are kept and reported. ``dry_run`` computes the report only.
        ``progress(done, total)`` is called as terms are compared and written (for progress bars).
        """
        stamp = _now_text(now)
        deck_id = self.deck_id(deck.name)
        report = ImportReport(deck=deck.name, created=deck_id is None)
        existing: dict[str, dict] = {}
        if deck_id is not None:
            report.deck = self.db.execute("SELECT name FROM decks WHERE id = ?", [deck_id]).fetchone()[0]
            for row in self.db.query("SELECT * FROM terms WHERE deck_id = ? ORDER BY position", [deck_id]):
                existing[row["key"]] = row
        next_position = max((r["position"] for r in existing.values()), default=-1) + 1

        inserts: list[dict] = []
        updates: list[tuple] = []
        seen: set[str] = set()
        final_names: list[tuple[str, list[str]]] = []  # (term, aliases) after this import, for the clash check
        total = len(deck.terms)
        for index, t in enumerate(deck.terms):
            if progress is not None and index % 500 == 0:
                progress(index // 2, total)
            key = t.key
            seen.add(key)
            old = existing.get(key)
            values = self._term_values(t, old, mode)
            final_names.append((t.term, json.loads(values["aliases"])))
            if old is None:
                if mode == "replace":
                    position = index
                else:
                    position, next_position = next_position, next_position + 1
                inserts.append({**values, "key": key, "position": position, "created_at": stamp, "updated_at": stamp})
                report.added.append(t.term)
                continue
            position = index if mode == "replace" else old["position"]
            if any(old[k] != v for k, v in values.items()):
                updates.append((*values.values(), position, stamp, old["id"]))
                report.updated.append(t.term)
            else:
                if position != old["position"]:
                    updates.append((*values.values(), position, old["updated_at"], old["id"]))
                report.unchanged.append(t.term)
        report.missing = [row["term"] for key, row in existing.items() if key not in seen]
        kept = [(row["term"], _json_list(row["aliases"])) for key, row in existing.items() if key not in seen]
        clash = name_clash(final_names + kept)
        if clash is not None:  # an alias naming a term kept from before (or, merged, another's alias)
            raise StoreError(f"deck {report.deck!r}: term {(final_names + kept)[clash[0]][0]!r}: {clash[1]}")
        if dry_run:
            return report

        with self.transaction():
            if deck_id is None:
                deck_id = self.db.execute(
                    "INSERT INTO decks (name, description, created_at) VALUES (?, ?, ?)",
                    [deck.name, deck.description, stamp],
                ).lastrowid
            elif deck.description or mode == "replace":
                self.db.execute("UPDATE decks SET description = ? WHERE id = ?", [deck.description, deck_id])
            if inserts:
                for row in inserts:
                    row["deck_id"] = deck_id
                self.db["terms"].insert_all(inserts, batch_size=500)
            if updates:
                self.db.conn.executemany(
                    "UPDATE terms SET term = ?, definition = ?, explanation = ?, example = ?, related = ?, "
                    "tags = ?, aliases = ?, relations = ?, position = ?, updated_at = ? WHERE id = ?",
                    updates,
                )
            report.cards_added = self._sync_cards_and_links(deck_id, stamp)
        if progress is not None:
            progress(total, total)
        return report

    @staticmethod
    def _term_values(t: Term, old: dict | None, mode: str) -> dict[str, Any]:
        values = {
            "term": t.term,
            "definition": t.definition,
            "explanation": t.explanation,
            "example": t.example,
            "related": t.related,
            "tags": t.tags,
            "aliases": t.aliases,
            "relations": t.relations,
        }
        if old is not None and mode == "enrich":
            for k in ("explanation", "example"):
                if not values[k]:
                    values[k] = old[k]
            for k in ("related", "tags"):
                merged = _json_list(old[k])
                keys = {term_key(v) for v in merged}
                merged += [v for v in values[k] if term_key(v) not in keys]
                values[k] = merged
        values["related"] = json.dumps(values["related"], ensure_ascii=False)
        values["tags"] = json.dumps(values["tags"], ensure_ascii=False)
        if old is not None and mode == "enrich":  # aliases and typed relations are merged like related
            values["aliases"] = _merge_names(_json_list(old["aliases"]), values["aliases"])
            before = _json_relations(old["relations"])
            merged = {k: _merge_names(before.get(k, []), values["relations"].get(k, [])) for k in RELATION_KINDS}
            values["relations"] = {k: v for k, v in merged.items() if v}
        values["aliases"] = json.dumps(values["aliases"], ensure_ascii=False)
        values["relations"] = json.dumps(values["relations"], ensure_ascii=False)
        return values

    def _sync_cards_and_links(self, deck_id: int, stamp: str) -> int:
        """Rebuild the deck's undirected links (related and typed) and make sure every term has its cards."""
        rows = list(self.db.execute("SELECT id, key, related, relations FROM terms WHERE deck_id = ?", [deck_id]))
        ids = {key: tid for tid, key, _, _ in rows}
        graph = related_graph(
            (key, [term_key(r) for r in _json_list(rel) + [n for ns in _json_relations(typed).values() for n in ns]])
            for _, key, rel, typed in rows
        )
        self.db.execute(
            "DELETE FROM links WHERE term_id IN (SELECT id FROM terms WHERE deck_id = ?)", [deck_id]
        )
        self.db.conn.executemany(
            "INSERT INTO links (term_id, other_id) VALUES (?, ?)",
            [(ids[a], ids[b]) for a, others in graph.items() for b in others],
        )
        before = self.db.execute(
            "SELECT COUNT(*) FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = ?", [deck_id]
        ).fetchone()[0]
        card_rows = []
        for key, tid in ids.items():
            card_rows.append((tid, CardKind.RECALL.value, stamp))
            card_rows.append((tid, CardKind.REVERSE.value, stamp))
            if graph[key]:
                card_rows.append((tid, CardKind.RELATED.value, stamp))
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO cards (term_id, kind, created_at) VALUES (?, ?, ?)", card_rows
        )
        after = self.db.execute(
            "SELECT COUNT(*) FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = ?", [deck_id]
        ).fetchone()[0]
        return after - before

    def export_deck(self, name: str) -> Deck:
        """The deck as a ``Deck`` model, terms in deck order."""
        deck_id = self.require_deck(name)
        drow = self.db.execute("SELECT name, description FROM decks WHERE id = ?", [deck_id]).fetchone()
        terms = [
            Term(
                term=r["term"],
                definition=r["definition"],
                explanation=r["explanation"],
                example=r["example"],
                related=_json_list(r["related"]),
                tags=_json_list(r["tags"]),
                aliases=_json_list(r["aliases"]),
                **_json_relations(r["relations"]),
            )
            for r in self.db.query("SELECT * FROM terms WHERE deck_id = ? ORDER BY position, id", [deck_id])
        ]
        return Deck(name=drow[0], description=drow[1], terms=terms)

    def update_term(self, term_id: int, new: Term, *, now: datetime | None = None) -> None:
        """Edit a term's text in place: its cards keep their schedules and history."""
        row = self.db.execute("SELECT deck_id FROM terms WHERE id = ?", [term_id]).fetchone()
        if row is None:
            raise StoreError(f"no term with id {term_id}")
        deck_id = row[0]
        clash = self.db.execute(
            "SELECT term FROM terms WHERE deck_id = ? AND key = ? AND id != ?", [deck_id, new.key, term_id]
        ).fetchone()
        if clash:
            raise StoreError(f"this deck already has a term {clash[0]!r}; choose another name")
        others = [
            (term, _json_list(aliases))
            for term, aliases in self.db.execute(
                "SELECT term, aliases FROM terms WHERE deck_id = ? AND id != ?", [deck_id, term_id]
            ).fetchall()
        ]
        entries = [*others, (new.term, new.aliases)]  # the edited term last: a clash is reported on it
        name_problem = name_clash(entries)
        if name_problem is not None:
            raise StoreError(f"term {entries[name_problem[0]][0]!r}: {name_problem[1]}")
        stamp = _now_text(now)
        values = self._term_values(new, None, "replace")
        old_key = self.db.execute("SELECT key FROM terms WHERE id = ?", [term_id]).fetchone()[0]
        with self.transaction():
            self.db.execute(
                "UPDATE terms SET key = ?, term = ?, definition = ?, explanation = ?, example = ?, related = ?, "
                "tags = ?, aliases = ?, relations = ?, updated_at = ? WHERE id = ?",
                [new.key, *values.values(), stamp, term_id],
            )
            if old_key != new.key:  # a rename: other terms' links (related and typed) follow it
                renamed = []

                def follow(names: list[str]) -> list[str]:
                    return [new.term if term_key(n) == old_key else n for n in names]

                for other_id, related, typed in self.db.execute(
                    "SELECT id, related, relations FROM terms WHERE deck_id = ? AND id != ?", [deck_id, term_id]
                ).fetchall():
                    names, kinds = _json_list(related), _json_relations(typed)
                    if any(term_key(n) == old_key for n in names + [n for ns in kinds.values() for n in ns]):
                        renamed.append((
                            json.dumps(follow(names), ensure_ascii=False),
                            json.dumps({k: follow(v) for k, v in kinds.items()}, ensure_ascii=False),
                            stamp,
                            other_id,
                        ))
                self.db.conn.executemany(
                    "UPDATE terms SET related = ?, relations = ?, updated_at = ? WHERE id = ?", renamed
                )
            self._sync_cards_and_links(deck_id, stamp)

    def term_model(self, term_id: int) -> Term:
        r = self.db.execute(
            "SELECT term, definition, explanation, example, related, tags, aliases, relations FROM terms WHERE id = ?",
            [term_id],
        ).fetchone()
        if r is None:
            raise StoreError(f"no term with id {term_id}")
        return Term(term=r[0], definition=r[1], explanation=r[2], example=r[3],
                    related=_json_list(r[4]), tags=_json_list(r[5]),
                    aliases=_json_list(r[6]), **_json_relations(r[7]))

    def deck_summaries(self, today: date | None = None) -> list[DeckSummary]:
        """Per deck: terms, cards, new (never studied), due (studied, due today or earlier, not suspended)."""
        today = today or self.today()
        sql = """
            SELECT d.id, d.name, d.description,
                (SELECT COUNT(*) FROM terms t WHERE t.deck_id = d.id) AS terms,
                COUNT(c.id) AS cards,
                COALESCE(SUM(c.due IS NULL AND c.suspended = 0), 0) AS new,
                COALESCE(SUM(c.due IS NOT NULL AND c.due <= :today AND c.suspended = 0), 0) AS due,
                COALESCE(SUM(c.due IS NOT NULL AND c.repetitions = 0 AND c.suspended = 0), 0) AS learning,
                COALESCE(SUM(c.suspended), 0) AS suspended
            FROM decks d
            LEFT JOIN terms t ON t.deck_id = d.id
            LEFT JOIN cards c ON c.term_id = t.id
            GROUP BY d.id ORDER BY d.id
        """
        return [DeckSummary(**row) for row in self.db.query(sql, {"today": today.isoformat()})]

    # --- cards -------------------------------------------------------------------------------------

    _CARD_SQL = """
        SELECT c.*, t.deck_id, d.name AS deck, t.term, t.definition, t.explanation, t.example,
               t.related, t.tags, t.aliases, t.relations,
               (SELECT COUNT(*) FROM reviews r WHERE r.card_id = c.id) AS review_count
        FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id
    """

    @staticmethod
    def _card_info(r: dict) -> CardInfo:
        return CardInfo(
            id=r["id"],
            kind=CardKind(r["kind"]),
            term_id=r["term_id"],
            deck_id=r["deck_id"],
            deck=r["deck"],
            term=r["term"],
            definition=r["definition"],
            explanation=r["explanation"],
            example=r["example"],
            related=tuple(_json_list(r["related"])),
            tags=tuple(_json_list(r["tags"])),
            state=SM2State(
                repetitions=r["repetitions"],
                easiness_centi=r["easiness_centi"],
                interval=r["interval"],
                due=_date(r["due"]),
            ),
            lapses=r["lapses"],
            suspended=bool(r["suspended"]),
            leech=bool(r["leech"]),
            buried_until=_date(r["buried_until"]),
            reviews=r["review_count"],
            pair_term_id=r.get("pair_term_id"),
            aliases=tuple(_json_list(r["aliases"])),
            relations=tuple((k, tuple(v)) for k, v in _json_relations(r["relations"]).items()),
        )

    def card(self, card_id: int) -> CardInfo:
        rows = list(self.db.query(self._CARD_SQL + " WHERE c.id = ?", [card_id]))
        if not rows:
            raise StoreError(f"no card with id {card_id}")
        return self._card_info(rows[0])

    def cards_of_term(self, term_id: int) -> list[CardInfo]:
        sql = self._CARD_SQL + f" WHERE c.term_id = ? ORDER BY {KIND_ORDER_SQL}"
        return [self._card_info(r) for r in self.db.query(sql, [term_id])]

    def term_neighbours(self, term_id: int) -> list[TermBrief]:
        sql = """SELECT t.id, t.term, t.definition, t.key FROM links l JOIN terms t ON t.id = l.other_id
                 WHERE l.term_id = ? ORDER BY t.position, t.id"""
        return [TermBrief(*r) for r in self.db.execute(sql, [term_id])]

    def term_relations(self, deck_id: int) -> list[tuple[int, int, str]]:
        """Every link written in a deck, with its direction: ``(term_id, other_id, kind)``.

        ``kind`` is ``'related'`` or one of ``RELATION_KINDS``; the edge goes from the term whose entry
        names the other ("Adam" is_a "optimizer": Adam's id first). Decoded from the terms' ``related``
        and ``relations`` columns (links to names that are not terms of the deck are left out), in deck
        order. The ``links`` table holds the same pairs undirected and untyped.
        """
        rows = list(self.db.execute(
            "SELECT id, key, related, relations FROM terms WHERE deck_id = ? ORDER BY position, id", [deck_id]
        ))
        ids = {key: tid for tid, key, _, _ in rows}
        edges = []
        for tid, _key, related, typed in rows:
            for kind, names in [("related", _json_list(related)), *_json_relations(typed).items()]:
                for name in names:
                    other = ids.get(term_key(name))
                    if other is not None and other != tid:
                        edges.append((tid, other, kind))
        return edges

    def answer_names(self, deck_id: int) -> list[tuple[int, str, tuple[str, ...]]]:
        """``(term_id, term, aliases)`` for every term of a deck: what typed answers are judged against."""
        return [
            (tid, term, tuple(_json_list(aliases)))
            for tid, term, aliases in self.db.execute(
                "SELECT id, term, aliases FROM terms WHERE deck_id = ? ORDER BY position, id", [deck_id]
            )
        ]

    def question_entries(self, deck_id: int) -> list[dict[str, Any]]:
        """Every term of a deck with what multiple-choice questions read (texts, aliases, tags), deck order."""
        sql = """SELECT id, term, definition, key, explanation, example, aliases, tags FROM terms
                 WHERE deck_id = ? ORDER BY position, id"""
        return [
            {"id": r[0], "term": r[1], "definition": r[2], "key": r[3], "explanation": r[4], "example": r[5],
             "aliases": tuple(_json_list(r[6])), "tags": tuple(_json_list(r[7]))}
            for r in self.db.execute(sql, [deck_id])
        ]

    def deck_graph(self, deck_id: int) -> tuple[dict[int, TermBrief], dict[int, set[int]]]:
        """Every term of a deck and the undirected related-term graph over their ids."""
        terms = {
            r[0]: TermBrief(*r)
            for r in self.db.execute(
                "SELECT id, term, definition, key FROM terms WHERE deck_id = ? ORDER BY position, id", [deck_id]
            )
        }
        adj: dict[int, set[int]] = {tid: set() for tid in terms}
        for a, b in self.db.execute(
            "SELECT l.term_id, l.other_id FROM links l JOIN terms t ON t.id = l.term_id WHERE t.deck_id = ?",
            [deck_id],
        ):
            adj[a].add(b)
        return terms, adj

    BROWSE_SORTS = {
        "term": "t.term COLLATE NOCASE",
        "due": "c.due IS NULL, c.due",
        "easiness": "c.easiness_centi",
        "lapses": "c.lapses",
        "interval": "c.interval",
    }

    def browse(
        self,
        today: date,
        query: str = "",
        *,
        deck_id: int | None = None,
        sort: str = "term",
        descending: bool = False,
        limit: int = 2000,
    ) -> list[dict]:
        """Cards with their term and a state (new, learning, due, scheduled, suspended, leech).

        ``query`` matches term, definition, explanation and tags (case-insensitive substring).
        """
        order = self.BROWSE_SORTS.get(sort)
        if order is None:
            raise StoreError(f"unknown sort {sort!r}; use one of {', '.join(self.BROWSE_SORTS)}")
        direction = "DESC" if descending else "ASC"
        order = ", ".join(f"{part} {direction}" for part in order.split(", "))
        where, params = ["1 = 1"], {"today": today.isoformat(), "limit": limit}
        if query.strip():
            where.append(
                "(t.term LIKE :q ESCAPE '\\' OR t.definition LIKE :q ESCAPE '\\' "
                "OR t.explanation LIKE :q ESCAPE '\\' OR t.tags LIKE :q ESCAPE '\\')"
            )
            escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["q"] = f"%{escaped}%"
        if deck_id is not None:
            where.append("t.deck_id = :deck")
            params["deck"] = deck_id
        sql = f"""
            SELECT c.id AS card_id, c.kind, c.repetitions, c.easiness_centi, c.interval, c.due, c.lapses,
                   c.suspended, c.leech, t.id AS term_id, t.term, t.tags, d.name AS deck,
                   CASE WHEN c.leech THEN 'leech' WHEN c.suspended THEN 'suspended'
                        WHEN c.due IS NULL THEN 'new' WHEN c.repetitions = 0 THEN 'learning'
                        WHEN c.due <= :today THEN 'due' ELSE 'scheduled' END AS state
            FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id
            WHERE {' AND '.join(where)}
            ORDER BY {order}, t.term COLLATE NOCASE, {KIND_ORDER_SQL}
            LIMIT :limit"""
        return list(self.db.query(sql, params))

    def term_history(self, term_id: int, limit: int = 200) -> list[dict]:
        """The latest answers to any card of a term, newest first."""
        sql = """SELECT r.*, c.kind AS card_kind FROM reviews r JOIN cards c ON c.id = r.card_id
                 WHERE c.term_id = ? ORDER BY r.id DESC LIMIT ?"""
        return list(self.db.query(sql, [term_id, limit]))

    def term_deck(self, term_id: int) -> str:
        row = self.db.execute(
            "SELECT d.name FROM terms t JOIN decks d ON d.id = t.deck_id WHERE t.id = ?", [term_id]
        ).fetchone()
        if row is None:
            raise StoreError(f"no term with id {term_id}")
        return row[0]

    def find_terms(self, query: str, deck_id: int | None = None, limit: int = 50) -> list[TermBrief]:
        """Terms whose name contains ``query`` (case-insensitive), best matches (prefix) first."""
        dsql, dparams = self._deck_filter(deck_id)
        q = query.strip().casefold()
        sql = f"""SELECT t.id, t.term, t.definition, t.key FROM terms t
                  WHERE instr(t.key, ?) > 0{dsql}
                  ORDER BY instr(t.key, ?) != 1, length(t.key), t.key LIMIT ?"""
        return [TermBrief(*r) for r in self.db.execute(sql, [q, *dparams, q, limit])]

    def quiz_subjects(self, today: date, deck_id: int | None = None, limit: int = 10) -> list[int]:
        """Terms for a related-concept quiz: related cards due first, then new ones, then the rest."""
        dsql, dparams = self._deck_filter(deck_id)
        sql = f"""SELECT t.id FROM cards c JOIN terms t ON t.id = c.term_id
                  WHERE c.kind = 'related' AND c.suspended = 0{dsql}
                  ORDER BY CASE WHEN c.due <= ? THEN 0 WHEN c.due IS NULL THEN 1 ELSE 2 END, c.due, t.position
                  LIMIT ?"""
        return [r[0] for r in self.db.execute(sql, [*dparams, today.isoformat(), limit])]

    def related_card(self, term_id: int) -> int | None:
        row = self.db.execute("SELECT id FROM cards WHERE term_id = ? AND kind = 'related'", [term_id]).fetchone()
        return row[0] if row else None

    def set_suspended(self, card_id: int, suspended: bool) -> None:
        with self.transaction():
            self.db.execute("UPDATE cards SET suspended = ? WHERE id = ?", [int(suspended), card_id])

    def bury(self, card_id: int, today: date) -> None:
        """Hide a card until the next study day."""
        with self.transaction():
            self.db.execute(
                "UPDATE cards SET buried_until = ? WHERE id = ?", [(today + timedelta(days=1)).isoformat(), card_id]
            )

    # --- answering ---------------------------------------------------------------------------------

    def answer(
        self,
        card_id: int,
        grade: int,
        now: datetime | None = None,
        *,
        duration_ms: int | None = None,
        source: str = "review",
        chosen_term_id: int | None = None,
        key_term_id: int | None = None,
    ) -> AnswerResult:
        """Grade a card and log it, in one committed transaction.

        On a multiple-choice card, ``chosen_term_id`` is the term of the option picked and
        ``key_term_id`` the right option's term when the question asked to identify a term; a pair
        confused ``CONFUSED_TWICE`` times (either way round) gets a contrast card of its own.

        The first answer of a study day runs SM-2; a later answer on the same day is a re-drill
        (SM-2's step 7): logged, but the schedule does not move.
        """
        sm2.check_quality(grade)
        now = now or studyday.now()
        day = self.today(now)
        offset = studyday.utc_offset_minutes(now, self.tz())
        with self.transaction():
            row = self.db.execute(
                "SELECT repetitions, easiness_centi, interval, due, lapses, leech FROM cards WHERE id = ?",
                [card_id],
            ).fetchone()
            if row is None:
                raise StoreError(f"no card with id {card_id}")
            # A changed time zone (or rollover hour) can make "today" fall before a study day this card
            # was already answered on: that answer's day still counts, so the card is never scheduled
            # twice in one study day.
            last_day = self.db.execute(
                "SELECT MAX(study_day) FROM reviews WHERE card_id = ?", [card_id]
            ).fetchone()[0]
            if last_day is not None and last_day > day.isoformat():
                day = date.fromisoformat(last_day)
            reps, ease, interval, due, lapses, leech = row
            before = SM2State(repetitions=reps, easiness_centi=ease, interval=interval, due=_date(due))
            redrill = (
                self.db.execute(
                    "SELECT 1 FROM reviews WHERE card_id = ? AND study_day = ? LIMIT 1", [card_id, day.isoformat()]
                ).fetchone()
                is not None
            )
            if redrill:
                after, kind, lapse = before, "redrill", False
            else:
                after = sm2.review(before, grade, day)
                kind = "new" if before.is_new else "review"
                lapse = sm2.is_lapse(before, grade)
            lapses_after = lapses + int(lapse)
            leeched = lapse and not leech and lapses_after >= self.setting("leech_threshold")
            self.db.execute(
                "UPDATE cards SET repetitions = ?, easiness_centi = ?, interval = ?, due = ?, lapses = ?, "
                "leech = leech OR ?, suspended = suspended OR ? WHERE id = ?",
                [after.repetitions, after.easiness_centi, after.interval, _iso(after.due), lapses_after,
                 int(leeched), int(leeched), card_id],
            )
            review_id = self.db.execute(
                """INSERT INTO reviews (card_id, reviewed_at, utc_offset_min, study_day, grade, kind,
                    reps_before, reps_after, ease_before, ease_after, interval_before, interval_after,
                    due_before, due_after, lapse, leeched, duration_ms, source, chosen_term_id, key_term_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [card_id, studyday.to_utc_text(now), offset, day.isoformat(), grade, kind,
                 before.repetitions, after.repetitions, before.easiness_centi, after.easiness_centi,
                 before.interval, after.interval, _iso(before.due), _iso(after.due), int(lapse), int(leeched),
                 duration_ms, source, chosen_term_id, key_term_id],
            ).lastrowid
            if chosen_term_id is not None and key_term_id is not None and chosen_term_id != key_term_id:
                self._contrast_card(key_term_id, chosen_term_id, studyday.to_utc_text(now))
        return AnswerResult(review_id, card_id, grade, kind, before, after, day, lapse, leeched)

    def _pair_confusions(self, a: int, b: int) -> int:
        return self.db.execute(
            "SELECT COUNT(*) FROM reviews WHERE (key_term_id = ? AND chosen_term_id = ?) "
            "OR (key_term_id = ? AND chosen_term_id = ?)",
            [a, b, b, a],
        ).fetchone()[0]

    def _contrast_card(self, a: int, b: int, stamp: str) -> None:
        """Give the pair (a, b) its contrast card once it has been confused ``CONFUSED_TWICE`` times."""
        if self._pair_confusions(a, b) >= CONFUSED_TWICE:
            self.db.execute(
                "INSERT OR IGNORE INTO cards (term_id, kind, pair_term_id, created_at) VALUES (?, 'contrast', ?, ?)",
                [min(a, b), max(a, b), stamp],
            )

    def contrast_cards(self, deck_id: int | None = None) -> list[CardInfo]:
        """Every contrast card (of one deck), oldest first."""
        dsql, dparams = self._deck_filter(deck_id)
        sql = self._CARD_SQL + f" WHERE c.kind = 'contrast'{dsql} ORDER BY c.id"
        return [self._card_info(r) for r in self.db.query(sql, dparams)]

    def undo(self, review_id: int) -> int:
        """Take back one answer: restore the card's schedule exactly and delete the log row.

        Only a card's latest answer can be taken back. Returns the card id.
        """
        with self.transaction():
            row = self.db.execute(
                "SELECT card_id, reps_before, ease_before, interval_before, due_before, lapse, leeched "
                "FROM reviews WHERE id = ?",
                [review_id],
            ).fetchone()
            if row is None:
                raise StoreError(f"no answer with id {review_id} to undo")
            card_id, reps, ease, interval, due, lapse, leeched = row
            chosen, key = self.db.execute(
                "SELECT chosen_term_id, key_term_id FROM reviews WHERE id = ?", [review_id]
            ).fetchone()
            latest = self.db.execute("SELECT MAX(id) FROM reviews WHERE card_id = ?", [card_id]).fetchone()[0]
            if latest != review_id:
                raise StoreError("only a card's latest answer can be undone")
            self.db.execute(
                "UPDATE cards SET repetitions = ?, easiness_centi = ?, interval = ?, due = ?, "
                "lapses = lapses - ?, leech = CASE WHEN ? THEN 0 ELSE leech END, "
                "suspended = CASE WHEN ? THEN 0 ELSE suspended END WHERE id = ?",
                [reps, ease, interval, due, lapse, leeched, leeched, card_id],
            )
            self.db.execute("DELETE FROM reviews WHERE id = ?", [review_id])
            if chosen is not None and key is not None and chosen != key and self._pair_confusions(key, chosen) < CONFUSED_TWICE:
                # the contrast card this answer gave the pair goes too, unless it has been answered since
                self.db.execute(
                    "DELETE FROM cards WHERE kind = 'contrast' AND term_id = ? AND pair_term_id = ? "
                    "AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.card_id = cards.id)",
                    [min(key, chosen), max(key, chosen)],
                )
        return card_id

    # --- today's queue inputs ------------------------------------------------------------------------

    def _deck_filter(self, deck_id: int | None) -> tuple[str, list]:
        return (" AND t.deck_id = ?", [deck_id]) if deck_id is not None else ("", [])

    def _candidates(self, where: str, order: str, today: date, deck_id: int | None, limit: int) -> list[QueueRow]:
        dsql, dparams = self._deck_filter(deck_id)
        day = today.isoformat()
        sql = f"""
            SELECT c.id, c.term_id, c.kind, c.due FROM cards c JOIN terms t ON t.id = c.term_id
            WHERE {where} AND c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= ?)
              AND c.term_id NOT IN (SELECT c2.term_id FROM reviews r JOIN cards c2 ON c2.id = r.card_id
                                    WHERE r.study_day = ?){dsql}
            ORDER BY {order} LIMIT ?"""
        params = ([day] if "?" in where else []) + [day, day, *dparams, limit]
        return [QueueRow(r[0], r[1], r[2], _date(r[3])) for r in self.db.execute(sql, params)]

    def due_candidates(self, today: date, deck_id: int | None = None, limit: int = 1000) -> list[QueueRow]:
        """Studied cards due today or earlier (most overdue first), terms not yet answered today."""
        return self._candidates(
            "c.due IS NOT NULL AND c.due <= ?", f"c.due, t.deck_id, t.position, {KIND_ORDER_SQL}", today, deck_id, limit
        )

    def new_candidates(self, today: date, deck_id: int | None = None, limit: int = 1000) -> list[QueueRow]:
        """Never-studied cards in deck order, terms not yet answered today."""
        return self._candidates("c.due IS NULL", f"t.deck_id, t.position, {KIND_ORDER_SQL}", today, deck_id, limit)

    def redrill_cards(self, today: date, deck_id: int | None = None) -> list[int]:
        """Cards whose latest answer today was below 4: SM-2 repeats them until they reach 4."""
        dsql, dparams = self._deck_filter(deck_id)
        sql = f"""
            SELECT r.card_id FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id
            WHERE r.id IN (SELECT MAX(id) FROM reviews WHERE study_day = ? GROUP BY card_id)
              AND r.grade < 4 AND c.suspended = 0{dsql}
            ORDER BY r.id"""
        return [r[0] for r in self.db.execute(sql, [today.isoformat(), *dparams])]

    def done_today(self, today: date) -> tuple[int, int]:
        """Distinct cards introduced (new) and reviewed today: what counts against the daily limits."""
        row = self.db.execute(
            """SELECT COUNT(DISTINCT CASE WHEN kind = 'new' THEN card_id END),
                      COUNT(DISTINCT CASE WHEN kind = 'review' THEN card_id END)
               FROM reviews WHERE study_day = ?""",
            [today.isoformat()],
        ).fetchone()
        return row[0], row[1]

    def reviews_of_card(self, card_id: int) -> list[dict]:
        return list(self.db.query("SELECT * FROM reviews WHERE card_id = ? ORDER BY id", [card_id]))

    def count(self, table: str) -> int:
        if table not in {"decks", "terms", "cards", "reviews", "links"}:
            raise ValueError(table)
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    # --- review-log export (read only) -------------------------------------------------------------

    def review_log_rows(self, deck_id: int | None = None) -> Iterator[dict]:
        """Every answer in the review log, oldest first, joined with its card, term and deck.

        Keys: review_id, card_id, deck, term, card_kind, reviewed_at (UTC text), utc_offset_min,
        study_day, grade, kind, interval_before, interval_after, ease_before, ease_after (hundredths),
        due_after, duration_ms, source.
        """
        dsql, dparams = self._deck_filter(deck_id)
        sql = f"""
            SELECT r.id AS review_id, r.card_id, d.name AS deck, t.term, c.kind AS card_kind,
                   r.reviewed_at, r.utc_offset_min, r.study_day, r.grade, r.kind,
                   r.interval_before, r.interval_after, r.ease_before, r.ease_after,
                   r.due_after, r.duration_ms, r.source
            FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id
            JOIN decks d ON d.id = t.deck_id
            WHERE 1 = 1{dsql}
            ORDER BY r.id"""
        yield from self.db.query(sql, dparams)

    # --- another program's review log (Anki's revlog) ------------------------------------------------

    ANKI_GRADES = {1: 1, 2: 3, 3: 4, 4: 5}
    """Anki's buttons as SM-2 grades: Again -> 1, Hard -> 3, Good -> 4, Easy -> 5."""

    def import_history(self, entries: Iterable[Any], *, dry_run: bool = False) -> "HistoryImport":
        """Add review-log rows from Anki (``mlcards.importers.AnkiReview``-like entries) to ``reviews``.

        Each entry names its deck, term and card kind ('recall' for Anki's card 1, 'reverse' for card
        2); entries whose card does not exist here are counted as unmatched. Rows get
        ``source = 'anki'``, the grade from ``ANKI_GRADES``, the study day and UTC offset from this
        database's rollover hour and time zone, kind 'new' for a card's first review (nothing
        earlier in the log), 'redrill' for a later answer on a study day that already has one (Anki's
        learning steps), else 'review', intervals from Anki's ``lastIvl``/``ivl`` (learning steps,
        which Anki logs in seconds, count as 0 days), easiness from Anki's factor (permille ->
        hundredths), repetitions counted along the imported log, and a lapse when a review card
        was failed. The same Anki answer is never imported twice.

        Cards' schedules are left exactly as they are: the history feeds statistics only. Runs in
        (or joins) one transaction.
        """
        rollover, tz = self.setting("rollover_hour"), self.tz()
        report = HistoryImport()
        cards: dict[str, dict[tuple[str, str], int] | None] = {}
        earliest: dict[int, str] = {}
        imported: set[tuple[int, str]] = set()
        answered: set[tuple[int, str]] = set()  # (card, study day) pairs that already have an answer
        state: dict[int, tuple[int, int, str | None]] = {}  # card -> (reps, ease, due) after its last entry
        rows = []
        for e in sorted(entries, key=lambda e: e.reviewed_at):
            deck_key = e.deck.casefold()
            if deck_key not in cards:
                deck_id = self.deck_id(e.deck)
                cards[deck_key] = (
                    None if deck_id is None else self._history_cards(deck_id, earliest, imported, answered)
                )
            deck_cards = cards[deck_key]
            card_id = deck_cards.get((term_key(e.term), e.card_kind)) if deck_cards is not None else None
            grade = self.ANKI_GRADES.get(e.ease)
            if card_id is None or grade is None:
                report.unmatched += 1
                continue
            moment = e.reviewed_at
            at = studyday.to_utc_text(moment)
            day = studyday.study_day(moment, rollover, tz)
            reps, ease, due = state.get(card_id, (0, sm2.INITIAL_EASINESS_CENTI, None))
            first = card_id not in state and (card_id not in earliest or at < earliest[card_id])
            ease_after = e.factor // 10 if e.factor > 0 else ease
            reps_after = 0 if grade < 3 else reps + 1
            interval_before, interval_after = max(e.last_interval, 0), max(e.interval, 0)
            due_after = (day + timedelta(days=interval_after)).isoformat()
            state[card_id] = (reps_after, ease_after, due_after)
            if (card_id, at) in imported:
                report.duplicates += 1
                continue
            imported.add((card_id, at))
            # a later answer on the same study day is a re-drill, exactly as Store.answer logs it
            kind = "new" if first else "redrill" if (card_id, day.isoformat()) in answered else "review"
            answered.add((card_id, day.isoformat()))
            lapse = kind != "redrill" and e.anki_type == 1 and grade < 3
            rows.append(
                (card_id, at, studyday.utc_offset_minutes(moment, tz), day.isoformat(), grade,
                 kind, reps, reps_after, ease, ease_after, interval_before,
                 interval_after, due, due_after, int(lapse), 0, e.duration_ms, "anki")
            )
        report.added = len(rows)
        if rows and not dry_run:
            with self.transaction():
                self.db.conn.executemany(
                    """INSERT INTO reviews (card_id, reviewed_at, utc_offset_min, study_day, grade, kind,
                        reps_before, reps_after, ease_before, ease_after, interval_before, interval_after,
                        due_before, due_after, lapse, leeched, duration_ms, source)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    rows,
                )
        return report

    def _history_cards(
        self, deck_id: int, earliest: dict[int, str], imported: set[tuple[int, str]], answered: set[tuple[int, str]]
    ):
        """(term key, kind) -> card id for a deck; fills each card's earliest review, Anki rows and answered days."""
        where = "FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id WHERE t.deck_id = ?"
        answered.update(self.db.execute(f"SELECT DISTINCT r.card_id, r.study_day {where}", [deck_id]).fetchall())
        for card_id, first in self.db.execute(f"SELECT r.card_id, MIN(r.reviewed_at) {where} GROUP BY r.card_id", [deck_id]):
            earliest[card_id] = first
        for card_id, at in self.db.execute(f"SELECT r.card_id, r.reviewed_at {where} AND r.source = 'anki'", [deck_id]):
            imported.add((card_id, at))
        return {
            (key, kind): card_id
            for key, kind, card_id in self.db.execute(
                "SELECT t.key, c.kind, c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = ?", [deck_id]
            )
        }


@dataclass
class HistoryImport:
    """What ``Store.import_history`` added: rows, already-present answers, entries with no card here."""

    added: int = 0
    duplicates: int = 0
    unmatched: int = 0
