"""Browse: every card in a virtual table, Anki's search syntax, sorting, marks and bulk actions."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from mlcards import search as search_syntax
from mlcards.errors import MlcardsError
from mlcards.store import Store
from mlcards.store.rows import BrowseRow
from mlcards.text import one_line
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.screens.confirm import ConfirmScreen, PromptScreen
from mlcards.tui.widgets.cardtable import COLUMNS as TABLE_COLUMNS
from mlcards.tui.widgets.cardtable import PAGE, STATE_STYLE, CardTable, row_cells
from mlcards.wording import plural

__all__ = ["STATE_STYLE", "BrowseScreen", "card_cells"]


class BrowseScreen(Screen[None]):
    """Every card, filtered as you type."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("slash", "focus_search", "Search", key_display="/", id="browse.search"),
        Binding("down", "to_table", "To the table", show=False, id="browse.to_table"),
        # priority: Enter opens the term from the table; check_action passes it on to the search box
        Binding("enter", "open_term", "Open", id="browse.open", priority=True),
        Binding("o", "next_sort", "Sort", show=False, id="browse.sort"),  # the status line says o/O
        Binding("O", "reverse_sort", "Reverse", show=False, id="browse.reverse"),
        Binding("space", "mark", "Mark", id="browse.mark"),
        Binding("ctrl+a", "mark_all", "Mark all", show=False, id="browse.mark_all"),
        Binding("s", "toggle_suspend", "Suspend", id="browse.suspend"),
        Binding("minus", "bury", "Bury", key_display="-", id="browse.bury"),
        Binding("t", "tag", "Tag", id="browse.tag"),
        Binding("delete", "delete", "Delete", key_display="del", id="browse.delete"),
        Binding("u", "undo_delete", "Undelete", show=False, id="browse.undo"),
        Binding("e", "edit", "Edit", show=False, id="browse.edit"),  # in ? help; the term view shows it too
        Binding("escape", "back", "Back", id="browse.back"),
        Binding("home", "first_row", "First", show=False, id="browse.first", priority=True),
        Binding("end", "last_row", "Last", show=False, id="browse.last", priority=True),
    ]

    DEFAULT_CSS = """
    #search-error { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    AUTO_FOCUS = "#cards"  # the table, not the search field (one focus change, one footer build)

    COLUMNS = tuple(c.title for c in TABLE_COLUMNS if c.key != "mark")
    SORT_CYCLE = ("term", "due", "easiness", "lapses", "interval", "deck", "card", "state", "tags")
    DESCENDING_FIRST = frozenset({"lapses"})  # most lapses first is the useful order

    def __init__(self, query: str = ""):
        super().__init__()
        self.initial_query = query
        self.sort = "term"
        self.descending = False
        self.generation = 0
        self.node: search_syntax.Node = search_syntax.EVERYTHING
        self.shown_query: str | None = None
        self.asked_query: str | None = None
        self.total = 0
        self.last_trash: int | None = None
        self._loading: Store | None = None  # the connection of the running search, to interrupt it
        self._loading_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        with Vertical(id="browse"):
            yield Input(self.initial_query, id="search", compact=True,
                        placeholder="search: words, deck:NAME tag:NAME is:due prop:ivl>30 -word …  (/ focuses, ↓ to the table)")
            yield Static(id="search-error")
            yield Static(id="browse-status")
            yield CardTable(id="cards")
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> CardTable:
        return self.query_one("#cards", CardTable)

    def on_screen_resume(self) -> None:
        self.reload()  # the first load too: Textual sends ScreenResume when the screen is pushed

    def on_outside_change(self) -> None:
        self.reload()

    # --- loading (workers with their own connection; the table asks for pages as they come into view) --

    def today(self) -> date:
        return self.app.store.today(self.app.clock())

    def reload(self, *, resort: bool = False) -> None:
        """Run the search field's query again (a new query puts the cursor on its first row).

        ``resort``: only the order changed, so the count is still right. A search still running is
        interrupted (SQLite stops it), so fast typing never queues slow queries behind each other.
        """
        text = self.query_one("#search", Input).value
        error = self.query_one("#search-error", Static)
        try:
            node = search_syntax.parse(text)
        except search_syntax.SearchError as e:
            error.update(Content.styled(f"⚠ {e.message} · below: the last search", "$error"))
            error.display = True
            return
        error.display = False
        same = text == self.shown_query
        if not same:
            self.table.set_marks(set())  # marks belong to the search they were made in
        keep = self.table.current if same and not resort else None  # a new order starts at its top
        self.generation += 1
        self.node = node
        self.asked_query = text
        with self._loading_lock:
            if self._loading is not None:
                self._loading.db.conn.interrupt()
        self.load(self.generation, text, node, self.sort, self.descending,
                  keep.card_id if keep else None, self.table.cursor if keep else 0,
                  self.total if resort and same else None)

    @work(thread=True, exclusive=True, group="browse")
    def load(self, generation: int, text: str, node: search_syntax.Node, sort: str, descending: bool,
             keep: int | None, at: int, known_total: int | None = None) -> None:
        store = self.app.worker_store()
        with self._loading_lock:
            self._loading = store
        try:
            self._load(store, generation, text, node, sort, descending, keep, at, known_total)
        except sqlite3.OperationalError as e:
            if "interrupt" not in str(e):
                raise
            # a newer search interrupted this one: it shows instead
        finally:
            with self._loading_lock:
                if self._loading is store:
                    self._loading = None

    def _load(self, store: Store, generation: int, text: str, node: search_syntax.Node, sort: str,
              descending: bool, keep: int | None, at: int, known_total: int | None) -> None:
        today = store.today(self.app.clock())
        try:
            total = store.browse_count(today, node) if known_total is None else known_total
            pages: dict[int, list[BrowseRow]] = {}

            def page(n: int) -> list[BrowseRow]:
                if n not in pages:
                    pages[n] = store.browse_page(today, node, sort=sort, descending=descending, offset=n * PAGE,
                                                 limit=PAGE, total=total)
                return pages[n]

            cursor = min(at, max(0, total - 1))
            if keep is not None:  # a refresh: the same card, found near where it was, else wherever it is now
                near = [r.card_id for r in page(cursor // PAGE)]
                if keep in near:
                    cursor = cursor // PAGE * PAGE + near.index(keep)
                else:
                    rank = store.browse_rank(today, node, keep, sort=sort, descending=descending)
                    cursor = rank if rank is not None else cursor
            if total:
                page(cursor // PAGE)
        except MlcardsError as e:
            self.app.call_from_thread(self.show_error, generation, e.message)
            return
        self.app.call_from_thread(self.show_result, generation, text, total, cursor, pages)

    def show_error(self, generation: int, message: str) -> None:
        if generation == self.generation:
            error = self.query_one("#search-error", Static)
            error.update(Content.styled(f"⚠ {message}", "$error"))
            error.display = True

    def show_result(self, generation: int, text: str, total: int, cursor: int,
                    pages: dict[int, list[BrowseRow]]) -> None:
        """Show a finished query, unless a newer one was asked for meanwhile (it will land after)."""
        if generation != self.generation:
            return  # superseded: an older, slower query finished after a newer one started
        self.shown_query = text
        self.total = total
        self.table.reset(generation, total, cursor, pages)
        self.show_status()

    def show_status(self) -> None:
        arrow = "↓" if self.descending else "↑"
        text = (self.shown_query or "").strip()
        marks = len(self.table.marks)
        self.query_one("#browse-status", Static).update(
            Content.assemble(
                (plural(self.total, "card"), "bold"),
                f" matching “{one_line(text)}”" if text else "",
                (f" · {marks} marked" if marks else "", "bold $accent"),
                " (esc clears)" if marks else "",
                f" · by {self.sort} {arrow} (o sorts, O reverses)",
            )
        )

    @on(CardTable.NeedPage)
    def _need_page(self, event: CardTable.NeedPage) -> None:
        if event.generation == self.generation:
            self.load_pages(event.generation, self.node, self.sort, self.descending, event.page, event.count,
                            self.total)

    @work(thread=True, group="browse-page")
    def load_pages(self, generation: int, node: search_syntax.Node, sort: str, descending: bool, page: int,
                   count: int, total: int) -> None:
        store = self.app.worker_store()
        try:
            rows = store.browse_page(store.today(self.app.clock()), node, sort=sort, descending=descending,
                                     offset=page * PAGE, limit=count * PAGE, total=total)
        except (MlcardsError, sqlite3.OperationalError):
            return  # the result changed meanwhile; the next one asks again
        for i in range(count):
            self.app.call_from_thread(self.table.add_page, generation, page + i, rows[i * PAGE:(i + 1) * PAGE])

    @on(CardTable.HeaderClicked)
    def _header_clicked(self, event: CardTable.HeaderClicked) -> None:
        if event.sort == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = event.sort, event.sort in self.DESCENDING_FIRST
        self.reload(resort=True)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.reload()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    # --- actions ---------------------------------------------------------------------------------------

    def _current(self) -> BrowseRow | None:
        return self.table.current

    def _targets(self) -> list[int]:
        """The marked cards, or the cursor's card when none is marked."""
        if self.table.marks:
            return sorted(self.table.marks)
        row = self._current()
        return [row.card_id] if row is not None else []

    def _what(self, ids: list[int]) -> str:
        """How a notification names the cards acted on."""
        row = self._current()
        if len(ids) == 1 and not self.table.marks and row is not None:
            return f"the {row.kind} card of “{one_line(row.term)}”"
        return plural(len(ids), "card")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        typing = self.query_one("#search", Input).has_focus if self.is_mounted else False
        if action in ("toggle_suspend", "bury", "edit", "open_term", "next_sort", "reverse_sort", "first_row",
                      "last_row", "mark", "mark_all", "tag", "delete", "undo_delete") and typing:
            return False  # in the search field these keys type or move the text cursor
        if action == "to_table":
            return typing
        return True

    def action_first_row(self) -> None:
        self.table.move_cursor(0)

    def action_last_row(self) -> None:
        self.table.move_cursor(self.total - 1)

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_next_sort(self) -> None:
        i = self.SORT_CYCLE.index(self.sort)
        self.sort = self.SORT_CYCLE[(i + 1) % len(self.SORT_CYCLE)]
        self.descending = self.sort in self.DESCENDING_FIRST
        self.reload(resort=True)

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload(resort=True)

    def action_to_table(self) -> None:
        self.table.focus()

    def action_open_term(self) -> None:
        row = self._current()
        if row is not None:
            from mlcards.tui.screens.term import TermScreen

            self.app.push_screen(TermScreen(row.term_id))

    def action_mark(self) -> None:
        """Mark or unmark the cursor's card, then move down (so space, space marks a run of cards)."""
        row = self._current()
        if row is None:
            return
        self.table.toggle_mark(row.card_id)
        self.table.move_cursor(self.table.cursor + 1)
        self.show_status()

    def action_mark_all(self) -> None:
        """Mark every card of the result; when all are marked already, clear the marks."""
        if self.table.marks and len(self.table.marks) >= self.total:
            self.table.set_marks(set())
            self.show_status()
            return
        self.mark_all(self.generation, self.node)

    @work(thread=True, exclusive=True, group="browse-marks")
    def mark_all(self, generation: int, node: search_syntax.Node) -> None:
        store = self.app.worker_store()
        ids = store.browse_ids(store.today(self.app.clock()), node)
        self.app.call_from_thread(self._marked_all, generation, ids)

    def _marked_all(self, generation: int, ids: list[int]) -> None:
        if generation == self.generation:
            self.table.set_marks(set(ids))
            self.show_status()

    def action_toggle_suspend(self) -> None:
        ids = self._targets()
        if not ids:
            return
        what = self._what(ids)
        suspended, _ = self.app.store.toggle_suspended(ids)
        self.notify(f"{'Suspended' if suspended else 'Unsuspended'} {what}.", timeout=3, markup=False)
        self.reload()

    def action_bury(self) -> None:
        """Bury until tomorrow; on cards that are all buried already, unbury them."""
        ids = self._targets()
        if not ids:
            return
        what = self._what(ids)
        buried, _ = self.app.store.toggle_buried(ids, self.today())
        message = f"Buried {what} until tomorrow." if buried else f"Unburied {what}: back in today's reviews."
        self.notify(message, timeout=3, markup=False)
        self.reload()

    def action_tag(self) -> None:
        ids = self._targets()
        if not ids:
            return

        def add(tag: str | None) -> None:
            if not tag:
                return
            try:
                changed = self.app.store.add_tag(ids, tag.strip(), self.app.clock())
            except MlcardsError as e:
                self.notify(e.message, severity="error", markup=False)
                return
            self.notify(f"Tagged {plural(changed, 'term')} “{tag.strip()}”.", timeout=3, markup=False)
            self.reload()

        def check(text: str) -> None:
            tag = text.strip()
            if not tag or any(ch.isspace() for ch in tag):
                raise MlcardsError("a tag is one word without spaces (e.g. hard or week::3)")

        self.app.push_screen(PromptScreen(f"Add a tag to the terms of {self._what(ids)}", check=check), add)

    def action_delete(self) -> None:
        ids = self._targets()
        if not ids:
            return
        store = self.app.store
        terms = store.terms_of_cards(ids)
        row = self._current()
        if len(terms) == 1 and row is not None and row.card_id in ids:
            title = f"Delete the term “{one_line(row.term)}”?"
            body = "Every card of the term goes, with its history. u (here in Browse) brings it back."
        else:
            title = f"Delete {plural(len(terms), 'term')}?"
            body = (f"The terms of the {plural(len(ids), 'marked card')} go with every one of their cards "
                    "and their history. u (here in Browse) brings them back.")

        def delete(yes: bool | None) -> None:
            if not yes:
                return
            from mlcards import editing

            try:
                self.last_trash = editing.delete_terms(store, terms, self.app.clock())
            except MlcardsError as e:
                self.notify(e.message, severity="error", markup=False)
                return
            self.table.set_marks(set())
            self.notify(f"Deleted {plural(len(terms), 'term')}; u brings them back.", timeout=5, markup=False)
            self.reload()

        self.app.push_screen(ConfirmScreen(title, body), delete)

    def action_undo_delete(self) -> None:
        if self.last_trash is None:
            self.notify("Nothing deleted here to bring back.", timeout=3)
            return
        from mlcards import editing

        try:
            label = editing.restore(self.app.store, self.last_trash, self.app.clock())
        except MlcardsError as e:
            self.notify(e.message, severity="error", markup=False)
            return
        self.last_trash = None
        self.notify(f"Brought back {label}.", timeout=3, markup=False)
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
            self.table.focus()
            return
        if self.table.marks:
            self.table.set_marks(set())
            self.show_status()
            return
        self.app.pop_screen()


def card_cells(row: BrowseRow) -> tuple[str, ...]:
    """The table's cells for ``row`` in ``BrowseScreen.COLUMNS`` order (the mark column left out)."""
    cells = row_cells(row, False)
    return tuple(cells[c.key] for c in TABLE_COLUMNS if c.key != "mark")
