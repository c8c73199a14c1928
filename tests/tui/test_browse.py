"""Browse: search, sort, open a term (cards, schedules, history, related terms), suspend, bury, edit."""

from __future__ import annotations

from textual.widgets import Input, OptionList, TextArea

from mlcards.models import Deck
from mlcards.store import Store
from mlcards.tui.screens.browse import BrowseScreen, card_cells
from mlcards.tui.screens.edit import EditTermScreen
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.term import TermScreen
from mlcards.tui.widgets.cardtable import CardTable
from tests.tui._support import (
    SIZE,
    TODAY,
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


# --- issue 11: browse like Anki's browser ------------------------------------------------------------

def two_decks(tmp_path):
    """The six Neural Nets terms and a second deck, with one card of each state worth seeing."""
    from tests.tui._support import make_db, nn_deck

    stats = Deck(name="Stats", description="", terms=[
        dict(term="mean", definition="The average of the values.", tags=["stats"]),
        dict(term="variance", definition="How far the values spread from their mean.", tags=["stats"]),
    ])
    db = make_db(tmp_path / "two.db", nn_deck(), stats)
    studied(db)
    with Store.open(db) as store:
        store.bury(card_id(db, "mean", "recall"), TODAY)
    return db


def search(screen, text: str):
    screen.query_one("#search", Input).value = text


def terms_kinds(app) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in table_rows(app)}


async def test_anki_search_syntax_in_the_search_field(tmp_path, app_for):
    db = two_decks(tmp_path)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        assert len(table_rows(app)) == 22
        for text, expected in [
            ("is:due", {("neuron", "recall"), ("loss", "recall"), ("weight", "recall")}),  # learning ones too
            ("is:learn", {("weight", "recall")}),
            ("is:buried", {("mean", "recall")}),
            ('deck:"stats"', {("mean", "recall"), ("mean", "reverse"), ("variance", "recall"),
                              ("variance", "reverse")}),
            ("deck:neural* prop:ivl>10", {("bias", "recall")}),
            ("prop:lapses>=1", {("loss", "recall")}),
            ("prop:ease<2.5 -is:learn", {("loss", "recall")}),
            ("tag:stats -card:reverse", {("mean", "recall"), ("variance", "recall")}),
            ('"weighted sum" or mean', {("activation", k) for k in ("recall", "reverse", "related")}
             | {("bias", k) for k in ("recall", "reverse", "related")}
             | {("mean", "recall"), ("mean", "reverse"), ("variance", "recall"), ("variance", "reverse")}),
        ]:
            search(screen, text)
            await settle(pilot)
            assert terms_kinds(app) == expected, text
            assert f"{len(expected)} card" in static_text(app, "#browse-status")
            assert not screen.query_one("#search-error").display


async def test_a_bad_search_says_why_in_one_line_and_keeps_the_last_results(tmp_path, app_for):
    db = two_decks(tmp_path)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        await pilot.press("slash", *"tag:stats")
        await settle(pilot)
        shown = table_rows(app)
        assert len(shown) == 4
        search(screen, "tag:stats prop:ivl>>3")  # typed in one go (pasted)
        await settle(pilot)
        error = screen.query_one("#search-error")
        assert error.display
        message = static_text(app, "#search-error")
        assert "“>3” is not a number" in message and "\n" not in message
        assert table_rows(app) == shown  # the previous results stay
        assert "4 cards matching “tag:stats”" in static_text(app, "#browse-status")
        assert "“>3” is not a number" in screen_text(app)  # on screen, under the field
        search(screen, "is:fresh")
        await settle(pilot)
        assert "unknown “is:fresh”" in static_text(app, "#search-error") and table_rows(app) == shown
        search(screen, "tag:stats prop:ivl>3")  # fixed: the message goes, the results follow
        await settle(pilot)
        assert not error.display and table_rows(app) == []
        assert app.is_running


async def test_the_deck_column_and_sorting_by_it(tmp_path, app_for):
    db = two_decks(tmp_path)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        rows = table_rows(app)
        decks = {r[0]: r[COLS["Deck"]] for r in rows}
        assert decks["mean"] == "Stats" and decks["neuron"] == "Neural Nets"
        assert "Deck" in screen_text(app) and "Stats" in screen_text(app)
        while screen.sort != "deck":
            await pilot.press("o")
        await settle(pilot)
        assert "by deck ↑" in static_text(app, "#browse-status")
        assert col(table_rows(app), "Deck") == ["Neural Nets"] * 18 + ["Stats"] * 4
        await pilot.press("O")
        await settle(pilot)
        assert col(table_rows(app), "Deck") == ["Stats"] * 4 + ["Neural Nets"] * 18


async def test_buried_cards_show_as_buried_and_minus_unburies_them(tmp_path, app_for):
    db = two_decks(tmp_path)
    mean = card_id(db, "mean", "recall")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        search(screen, "mean")
        await settle(pilot)
        screen.table.focus()
        table = screen.table
        assert table_rows(app)[table.cursor][:3] == ["mean", "recall", "buried"]  # not "new"
        await pilot.press("minus")  # all buried: - unburies
        await settle(pilot)
        assert card_row(db, mean)["buried_until"] is None
        assert table_rows(app)[table.cursor][:3] == ["mean", "recall", "new"]
        assert any(n.message == "Unburied the recall card of “mean”: back in today's reviews." for n in app._notifications)
        await pilot.press("minus")  # and buries again
        await settle(pilot)
        assert card_row(db, mean)["buried_until"] == "2026-12-01"
        assert table_rows(app)[table.cursor][2] == "buried"


async def test_marks_and_bulk_suspend_bury_and_tag(tmp_path, app_for):
    db = two_decks(tmp_path)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        table = screen.table
        await pilot.press("space", "space", "down", "space")  # rows 0, 1 and 3; the cursor moves on
        await settle(pilot)
        rows = table_rows(app)
        marked = {rows[i][0] + "/" + rows[i][1] for i in (0, 1, 3)}
        ids = {card_id(db, *m.split("/")) for m in marked}
        assert table.marks == ids
        assert "3 marked" in static_text(app, "#browse-status")
        assert screen_text(app).count("●") == 3  # the mark column
        await pilot.press("s")
        await settle(pilot)
        assert {r["id"] for r in query(db, "SELECT id FROM cards WHERE suspended = 1")} == ids
        assert any(n.message == "Suspended 3 cards." for n in app._notifications)
        await pilot.press("s")  # all suspended: unsuspend
        await settle(pilot)
        assert query(db, "SELECT id FROM cards WHERE suspended = 1") == []
        await pilot.press("minus")
        await settle(pilot)
        assert {r["id"] for r in query(db, "SELECT id FROM cards WHERE buried_until = '2026-12-02'")} == set() and \
            {r["id"] for r in query(db, "SELECT id FROM cards WHERE buried_until = '2026-12-01'")} == ids | {
                card_id(db, "mean", "recall")}
        await pilot.press("t")
        await settle(pilot)
        prompt = app.screen
        await pilot.press(*"two words", "enter")
        await settle(pilot)
        assert app.screen is prompt and "one word" in str(prompt.query_one("#prompt-error").visual)
        prompt.query_one("#prompt-input", Input).value = "week::3"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        tagged = {r["term"] for r in query(db, "SELECT term FROM terms WHERE tags LIKE '%week::3%'")}
        assert tagged == {m.split("/")[0] for m in marked}
        assert table.marks == ids  # the marks stay for the next action
        await pilot.press("escape")  # esc clears the marks first
        assert table.marks == set() and isinstance(app.screen, BrowseScreen)
        assert "marked" not in static_text(app, "#browse-status")

        # ctrl+a marks the whole result; with no marks an action is the cursor's card's alone
        search(screen, "tag:stats")
        await settle(pilot)
        table.focus()
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert len(table.marks) == 4 and "4 marked" in static_text(app, "#browse-status")
        await pilot.press("s")
        await settle(pilot)
        assert len(query(db, "SELECT id FROM cards WHERE suspended = 1")) == 4
        await pilot.press("ctrl+a")  # all marked: ctrl+a clears
        assert table.marks == set()
        await pilot.press("s")
        await settle(pilot)
        assert len(query(db, "SELECT id FROM cards WHERE suspended = 1")) == 3  # the cursor's card only
        # a new search drops the marks (they belong to the search they were made in)
        await pilot.press("space")
        assert table.marks
        search(screen, "neuron")
        await settle(pilot)
        assert table.marks == set()


async def test_delete_marked_terms_asks_first_and_u_brings_them_back(tmp_path, app_for):
    from mlcards.tui.screens.confirm import ConfirmScreen

    db = two_decks(tmp_path)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        search(screen, "tag:stats")
        await settle(pilot)
        screen.table.focus()
        await pilot.press("space")  # mean recall
        await pilot.press("down", "space")  # variance recall (mean reverse skipped)
        assert len(screen.table.marks) == 2
        before = query(db, "SELECT COUNT(*) AS n FROM cards")[0]["n"]
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete 2 terms?" in screen_text(app)
        await pilot.press("n")  # no: nothing goes
        await settle(pilot)
        assert app.screen is screen and query(db, "SELECT COUNT(*) AS n FROM cards")[0]["n"] == before
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert query(db, "SELECT term FROM terms WHERE term IN ('mean', 'variance')") == []
        assert query(db, "SELECT COUNT(*) AS n FROM cards")[0]["n"] == before - 4  # every card of both terms
        assert table_rows(app) == [] and "0 cards" in static_text(app, "#browse-status")
        await pilot.press("u")
        await settle(pilot)
        assert {r["term"] for r in query(db, "SELECT term FROM terms WHERE term IN ('mean', 'variance')")} == {
            "mean", "variance"}
        assert query(db, "SELECT COUNT(*) AS n FROM cards")[0]["n"] == before
        assert len(table_rows(app)) == 4


def many_terms(n: int) -> Deck:
    return Deck(name="Big", description="", terms=[
        dict(term=f"term {i:05d}", definition=f"Definition number {i}.") for i in range(n)
    ])


async def test_no_row_cap_scrolling_past_row_2000(tmp_path, app_for):
    from tests.tui._support import make_db

    db = make_db(tmp_path / "big.db", many_terms(1600))  # recall + reverse: 3,200 cards
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(app, pilot)
        table = screen.table
        assert table.total == 3200 and "3200 cards · by term" in static_text(app, "#browse-status")
        assert "first 2000" not in static_text(app, "#browse-status")
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor == 3199
        last = screen._current()
        assert last is not None and (last.term, last.kind) == ("term 01599", "reverse")
        assert "term 01599" in screen_text(app)  # scrolled there, the rows loaded and drawn
        for _ in range(20):  # page up from the end, past row 2,000
            await pilot.press("pageup")
        await settle(pilot)
        row = screen._current()
        assert table.cursor < 2700 and row is not None
        assert row.term == f"term {table.cursor // 2:05d}"
        table.move_cursor(2500)
        await settle(pilot)
        assert screen._current().term == "term 01250" and "term 01250" in screen_text(app)
        await pilot.press("s")  # acts on row 2,500's card
        await settle(pilot)
        assert card_row(db, card_id(db, "term 01250", "recall"))["suspended"] == 1
        assert table.cursor == 2500 and screen._current().state == "suspended"
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor == 0 and screen._current().term == "term 00000"
        # a search narrows it; the count is the true total
        search(screen, '"term 01*"')  # a phrase with a wildcard
        await settle(pilot)
        assert table.total == 1200 and "1200 cards matching" in static_text(app, "#browse-status")
