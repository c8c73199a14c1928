"""Typed answers on reverse cards and multiple choice on related-concept cards, in the review screen."""

from __future__ import annotations

from textual.widgets import Input

from mlcards.tui.screens.review import ReviewScreen
from tests.tui._support import (
    SIZE,
    answer_before,
    at_day,
    keep_only,
    nn_deck,
    reviews,
    screen_text,
    settle,
    squash,
    static_text,
)

NEIGHBOURS = {"neuron": {"weight", "bias", "activation"}, "activation": {"neuron", "layer"}, "layer": {"activation", "loss"}}
DEFINITIONS = {t.term: t.definition for t in nn_deck().terms}


async def open_review(app, pilot) -> ReviewScreen:
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def test_typed_answers_exact_typo_wrong_override_and_cancel(db, app_for, fake_time):
    ids = keep_only(db, ("weight", "reverse"), ("activation", "reverse"), ("layer", "reverse"), ("loss", "reverse"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        typed = screen.query_one("#typed", Input)
        assert "Which term is this?" in screen_text(app)
        assert static_text(app, "#front") == DEFINITIONS["weight"]
        assert "t to type the term" in static_text(app, "#grades")
        assert not typed.display

        # exact (case-insensitive), typed key by key: 5 suggested
        await pilot.press("t")
        await settle(pilot)
        assert typed.display and typed.has_focus
        await pilot.press(*"WEIGHT", "enter")
        await settle(pilot)
        assert screen.phase == "back" and screen.suggested == 5
        feedback = squash(static_text(app, "#feedback"))
        assert "You typed: WEIGHT" in feedback and "100% match" in feedback
        assert "Term weight" in squash(static_text(app, "#back"))
        assert not typed.display
        await pilot.press("space")  # accepts the suggested 5
        await settle(pilot)

        # one letter missing from a long term: 4 suggested, the missing letter shown
        assert static_text(app, "#front") == DEFINITIONS["activation"]
        await pilot.press("t")
        typed.value = "activaton"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.suggested == 4
        verdict = screen.verdict
        assert ("missing", "i") in verdict.diff
        assert "95% match" in static_text(app, "#feedback")
        await pilot.press("enter")  # accepts 4
        await settle(pilot)

        # wrong: a low grade is suggested; the user overrides it with 3
        assert static_text(app, "#front") == DEFINITIONS["layer"]
        await pilot.press("t")
        typed.value = "loss"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.suggested == 1
        assert "You typed: loss" in static_text(app, "#feedback")
        await pilot.press("3")
        await settle(pilot)

        # while typing, letters go to the input (no suspend, no leaving); Esc cancels the typing only
        assert static_text(app, "#front") == DEFINITIONS["loss"]
        await pilot.press("t", "q", "s", "u")
        await settle(pilot)
        assert typed.value == "qsu" and isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and not typed.display and typed.value == ""
        assert screen.phase == "front"
        await pilot.press("space")  # then reveal as usual: self-graded, 4 suggested
        await settle(pilot)
        assert screen.suggested == 4 and screen.verdict is None
        await pilot.press("0")
        await settle(pilot)

    log = reviews(db)
    assert [(r["card_id"], r["grade"]) for r in log] == list(zip(ids, [5, 4, 3, 0]))
    assert all(r["kind"] == "new" and r["duration_ms"] == 0 for r in log)


async def test_type_key_only_applies_to_reverse_cards(db, app_for):
    keep_only(db, ("neuron", "recall"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("t")
        await settle(pilot)
        assert not screen.query_one("#typed", Input).display
        assert "Type answer" not in screen_text(app)


def check_question(q, term: str) -> None:
    """The right choice follows the deck's related-term graph; choices never repeat."""
    assert len(set(q.choices)) == len(q.choices) == 4
    assert set(q.choices) <= set(DEFINITIONS)
    if q.style == "define":  # which term is this definition?
        assert DEFINITIONS[term] in q.prompt
        assert q.choices[q.answer] == term
    elif q.style == "not_related":  # three neighbours and one far term, keyed on the far one
        assert q.prompt == f"Which of these is NOT related to “{term}”?"
        assert q.choices[q.answer] not in NEIGHBOURS[term]
        assert set(q.choices) - {q.choices[q.answer]} <= NEIGHBOURS[term]
    else:  # which of these is related to the term? (wrong options are far from it)
        assert q.style == "link"
        assert q.prompt == f"Which of these is related to “{term}”?"
        assert q.choices[q.answer] in NEIGHBOURS[term]
        assert not (set(q.choices) - {q.choices[q.answer]}) & NEIGHBOURS[term]


async def test_multiple_choice_choose_then_grade(db, app_for, fake_time):
    ids = keep_only(db, ("neuron", "related"), ("activation", "related"), ("layer", "related"))
    for cid in ids:  # studied yesterday: due today
        answer_before(db, cid, 5, at_day(29))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)

        # right, quickly: 5 suggested, the concept map on the back, space accepts
        q = screen.shown.question
        assert screen.shown.card.term == "neuron"
        check_question(q, "neuron")
        assert "Related concepts" in screen_text(app)
        assert "press 1-4 to choose" in static_text(app, "#grades")
        choices = static_text(app, "#choices")
        for i, choice in enumerate(q.choices, 1):
            assert f"{i}  {choice}" in choices
        await pilot.press(str(q.answer + 1))
        await settle(pilot)
        assert screen.phase == "back" and screen.suggested == 5
        assert static_text(app, "#feedback") == "Right, in 0s."
        assert f"✓ {q.answer + 1}  {q.choices[q.answer]}" in static_text(app, "#choices")
        cmap = squash(static_text(app, "#concept"))
        assert cmap.startswith(f"neuron {DEFINITIONS['neuron']}")
        assert "Related:" in cmap
        for n in NEIGHBOURS["neuron"]:
            assert f"{n} — {DEFINITIONS[n]}" in cmap
        await pilot.press("space")
        await settle(pilot)

        # wrong: 1 suggested and the right answer shown; then "3" is a grade, not a choice
        q = screen.shown.question
        assert screen.shown.card.term == "activation"
        check_question(q, "activation")
        wrong = next(i for i in range(4) if i != q.answer)
        await pilot.press(str(wrong + 1))
        await settle(pilot)
        assert screen.suggested == 1
        assert static_text(app, "#feedback") == f"Not quite: {q.choices[q.answer]}"
        assert f"✗ {wrong + 1}  {q.choices[wrong]}" in static_text(app, "#choices")
        await pilot.press("3")
        await settle(pilot)

        # revealed without choosing: gave up, 0 suggested
        assert screen.shown.card.term == "layer"
        await pilot.press("space")
        await settle(pilot)
        assert screen.suggested == 0 and static_text(app, "#feedback") == "No choice made."
        await pilot.press("enter")
        await settle(pilot)

        # re-drills: activation (graded 3), then layer (graded 0); right but slow suggests 4
        assert screen.shown.card.term == "activation" and screen.shown.redrill
        assert "re-drill" in static_text(app, "#status")
        q = screen.shown.question
        fake_time.advance(10)
        await pilot.press(str(q.answer + 1))
        await settle(pilot)
        assert screen.suggested == 4 and static_text(app, "#feedback") == "Right, in 10s."
        await pilot.press("space")
        await settle(pilot)
        assert screen.shown.card.term == "layer"
        await pilot.press(str(screen.shown.question.answer + 1), "space")
        await settle(pilot)
        assert screen.phase == "done"

    log = reviews(db)[3:]  # after the three answers of yesterday
    assert [(r["card_id"], r["grade"], r["kind"]) for r in log] == [
        (ids[0], 5, "review"),
        (ids[1], 3, "review"),
        (ids[2], 0, "review"),
        (ids[1], 4, "redrill"),
        (ids[2], 5, "redrill"),
    ]
    assert [r["duration_ms"] for r in log] == [0, 0, 0, 10000, 0]
