"""Snapshots of the quiz's end (with misses) and of custom study, at 100x30 and 80x24.

Deterministic: our own small deck, a fixed clock and time zone, answer times of exactly 0 s and a
fixed quiz seed. Regenerate with ``pytest tests/tui/test_snapshots_quiz.py --snapshot-update`` and
look at the report before accepting.
"""

from __future__ import annotations

import pytest

from mlcards.tui.app import make_app
from mlcards.tui.screens.quiz import QuizScreen
from tests.tui._support import answer_before, at_day, card_id, clock, make_db, settle

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])


@pytest.fixture
def snap_db(tmp_path):
    """Some history: a lapsed card, a hard one, one due tomorrow."""
    db = make_db(tmp_path / "snap.db")
    for grade, day in ((5, 20), (5, 21), (1, 27)):
        answer_before(db, card_id(db, "loss", "recall"), grade, at_day(day))
    answer_before(db, card_id(db, "layer", "recall"), 3, at_day(28))
    answer_before(db, card_id(db, "neuron", "recall"), 5, at_day(29))
    return db


@SIZES
def test_quiz_end_with_misses(snap_compare, snap_db, fake_time, size):
    async def finish(pilot):
        await settle(pilot)
        await pilot.app.push_screen(QuizScreen(deck="Neural Nets", seed="snapshot"))
        await settle(pilot)
        quiz = pilot.app.screen
        i = 0
        while quiz.question is not None:
            q = quiz.question
            choice = q.answer if i % 2 == 0 else (q.answer + 1) % len(q.choices)
            await pilot.press(str(choice + 1), "space")
            await settle(pilot)
            i += 1
        await settle(pilot)

    assert snap_compare(make_app(snap_db, clock=clock), run_before=finish, terminal_size=size)


@SIZES
def test_custom_study(snap_compare, snap_db, fake_time, size):
    async def open_custom(pilot):
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(make_app(snap_db, clock=clock), run_before=open_custom, terminal_size=size)


@SIZES
def test_custom_study_one_tag(snap_compare, snap_db, fake_time, size):
    async def pick_tag(pilot):
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("4", "down")
        await settle(pilot)

    assert snap_compare(make_app(snap_db, clock=clock), run_before=pick_tag, terminal_size=size)
