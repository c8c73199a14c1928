"""The review log: writing an answer, undoing it, reading a card's or a term's answers, exporting
the log, and appending rows logged elsewhere (the import side maps Anki's revlog onto them).

Each answer (card update + review-log row) is one transaction, committed before ``answer`` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from mlcards import sm2, studyday
from mlcards.errors import StoreError
from mlcards.models import AnswerResult
from mlcards.sm2 import SM2State
from mlcards.store.cards import CONFUSED_TWICE, CardRepo
from mlcards.store.connection import _date, _iso
from mlcards.store.decks import DeckRepo
from mlcards.store.rows import ReviewIndex, ReviewRow


class ReviewLog(CardRepo, DeckRepo):
    """The ``reviews`` table: append on answer; undo takes the latest answer back."""

    def answer(
        self,
        card_id: int,
        grade: int,
        now: datetime | None = None,
        *,
        duration_ms: int | None = None,
        source: str = "review",
        chosen_term_id: int | None = None,
        key_term_id: int | None = None,
    ) -> AnswerResult:
        """Grade a card and log it, in one committed transaction.

        On a multiple-choice card, ``chosen_term_id`` is the term of the option picked and
        ``key_term_id`` the right option's term when the question asked to identify a term; a pair
        confused ``CONFUSED_TWICE`` times (either way round) gets a contrast card of its own.

        The first answer of a study day runs SM-2; a later answer on the same day is a re-drill
        (SM-2's step 7): logged, but the schedule does not move.
        """
        sm2.check_quality(grade)
        now = now or studyday.now()
        day = self.today(now)
        offset = studyday.utc_offset_minutes(now, self.tz())
        with self.transaction():
            row = self.db.execute(
                "SELECT repetitions, easiness_centi, interval, due, lapses, leech FROM cards WHERE id = ?",
                [card_id],
            ).fetchone()
            if row is None:
                raise StoreError(f"no card with id {card_id}")
            # A changed time zone (or rollover hour) can make "today" fall before a study day this card
            # was already answered on: that answer's day still counts, so the card is never scheduled
            # twice in one study day.
            last_day = self.db.execute(
                "SELECT MAX(study_day) FROM reviews WHERE card_id = ?", [card_id]
            ).fetchone()[0]
            if last_day is not None and last_day > day.isoformat():
                day = date.fromisoformat(last_day)
            reps, ease, interval, due, lapses, leech = row
            before = SM2State(repetitions=reps, easiness_centi=ease, interval=interval, due=_date(due))
            redrill = (
                self.db.execute(
                    "SELECT 1 FROM reviews WHERE card_id = ? AND study_day = ? LIMIT 1", [card_id, day.isoformat()]
                ).fetchone()
                is not None
            )
            if redrill:
                after, kind, lapse = before, "redrill", False
            else:
                after = sm2.review(before, grade, day)
                kind = "new" if before.is_new else "review"
                lapse = sm2.is_lapse(before, grade)
            lapses_after = lapses + int(lapse)
            leeched = lapse and not leech and lapses_after >= self.setting("leech_threshold")
            self.db.execute(
                "UPDATE cards SET repetitions = ?, easiness_centi = ?, interval = ?, due = ?, lapses = ?, "
                "leech = leech OR ?, suspended = suspended OR ? WHERE id = ?",
                [after.repetitions, after.easiness_centi, after.interval, _iso(after.due), lapses_after,
                 int(leeched), int(leeched), card_id],
            )
            review_id = self.db.execute(
                """INSERT INTO reviews (card_id, reviewed_at, utc_offset_min, study_day, grade, kind,
                    reps_before, reps_after, ease_before, ease_after, interval_before, interval_after,
                    due_before, due_after, lapse, leeched, duration_ms, source, chosen_term_id, key_term_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [card_id, studyday.to_utc_text(now), offset, day.isoformat(), grade, kind,
                 before.repetitions, after.repetitions, before.easiness_centi, after.easiness_centi,
                 before.interval, after.interval, _iso(before.due), _iso(after.due), int(lapse), int(leeched),
                 duration_ms, source, chosen_term_id, key_term_id],
            ).lastrowid
            if chosen_term_id is not None and key_term_id is not None and chosen_term_id != key_term_id:
                self._contrast_card(key_term_id, chosen_term_id, studyday.to_utc_text(now))
        return AnswerResult(review_id, card_id, grade, kind, before, after, day, lapse, leeched)

    def undo(self, review_id: int) -> int:
        """Take back one answer: restore the card's schedule exactly and delete the log row.

        Only a card's latest answer can be taken back. Returns the card id.
        """
        with self.transaction():
            row = self.db.execute(
                "SELECT card_id, reps_before, ease_before, interval_before, due_before, lapse, leeched "
                "FROM reviews WHERE id = ?",
                [review_id],
            ).fetchone()
            if row is None:
                raise StoreError(f"no answer with id {review_id} to undo")
            card_id, reps, ease, interval, due, lapse, leeched = row
            chosen, key = self.db.execute(
                "SELECT chosen_term_id, key_term_id FROM reviews WHERE id = ?", [review_id]
            ).fetchone()
            latest = self.db.execute("SELECT MAX(id) FROM reviews WHERE card_id = ?", [card_id]).fetchone()[0]
            if latest != review_id:
                raise StoreError("only a card's latest answer can be undone")
            self.db.execute(
                "UPDATE cards SET repetitions = ?, easiness_centi = ?, interval = ?, due = ?, "
                "lapses = lapses - ?, leech = CASE WHEN ? THEN 0 ELSE leech END, "
                "suspended = CASE WHEN ? THEN 0 ELSE suspended END WHERE id = ?",
                [reps, ease, interval, due, lapse, leeched, leeched, card_id],
            )
            self.db.execute("DELETE FROM reviews WHERE id = ?", [review_id])
            if chosen is not None and key is not None and chosen != key and self._pair_confusions(key, chosen) < CONFUSED_TWICE:
                # the contrast card this answer gave the pair goes too, unless it has been answered since
                self.db.execute(
                    "DELETE FROM cards WHERE kind = 'contrast' AND term_id = ? AND pair_term_id = ? "
                    "AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.card_id = cards.id)",
                    [min(key, chosen), max(key, chosen)],
                )
        return card_id

    def reviews_of_card(self, card_id: int) -> list[dict]:
        return list(self.db.query("SELECT * FROM reviews WHERE card_id = ? ORDER BY id", [card_id]))

    def term_history(self, term_id: int, limit: int = 200) -> list[dict]:
        """The latest answers to any card of a term, newest first."""
        sql = """SELECT r.*, c.kind AS card_kind FROM reviews r JOIN cards c ON c.id = r.card_id
                 WHERE c.term_id = ? ORDER BY r.id DESC LIMIT ?"""
        return list(self.db.query(sql, [term_id, limit]))

    # --- review-log export (read only) -------------------------------------------------------------

    def review_log_rows(self, deck_id: int | None = None) -> Iterator[dict]:
        """Every answer in the review log, oldest first, joined with its card, term and deck.

        Keys: review_id, card_id, deck, term, card_kind, reviewed_at (UTC text), utc_offset_min,
        study_day, grade, kind, interval_before, interval_after, ease_before, ease_after (hundredths),
        due_after, duration_ms, source.
        """
        dsql, dparams = self._deck_filter(deck_id)
        sql = f"""
            SELECT r.id AS review_id, r.card_id, d.name AS deck, t.term, c.kind AS card_kind,
                   r.reviewed_at, r.utc_offset_min, r.study_day, r.grade, r.kind,
                   r.interval_before, r.interval_after, r.ease_before, r.ease_after,
                   r.due_after, r.duration_ms, r.source
            FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id
            JOIN decks d ON d.id = t.deck_id
            WHERE 1 = 1{dsql}
            ORDER BY r.id"""
        yield from self.db.query(sql, dparams)

    # --- answers logged elsewhere (the import side maps them: ``mlcards.imports.import_history``) --------

    def review_index(self, deck_id: int, source: str) -> ReviewIndex:
        """A deck's cards and what its log already holds: first answers, ``source``'s answers, answered days."""
        where = "FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id WHERE t.deck_id = ?"
        answered = set(self.db.execute(f"SELECT DISTINCT r.card_id, r.study_day {where}", [deck_id]).fetchall())
        earliest = dict(self.db.execute(f"SELECT r.card_id, MIN(r.reviewed_at) {where} GROUP BY r.card_id", [deck_id]))
        from_source = set(
            self.db.execute(f"SELECT r.card_id, r.reviewed_at {where} AND r.source = ?", [deck_id, source]).fetchall()
        )
        cards = {
            (key, kind): card_id
            for key, kind, card_id in self.db.execute(
                "SELECT t.key, c.kind, c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = ?", [deck_id]
            )
        }
        return ReviewIndex(cards=cards, earliest=earliest, from_source=from_source, answered_days=answered)

    def insert_reviews(self, rows: Iterable[ReviewRow]) -> int:
        """Append the given rows to the review log as they are (in, or joining, one transaction); the count.

        Cards' schedules are not touched: rows logged elsewhere feed statistics only.
        """
        values = [
            (r.card_id, r.reviewed_at, r.utc_offset_min, r.study_day, r.grade, r.kind, r.reps_before, r.reps_after,
             r.ease_before, r.ease_after, r.interval_before, r.interval_after, r.due_before, r.due_after,
             int(r.lapse), int(r.leeched), r.duration_ms, r.source)
            for r in rows
        ]
        if values:
            with self.transaction():
                self.db.conn.executemany(
                    """INSERT INTO reviews (card_id, reviewed_at, utc_offset_min, study_day, grade, kind,
                        reps_before, reps_after, ease_before, ease_after, interval_before, interval_after,
                        due_before, due_after, lapse, leeched, duration_ms, source)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    values,
                )
        return len(values)


