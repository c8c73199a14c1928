"""Browse: a searchable, sortable table of every card; Enter opens the term."""

from __future__ import annotations

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from mlcards.models import CardState
from mlcards.store.rows import BrowseRow
from mlcards.text import one_line
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.text import cell
from mlcards.wording import plural

STATE_STYLE: dict[str, str] = {
    CardState.NEW: "cyan",
    CardState.LEARNING: "yellow",
    CardState.DUE: "bold green",
    CardState.SCHEDULED: "",
    CardState.SUSPENDED: "dim",
    CardState.LEECH: "bold red",
}


def card_cells(row: BrowseRow) -> tuple[Text, ...]:
    return (
        cell(row.term),
        cell(row.kind),
        cell(row.state, STATE_STYLE.get(row.state, "")),
        cell(row.due.isoformat() if row.due else "—"),
        cell(f"{row.interval}d" if row.due else "—"),
        cell(f"{row.easiness:.2f}"),
        cell(row.lapses),
        cell(" ".join(row.tags)),
        cell(row.deck),
    )


class BrowseScreen(Screen[None]):
    """Every card, filtered as you type."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("slash", "focus_search", "Search", key_display="/", id="browse.search"),
        Binding("down", "to_table", "To the table", show=False, id="browse.to_table"),
        # priority: the focused table's own (hidden) Enter binding would otherwise hide this one from the footer;
        # check_action passes Enter on to the search box while it has focus
        Binding("enter", "open_term", "Open", id="browse.open", priority=True),
        Binding("o", "next_sort", "Sort", id="browse.sort"),
        Binding("O", "reverse_sort", "Reverse", show=False, id="browse.reverse"),
        Binding("s", "toggle_suspend", "Suspend", id="browse.suspend"),
        Binding("minus", "bury", "Bury", key_display="-", id="browse.bury"),
        Binding("e", "edit", "Edit", id="browse.edit"),
        Binding("escape", "back", "Back", id="browse.back"),
        Binding("home", "first_row", "First", show=False, id="browse.first", priority=True),
        Binding("end", "last_row", "Last", show=False, id="browse.last", priority=True),
    ]

    COLUMNS = ("Term", "Card", "State", "Due", "Ivl", "Ease", "Lapses", "Tags", "Deck")

    def __init__(self, query: str = ""):
        super().__init__()
        self.initial_query = query
        self.sort = "term"
        self.descending = False
        self.rows: dict[str, BrowseRow] = {}
        self.shown_query: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="browse"):
            yield Input(self.initial_query, id="search", compact=True, placeholder="search terms, definitions, tags…  (/ to focus, ↓ to the table)")
            yield Static(id="browse-status")
            yield DataTable(id="cards", cursor_type="row", zebra_stripes=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#cards", DataTable)
        widths = {"Term": 26, "Tags": 18, "Deck": 16}
        for name in self.COLUMNS:
            table.add_column(name, key=name.lower(), width=widths.get(name))
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # --- loading (a worker with its own connection, so big collections never freeze the UI) -------------

    def reload(self) -> None:
        self.load(self.query_one("#search", Input).value, self.sort, self.descending)

    @work(thread=True, exclusive=True, group="browse")
    def load(self, query: str, sort: str, descending: bool) -> None:
        store = self.app.worker_store()
        rows = store.browse(store.today(self.app.clock()), query, sort=sort, descending=descending)
        self.app.call_from_thread(self.show_rows, query, rows, sort, descending)

    def show_rows(self, query: str, rows: list[BrowseRow], sort: str | None = None,
                  descending: bool | None = None) -> None:
        """Show a finished query, unless a newer one was asked for meanwhile (it will land after).

        A new search puts the cursor on its first row; a refresh of the same search keeps the cursor on
        the same card, so an action never lands on a card the user did not pick.
        """
        if query != self.query_one("#search", Input).value or (sort or self.sort) != self.sort or (
            descending if descending is not None else self.descending
        ) != self.descending:
            return  # superseded: an older, slower query finished after a newer one started
        table = self.query_one("#cards", DataTable)
        same_search = query == self.shown_query
        current = self._current() if same_search else None
        table.clear()
        self.rows = {}
        for row in rows:
            key = str(row.card_id)
            self.rows[key] = row
            table.add_row(*card_cells(row), key=key)
        self.shown_query = query
        if rows:
            index = 0
            if current is not None and str(current.card_id) in self.rows:
                index = table.get_row_index(str(current.card_id))
            table.move_cursor(row=index)
        arrow = "↓" if self.descending else "↑"
        shown = plural(len(rows), "card") + (" (first 2000)" if len(rows) >= 2000 else "")
        self.query_one("#browse-status", Static).update(
            Content.assemble(
                (shown, "bold"),
                f" matching “{query.strip()}”" if query.strip() else "",
                f" · by {self.sort} {arrow} (o: next sort, O: reverse)",
            )
        )

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.reload()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#cards", DataTable).focus()

    # --- actions ---------------------------------------------------------------------------------------

    def _current(self) -> BrowseRow | None:
        table = self.query_one("#cards", DataTable)
        if table.row_count == 0:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.rows.get(key.value or "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        typing = self.query_one("#search", Input).has_focus if self.is_mounted else False
        if action in ("toggle_suspend", "bury", "edit", "open_term", "next_sort", "reverse_sort",
                      "first_row", "last_row") and typing:
            return False  # in the search field, Home and End move the text cursor
        if action == "to_table":
            return typing
        return True

    def action_first_row(self) -> None:
        self.query_one("#cards", DataTable).move_cursor(row=0)

    def action_last_row(self) -> None:
        table = self.query_one("#cards", DataTable)
        table.move_cursor(row=max(0, table.row_count - 1))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    SORT_CYCLE = ("term", "due", "easiness", "lapses", "interval")

    def action_next_sort(self) -> None:
        i = self.SORT_CYCLE.index(self.sort)
        self.sort = self.SORT_CYCLE[(i + 1) % len(self.SORT_CYCLE)]
        self.descending = self.sort == "lapses"  # most lapses first is the useful order
        self.reload()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_to_table(self) -> None:
        self.query_one("#cards", DataTable).focus()

    def action_open_term(self) -> None:
        row = self._current()
        if row is not None:
            from mlcards.tui.screens.term import TermScreen

            self.app.push_screen(TermScreen(row.term_id))

    @on(DataTable.RowSelected, "#cards")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_term()

    def action_toggle_suspend(self) -> None:
        row = self._current()
        if row is None:
            return
        suspend = not row.suspended
        self.app.store.set_suspended(row.card_id, suspend)
        self.notify(
            f"{'Suspended' if suspend else 'Unsuspended'} the {row.kind} card of “{one_line(row.term)}”.",
            timeout=3,
            markup=False,  # deck text is never markup
        )
        self.reload()

    def action_bury(self) -> None:
        row = self._current()
        if row is None:
            return
        store = self.app.store
        store.bury(row.card_id, store.today(self.app.clock()))
        self.notify(f"Buried the {row.kind} card of “{one_line(row.term)}” until tomorrow.", timeout=3, markup=False)
        self.reload()

    def action_edit(self) -> None:
        row = self._current()
        if row is None:
            return
        from mlcards.tui.screens.edit import EditTermScreen

        self.app.push_screen(EditTermScreen(row.term_id), lambda saved: self.reload() if saved else None)

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            self.query_one("#cards", DataTable).focus()
            return
        self.app.pop_screen()
