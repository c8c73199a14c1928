"""The plain, typed rows the store hands out (frozen dataclasses; no raw dicts leave the store)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class QueueRow:
    """A candidate for today's queue (see ``mlcards.queue``)."""

    card_id: int
    term_id: int
    kind: str
    due: date | None


@dataclass(frozen=True)
class TermBrief:
    id: int
    term: str
    definition: str
    key: str



@dataclass(frozen=True)
class ReviewIndex:
    """What adding outside answers to a deck's log must know (see ``ReviewLog.review_index``)."""

    cards: dict[tuple[str, str], int]
    """(term key, card kind) -> card id."""
    earliest: dict[int, str]
    """card id -> its first logged answer (UTC text)."""
    from_source: set[tuple[int, str]]
    """(card id, UTC text) of the answers that came from the source asked about ('anki', ...)."""
    answered_days: set[tuple[int, str]]
    """(card id, study day) pairs that already have an answer."""


@dataclass(frozen=True)
class ReviewRow:
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
