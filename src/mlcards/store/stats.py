"""Every SQL statement the stats need, as query methods returning plain typed rows.

``mlcards.stats`` computes the figures from them. Every query aggregates inside SQLite, so Python
only ever sees per-day, per-bucket or per-deck rows (never one row per review); each one's index
use is checked with EXPLAIN QUERY PLAN (tests/stats/test_query_plans.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from mlcards.store.connection import Connection

FIRST_DAY = "0000-01-01"
"""Lower bound of the "all" range: sorts before every ISO date."""

CardStateCounts = tuple[int, int, int, int, int, int]
"""total, new, learning, mature, suspended, leech (young is the rest)."""

_DECK_CARDS = "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = :deck"


def _review_filter(deck_id: int | None, alias: str = "r", *, by_card: bool = True) -> str:
    """``AND r.card_id IN (the deck's cards)``; ``by_card=False`` writes ``+r.card_id`` so that SQLite
    keeps the query's own index (one day of reviews) instead of seeking every card of the deck."""
    if deck_id is None:
        return ""
    return f" AND {'' if by_card else '+'}{alias}.card_id IN ({_DECK_CARDS})"


def _card_filter(deck_id: int | None, alias: str = "c") -> str:
    return f" AND {alias}.term_id IN (SELECT id FROM terms WHERE deck_id = :deck)" if deck_id is not None else ""


def _state_columns(mature_days: int) -> str:
    return f"""
    COUNT(*),
    COALESCE(SUM(CASE WHEN c.suspended THEN 0 WHEN c.due IS NULL THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN c.suspended OR c.due IS NULL THEN 0 WHEN c.repetitions = 0 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN c.suspended OR c.due IS NULL OR c.repetitions = 0 THEN 0
                      WHEN c.interval >= {int(mature_days)} THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(c.suspended != 0), 0),
    COALESCE(SUM(c.leech != 0), 0)"""


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else FIRST_DAY


class StatsQueries(Connection):
    """Read-only aggregates over the indexed review log and cards."""

    def _stat_rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return self.db.conn.execute(sql, params).fetchall()

    def _stat_one(self, sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
        row: tuple[Any, ...] = self.db.conn.execute(sql, params).fetchone()
        return row

    def deck_name(self, deck_id: int) -> str:
        return str(self._stat_one("SELECT name FROM decks WHERE id = :deck", {"deck": deck_id})[0])

    # --- the review log ------------------------------------------------------------------------------

    def day_answer_counts(self, day: date, deck_id: int | None) -> tuple[int, int, int, int, int, int, int]:
        """Answers on one study day: all, distinct cards, new, review, redrill, graded 3+, time (ms)."""
        a, b, c, d, e, f, g = self._stat_one(
            f"""SELECT COUNT(*), COUNT(DISTINCT r.card_id), COALESCE(SUM(r.kind = 'new'), 0),
                       COALESCE(SUM(r.kind = 'review'), 0), COALESCE(SUM(r.kind = 'redrill'), 0),
                       COALESCE(SUM(r.grade >= 3), 0), COALESCE(SUM(r.duration_ms), 0)
                FROM reviews r WHERE r.study_day = :day{_review_filter(deck_id, by_card=False)}""",
            {"day": day.isoformat(), "deck": deck_id},
        )
        return a, b, c, d, e, f, g

    def answers_total(self, deck_id: int | None) -> int:
        where = f" WHERE 1{_review_filter(deck_id)}" if deck_id is not None else ""  # bare COUNT(*) is the fast path
        return int(self._stat_one(f"SELECT COUNT(*) FROM reviews r{where}", {"deck": deck_id})[0])

    def answers_per_day(self, start: date, end: date, deck_id: int | None) -> dict[date, int]:
        """Answers per study day from ``start`` to ``end`` (inclusive); days left out had none."""
        params = {"start": start.isoformat(), "end": end.isoformat(), "deck": deck_id}
        if deck_id is None:
            # One index seek and count per day on reviews(study_day): no grouping, no row lookups.
            sql = """WITH RECURSIVE d(day) AS (
                         SELECT :start UNION ALL SELECT date(day, '+1 day') FROM d WHERE day < :end
                     )
                     SELECT day, (SELECT COUNT(*) FROM reviews r WHERE r.study_day = d.day) FROM d"""
        else:
            # one range of reviews(card_id, study_day) per card of the deck
            sql = f"""SELECT r.study_day, COUNT(*) FROM reviews r
                      WHERE r.study_day BETWEEN :start AND :end{_review_filter(deck_id)}
                      GROUP BY r.study_day"""
        return {date.fromisoformat(day): n for day, n in self._stat_rows(sql, params)}

    def first_study_day(self, deck_id: int | None) -> date | None:
        # a card's first answer is always a 'new' one
        row = self._stat_one(f"SELECT MIN(r.study_day) FROM reviews r WHERE r.kind = 'new'{_review_filter(deck_id)}",
                             {"deck": deck_id})
        return date.fromisoformat(row[0]) if row[0] else None

    def study_days(self, until: date, deck_id: int | None) -> list[date]:
        """Every distinct study day with an answer, up to ``until``, in order.

        A loose index scan: one index seek per distinct study day (a few hundred a year), never one
        row per answer. With a deck filter each step walks the (kind, study_day) index of first answers
        ('new' and 'review') until it meets one of the deck's cards; re-drills can be skipped because a
        re-drill always follows a first answer to the same card on the same study day.
        """
        if deck_id is None:
            step = "SELECT MIN(r.study_day) FROM reviews r WHERE r.study_day > days.d AND r.study_day <= :until"
            first = "SELECT MIN(r.study_day) FROM reviews r WHERE r.study_day <= :until"
        else:
            in_deck = ("EXISTS (SELECT 1 FROM cards c JOIN terms t ON t.id = c.term_id "
                       "WHERE c.id = r.card_id AND t.deck_id = :deck)")

            def kind_min(kind: str, after: str) -> str:
                return (f"(SELECT r.study_day FROM reviews r WHERE r.kind = '{kind}' AND r.study_day > {after} "
                        f"AND r.study_day <= :until AND {in_deck} ORDER BY r.study_day LIMIT 1)")

            def first_of(after: str) -> str:
                # MIN(a, b) of two scalars is NULL if either is: fall back on the other one.
                return (f"SELECT COALESCE(MIN(a, b), a, b) FROM (SELECT {kind_min('new', after)} AS a, "
                        f"{kind_min('review', after)} AS b)")

            step, first = first_of("days.d"), first_of("''")
        rows = self._stat_rows(
            f"""WITH RECURSIVE days(d) AS (
                    SELECT ({first})
                    UNION ALL
                    SELECT ({step}) FROM days WHERE days.d IS NOT NULL
                )
                SELECT d FROM days WHERE d IS NOT NULL""",
            {"until": until.isoformat(), "deck": deck_id},
        )
        return [date.fromisoformat(r[0]) for r in rows]

    def retention_counts(
        self, start: date | None, today: date, deck_id: int | None, mature_days: int
    ) -> list[tuple[str, bool, int, int]]:
        """First answers to cards studied before (``kind = 'review'``), from ``start`` (None: all) to
        ``today``, per (study day, passed): (ISO day, passed, answers, of which young)."""
        # Grouped by (day, grade) in the order of reviews(kind, study_day, grade, ...): one comparison
        # per answer, no sorting; the pass / young sums are folded in by the caller over a few rows per day.
        rows = self._stat_rows(
            f"""SELECT r.study_day, r.grade >= 3, COUNT(*), SUM(r.interval_before < {int(mature_days)})
                FROM reviews r
                WHERE r.kind = 'review' AND r.study_day BETWEEN :start AND :today{_review_filter(deck_id)}
                GROUP BY r.study_day, r.grade""",
            {"start": _iso(start), "today": today.isoformat(), "deck": deck_id},
        )
        return [(day, bool(passed), n, young) for day, passed, n, young in rows]

    # --- cards -----------------------------------------------------------------------------------------

    def card_state_counts(self, deck_id: int | None, mature_days: int) -> CardStateCounts:
        a, b, c, d, e, f = self._stat_one(
            f"SELECT {_state_columns(mature_days)} FROM cards c WHERE 1{_card_filter(deck_id)}", {"deck": deck_id}
        )
        return a, b, c, d, e, f

    def deck_term_counts(self, deck_id: int | None) -> list[tuple[int, str, int]]:
        """(deck id, name, terms) per deck in creation order (only ``deck_id`` if given)."""
        only = " WHERE d.id = :deck" if deck_id is not None else ""
        return [
            (did, name, terms)
            for did, name, terms in self._stat_rows(
                f"SELECT d.id, d.name, (SELECT COUNT(*) FROM terms t WHERE t.deck_id = d.id) FROM decks d{only} "
                "ORDER BY d.id",
                {"deck": deck_id},
            )
        ]

    def deck_card_state_counts(self, deck_id: int | None, mature_days: int) -> dict[int, CardStateCounts]:
        tfilter = " WHERE t.deck_id = :deck" if deck_id is not None else ""
        rows = self._stat_rows(
            # terms first: their (deck_id, position) index hands the rows over deck by deck, no sorting
            f"SELECT t.deck_id, {_state_columns(mature_days)} FROM terms t JOIN cards c ON c.term_id = t.id{tfilter} "
            "GROUP BY t.deck_id",
            {"deck": deck_id},
        )
        return {r[0]: (r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}

    def due_counts(self, end: date, deck_id: int | None) -> list[tuple[date, int]]:
        """Non-suspended studied cards per due date up to ``end`` (overdue ones included)."""
        rows = self._stat_rows(
            f"""SELECT c.due, COUNT(*) FROM cards c
                WHERE c.due <= :end AND c.suspended = 0{_card_filter(deck_id)} GROUP BY c.due""",
            {"end": end.isoformat(), "deck": deck_id},
        )
        return [(date.fromisoformat(due), n) for due, n in rows]

    def easiness_interval_counts(self, deck_id: int | None) -> list[tuple[int, int, int]]:
        """(easiness in hundredths, interval, cards) over studied, non-suspended cards: one pass over one index."""
        return [
            (centi, interval, n)
            for centi, interval, n in self._stat_rows(
                f"""SELECT c.easiness_centi, c.interval, COUNT(*) FROM cards c
                    WHERE c.suspended = 0 AND c.due IS NOT NULL{_card_filter(deck_id)}
                    GROUP BY c.easiness_centi, c.interval""",
                {"deck": deck_id},
            )
        ]

    # --- terms -----------------------------------------------------------------------------------------

    def lapsed_terms(self, deck_id: int | None, limit: int) -> list[tuple[int, int, int]]:
        """(term id, lapses, lowest easiness of its studied cards) for the terms with the most lapses:
        every one tied with or above the ``limit``-th most lapses."""
        # Terms with a lapse come from the small partial index on lapsed cards; only those tied with or
        # above the limit-th most lapses need their easiness.
        rows = self._stat_rows(
            f"""WITH lapsed AS (
                    SELECT c.term_id, SUM(c.lapses) AS lapses FROM cards c WHERE c.lapses > 0{_card_filter(deck_id)}
                    GROUP BY c.term_id
                ),
                cut AS (SELECT lapses FROM lapsed ORDER BY lapses DESC LIMIT 1 OFFSET :limit - 1)
                SELECT x.term_id, x.lapses,
                       (SELECT MIN(c.easiness_centi) FROM cards c WHERE c.term_id = x.term_id AND c.due IS NOT NULL)
                       AS ease
                FROM lapsed x WHERE x.lapses >= COALESCE((SELECT lapses FROM cut), 0)""",
            {"deck": deck_id, "limit": limit},
        )
        return [(tid, lapses, ease) for tid, lapses, ease in rows]

    def low_ease_terms(self, deck_id: int | None) -> list[tuple[int, int, int]]:
        """(term id, 0, lowest easiness) for studied terms without a lapse whose easiness fell below 2.50."""
        rows = self._stat_rows(
            f"""SELECT c.term_id, 0, MIN(c.easiness_centi) AS ease FROM cards c
                WHERE c.due IS NOT NULL{_card_filter(deck_id)}
                GROUP BY c.term_id HAVING SUM(c.lapses) = 0 AND ease < 250""",
            {"deck": deck_id},
        )
        return [(tid, lapses, ease) for tid, lapses, ease in rows]

    def term_infos(self, term_ids: Sequence[int]) -> dict[int, tuple[str, str, int, int, bool]]:
        """term id -> (term, deck name, deck id, position, any card a leech)."""
        rows = self._stat_rows(
            f"""SELECT t.id, t.term, d.name, t.deck_id, t.position,
                       (SELECT MAX(c.leech) FROM cards c WHERE c.term_id = t.id)
                FROM terms t JOIN decks d ON d.id = t.deck_id
                WHERE t.id IN ({", ".join(str(int(i)) for i in term_ids)})""",
            {},
        )
        return {r[0]: (r[1], r[2], r[3], r[4], bool(r[5])) for r in rows}

    def term_first_answers(self, term_id: int) -> tuple[int, int]:
        """First answers of a day to a term's cards, all time: (answers, graded 3 or more)."""
        n, ok = self._stat_one(
            """SELECT COUNT(*), COALESCE(SUM(r.grade >= 3), 0) FROM reviews r
               WHERE r.card_id IN (SELECT id FROM cards WHERE term_id = :t) AND r.kind != 'redrill'""",
            {"t": term_id},
        )
        return n, ok

    def confused_pair_counts(
        self, deck_id: int | None, limit: int, min_times: int
    ) -> list[tuple[int, str, int, str, str, int]]:
        """(term id, term, other id, other, deck, times) for pairs confused at least ``min_times``
        times on multiple-choice cards, most often first, then deck order."""
        deck_sql = "" if deck_id is None else " AND t.deck_id = :deck"
        sql = f"""
            SELECT p.a, ta.term, p.b, tb.term, d.name, p.n
            FROM (SELECT MIN(r.key_term_id, r.chosen_term_id) AS a, MAX(r.key_term_id, r.chosen_term_id) AS b,
                         COUNT(*) AS n
                  FROM reviews r
                  WHERE r.key_term_id IS NOT NULL AND r.chosen_term_id IS NOT NULL
                    AND r.chosen_term_id != r.key_term_id
                  GROUP BY a, b HAVING n >= :min) p
            JOIN terms ta ON ta.id = p.a JOIN terms tb ON tb.id = p.b JOIN terms t ON t.id = p.a
            JOIN decks d ON d.id = ta.deck_id
            WHERE 1 = 1{deck_sql}
            ORDER BY p.n DESC, ta.position, tb.position, p.a, p.b
            LIMIT :limit"""
        rows = self._stat_rows(sql, {"min": min_times, "limit": limit, "deck": deck_id})
        return [(a, ta, b, tb, deck, n) for a, ta, b, tb, deck, n in rows]

    def cluster_counts(
        self, start: date | None, today: date, deck_id: int | None, limit: int | None, min_answers: int
    ) -> tuple[tuple[int, int], list[tuple[int, str, str, int, int, int]]]:
        """Related-concept answers (first of a day) from ``start`` to ``today``: (answers, passed)
        overall, and per cluster centre (term id, term, deck, size, answers, passed), weakest first."""
        params = {"deck": deck_id, "start": _iso(start), "today": today.isoformat(),
                  "limit": -1 if limit is None else limit, "min": max(1, min_answers)}
        # The related-concept cards in term order, each with one range of reviews(card_id, study_day,
        # kind, grade): no per-answer lookup and no sorting. CROSS JOIN keeps cards as the outer loop.
        cfilter = " AND c.term_id IN (SELECT id FROM terms WHERE deck_id = :deck)" if deck_id is not None else ""
        rows = self._stat_rows(
            f"""WITH per AS (
                    SELECT c.term_id, COUNT(*) AS n, SUM(r.grade >= 3) AS ok
                    FROM cards c CROSS JOIN reviews r ON r.card_id = c.id
                    WHERE c.kind = 'related' AND r.study_day BETWEEN :start AND :today AND r.kind != 'redrill'{cfilter}
                    GROUP BY c.term_id
                ),
                pooled AS (
                    SELECT center, SUM(n) AS n, SUM(ok) AS ok FROM (
                        SELECT term_id AS center, n, ok FROM per
                        UNION ALL
                        SELECT l.other_id, p.n, p.ok FROM per p JOIN links l ON l.term_id = p.term_id
                    ) GROUP BY center
                ),
                ranked AS (
                    SELECT x.center, x.n, x.ok FROM pooled x JOIN terms t ON t.id = x.center WHERE x.n >= :min
                    ORDER BY CAST(x.ok AS REAL) / x.n, x.n DESC, t.deck_id, t.position, x.center
                    LIMIT :limit
                )
                SELECT NULL, NULL, NULL, NULL, (SELECT COALESCE(SUM(n), 0) FROM per), (SELECT COALESCE(SUM(ok), 0) FROM per)
                UNION ALL
                SELECT * FROM (
                    SELECT x.center, t.term, d.name, 1 + (SELECT COUNT(*) FROM links l WHERE l.term_id = x.center),
                           x.n, x.ok
                    FROM ranked x JOIN terms t ON t.id = x.center JOIN decks d ON d.id = t.deck_id
                    ORDER BY CAST(x.ok AS REAL) / x.n, x.n DESC, t.deck_id, t.position, x.center
                )""",
            params,
        )
        return (rows[0][4], rows[0][5]), [(a, b, c, d, e, f) for a, b, c, d, e, f in rows[1:]]
