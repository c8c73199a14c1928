"""What an Anki user expects of the review screen: interval previews on the grade bar, the next due
date after grading, four-button mode, practice sessions that say so, and the day-one note."""

from __future__ import annotations

from mlcards.tui.screens.review import DAY_ONE_NOTE, ReviewScreen
from tests.tui._support import (
    SIZE,
    TERMS,
    answer_before,
    at_day,
    card_id,
    card_row,
    keep_only,
    make_db,
    query,
    reviews,
    screen_text,
    settle,
    squash,
    static_text,
)


async def open_review(app, pilot) -> ReviewScreen:
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def test_the_grade_bar_previews_every_interval_and_the_status_line_gives_the_next_due_date(db, app_for):
    neuron = card_id(db, "neuron", "recall")
    answer_before(db, neuron, 5, at_day(29))  # learned yesterday: due today, one repetition
    keep_only(db, ("neuron", "recall"), ("weight", "recall"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        assert screen.shown.card.id == neuron
        assert "next" not in static_text(app, "#grades")  # nothing before the reveal
        await pilot.press("space")
        await settle(pilot)
        # SM-2 on repetitions 1: below 3 starts again at 1 day, 3 or more goes to 6 days
        assert "next  0 · 1d  1 · 1d  2 · 1d  3 · 6d  4 · 6d  5 · 6d" in static_text(app, "#grades")
        await pilot.press("4")
        await settle(pilot)
        assert card_row(db, neuron)["due"] == "2026-12-06"
        assert static_text(app, "#message") == "next: Sun 06 Dec, in 6 days"
        assert "next: Sun 06 Dec, in 6 days" in screen_text(app)  # beside the progress bar, on screen

        await pilot.press("space")  # weight, new: every grade gives 1 day
        await settle(pilot)
        assert "next  0 · 1d  1 · 1d  2 · 1d  3 · 1d  4 · 1d  5 · 1d" in static_text(app, "#grades")
        await pilot.press("2")  # wrong: re-drilled today
        await settle(pilot)
        assert static_text(app, "#message") == "next: Tue 01 Dec, tomorrow"
        assert screen.shown.redrill
        await pilot.press("space")
        await settle(pilot)
        bar = static_text(app, "#grades")  # a same-day re-drill moves nothing: said instead of intervals
        assert "next  0" not in bar and "re-drill: today's first answer set the schedule; this one keeps it" in bar
        await pilot.press("5")
        await settle(pilot)
        assert static_text(app, "#message") == "schedule kept · next: Tue 01 Dec, tomorrow"
        assert card_row(db, card_id(db, "weight", "recall"))["due"] == "2026-12-01"


async def test_four_button_mode_logs_again_hard_good_easy_as_1_3_4_5(tmp_path, app_for):
    db = make_db(tmp_path / "four.db", settings={"answer_buttons": 4})
    neuron = card_id(db, "neuron", "recall")
    answer_before(db, neuron, 5, at_day(29))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        assert screen.shown.card.id == neuron
        await pilot.press("space")
        await settle(pilot)
        bar = static_text(app, "#grades")
        assert "1 Again  2 Hard  3 Good  4 Easy" in bar and "blackout" not in bar
        assert "next  1 · 1d  2 · 6d  3 · 6d  4 · 6d" in bar  # each button's interval, for its grade
        assert "1234 Grade" in screen_text(app)  # the footer offers only the four keys
        await pilot.press("0", "5")  # not buttons in this mode
        await settle(pilot)
        assert reviews(db)[1:] == []
        await pilot.press("2")  # Hard
        await settle(pilot)
        assert [r["grade"] for r in reviews(db)][1:] == [3]

        expected = {"1": 1, "3": 4, "4": 5}
        for key, grade in expected.items():  # the next cards: new terms of the deck
            await pilot.press("space", key)
            await settle(pilot)
            assert reviews(db)[-1]["grade"] == grade
        await pilot.press("space", "space")  # accept the suggested 4: the Good button, logged 4
        await settle(pilot)
        assert reviews(db)[-1]["grade"] == 4
        assert [r["grade"] for r in reviews(db)][1:] == [3, 1, 4, 5, 4]


async def test_a_practice_session_says_so_and_moves_no_schedule(db, app_for):
    neuron = card_id(db, "neuron", "recall")
    answer_before(db, neuron, 5, at_day(29))
    before = card_row(db, neuron)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = ReviewScreen(practice="custom", cards=[neuron])
        await app.push_screen(screen)
        await settle(pilot)
        assert "practice · schedule unchanged" in static_text(app, "#status")
        await pilot.press("space")
        await settle(pilot)
        bar = static_text(app, "#grades")
        assert "practice: the schedule stays as it is" in bar and "next  0" not in bar
        await pilot.press("5")
        await settle(pilot)
        assert static_text(app, "#message") == "logged as practice: schedule unchanged"
        assert "practice · schedule unchanged" in static_text(app, "#status")  # on the summary too
        assert card_row(db, neuron) == before and len(reviews(db)) == 1
        assert [r["grade"] for r in query(db, "SELECT grade FROM practice_log")] == [5]


async def test_day_one_explains_why_reverse_and_multiple_choice_cards_wait(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        for _ in TERMS:  # a deck never studied: one card per term today, its recall card
            assert screen.shown.card.kind.value == "recall"
            await pilot.press("space", "5")
            await settle(pilot)
        assert screen.phase == "done"
        assert DAY_ONE_NOTE in squash(static_text(app, "#summary"))
        assert "Reverse and multiple-choice cards of today's new terms arrive from tomorrow" in squash(screen_text(app))


async def test_no_day_one_note_when_the_deck_was_studied_before_or_nothing_waits(db, app_for):
    answer_before(db, card_id(db, "loss", "recall"), 5, at_day(20))  # studied on an earlier day
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        while screen.phase != "done":
            await pilot.press("space", "5")
            await settle(pilot)
        assert screen.session.answered >= 5
        assert "Session summary" in static_text(app, "#summary")
        assert "arrive from tomorrow" not in static_text(app, "#summary")


async def test_no_day_one_note_when_the_terms_have_no_other_cards(tmp_path, app_for):
    db = make_db(tmp_path / "one.db")
    keep_only(db, *((t, "recall") for t in TERMS))  # every other card suspended: nothing waits for tomorrow
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        while screen.phase != "done":
            await pilot.press("space", "5")
            await settle(pilot)
        assert "arrive from tomorrow" not in static_text(app, "#summary")
