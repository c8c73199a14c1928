"""Cards: one card with its term, today's queue inputs, browsing, suspending and burying, contrast cards."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from mlcards import identity, studyday
from mlcards.errors import StoreError
from mlcards.models import CardInfo, CardKind
from mlcards.schedulers.base import REDRILL_BELOW
from mlcards.schedulers.sm2 import SM2State
from mlcards.store.connection import _date, _json_list, _json_relations
from mlcards.store.rows import BrowseRow, QueueRow, easiness
from mlcards.store.schema import KIND_ORDER_SQL
from mlcards.store.settings import SettingsMixin


class CardRepo(SettingsMixin):
    """The ``cards`` table, read with its term and deck."""

    _CARD_SQL = """
        SELECT c.*, t.deck_id, d.name AS deck, t.term, t.definition, t.explanation, t.example,
               t.related, t.tags, t.aliases, t.relations, t.cloze,
               (SELECT COUNT(*) FROM reviews r WHERE r.card_id = c.id) AS review_count
        FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id
    """

    @staticmethod
    def _card_info(r: dict[str, Any]) -> CardInfo:
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
            cloze=r.get("cloze"),
            ordinal=r.get("ordinal"),
        )

    def card(self, card_id: int) -> CardInfo:
        rows = list(self.db.query(self._CARD_SQL + " WHERE c.id = ?", [card_id]))
        if not rows:
            raise StoreError(f"no card with id {card_id}")
        return self._card_info(rows[0])

    def cards_of_term(self, term_id: int) -> list[CardInfo]:
        sql = self._CARD_SQL + f" WHERE c.term_id = ? ORDER BY {KIND_ORDER_SQL}"
        return [self._card_info(r) for r in self.db.query(sql, [term_id])]

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
    ) -> list[BrowseRow]:
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
        return [
            BrowseRow(
                card_id=r["card_id"], kind=r["kind"], repetitions=r["repetitions"],
                easiness=easiness(r["easiness_centi"]), interval=r["interval"], due=_date(r["due"]),
                lapses=r["lapses"], suspended=bool(r["suspended"]), leech=bool(r["leech"]), term_id=r["term_id"],
                term=r["term"], tags=tuple(_json_list(r["tags"])), deck=r["deck"], state=r["state"],
            )
            for r in self.db.query(sql, params)
        ]

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
            self.db.execute("UPDATE cards SET suspended = ?, modified_at = ? WHERE id = ?",
                            [int(suspended), studyday.to_utc_text(studyday.now()), card_id])

    def bury(self, card_id: int, today: date) -> None:
        """Hide a card until the next study day."""
        with self.transaction():
            self.db.execute(
                "UPDATE cards SET buried_until = ?, modified_at = ? WHERE id = ?",
                [(today + timedelta(days=1)).isoformat(), studyday.to_utc_text(studyday.now()), card_id],
            )

    def unbury(self, card_id: int) -> None:
        """Bring a buried card back today."""
        with self.transaction():
            self.db.execute("UPDATE cards SET buried_until = NULL, modified_at = ? WHERE id = ?",
                            [studyday.to_utc_text(studyday.now()), card_id])

    def set_buried_until(self, card_id: int, until: date | None) -> None:
        """Restore a card's ``buried_until`` as it was (undo of a bury or unbury)."""
        with self.transaction():
            self.db.execute("UPDATE cards SET buried_until = ?, modified_at = ? WHERE id = ?",
                            [until.isoformat() if until else None, studyday.to_utc_text(studyday.now()), card_id])

    def add_contrast_card(self, a: int, b: int, now: datetime) -> None:
        """Give the pair of terms (a, b) a contrast card (once: the pair is its identity)."""
        low, high = min(a, b), max(a, b)
        uuids = dict(self.db.execute("SELECT id, uuid FROM terms WHERE id IN (?, ?)", [low, high]).fetchall())
        stamp = studyday.to_utc_text(now)
        self.db.execute(
            "INSERT OR IGNORE INTO cards (uuid, term_id, kind, pair_term_id, created_at, modified_at) "
            "VALUES (?, ?, 'contrast', ?, ?, ?)",
            [identity.card_uuid(uuids[low], "contrast", uuids[high]), low, high, stamp, stamp],
        )

    def contrast_cards(self, deck_id: int | None = None) -> list[CardInfo]:
        """Every contrast card (of one deck), oldest first."""
        dsql, dparams = self._deck_filter(deck_id)
        sql = self._CARD_SQL + f" WHERE c.kind = 'contrast'{dsql} ORDER BY c.id"
        return [self._card_info(r) for r in self.db.query(sql, dparams)]

    def _candidates(self, where: str, order: str, today: date, deck_id: int | None, limit: int) -> list[QueueRow]:
        dsql, dparams = self._deck_filter(deck_id)
        day = today.isoformat()
        sql = f"""
            SELECT c.id, c.term_id, c.kind, c.due, t.deck_id FROM cards c JOIN terms t ON t.id = c.term_id
            WHERE {where} AND c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= ?)
              AND c.term_id NOT IN (SELECT c2.term_id FROM reviews r JOIN cards c2 ON c2.id = r.card_id
                                    WHERE r.study_day = ?){dsql}
            ORDER BY {order} LIMIT ?"""
        params = ([day] if "?" in where else []) + [day, day, *dparams, limit]
        return [QueueRow(r[0], r[1], r[2], _date(r[3]), r[4]) for r in self.db.execute(sql, params)]

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
              AND r.grade < {REDRILL_BELOW} AND c.suspended = 0{dsql}
            ORDER BY r.id"""
        return [r[0] for r in self.db.execute(sql, [today.isoformat(), *dparams])]

    def done_today_by_deck(self, today: date) -> dict[int, tuple[int, int]]:
        """deck id -> (new cards introduced, cards reviewed) today, for per-deck limits."""
        rows = self.db.execute(
            """SELECT t.deck_id, COUNT(DISTINCT CASE WHEN r.kind = 'new' THEN r.card_id END),
                      COUNT(DISTINCT CASE WHEN r.kind = 'review' THEN r.card_id END)
               FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id
               WHERE r.study_day = ? GROUP BY t.deck_id""",
            [today.isoformat()],
        )
        return {deck: (new, rev) for deck, new, rev in rows}

    def done_today(self, today: date) -> tuple[int, int]:
        """Distinct cards introduced (new) and reviewed today: what counts against the daily limits."""
        row = self.db.execute(
            """SELECT COUNT(DISTINCT CASE WHEN kind = 'new' THEN card_id END),
                      COUNT(DISTINCT CASE WHEN kind = 'review' THEN card_id END)
               FROM reviews WHERE study_day = ?""",
            [today.isoformat()],
        ).fetchone()
        return row[0], row[1]

