"""The settings screen (`,` on the dashboard): it shows the saved values, saves what it shows with
ctrl+s, refuses invalid values with the CLI's messages next to the field, and the deck's own fields
(from DeckSettings) and scheduler; the theme chosen anywhere is saved and used on the next start."""

from __future__ import annotations

import json
import re

from textual.widgets import Input

from mlcards.settings import check_setting
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.settings import Choice, SettingsScreen
from tests.tui._support import SIZE, make_db, nn_deck, query, screen_text, settle, squash, static_text


def saved(db, key: str):
    rows = query(db, "SELECT value FROM settings WHERE key = ?", (key,))
    return json.loads(rows[0]["value"]) if rows else None


def deck_saved(db, key: str):
    rows = query(db, "SELECT value FROM deck_settings WHERE key = ?", (key,))
    return json.loads(rows[0]["value"]) if rows else None


async def open_settings(app, pilot) -> SettingsScreen:
    await settle(pilot)
    await pilot.press("comma")
    await settle(pilot)
    assert isinstance(app.screen, SettingsScreen)
    return app.screen


async def set_field(pilot, app, widget_id: str, text: str) -> None:
    field = app.screen.query_one(f"#{widget_id}", Input)
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*text) if text else None
    await settle(pilot)


async def test_settings_show_the_saved_values_and_save_what_they_show(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db", settings={"new_per_day": 7})
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        assert screen.query_one("#global-new_per_day", Input).value == "7"
        assert screen.query_one("#global-timezone", Input).value == "UTC"
        assert app.focused is screen.query_one("#global-new_per_day")  # keyboard-first: the first field
        await pilot.press("down")  # arrows move between fields
        assert app.focused is screen.query_one("#global-reviews_per_day")
        await set_field(pilot, app, "global-new_per_day", "5")
        await set_field(pilot, app, "global-leech_threshold", "12")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (saved(db, "new_per_day"), saved(db, "leech_threshold")) == (5, 12)
        assert "Settings saved" in static_text(app, "#settings-status")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        # the dashboard follows at once: five new cards (one per term, six terms)
        assert "5 new" in static_text(app, "#today-counts")


async def test_an_invalid_value_is_refused_with_the_cli_message_next_to_the_field(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        await set_field(pilot, app, "global-new_per_day", "9")
        await set_field(pilot, app, "global-rollover_hour", "25")
        await set_field(pilot, app, "global-keymap", '{"review.revael": "j"}')
        await pilot.press("ctrl+s")
        await settle(pilot)
        try:
            check_setting("rollover_hour", "25")
        except Exception as e:  # the CLI prints exactly this after "error: "
            expected = str(e)
        assert static_text(app, "#error-global-rollover_hour") == expected
        assert "unknown binding id 'review.revael'" in static_text(app, "#error-global-keymap")
        assert static_text(app, "#error-global-new_per_day") == ""
        assert "Not saved: 2 fields need a valid value" in static_text(app, "#settings-status")
        assert saved(db, "new_per_day") is None  # nothing saved while a field is invalid
        # the first invalid field has the focus and is on screen (80x24)
        assert app.focused is screen.query_one("#global-rollover_hour")
        # (the scroll bar's thumb may be drawn over the end of a line: left out)
        assert expected in squash(re.sub("[▁▂▃▄▅▆▇█]", " ", screen_text(app)))
        await set_field(pilot, app, "global-rollover_hour", "3")
        assert static_text(app, "#error-global-rollover_hour") == ""  # editing clears the message
        await set_field(pilot, app, "global-keymap", '{"review.reveal": "j"}')
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (saved(db, "new_per_day"), saved(db, "rollover_hour")) == (9, 3)
        assert saved(db, "keymap") == {"review.reveal": "j"}
        assert app._keymap.get("review.reveal") == "j"  # applied to the running app


async def test_the_highlighted_decks_own_limits_and_scheduler(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db", nn_deck("First"), nn_deck("Second"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down")  # highlight Second
        screen = await open_settings(app, pilot)
        assert "Second" in screen_text(app)
        # every DeckSettings field has a row, generically
        from mlcards.settings import DECK_SETTING_NAMES

        for key in DECK_SETTING_NAMES:
            assert screen.query(f"#deck-{key}"), key
        assert screen.query_one("#deck-new_per_day", Input).value == ""  # none of its own
        await set_field(pilot, app, "deck-new_per_day", "2")
        scheduler = screen.query_one("#deck-scheduler", Choice)
        assert scheduler.value == "sm2"
        scheduler.focus()
        await pilot.press("right")
        assert scheduler.value == "fsrs"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert deck_saved(db, "new_per_day") == 2
        assert query(db, "SELECT name, scheduler FROM decks ORDER BY id") == [
            {"name": "First", "scheduler": "sm2"}, {"name": "Second", "scheduler": "fsrs"},
        ]
        assert "rebuilt with fsrs" in static_text(app, "#settings-status")
        await set_field(pilot, app, "deck-new_per_day", "")  # empty: back to none of its own
        await set_field(pilot, app, "deck-desired_retention", "0.5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "between 0.70 and 0.97" in static_text(app, "#error-deck-desired_retention")
        assert deck_saved(db, "new_per_day") == 2
        await set_field(pilot, app, "deck-desired_retention", "0.85")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert deck_saved(db, "new_per_day") is None and deck_saved(db, "desired_retention") == 0.85
        await pilot.press("escape")
        await settle(pilot)
        rows = {str(app.screen.query_one("#decks").get_row_at(i)[0]): i for i in range(2)}
        assert set(rows) == {"First", "Second"}


async def test_a_theme_chosen_in_the_palette_is_saved_and_used_on_the_next_start(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        app.theme = "nord"  # what the palette's "Change theme" does
        await settle(pilot)
        await app.workers.wait_for_complete()
    assert saved(db, "theme") == "nord"
    again = app_for(db)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"
        screen = await open_settings(again, pilot)
        assert screen.query_one("#global-theme", Choice).value == "nord"


async def test_settings_is_in_the_command_palette_on_every_screen(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles.count("Settings: limits, study day, theme, keys, the deck's own") == 1
        await pilot.press("s")
        await settle(pilot)
        assert "Settings" in [c.title for c in app.get_system_commands(app.screen)]


async def test_the_sync_settings_are_on_the_screen_and_saved(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    folder = tmp_path / "shared"
    folder.mkdir()
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        toggle = screen.query_one("#global-sync_on_start_quit", Choice)
        assert toggle.value == "off"
        await set_field(pilot, app, "global-sync_folder", str(folder))
        toggle.focus()
        await pilot.press("right")
        assert toggle.value == "on"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (saved(db, "sync_folder"), saved(db, "sync_on_start_quit")) == (str(folder), True)
