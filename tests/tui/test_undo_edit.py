"""Undo (the schedule restored exactly, log rows removed) and edit (text changes, schedule kept)."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from mlcards.tui.screens.edit import EditTermScreen
from mlcards.tui.screens.review import ReviewScreen
from tests.tui._support import (
    SIZE,
    answer_before,
    at_day,
    card_id,
    query,
    reviews,
    schedule,
    screen_text,
    settle,
    static_text,
    term_id,
)


def all_schedules(db) -> dict[int, tuple]:
    return {r["id"]: schedule(db, r["id"]) for r in query(db, "SELECT id FROM cards")}


async def test_undo_several_steps_restores_schedules_exactly(db, app_for):
    answer_before(db, card_id(db, "bias", "recall"), 4, at_day(29))  # a studied card, due today
    before = all_schedules(db)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        initial = screen.session.remaining
        order = []
        for grade in ("5", "2", "4"):  # bias (due) first, then new neuron (re-drilled after 2), weight
            order.append(screen.shown.card.id)
            await pilot.press("space", grade)
        await settle(pilot)
        assert [r["card_id"] for r in reviews(db)][1:] == order
        assert [card_id(db, t, "recall") for t in ("bias", "neuron", "weight")] == order
        changed = all_schedules(db)
        assert all(changed[c] != before[c] for c in order)

        for step, cid in enumerate(reversed(order), 1):
            await pilot.press("u")
            await settle(pilot)
            assert screen.shown.card.id == cid and screen.phase == "front"  # that card is back on screen
            assert schedule(db, cid) == before[cid]  # exactly its previous schedule
            assert len(reviews(db)) == 1 + 3 - step  # its log row is gone
        assert all_schedules(db) == before
        assert screen.session.remaining == initial  # the three cards are queued again, no re-drill entry
        assert screen.session.answered == 0

        await pilot.press("u")  # nothing left to undo in this session: yesterday's answer stays
        await settle(pilot)
        assert len(reviews(db)) == 1 and all_schedules(db) == before

        # the re-drill entry of the undone 2 is gone, and answering again works from the first card
        assert not screen.session.redrill
        await pilot.press("space", "4")
        await settle(pilot)
        assert [r["card_id"] for r in reviews(db)][1:] == order[:1]
        assert screen.shown.card.id == order[1]


async def test_undo_on_the_summary_brings_the_last_card_back(db, app_for):
    from tests.tui._support import keep_only

    [cid] = keep_only(db, ("loss", "recall"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", "space", "5")
        await settle(pilot)
        screen = app.screen
        assert screen.phase == "done" and "Session summary" in static_text(app, "#summary")
        await pilot.press("u")
        await settle(pilot)
        assert screen.phase == "front" and screen.shown.card.id == cid
        assert static_text(app, "#front") == "loss"
        assert reviews(db) == [] and schedule(db, cid)[:4] == (0, 250, 0, None)


async def test_edit_changes_the_text_and_keeps_every_schedule(db, app_for):
    neuron = [card_id(db, "neuron", k) for k in ("recall", "reverse", "related")]
    for day, cid, grade in ((20, neuron[0], 5), (21, neuron[1], 4), (22, neuron[2], 3)):
        answer_before(db, cid, grade, at_day(day))
    before = {cid: schedule(db, cid) for cid in neuron}
    logged = len(reviews(db))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", "space")
        await settle(pilot)
        screen = app.screen
        assert screen.shown.card.id == neuron[0]
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EditTermScreen)
        assert modal.query_one("#edit-term", Input).value == "neuron"
        assert modal.query_one("#edit-related", Input).value == "weight, bias, activation"
        definition = modal.query_one("#edit-definition", TextArea)
        assert definition.text.startswith("A unit that sums")

        # refused edits: an empty term, a name another term has; nothing is written
        modal.query_one("#edit-term", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert "term" in static_text(app, "#edit-error")
        modal.query_one("#edit-term", Input).value = "Weight"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal and "already has a term 'weight'" in static_text(app, "#edit-error")

        names = screen.session.answer_names
        names.others(screen.shown.card)  # typed answers have read the deck's names
        assert names._decks
        modal.query_one("#edit-term", Input).value = "neuron"
        definition.load_text("A unit that adds up [b]weighted[/b] inputs.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen  # dismissed, back on the same card, still revealed
        assert screen.phase == "back"
        assert names._decks == {}  # the edit may rename or add aliases: the names are read again
        assert "A unit that adds up [b]weighted[/b] inputs." in static_text(app, "#back")

        [row] = query(db, "SELECT term, definition FROM terms WHERE id = ?", (term_id(db, "neuron"),))
        assert row == {"term": "neuron", "definition": "A unit that adds up [b]weighted[/b] inputs."}
        assert {cid: schedule(db, cid) for cid in neuron} == before
        assert len(reviews(db)) == logged

        await pilot.press("5")  # grading still works on the edited card
        await settle(pilot)
        assert reviews(db)[-1]["card_id"] == neuron[0] and reviews(db)[-1]["grade"] == 5

        # Esc cancels an edit: nothing changes
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#edit-definition", TextArea).load_text("Something else.")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
    [row] = query(db, "SELECT definition FROM terms WHERE id = ?", (term_id(db, "neuron"),))
    assert row["definition"] == "A unit that adds up [b]weighted[/b] inputs."


async def test_u_undoes_suspend_bury_edit_and_answers_in_order_naming_each(db, app_for):
    neuron, weight, bias = (card_id(db, t, "recall") for t in ("neuron", "weight", "bias"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("space", "5")  # neuron answered
        await pilot.press("s")  # weight suspended
        await pilot.press("minus")  # bias buried
        await settle(pilot)
        assert static_text(app, "#front") == "activation"
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#edit-definition", TextArea).load_text("Rewritten in the session.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        activation = term_id(db, "activation")
        assert query(db, "SELECT definition FROM terms WHERE id = ?", (activation,))[0]["definition"] == "Rewritten in the session."

        await pilot.press("u")  # the edit first
        await settle(pilot)
        [row] = query(db, "SELECT definition FROM terms WHERE id = ?", (activation,))
        assert row["definition"] == "A non-linear function applied to a neuron's weighted sum."
        assert static_text(app, "#front") == "activation"
        assert static_text(app, "#message") == "Undone: the edit of “activation”"

        await pilot.press("u")  # the bury
        await settle(pilot)
        assert screen.shown.card.id == bias and query(db, "SELECT buried_until FROM cards WHERE id = ?", (bias,))[0]["buried_until"] is None
        assert static_text(app, "#message") == "Undone: burying “bias”"

        await pilot.press("u")  # the suspend
        await settle(pilot)
        assert screen.shown.card.id == weight and query(db, "SELECT suspended FROM cards WHERE id = ?", (weight,))[0]["suspended"] == 0
        assert static_text(app, "#message") == "Undone: suspending “weight”"
        assert "Undone: suspending “weight”" in screen_text(app)

        await pilot.press("u")  # the answer
        await settle(pilot)
        assert screen.shown.card.id == neuron and reviews(db) == []
        assert static_text(app, "#message") == "Undone: the answer to “neuron”"
        assert screen.phase == "front"

        await pilot.press("u")  # nothing left
        await settle(pilot)
        assert screen.shown.card.id == neuron
        # the queue is whole again: the same six cards in the same order
        assert [screen.shown.card.id, *screen.session.main] == [card_id(db, t, "recall") for t in
                                                                ("neuron", "weight", "bias", "activation", "layer", "loss")]
