"""The dashboard and stats figures are recomputed only when something changed: a commit by another
process, by this app's worker connections or by its UI connection, or a new study day."""

from __future__ import annotations

import threading

from textual.widgets import DataTable

from mlcards import answering, stats
from mlcards.store import Store
from mlcards.tui.screens import home
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.stats import StatsScreen
from tests.tui._support import NOW, SIZE, card_id, make_db, settle, squash, static_text


def deck_rows(app) -> dict[str, list[str]]:
    table = app.screen.query_one("#decks", DataTable)
    return {str(row[0]): [str(c) for c in row[1:]] for row in (table.get_row_at(i) for i in range(table.row_count))}


def count_calls(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


async def test_the_change_state_sees_every_connection_commit(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.change_state()
        assert app.change_state() == before  # reading changes nothing

        def on_worker() -> None:  # a worker thread's own connection, as the review screen uses
            app.worker_store().set_setting("theme", "nord")

        t = threading.Thread(target=on_worker)
        t.start()
        t.join()
        after_worker = app.change_state()
        assert after_worker != before

        app.store.set_setting("theme", "gruvbox")  # the UI connection's own commit
        after_ui = app.change_state()
        assert after_ui != after_worker

        with Store.open(db) as other:  # another process
            other.set_setting("theme", "textual-dark")
        assert app.change_state() != after_ui


async def test_back_on_the_dashboard_nothing_changed_no_recompute(tmp_path, app_for, monkeypatch):
    calls = count_calls(monkeypatch, home, "day_counts")
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = len(calls)
        assert first == 1  # the first push computes once (mount and resume do not both)
        for _ in range(3):
            await pilot.press("b")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
        app.check_outside_changes()
        await settle(pilot)
        assert len(calls) == first


async def test_an_answer_in_this_app_updates_the_dashboard(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = deck_rows(app)["Neural Nets"]
        assert "0 answered" in static_text(app, "#today-progress")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("space", "5")  # answered on a worker connection
        await settle(pilot)
        app.pop_screen()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "1 answered" in static_text(app, "#today-progress")
        assert deck_rows(app)["Neural Nets"] != before


async def test_an_answer_in_another_process_updates_the_dashboard_on_return(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "0 answered" in static_text(app, "#today-progress")
        await pilot.press("b")
        await settle(pilot)
        with Store.open(db) as other:  # a second terminal answers while the browser is open
            answering.answer(other, card_id(db, "neuron", "recall"), 5, NOW)
        await pilot.press("escape")  # no poll in between: the resume itself sees the commit
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "1 answered" in static_text(app, "#today-progress")
        with Store.open(db) as other:
            answering.answer(other, card_id(db, "weight", "recall"), 5, NOW)
        app.check_outside_changes()  # while the dashboard shows: the poll
        await settle(pilot)
        assert "2 answered" in static_text(app, "#today-progress")


async def test_stats_figures_are_kept_per_deck_and_range_until_a_change(tmp_path, app_for, monkeypatch):
    calls = count_calls(monkeypatch, stats, "summary")
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        assert len(calls) == 1  # opening computes once
        await pilot.press("r", "r", "r", "r", "r")  # 90, 365, all, 7, back to 30
        await settle(pilot)
        assert app.screen.summary.range == "30" and len(calls) == 5  # 30 came from the memo
        await pilot.press("d", "d")  # the deck, then all decks again
        await settle(pilot)
        assert app.screen.summary.deck is None and len(calls) == 6
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")  # re-opened: nothing changed
        await settle(pilot)
        assert len(calls) == 6 and app.screen.summary.range == "30"
        assert "0 answers" in squash(static_text(app, "#tile-today"))
        await pilot.press("escape")
        await settle(pilot)
        with Store.open(db) as other:
            answering.answer(other, card_id(db, "neuron", "recall"), 5, NOW)
        await pilot.press("s")  # re-opened after an answer elsewhere: computed again
        await settle(pilot)
        assert len(calls) == 7
        assert "1 answer" in squash(static_text(app, "#tile-today"))
