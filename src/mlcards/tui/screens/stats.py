"""Stats: the figures of ``mlcards.stats`` as charts: "how am I doing, and what is coming" at a glance.

The figures are computed in a worker thread (its own connection) and drawn here; nothing in this
file computes a figure.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from textual import getters, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from mlcards import stats
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.charts import column_chart, hbar_chart
from mlcards.tui.widgets.text import cell, plain_line
from mlcards.wording import duration, noun, plural

if TYPE_CHECKING:
    from rich.text import Text

RANGE_CYCLE = ("7", "30", "90", "365", "all")
HEAT = ("#2d333b", "#0e4429", "#006d32", "#26a641", "#39d353")
"""Heatmap shades: no answers, then four levels (quartiles of the busiest day)."""


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def heatmap_content(hm: stats.Heatmap, today: date, weeks: int) -> Content:
    """A GitHub-style calendar: one column per week (Monday on top), the last ``weeks`` weeks."""
    top = hm.max or 1
    end = today + timedelta(days=6 - today.weekday())  # the Sunday closing this week
    start = end - timedelta(days=7 * weeks - 1)
    rows: list[list[tuple[str, str]]] = [[] for _ in range(7)]
    months: list[str] = []
    for w in range(weeks):
        week_start = start + timedelta(days=7 * w)
        months.append(week_start.strftime("%b") if week_start.day <= 7 else "")
        for d in range(7):
            day = week_start + timedelta(days=d)
            if day > today:
                rows[d].append(("  ", ""))
                continue
            n = hm.count(day)
            level = 0 if n == 0 else min(4, 1 + (4 * (n - 1)) // top)
            rows[d].append(("■ ", HEAT[level]))
    header = [" "] * (4 + 2 * weeks + 2)
    for w, label in enumerate(months):
        if label:
            header[4 + 2 * w : 4 + 2 * w + 3] = label
    lines = [Content.styled("".join(header).rstrip(), "$text-muted")]
    names = ["Mon", "   ", "Wed", "   ", "Fri", "   ", "Sun"]
    for d in range(7):
        lines.append(Content.assemble((f"{names[d]} ", "$text-muted"), *rows[d]))
    legend = Content.assemble(("less ", "$text-muted"), *[("■ ", c) for c in HEAT], ("more", "$text-muted"))
    lines.append(legend)
    return Content("\n").join(lines)


class StatsScreen(Screen[None]):
    """The figures of ``mlcards.stats`` for one deck or all, over a range of days."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("r", "next_range", "Range", id="stats.range"),
        Binding("d", "next_deck", "Deck", id="stats.deck"),
        Binding("escape,q", "back", "Back", id="stats.back"),
    ]

    def __init__(self, deck: str | None = None, range: str = "30"):
        super().__init__()
        self.deck = deck  # None: all decks; d cycles through them
        self.range = range
        self.summary: stats.Summary | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats"):
            yield Static(id="stats-title")
            with Grid(id="stats-tiles"):
                yield Static(id="tile-today", classes="tile")
                yield Static(id="tile-streak", classes="tile")
                yield Static(id="tile-retention", classes="tile")
                yield Static(id="tile-cards", classes="tile")
            yield Label(Content.styled("Reviews per day", "bold $accent"))
            yield Static(id="chart-activity", classes="chart")
            yield Label(Content.styled("Coming up: cards due each day (overdue count today)", "bold $accent"))
            yield Static(id="chart-forecast", classes="chart")
            yield Label(Content.styled("Calendar: answers per study day", "bold $accent"))
            yield Static(id="heatmap")
            with Horizontal(id="stats-hists"):
                yield Static(id="hist-intervals", classes="hist")
                yield Static(id="hist-easiness", classes="hist")
            yield Label(Content.styled("Decks", "bold $accent"))
            yield DataTable(id="stats-decks", cursor_type="none")
            yield Label(Content.styled("Hardest terms", "bold $accent"))
            yield DataTable(id="stats-hardest", cursor_type="none")
            yield Label(Content.styled("Related-concept accuracy by cluster (weakest first)", "bold $accent"))
            yield DataTable(id="stats-clusters", cursor_type="none")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        for table_id, columns in (
            ("#stats-decks", ("Deck", "Terms", "Cards", "New", "Learning", "Young", "Mature", "Suspended", "% mature")),
            ("#stats-hardest", ("Term", "Deck", "Lapses", "Ease", "Answers", "Right", "Leech")),
            ("#stats-clusters", ("Term", "Cluster size", "Answers", "Accuracy")),
        ):
            table = self.query_one(table_id, DataTable)
            for c in columns:
                table.add_column(c)
        self.query_one("#stats-title", Static).update(Content.styled("Computing…", "$text-muted"))
        self.reload()
        self.query_one("#stats", VerticalScroll).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.compute(self.deck, self.range)

    def on_outside_change(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="stats")
    def compute(self, deck: str | None, range: str) -> None:
        store = self.app.worker_store()
        summary = stats.summary(store, self.app.clock(), deck=deck, range=range)
        # the app also shows the 365-day figure (the summary carries 7, 30, 90 and the chosen range)
        if "365" not in summary.retention_by_range:
            extra = stats.retention(store, summary.today, "365", deck_id=stats.resolve_deck(store, deck))
            summary.retention_by_range["365"] = extra
        self.app.call_from_thread(self.show, summary)

    # --- drawing -------------------------------------------------------------------------------------

    def show(self, s: stats.Summary) -> None:
        self.summary = s
        rng = "all time" if s.range == "all" else f"last {s.range} days"
        self.query_one("#stats-title", Static).update(
            Content.assemble(
                ("Stats", "bold"), " · ", plain_line(s.deck or "all decks", "bold $accent"), f" · {rng}",
                (f" · as of {s.today:%a %d %b %Y}", "$text-muted"),
            )
        )
        d = s.day
        self.query_one("#tile-today", Static).update(
            Content.assemble(
                ("Today  ", "bold"), (f"{d.answers}", "bold $accent"), f" {noun(d.answers, 'answer')}",
                f" · {duration(ms=d.time_ms)}\n",
                f"{d.new} new · {d.review} review · {d.redrill} re-drill\n",
                f"{pct(d.accuracy)} graded 3 or more",
            )
        )
        st = s.streaks
        self.query_one("#tile-streak", Static).update(
            Content.assemble(
                ("Streak  ", "bold"), (f"{st.current}", "bold $accent"), f" {noun(st.current, 'day')}\n",
                f"longest {st.longest} · {plural(st.days_studied, 'day')} studied\n",
                f"{plural(s.reviews_total, 'answer')} in all",
            )
        )
        r = s.retention_by_range
        ret = s.retention
        self.query_one("#tile-retention", Static).update(
            Content.assemble(
                ("True retention  ", "bold"),
                (pct(ret.rate), "bold $accent"), f" ({plural(ret.total.answers, 'review')})\n",
                f"young {pct(ret.young.rate)} · mature {pct(ret.mature.rate)}\n",
                f"7/30/90/365d: {pct(r['7'].rate)} {pct(r['30'].rate)} {pct(r['90'].rate)} {pct(r['365'].rate)}",
            )
        )
        c = s.cards
        self.query_one("#tile-cards", Static).update(
            Content.assemble(
                ("Cards  ", "bold"), (f"{c.total}", "bold $accent"), " in all · ",
                f"{c.suspended} suspended · ", (f"{c.leech}", "bold red"), f" {noun(c.leech, 'leech', 'leeches')}\n",
                (f"{c.new}", "bold cyan"), " new · ", (f"{c.learning}", "bold yellow"), " learning\n",
                (f"{c.young}", "bold green"), " young · ", (f"{c.mature}", "bold green"), " mature",
            )
        )
        self._bar_chart("#chart-activity", [x.day for x in s.reviews_per_day], [x.reviews for x in s.reviews_per_day])
        self._bar_chart("#chart-forecast", [x.day for x in s.forecast], [x.due for x in s.forecast])
        weeks = max(10, min(53, (self.app.size.width - 8) // 2))
        self.query_one("#heatmap", Static).update(heatmap_content(s.heatmap, s.today, weeks))
        self.query_one("#hist-intervals", Static).update(
            Content.assemble(("Intervals (studied cards)\n", "bold $accent"), hbar_chart([(b.label, b.cards) for b in s.intervals], 24))
        )
        self.query_one("#hist-easiness", Static).update(
            Content.assemble(("Easiness\n", "bold $accent"), hbar_chart([(b.label, b.cards) for b in s.easiness], 24))
        )
        self._fill("#stats-decks", [
            (cell(x.name), cell(x.terms), cell(x.cards), cell(x.states.new), cell(x.states.learning),
             cell(x.states.young), cell(x.states.mature), cell(x.states.suspended), cell(pct(x.mature_share)))
            for x in s.decks
        ])
        self._fill("#stats-hardest", [
            (cell(h.term), cell(h.deck), cell(h.lapses), cell(f"{h.easiness:.2f}"), cell(h.answers),
             cell(pct(h.passed / h.answers if h.answers else None)), cell("leech" if h.leech else ""))
            for h in s.hardest_terms
        ])
        self._fill("#stats-clusters", [
            (cell(k.term), cell(k.size), cell(k.answers), cell(pct(k.rate))) for k in s.clusters
        ])

    def _fill(self, table_id: str, rows: list[tuple[Text, ...]]) -> None:
        table = self.query_one(table_id, DataTable)
        table.clear()
        for row in rows:
            table.add_row(*row)
        if not rows:
            table.add_row(*[cell("—")] * len(table.columns))

    def _bar_chart(self, widget_id: str, days: list[date], values: list[int]) -> None:
        width = self.app.size.width - 6
        labels = [d.strftime("%d %b") for d in days]
        self.query_one(widget_id, Static).update(column_chart(values, labels, height=7, width=width))

    # --- actions ---------------------------------------------------------------------------------------

    def action_next_range(self) -> None:
        i = RANGE_CYCLE.index(self.range) if self.range in RANGE_CYCLE else 0
        self.range = RANGE_CYCLE[(i + 1) % len(RANGE_CYCLE)]
        self.reload()

    def action_next_deck(self) -> None:
        names = [None, *self.app.store.deck_names()]
        i = names.index(self.deck) if self.deck in names else 0
        self.deck = names[(i + 1) % len(names)]
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
