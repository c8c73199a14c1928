"""Snapshots (pytest-textual-snapshot) of the main screens at 100x30 and 80x24.

Deterministic: our own small deck, a fixed clock and time zone, answer times of exactly 0 s, and a
fixed quiz seed. Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look
at the report before accepting.
"""

from __future__ import annotations

import pytest

from mlcards.tui.app import make_app
from mlcards.tui.screens.quiz import QuizScreen
from tests.tui._support import answer_before, at_day, card_id, clock, keep_only, make_db, settle, term_id

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])


@pytest.fixture
def snap_db(tmp_path):
    """Some history so the figures are not all zero: one card due, one learning, one scheduled."""
    db = make_db(tmp_path / "snap.db")
    answer_before(db, card_id(db, "neuron", "recall"), 5, at_day(29))
    answer_before(db, card_id(db, "weight", "recall"), 2, at_day(29))
    for day in (20, 21, 27):
        answer_before(db, card_id(db, "bias", "recall"), 5, at_day(day))
    return db


@SIZES
def test_dashboard(snap_compare, snap_db, fake_time, size):
    assert snap_compare(make_app(snap_db, clock=clock), run_before=settle, terminal_size=size)


@SIZES
def test_card_front(snap_compare, snap_db, fake_time, size):
    assert snap_compare(make_app(snap_db, clock=clock), press=["r"], run_before=settle, terminal_size=size)


@SIZES
def test_card_back(snap_compare, snap_db, fake_time, size):
    assert snap_compare(make_app(snap_db, clock=clock), press=["r", "space"], run_before=settle, terminal_size=size)


@SIZES
def test_multiple_choice_card(snap_compare, tmp_path, fake_time, size):
    db = make_db(tmp_path / "mc.db")
    [related] = keep_only(db, ("neuron", "related"))
    answer_before(db, related, 5, at_day(29))  # due today
    assert snap_compare(make_app(db, clock=clock), press=["r"], run_before=settle, terminal_size=size)


@SIZES
def test_quiz_concept_map(snap_compare, snap_db, fake_time, size):
    async def answer_one(pilot):
        await settle(pilot)
        await pilot.app.push_screen(QuizScreen(term_id=term_id(snap_db, "neuron"), seed="snapshot"))
        await settle(pilot)
        await pilot.press(str(pilot.app.screen.question.answer + 1))
        await settle(pilot)

    assert snap_compare(make_app(snap_db, clock=clock), run_before=answer_one, terminal_size=size)


@SIZES
def test_browse(snap_compare, snap_db, fake_time, size):
    async def browse(pilot):
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)

    assert snap_compare(make_app(snap_db, clock=clock), run_before=browse, terminal_size=size)
