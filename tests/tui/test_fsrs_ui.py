"""Issue 12 in the app: the stats screen's FSRS section (on `f`, computed only when asked), the workload
next to the settings screen's desired retention, and switching a deck to FSRS and back from the settings
screen. Real files, the real app through Pilot, the fixed clock."""

from __future__ import annotations

import re
import threading

import pytest
from textual.widgets import Input

from mlcards import simulate
from mlcards.store import Store
from mlcards.tui.app import make_app
from mlcards.tui.screens.settings import Choice, SettingsScreen
from mlcards.tui.screens.stats import StatsScreen
from mlcards.tui.widgets.fsrs_panel import FSRSPanel
from tests.fsrs.test_fsrs_panel import studied_db
from tests.tui._support import SIZE, clock, make_db, nn_deck, query, screen_text, settle, squash, static_text


def counting(monkeypatch) -> list[str]:
    """Record each deck the FSRS figures are computed for (the real computation runs)."""
    calls: list[str] = []
    real = simulate.deck_figures

    def deck_figures(store, deck_id, **kwargs):
        calls.append(store.deck_name(deck_id))
        return real(store, deck_id, **kwargs)

    monkeypatch.setattr(simulate, "deck_figures", deck_figures)
    return calls


async def open_stats(app, pilot) -> StatsScreen:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    assert isinstance(app.screen, StatsScreen)
    return app.screen


async def test_the_fsrs_section_is_computed_only_on_f_and_shows_the_decks_figures(tmp_path, monkeypatch):
    db = studied_db(tmp_path)
    with Store.open(db) as store:  # (before the app: opening the file meanwhile counts as an outside change)
        expected = simulate.deck_figures(store, store.require_deck("Neural Nets"), now=clock())
    calls = counting(monkeypatch)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_stats(app, pilot)
        assert calls == [] and not screen.query(FSRSPanel)  # opening the stats costs nothing of FSRS
        await pilot.press("f")
        await settle(pilot)
        panel = screen.query_one(FSRSPanel)
        assert calls == ["Neural Nets"] and panel.display
        f = panel.figures
        assert f is not None and (f.calibration, f.forecast) == (expected.calibration, expected.forecast)
        assert [o.as_json() for o in f.decide.outcomes] == [o.as_json() for o in expected.decide.outcomes]
        assert sum(b.reviews for b in f.calibration) > 0
        calibration = static_text(app, "#fsrs-calibration")
        first = f.calibration[0]
        assert f"{first.actual:>6.0%}  {first.reviews}" in calibration  # a bin's actual rate and its reviews
        decide = squash(static_text(app, "#fsrs-decide"))
        at90 = next(o.as_json() for o in f.decide.outcomes if o.desired_retention == 0.9)
        assert f"FSRS-6 at 0.90 {at90['reviews_per_day']} {at90['minutes_per_day']}" in decide
        assert "next 30 days, at 90%" in static_text(app, "#fsrs-forecast")
        assert "Predicted against actual recall" in screen_text(app)  # on screen, at the top

        await pilot.press("f")  # hides it; showing it again for the same deck computes nothing
        await settle(pilot)
        assert not panel.display and "Predicted against actual recall" not in screen_text(app)
        await pilot.press("f")
        await settle(pilot)
        assert panel.display and calls == ["Neural Nets"]
        await pilot.press("r")  # the range does not change FSRS's figures: not recomputed
        await settle(pilot)
        assert calls == ["Neural Nets"]
        await pilot.press("d")  # all decks -> Neural Nets: the section follows the deck
        await settle(pilot)
        assert calls == ["Neural Nets", "Neural Nets"] and panel.figures is not None


async def test_the_section_says_computing_until_the_figures_arrive(tmp_path, monkeypatch):
    release = threading.Event()
    real = simulate.deck_figures

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(simulate, "deck_figures", slow)
    db = studied_db(tmp_path)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_stats(app, pilot)
        await pilot.press("f")
        for _ in range(3):
            await pilot.pause()
        assert "FSRS · computing…" in static_text(app, "#fsrs-title")
        assert "5 answers" not in static_text(app, "#fsrs-title")
        release.set()
        await settle(pilot)
        assert "Neural Nets uses SM-2" in squash(static_text(app, "#fsrs-title"))


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_fsrs_section_snapshot(snap_compare, tmp_path, size):
    db = studied_db(tmp_path, fsrs=True)

    async def run_before(pilot) -> None:
        await open_stats(pilot.app, pilot)
        await pilot.press("f")
        await settle(pilot)

    assert snap_compare(make_app(db, clock=clock), run_before=run_before, terminal_size=size)


# --- the settings screen ---------------------------------------------------------------------------------


async def open_settings(app, pilot) -> SettingsScreen:
    await settle(pilot)
    await pilot.press("comma")
    await settle(pilot)
    assert isinstance(app.screen, SettingsScreen)
    return app.screen


async def type_retention(pilot, app, text: str) -> None:
    field = app.screen.query_one("#deck-desired_retention", Input)
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*text)
    await settle(pilot)


def expected_workload(db, retention: float) -> str:
    with Store.open(db) as store:
        per_day, minutes = simulate.workload(store, store.require_deck("Neural Nets"), retention, now=clock())
    return f"FSRS-6 at {retention:.2f}: {per_day} answers/day · {minutes} min/day"


async def test_the_workload_follows_the_retention_typed(tmp_path):
    db = studied_db(tmp_path)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        line = squash(static_text(app, "#settings-workload"))
        assert line.startswith(expected_workload(db, 0.9)) and "remembered after a year" in line
        assert "The deck uses SM-2, which ignores the retention: choose fsrs" in line
        await type_retention(pilot, app, "0.75")
        line = squash(static_text(app, "#settings-workload"))
        assert line.startswith(expected_workload(db, 0.75)) and expected_workload(db, 0.75) != expected_workload(db, 0.9)
        await type_retention(pilot, app, "0.5")  # refused on save: no figure for it
        assert "shown once the retention is valid" in static_text(app, "#settings-workload")
        await type_retention(pilot, app, "0.95")
        assert squash(static_text(app, "#settings-workload")).startswith(expected_workload(db, 0.95))
        # a result for a value no longer shown is dropped
        screen.show_workload("Neural Nets", 0.75, {"reviews_per_day": 99.0, "minutes_per_day": 9.0,
                                                    "remembered_at_end": 1.0})
        assert "99.0" not in static_text(app, "#settings-workload")
        scheduler = screen.query_one("#deck-scheduler", Choice)
        scheduler.focus()
        await pilot.press("right")  # fsrs picked: the note about SM-2 goes
        await settle(pilot)
        assert scheduler.value == "fsrs" and "ignores" not in static_text(app, "#settings-workload")


CARD_COLUMNS = "id, repetitions, easiness_centi, interval, due, lapses, leech, suspended, stability, difficulty"


async def test_switching_to_fsrs_and_back_from_the_settings_screen(tmp_path):
    db = studied_db(tmp_path)
    before = query(db, f"SELECT {CARD_COLUMNS}, modified_at FROM cards ORDER BY id")
    log = query(db, "SELECT * FROM review_log ORDER BY id")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        assert "undo: switch back" in squash(re.sub("[▁▂▃▄▅▆▇█]", " ", screen_text(app)))
        scheduler = screen.query_one("#deck-scheduler", Choice)
        for name in ("fsrs", "sm2"):
            scheduler.focus()
            await pilot.press("right")
            assert scheduler.value == name
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert f"rebuilt with {name}" in static_text(app, "#settings-status")
            assert query(db, "SELECT scheduler FROM decks") == [{"scheduler": name}]
            if name == "fsrs":
                on_fsrs = query(db, f"SELECT {CARD_COLUMNS} FROM cards WHERE repetitions > 0 ORDER BY id")
                assert on_fsrs and all(c["stability"] is not None for c in on_fsrs)
    after = query(db, f"SELECT {CARD_COLUMNS}, modified_at FROM cards ORDER BY id")
    strip = [{k: v for k, v in c.items() if k != "modified_at"} for c in before]
    assert [{k: v for k, v in c.items() if k != "modified_at"} for c in after] == strip
    assert query(db, "SELECT * FROM review_log ORDER BY id") == log  # the log never changes


async def test_the_workload_of_an_empty_deck(tmp_path):
    db = make_db(tmp_path / "cards.db", nn_deck("Fresh"))
    app = make_app(db, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(app, pilot)
        line = squash(static_text(app, "#settings-workload"))
        assert line.startswith("FSRS-6 at 0.90:") and "answers/day" in line  # new cards only


async def test_the_forecast_chart_follows_the_width(tmp_path):
    db = studied_db(tmp_path)
    app = make_app(db, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_stats(app, pilot)
        await pilot.press("f")
        await settle(pilot)

        def widest() -> int:
            return max(len(line) for line in static_text(app, "#fsrs-forecast").splitlines())

        wide = widest()
        await pilot.resize_terminal(60, 24)
        await settle(pilot)
        assert widest() < wide and widest() <= 60 - 4
