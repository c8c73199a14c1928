"""FSRS-6 behind the scheduler seam, computed by ``fsrs-rs-python`` (the Rust engine Anki uses).

A card's FSRS state is its SM-2 shape (repetitions, easiness, interval, due: what every query of
``cards`` reads) plus its memory state, stability (days until recall falls to 90%) and difficulty
(1-10). No I/O, no clock, no SQL: the deck's settings come in through the constructor.

Grades: 0-2 -> Again, 3 -> Hard, 4 -> Good, 5 -> Easy (the four-button mode's keys map directly).
Elapsed time is counted in study days: the day of the last scheduled answer is ``due - interval``.
Same-day answers are re-drills (the fold's rule): they never move the interval or the due date (FSRS
schedules the long-term interval only), but ``redrill`` feeds them to the memory model with 0 days
elapsed, as Anki and srs-benchmark do (FSRS-6's short-term parameters w17-w19). Easiness is carried unchanged (it is where a deck switched back to SM-2 starts).

Fuzz (off unless the deck turns it on) spreads intervals of 3 days or more over Anki's ranges,
deterministically for a card and a day, so replaying the log gives the same due dates.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import fsrs_rs_python as fsrs

from mlcards.schedulers.base import GRADES
from mlcards.schedulers.sm2 import MAX_INTERVAL, SM2State

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.DEFAULT_PARAMETERS)
"""FSRS-6's 21 default parameters (what a deck uses until ``mlcards optimize`` fits its own)."""

DEFAULT_RETENTION = 0.90
SM2_RETENTION = 0.90
"""The recall SM-2's interval is read as (srs-benchmark's reading): where a switched card starts."""

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


def rating(grade: int) -> int:
    """The FSRS rating (1 Again .. 4 Easy) of a 0-5 grade."""
    if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 5:
        raise ValueError(f"grade must be an int from 0 to 5, got {grade!r}")
    return AGAIN if grade <= 2 else grade - 1


@dataclass(frozen=True, slots=True)
class FSRSState(SM2State):
    """A card's schedule on an FSRS deck: SM-2's fields plus the memory state (None before the first answer)."""

    stability: float | None = None
    difficulty: float | None = None


def retrievability(parameters: Sequence[float], elapsed_days: float, stability: float) -> float:
    """FSRS-6's forgetting curve: R = (1 + f t / S) ** -w20, with f chosen so that R(S) = 0.9."""
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return float((1 + factor * max(0.0, elapsed_days) / stability) ** decay)


FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.10), (20.0, math.inf, 0.05))
"""Anki's fuzz: (from, to, share of the interval in that band that may move)."""


def fuzz_range(interval: float, elapsed_days: int, maximum_interval: int) -> tuple[int, int]:
    """The days a fuzzed ``interval`` may land on (Anki's ``get_fuzz_range``)."""
    delta = 1.0
    for start, end, factor in FUZZ_RANGES:
        delta += factor * max(min(interval, end) - start, 0.0)
    interval = min(interval, maximum_interval)
    low = max(2, round(interval - delta))
    high = min(round(interval + delta), maximum_interval)
    if interval > elapsed_days:
        low = max(low, elapsed_days + 1)
    return min(low, high), high


def fuzz_fraction(seed: int, day: date) -> float:
    """A number in [0, 1) fixed by a card and a day (so a replay lands on the same dates)."""
    digest = hashlib.blake2b(f"{seed}:{day.isoformat()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class FSRSScheduler:
    """FSRS-6 with a deck's parameters, desired retention, maximum interval and fuzz."""

    name = "fsrs"

    def __init__(
        self,
        parameters: Sequence[float] | None = None,
        *,
        desired_retention: float = DEFAULT_RETENTION,
        maximum_interval: int = MAX_INTERVAL,
        fuzz: bool = False,
        fuzz_seed: int = 0,
    ) -> None:
        try:
            self.parameters: tuple[float, ...] = tuple(
                fsrs.check_and_fill_parameters(list(parameters or DEFAULT_PARAMETERS)))
        except ValueError:
            raise ValueError(
                "fsrs_parameters must be the 21 numbers mlcards optimize fits (or 17/19 from older FSRS); "
                "set them back with: mlcards settings --deck NAME fsrs_parameters default"
            ) from None
        self.desired_retention = desired_retention
        self.maximum_interval = max(1, min(maximum_interval, MAX_INTERVAL))
        self.fuzz = fuzz
        self.fuzz_seed = fuzz_seed
        self._model = fsrs.FSRS(list(self.parameters))

    # --- the memory state ------------------------------------------------------------------------

    def adopt(self, state: SM2State) -> FSRSState:
        """The FSRS state of a card known by its SM-2 schedule (a snapshot, or a cache not yet switched)."""
        if isinstance(state, FSRSState) and (state.stability is not None or state.is_new):
            return state
        stability = difficulty = None
        if not state.is_new:
            memory = self._model.memory_state_from_sm2(
                state.easiness_centi / 100, float(max(1, state.interval)), SM2_RETENTION
            )
            stability, difficulty = memory.stability, memory.difficulty
        return FSRSState(repetitions=state.repetitions, easiness_centi=state.easiness_centi, interval=state.interval,
                         due=state.due, stability=stability, difficulty=difficulty)

    def _memory(self, state: FSRSState) -> fsrs.MemoryState | None:
        if state.stability is None or state.difficulty is None:
            return None
        return fsrs.MemoryState(state.stability, state.difficulty)

    @staticmethod
    def elapsed_days(state: SM2State, day: date) -> int:
        """Study days since the card's last scheduled answer (0 for a card never studied)."""
        if state.due is None:
            return 0
        return max(0, (day - (state.due - timedelta(days=state.interval))).days)

    def _interval(self, raw: float, elapsed: int, day: date) -> int:
        interval = max(1, min(round(raw), self.maximum_interval))
        if self.fuzz and raw >= 2.5:
            low, high = fuzz_range(raw, elapsed, self.maximum_interval)
            interval = min(high, int(fuzz_fraction(self.fuzz_seed, day) * (high - low + 1)) + low)
        return interval

    def _next(self, state: SM2State, grade: int, day: date) -> tuple[FSRSState, fsrs.ItemState]:
        current = self.adopt(state)
        elapsed = self.elapsed_days(current, day)
        states = self._model.next_states(self._memory(current), self.desired_retention, elapsed)
        chosen = (states.again, states.hard, states.good, states.easy)[rating(grade) - 1]
        return current, chosen

    # --- the Scheduler protocol ------------------------------------------------------------------

    def initial(self) -> FSRSState:
        return FSRSState()

    def review(self, state: SM2State, grade: int, day: date) -> FSRSState:
        current, chosen = self._next(state, grade, day)
        interval = self._interval(chosen.interval, self.elapsed_days(current, day), day)
        passed = rating(grade) > AGAIN
        return replace(
            current,
            repetitions=current.repetitions + 1 if passed else 0,
            interval=interval,
            due=day + timedelta(days=interval),
            stability=chosen.memory.stability,
            difficulty=chosen.memory.difficulty,
        )

    def redrill(self, state: SM2State, grade: int, day: date) -> SM2State:
        """A same-day answer (a re-drill): FSRS-6's short-term memory update; interval and due stay.

        srs-benchmark and Anki feed same-day answers to the memory model the same way (elapsed 0).
        """
        current = self.adopt(state)
        memory = self._memory(current)
        if memory is None:
            return state
        states = self._model.next_states(memory, self.desired_retention, 0)
        chosen = (states.again, states.hard, states.good, states.easy)[rating(grade) - 1]
        return replace(current, stability=chosen.memory.stability, difficulty=chosen.memory.difficulty)

    def preview(self, state: SM2State, day: date) -> Mapping[int, int]:
        return {grade: self.review(state, grade, day).interval for grade in GRADES}

    def predicted_recall(self, state: SM2State, day: date) -> float | None:
        if state.is_new:
            return None
        current = self.adopt(state)
        assert current.stability is not None
        return retrievability(self.parameters, self.elapsed_days(current, day), current.stability)

    def is_lapse(self, state: SM2State, grade: int) -> bool:
        """A lapse: a card that had been learned (repetitions >= 1) answered Again (grades 0-2), as in SM-2."""
        return state.repetitions >= 1 and rating(grade) == AGAIN


__all__ = ["DEFAULT_PARAMETERS", "FSRSScheduler", "FSRSState", "rating", "retrievability", "fuzz_range"]
