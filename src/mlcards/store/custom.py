"""Custom study and the quiz: the cards a practice session or a quiz is made of, and whether a quiz
answer may count on a card's schedule. Every query orders its rows fully, so a selection is
deterministic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mlcards.store.connection import Connection, _date
from mlcards.store.layout import KIND_ORDER_SQL

WEAK_EASE_CENTI = 250
"""SM-2's starting ease (2.5): a studied card below it was graded 3 or less at least once."""


@dataclass(frozen=True)
class CountCheck:
    """What deciding whether a quiz answer counts on a card needs (see ``mlcards.custom.count_refusal``)."""

    card_id: int
    deck_id: int
    due: date | None
    suspended: bool
    buried_until: date | None
    term_answered_today: bool


class CustomStudyQueries(Connection):
    """Selections for the quiz and for custom study (``mlcards.custom`` builds on them)."""

    def quiz_subject_terms(self, today: date, deck_id: int | None, limit: int, offset: int = 0) -> list[int]:
        """Terms with a related card (not suspended): due ones first, then new ones, then the rest
        (soonest due first, then deck order); ``offset`` pages on."""
        dsql, dparams = self._deck_filter(deck_id)
        sql = f"""SELECT t.id FROM cards c JOIN terms t ON t.id = c.term_id
                  WHERE c.kind = 'related' AND c.suspended = 0{dsql}
                  ORDER BY CASE WHEN c.due <= ? THEN 0 WHEN c.due IS NULL THEN 1 ELSE 2 END, c.due,
                           t.deck_id, t.position, t.id
                  LIMIT ? OFFSET ?"""
        return [r[0] for r in self.db.execute(sql, [*dparams, today.isoformat(), limit, offset])]

    def count_check(self, card_id: int, today: date) -> CountCheck | None:
        """The card's due date, suspension and burial, and whether any card of its term was answered today."""
        row = self.db.execute(
            """SELECT c.id, t.deck_id, c.due, c.suspended, c.buried_until,
                      EXISTS (SELECT 1 FROM reviews r JOIN cards c2 ON c2.id = r.card_id
                              WHERE c2.term_id = c.term_id AND r.study_day = ?)
               FROM cards c JOIN terms t ON t.id = c.term_id WHERE c.id = ?""",
            [today.isoformat(), card_id],
        ).fetchone()
        if row is None:
            return None
        return CountCheck(row[0], row[1], _date(row[2]), bool(row[3]), _date(row[4]), bool(row[5]))

    _PLAYABLE = "c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= :today)"

    def cards_due_between(self, today: date, last: date, deck_id: int | None, limit: int) -> list[int]:
        """Studied cards due after ``today`` and on or before ``last`` (not suspended or buried):
        soonest first, then deck order."""
        dsql = " AND t.deck_id = :deck" if deck_id is not None else ""
        sql = f"""SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id
                  WHERE c.due > :today AND c.due <= :last AND {self._PLAYABLE}{dsql}
                  ORDER BY c.due, t.deck_id, t.position, {KIND_ORDER_SQL}, c.id LIMIT :limit"""
        params = {"today": today.isoformat(), "last": last.isoformat(), "deck": deck_id, "limit": limit}
        return [int(r[0]) for r in self.db.execute(sql, params)]

    def weakest_cards(self, today: date, deck_id: int | None, limit: int) -> list[int]:
        """Studied cards (not suspended or buried) that lapsed or sit below the starting ease: most
        lapses first, then the lowest ease, then the shortest interval, then deck order."""
        dsql = " AND t.deck_id = :deck" if deck_id is not None else ""
        sql = f"""SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id
                  WHERE c.due IS NOT NULL AND (c.lapses > 0 OR c.easiness_centi < {WEAK_EASE_CENTI})
                    AND {self._PLAYABLE}{dsql}
                  ORDER BY c.lapses DESC, c.easiness_centi, c.interval, t.deck_id, t.position,
                           {KIND_ORDER_SQL}, c.id LIMIT :limit"""
        return [r[0] for r in self.db.execute(sql, {"today": today.isoformat(), "deck": deck_id, "limit": limit})]

    def tagged_cards(self, today: date, tag: str, deck_id: int | None, limit: int) -> list[int]:
        """Cards (not suspended or buried) of the terms tagged ``tag``: each term's first card kind
        for every term, then the next kind, in deck order (a small limit still covers every term)."""
        dsql = " AND t.deck_id = :deck" if deck_id is not None else ""
        sql = f"""SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id
                  WHERE EXISTS (SELECT 1 FROM json_each(t.tags) j WHERE j.value = :tag)
                    AND {self._PLAYABLE}{dsql}
                  ORDER BY {KIND_ORDER_SQL}, t.deck_id, t.position, c.id LIMIT :limit"""
        params = {"today": today.isoformat(), "tag": tag, "deck": deck_id, "limit": limit}
        return [r[0] for r in self.db.execute(sql, params)]

    def tag_counts(self, deck_id: int | None) -> list[tuple[str, int]]:
        """Every tag with how many terms carry it, by name."""
        dsql, dparams = self._deck_filter(deck_id)
        sql = f"""SELECT j.value, COUNT(DISTINCT t.id) FROM terms t, json_each(t.tags) j
                  WHERE json_valid(t.tags){dsql}
                  GROUP BY j.value ORDER BY j.value COLLATE NOCASE, j.value"""
        return [(str(r[0]), int(r[1])) for r in self.db.execute(sql, dparams)]

    def new_cards_available(self, today: date, deck_id: int | None) -> int:
        """Never-studied cards (not suspended or buried) whose term was not answered today."""
        dsql = " AND t.deck_id = :deck" if deck_id is not None else ""
        sql = f"""SELECT COUNT(*) FROM cards c JOIN terms t ON t.id = c.term_id
                  WHERE c.due IS NULL AND {self._PLAYABLE}{dsql}
                    AND c.term_id NOT IN (SELECT c2.term_id FROM reviews r JOIN cards c2 ON c2.id = r.card_id
                                          WHERE r.study_day = :today)"""
        return int(self.db.execute(sql, {"today": today.isoformat(), "deck": deck_id}).fetchone()[0])
