"""Today's queue, pure over rows from the store: due first, then new within the limits.

- Due cards, most overdue first (the store sorts them), up to the review limit.
- Then new cards in deck order, up to the new-card limit.
- One card per term per day: once a term has a card in today's queue (or was answered today), its
  sibling cards wait for the next day.
- Re-drills (cards whose latest answer today was below 4) come after everything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


class Row(Protocol):
    @property
    def card_id(self) -> int: ...

    @property
    def term_id(self) -> int: ...

    @property
    def deck_id(self) -> int: ...


@dataclass(frozen=True)
class Limits:
    """Cards still allowed today: new ones and reviews (daily limit minus what was done today)."""

    new: int
    review: int

    @classmethod
    def remaining(cls, new_per_day: int, reviews_per_day: int, new_done: int, reviews_done: int) -> "Limits":
        return cls(new=max(0, new_per_day - new_done), review=max(0, reviews_per_day - reviews_done))


def _one_per_term(
    rows: Iterable[Row], taken_terms: set[int], cap: int, deck_caps: dict[int, int] | None = None
) -> list[int]:
    out: list[int] = []
    left = dict(deck_caps or {})
    for row in rows:
        if len(out) >= cap:
            break
        if row.term_id in taken_terms:
            continue
        if row.deck_id in left:
            if left[row.deck_id] <= 0:
                continue
            left[row.deck_id] -= 1
        taken_terms.add(row.term_id)
        out.append(row.card_id)
    return out


def build_queue(
    due: Sequence[Row],
    new: Sequence[Row],
    limits: Limits,
    *,
    redrill: Sequence[int] = (),
    answered_terms: Iterable[int] = (),
    limit: int | None = None,
    deck_limits: dict[int, Limits] | None = None,
) -> tuple[list[int], list[int]]:
    """Return (main queue, re-drill queue) as card ids.

    ``limit`` caps the number of distinct cards in the session (re-drills included). ``deck_limits``
    caps what each listed deck contributes (a deck's own limits, minus what it did today), inside
    ``limits``, as Anki's per-deck limits do.
    """
    taken = set(answered_terms)
    caps = deck_limits or {}
    main = _one_per_term(due, taken, limits.review, {d: lim.review for d, lim in caps.items()})
    main += _one_per_term(new, taken, limits.new, {d: lim.new for d, lim in caps.items()})
    redrills = [c for c in dict.fromkeys(redrill) if c not in set(main)]
    if limit is not None:
        limit = max(0, limit)
        main = main[:limit]
        redrills = redrills[: max(0, limit - len(main))]
    return main, redrills


def candidate_window(limits: Limits, due_terms: int = 0) -> tuple[int, int]:
    """How many due and new rows to fetch so that one-per-term filtering still fills the limits.

    A term has at most three cards, so 3 x N rows always hold at least N distinct terms. Each of the
    ``due_terms`` terms that a due card takes can hide up to two new siblings among the new rows.
    """
    return 3 * limits.review + 3, 3 * limits.new + 2 * max(0, due_terms) + 3
