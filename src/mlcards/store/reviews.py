"""The review log: writing an answer, undoing it, reading a card's or a term's answers, exporting
the log, and appending rows logged elsewhere (the import side maps Anki's revlog onto them).

Each answer (card update + review-log row) is one transaction, committed before ``answer`` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from datetime import date, datetime
from typing import Any

from mlcards import identity, studyday
from mlcards.errors import StoreError
from mlcards.schedulers.fold import CardSchedule, LogEntry, Step
from mlcards.schedulers.sm2 import SM2State
from mlcards.store.cards import CardRepo
from mlcards.store.connection import _date, _iso
from mlcards.store.decks import DeckRepo
from mlcards.store.rows import CachedSchedule, LiveReview, LoggedAnswer, ReviewIndex, ReviewLogRow, ReviewRow, easiness

_ANSWER_COLUMNS = (
    "r.id, r.card_id, r.reviewed_at, r.utc_offset_min, r.study_day, r.grade, r.kind, r.reps_before, r.reps_after, "
    "r.ease_before, r.ease_after, r.interval_before, r.interval_after, r.due_before, r.due_after, r.lapse, "
    "r.leeched, r.duration_ms, r.source, r.chosen_term_id, r.key_term_id"
)


def _logged_answer(r: dict[str, Any]) -> LoggedAnswer:
    return LoggedAnswer(
        id=r["id"], card_id=r["card_id"], reviewed_at=studyday.from_utc_text(r["reviewed_at"]),
        utc_offset_min=r["utc_offset_min"], study_day=date.fromisoformat(r["study_day"]), grade=r["grade"],
        kind=r["kind"], reps_before=r["reps_before"], reps_after=r["reps_after"],
        ease_before=easiness(r["ease_before"]), ease_after=easiness(r["ease_after"]),
        interval_before=r["interval_before"], interval_after=r["interval_after"], due_before=_date(r["due_before"]),
        due_after=_date(r["due_after"]), lapse=bool(r["lapse"]), leeched=bool(r["leeched"]),
        duration_ms=r["duration_ms"], source=r["source"], chosen_term_id=r["chosen_term_id"],
        key_term_id=r["key_term_id"], card_kind=r["card_kind"],
    )


def _memory(state: SM2State) -> tuple[float | None, float | None]:
    """The FSRS memory state (stability, difficulty) a state carries; (None, None) for SM-2's."""
    if type(state) is SM2State:  # FSRS (and its Rust extension) loads only for a deck that uses it
        return None, None
    from mlcards.schedulers.fsrs import FSRSState

    if isinstance(state, FSRSState):
        return state.stability, state.difficulty
    return None, None


class ReviewLog(CardRepo, DeckRepo):
    """The ``reviews`` table: append on answer; undo takes the latest answer back."""

    # --- what answering needs (the rules live in mlcards.answering and mlcards.schedulers) -----------

    def card_schedule(self, card_id: int) -> CachedSchedule:
        """A card's cached schedule (the fold of its log) and the scheduler its deck uses."""
        row = self.db.execute(
            "SELECT c.repetitions, c.easiness_centi, c.interval, c.due, c.lapses, c.leech, d.scheduler, "
            "c.stability, c.difficulty "
            "FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id WHERE c.id = ?",
            [card_id],
        ).fetchone()
        if row is None:
            raise StoreError(f"no card with id {card_id}")
        return self._cached_schedule(row)

    def answer_basis(self, card_id: int) -> tuple[CachedSchedule, date | None]:
        """What an answer folds from, in one query: ``card_schedule`` and ``last_study_day``."""
        row = self.db.execute(
            "SELECT c.repetitions, c.easiness_centi, c.interval, c.due, c.lapses, c.leech, d.scheduler, "
            "c.stability, c.difficulty, (SELECT MAX(r.study_day) FROM reviews r WHERE r.card_id = c.id) "
            "FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id WHERE c.id = ?",
            [card_id],
        ).fetchone()
        if row is None:
            raise StoreError(f"no card with id {card_id}")
        return self._cached_schedule(row[:9]), _date(row[9])

    @staticmethod
    def _cached_schedule(row: Any) -> CachedSchedule:
        reps, ease, interval, due, lapses, leech, scheduler, stability, difficulty = row
        state: SM2State
        if scheduler == "fsrs":
            from mlcards.schedulers.fsrs import FSRSState

            state = FSRSState(repetitions=reps, easiness_centi=ease, interval=interval, due=_date(due),
                              stability=stability, difficulty=difficulty)
        else:
            state = SM2State(repetitions=reps, easiness_centi=ease, interval=interval, due=_date(due))
        return CachedSchedule(CardSchedule(state, lapses, bool(leech)), scheduler)

    def card_deck_id(self, card_id: int) -> int:
        """The id of the deck a card belongs to."""
        row = self.db.execute(
            "SELECT t.deck_id FROM cards c JOIN terms t ON t.id = c.term_id WHERE c.id = ?", [card_id]
        ).fetchone()
        if row is None:
            raise StoreError(f"no card with id {card_id}")
        return int(row[0])

    def last_study_day(self, card_id: int) -> date | None:
        """The latest study day this card has a (live) answer on."""
        return _date(self.db.execute("SELECT MAX(study_day) FROM reviews WHERE card_id = ?", [card_id]).fetchone()[0])

    def answered_on(self, card_id: int, day: date) -> bool:
        return self.db.execute(
            "SELECT 1 FROM reviews WHERE card_id = ? AND study_day = ? LIMIT 1", [card_id, day.isoformat()]
        ).fetchone() is not None

    def record_answer(
        self,
        card_id: int,
        step: Step,
        *,
        grade: int,
        now: datetime,
        day: date,
        duration_ms: int | None,
        source: str,
        chosen_term_id: int | None = None,
        key_term_id: int | None = None,
    ) -> int:
        """Write one folded answer: the card's cached schedule and its review-log row. Returns the row id.

        Runs in (or joins) one transaction; a leech is also suspended.
        """
        before, after = step.before, step.after
        stamp = studyday.to_utc_text(now)
        stability, difficulty = _memory(after.state)
        # inside the answer's own transaction no savepoint: a savepoint journals every page the answer
        # writes, which spills to a temporary file on each answer
        with nullcontext() if self.in_transaction else self.transaction():
            if after != before or step.leeched:  # a re-drill leaves the card exactly as it was
                # only the columns that change: SQLite then leaves alone the indexes (and the sync
                # trigger on ``suspended``) over the others, so an answer writes fewer pages
                b, a = before.state, after.state
                sets = ["stability = ?", "difficulty = ?", "modified_at = ?"]
                values: list[object] = [stability, difficulty, stamp]
                changes: tuple[tuple[str, object, object], ...] = (
                    ("repetitions", b.repetitions, a.repetitions), ("easiness_centi", b.easiness_centi, a.easiness_centi),
                    ("interval", b.interval, a.interval), ("due", _iso(b.due), _iso(a.due)),
                    ("lapses", before.lapses, after.lapses), ("leech", int(before.leech), int(after.leech)),
                )
                for column, old, new in changes:
                    if new != old:
                        sets.append(f"{column} = ?")
                        values.append(new)
                if step.leeched:  # a new leech is suspended
                    sets.append("suspended = 1")
                values.append(card_id)
                self.db.execute(f"UPDATE cards SET {', '.join(sets)} WHERE id = ?", values)
            review_id: int = self.db.execute(
                """INSERT INTO review_log (uuid, card_id, reviewed_at, utc_offset_min, study_day, grade, kind,
                    reps_before, reps_after, ease_before, ease_after, interval_before, interval_after,
                    due_before, due_after, lapse, leeched, duration_ms, source, chosen_term_id, key_term_id,
                    stability_after, difficulty_after)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [identity.review_uuid(), card_id, stamp, studyday.utc_offset_minutes(now, self.tz()),
                 day.isoformat(), grade, str(step.kind), before.state.repetitions, after.state.repetitions,
                 before.state.easiness_centi, after.state.easiness_centi, before.state.interval,
                 after.state.interval, _iso(before.state.due), _iso(after.state.due), int(step.lapse),
                 int(step.leeched), duration_ms, source, chosen_term_id, key_term_id, stability, difficulty],
            ).lastrowid or 0
        return review_id

    # --- practice: answers kept apart from the schedule's log ------------------------------------------

    def record_practice(
        self,
        card_id: int,
        *,
        grade: int,
        now: datetime,
        day: date,
        duration_ms: int | None,
        source: str,
        chosen_term_id: int | None = None,
        key_term_id: int | None = None,
    ) -> int:
        """Log a practice answer (``practice_log``): counted in stats, never part of a card's schedule."""
        with self.transaction():
            return self.db.execute(
                """INSERT INTO practice_log (uuid, card_id, reviewed_at, utc_offset_min, study_day, grade,
                    duration_ms, source, chosen_term_id, key_term_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [identity.review_uuid(), card_id, studyday.to_utc_text(now), studyday.utc_offset_minutes(now, self.tz()),
                 day.isoformat(), grade, duration_ms, source, chosen_term_id, key_term_id],
            ).lastrowid or 0

    def undo_practice(self, practice_id: int, now: datetime) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE practice_log SET undone_at = ? WHERE id = ? AND undone_at IS NULL",
                [studyday.to_utc_text(now), practice_id],
            )

    def practice_counts(self, day: date | None = None, deck_id: int | None = None) -> tuple[int, int]:
        """(practice answers, of them graded 3 or more): on one study day, or ever; one deck or all."""
        where, params = ["p.undone_at IS NULL"], list[object]()
        if day is not None:
            where.append("p.study_day = ?")
            params.append(day.isoformat())
        join = ""
        if deck_id is not None:
            join = " JOIN cards c ON c.id = p.card_id JOIN terms t ON t.id = c.term_id"
            where.append("t.deck_id = ?")
            params.append(deck_id)
        row = self.db.execute(
            f"SELECT COUNT(*), COALESCE(SUM(p.grade >= 3), 0) FROM practice_log p{join} WHERE {' AND '.join(where)}",
            params,
        ).fetchone()
        return row[0], row[1]

    def live_review(self, review_id: int) -> LiveReview | None:
        """A review-log row that has not been undone."""
        row = self.db.execute(
            "SELECT id, card_id, leeched, chosen_term_id, key_term_id FROM reviews WHERE id = ?", [review_id]
        ).fetchone()
        return LiveReview(row[0], row[1], bool(row[2]), row[3], row[4]) if row else None

    def mark_undone(self, review_id: int, now: datetime) -> None:
        """The tombstone: the row stays in ``review_log`` with the moment it was taken back."""
        self.db.execute(
            "UPDATE review_log SET undone_at = ? WHERE id = ? AND undone_at IS NULL",
            [studyday.to_utc_text(now), review_id],
        )

    def log_entries(self, card_id: int) -> list[LogEntry]:
        """A card's live log since its snapshot (if any), oldest first (by moment), as the fold reads it."""
        after = self.db.execute(
            "SELECT after_review_id FROM card_snapshots WHERE card_id = ?", [card_id]
        ).fetchone()
        return [
            LogEntry(grade, date.fromisoformat(day), source, bool(leeched))
            for grade, day, source, leeched in self.db.execute(
                "SELECT grade, study_day, source, leeched FROM reviews WHERE card_id = ? AND id > ? "
                "ORDER BY reviewed_at, id",  # by moment: answers appended later (from Anki) fold in their place
                [card_id, after[0] if after else 0],
            )
        ]

    def snapshot(self, card_id: int) -> CardSchedule | None:
        """The starting state of a card that arrived with a schedule its log does not explain."""
        row = self.db.execute(
            "SELECT repetitions, easiness_centi, interval, due, lapses, leech FROM card_snapshots WHERE card_id = ?",
            [card_id],
        ).fetchone()
        if row is None:
            return None
        reps, ease, interval, due, lapses, leech = row
        return CardSchedule(SM2State(repetitions=reps, easiness_centi=ease, interval=interval, due=_date(due)),
                            lapses, bool(leech))

    def write_schedule(self, card_id: int, schedule: CardSchedule, *, unsuspend: bool = False) -> None:
        """Store a refolded schedule in the card's cache (``unsuspend``: its leech tag was taken back)."""
        st = schedule.state
        stability, difficulty = _memory(st)
        self.db.execute(
            "UPDATE cards SET repetitions = ?, easiness_centi = ?, interval = ?, due = ?, lapses = ?, leech = ?, "
            "suspended = CASE WHEN ? THEN 0 ELSE suspended END, stability = ?, difficulty = ?, modified_at = ? "
            "WHERE id = ?",
            [st.repetitions, st.easiness_centi, st.interval, _iso(st.due), schedule.lapses, int(schedule.leech),
             int(unsuspend), stability, difficulty, studyday.to_utc_text(studyday.now()), card_id],
        )

    def card_ids(self, deck_id: int | None = None) -> list[int]:
        """Every card's id (of one deck), in id order."""
        if deck_id is None:
            return [r[0] for r in self.db.execute("SELECT id FROM cards ORDER BY id")]
        return [r[0] for r in self.db.execute(
            "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = ? ORDER BY c.id", [deck_id]
        )]

    def deck_scheduler(self, deck_id: int) -> str:
        return str(self.db.execute("SELECT scheduler FROM decks WHERE id = ?", [deck_id]).fetchone()[0])

    def set_deck_scheduler(self, deck_id: int, name: str) -> None:
        self.db.execute("UPDATE decks SET scheduler = ?, modified_at = ? WHERE id = ?",
                        [name, studyday.to_utc_text(studyday.now()), deck_id])

    def pair_confusions(self, a: int, b: int) -> int:
        """How many live answers picked one of the pair when the other was the right option."""
        return int(self.db.execute(
            "SELECT COUNT(*) FROM reviews WHERE (key_term_id = ? AND chosen_term_id = ?) "
            "OR (key_term_id = ? AND chosen_term_id = ?)",
            [a, b, b, a],
        ).fetchone()[0])

    def drop_unanswered_contrast_card(self, a: int, b: int) -> None:
        """Remove the pair's contrast card if no live answer was ever given to it."""
        self.db.execute(
            "DELETE FROM cards WHERE kind = 'contrast' AND term_id = ? AND pair_term_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM review_log r WHERE r.card_id = cards.id)",
            [min(a, b), max(a, b)],
        )

    def reviews_of_card(self, card_id: int) -> list[LoggedAnswer]:
        """A card's answers, oldest first."""
        sql = f"SELECT {_ANSWER_COLUMNS}, NULL AS card_kind FROM reviews r WHERE r.card_id = ? ORDER BY r.id"
        return [_logged_answer(r) for r in self.db.query(sql, [card_id])]

    def term_history(self, term_id: int, limit: int = 200) -> list[LoggedAnswer]:
        """The latest answers to any card of a term, newest first (each with its card's kind)."""
        sql = f"""SELECT {_ANSWER_COLUMNS}, c.kind AS card_kind FROM reviews r JOIN cards c ON c.id = r.card_id
                  WHERE c.term_id = ? ORDER BY r.id DESC LIMIT ?"""
        return [_logged_answer(r) for r in self.db.query(sql, [term_id, limit])]

    # --- review-log export (read only) -------------------------------------------------------------

    def review_log_rows(self, deck_id: int | None = None) -> Iterator[ReviewLogRow]:
        """Every answer in the review log, oldest first, joined with its card, term and deck."""
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
        for r in self.db.query(sql, dparams):
            yield ReviewLogRow(
                review_id=r["review_id"], card_id=r["card_id"], deck=r["deck"], term=r["term"],
                card_kind=r["card_kind"], reviewed_at=studyday.from_utc_text(r["reviewed_at"]),
                utc_offset_min=r["utc_offset_min"], study_day=date.fromisoformat(r["study_day"]), grade=r["grade"],
                kind=r["kind"], interval_before=r["interval_before"], interval_after=r["interval_after"],
                ease_before=easiness(r["ease_before"]), ease_after=easiness(r["ease_after"]),
                due_after=_date(r["due_after"]), duration_ms=r["duration_ms"], source=r["source"],
            )

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
            (identity.review_uuid(), r.card_id, r.reviewed_at, r.utc_offset_min, r.study_day, r.grade, r.kind, r.reps_before, r.reps_after,
             r.ease_before, r.ease_after, r.interval_before, r.interval_after, r.due_before, r.due_after,
             int(r.lapse), int(r.leeched), r.duration_ms, r.source)
            for r in rows
        ]
        if values:
            with self.transaction():
                self.db.conn.executemany(
                    """INSERT INTO review_log (uuid, card_id, reviewed_at, utc_offset_min, study_day, grade, kind,
                        reps_before, reps_after, ease_before, ease_after, interval_before, interval_after,
                        due_before, due_after, lapse, leeched, duration_ms, source)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    values,
                )
        return len(values)


