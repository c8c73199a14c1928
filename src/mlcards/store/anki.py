"""What the Anki round trip reads and writes (``mlcards export --with-progress``, ``import --with-history``).

Reading: a deck's terms' UUIDs in export order, and every card's schedule with its live log (as
``exporters.apkg_progress.CardProgress``). Writing: answers given in Anki, appended with UUIDs of the
caller's making (derived from Anki's revlog ids, so an answer is never added twice). The rules
(matching, folding) live in ``mlcards.anki_progress``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from mlcards import studyday
from mlcards.store.connection import _date
from mlcards.store.reviews import ReviewLog
from mlcards.store.rows import ReviewRow

if TYPE_CHECKING:
    from mlcards.exporters.apkg_progress import CardProgress, ProgressReview


@dataclass(frozen=True)
class TimedLogEntry:
    """A live review-log row with its moment: what folding answers in time order needs."""

    id: int
    reviewed_at: str
    grade: int
    study_day: date
    source: str
    leeched: bool


@dataclass(frozen=True)
class LoggedMarks:
    """What a card's whole log (undone rows included) holds: its rows' UUIDs and moments (epoch ms)."""

    uuids: frozenset[str]
    moments_ms: tuple[int, ...]


class AnkiQueries(ReviewLog):
    """The Anki round trip's reads and its one write."""

    def term_uuids_in_order(self, deck_id: int) -> list[str]:
        """The deck's terms' UUIDs in the order ``export_deck`` lists the terms."""
        return [str(u) for (u,) in self.db.execute(
            "SELECT uuid FROM terms WHERE deck_id = ? ORDER BY position, id", [deck_id]
        )]

    def card_progress(self, deck_id: int) -> tuple[CardProgress, ...]:
        """Every recall, reverse and cloze card of the deck: its cached schedule and live log."""
        from mlcards.exporters.apkg_progress import CardProgress, ProgressReview

        logs: dict[int, list[ProgressReview]] = {}
        for cid, at, grade, kind, ib, ia, ea, dur in self.db.execute(
            "SELECT r.card_id, r.reviewed_at, r.grade, r.kind, r.interval_before, r.interval_after, r.ease_after, "
            "r.duration_ms FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id "
            "WHERE t.deck_id = ? ORDER BY r.reviewed_at, r.id",
            [deck_id],
        ):
            logs.setdefault(cid, []).append(
                ProgressReview(studyday.from_utc_text(at), grade, kind, ib, ia, ea, dur)
            )
        out = []
        for r in self.db.query(
            "SELECT c.id, t.uuid AS term_uuid, c.kind, c.ordinal, c.repetitions, c.easiness_centi, c.interval, "
            "c.due, c.lapses, c.suspended, c.buried_until FROM cards c JOIN terms t ON t.id = c.term_id "
            "WHERE t.deck_id = ? AND c.kind IN ('recall', 'reverse', 'cloze') ORDER BY c.id",
            [deck_id],
        ):
            out.append(CardProgress(
                term_uuid=r["term_uuid"], kind=r["kind"], ordinal=r["ordinal"], repetitions=r["repetitions"],
                easiness_centi=r["easiness_centi"], interval=r["interval"], due=_date(r["due"]), lapses=r["lapses"],
                suspended=bool(r["suspended"]), buried_until=_date(r["buried_until"]),
                reviews=tuple(logs.get(r["id"], ())),
            ))
        return tuple(out)

    def anki_card_index(self) -> dict[tuple[str, str, int | None], tuple[int, str]]:
        """(term UUID, card kind, cloze index) -> (card id, card UUID), for every recall, reverse and cloze card."""
        return {
            (str(tu), str(kind), ordinal): (int(cid), str(cu))
            for tu, kind, ordinal, cid, cu in self.db.execute(
                "SELECT t.uuid, c.kind, c.ordinal, c.id, c.uuid FROM cards c JOIN terms t ON t.id = c.term_id "
                "WHERE c.kind IN ('recall', 'reverse', 'cloze')"
            )
        }

    def logged_marks(self, card_id: int) -> LoggedMarks:
        rows = self.db.execute("SELECT uuid, reviewed_at FROM review_log WHERE card_id = ?", [card_id]).fetchall()
        return LoggedMarks(
            frozenset(str(u) for u, _ in rows if u),
            tuple(int(studyday.from_utc_text(at).timestamp() * 1000) for _, at in rows),
        )

    def timed_log(self, card_id: int) -> list[TimedLogEntry]:
        """A card's live log since its snapshot (if any), oldest first (by moment, then id)."""
        after = self.db.execute("SELECT after_review_id FROM card_snapshots WHERE card_id = ?", [card_id]).fetchone()
        return [
            TimedLogEntry(rid, at, grade, date.fromisoformat(day), source, bool(leeched))
            for rid, at, grade, day, source, leeched in self.db.execute(
                "SELECT id, reviewed_at, grade, study_day, source, leeched FROM reviews "
                "WHERE card_id = ? AND id > ? ORDER BY reviewed_at, id",
                [card_id, after[0] if after else 0],
            )
        ]

    def insert_reviews_with_uuids(self, rows: Iterable[tuple[str, ReviewRow]]) -> int:
        """Append rows with the given UUIDs (in, or joining, one transaction); the count. Schedules are the
        caller's to refold."""
        values = [
            (u, r.card_id, r.reviewed_at, r.utc_offset_min, r.study_day, r.grade, r.kind, r.reps_before, r.reps_after,
             r.ease_before, r.ease_after, r.interval_before, r.interval_after, r.due_before, r.due_after,
             int(r.lapse), int(r.leeched), r.duration_ms, r.source, r.stability_after, r.difficulty_after)
            for u, r in rows
        ]
        if values:
            with self.transaction():
                self.db.conn.executemany(
                    """INSERT INTO review_log (uuid, card_id, reviewed_at, utc_offset_min, study_day, grade, kind,
                        reps_before, reps_after, ease_before, ease_after, interval_before, interval_after,
                        due_before, due_after, lapse, leeched, duration_ms, source, stability_after,
                        difficulty_after)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    values,
                )
        return len(values)
