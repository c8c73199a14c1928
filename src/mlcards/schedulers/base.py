"""The scheduler seam: what every scheduler (SM-2, FSRS-6) offers the rest of mlcards.

A scheduler is pure: no I/O, no clock, no SQL. It turns a card's state and one graded answer given
on a study day into the next state, and can say what each grade would do (the interval preview on
the grade keys) and how likely the card is to be recalled on a day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol, TypeVar

GRADES = (0, 1, 2, 3, 4, 5)
"""The 0-5 grade scale every scheduler answers to (four-button modes map onto it)."""

REDRILL_BELOW = 4
"""SM-2's step 7, the same for every scheduler: a card graded below this comes back the same day
until it is graded at least this. Re-drills are logged but never move the schedule."""


def needs_redrill(grade: int) -> bool:
    """Whether an answer with ``grade`` puts the card back in today's queue (the one re-drill rule)."""
    return grade < REDRILL_BELOW


State = TypeVar("State")


class Scheduler(Protocol[State]):
    """What a scheduler must provide. ``State`` is its own immutable card state."""

    name: str

    def initial(self) -> State:
        """The state of a card never studied."""
        ...

    def review(self, state: State, grade: int, day: date) -> State:
        """The state after one graded answer given on study day ``day``."""
        ...

    def preview(self, state: State, day: date) -> Mapping[int, int]:
        """For every grade, the interval in days that answering with it on ``day`` would give."""
        ...

    def predicted_recall(self, state: State, day: date) -> float | None:
        """The probability of recalling the card on ``day``; None for a card never studied."""
        ...

    def is_lapse(self, state: State, grade: int) -> bool:
        """Whether ``grade`` on a card in ``state`` counts as a lapse (forgetting a learned card)."""
        ...


class Redrills(Protocol[State]):
    """Optional, for a scheduler with a memory model (FSRS): what a same-day re-drill does to its state.

    ``fold.step`` calls it for a re-drill when the scheduler has it; the result must keep the
    schedule (repetitions, interval, due) and may change only the memory. SM-2 has none: a re-drill
    leaves its state exactly as it was.
    """

    def redrill(self, state: State, grade: int, day: date) -> State:
        ...


__all__ = ["GRADES", "REDRILL_BELOW", "Redrills", "Scheduler", "State", "needs_redrill"]
