"""Custom study: each mode starts the right cards; practice leaves every schedule alone; more new
cards count (a real session with today's new-card limit raised)."""

from __future__ import annotations

from mlcards import custom
from mlcards.session import ReviewSession
from mlcards.store import Store
from mlcards.tui.screens.custom import CustomStudyScreen
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.review import ReviewScreen
from tests.tui._support import (
    SIZE,
    TODAY,
    answer_before,
    at_day,
    card_id,
    clock,
    make_db,
    nn_deck,
    query,
    reviews,
    settle,
    squash,
    static_text,
)


def schedules(db) -> list[dict]:
    return query(db, "SELECT id, due, interval, easiness_centi, repetitions, lapses, buried_until FROM cards ORDER BY id")


def practice(db) -> list[dict]:
    return query(db, "SELECT * FROM practice_log ORDER BY id")


async def open_custom(pilot) -> CustomStudyScreen:
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CustomStudyScreen)
    return screen


async def set_number(pilot, value: str) -> None:
    await pilot.press("ctrl+a", "ctrl+k", *value)
    await settle(pilot)


async def answer_shown(pilot, grade: int = 5) -> None:
    """Answer the card on the review screen (a recall or reverse card: reveal, then grade)."""
    await pilot.press("space")
    await settle(pilot)
    await pilot.press(str(grade))
    await settle(pilot)


async def test_more_new_cards_count_on_the_schedule(tmp_path, app_for, fake_time):
    db = make_db(tmp_path / "new.db", settings={"new_per_day": 2})
    answer_before(db, card_id(db, "neuron", "recall"), 5, clock())
    answer_before(db, card_id(db, "weight", "recall"), 5, clock())  # today's two new cards: the day is done
    with Store.open(db) as store:
        assert ReviewSession(store, clock=clock).remaining == 0
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_custom(pilot)
        assert screen.deck == "Neural Nets"
        assert "Deck: Neural Nets" in static_text(app, "#custom-deck")
        await pilot.press("1")  # the mode, then its number
        await settle(pilot)
        await set_number(pilot, "3")
        assert squash(static_text(app, "#custom-preview")) == (
            "Up to 3 new cards (0 left in today's limit + 3 more; 12 to learn), with the reviews due. "
            "These answers count on the schedule.")
        await pilot.press("enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        session = review.session
        assert session.practice is None and session.new_count == 3
        first = session.current.card.id
        await answer_shown(pilot)
        [row] = [r for r in reviews(db) if r["card_id"] == first]
        assert (row["kind"], row["grade"], row["source"]) == ("new", 5, "review")
        assert query(db, "SELECT due FROM cards WHERE id = ?", (first,))[0]["due"] == "2026-12-01"
        await pilot.press("q", "q")  # the summary, then back: read again (that term's three cards left the 12)
        await settle(pilot)
        assert app.screen is screen
        assert "(0 left in today's limit + 3 more; 9 to learn)" in squash(static_text(app, "#custom-preview"))
    assert practice(db) == []


async def test_review_ahead_is_practice_over_the_cards_due_soon(db, app_for, fake_time):
    soon = card_id(db, "weight", "recall")
    answer_before(db, soon, 5, at_day(29))
    answer_before(db, soon, 5, clock())  # answered today: due in six days
    later = card_id(db, "neuron", "recall")
    answer_before(db, later, 5, at_day(28))
    answer_before(db, later, 5, at_day(29))  # due Sat 05 Dec
    far = card_id(db, "bias", "recall")
    for day in (13, 14, 21):
        answer_before(db, far, 5, at_day(day))  # interval 17: due Tue 08 Dec, after the week
    before, logged = schedules(db), len(reviews(db))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_custom(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert squash(static_text(app, "#custom-preview")) == "2 cards due in the next 7 days, as practice: no schedule changes."
        await set_number(pilot, "5")
        assert squash(static_text(app, "#custom-preview")).startswith("1 card due in the next 5 days")
        await set_number(pilot, "6")
        await pilot.press("enter")
        await settle(pilot)
        session = app.screen.session
        assert session.practice == "custom"
        assert [session.current.card.id, *session.main] == [later, soon]
        await answer_shown(pilot, 2)
        await answer_shown(pilot, 5)
    assert schedules(db) == before and len(reviews(db)) == logged
    assert [(p["card_id"], p["grade"], p["source"]) for p in practice(db)] == [(later, 2, "custom"), (soon, 5, "custom")]
    with Store.open(db) as store:
        assert store.practice_counts(TODAY) == (2, 1) and store.redrill_cards(TODAY) == []


async def test_the_weakest_cards_are_practiced_most_lapses_first(db, app_for, fake_time):
    lapsed = card_id(db, "loss", "recall")
    for grade, day in ((5, 20), (5, 21), (1, 27)):
        answer_before(db, lapsed, grade, at_day(day))
    hard = card_id(db, "layer", "recall")
    answer_before(db, hard, 3, at_day(28))
    answer_before(db, card_id(db, "bias", "recall"), 5, at_day(28))  # not weak
    with Store.open(db) as store:
        expected = custom.weakest(store, TODAY, store.deck_id("Neural Nets"), 20)
    assert expected == [lapsed, hard]
    before = schedules(db)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_custom(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert squash(static_text(app, "#custom-preview")) == "2 cards that lapsed or lost ease, as practice: no schedule changes."
        await pilot.press("enter")
        await settle(pilot)
        session = app.screen.session
        assert session.practice == "custom" and [session.current.card.id, *session.main] == expected
        await answer_shown(pilot, 0)
    assert schedules(db) == before
    assert [p["card_id"] for p in practice(db)] == [lapsed]


async def test_one_tag_practices_its_terms_cards(db, app_for, fake_time):
    before, logged = schedules(db), len(reviews(db))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_custom(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert screen.tag_names == ["architecture", "basics", "functions", "parameters", "training"]
        assert screen.query_one("#custom-tags").has_focus
        await pilot.press("down", "down", "down")  # parameters: weight and bias
        await settle(pilot)
        assert squash(static_text(app, "#custom-preview")) == "6 cards tagged parameters, as practice: no schedule changes."
        await pilot.press("enter")
        await settle(pilot)
        session = app.screen.session
        ids = [session.current.card.id, *session.main]
        assert ids == [card_id(db, t, k) for k in ("recall", "reverse", "related") for t in ("weight", "bias")]
        await answer_shown(pilot, 1)
    assert schedules(db) == before and len(reviews(db)) == logged
    assert [p["card_id"] for p in practice(db)] == [card_id(db, "weight", "recall")]


async def test_the_deck_or_every_deck_and_back(tmp_path, app_for, fake_time):
    db = make_db(tmp_path / "two.db", nn_deck(), nn_deck("Second"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_custom(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert squash(static_text(app, "#custom-preview")) == "3 cards tagged architecture, as practice: no schedule changes."
        await pilot.press("d")
        await settle(pilot)
        assert screen.deck is None and static_text(app, "#custom-deck").startswith("All decks")
        assert squash(static_text(app, "#custom-preview")) == "6 cards tagged architecture, as practice: no schedule changes."
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.screen.session.main) + 1 == 6
        await answer_shown(pilot)
        await pilot.press("q")  # leave the session: its summary, then back to custom study
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, CustomStudyScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_nothing_to_study_says_so_and_stays(db, app_for, fake_time):
    app = app_for(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_custom(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert static_text(app, "#custom-preview") == "No weak cards: none has lapsed or lost ease."
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert [n.message for n in app._notifications] == ["No weak cards: none has lapsed or lost ease."]
    assert practice(db) == [] and reviews(db) == []
