"""Sync's SQL: the change events the triggers of migration 0009 record, and what applying another
device's events writes.

Every change that matters to another machine is captured by an SQLite trigger into ``sync_events``,
whatever code path made it (answering, undo, editing, imports, deletes and their undelete,
settings), so no other repository knows sync exists. Each event gets a hybrid-logical-clock stamp
(``sync_device.hlc``: microseconds since the epoch, never less than the last stamp plus one, and
raised past every stamp read from another device), which orders field edits across machines.

While another device's events are applied, ``sync_device.applying`` is 1 inside that transaction,
so the triggers record nothing (an applied event is not echoed back); no other connection can ever
see it set.

The payload SQL below is also how existing rows become events (the migration's baseline, and a
term kept against a delete being sent again). The triggers are frozen by the migration that created
them: changing what they record takes a new migration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlcards import studyday
from mlcards.store.reviews import ReviewLog
from mlcards.store.sync_sql import (  # noqa: F401  (re-exported)
    ADD_KINDS,
    CARD_STATE_FIELDS,
    DECK_FIELDS,
    LOCAL_SETTINGS,
    RAISE_HLC_SQL,
    TERM_FIELDS,
    emit_rows_sql,
    payload_sql,
)

# --- typed rows -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncEvent:
    """One change, as recorded here or read from another device's file."""

    device: str
    seq: int
    hlc: int
    kind: str
    entity: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SyncDevice:
    device_id: str
    hlc: int
    sent_seq: int
    last_seq: int
    last_sync_at: str | None
    last_folder: str | None
    last_file: int
    """The number of the last file this device wrote in its folder."""


@dataclass(frozen=True, slots=True)
class SyncPeer:
    device_id: str
    last_seq: int
    last_file: str | None
    synced_at: str | None
    received: int


Clock = tuple[int, int, str]
"""A field's last write: (rank: 0 for a row's creation, 1 for an edit; HLC stamp; device id)."""


def rank(kind: str) -> int:
    return 0 if kind in ADD_KINDS else 1


class SyncRepo(ReviewLog):
    """The ``sync_*`` tables, and the writes that apply another device's events."""

    # --- this device ---------------------------------------------------------------------------------

    def sync_device(self) -> SyncDevice:
        row = self.db.execute(
            "SELECT device_id, hlc, sent_seq, last_sync_at, last_folder, "
            "(SELECT ifnull(max(seq), 0) FROM sync_events), last_file FROM sync_device"
        ).fetchone()
        return SyncDevice(row[0], row[1], row[2], row[5], row[3], row[4], row[6])

    def sync_event_at(self, seq: int) -> tuple[int, str, str] | None:
        """(hlc, kind, entity) of this device's event ``seq``."""
        row = self.db.execute("SELECT hlc, kind, entity FROM sync_events WHERE seq = ?", [seq]).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def sync_new_device(self, device_id: str) -> None:
        """This database becomes another device (it was a copy): its events are all to be sent again."""
        with self.transaction():
            self.db.execute("UPDATE sync_device SET device_id = ?, sent_seq = 0, last_file = 0", [device_id])
            self.db.execute("DELETE FROM sync_peers WHERE device_id = ?", [device_id])

    def sync_events_after(self, seq: int, limit: int) -> list[SyncEvent]:
        device = self.sync_device().device_id
        return [
            SyncEvent(device, s, h, k, e, json.loads(p))
            for s, h, k, e, p in self.db.execute(
                "SELECT seq, hlc, kind, entity, payload FROM sync_events WHERE seq > ? ORDER BY seq LIMIT ?",
                [seq, limit],
            )
        ]

    def sync_mark_sent(self, seq: int, last_file: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE sync_device SET sent_seq = max(sent_seq, ?), last_file = max(last_file, ?)",
                            [seq, last_file])

    def sync_mark_done(self, folder: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE sync_device SET last_sync_at = ?, last_folder = ?",
                            [studyday.to_utc_text(studyday.now()), folder])

    def sync_peers(self) -> dict[str, SyncPeer]:
        return {
            r[0]: SyncPeer(*r)
            for r in self.db.execute(
                "SELECT device_id, last_seq, last_file, synced_at, received FROM sync_peers ORDER BY device_id"
            )
        }

    def sync_set_peer(self, device: str, last_seq: int, last_file: str | None, received: int) -> None:
        self.db.execute(
            "INSERT INTO sync_peers (device_id, last_seq, last_file, synced_at, received) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(device_id) DO UPDATE SET last_seq = excluded.last_seq, last_file = excluded.last_file, "
            "synced_at = excluded.synced_at, received = sync_peers.received + excluded.received",
            [device, last_seq, last_file, studyday.to_utc_text(studyday.now()), received],
        )

    def sync_set_applying(self, on: bool) -> None:
        self.db.execute("UPDATE sync_device SET applying = ?", [int(on)])

    def sync_observe_hlc(self, hlc: int) -> None:
        self.db.execute("UPDATE sync_device SET hlc = max(hlc, ?)", [hlc])

    # --- events that could not apply yet (their card, term or deck has not arrived) -------------------

    def sync_pending(self) -> list[SyncEvent]:
        return [
            SyncEvent(d, s, h, k, e, json.loads(p))
            for d, s, h, k, e, p in self.db.execute(
                "SELECT device_id, seq, hlc, kind, entity, payload FROM sync_pending ORDER BY hlc, device_id, seq"
            )
        ]

    def sync_set_pending(self, events: list[SyncEvent]) -> None:
        self.db.execute("DELETE FROM sync_pending")
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO sync_pending (device_id, seq, hlc, kind, entity, payload) VALUES (?, ?, ?, ?, ?, ?)",
            [(e.device, e.seq, e.hlc, e.kind, e.entity, json.dumps(e.data)) for e in events],
        )

    # --- field clocks (last writer wins per field) -----------------------------------------------------

    def sync_clocks(self, entity: str) -> dict[str, Clock]:
        """The last write of each field of ``entity`` known here: applied from others, or made here."""
        device = self.sync_device().device_id
        clocks: dict[str, Clock] = {
            f: (r, h, d) for f, r, h, d in self.db.execute(
                "SELECT field, rank, hlc, device FROM sync_clock WHERE entity = ?", [entity]
            )
        }
        for kind, hlc, payload in self.db.execute(
            "SELECT kind, hlc, payload FROM sync_events WHERE entity = ?", [entity]
        ):
            clock = (rank(kind), hlc, device)
            fields = ["_deleted"] if kind.endswith("_delete") else list(json.loads(payload))
            for f in fields:
                if f not in clocks or clocks[f] < clock:
                    clocks[f] = clock
        return clocks

    def sync_set_clocks(self, entity: str, clocks: dict[str, Clock]) -> None:
        self.db.conn.executemany(
            "INSERT INTO sync_clock (entity, field, rank, hlc, device) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(entity, field) DO UPDATE SET rank = excluded.rank, hlc = excluded.hlc, device = excluded.device",
            [(entity, f, c[0], c[1], c[2]) for f, c in clocks.items()],
        )

    # --- lookups by uuid --------------------------------------------------------------------------------

    def id_by_uuid(self, table: str, uuid: str | None) -> int | None:
        if table not in {"decks", "terms", "cards"}:
            raise ValueError(table)
        if uuid is None:
            return None
        row = self.db.execute(f"SELECT id FROM {table} WHERE uuid = ?", [uuid]).fetchone()
        return int(row[0]) if row else None

    def sync_row(self, table: str, uuid: str) -> dict[str, Any] | None:
        if table not in {"decks", "terms", "cards"}:
            raise ValueError(table)
        rows = list(self.db.query(f"SELECT * FROM {table} WHERE uuid = ?", [uuid]))
        return rows[0] if rows else None

    # --- applying ----------------------------------------------------------------------------------------

    def sync_insert_log(self, table: str, uuid: str, card_id: int, values: dict[str, Any]) -> bool:
        """Add a review-log (or practice-log) row by its uuid; False if it was here already."""
        if table not in {"review_log", "practice_log"}:
            raise ValueError(table)
        columns = ["uuid", "card_id", *values]
        marks = ", ".join("?" for _ in columns)
        cursor = self.db.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {marks} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE uuid = ?)",
            [uuid, card_id, *values.values(), uuid],
        )
        return cursor.rowcount > 0

    def sync_undo_log(self, table: str, uuid: str, undone_at: str) -> tuple[int | None, bool]:
        """Mark a log row undone (the earliest moment wins); (its card id, whether it was live)."""
        if table not in {"review_log", "practice_log"}:
            raise ValueError(table)
        row = self.db.execute(f"SELECT card_id, undone_at FROM {table} WHERE uuid = ?", [uuid]).fetchone()
        if row is None:
            return None, False
        self.db.execute(
            f"UPDATE {table} SET undone_at = ? WHERE uuid = ? AND (undone_at IS NULL OR undone_at > ?)",
            [undone_at, uuid, undone_at],
        )
        return int(row[0]), row[1] is None

    def sync_insert_card(self, uuid: str, term_id: int, pair_id: int | None, data: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO cards (uuid, term_id, kind, pair_term_id, ordinal, created_at, modified_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [uuid, term_id, data["kind"], pair_id, data.get("ordinal"), data["created_at"], data["created_at"]],
        )

    def sync_update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        allowed = {"cards": CARD_STATE_FIELDS, "terms": (*TERM_FIELDS, "deck_id"), "decks": DECK_FIELDS}[table]
        if not values:
            return
        if set(values) - set(allowed):
            raise ValueError(sorted(values))
        stamp = studyday.to_utc_text(studyday.now())
        stamp_col = "updated_at" if table == "terms" else "modified_at"
        sets = ", ".join(f"{c} = ?" for c in values)
        self.db.execute(f"UPDATE {table} SET {sets}, {stamp_col} = ? WHERE id = ?", [*values.values(), stamp, row_id])

    def sync_insert_term(self, uuid: str, deck_id: int, values: dict[str, Any], created_at: str) -> int:
        columns = ["uuid", "deck_id", *values, "created_at", "updated_at"]
        return int(self.db.execute(
            f"INSERT INTO terms ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [uuid, deck_id, *values.values(), created_at, studyday.to_utc_text(studyday.now())],
        ).lastrowid or 0)

    def sync_insert_deck(self, uuid: str, values: dict[str, Any], created_at: str) -> int:
        columns = ["uuid", *values, "created_at", "modified_at"]
        return int(self.db.execute(
            f"INSERT INTO decks ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [uuid, *values.values(), created_at, studyday.to_utc_text(studyday.now())],
        ).lastrowid or 0)

    def sync_delete(self, table: str, row_id: int) -> None:
        if table not in {"decks", "terms"}:
            raise ValueError(table)
        self.db.execute(f"DELETE FROM {table} WHERE id = ?", [row_id])

    def sync_delete_unanswered_contrast(self, card_id: int) -> None:
        self.db.execute(
            "DELETE FROM cards WHERE id = ? AND kind = 'contrast' "
            "AND NOT EXISTS (SELECT 1 FROM review_log WHERE card_id = cards.id)",
            [card_id],
        )

    def sync_deck_exists(self, deck_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM decks WHERE id = ?", [deck_id]).fetchone() is not None

    def sync_card_exists(self, card_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM cards WHERE id = ?", [card_id]).fetchone() is not None

    def sync_term_deck_uuids(self, deck_id: int) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT uuid FROM terms WHERE deck_id = ?", [deck_id])]

    def sync_key_taken(self, deck_id: int, key: str, uuid: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM terms WHERE deck_id = ? AND key = ? AND uuid != ?", [deck_id, key, uuid]
        ).fetchone() is not None

    def sync_deck_name_taken(self, name: str, uuid: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM decks WHERE name = ? COLLATE NOCASE AND uuid != ?", [name, uuid]
        ).fetchone() is not None

    def sync_cards_and_links(self, deck_id: int) -> None:
        """A deck's links and cards made to match its terms, as after an edit."""
        self._sync_cards_and_links(deck_id, studyday.to_utc_text(studyday.now()))

    def sync_set_setting_raw(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM settings WHERE key = ?", [key])
        else:
            self.db.execute(
                "INSERT INTO settings (key, value, modified_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, modified_at = excluded.modified_at",
                [key, value, studyday.to_utc_text(studyday.now())],
            )
        self._settings = None

    def sync_set_deck_setting_raw(self, deck_id: int, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM deck_settings WHERE deck_id = ? AND key = ?", [deck_id, key])
        else:
            self.db.execute(
                "INSERT INTO deck_settings (deck_id, key, value, modified_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(deck_id, key) DO UPDATE SET value = excluded.value, modified_at = excluded.modified_at",
                [deck_id, key, value, studyday.to_utc_text(studyday.now())],
            )

    def sync_log_of(self, *, deck_id: int | None = None, term_id: int | None = None) -> list[SyncEvent]:
        """A deck's (or a term's) review and practice rows as events, before another device's delete
        removes them here: they wait, and come back if the term does (an undelete elsewhere)."""
        terms, param = ("SELECT id FROM terms WHERE deck_id = ?", deck_id) if deck_id is not None else ("SELECT ?", term_id)
        out = []
        for kind, table, alias in (("review", "review_log", "r"), ("practice", "practice_log", "p")):
            for rid, uuid, payload in self.db.execute(
                f"SELECT {alias}.id, {alias}.uuid, {payload_sql(kind, alias)} FROM {table} {alias} "
                f"WHERE {alias}.card_id IN (SELECT id FROM cards WHERE term_id IN ({terms}))",
                [param],
            ).fetchall():
                out.append(SyncEvent(f"kept:{kind}", rid, 0, kind, uuid, json.loads(payload)))
        return out

    def sync_term_cards(self, term_id: int) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT uuid FROM cards WHERE term_id = ?", [term_id])]

    def sync_answered_here(self, term_id: int) -> int | None:
        """The stamp of the latest answer given on this device to one of a term's cards."""
        row = self.db.execute(
            "SELECT max(e.hlc) FROM sync_events e JOIN review_log r ON r.uuid = e.entity "
            "JOIN cards c ON c.id = r.card_id WHERE e.kind = 'review' AND c.term_id = ?",
            [term_id],
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def sync_resend(self, *, deck_id: int | None = None, term_id: int | None = None) -> None:
        """Record a deck's (or one term's) rows as new events of this device: a delete from elsewhere was
        older than an edit made here, so the rows stay and the devices that deleted them get them back."""
        if deck_id is not None:
            self.db.execute(emit_rows_sql("deck_add", "d.id = ?"), [deck_id])
            self.db.execute(emit_rows_sql("deck_setting", "x.deck_id = ?"), [deck_id])
            self.db.execute(RAISE_HLC_SQL)
            terms = "SELECT id FROM terms WHERE deck_id = ?"
            param: int | None = deck_id
        else:
            terms = "SELECT ?"
            param = term_id
        statements = [
            emit_rows_sql("term_add", f"t.id IN ({terms})"),
            emit_rows_sql("card", f"c.term_id IN ({terms})"),
            emit_rows_sql("review", f"r.card_id IN (SELECT id FROM cards WHERE term_id IN ({terms}))"),
            emit_rows_sql("practice", f"p.card_id IN (SELECT id FROM cards WHERE term_id IN ({terms}))"),
        ]
        for sql in statements:
            self.db.execute(sql, [param])
            self.db.execute(RAISE_HLC_SQL)
