"""Moved to ``mlcards.schedulers.sm2``; this name stays importable while callers move over."""

from mlcards.schedulers.sm2 import *  # noqa: F403
from mlcards.schedulers.sm2 import INITIAL_EASINESS_CENTI, MIN_EASINESS_CENTI  # noqa: F401
