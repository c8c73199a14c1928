"""Small helpers shared by the core tests (import as ``from tests.core._support import ...``)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from mlcards.store import Store
from mlcards.text import term_key

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def at(tz, *args: int) -> datetime:
    """An aware datetime in ``tz``."""
    return datetime(*args, tzinfo=tz)


def card_id(store: Store, term: str, kind: str, deck: str | None = None) -> int:
    sql = """SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id
             WHERE t.key = ? AND c.kind = ?"""
    params: list = [term_key(term), kind]
    if deck is not None:
        sql += " AND d.name = ?"
        params.append(deck)
    rows = store.db.execute(sql, params).fetchall()
    assert len(rows) == 1, (term, kind, rows)
    return rows[0][0]


def card_row(store: Store, cid: int) -> dict:
    """A card's row without its modification stamp (which every change moves, undo included)."""
    row = next(store.db.query("SELECT * FROM cards WHERE id = ?", [cid]))
    row.pop("modified_at", None)
    return row


def all_cards(store: Store) -> list[dict]:
    """Every card row, without the modification stamps."""
    rows = list(store.db.query("SELECT * FROM cards ORDER BY id"))
    for row in rows:
        row.pop("modified_at", None)
    return rows


def all_reviews(store: Store) -> list[dict]:
    return list(store.db.query("SELECT * FROM reviews ORDER BY id"))


def term_of_card(store: Store, cid: int) -> str:
    return store.card(cid).term


def session_at(store, moment, **kw):
    """A review session whose clock stands still at ``moment``."""
    from mlcards.session import ReviewSession

    return ReviewSession(store, clock=lambda: moment, **kw)
