"""Backups through SQLite's backup API (never by copying the file: see ``Store.open``)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlcards.store import Store


def before_migration(store: "Store") -> None:
    """Write a consistent copy beside the database before its schema changes."""
    if store.path is None:
        return
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = store.path.with_name(f"{store.path.name}.pre-migration-{stamp}.bak")
    tmp = target.with_name(target.name + ".tmp")
    dest = sqlite3.connect(str(tmp))
    try:
        store.db.conn.backup(dest)
    finally:
        dest.close()
    tmp.replace(target)
