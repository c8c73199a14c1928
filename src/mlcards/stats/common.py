"""The constants and the range / deck helpers every figure shares."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from mlcards.errors import MlcardsError
from mlcards.store import Store

MATURE_DAYS = 21
"""A card is mature once its interval reaches 21 days (Anki's threshold)."""

RANGES: dict[str, int | None] = {"7": 7, "30": 30, "90": 90, "365": 365, "all": None}
"""The range switch: last N study days, or every day (None)."""

FORECAST_DAYS = 30
HEATMAP_DAYS = 365
CLUSTER_MIN_ANSWERS = 3
"""A related-concept cluster is ranked once it has this many counted answers in the range."""

EASE_MIN_CENTI = 130
EASE_STEP_CENTI = 20
EASE_BUCKETS = 10
"""Easiness buckets of 0.20 from 1.30: 1.30-1.49, 1.50-1.69, ..., 2.90-3.09, then 3.10 and up."""

INTERVAL_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (1, 1), (2, 3), (4, 7), (8, 14), (15, 20), (21, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, None),
)
"""Interval buckets in days (inclusive bounds; None: no upper bound). 21 starts the mature ones."""



def parse_range(text: str | int | None) -> str:
    """Normalise a range choice (``7``, ``"30"``, ``"all"``, None for all) to a key of ``RANGES``."""
    key = "all" if text is None else str(text).strip().lower().removesuffix("d")
    if key not in RANGES:
        raise MlcardsError(f"unknown range {text!r}; choose one of {', '.join(RANGES)}")
    return key


def range_start(today: date, range: str | int | None) -> date | None:
    """First study day of a range ending today (None for ``all``)."""
    days = RANGES[parse_range(range)]
    return None if days is None else today - timedelta(days=days - 1)


def resolve_deck(store: Store, name: str | None) -> int | None:
    """Deck name to id (None: all decks); an unknown name raises ``StoreError`` listing the decks."""
    return None if name is None else store.require_deck(name)


def days_between(start: date, end: date) -> Iterable[date]:
    """Every day from ``start`` to ``end`` (inclusive)."""
    for i in range((end - start).days + 1):
        yield start + timedelta(days=i)
