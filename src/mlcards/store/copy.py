"""Consistent copies of a database through SQLite's backup API (never by copying the file).

The store takes one before a migration changes an existing database's schema (``before_migration``);
``mlcards.backup`` builds daily and manual backups and restores on the same functions.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from mlcards.errors import StoreError

if TYPE_CHECKING:
    from sqlite_utils import Database

LOCK_WAIT_S = 10.0
"""How long a copy waits for another process's lock before giving up with a one-line error."""

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _unique(path: Path) -> Path:
    """``path``, or ``path`` with -2, -3, ... before the suffix if that name is taken."""
    if not path.exists():
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


STALE_TEMP_S = 3600.0
"""A temporary file of ours older than this was left by a killed copy, and is removed."""


def _sweep_temps(folder: Path, prefix: str) -> None:
    """Remove what a killed copy left behind: our temporary names (``prefix``), older than an hour."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    cutoff = time.time() - STALE_TEMP_S
    for name in names:
        if name.startswith(prefix) and name.endswith((".tmp", ".tmp-journal")):
            try:
                if (folder / name).stat().st_mtime < cutoff:
                    (folder / name).unlink()
            except OSError:
                pass


def _deadline_progress(wait_s: float) -> Callable[[int, int, int], None]:
    deadline = time.monotonic() + wait_s

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (_SQLITE_BUSY, _SQLITE_LOCKED) and time.monotonic() > deadline:
            raise TimeoutError

    return progress


def _remove(path: Path) -> None:
    for p in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (best effort: some file systems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def copy_database(source: sqlite3.Connection, dest: Path, *, wait_s: float = LOCK_WAIT_S) -> Path:
    """Copy the database behind ``source`` to ``dest`` with the backup API, atomically.

    Written to a temporary file in ``dest``'s folder, switched to rollback-journal mode (one
    self-contained file), synced, then renamed over ``dest``. On any failure the temporary file is
    removed and ``dest`` is left as it was. Raises ``StoreError`` (one line) on failure.
    """
    dest = Path(dest)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as e:
        raise StoreError(f"cannot write a backup here: {e.strerror}", path=dest) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target, progress=_deadline_progress(wait_s))
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    except TimeoutError:
        _remove(tmp)
        raise StoreError("the database stayed locked by another process; try again", path=dest) from None
    except sqlite3.Error as e:
        _remove(tmp)
        raise StoreError(f"cannot back up the database: {e}", path=dest) from None
    except OSError as e:
        _remove(tmp)
        raise StoreError(f"cannot write the backup: {e.strerror or e}", path=dest) from None
    except BaseException:
        _remove(tmp)
        raise
    return dest


def before_migration(db: Database, path: Path | None) -> Path | None:
    """Back up an existing database that has pending migrations, beside it; None if nothing to do.

    ``<db>.pre-<NNNN>-<UTC time>.bak``, NNNN the first pending migration's number. A new or empty
    file (no tables yet) and in-memory stores are skipped. A failed backup stops the migration.
    """
    if path is None or db.memory:
        return None
    conn = db.conn
    if conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0:
        return None
    from mlcards.store.schema import migrations

    pending = migrations.pending(db)
    if not pending:
        return None
    number = pending[0].name.split("_", 1)[0]
    path = Path(path)
    dest = _unique(path.with_name(f"{path.name}.pre-{number}-{_stamp()}.bak"))
    _sweep_temps(path.parent, f".{path.name}.pre-")
    try:
        return copy_database(conn, dest)
    except StoreError as e:
        raise StoreError(f"not upgrading the database: the backup before it failed ({e.message})", path=path) from None
