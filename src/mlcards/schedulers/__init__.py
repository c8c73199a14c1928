"""Schedulers behind one seam (``base.Scheduler``): SM-2 today; FSRS joins as one more module.

``get(name)`` returns the scheduler a deck's ``scheduler`` setting names.
"""

from __future__ import annotations

from typing import Any

from mlcards.schedulers.base import Scheduler
from mlcards.schedulers.sm2 import SM2Scheduler

DEFAULT = "sm2"

_SCHEDULERS: dict[str, Scheduler[Any]] = {"sm2": SM2Scheduler()}

NAMES = tuple(_SCHEDULERS)
"""Every scheduler a deck can use."""


def get(name: str = DEFAULT) -> Scheduler[Any]:
    """The scheduler called ``name``; ValueError naming the known ones otherwise."""
    try:
        return _SCHEDULERS[name]
    except KeyError:
        raise ValueError(f"unknown scheduler {name!r}; known: {', '.join(NAMES)}") from None
