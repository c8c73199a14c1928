"""Snapshots of the dashboard with today's three counts (a re-drill among them) and of the settings
screen, at 100x30 and 80x24. Regenerate with ``--snapshot-update`` and look at the report."""

from __future__ import annotations

import pytest

from mlcards.store import Store
from mlcards.tui.app import make_app
from tests.tui._support import answer_before, at_day, clock, make_db, nn_deck, query, settle

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])


@pytest.fixture
def counts_db(tmp_path):
    """Two decks. Neural Nets: neuron due today, weight failed today (a re-drill: learning), bias
    scheduled later. Second: its own limit of 2 new cards a day."""
    db = make_db(tmp_path / "home.db", nn_deck(), nn_deck("Second"))
    answer_before(db, card_id_in(db, "Neural Nets", "neuron"), 5, at_day(29))
    answer_before(db, card_id_in(db, "Neural Nets", "weight"), 2, at_day(30, 9))
    for day in (20, 21, 27):
        answer_before(db, card_id_in(db, "Neural Nets", "bias"), 5, at_day(day))
    with Store.open(db) as store:
        store.set_deck_setting(store.require_deck("Second"), "new_per_day", 2)
    return db


def card_id_in(db, deck: str, term: str) -> int:
    rows = query(
        db,
        "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id "
        "WHERE d.name = ? AND t.term = ? AND c.kind = 'recall'",
        (deck, term),
    )
    return rows[0]["id"]


@SIZES
def test_dashboard_counts(snap_compare, counts_db, size):
    # Neural Nets: 4 new (one card of bias, activation, layer, loss), 1 learning (weight), 1 due
    # (neuron); Second: 2 new (its own limit)
    assert snap_compare(make_app(counts_db, clock=clock), run_before=settle, terminal_size=size)


@SIZES
def test_settings_screen(snap_compare, counts_db, size):
    assert snap_compare(make_app(counts_db, clock=clock), press=["comma"], run_before=settle, terminal_size=size)


def test_the_snapshot_counts_are_the_sessions(counts_db):
    """What the dashboard snapshot shows, computed by the sessions themselves."""
    from mlcards.session import ReviewSession

    with Store.open(counts_db) as store:
        figures = {}
        for deck in ("Neural Nets", "Second"):
            s = ReviewSession(store, deck=deck, clock=clock)
            figures[deck] = (s.new_count, len(s.redrill), s.due_count)
        assert figures == {"Neural Nets": (4, 1, 1), "Second": (2, 0, 0)}
        assert [(x.new, x.learning, x.due) for x in store.deck_summaries(store.today(clock()))] == [(4, 1, 1), (2, 0, 0)]
