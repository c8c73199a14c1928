"""The dashboard: per-deck counts, today's progress, r / Enter start a review, q quits."""

from __future__ import annotations

from textual.widgets import DataTable

from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.review import ReviewScreen
from tests.tui._support import (
    SIZE,
    answer_before,
    at_day,
    card_id,
    make_db,
    nn_deck,
    query,
    screen_text,
    settle,
    squash,
    static_text,
)


def deck_rows(app) -> dict[str, list[str]]:
    table = app.screen.query_one("#decks", DataTable)
    return {str(row[0]): [str(c) for c in row[1:]] for row in (table.get_row_at(i) for i in range(table.row_count))}


def studied_db(tmp_path):
    """neuron recall due today, weight recall learning (failed yesterday), bias recall scheduled later."""
    db = make_db(tmp_path / "cards.db")
    answer_before(db, card_id(db, "neuron", "recall"), 5, at_day(29))  # interval 1: due 30 Nov
    answer_before(db, card_id(db, "weight", "recall"), 1, at_day(29))  # reps 0: learning, due 30 Nov
    bias = card_id(db, "bias", "recall")
    for day in (20, 21, 27):  # intervals 1, 6, 17: due 14 Dec
        answer_before(db, bias, 5, at_day(day))
    return db


async def test_dashboard_counts_per_deck_and_today(tmp_path, app_for):
    db = studied_db(tmp_path)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        # the same queue the review will use: due neuron and weight (failed yesterday: a review today,
        # not learning); one new card for each other term (bias, activation, layer, loss)
        assert deck_rows(app) == {"Neural Nets": ["4", "0", "2", "6"]}
        counts = squash(static_text(app, "#today-counts"))
        # due: neuron, weight; new: one card per remaining term (bias, activation, layer, loss)
        assert "Mon 30 Nov 2026" in counts
        assert "6 cards today: 4 new · 0 learning · 2 due" in counts
        assert "0 answered" in static_text(app, "#today-progress")
        assert "Neural Nets" in screen_text(app)

        # review one card, come back: the dashboard refreshes
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.shown.card.term == "neuron"  # due first
        await pilot.press("space", "5", "q", "q")  # the first q shows the session's summary
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert deck_rows(app) == {"Neural Nets": ["4", "0", "1", "6"]}
        assert "1 answered" in static_text(app, "#today-progress")
        assert "5 cards today: 4 new · 0 learning · 1 due" in squash(static_text(app, "#today-counts"))


async def test_a_redrill_counts_as_learning_in_the_row_and_the_header_alike(tmp_path, app_for):
    """A card failed today is a re-drill: Learning, not Due, in the deck's row and in the header, and
    both equal what a session on the deck queues."""
    from mlcards.session import ReviewSession
    from mlcards.store import Store
    from tests.tui._support import clock

    db = studied_db(tmp_path)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.shown.card.term == "neuron"
        await pilot.press("space", "2")  # neuron below 4: a re-drill later today
        await settle(pilot)
        app.pop_screen()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert deck_rows(app) == {"Neural Nets": ["4", "1", "1", "6"]}
        assert "6 cards today: 4 new · 1 learning · 1 due" in squash(static_text(app, "#today-counts"))
    with Store.open(db) as store:
        session = ReviewSession(store, deck="Neural Nets", clock=clock)
        assert (session.new_count, len(session.redrill), session.due_count) == (4, 1, 1)


async def test_the_dashboard_names_its_database(tmp_path, app_for):
    db = make_db(tmp_path / "mine.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Database mine.db" in squash(static_text(app, "#home-hint"))


async def test_new_count_respects_what_was_introduced_today(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db", settings={"new_per_day": 3})
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert deck_rows(app)["Neural Nets"][0] == "3"
        assert "3 cards today: 3 new · 0 learning · 0 due" in squash(static_text(app, "#today-counts"))
        await pilot.press("r", "space", "4", "q", "q")
        await settle(pilot)
        assert deck_rows(app)["Neural Nets"][0] == "2"
        assert "2 new · 0 learning · 0 due" in squash(static_text(app, "#today-counts"))


async def test_enter_reviews_the_highlighted_deck_only(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db", nn_deck("First"), nn_deck("Second"))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert list(deck_rows(app)) == ["First", "Second"]
        await pilot.press("down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert static_text(app, "#status").startswith("Second ·")
        assert screen.session.remaining == 6  # one card per term of this deck only
        await pilot.press("space", "5", "space", "5")
        await settle(pilot)
        assert len(query(db, "SELECT id FROM reviews")) == 2
    decks = query(
        db,
        "SELECT DISTINCT d.name FROM reviews r JOIN cards c ON c.id = r.card_id "
        "JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id",
    )
    assert decks == [{"name": "Second"}]


async def test_empty_database_says_how_to_start(tmp_path, app_for):
    from mlcards.store import Store

    path = tmp_path / "empty.db"
    Store.open(path).close()
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No decks yet: press i to import one." in screen_text(app)
        await pilot.press("enter")  # nothing highlighted: stays put, no crash
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("r")
        await settle(pilot)
        assert "Nothing to review right now." in screen_text(app)


async def test_q_leaves_review_then_q_on_the_dashboard_exits(db, app_for):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.is_running
        await pilot.press("escape")  # Esc on the dashboard does not quit
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, HomeScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_help_lists_the_keys_of_the_screen_below(db, app_for):
    from mlcards.tui.screens.help import HelpScreen

    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Keys on this screen (Review)" in screen_text(app)
        text = static_text(app, "#help-box Static")  # the whole help, scrolled or not
        assert "Grade 5" in text and "Undo" in text
        assert "5  perfect response" in text and "0  complete blackout" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
