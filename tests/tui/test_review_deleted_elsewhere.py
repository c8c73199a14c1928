"""Another mlcards deletes the term on screen, or the one just answered: the review goes on (no crash)."""

from __future__ import annotations

from mlcards import editing
from mlcards.store import Store
from mlcards.tui.screens.review import ReviewScreen
from tests.tui._support import SIZE, query, reviews, settle


def _delete_term_elsewhere(db, term_id: int) -> None:
    with Store.open(db) as other:  # a second connection, as another process would hold
        editing.delete_terms(other, [term_id])


async def test_undo_of_an_answer_whose_card_was_deleted_elsewhere_says_so(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.shown is not None
        answered_term = screen.shown.card.term_id
        await pilot.press("space", "4")
        await settle(pilot)
        on_screen = screen.shown
        assert on_screen is not None and len(reviews(db)) == 1
        _delete_term_elsewhere(db, answered_term)
        await pilot.press("u")
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert screen.shown is not None and screen.shown.card.id == on_screen.card.id  # the same card stays
        assert any("Can't undo that" in n.message for n in app._notifications)
        # the queue still holds exactly what it held: answering goes on normally
        await pilot.press("space", "4")
        await settle(pilot)
        assert len(reviews(db)) == 1  # the deleted term's answer went with it; the new one is logged


async def test_grading_a_card_deleted_elsewhere_moves_on(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.shown is not None
        gone = screen.shown.card
        await pilot.press("space")
        _delete_term_elsewhere(db, gone.term_id)
        await pilot.press("4")
        await settle(pilot)
        assert app.is_running and screen.pending is None
        assert screen.shown is None or screen.shown.card.term_id != gone.term_id
        assert any("Not saved" in n.message for n in app._notifications)
        assert query(db, "SELECT COUNT(*) AS n FROM review_log")[0]["n"] == 0
