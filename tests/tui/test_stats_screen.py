"""The stats screen: the issue's two-day history shows the same figures as `mlcards stats`."""

from __future__ import annotations

import pytest

from mlcards import answering, stats
from mlcards.store import Store
from mlcards.tui.app import make_app
from mlcards.tui.screens.stats import StatsScreen, heatmap_content
from tests.tui._support import SIZE, TODAY, at_day, card_id, clock, make_db, settle, squash, static_text

TERMS = ("neuron", "weight", "bias", "activation")


def two_day_db(tmp_path):
    """Day 1 (29 Nov): four new cards graded 4. Day 2 (30 Nov, today): 4, 4, 2, 4, then the 2 re-drilled to 5."""
    db = make_db(tmp_path / "stats.db")
    ids = [card_id(db, t, "recall") for t in TERMS]
    with Store.open(db) as store:
        for cid in ids:
            answering.answer(store, cid, 4, at_day(29), duration_ms=3000)
        for cid, grade in zip(ids, (4, 4, 2, 4)):
            answering.answer(store, cid, grade, at_day(30, 10), duration_ms=5000)
        answering.answer(store, ids[2], 5, at_day(30, 11), duration_ms=2000)
    return db


async def open_stats(app, pilot):
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    assert isinstance(app.screen, StatsScreen)
    return app.screen


async def test_stats_screen_shows_the_figures_of_the_two_day_history(tmp_path):
    db = two_day_db(tmp_path)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_stats(app, pilot)
        s = screen.summary
        assert (s.day.answers, s.reviews_total, s.streaks.current, s.retention_30d.rate) == (5, 9, 2, 0.75)
        today = squash(static_text(app, "#tile-today"))
        assert "5 answers" in today and "0 new · 4 review · 1 re-drill" in today and "22s" in today
        assert "2 days" in static_text(app, "#tile-streak")
        retention = squash(static_text(app, "#tile-retention"))
        assert "75% (4 reviews)" in retention
        cards = squash(static_text(app, "#tile-cards"))
        assert "1 learning" in cards and "3 young" in cards and "0 mature" in cards
        title = static_text(app, "#stats-title")
        assert "all decks" in title and "last 30 days" in title

        await pilot.press("r")  # 30 -> 90 days
        await settle(pilot)
        assert screen.summary.range == "90" and "last 90 days" in static_text(app, "#stats-title")
        await pilot.press("r", "r", "r")  # 365, all, then back to 7
        await settle(pilot)
        assert screen.summary.range == "7"

        await pilot.press("d")  # all decks -> the one deck
        await settle(pilot)
        assert screen.summary.deck == "Neural Nets" and "Neural Nets" in static_text(app, "#stats-title")
        await pilot.press("q")
        await settle(pilot)
        assert not isinstance(app.screen, StatsScreen)


def test_heatmap_marks_study_days_and_leaves_the_future_blank(tmp_path):
    db = two_day_db(tmp_path)
    with Store.open(db) as store:
        hm = stats.heatmap(store, TODAY)
    text = heatmap_content(hm, TODAY, weeks=4).plain.splitlines()
    assert text[1].startswith("Mon") and text[7].startswith("Sun")
    # 30 Nov 2026 is a Monday: the last column holds today on Monday and blanks for the rest of the week
    assert text[1].rstrip().endswith("■") and text[2].rstrip() == "" or text[2].endswith("  ")
    assert "less" in text[-1] and "more" in text[-1]


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_stats_screen_snapshot(snap_compare, tmp_path, size):
    db = two_day_db(tmp_path)
    assert snap_compare(make_app(db, clock=clock), press=["s"], run_before=settle, terminal_size=size)
