"""Snapshots of Browse (issue 11) at 100x30 and 80x24: marks, the Deck column, a buried card, a bad search.

Regenerate with ``pytest tests/tui/test_snapshots_browse.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from mlcards.models import Deck
from mlcards.store import Store
from mlcards.tui.app import make_app
from tests.tui._support import TODAY, answer_before, at_day, card_id, clock, make_db, nn_deck, settle

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])


@pytest.fixture
def browse_db(tmp_path):
    stats = Deck(name="Statistics", description="", terms=[
        dict(term="mean", definition="The average of the values.", tags=["stats"]),
        dict(term="variance", definition="How far the values spread from their mean.", tags=["stats", "spread"]),
    ])
    db = make_db(tmp_path / "browse.db", nn_deck(), stats)
    answer_before(db, card_id(db, "neuron", "recall"), 5, at_day(29))
    answer_before(db, card_id(db, "weight", "recall"), 2, at_day(29))
    for day in (20, 21, 27):
        answer_before(db, card_id(db, "bias", "recall"), 5, at_day(day))
    with Store.open(db) as store:
        store.bury(card_id(db, "mean", "recall"), TODAY)
        store.set_suspended(card_id(db, "variance", "reverse"), True)
    return db


@SIZES
def test_browse_marks_and_decks(snap_compare, browse_db, size):
    async def marks(pilot):
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("space", "down", "space", "down", "down")  # two marked, the cursor below them
        await settle(pilot)
        pilot.app.screen.query_one("#search").value = "deck:stat* or tag:basics"
        await settle(pilot)
        await pilot.press("space", "down", "down", "space")  # one more, and the buried card

    assert snap_compare(make_app(browse_db, clock=clock), run_before=marks, terminal_size=size)


@SIZES
def test_browse_bad_search(snap_compare, browse_db, size):
    async def bad(pilot):
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("slash", *"is:due")
        await settle(pilot)
        pilot.app.screen.query_one("#search").value = "is:due prop:ivl>>3"
        await settle(pilot)

    assert snap_compare(make_app(browse_db, clock=clock), run_before=bad, terminal_size=size)
