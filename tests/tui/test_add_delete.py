"""Adding, renaming, deleting and undeleting in the app: the dashboard, the term view, the edit modal."""

from __future__ import annotations

from textual.widgets import DataTable, Input, TextArea

from mlcards.tui.screens.confirm import ConfirmScreen, PromptScreen
from mlcards.tui.screens.edit import AddTermScreen, EditTermScreen
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.term import TermScreen
from tests.core.test_editing import every_table
from tests.tui._support import (
    SIZE,
    answer_before,
    at_day,
    card_id,
    make_db,
    nn_deck,
    query,
    settle,
    static_text,
    term_id,
)


def deck_rows(app) -> list[str]:
    table = app.screen.query_one("#decks", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_add_a_term_from_the_dashboard(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AddTermScreen)
        assert form.query_one("#edit-deck", Input).value == "Neural Nets"  # the highlighted deck
        assert app.focused is form.query_one("#edit-term", Input)
        await pilot.press(*"dropout")
        form.query_one("#edit-definition", TextArea).text = "Randomly zeroing activations while training."
        form.query_one("#edit-related", Input).value = "neuron, layer"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        rows = query(db, "SELECT c.kind FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.key = 'dropout'")
        assert sorted(r["kind"] for r in rows) == ["recall", "related", "reverse"]
        assert query(db, "SELECT COUNT(*) AS n FROM terms")[0]["n"] == 7
        table = app.screen.query_one("#decks", DataTable)
        assert str(table.get_row_at(0)[4]) == "7"  # the Terms column


async def test_adding_refuses_a_duplicate_and_shows_why_in_view(tmp_path, app_for):
    db = make_db(tmp_path / "c.db")
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        await pilot.press(*"Neuron")
        form.query_one("#edit-definition", TextArea).text = "Again."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open
        error = form.query_one("#edit-error")
        assert "already has a term 'neuron'" in static_text(app, "#edit-error")
        box = form.query_one("#edit-box")
        assert error.region.y >= box.region.y and error.region.bottom <= box.region.bottom  # on screen
        # a new deck name creates the deck
        form.query_one("#edit-deck", Input).value = "Fresh"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert deck_rows(app) == ["Neural Nets", "Fresh"]


async def test_edit_error_is_visible_at_80x24(db, app_for):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(EditTermScreen(term_id(db, "neuron")))
        await settle(pilot)
        form = app.screen
        form.query_one("#edit-definition", TextArea).text = "   "
        form.query_one("#edit-box").scroll_end(animate=False)  # as after tabbing down to the tags
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "definition" in static_text(app, "#edit-error")
        error, box = form.query_one("#edit-error"), form.query_one("#edit-box")
        assert box.region.contains_region(error.region) and error.region.height >= 1


async def test_delete_a_deck_asks_then_u_puts_it_back(tmp_path, app_for):
    db = make_db(tmp_path / "c.db", nn_deck(), nn_deck("Second"))
    answer_before(db, _first_card(db), 4, at_day(29))
    before = every_table(db)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert static_text(app, "#confirm-title") == "Delete deck 'Neural Nets'?"
        assert "6 terms, 18 cards and 1 answer" in static_text(app, "#confirm-body")
        await pilot.press("n")  # no: nothing changes
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and every_table(db) == before
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert deck_rows(app) == ["Second"]
        assert any("Deleted deck 'Neural Nets'" in str(n.message) and "press u to undo" in str(n.message)
                   for n in app._notifications)
        await pilot.press("u")
        await settle(pilot)
        assert deck_rows(app) == ["Neural Nets", "Second"]
        assert every_table(db) == before
        await pilot.press("u")
        await settle(pilot)
        assert any("nothing to undelete" in str(n.message) for n in app._notifications)


def _first_card(db) -> int:
    return query(db, "SELECT id FROM cards ORDER BY id LIMIT 1")[0]["id"]


async def test_rename_a_deck_refuses_a_clash(tmp_path, app_for):
    db = make_db(tmp_path / "c.db", nn_deck(), nn_deck("Second"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        field = prompt.query_one("#prompt-input", Input)
        assert field.value == "Neural Nets"
        field.value = "second"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is prompt
        assert "a deck named 'Second' exists already" in static_text(app, "#prompt-error")
        field.value = "Nets"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert deck_rows(app) == ["Nets", "Second"]


async def test_rename_and_delete_a_term_from_the_term_view(db, app_for):
    neuron = term_id(db, "neuron")
    answer_before(db, card_id(db, "neuron", "recall"), 4, at_day(29))
    before = every_table(db)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TermScreen(neuron))
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        prompt.query_one("#prompt-input", Input).value = "Unit"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TermScreen)
        assert "Unit" in static_text(app, "#term-text")
        assert query(db, "SELECT term FROM terms WHERE id = ?", (neuron,))[0]["term"] == "Unit"
        assert len(query(db, "SELECT * FROM reviews")) == 1  # the log stays with the renamed term

        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert static_text(app, "#confirm-title") == "Delete 'Unit' from Neural Nets?"
        assert "Its 3 cards and 1 answer" in static_text(app, "#confirm-body")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)  # the term view closed
        assert query(db, "SELECT COUNT(*) AS n FROM terms WHERE id = ?", (neuron,))[0]["n"] == 0
        assert any("press u on the dashboard to undo" in str(n.message) for n in app._notifications)
        await pilot.press("u")
        await settle(pilot)
        assert query(db, "SELECT term FROM terms WHERE id = ?", (neuron,))[0]["term"] == "Unit"
        assert len(query(db, "SELECT * FROM reviews")) == 1
    after = every_table(db)
    assert after["review_log"] == before["review_log"] and after["cards"] == before["cards"]
