"""Today's queue read from the store, and the day's three counts every screen and command shows.

One definition, as Anki's deck list has it, used by the review session, the dashboard,
``mlcards decks`` (text and ``--json``) and the stats:

- **new**: never-studied cards today's queue would show, after the daily new-card limits (global and
  the deck's own), one card per term (the sibling rule), buried and suspended cards left out;
- **learning**: the day's re-drills, cards answered today whose latest answer was below 4 (they keep
  their schedule and come back until they reach 4), suspended ones left out;
- **review**: studied cards due today or earlier that today's queue would show, after the review limits.

Pure over the store's queries (``source`` is any object with them; the store passes itself), so the
store, the session and the stats can all call it without importing one another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from mlcards.queue import Limits, Row, build_queue, candidate_window

UNCAPPED = 1_000_000
"""A limit that never binds (no limit of the deck's own, or an explicit limit for the session)."""


class QueueSource(Protocol):
    """The store's queries today's queue is built from."""

    def settings(self) -> dict[str, Any]: ...

    def done_today(self, today: date) -> tuple[int, int]: ...

    def done_today_by_deck(self, today: date) -> dict[int, tuple[int, int]]: ...

    def deck_limits(self) -> dict[int, tuple[int | None, int | None]]: ...

    def due_candidates(self, today: date, deck_id: int | None = None, limit: int = 1000) -> Sequence[Row]: ...

    def new_candidates(self, today: date, deck_id: int | None = None, limit: int = 1000) -> Sequence[Row]: ...

    def redrill_cards(self, today: date, deck_id: int | None = None) -> list[int]: ...


@dataclass(frozen=True)
class DayCounts:
    """What today holds for one deck (or all): new, learning (re-drills) and review cards."""

    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review

    def as_json(self) -> dict[str, int]:
        return {"new": self.new, "learning": self.learning, "review": self.review}


@dataclass(frozen=True)
class TodaysQueue:
    """Card ids in the order a session shows them: the main queue, then the re-drills."""

    main: list[int]
    redrill: list[int]
    due_count: int
    """Cards of the main queue that were due (the rest are new cards)."""

    @property
    def new_count(self) -> int:
        return len(self.main) - self.due_count

    @property
    def counts(self) -> DayCounts:
        return DayCounts(new=self.new_count, learning=len(self.redrill), review=self.due_count)


def _deck_limits(
    source: QueueSource, today: date, deck_id: int | None, new_limit: int | None, review_limit: int | None
) -> dict[int, Limits]:
    """Each deck's own limits minus what it did today (an explicit limit for the session wins)."""
    own = source.deck_limits()
    if not own:
        return {}
    done = source.done_today_by_deck(today)
    out: dict[int, Limits] = {}
    for did, (new, rev) in own.items():
        if deck_id is not None and did != deck_id:
            continue
        new_done, rev_done = done.get(did, (0, 0))
        n = new if new is not None and new_limit is None else UNCAPPED
        r = rev if rev is not None and review_limit is None else UNCAPPED
        out[did] = Limits.remaining(n, r, new_done, rev_done)
    return out


def _rows(fetch: Callable[[int], Sequence[Row]], n: int, wanted: int, taken: AbstractSet[int] = frozenset()) -> Sequence[Row]:
    """``fetch(n)`` rows, read again with a wider window while they were cut short and hold fewer than
    ``wanted`` terms outside ``taken`` (a term with more cards than the window allows for: cloze deletions)."""
    while True:
        rows = fetch(n)
        if len(rows) < n or n >= UNCAPPED or len({r.term_id for r in rows} - taken) >= wanted:
            return rows
        n = min(UNCAPPED, 4 * n)


def todays_queue(
    source: QueueSource,
    today: date,
    deck_id: int | None = None,
    *,
    limit: int | None = None,
    new_limit: int | None = None,
    review_limit: int | None = None,
) -> TodaysQueue:
    """Today's queue for one deck (``deck_id``) or all decks.

    ``new_limit`` / ``review_limit`` replace the daily limits for this queue (and then a deck's own
    limit of that kind does not apply); ``limit`` caps the number of distinct cards, re-drills included.
    """
    settings = source.settings()
    new_done, reviews_done = source.done_today(today)
    per_day_new = settings["new_per_day"] if new_limit is None else new_limit
    per_day_rev = settings["reviews_per_day"] if review_limit is None else review_limit
    limits = Limits.remaining(per_day_new, per_day_rev, new_done, reviews_done)
    deck_limits = _deck_limits(source, today, deck_id, new_limit, review_limit)
    if deck_id is not None and deck_id in deck_limits:  # one deck: its own limits, inside the global ones
        own = deck_limits.pop(deck_id)
        limits = Limits(new=min(limits.new, own.new), review=min(limits.review, own.review))
    capped_decks = bool(deck_limits) and deck_id is None  # a capped deck can hide any number of rows
    # a session of at most ``limit`` cards reads rows for that many: the queue it keeps is the same
    # (each kind's part of the queue is a prefix of what more rows would give, cut at ``limit``)
    window = limits if limit is None else Limits(new=min(limits.new, max(0, limit)), review=min(limits.review, max(0, limit)))
    due_n, _ = candidate_window(window)
    due: Sequence[Row] = []
    if limits.review:
        due = _rows(lambda n: source.due_candidates(today, deck_id, n), UNCAPPED if capped_decks else due_n,
                    window.review)
    # terms taken by due cards hide their new siblings: widen the new window by that much
    due_terms = {r.term_id for r in due}
    _, new_n = candidate_window(window, due_terms=min(window.review, len(due_terms)))
    new: Sequence[Row] = []
    if limits.new:
        new = _rows(lambda n: source.new_candidates(today, deck_id, n), UNCAPPED if capped_decks else new_n,
                    window.new, due_terms)
    main, redrill = build_queue(
        due,
        new,
        limits,
        redrill=source.redrill_cards(today, deck_id),
        limit=limit,
        deck_limits=deck_limits if capped_decks else None,
    )
    due_ids = {r.card_id for r in due}
    return TodaysQueue(main=main, redrill=redrill, due_count=sum(1 for c in main if c in due_ids))


def day_counts(source: QueueSource, today: date, deck_id: int | None = None) -> DayCounts:
    """Today's new / learning / review counts for one deck or all: exactly what a session would queue."""
    return todays_queue(source, today, deck_id).counts
