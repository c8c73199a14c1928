"""Schedulers behind one seam (``base.Scheduler``): SM-2 (the default, exact) and FSRS-6.

``get(name)`` returns the scheduler a deck's ``scheduler`` setting names, with default settings;
``for_deck`` builds it with a deck's own (FSRS's parameters, desired retention, maximum interval, fuzz).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlcards.errors import StoreError
from mlcards.schedulers.base import Scheduler
from mlcards.schedulers.sm2 import SM2Scheduler

if TYPE_CHECKING:
    from mlcards.settings import DeckSettings

DEFAULT = "sm2"

NAMES = ("sm2", "fsrs")
"""Every scheduler a deck can use."""

_SCHEDULERS: dict[str, Scheduler[Any]] = {"sm2": SM2Scheduler()}
"""Built on first use: FSRS (its Rust extension) loads only for a deck that uses it."""


def get(name: str = DEFAULT) -> Scheduler[Any]:
    """The scheduler called ``name``; ValueError naming the known ones otherwise."""
    scheduler = _SCHEDULERS.get(name)
    if scheduler is None:
        if name != "fsrs":
            raise ValueError(f"unknown scheduler {name!r}; known: {', '.join(NAMES)}")
        from mlcards.schedulers.fsrs import FSRSScheduler

        scheduler = _SCHEDULERS[name] = FSRSScheduler()
    return scheduler


def for_deck(name: str, settings: DeckSettings, card_id: int = 0) -> Scheduler[Any]:
    """The scheduler called ``name`` with a deck's settings (SM-2 has none: it is exact by promise).

    ``card_id`` seeds FSRS's fuzz, so a card's fuzzed due dates are the same on every replay.
    """
    scheduler = get(name)
    if name == "fsrs":
        from mlcards.schedulers.fsrs import FSRSScheduler

        try:
            return FSRSScheduler(
                settings.fsrs_parameters,
                desired_retention=settings.desired_retention,
                maximum_interval=settings.maximum_interval,
                fuzz=settings.fuzz,
                fuzz_seed=card_id,
            )
        except ValueError as e:
            raise StoreError(str(e)) from None
    return scheduler
