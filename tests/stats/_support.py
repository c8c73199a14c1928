"""Known review histories for the stats tests, answered through the real ``Store.answer``."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from mlcards import answering
from mlcards.models import Deck
from mlcards.store import Store
from tests.conftest import small_deck

D0 = date(2024, 1, 1)


def noon(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def at(offset: int, minute: int = 0) -> datetime:
    """Noon UTC (plus ``minute`` minutes) on study day D0 + offset (time zone UTC, rollover 4)."""
    return noon(D0 + timedelta(days=offset)) + timedelta(minutes=minute)


def card(store: Store, deck: str, term: str, kind: str) -> int:
    row = store.db.execute(
        """SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id
           WHERE d.name = ? AND t.term = ? AND c.kind = ?""",
        [deck, term, kind],
    ).fetchone()
    assert row is not None, (deck, term, kind)
    return row[0]


def four_term_deck() -> Deck:
    """Four unlinked terms: a recall and a reverse card each, no related-concept cards."""
    return Deck(name="Four", terms=[dict(term=f"term {i}", definition=f"Meaning {i}.") for i in range(1, 5)])


def done_when(store: Store, day1: datetime, day2: datetime) -> list[int]:
    """Issue 5's scripted history: day 1 four new cards graded 4; day 2 those four graded 4, 4, 2, 4
    and the failed one re-drilled to 5. Returns the four card ids."""
    store.apply_deck(four_term_deck())
    ids = [card(store, "Four", f"term {i}", "recall") for i in range(1, 5)]
    for cid in ids:
        answering.answer(store, cid, 4, day1, duration_ms=3000)
    for cid, grade in zip(ids, (4, 4, 2, 4)):
        answering.answer(store, cid, grade, day2, duration_ms=2000)
    answering.answer(store, ids[2], 5, day2 + timedelta(minutes=5), duration_ms=1000)
    return ids


# The main history: deck "Tiny" (small_deck: six linked terms, 18 cards), time zone UTC, rollover 4.
# Offsets are study days after D0 (2024-01-01); "today" is D72 (2024-03-13).
#
#   A alpha recall : D0 5, D1 5, D7 5, D24 5, D72 2 (a mature lapse), D72 4 (re-drill)
#   B beta recall  : D0 3, D1 1 (lapse), D1 3 (re-drill), D1 4 (re-drill), D2 4, D72 4
#   C gamma related: D72 5 (new)
#   D delta recall : D0 5, D1 5, D7 5, D24 5, D72 5 (a mature pass: interval 48 -> 140)
#   E delta related: D72 2 (new, failed), D72 4 (re-drill)
#   zeta reverse is suspended, never studied.
#
# Deck "Other" (the same six terms): alpha recall D3 4 (new), D72 5 (review).
TODAY = D0 + timedelta(days=72)

HISTORY = {
    "A": ("Tiny", "alpha", "recall", [(0, 5), (1, 5), (7, 5), (24, 5), (72, 2), (72, 4)]),
    "B": ("Tiny", "beta", "recall", [(0, 3), (1, 1), (1, 3), (1, 4), (2, 4), (72, 4)]),
    "C": ("Tiny", "gamma", "related", [(72, 5)]),
    "D": ("Tiny", "delta", "recall", [(0, 5), (1, 5), (7, 5), (24, 5), (72, 5)]),
    "E": ("Tiny", "delta", "related", [(72, 2), (72, 4)]),
    "O": ("Other", "alpha", "recall", [(3, 4), (72, 5)]),
}


def build_history(store: Store) -> dict[str, int]:
    store.set_setting("timezone", "UTC")
    store.apply_deck(small_deck("Tiny"))
    store.apply_deck(small_deck("Other"))
    ids = {name: card(store, deck, term, kind) for name, (deck, term, kind, _) in HISTORY.items()}
    answers = sorted(
        (offset, i, name, grade)
        for name, (*_, steps) in HISTORY.items()
        for i, (offset, grade) in enumerate(steps)
    )
    for minute, (offset, _i, name, grade) in enumerate(answers):
        answering.answer(store, ids[name], grade, at(offset, minute), duration_ms=1000)
    store.set_suspended(card(store, "Tiny", "zeta", "reverse"), True)
    return ids
