"""The `keymap` setting remaps keys by binding id; the footer and the help follow."""

from __future__ import annotations

from mlcards.tui.screens.help import HelpScreen
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.review import ReviewScreen
from tests.tui._support import SIZE, make_db, reviews, screen_text, settle, static_text


async def test_remapped_keys_work_and_are_shown(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db", settings={"keymap": {"review.reveal": "j", "home.review_all": "g", "review.grade5": "p"}})
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "g Review" in screen_text(app)
        await pilot.press("r")  # r no longer starts a review
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("g")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "j Reveal" in screen_text(app)

        await pilot.press("space")  # space was replaced by j
        await settle(pilot)
        assert screen.phase == "front"
        await pilot.press("j")
        await settle(pilot)
        assert screen.phase == "back"
        await pilot.press("5")  # remapped away: nothing happens
        await settle(pilot)
        assert reviews(db) == []
        await pilot.press("p")
        await settle(pilot)
        assert [r["grade"] for r in reviews(db)] == [5]
        assert static_text(app, "#front") == "weight"

        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        help_text = static_text(app, "#help-box Static")
        assert any(line.split() == ["j", "Reveal"] for line in help_text.splitlines())
        assert any(line.split() == ["p", "Grade", "5"] for line in help_text.splitlines())
