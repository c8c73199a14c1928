"""The review screen: reveal, grade, accept, re-drill, suspend, bury, leech, session summary.

Every answer is checked through a second sqlite3 connection: the card row and the log row are
committed before the next card shows.
"""

from __future__ import annotations

from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.review import ReviewScreen
from tests.tui._support import (
    SIZE,
    TERMS,
    answer_before,
    at_day,
    card_id,
    card_row,
    keep_only,
    query,
    reviews,
    schedule,
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


async def test_grades_are_committed_card_row_and_log_row(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        assert "What does this term mean?" in screen_text(app)
        assert static_text(app, "#front") == "neuron"
        assert "space reveals" in static_text(app, "#grades")

        await pilot.press("4")  # grades do nothing before the reveal
        await settle(pilot)
        assert reviews(db) == [] and screen.phase == "front"

        await pilot.press("space")
        await settle(pilot)
        back = static_text(app, "#back")
        assert "Definition" in back and "sums its weighted inputs" in back
        assert "In plain English" in back and "Example" in back and "weight, bias, activation" in back
        bar = static_text(app, "#grades")
        for label in ("0 blackout", "1 wrong·knew", "2 wrong·easy", "3 hard", "4 hesitant", "5 perfect"):
            assert label in bar

        await pilot.press("5")
        await settle(pilot)
        # committed: a second connection sees the card and its log row while the app is still running
        neuron = card_row(db, card_id(db, "neuron", "recall"))
        assert (neuron["repetitions"], neuron["easiness_centi"], neuron["interval"], neuron["due"]) == (1, 260, 1, "2026-12-01")
        [r1] = reviews(db)
        assert (r1["card_id"], r1["grade"], r1["kind"], r1["study_day"], r1["source"]) == (neuron["id"], 5, "new", "2026-11-30", "review")
        assert r1["reviewed_at"] == "2026-11-30T12:00:00.000Z" and r1["utc_offset_min"] == 0
        assert (r1["reps_before"], r1["reps_after"], r1["ease_before"], r1["ease_after"]) == (0, 1, 250, 260)
        assert static_text(app, "#front") == "weight"
        assert "1 answered · 5 left" in static_text(app, "#status")

        await pilot.press("space", "2")
        await settle(pilot)
        weight = card_row(db, card_id(db, "weight", "recall"))
        # q=2: repetitions reset, interval 1, easiness 2.5 - 0.32
        assert (weight["repetitions"], weight["easiness_centi"], weight["interval"], weight["due"]) == (0, 218, 1, "2026-12-01")
        assert [r["grade"] for r in reviews(db)] == [5, 2]


async def test_space_and_enter_reveal_then_accept_the_suggested_4(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("space")
        await settle(pilot)
        assert screen.suggested == 4
        assert screen.phase == "back"
        await pilot.press("space")  # accepts 4
        await pilot.press("enter", "enter")  # Enter reveals and accepts too
        await settle(pilot)
        assert [(r["grade"], r["card_id"]) for r in reviews(db)] == [
            (4, card_id(db, "neuron", "recall")),
            (4, card_id(db, "weight", "recall")),
        ]
        assert static_text(app, "#front") == "bias"


async def test_redrill_comes_back_at_the_end_and_keeps_the_schedule(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("space", "3")  # neuron: below 4, comes back at the end
        await settle(pilot)
        neuron = card_id(db, "neuron", "recall")
        after_first = schedule(db, neuron)
        for expected in TERMS[1:]:
            assert static_text(app, "#front") == expected
            assert "re-drill" not in static_text(app, "#status")
            await pilot.press("space", "5")
        await settle(pilot)
        assert static_text(app, "#front") == "neuron"
        assert "re-drill" in static_text(app, "#status")
        assert screen.shown.redrill
        await pilot.press("space", "5")
        await settle(pilot)
        log = reviews(db)
        assert [r["kind"] for r in log] == ["new"] * 6 + ["redrill"]
        assert log[-1]["card_id"] == neuron and log[-1]["grade"] == 5
        assert schedule(db, neuron) == after_first  # the re-drill answer moved nothing
        assert (log[-1]["reps_before"], log[-1]["interval_before"]) == (log[-1]["reps_after"], log[-1]["interval_after"])

        # the session summary
        assert "Session complete" in static_text(app, "#status")
        summary = squash(static_text(app, "#summary"))
        assert "6 cards · 7 answers · 100% graded 3 or more · 1 re-drill" in summary
        assert "Next cards due Tue 01 Dec (6)" in summary


async def test_a_redrill_graded_below_4_comes_back_again(db, app_for):
    keep_only(db, ("neuron", "recall"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("space", "1", "space", "3")
        await settle(pilot)
        assert screen.shown is not None and screen.shown.redrill
        await pilot.press("space", "4")
        await settle(pilot)
        assert screen.phase == "done"
        assert [(r["grade"], r["kind"]) for r in reviews(db)] == [(1, "new"), (3, "redrill"), (4, "redrill")]
        assert "0 re-drill" not in static_text(app, "#summary")
        assert "2 re-drills" in static_text(app, "#summary")


async def test_suspend_and_bury_from_review(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("s")  # suspend neuron's recall card
        await settle(pilot)
        assert card_row(db, card_id(db, "neuron", "recall"))["suspended"] == 1
        # said beside the progress bar, where no toast covers anything
        assert "Suspended this recall card of “neuron” · u undoes" in static_text(app, "#message")
        assert not app._notifications
        assert static_text(app, "#front") == "weight"
        await pilot.press("minus")  # bury weight's recall card until tomorrow
        await settle(pilot)
        assert card_row(db, card_id(db, "weight", "recall"))["buried_until"] == "2026-12-01"
        assert static_text(app, "#front") == "bias"
        assert "Buried “weight” until tomorrow" in static_text(app, "#message")
        assert reviews(db) == []  # neither is an answer
        assert screen.session.answered == 0

        # a new session the same day shows neither card: neuron's reverse card takes its place, weight waits
        await pilot.press("q")
        await settle(pilot)
        screen = await open_review(app, pilot)
        queue = [screen.shown.card.id, *screen.session.main]  # the card on screen, then the rest of today's queue
        shown = [(c["term"], c["kind"]) for c in (
            query(db, "SELECT t.term, c.kind FROM cards c JOIN terms t ON t.id = c.term_id WHERE c.id = ?", (cid,))[0]
            for cid in queue
        )]
        assert ("neuron", "recall") not in shown and ("weight", "recall") not in shown
        assert ("neuron", "reverse") in shown
        assert [t for t, _ in shown] == ["neuron", "weight", "bias", "activation", "layer", "loss"]
        assert shown[1] == ("weight", "reverse")  # the buried card's sibling, not the buried card


async def test_leech_at_the_eighth_lapse_is_suspended_and_announced(db, app_for):
    cid = keep_only(db, ("neuron", "recall"))[0]
    day = 15
    for _ in range(7):  # learned, then lapsed, seven times over fourteen days
        answer_before(db, cid, 5, at_day(day))
        answer_before(db, cid, 1, at_day(day + 1))
        day += 2
    answer_before(db, cid, 5, at_day(29))  # learned again: due today
    assert card_row(db, cid)["lapses"] == 7 and card_row(db, cid)["due"] == "2026-11-30"

    app = app_for(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_review(app, pilot)
        assert static_text(app, "#front") == "neuron"
        await pilot.press("space", "1")  # the eighth lapse
        await settle(pilot)
        row = card_row(db, cid)
        assert (row["lapses"], row["leech"], row["suspended"]) == (8, 1, 1)
        assert reviews(db)[-1]["leeched"] == 1 and reviews(db)[-1]["lapse"] == 1
        [note] = [n for n in app._notifications if n.title == "Leech"]
        assert "“neuron” lapsed 8 times" in note.message and "suspended" in note.message
        assert note.severity == "warning"
        # graded 1 but suspended: it does not come back as a re-drill
        assert screen.phase == "done"
        toast = squash(screen_text(app))  # the toast is on screen, not only in the list
        assert "Leech" in toast and "lapsed 8 times" in toast

        await pilot.press("u")  # undo takes the leech back too
        await settle(pilot)
        row = card_row(db, cid)
        assert (row["lapses"], row["leech"], row["suspended"]) == (7, 0, 0)
        assert screen.shown.card.id == cid


async def test_leave_with_q_and_escape_keeps_answers(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("space", "5", "escape")
        await settle(pilot)
        # an answer was given: the first Esc shows the session's summary, the second leaves
        assert app.screen is screen and screen.leaving
        assert "1 card · 1 answer · 100% graded 3 or more" in squash(static_text(app, "#summary"))
        assert "q again to leave" in static_text(app, "#grades")
        assert "Leaving the session" in static_text(app, "#status")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert len(reviews(db)) == 1
        await open_review(app, pilot)
        assert static_text(app, "#front") == "weight"  # neuron was answered today


async def test_q_shows_the_summary_first_and_space_goes_back_to_the_card(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("q")  # nothing answered yet: leaves at once
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        screen = await open_review(app, pilot)
        await pilot.press("space", "4", "space", "q")  # weight revealed, then q
        await settle(pilot)
        assert screen.leaving
        assert "Session summary" in static_text(app, "#summary")
        assert "weight" not in screen_text(app)  # the card is out of the way
        assert "space Back to the card" in screen_text(app) and "Reveal" not in screen_text(app)
        await pilot.press("5")  # grades do nothing on the summary
        await settle(pilot)
        assert len(reviews(db)) == 1
        await pilot.press("space")  # back to the card, as it was: revealed
        await settle(pilot)
        assert not screen.leaving and screen.phase == "back" and static_text(app, "#front") == "weight"
        assert not screen.query_one("#summary").display and "Definition" in static_text(app, "#back")
        await pilot.press("q", "q")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert len(reviews(db)) == 1


async def test_a_toast_covers_neither_the_status_line_nor_the_grade_bar(db, app_for):
    """At 80x24 the leech warning (the review's one toast) sits above the grade bar and the footer."""
    cid = keep_only(db, ("neuron", "recall"), ("weight", "recall"))[0]
    day = 15
    for _ in range(7):
        answer_before(db, cid, 5, at_day(day))
        answer_before(db, cid, 1, at_day(day + 1))
        day += 2
    answer_before(db, cid, 5, at_day(29))
    app = app_for(db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("space", "1")  # the eighth lapse: a leech, announced in a toast
        await settle(pilot)
        assert [n.title for n in app._notifications] == ["Leech"]
        await pilot.press("space")  # weight revealed: the grade bar has its two lines
        await settle(pilot)
        rows = screen_text(app).splitlines()
        assert "lapsed 8 times" in squash(screen_text(app))  # the toast is on screen
        assert rows[0].startswith(" Neural Nets · recall · new") and "1 answered · 1 left" in rows[0]
        assert "Leech" not in rows[0] + rows[1] and "next: Tue 01 Dec, tomorrow" in rows[1]
        grades = rows[-3:]
        assert "0 blackout" in grades[0] and "5 perfect" in grades[0]
        assert grades[1].split() == "next 0 · 1d 1 · 1d 2 · 1d 3 · 1d 4 · 1d 5 · 1d".split()
        assert "Grade" in grades[2]
        assert screen.phase == "back"
