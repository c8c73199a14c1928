"""SM-2, exactly as SuperMemo 2 specifies it: a pure function over an immutable state, and the
``Scheduler`` that offers it to the rest of mlcards.

No I/O, no clock, no SQL. Easiness is held as integer hundredths, so no float can tip a ceil
(6 x 2.5 is 15, never 16); ``SM2State.easiness`` reads it back as an exact ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from mlcards.schedulers.base import GRADES

INITIAL_EASINESS_CENTI = 250
MIN_EASINESS_CENTI = 130
MAX_INTERVAL = 36_500
"""Intervals are capped at 100 years."""


@dataclass(frozen=True, slots=True)
class SM2State:
    """A card's schedule. ``due`` is None for a card never studied."""

    repetitions: int = 0
    easiness_centi: int = INITIAL_EASINESS_CENTI
    interval: int = 0
    due: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.repetitions, bool) or not isinstance(self.repetitions, int) or self.repetitions < 0:
            raise ValueError(f"repetitions must be a non-negative int, got {self.repetitions!r}")
        if isinstance(self.easiness_centi, bool) or not isinstance(self.easiness_centi, int):
            raise ValueError(f"easiness_centi must be an int, got {self.easiness_centi!r}")
        if self.easiness_centi < MIN_EASINESS_CENTI:
            raise ValueError(f"easiness must be at least 1.3, got {self.easiness}")
        if isinstance(self.interval, bool) or not isinstance(self.interval, int) or not 0 <= self.interval <= MAX_INTERVAL:
            raise ValueError(f"interval must be an int in 0..{MAX_INTERVAL}, got {self.interval!r}")
        if self.due is not None and (isinstance(self.due, datetime) or not isinstance(self.due, date)):
            raise ValueError(f"due must be a date or None, got {self.due!r}")

    @classmethod
    def with_easiness(cls, easiness: Decimal | str | int | float, **kw: Any) -> "SM2State":
        """Build a state from an easiness such as ``Decimal('2.36')``; it must be whole hundredths."""
        centi = Decimal(str(easiness)) * 100
        if centi != centi.to_integral_value():
            raise ValueError(f"easiness moves in hundredths, got {easiness!r}")
        return cls(easiness_centi=int(centi), **kw)

    @property
    def easiness(self) -> Decimal:
        """The exact easiness factor, e.g. ``Decimal('2.36')``."""
        return Decimal(self.easiness_centi).scaleb(-2)

    @property
    def is_new(self) -> bool:
        return self.due is None


def easiness_delta_centi(quality: int) -> int:
    """SM-2's EF' = EF + (0.1 - (5-q)(0.08 + (5-q)0.02)), in hundredths: +10, 0, -14, -32, -54, -80."""
    d = 5 - quality
    return 10 - d * (8 + d * 2)


def check_quality(quality: object) -> int:
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
        raise ValueError(f"quality must be an int from 0 to 5, got {quality!r}")
    return quality


def review(state: SM2State, quality: int, today: date) -> SM2State:
    """Apply one graded answer given on ``today`` and return the new state.

    - q >= 3: interval 1, then 6, then ceil(interval x EF) with the EF from *before* this answer;
      repetitions += 1.
    - q < 3: repetitions = 0 and interval = 1.
    - EF moves by the SM-2 formula for every q, never below 1.3.
    - due = today + interval (the day of the answer, not the day the card was due).
    """
    check_quality(quality)
    if isinstance(today, datetime) or not isinstance(today, date):
        raise TypeError(f"today must be a date (not a datetime), got {today!r}")
    if quality >= 3:
        if state.repetitions == 0:
            interval = 1
        elif state.repetitions == 1:
            interval = 6
        else:
            # ceil(I * EF) in integers: EF is centi/100, so ceil(I * centi / 100).
            interval = -((-state.interval * state.easiness_centi) // 100)
        repetitions = state.repetitions + 1
    else:
        interval = 1
        repetitions = 0
    interval = max(1, min(interval, MAX_INTERVAL))
    easiness = max(MIN_EASINESS_CENTI, state.easiness_centi + easiness_delta_centi(quality))
    return replace(
        state,
        repetitions=repetitions,
        easiness_centi=easiness,
        interval=interval,
        due=today + timedelta(days=interval),
    )


def is_lapse(before: SM2State, quality: int) -> bool:
    """A lapse: a card that had been learned (repetitions >= 1) graded below 3."""
    return before.repetitions >= 1 and quality < 3


RECALL_AT_INTERVAL = 0.9
"""srs-benchmark's reading of an SM-2 interval: recall has fallen to 90% when the card falls due."""


class SM2Scheduler:
    """SM-2 behind the scheduler seam (``mlcards.schedulers.base.Scheduler``)."""

    name = "sm2"

    def initial(self) -> SM2State:
        return SM2State()

    def review(self, state: SM2State, grade: int, day: date) -> SM2State:
        return review(state, grade, day)

    def preview(self, state: SM2State, day: date) -> Mapping[int, int]:
        return {grade: review(state, grade, day).interval for grade in GRADES}

    def predicted_recall(self, state: SM2State, day: date) -> float | None:
        """R = 0.9 ** (t / interval), t = days since the last scheduled review (as srs-benchmark does)."""
        if state.due is None or state.interval <= 0:
            return None
        last = state.due - timedelta(days=state.interval)
        elapsed = max(0, (day - last).days)
        return float(RECALL_AT_INTERVAL ** (elapsed / state.interval))

    def is_lapse(self, state: SM2State, grade: int) -> bool:
        return is_lapse(state, grade)


__all__ = [
    "SM2State", "SM2Scheduler", "review", "is_lapse", "easiness_delta_centi", "check_quality", "MAX_INTERVAL",
]
