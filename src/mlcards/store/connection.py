"""Opening and configuring the database: WAL, foreign keys, busy timeout, migrations, transactions.

The file is only ever opened through SQLite (see ``Connection.open``). A ``Store`` (like its
``Database``) belongs to one thread; a worker thread opens its own.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Self

from mlcards import studyday
from mlcards.errors import StoreError
from mlcards.records import RELATION_KINDS
from mlcards.store.layout import MIGRATION_NAMES, MIGRATION_SET, MIGRATIONS_TABLE
from mlcards.store.lite import Db
from mlcards.text import term_key

Seed = Callable[[Any], object]
"""What a database that was never set up gets in its first transaction (called with the ``Store``)."""

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


# --- small row helpers -----------------------------------------------------------------------------


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



class Connection:
    """The connection a ``Store`` is built on. Open with ``Store.open(path)`` or ``Store.memory()`` for tests."""

    def __init__(self, db: Db, path: Path | None = None):
        self.db = db
        self.path = path
        self._settings: dict[str, Any] | None = None
        self._data_version = 0
        self.write_wait = WRITE_WAIT_S
        """Seconds a write keeps retrying while another process writes (the app uses less, then retries)."""

    # --- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | None = None, *, seed: Seed | None = None) -> Self:
        """Open (creating if needed) the database at ``path`` (default: ``default_db_path()``).

        A database that has never been set up (new, or left empty by an interrupted ``init``) is
        migrated and given its first content by ``seed`` (``mlcards.database`` passes the bundled
        decks), all in one transaction: an interruption leaves it unset-up, and the next open finishes
        the job.

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
            store.migrate(seed=seed)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def connect(cls, path: str | Path, *, check_same_thread: bool = True) -> Self:
        """A connection to an existing (or about to be created) database file, configured, not migrated."""
        path = Path(path)
        try:
            conn = sqlite3.connect(os.fsencode(path), isolation_level=None, check_same_thread=check_same_thread)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the database: {e}", path=path) from None
        store = cls(Db(conn), path)
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
    def memory(cls, *, seed: Seed | None = None) -> Self:
        store = cls(Db(sqlite3.connect(":memory:", isolation_level=None), memory=True))
        store._configure()
        store.migrate(seed=seed)
        return store

    def _configure(self) -> None:
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # Statement journals (every statement that fires a trigger, inside a transaction, has one) and
        # temporary b-trees in memory: in a file, an import of 20,000 cards wrote 600,000 pages to /var/tmp.
        conn.execute("PRAGMA temp_store = MEMORY")
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
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
        ).fetchone() is not None

    def applied_migrations(self) -> set[str]:
        """The names of mlcards' migrations applied to this file (read without loading sqlite-utils)."""
        if not self.is_set_up():
            return set()
        return {r[0] for r in self.db.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", [MIGRATION_SET])}

    def migrate(self, *, seed: Seed | None = None) -> None:
        """Bring the schema up to date in one write transaction (so two processes never race).

        A database that was not set up yet is also given ``seed(self)`` in the same transaction.
        Before the schema of an existing database changes, a copy is written beside it.
        """
        try:
            applied = self.applied_migrations()
            if applied - MIGRATION_NAMES:
                raise StoreError(
                    "this database was written by a newer mlcards; upgrade mlcards to open it", path=self.path
                )
            self._use_wal()
            if applied == MIGRATION_NAMES:
                return
            from mlcards.store.copy import before_migration
            from mlcards.store.schema import migrations

            if self.is_set_up() and self.path is not None:
                before_migration(self.db.utils, self.path)  # a copy beside the file, before the schema changes
            with self.transaction():
                fresh = not self.is_set_up()  # checked again under the write lock
                migrations.apply(self.db.utils)
                if fresh and seed is not None:
                    seed(self)
        except sqlite3.DatabaseError as e:
            raise _db_error(e, self.path) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
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
            conn.execute('SAVEPOINT "mlcards_nested"')
            try:
                yield
            except BaseException:
                if conn.in_transaction:
                    conn.execute('ROLLBACK TO "mlcards_nested"')
                    conn.execute('RELEASE "mlcards_nested"')
                raise
            conn.execute('RELEASE "mlcards_nested"')
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
            timeout = max(0, min(BUSY_TIMEOUT_MS, int((deadline - time.monotonic()) * 1000)))
            if timeout != BUSY_TIMEOUT_MS:  # a shorter wait than usual (no pragma at all on the answer path)
                conn.execute(f"PRAGMA busy_timeout = {timeout}")
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
                if timeout != BUSY_TIMEOUT_MS:
                    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


    @classmethod
    def reader(cls, path: str | Path) -> Self:
        """A second, read-only connection to the database file at ``path`` (for a worker thread)."""
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return cls(Db(conn), Path(path))

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open on this connection (another connection would not see its writes)."""
        return self.db.conn.in_transaction

    def _deck_filter(self, deck_id: int | None) -> tuple[str, list[int]]:
        return (" AND t.deck_id = ?", [deck_id]) if deck_id is not None else ("", [])

    def count(self, table: str) -> int:
        if table not in {"decks", "terms", "cards", "reviews", "links"}:
            raise ValueError(table)
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

