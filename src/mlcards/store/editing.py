"""Deleting into the trash and restoring from it, renaming a deck: the SQL behind ``mlcards.editing``.

What a delete removes is found from the schema itself: every table with a foreign key to a table
losing rows loses (``ON DELETE CASCADE``) or blanks (``ON DELETE SET NULL``) rows too, so the rows
are gathered by following those keys until nothing new turns up. They are stored as one JSON
payload in ``trash`` (table -> rows, plus the blanked references), then the parent rows are
deleted and SQLite's cascades do the rest. A restore inserts the rows back in foreign-key order
with their own ids, unless an id was taken since: then that table's rows get fresh ids (in their
old order, so a card's log keeps its order) and every reference to them follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlcards.errors import StoreError
from mlcards.store.settings import SettingsMixin

_SKIP_TABLES = {"trash", "_mlcards_migrations", "settings"}


@dataclass(frozen=True)
class TrashEntry:
    """One batch in the trash: what one delete removed."""

    id: int
    deleted_at: str
    what: str
    """``'terms'`` or ``'deck'``."""
    label: str
    restored_at: str | None


@dataclass(frozen=True)
class _ForeignKey:
    table: str
    column: str
    parent: str
    parent_column: str
    on_delete: str


class EditingRepo(SettingsMixin):
    """The ``trash`` table, and what deleting and restoring terms and decks writes."""

    # --- the schema's foreign keys --------------------------------------------------------------------

    def _tables(self) -> list[str]:
        return [
            name for (name,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            if name not in _SKIP_TABLES
        ]

    def _foreign_keys(self) -> list[_ForeignKey]:
        keys = []
        for table in self._tables():
            for row in self.db.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
                # (id, seq, table, from, to, on_update, on_delete, match)
                keys.append(_ForeignKey(table, row[3], row[2], row[4] or "id", row[6].upper()))
        return keys

    def _has_id(self, table: str) -> bool:
        return any(r[1] == "id" and r[5] for r in self.db.execute(f'PRAGMA table_info("{table}")'))

    # --- gathering and deleting -------------------------------------------------------------------

    def gather_rows(self, table: str, ids: list[int]) -> dict[str, Any]:
        """Every row that deleting ``ids`` of ``table`` removes, and the references it blanks.

        Returns ``{"rows": {table: [row, ...]}, "nulled": [[table, column, id, value], ...]}``.
        """
        keys = self._foreign_keys()
        rows: dict[str, dict[Any, dict[str, Any]]] = {}
        gone: dict[str, set[int]] = {}
        nulled: dict[tuple[str, str, int], Any] = {}

        def add(t: str, found: list[dict[str, Any]]) -> set[int]:
            bucket = rows.setdefault(t, {})
            fresh: set[int] = set()
            has_id = self._has_id(t)
            for r in found:
                key = r["id"] if has_id else tuple(r.values())
                if key not in bucket:
                    bucket[key] = r
                    if has_id:
                        fresh.add(r["id"])
            return fresh

        pending = {table: set(ids)}
        add(table, self._rows_where(table, "id", sorted(ids)))
        while pending:
            t, new_ids = pending.popitem()
            gone.setdefault(t, set()).update(new_ids)
            for fk in keys:
                if fk.parent != t or fk.parent_column != "id":
                    continue
                found = self._rows_where(fk.table, fk.column, sorted(new_ids))
                if fk.on_delete == "CASCADE":
                    fresh = add(fk.table, found) - gone.get(fk.table, set())
                    if fresh:
                        pending.setdefault(fk.table, set()).update(fresh)
                elif fk.on_delete == "SET NULL" and self._has_id(fk.table):
                    for r in found:
                        nulled[(fk.table, fk.column, r["id"])] = r[fk.column]
        kept_nulls = [
            [t, column, rid, value]
            for (t, column, rid), value in sorted(nulled.items())
            if rid not in gone.get(t, set())
        ]
        return {"rows": {t: list(bucket.values()) for t, bucket in rows.items()}, "nulled": kept_nulls}

    def _rows_where(self, table: str, column: str, ids: list[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        order = "id" if self._has_id(table) else "1"
        sql = f'SELECT * FROM "{table}" WHERE "{column}" IN (SELECT value FROM json_each(?)) ORDER BY {order}'
        return list(self.db.query(sql, [json.dumps(ids)]))

    def delete_rows(self, table: str, ids: list[int]) -> None:
        """Delete ``ids`` of ``table`` (``terms`` or ``decks``); the schema's cascades remove the rest."""
        self.db.execute(f'DELETE FROM "{table}" WHERE id IN (SELECT value FROM json_each(?))', [json.dumps(ids)])

    # --- the trash ----------------------------------------------------------------------------------

    def add_to_trash(self, what: str, label: str, payload: dict[str, Any], *, stamp: str) -> int:
        row_id = self.db.execute(
            "INSERT INTO trash (deleted_at, what, label, payload) VALUES (?, ?, ?, ?)",
            [stamp, what, label, json.dumps(payload, ensure_ascii=False)],
        ).lastrowid
        assert row_id is not None
        return int(row_id)

    def trash_entries(self, *, include_restored: bool = True) -> list[TrashEntry]:
        """The trash, newest first."""
        where = "" if include_restored else " WHERE restored_at IS NULL"
        return [
            TrashEntry(*r) for r in self.db.execute(
                f"SELECT id, deleted_at, what, label, restored_at FROM trash{where} ORDER BY id DESC"
            )
        ]

    def trash_payload(self, trash_id: int | None) -> tuple[TrashEntry, dict[str, Any]]:
        """One batch of the trash (``None``: the latest not restored) and its payload."""
        if trash_id is None:
            row = self.db.execute(
                "SELECT id, deleted_at, what, label, restored_at, payload FROM trash WHERE restored_at IS NULL "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                raise StoreError("nothing to undelete: the trash is empty")
        else:
            row = self.db.execute(
                "SELECT id, deleted_at, what, label, restored_at, payload FROM trash WHERE id = ?", [trash_id]
            ).fetchone()
            if row is None:
                raise StoreError(f"no deleted batch {trash_id}; see `mlcards trash`")
        return TrashEntry(*row[:5]), json.loads(row[5])

    def mark_restored(self, trash_id: int, *, stamp: str) -> None:
        self.db.execute("UPDATE trash SET restored_at = ? WHERE id = ?", [stamp, trash_id])

    # --- restoring ----------------------------------------------------------------------------------

    def restore_rows(self, payload: dict[str, Any]) -> None:
        """Insert the payload's rows back (inside the caller's transaction), then its blanked references."""
        rows: dict[str, list[dict[str, Any]]] = payload["rows"]
        keys = [fk for fk in self._foreign_keys() if fk.parent_column == "id"]
        order = _parents_first(list(rows), keys)
        mapping: dict[str, dict[int, int]] = {}
        for table in order:
            found = rows[table]
            if not found:
                continue
            references = [fk for fk in keys if fk.table == table]
            fixed = []
            for r in found:
                r = dict(r)
                for fk in references:
                    value = r.get(fk.column)
                    if value is not None and value in mapping.get(fk.parent, {}):
                        r[fk.column] = mapping[fk.parent][value]
                if table == "card_snapshots" and "review_log" in mapping:
                    r["after_review_id"] = mapping["review_log"].get(r["after_review_id"], r["after_review_id"])
                fixed.append(r)
            if self._has_id(table):
                ids = [r["id"] for r in fixed]
                taken = self.db.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE id IN (SELECT value FROM json_each(?))', [json.dumps(ids)]
                ).fetchone()[0]
                if taken:  # an id given to a new row since the delete: this table's rows get fresh ids
                    start = int(self.db.execute(f'SELECT ifnull(max(id), 0) FROM "{table}"').fetchone()[0])
                    mapping[table] = {old: start + i + 1 for i, old in enumerate(ids)}
                    for r in fixed:
                        r["id"] = mapping[table][r["id"]]
            columns = list(fixed[0])
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            self.db.conn.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [[r[c] for c in columns] for r in fixed]
            )
        for table, column, rid, value in payload.get("nulled", []):
            parent = next((fk.parent for fk in keys if fk.table == table and fk.column == column), None)
            if parent is not None:
                value = mapping.get(parent, {}).get(value, value)
            self.db.execute(
                f'UPDATE "{table}" SET "{column}" = ? WHERE id = ? AND "{column}" IS NULL', [value, rid]
            )

    # --- decks -----------------------------------------------------------------------------------------

    def rename_deck_row(self, deck_id: int, name: str, *, stamp: str) -> None:
        self.db.execute("UPDATE decks SET name = ?, modified_at = ? WHERE id = ?", [name, stamp, deck_id])

    def deck_name(self, deck_id: int) -> str:
        row = self.db.execute("SELECT name FROM decks WHERE id = ?", [deck_id]).fetchone()
        if row is None:
            raise StoreError(f"no deck with id {deck_id}")
        return str(row[0])

    def deck_counts(self, deck_id: int) -> tuple[int, int, int]:
        """``(terms, cards, answers in the log)`` of a deck: what deleting it removes."""
        row = self.db.execute(
            """SELECT (SELECT COUNT(*) FROM terms WHERE deck_id = :d),
                      (SELECT COUNT(*) FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = :d),
                      (SELECT COUNT(*) FROM review_log r JOIN cards c ON c.id = r.card_id
                        JOIN terms t ON t.id = c.term_id WHERE t.deck_id = :d AND r.undone_at IS NULL)""",
            {"d": deck_id},
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def term_key_in_deck(self, deck_id: int, key: str) -> str | None:
        """The name of the deck's term with this key, if there is one."""
        row = self.db.execute("SELECT term FROM terms WHERE deck_id = ? AND key = ?", [deck_id, key]).fetchone()
        return str(row[0]) if row else None

    def term_id_in_deck(self, deck_id: int, key: str) -> int | None:
        row = self.db.execute("SELECT id FROM terms WHERE deck_id = ? AND key = ?", [deck_id, key]).fetchone()
        return int(row[0]) if row else None

    def deck_uuid_of(self, deck_id: int) -> str | None:
        row = self.db.execute("SELECT uuid FROM decks WHERE id = ?", [deck_id]).fetchone()
        return str(row[0]) if row else None

    def terms_by_id(self, term_ids: list[int]) -> list[tuple[int, int, str, str]]:
        """``(id, deck_id, term, deck name)`` of the given terms that exist, in id order."""
        return [
            (int(r[0]), int(r[1]), str(r[2]), str(r[3])) for r in self.db.execute(
                "SELECT t.id, t.deck_id, t.term, d.name FROM terms t JOIN decks d ON d.id = t.deck_id "
                "WHERE t.id IN (SELECT value FROM json_each(?)) ORDER BY t.id",
                [json.dumps(term_ids)],
            )
        ]


def _parents_first(tables: list[str], keys: list[_ForeignKey]) -> list[str]:
    """``tables`` ordered so that a table comes after every table it refers to (among ``tables``)."""
    wanted = set(tables)
    done: list[str] = []

    def visit(t: str, path: frozenset[str]) -> None:
        if t in done or t in path:
            return
        for fk in keys:
            if fk.table == t and fk.parent in wanted and fk.parent != t:
                visit(fk.parent, path | {t})
        done.append(t)

    for t in sorted(tables):
        visit(t, frozenset())
    return done
