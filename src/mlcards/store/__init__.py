"""The store: every SQL statement in mlcards lives in this package (SQLite through sqlite-utils).

- Schema versioned with sqlite-utils' ``Migrations``; WAL, foreign keys, a busy timeout.
- A card's identity is deck + normalised term + kind: re-importing a deck updates text in place and
  keeps every schedule and its history.
- Each answer (card update + review-log row) is one transaction, committed before ``answer`` returns.
- A ``Store`` (like its ``Database``) belongs to one thread; a worker thread opens its own.
"""

from mlcards.errors import StoreError
from mlcards.settings import DEFAULT_SETTINGS
from mlcards.settings import check_setting as _check_setting
from mlcards.store.connection import (
    BUSY_TIMEOUT_MS,
    WRITE_WAIT_S,
    DatabaseBusy,
    _db_error,
    default_db_path,
)
from mlcards.store.layout import KIND_ORDER_SQL, MIGRATION_NAMES
from mlcards.store.rows import QueueRow, ReviewIndex, ReviewRow, TermBrief
from mlcards.store.store import Store

__all__ = [
    "BUSY_TIMEOUT_MS", "DEFAULT_SETTINGS", "KIND_ORDER_SQL", "MIGRATION_NAMES", "WRITE_WAIT_S",
    "DatabaseBusy", "QueueRow", "ReviewIndex", "ReviewRow", "Store", "StoreError", "TermBrief", "_check_setting", "_db_error",
    "default_db_path",
]
