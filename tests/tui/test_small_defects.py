"""Issue 11's smaller defects: the term view's Enter, the help's keys and wording, the database shown."""

from __future__ import annotations

from mlcards.tui.screens.help import HelpScreen
from mlcards.tui.screens.term import TermScreen
from tests.tui._support import SIZE, screen_text, settle, static_text, term_id


async def test_enter_in_the_term_view_opens_the_highlighted_related_term_at_once(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TermScreen(term_id(db, "neuron")))
        await settle(pilot)
        first = app.screen
        assert app.focused is first.query_one("#term-cards")  # the focus starts on the cards
        await pilot.press("enter")  # no Tab first
        await settle(pilot)
        assert isinstance(app.screen, TermScreen) and app.screen is not first
        assert app.screen.term_id == term_id(db, "weight")  # neuron's first related term
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is first
        await pilot.press("tab", "down", "enter")  # Tab to the list, pick the second one
        await settle(pilot)
        assert app.screen.term_id == term_id(db, "bias")


async def test_help_shows_keys_as_people_read_them_one_line_per_action(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")  # stats: "escape,q" -> Back
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        lines = [" ".join(line.split()) for line in static_text(app, "#help-box Static").splitlines()]
        assert "Esc q Back" in lines
        assert not any("escape" in line or "," in line.split(" ")[0] for line in lines if line)
        quit_lines = [line for line in lines if line.endswith("Quit")]
        assert quit_lines == ["ctrl+q Quit"], quit_lines  # one line per action
        assert "? Help" in lines


async def test_help_explains_redrills_and_names_the_database(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = " ".join(static_text(app, "#help-box Static").split())
        assert "A re-drill is a same-day repeat of a card you graded below 4" in text
        assert "its schedule stays as that answer set it" in text
        assert f"Database {db}" in text
        lines = [" ".join(line.split()) for line in static_text(app, "#help-box Static").splitlines()]
        assert [line for line in lines if line.endswith(" Quit")] == ["q ctrl+q Quit"]
        assert ", Settings: limits, study day, theme, keys, the deck's own" in lines
        assert "Keys on this screen (Home)" in screen_text(app)
