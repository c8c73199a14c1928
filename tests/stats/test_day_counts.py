"""Today's new / learning / review counts (``mlcards.todayqueue``): hand-computed figures at the
boundaries, each equal to what a ``ReviewSession`` on the same deck actually queues."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mlcards import answering
from mlcards.session import ReviewSession
from mlcards.store import Store
from mlcards.todayqueue import DayCounts, day_counts
from tests.conftest import small_deck
from tests.stats._support import card

# study day 2025-05-01 runs from 04:00 UTC on 1 May to 04:00 UTC on 2 May (rollover 4, time zone UTC)
DAY1 = datetime(2025, 5, 1, 12, tzinfo=timezone.utc)
DAY2 = DAY1 + timedelta(days=1)


def counts(store: Store, now: datetime, deck: str | None = None) -> DayCounts:
    """The core figure, checked against the session the same moment would start."""
    today = store.today(now)
    figure = day_counts(store, today, store.require_deck(deck) if deck else None)
    session = ReviewSession(store, deck=deck, clock=lambda: now)
    assert figure == DayCounts(new=session.new_count, learning=len(session.redrill), review=session.due_count)
    return figure


@pytest.fixture
def tiny(store: Store) -> Store:
    store.set_setting("timezone", "UTC")
    store.apply_deck(small_deck())  # six linked terms, three cards each
    return store


def test_a_fresh_deck_shows_one_new_card_per_term_within_the_new_limit(tiny):
    assert counts(tiny, DAY1) == DayCounts(new=6, learning=0, review=0)  # 18 cards, six terms
    tiny.set_setting("new_per_day", 4)
    assert counts(tiny, DAY1, "Tiny") == DayCounts(new=4)


def test_new_cards_done_today_count_against_the_limit_and_take_their_terms(tiny):
    tiny.set_setting("new_per_day", 3)
    answering.answer(tiny, card(tiny, "Tiny", "alpha", "recall"), 5, DAY1)
    # two new cards left under the limit; alpha's siblings wait for tomorrow
    assert counts(tiny, DAY1) == DayCounts(new=2, learning=0, review=0)


def test_a_failed_answer_is_learning_today_then_a_review_after_the_rollover(tiny):
    a = card(tiny, "Tiny", "alpha", "recall")
    late = datetime(2025, 5, 2, 3, 30, tzinfo=timezone.utc)  # still study day 1 May
    answering.answer(tiny, a, 2, late - timedelta(minutes=10))
    assert counts(tiny, late) == DayCounts(new=5, learning=1, review=0)
    answering.answer(tiny, a, 4, late)  # the re-drill reached 4: not learning any more
    assert counts(tiny, late) == DayCounts(new=5, learning=0, review=0)
    after = datetime(2025, 5, 2, 4, 30, tzinfo=timezone.utc)  # study day 2 May: due (interval 1)
    assert counts(tiny, after) == DayCounts(new=5, learning=0, review=1)


def test_the_review_limit_caps_review_cards_but_not_learning(tiny):
    ids = [card(tiny, "Tiny", t, "recall") for t in ("alpha", "beta", "gamma")]
    for cid in ids:
        answering.answer(tiny, cid, 5, DAY1)
    tiny.set_setting("reviews_per_day", 2)
    tiny.set_setting("new_per_day", 0)
    assert counts(tiny, DAY2) == DayCounts(new=0, learning=0, review=2)
    answering.answer(tiny, ids[0], 1, DAY2)  # one review done (failed): the limit has one left
    assert counts(tiny, DAY2) == DayCounts(new=0, learning=1, review=1)


def test_a_decks_own_limits_apply_to_it_and_inside_all_decks(tiny):
    tiny.apply_deck(small_deck("Other"))
    other = tiny.require_deck("Other")
    tiny.set_deck_setting(other, "new_per_day", 2)
    assert counts(tiny, DAY1, "Other") == DayCounts(new=2)
    assert counts(tiny, DAY1, "Tiny") == DayCounts(new=6)
    tiny.set_setting("new_per_day", 7)
    assert counts(tiny, DAY1) == DayCounts(new=7)  # Tiny's six, then one of Other's two
    answering.answer(tiny, card(tiny, "Other", "alpha", "recall"), 4, DAY1)
    assert counts(tiny, DAY1, "Other") == DayCounts(new=1)
    # global limit 7 minus the one done: six left; Tiny fills them
    assert counts(tiny, DAY1) == DayCounts(new=6)


def test_buried_and_suspended_cards_are_left_out(tiny):
    tiny.set_setting("new_per_day", 100)
    a, b = card(tiny, "Tiny", "alpha", "recall"), card(tiny, "Tiny", "beta", "recall")
    answering.answer(tiny, a, 5, DAY1)
    answering.answer(tiny, b, 5, DAY1)
    today2 = tiny.today(DAY2)
    assert counts(tiny, DAY2) == DayCounts(new=4, learning=0, review=2)
    tiny.bury(a, today2)  # alpha's recall waits for tomorrow: a sibling of alpha's takes its place
    assert counts(tiny, DAY2) == DayCounts(new=5, learning=0, review=1)
    tiny.set_suspended(b, True)
    assert counts(tiny, DAY2) == DayCounts(new=6, learning=0, review=0)
    # a suspended card is never a re-drill either
    g = card(tiny, "Tiny", "gamma", "recall")
    answering.answer(tiny, g, 1, DAY2)
    assert counts(tiny, DAY2).learning == 1
    tiny.set_suspended(g, True)
    assert counts(tiny, DAY2).learning == 0


def test_the_deck_summaries_carry_the_same_counts(tiny):
    answering.answer(tiny, card(tiny, "Tiny", "alpha", "recall"), 2, DAY1)
    (s,) = tiny.deck_summaries(tiny.today(DAY1))
    assert (s.new, s.learning, s.due, s.unseen) == (5, 1, 0, 17)
    assert counts(tiny, DAY1, "Tiny") == DayCounts(new=5, learning=1, review=0)
