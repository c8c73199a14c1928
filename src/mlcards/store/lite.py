"""The connection's everyday face: ``execute`` and ``query`` straight on ``sqlite3``.

sqlite-utils' ``Database`` stays for what it is made for (schema, migrations, the table API), built on
the same connection the first time one of those is asked for; loading it costs about 100 ms, which a
command such as ``mlcards decks`` or answering a card never pays. ``query`` returns dicts keyed by
column, as sqlite-utils' does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.db import Table

Params = Sequence[Any] | dict[str, Any] | None


class Db:
    def __init__(self, conn: sqlite3.Connection, *, memory: bool = False):
        self.conn = conn
        self.memory = memory
        # sqlite-utils' Database turns this on, and the triggers were written (and tested) with it on
        conn.execute("PRAGMA recursive_triggers = ON")
        self._utils: Database | None = None

    def execute(self, sql: str, params: Params = None) -> sqlite3.Cursor:
        return self.conn.execute(sql) if params is None else self.conn.execute(sql, params)

    def query(self, sql: str, params: Params = None) -> Iterator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        keys = [d[0] for d in cursor.description or ()]
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    @property
    def utils(self) -> Database:
        """sqlite-utils' ``Database`` on this connection (loaded on first use)."""
        if self._utils is None:
            from sqlite_utils import Database

            self._utils = Database(self.conn, execute_plugins=False)
        return self._utils

    def table(self, name: str) -> Table:
        return self.utils.table(name)

    def __getitem__(self, name: str) -> Any:
        return self.utils[name]

    def __getattr__(self, name: str) -> Any:  # the rest of sqlite-utils' API, for tools and tests
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.utils, name)

    def close(self) -> None:
        self.conn.close()
