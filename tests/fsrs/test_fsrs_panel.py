"""The FSRS panel (issue 12's stats figures) mounted on a screen of the real app, on a real file."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen

from mlcards import answering
from mlcards.store import Store
from mlcards.tui.app import make_app
from mlcards.tui.widgets.fsrs_panel import FSRSPanel
from tests.tui._support import SIZE, at_day, clock, make_db, settle, squash, static_text


class PanelScreen(Screen[None]):
    def __init__(self, deck: str | None) -> None:
        super().__init__()
        self.deck = deck

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield FSRSPanel(self.deck)


def studied_db(tmp_path, *, fsrs: bool = False):
    """The test deck answered on most days of November 2026 (seeded), re-drills included."""
    db = make_db(tmp_path / "panel.db")
    rng = random.Random(3)
    with Store.open(db) as s:
        deck = s.require_deck("Neural Nets")
        if fsrs:
            answering.switch_scheduler(s, deck, "fsrs")
        cards = s.card_ids(deck)
        for day in range(1, 30):
            for cid in cards:
                due = s.card_schedule(cid).schedule.state.due
                if due is None or due <= at_day(day).date():
                    grade = rng.choice([1, 4, 4, 5, 4])
                    answering.answer(s, cid, grade, at_day(day))
                    if grade < 4:
                        answering.answer(s, cid, 4, at_day(day) + timedelta(minutes=5))
    return db


async def _open(app, pilot, deck: str | None = "Neural Nets") -> FSRSPanel:
    await settle(pilot)
    await app.push_screen(PanelScreen(deck))
    await settle(pilot)
    return app.screen.query_one(FSRSPanel)


async def test_the_panel_shows_the_decks_fsrs_figures(tmp_path) -> None:
    db = studied_db(tmp_path)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open(app, pilot)
        f = panel.figures
        assert f is not None and f.deck == "Neural Nets" and f.scheduler == "sm2" and not f.fitted
        assert sum(b.reviews for b in f.calibration) > 0 and len(f.forecast) == 30
        assert [o.policy for o in f.decide.outcomes][-1] == "sm2"
        title = squash(static_text(app, "#fsrs-title"))
        assert "Neural Nets uses SM-2 (below: what FSRS-6 would do)" in title and "default parameters" in title
        assert "Predicted against actual recall" in static_text(app, "#fsrs-calibration")
        decide = static_text(app, "#fsrs-decide")
        assert "FSRS-6 at 0.90" in decide and "← this deck" in decide and "SM-2" in decide
        assert "next 30 days, at 90%" in static_text(app, "#fsrs-forecast")


async def test_an_unknown_deck_is_one_line_in_the_panel(tmp_path) -> None:
    db = make_db(tmp_path / "empty.db")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, deck="[b]Nope[/b]")
        title = static_text(app, "#fsrs-title")
        assert "no deck named '[b]Nope[/b]'" in title  # deck text stays text, never markup


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_fsrs_panel_snapshot(snap_compare, tmp_path, size) -> None:
    db = studied_db(tmp_path, fsrs=True)

    async def run_before(pilot) -> None:
        await _open(pilot.app, pilot)

    assert snap_compare(make_app(db, clock=clock), run_before=run_before, terminal_size=size)
