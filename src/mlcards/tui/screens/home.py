"""The dashboard: each deck's new / learning / due counts, today's progress and the streak."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from mlcards.tui.widgets.text import cell


class HomeScreen(Screen):
    """First screen: what is waiting today, and the way into every other screen."""

    BINDINGS = [
        Binding("r", "review_all", "Review", id="home.review_all"),
        Binding("enter", "review_deck", "Deck", id="home.review_deck", priority=True),
        Binding("z", "quiz", "Quiz", id="home.quiz"),
        Binding("b", "browse", "Browse", id="home.browse"),
        Binding("i", "import_deck", "Import", id="home.import"),
        Binding("s", "stats", "Stats", id="home.stats"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            with Horizontal(id="today-panel"):
                yield Static(id="today-counts")
                yield Static(id="today-progress")
            yield DataTable(id="decks", cursor_type="row", zebra_stripes=True)
            yield Static(id="home-outlook")
            yield Static(id="home-hint")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#decks", DataTable)
        table.add_column("Deck", key="deck")
        for key in ("new", "learning", "due", "terms"):
            table.add_column(key.capitalize(), key=key)
        self.refresh_figures()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_figures()

    def refresh_figures(self) -> None:
        from mlcards.session import ReviewSession

        app = self.app
        store = app.store
        now = app.clock()
        today = store.today(now)
        summaries = store.deck_summaries(today)
        table = self.query_one("#decks", DataTable)
        cursor = table.cursor_row
        table.clear()
        queue = ReviewSession(store, clock=app.clock)
        for s in summaries:
            deck_queue = ReviewSession(store, deck=s.name, clock=app.clock)
            table.add_row(
                cell(s.name),
                cell(deck_queue.new_count),
                cell(s.learning),
                cell(deck_queue.due_count + len(deck_queue.redrill)),
                cell(s.terms),
                key=s.name,
            )
        if summaries:
            table.move_cursor(row=min(cursor, len(summaries) - 1))
        from mlcards import stats

        day = stats.today(store, today)
        streak = stats.streaks(store, today).current
        self.query_one("#today-counts", Static).update(
            Content.assemble(
                (f"{today:%a %d %b %Y}", "bold"),
                "\n",
                (f"{queue.remaining}", "bold $accent"),
                " cards waiting today",
                f"  ({queue.due_count} due, {queue.new_count} new"
                + (f", {len(queue.redrill)} re-drill" if queue.redrill else "")
                + ")",
            )
        )
        minutes, secs = divmod(day.time_ms // 1000, 60)
        self.query_one("#today-progress", Static).update(
            Content.assemble(
                ("Today ", "bold"),
                f"{day.answers} answered · {minutes}m {secs:02d}s",
                "\n",
                ("Streak ", "bold"),
                f"{streak} day{'s' if streak != 1 else ''}",
            )
        )
        coming = stats.forecast(store, today, days=8)[1:]
        outlook = [("Coming up  ", "bold")]
        for i, due in enumerate(coming):
            outlook.append((f"{due.day:%a} ", "$text-muted"))
            outlook.append((f"{due.due}", "bold" if due.due else "$text-muted"))
            if i < len(coming) - 1:
                outlook.append("  ")
        self.query_one("#home-outlook", Static).update(Content.assemble(*outlook))
        hint = (
            "r reviews every deck · Enter reviews the highlighted deck · ? shows every key"
            if summaries
            else "No decks yet: press i to import one."
        )
        self.query_one("#home-hint", Static).update(Content(hint))

    def _selected_deck(self) -> str | None:
        table = self.query_one("#decks", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def action_review_all(self) -> None:
        self.app.start_review(None)

    def action_review_deck(self) -> None:
        deck = self._selected_deck()
        if deck is not None:
            self.app.start_review(deck)

    @on(DataTable.RowSelected, "#decks")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_review_deck()

    def action_quiz(self) -> None:
        from mlcards.tui.screens.quiz import QuizPickScreen

        self.app.push_screen(QuizPickScreen(deck=self._selected_deck()))

    def action_browse(self) -> None:
        from mlcards.tui.screens.browse import BrowseScreen

        self.app.push_screen(BrowseScreen())

    def action_import_deck(self) -> None:
        from mlcards.tui.screens.importer import ImportScreen

        self.app.push_screen(ImportScreen())

    def action_stats(self) -> None:
        from mlcards.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen())
