"""Practice answers (never part of the schedule) and settings a deck has of its own (issue 11)."""

from __future__ import annotations

from datetime import date

import pytest

from mlcards import answering
from mlcards.database import memory_database
from mlcards.errors import StoreError
from mlcards.session import ReviewSession
from mlcards.store import Store
from tests.conftest import small_deck, utc

T0 = utc(2025, 5, 1, 12)


def _store() -> Store:
    store = memory_database(install_bundled=False)
    store.apply_deck(small_deck(), now=T0)
    return store


def test_a_practice_answer_is_counted_but_moves_nothing():
    store = _store()
    session = ReviewSession(store, clock=lambda: T0)
    shown = session.next()
    assert shown is not None
    before = store.card(shown.card.id)
    done_before = store.done_today(date(2025, 5, 1))
    practice = ReviewSession(store, clock=lambda: T0, practice="custom", cards=[shown.card.id])
    assert practice.next() is not None
    result = practice.answer(1)
    assert result.practice_id is not None and result.review_id == 0
    after = store.card(shown.card.id)
    assert (after.state, after.lapses, after.is_new) == (before.state, before.lapses, before.is_new)
    assert store.done_today(date(2025, 5, 1)) == done_before
    assert store.redrill_cards(date(2025, 5, 1)) == []
    assert store.practice_counts(date(2025, 5, 1)) == (1, 0)
    # the next real session still offers the same card first
    assert ReviewSession(store, clock=lambda: T0).next().card.id == shown.card.id  # type: ignore[union-attr]
    practice.undo()
    assert store.practice_counts(date(2025, 5, 1)) == (0, 0)


def test_answering_practice_checks_the_grade():
    store = _store()
    with pytest.raises(ValueError):
        answering.practice(store, 1, 6, T0)


def test_a_deck_limit_caps_that_deck_and_default_drops_it():
    store = _store()
    deck_id = store.require_deck(small_deck().name)
    store.set_deck_setting(deck_id, "new_per_day", "2")
    assert store.deck_settings(deck_id).new_per_day == 2
    assert ReviewSession(store, clock=lambda: T0).new_count == 2
    assert ReviewSession(store, deck=small_deck().name, clock=lambda: T0).new_count == 2
    store.set_deck_setting(deck_id, "new_per_day", "default")
    assert store.deck_settings(deck_id).new_per_day is None
    assert ReviewSession(store, clock=lambda: T0).new_count > 2


@pytest.mark.parametrize(("key", "value", "message"), [
    ("desired_retention", "0.5", "between 0.70 and 0.97"),
    ("desired_retention", "x", "between 0.70 and 0.97"),
    ("new_per_day", "-3", "between 0"),
    ("maximum_interval", "0", "between 1 and 36500"),
    ("colour", "red", "unknown deck setting 'colour'"),
])
def test_bad_deck_settings_are_refused_in_one_line(key, value, message):
    store = _store()
    deck_id = store.require_deck(small_deck().name)
    with pytest.raises(StoreError, match=message):
        store.set_deck_setting(deck_id, key, value)
