"""Backups: consistent copies of the database through SQLite's backup API, and restoring one.

- Every copy is made with ``sqlite3.Connection.backup`` from a connection to the live database, so
  it is a consistent snapshot even while other processes read or write (WAL readers never block),
  and is written to a temporary file in the destination folder, then renamed into place
  (``os.replace``): a backup file is either complete or absent. Copies are in rollback-journal
  mode, so each is one self-contained file.
- Before migrations change the schema of an existing database: ``<db>.pre-<NNNN>-<time>.bak``
  beside the database (``mlcards.store.copy.before_migration``, called by ``Store.migrate``).
- Once per study day, on the first command that writes: ``backups/<db>.daily-<day>.bak`` in the
  database's folder, the last ``DAILY_KEEP`` kept (``daily_backup``).
- ``mlcards backup``: ``backups/<db>.<time>.bak`` (never pruned) or a path of the user's choice.
- ``mlcards restore``: ``check_backup_file`` first, then ``backups/<db>.pre-restore-<time>.bak``
  of the current database, then the backup API copies the file into the live database.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mlcards.errors import StoreError
from mlcards.store.copy import (
    LOCK_WAIT_S,
    _deadline_progress,
    _remove,
    _stamp,
    _sweep_temps,
    _unique,
    copy_database,
)

if TYPE_CHECKING:
    from mlcards.store import Store

BACKUPS_FOLDER = "backups"
DAILY_KEEP = 7

REQUIRED_TABLES = ("decks", "terms", "links", "cards", "reviews", "settings")
MIGRATIONS_TABLE = "_sqlite_migrations"
SQLITE_HEADER = b"SQLite format 3\x00"


def backups_dir(db_path: str | Path) -> Path:
    """Where backups of ``db_path`` go: a ``backups`` folder beside it."""
    return Path(db_path).parent / BACKUPS_FOLDER


def _connect_existing(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to an existing SQLite file (never creates one)."""
    if not path.is_file():
        raise StoreError("no such database file", path=path)
    from urllib.parse import quote

    mode = "ro" if read_only else "rw"
    try:
        con = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode={mode}", uri=True, timeout=1.0)
    except sqlite3.Error as e:
        raise StoreError(f"cannot open the database: {e}", path=path) from None
    try:  # SQLite checks the header itself (the file is never opened outside SQLite)
        con.execute("PRAGMA schema_version").fetchone()
    except sqlite3.Error as e:
        con.close()
        raise StoreError("not an SQLite database" if "not a database" in str(e) else f"cannot read it: {e}",
                         path=path) from None
    return con


def copy_file(db_path: str | Path, dest: Path, *, wait_s: float = LOCK_WAIT_S) -> Path:
    """``copy_database`` from a database file (opened for this copy only)."""
    db_path = Path(db_path)
    con = _connect_existing(db_path)
    try:
        con.execute(f"PRAGMA busy_timeout = {int(wait_s * 1000)}")
        return copy_database(con, dest, wait_s=wait_s)
    finally:
        con.close()


# --- automatic backups ----------------------------------------------------------------------------


def _daily_files(folder: Path, db_name: str) -> list[tuple[str, Path]]:
    pattern = re.compile(re.escape(db_name) + r"\.daily-(\d{4}-\d{2}-\d{2})\.bak")
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = [(m.group(1), folder / n) for n in names if (m := pattern.fullmatch(n))]
    return sorted(found)


def daily_backup(store: "Store", *, today: date | None = None, keep: int = DAILY_KEEP) -> Path | None:
    """Once per study day: ``backups/<db>.daily-<day>.bak``; keeps the newest ``keep``.

    Cheap when there is nothing to do: one listing of the backups folder. Returns the new file,
    or None when today's (or a later day's) backup is already there.
    """
    if store.path is None or store.db.memory:
        return None
    path = Path(store.path)
    day = (today or store.today()).isoformat()
    folder = backups_dir(path)
    existing = _daily_files(folder, path.name)
    if existing and existing[-1][0] >= day:
        return None
    try:
        folder.mkdir(exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create the backups folder: {e.strerror}", path=folder) from None
    _sweep_temps(folder, f".{path.name}.")
    dest = copy_database(store.db.conn, folder / f"{path.name}.daily-{day}.bak")
    for _day, old in _daily_files(folder, path.name)[:-keep] if keep > 0 else []:
        try:
            old.unlink()
        except OSError:
            pass
    return dest


def manual_backup(db_path: str | Path, dest: str | Path | None = None) -> Path:
    """``mlcards backup``: to ``dest`` (a file, or a folder to write into) or ``backups/<db>.<time>.bak``."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise StoreError("no database here to back up", path=db_path)
    if db_path.is_dir():
        raise StoreError("is a folder; give a database file path", path=db_path)
    if dest is None:
        folder = backups_dir(db_path)
        try:
            folder.mkdir(exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the backups folder: {e.strerror}", path=folder) from None
        target = _unique(folder / f"{db_path.name}.{_stamp()}.bak")
    else:
        target = Path(dest).expanduser()
        if target.is_dir():
            target = _unique(target / f"{db_path.name}.{_stamp()}.bak")
        elif not target.parent.is_dir():
            raise StoreError(f"folder {str(target.parent)!r} does not exist; create it first", path=target)
        if target.exists() and target.resolve() == db_path.resolve():
            raise StoreError("is the database itself; give another path for the backup", path=target)
    return copy_file(db_path, target)


# --- restore ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupInfo:
    """What ``check_backup_file`` found: the migrations applied in the file, and its counts."""

    migrations: list[str]
    decks: int
    cards: int
    reviews: int


def check_backup_file(path: str | Path) -> BackupInfo:
    """Refuse (``StoreError``, one line) anything that is not a sound mlcards database this
    version can open: not SQLite, damaged (``PRAGMA integrity_check``), no mlcards migrations
    table, a migration newer than this mlcards knows, or a missing table. Reads only."""
    from mlcards.store.schema import MIGRATION_NAMES, migrations

    path = Path(path)
    if path.is_dir():
        raise StoreError("is a folder; give a backup file", path=path)
    if not path.exists():
        raise StoreError("no such file", path=path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as e:
        raise StoreError(f"cannot read the file: {e.strerror}", path=path) from None
    if len(head) < 100 or head[:16] != SQLITE_HEADER:
        raise StoreError("not an SQLite database; nothing was restored", path=path)
    try:
        con = _connect_existing(path, read_only=True)
    except sqlite3.Error as e:
        raise StoreError(f"cannot open the file: {e}; nothing was restored", path=path) from None
    try:
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check(5)")]
        except sqlite3.Error as e:
            raise StoreError(f"the file is damaged ({e}); nothing was restored", path=path) from None
        if rows != ["ok"]:
            raise StoreError(f"the file is damaged ({rows[0]}); nothing was restored", path=path)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        if MIGRATIONS_TABLE not in tables:
            raise StoreError("not an mlcards database (no migrations table); nothing was restored", path=path)
        applied = [
            r[0]
            for r in con.execute(f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
                                 [migrations.name])
        ]
        if not applied:
            raise StoreError("not an mlcards database (no mlcards migrations); nothing was restored", path=path)
        known = MIGRATION_NAMES
        newer = [name for name in applied if name not in known]
        if newer:
            raise StoreError(
                f"written by a newer mlcards (migration {newer[0]}); upgrade mlcards to restore it; "
                "nothing was restored",
                path=path,
            )
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise StoreError(f"table {', '.join(missing)} missing; nothing was restored", path=path)
        counts = [con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("decks", "cards", "reviews")]
    except sqlite3.Error as e:
        raise StoreError(f"cannot read the file: {e}; nothing was restored", path=path) from None
    finally:
        con.close()
    return BackupInfo(applied, *counts)


@dataclass(frozen=True)
class Restored:
    info: BackupInfo
    previous: Path | None
    """The copy of the database taken before restoring (None when there was no database)."""


def _raw_copy(src: Path, dest: Path) -> Path:
    """A byte copy (for a database too damaged for the backup API), also atomic."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp_name)
        os.replace(tmp_name, dest)
    except BaseException:
        _remove(Path(tmp_name))
        raise
    wal = src.with_name(src.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, dest.with_name(dest.name + "-wal"))
    return dest


def _unreadable(message: str) -> bool:
    return "not an SQLite database" in message or "not a database" in message or "malformed" in message


def restore(db_path: str | Path, source: str | Path, *, wait_s: float = LOCK_WAIT_S) -> Restored:
    """Replace the database at ``db_path`` with the backup ``source``, after checking it.

    The current database is copied to ``backups/<db>.pre-restore-<time>.bak`` first. A live
    database is overwritten through the backup API (one transaction: other connections see the old
    or the new database, never a mix; damaged pages are simply overwritten); a file SQLite cannot
    read as a database at all is kept byte for byte and replaced by renaming a copy over it. A
    missing database is created from the copy.
    """
    db_path, source = Path(db_path).expanduser(), Path(source).expanduser()
    info = check_backup_file(source)
    if db_path.exists() and db_path.resolve() == source.resolve():
        raise StoreError("is the database itself; nothing to restore", path=source)
    if db_path.is_dir():
        raise StoreError("is a folder; give a database file path", path=db_path)
    src = _connect_existing(source, read_only=True)
    try:
        if not db_path.exists():
            if not db_path.parent.is_dir():
                raise StoreError(f"folder {str(db_path.parent)!r} does not exist; create it first", path=db_path)
            copy_database(src, db_path, wait_s=wait_s)
            return Restored(info, None)
        folder = backups_dir(db_path)
        try:
            folder.mkdir(exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the backups folder: {e.strerror}", path=folder) from None
        previous = _unique(folder / f"{db_path.name}.pre-restore-{_stamp()}.bak")
        try:
            copy_file(db_path, previous, wait_s=wait_s)
        except StoreError as e:
            if "locked" in e.message:
                raise StoreError("the database is in use by another process; nothing was restored",
                                 path=db_path) from None
            if not _unreadable(e.message):
                raise StoreError(f"cannot copy the database before restoring ({e.message}); nothing was restored",
                                 path=db_path) from None
            _raw_copy(db_path, previous)  # not readable as SQLite: keep its bytes instead, then replace it
        else:
            try:
                live = sqlite3.connect(db_path, timeout=1.0)
                try:
                    src.backup(live, progress=_deadline_progress(wait_s))
                finally:
                    live.close()
                return Restored(info, previous)
            except TimeoutError:
                raise StoreError("the database is in use by another process; nothing was restored "
                                 f"(its copy is in {previous})", path=db_path) from None
            except sqlite3.Error as e:  # the step is one transaction on the live file: nothing was written
                hint = "; close mlcards, move it aside and restore again" if _unreadable(str(e)) else ""
                raise StoreError(f"cannot write into the database ({e}){hint}; nothing was restored "
                                 f"(its copy is in {previous})", path=db_path) from None
        for sidecar in ("-wal", "-shm", "-journal"):  # they belong to the damaged file (kept in ``previous``)
            try:
                db_path.with_name(db_path.name + sidecar).unlink()
            except FileNotFoundError:
                pass
        copy_database(src, db_path, wait_s=wait_s)  # a temporary file renamed over the damaged one
        return Restored(info, previous)
    finally:
        src.close()
