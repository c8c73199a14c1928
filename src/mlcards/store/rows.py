"""The plain, typed rows the store hands out (named tuples: cheap to define at start-up and to make by
the thousand; no raw dicts leave the store)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from mlcards.schedulers.fold import CardSchedule


class QueueRow(NamedTuple):
    """A candidate for today's queue (see ``mlcards.queue``)."""

    card_id: int
    term_id: int
    kind: str
    due: date | None
    deck_id: int = 0


class CachedSchedule(NamedTuple):
    """A card's cached schedule (the fold of its log) and the name of its deck's scheduler."""

    schedule: CardSchedule
    scheduler: str


class LiveReview(NamedTuple):
    """A review-log row that has not been undone: what undoing it needs."""

    id: int
    card_id: int
    leeched: bool
    chosen_term_id: int | None
    key_term_id: int | None


class TermBrief(NamedTuple):
    id: int
    term: str
    definition: str
    key: str



class ReviewIndex(NamedTuple):
    """What adding outside answers to a deck's log must know (see ``ReviewLog.review_index``)."""

    cards: dict[tuple[str, str], int]
    """(term key, card kind) -> card id."""
    earliest: dict[int, str]
    """card id -> its first logged answer (UTC text)."""
    from_source: set[tuple[int, str]]
    """(card id, UTC text) of the answers that came from the source asked about ('anki', ...)."""
    answered_days: set[tuple[int, str]]
    """(card id, study day) pairs that already have an answer."""


class ReviewRow(NamedTuple):
    """One row of the review log, as ``ReviewLog.insert_reviews`` writes it."""

    card_id: int
    reviewed_at: str
    utc_offset_min: int
    study_day: str
    grade: int
    kind: str
    reps_before: int
    reps_after: int
    ease_before: int
    ease_after: int
    interval_before: int
    interval_after: int
    due_before: str | None
    due_after: str | None
    lapse: bool
    leeched: bool
    duration_ms: int | None
    source: str
    stability_after: float | None = None
    difficulty_after: float | None = None
    """The FSRS memory state after the answer (None on SM-2), as ``record_answer`` writes it."""


def easiness(centi: int) -> Decimal:
    """SM-2 easiness from the hundredths the database stores, exactly: 236 -> Decimal('2.36')."""
    return Decimal(int(centi)).scaleb(-2)


class BrowseRow(NamedTuple):
    """A card as the browser lists it, with its term and its state."""

    card_id: int
    kind: str
    repetitions: int
    easiness: Decimal
    interval: int
    due: date | None
    lapses: int
    suspended: bool
    leech: bool
    term_id: int
    term: str
    tags: tuple[str, ...]
    deck: str
    state: str
    """new, learning, due, scheduled, suspended, leech or buried."""
    buried_until: date | None = None
    """Set while the card is buried (hidden from reviews until that day)."""


class LoggedAnswer(NamedTuple):
    """One answer of the review log (``reviews_of_card``, ``term_history``)."""

    id: int
    card_id: int
    reviewed_at: datetime
    """The moment, in UTC."""
    utc_offset_min: int
    study_day: date
    grade: int
    kind: str
    """new, review or redrill."""
    reps_before: int
    reps_after: int
    ease_before: Decimal
    ease_after: Decimal
    interval_before: int
    interval_after: int
    due_before: date | None
    due_after: date | None
    lapse: bool
    leeched: bool
    duration_ms: int | None
    source: str
    chosen_term_id: int | None = None
    key_term_id: int | None = None
    card_kind: str | None = None
    """The card's kind (recall, reverse, ...), read with the term's history."""


class ReviewLogRow(NamedTuple):
    """One answer of the review log joined with its card, term and deck (``review_log_rows``)."""

    review_id: int
    card_id: int
    deck: str
    term: str
    card_kind: str
    reviewed_at: datetime
    """The moment, in UTC."""
    utc_offset_min: int
    study_day: date
    grade: int
    kind: str
    interval_before: int
    interval_after: int
    ease_before: Decimal
    ease_after: Decimal
    due_after: date | None
    duration_ms: int | None
    source: str
