"""A card's schedule is a fold of its review log: the one place that says what an answer does.

``step`` is one answer; ``replay`` folds a card's whole log from its initial state (new, or a
snapshot for a card that arrived with a schedule). The store's ``cards`` table is a cache of this
fold, written in the same transaction as each answer; ``mlcards doctor --rebuild`` recomputes it.

The rules (SM-2's, through any scheduler):
- The first answer a card gets on a study day runs the scheduler; a later answer that day is a
  re-drill (SM-2's step 7): logged, but the schedule (interval, due, repetitions) does not move.
  A scheduler with a memory model (FSRS) may offer ``redrill(state, grade, day)``: its same-day
  memory update, which keeps the schedule and changes only the memory state.
- Rows imported from another program's log (Anki history) only feed the statistics: they never
  move the schedule, but a study day that has one counts as answered, as it did when imported.
- A lapse is the scheduler's call; a card is tagged leech when a lapse brings its lapse count to
  the leech threshold in force when it was answered (the log row records that it happened).
- Undone rows are not part of the fold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from mlcards.records import ReviewKind
from mlcards.schedulers.base import Scheduler
from mlcards.schedulers.sm2 import SM2State

HISTORY_SOURCES = frozenset({"anki"})
"""Log sources that feed statistics only (another program's history)."""


@dataclass(frozen=True, slots=True)
class CardSchedule:
    """Everything about a card that its log decides: the scheduler state, lapses and the leech tag.

    ``state`` is SM-2's, or a subclass of it that carries more (FSRS's memory state): every scheduler's
    state keeps SM-2's repetitions, interval and due, which the queue and the stats read.
    """

    state: SM2State
    lapses: int = 0
    leech: bool = False


@dataclass(frozen=True, slots=True)
class LogEntry:
    """What the fold needs of one review-log row."""

    grade: int
    study_day: date
    source: str = "review"
    leeched: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One answer folded in: the kind it was logged as, and the schedule before and after."""

    kind: ReviewKind
    before: CardSchedule
    after: CardSchedule
    lapse: bool
    leeched: bool


def step(
    scheduler: Scheduler[Any],
    before: CardSchedule,
    grade: int,
    day: date,
    *,
    answered_today: bool,
    leech_threshold: int | None = None,
    leeched: bool | None = None,
) -> Step:
    """Fold one new answer given on study day ``day`` into ``before``.

    ``answered_today``: the card already has an answer (any source) on ``day``, so this is a re-drill.
    The leech tag comes from ``leech_threshold`` for a new answer, or from the logged ``leeched`` flag
    when replaying.
    """
    if answered_today:
        redrill = getattr(scheduler, "redrill", None)  # FSRS's same-day memory update; SM-2 has none
        after = before if redrill is None else CardSchedule(redrill(before.state, grade, day), before.lapses, before.leech)
        return Step(ReviewKind.REDRILL, before, after, False, False)
    kind = ReviewKind.NEW if before.state.is_new else ReviewKind.REVIEW
    lapse = scheduler.is_lapse(before.state, grade)
    lapses = before.lapses + int(lapse)
    if leeched is None:
        leeched = bool(lapse and not before.leech and leech_threshold is not None and lapses >= leech_threshold)
    after = CardSchedule(scheduler.review(before.state, grade, day), lapses, before.leech or leeched)
    return Step(kind, before, after, lapse, leeched)


def replay(
    scheduler: Scheduler[Any], entries: Iterable[LogEntry], start: CardSchedule | None = None
) -> CardSchedule:
    """The schedule a card's log (oldest first, undone rows left out) leads to from ``start``."""
    schedule = start or CardSchedule(scheduler.initial())
    answered: set[date] = set()
    for entry in entries:
        if entry.source in HISTORY_SOURCES:
            answered.add(entry.study_day)
            continue
        done = step(scheduler, schedule, entry.grade, entry.study_day,
                    answered_today=entry.study_day in answered, leeched=entry.leeched)
        schedule = done.after
        answered.add(entry.study_day)
    return schedule

