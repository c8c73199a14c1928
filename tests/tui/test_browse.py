"""Browse: search, sort, open a term (cards, schedules, history, related terms), suspend, bury, edit."""

from __future__ import annotations

from textual.widgets import Input, OptionList, TextArea

from mlcards.tui.screens.browse import BrowseScreen, card_cells
from mlcards.tui.screens.edit import EditTermScreen
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.term import TermScreen
from mlcards.tui.widgets.cardtable import CardTable
from tests.tui._support import (
    SIZE,
    answer_before,
    at_day,
    card_id,
    card_row,
    query,
    schedule,
    screen_text,
    settle,
    static_text,
    term_id,
)


def table_rows(app, selector: str = "#cards") -> list[list[str]]:
    """Every row of a table as text: the browser's virtual table (all rows loaded) or a DataTable."""
    widget = app.screen.query_one(selector)
    if isinstance(widget, CardTable):
        rows = [widget.row_at(i) for i in range(widget.total)]
        assert None not in rows, "a page of the table is not loaded"
        return [list(card_cells(r)) for r in rows]
    return [[str(c) for c in widget.get_row_at(i)] for i in range(widget.row_count)]


COLS = {name: i for i, name in enumerate(BrowseScreen.COLUMNS)}


def col(rows, name: str) -> list[str]:
    return [r[COLS[name]] for r in rows]


def studied(db):
    answer_before(db, card_id(db, "neuron", "recall"), 5, at_day(29))  # due today
    answer_before(db, card_id(db, "weight", "recall"), 1, at_day(29))  # learning
    bias = card_id(db, "bias", "recall")
    for day in (20, 21, 27):
        answer_before(db, bias, 5, at_day(day))  # scheduled for 14 Dec
    loss = card_id(db, "loss", "recall")
    answer_before(db, loss, 5, at_day(25))
    answer_before(db, loss, 1, at_day(26))  # one lapse
    answer_before(db, loss, 4, at_day(27))


async def open_browse(app, pilot) -> BrowseScreen:
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(app.screen, BrowseScreen)
    return app.screen


async def test_browse_search_and_sort(db, app_for):
    studied(db)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        rows = table_rows(app)
        assert len(rows) == 18
        assert "⏎ Open" in screen_text(app)  # every key in the footer, Enter included
        assert "18 cards · by term ↑" in static_text(app, "#browse-status")
        assert col(rows, "Term") == sorted(col(rows, "Term"), key=str.casefold)
        states = {(r[0], r[1]): r[2] for r in rows}
        assert states[("neuron", "recall")] == "due"
        assert states[("weight", "recall")] == "learning"
        assert states[("bias", "recall")] == "scheduled"
        assert states[("loss", "recall")] == "due"  # 5, 1 (a lapse), 4: interval 1 from 27 Nov
        assert states[("layer", "reverse")] == "new"
        bias = next(r for r in rows if r[:2] == ["bias", "recall"])
        assert bias[COLS["Due"]] == "2026-12-14" and bias[COLS["Ivl"]] == "17d" and bias[COLS["Ease"]] == "2.80"
        assert bias[COLS["Tags"]] == "basics parameters" and bias[COLS["Deck"]] == "Neural Nets"

        # search as you type (terms, definitions, tags)
        await pilot.press("slash")
        assert screen.query_one("#search", Input).has_focus
        await pilot.press(*"param")
        await settle(pilot)
        rows = table_rows(app)
        assert sorted(set(col(rows, "Term"))) == ["bias", "weight"] and len(rows) == 6
        assert "6 cards matching “param”" in static_text(app, "#browse-status")
        await pilot.press("o")  # typed into the search box, not a sort
        await settle(pilot)
        assert screen.query_one("#search", Input).value == "paramo" and table_rows(app) == []
        assert "0 cards matching" in static_text(app, "#browse-status")
        screen.query_one("#search", Input).value = "weighted"  # matches definitions too
        await settle(pilot)
        assert sorted(set(col(table_rows(app), "Term"))) == ["activation", "bias", "neuron"]
        screen.query_one("#search", Input).value = ""
        await settle(pilot)
        await pilot.press("down")  # to the table
        assert screen.query_one("#cards", CardTable).has_focus

        # o cycles the sort: due, easiness, lapses (most first), interval; O reverses
        await pilot.press("o")
        await settle(pilot)
        assert "by due ↑" in static_text(app, "#browse-status")
        dues = col(table_rows(app), "Due")
        dated = [d for d in dues if d != "—"]
        assert dues[: len(dated)] == dated == sorted(dated)  # dated first, earliest first
        assert dated == ["2026-11-28", "2026-11-30", "2026-11-30", "2026-12-14"]
        await pilot.press("O")
        await settle(pilot)
        assert "by due ↓" in static_text(app, "#browse-status")
        dues = col(table_rows(app), "Due")
        assert dues[:14] == ["—"] * 14 and dues[14:] == sorted(dues[14:], reverse=True)
        await pilot.press("o")
        await settle(pilot)
        eases = [float(e) for e in col(table_rows(app), "Ease")]
        assert eases == sorted(eases) and eases[0] < 2.5
        await pilot.press("o")
        await settle(pilot)
        assert "by lapses ↓" in static_text(app, "#browse-status")
        top = table_rows(app)[0]
        assert top[:2] == ["loss", "recall"] and top[COLS["Lapses"]] == "1"


async def test_open_term_history_and_related_navigation(db, app_for):
    studied(db)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        await pilot.press("slash", *"loss", "enter")  # Enter in the search box goes to the table
        await settle(pilot)
        assert screen.query_one("#cards", CardTable).has_focus
        await pilot.press("enter")
        await settle(pilot)
        term = app.screen
        assert isinstance(term, TermScreen) and term.term_id == term_id(db, "loss")
        assert static_text(app, "#term-text").startswith("loss   Neural Nets")
        assert "A number measuring how wrong the predictions are." in static_text(app, "#term-text")
        cards = table_rows(app, "#term-cards")
        assert [r[:3] for r in cards] == [["recall", "due", "2026-11-28"], ["reverse", "new", "—"], ["related", "new", "—"]]
        assert cards[0][6] == "1"  # one lapse
        history = table_rows(app, "#term-history")
        assert [(h[1], h[2], h[3]) for h in history] == [
            ("2026-11-27", "recall", "4 hesitant"),
            ("2026-11-26", "recall", "1 wrong·knew"),
            ("2026-11-25", "recall", "5 perfect"),
        ]
        assert history[1][5] == "1→1d" and history[1][6] == "2.60→2.06"
        # s / - act on the highlighted card of the term
        await pilot.press("s")
        await settle(pilot)
        assert card_row(db, card_id(db, "loss", "recall"))["suspended"] == 1
        assert table_rows(app, "#term-cards")[0][1] == "suspended"
        await pilot.press("s", "down", "minus")
        await settle(pilot)
        assert card_row(db, card_id(db, "loss", "recall"))["suspended"] == 0
        assert card_row(db, card_id(db, "loss", "reverse"))["buried_until"] == "2026-12-01"
        assert table_rows(app, "#term-cards")[1][1] == "new (buried)"

        related = term.query_one("#term-related", OptionList)
        assert [str(related.get_option_at_index(i).prompt) for i in range(related.option_count)] == [
            "layer — A group of neurons that all read the same inputs."
        ]

        # Tab to the related terms, Enter opens one in its own term screen; Esc comes back
        await pilot.press("tab")
        assert related.has_focus
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TermScreen) and app.screen.term_id == term_id(db, "layer")
        assert static_text(app, "#term-text").startswith("layer")
        layer_related = app.screen.query_one("#term-related", OptionList)
        assert layer_related.option_count == 2  # activation, loss (links are undirected)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is term
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_suspend_bury_and_edit_from_browse(db, app_for):
    studied(db)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        table = screen.query_one("#cards", CardTable)
        await pilot.press("down")  # activation reverse
        await settle(pilot)
        target = card_id(db, "activation", "reverse")
        assert table_rows(app)[table.cursor][:2] == ["activation", "reverse"]

        await pilot.press("s")
        await settle(pilot)
        assert card_row(db, target)["suspended"] == 1
        assert table_rows(app)[table.cursor][:3] == ["activation", "reverse", "suspended"]
        await pilot.press("s")  # toggles back
        await settle(pilot)
        assert card_row(db, target)["suspended"] == 0
        assert table_rows(app)[table.cursor][2] == "new"

        await pilot.press("minus")
        await settle(pilot)
        assert card_row(db, target)["buried_until"] == "2026-12-01"

        # edit from browse: saved in place, the schedule kept, the table reloaded
        neuron = card_id(db, "neuron", "recall")
        before = schedule(db, neuron)
        screen.query_one("#search", Input).value = "neuron"
        await settle(pilot)
        table.focus()
        table.move_cursor([r[:2] for r in table_rows(app)].index(["neuron", "recall"]))
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EditTermScreen)
        assert modal.query_one("#edit-term", Input).value == "neuron"  # the highlighted row's term
        modal.query_one("#edit-term", Input).value = "artificial neuron"
        modal.query_one("#edit-definition", TextArea).load_text("A unit that adds weighted inputs.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert schedule(db, neuron) == before
        assert query(db, "SELECT term, definition FROM terms WHERE id = ?", (term_id(db, "artificial neuron"),)) == [
            {"term": "artificial neuron", "definition": "A unit that adds weighted inputs."}
        ]
        terms = {r[0] for r in table_rows(app)}  # still matches "neuron", and so do definitions naming it
        assert "artificial neuron" in terms and "neuron" not in terms
        assert "artificial neuron" in screen_text(app)


async def test_a_new_search_puts_the_cursor_on_its_first_row_and_s_acts_on_it(db, app_for):
    """Issue 11: after a new search the cursor kept its old row number, so `s` suspended another card."""
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        await pilot.press("down", "down", "down", "down", "down")
        assert screen.query_one("#cards", CardTable).cursor == 5
        screen.query_one("#search", Input).value = "softmax-free weight"  # nothing, then a real search
        await settle(pilot)
        screen.query_one("#search", Input).value = "bias"
        await settle(pilot)
        screen.query_one("#cards", CardTable).focus()
        table = screen.query_one("#cards", CardTable)
        assert table.cursor == 0
        first = screen._current()
        assert first is not None and first.term == table_rows(app)[0][0]
        await pilot.press("s")
        await settle(pilot)
        assert card_row(db, first.card_id)["suspended"] == 1  # the card under the cursor, nothing else
        suspended = [r for r in table_rows(app) if r[COLS["State"]] == "suspended"]
        assert len(suspended) == 1
        # a refresh of the same search keeps the cursor on the same card
        await pilot.press("down")
        picked = screen._current()
        screen.reload()
        await settle(pilot)
        assert screen._current() == picked or screen._current().card_id == picked.card_id
        # Home and End move the cursor when the table has focus
        await pilot.press("end")
        assert table.cursor == table.total - 1
        await pilot.press("home")
        assert table.cursor == 0
        # in the search field Home is still the text cursor's
        search = screen.query_one("#search", Input)
        search.focus()
        search.value = ""
        await pilot.press("a", "b", "home", "x")
        assert search.value == "xab"


async def test_a_slower_older_query_never_overwrites_a_newer_search(db, app_for):
    """Issue 11: typing `dropout` quickly left "63 cards matching 'dr'" when the older query finished last."""
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        screen.query_one("#search", Input).value = "weight"
        await settle(pilot)
        shown = table_rows(app)
        store = app.store
        stale = store.browse(store.today(app.clock()), "w")  # what the query for "w" returned, late
        screen.show_result(screen.generation - 1, "w", len(stale), 0, {0: stale})
        assert table_rows(app) == shown
        assert "matching “weight”" in static_text(app, "#browse-status")
        assert len(stale) > len(shown)  # it would have shown more (and different) cards
