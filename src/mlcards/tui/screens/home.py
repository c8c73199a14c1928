"""The dashboard: each deck's new / learning / due counts, today's progress and the streak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from mlcards import stats
from mlcards.records import DeckSummary
from mlcards.todayqueue import DayCounts, day_counts
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.text import cell, plain_line
from mlcards.wording import duration, noun, plural


@dataclass(frozen=True)
class DashboardFigures:
    today: date
    decks: list[DeckSummary]  # new / learning / due are today's counts (mlcards.todayqueue)
    queue: DayCounts  # all decks together, as ``r`` would queue them
    day: stats.TodayStats
    streak: int
    coming: list[stats.Due]


class HomeScreen(Screen[None]):
    """First screen: what is waiting today, and the way into every other screen."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("r", "review_all", "Review", id="home.review_all", tooltip="Review every deck's cards for today"),
        Binding("enter", "review_deck", "Deck", id="home.review_deck", priority=True, tooltip="Review the highlighted deck"),
        Binding("z", "quiz", "Quiz", id="home.quiz", tooltip="Related-concept quiz on a term or a deck"),
        Binding("c", "custom_study", "Custom study", id="home.custom", tooltip="Custom study: more new cards, review ahead, weakest cards, one tag"),
        Binding("b", "browse", "Browse", id="home.browse", tooltip="Search, sort, edit, suspend and bury cards"),
        Binding("i", "import_deck", "Import", id="home.import", tooltip="Import a deck file, glossary page or Anki file"),
        Binding("s", "stats", "Stats", id="home.stats", tooltip="Progress: retention, streaks, forecast and charts"),
        Binding("comma", "settings", "Settings", key_display=",", id="home.settings",
                tooltip="Settings: limits, study day, theme, keys, the deck's own"),
        Binding("a", "add_term", "Add", id="home.add", tooltip="Add a term to the highlighted deck"),
        Binding("R", "rename_deck", "Rename deck", id="home.rename_deck", show=False),
        Binding("D,delete", "delete_deck", "Delete deck", id="home.delete_deck", show=False),
        Binding("u", "undelete", "Undo delete", id="home.undelete", show=False),
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
        self.refresh_if_changed()
        table.focus()

    _figures_state: tuple[object, ...] | None = None
    """The app's change state when the figures shown (or being computed) were started (None: never)."""

    def on_screen_resume(self) -> None:
        self.refresh_if_changed()  # back from another screen: recompute only if something was written

    def refresh_if_changed(self) -> None:
        """Recompute the figures unless nothing was committed (here or elsewhere) and the day is the same."""
        if self.app.change_state() != self._figures_state:
            self.refresh_figures()

    def refresh_figures(self) -> None:
        self._figures_state = self.app.change_state()  # taken first: a later write changes it again
        self.compute_figures()

    def on_outside_change(self) -> None:
        """Another process (a second terminal's import or review), or a worker of this app, committed."""
        self.refresh_if_changed()

    @work(thread=True, exclusive=True, group="dashboard")
    def compute_figures(self) -> None:
        """Every figure the dashboard shows, on the worker's own connection (the UI never waits)."""
        app = self.app
        store = app.worker_store()
        today = store.today(app.clock())
        figures = DashboardFigures(
            today=today,
            decks=store.deck_summaries(today),
            queue=day_counts(store, today),
            day=stats.today(store, today),
            streak=stats.streaks(store, today).current,
            coming=stats.forecast(store, today, days=8)[1:],
        )
        app.call_from_thread(self.show_figures, figures)

    def show_figures(self, f: "DashboardFigures") -> None:
        table = self.query_one("#decks", DataTable)
        cursor = table.cursor_row
        table.clear()
        for s in f.decks:
            table.add_row(cell(s.name), cell(s.new), cell(s.learning), cell(s.due), cell(s.terms), key=s.name)
        if f.decks:
            table.move_cursor(row=min(cursor, len(f.decks) - 1))
        q = f.queue
        self.query_one("#today-counts", Static).update(
            Content.assemble(
                (f"{f.today:%a %d %b %Y}", "bold"),
                "\n",
                (f"{q.total}", "bold $accent"),
                f" {noun(q.total, 'card')} today: ",
                (f"{q.new}", "bold cyan"), " new · ",
                (f"{q.learning}", "bold yellow"), " learning · ",
                (f"{q.review}", "bold green"), " due",
            )
        )
        self.query_one("#today-progress", Static).update(
            Content.assemble(
                ("Today ", "bold"),
                f"{f.day.answers} answered · {duration(ms=f.day.time_ms)}",
                "\n",
                ("Streak ", "bold"),
                plural(f.streak, "day"),
            )
        )
        outlook: list[str | tuple[str, str]] = [("Coming up  ", "bold")]
        for i, coming in enumerate(f.coming):
            outlook.append((f"{coming.day:%a} ", "$text-muted"))
            outlook.append((f"{coming.due}", "bold" if coming.due else "$text-muted"))
            if i < len(f.coming) - 1:
                outlook.append("  ")
        self.query_one("#home-outlook", Static).update(Content.assemble(*outlook))
        hint = (
            "r reviews all decks · Enter the highlighted one · , settings · ? every key"
            if f.decks
            else "No decks yet: press i to import one."
        )
        self.query_one("#home-hint", Static).update(
            Content.assemble(hint, "\n", "Database ", plain_line(self.app.db_path.name, "bold"),
                             " (? shows the full path)")
        )

    def _selected_deck(self) -> str | None:
        table = self.query_one("#decks", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def action_review_all(self) -> None:
        from mlcards.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(deck=None))

    def action_review_deck(self) -> None:
        from mlcards.tui.screens.review import ReviewScreen

        deck = self._selected_deck()
        if deck is not None:
            self.app.push_screen(ReviewScreen(deck=deck))

    @on(DataTable.RowSelected, "#decks")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_review_deck()

    def action_quiz(self) -> None:
        from mlcards.tui.screens.quiz import QuizPickScreen

        self.app.push_screen(QuizPickScreen(deck=self._selected_deck()))

    def action_custom_study(self) -> None:
        from mlcards.tui.screens.custom import CustomStudyScreen

        self.app.push_screen(CustomStudyScreen(deck=self._selected_deck()))

    def action_browse(self) -> None:
        from mlcards.tui.screens.browse import BrowseScreen

        self.app.push_screen(BrowseScreen())

    def action_import_deck(self) -> None:
        from mlcards.tui.screens.importer import ImportScreen

        self.app.push_screen(ImportScreen())

    def action_settings(self) -> None:
        from mlcards.tui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen(deck=self._selected_deck()))

    # adding, renaming, deleting (mlcards.tui.screens.editing; deletes go to the trash, u puts one back)

    def action_add_term(self) -> None:
        from mlcards.tui.screens import editing

        editing.add_term(self, self._selected_deck(), self.refresh_figures)

    def action_rename_deck(self) -> None:
        from mlcards.tui.screens import editing

        if (deck := self._selected_deck()) is not None:
            editing.rename_deck(self, deck, self.refresh_figures)

    def action_delete_deck(self) -> None:
        from mlcards.tui.screens import editing

        if (deck := self._selected_deck()) is not None:
            editing.delete_deck(self, deck, self.refresh_figures)

    def action_undelete(self) -> None:
        from mlcards.tui.screens import editing

        editing.undelete(self, self.refresh_figures)

    def action_stats(self) -> None:
        from mlcards.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen())
