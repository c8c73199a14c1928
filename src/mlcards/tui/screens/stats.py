"""Stats: the figures of ``mlcards.stats`` as charts: "how am I doing, and what is coming" at a glance.

The figures are computed in a worker thread (its own connection) and drawn here; nothing in this
file computes a figure. ``f`` shows the FSRS section (``widgets.fsrs_panel``: calibration, the forecast
at the deck's retention, the "help me decide" table) above them: it costs most of a second of a
worker's time, so it is computed only when asked for, and again when the deck changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from textual import getters, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from mlcards import stats
from mlcards.text import one_line
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.charts import column_chart, hbar_chart
from mlcards.tui.widgets.fsrs_panel import FSRSPanel
from mlcards.tui.widgets.text import cell, plain_line
from mlcards.wording import duration, noun, plural

RANGE_CYCLE = ("7", "30", "90", "365", "all")
TILES = (
    ("today", "Today"), ("queue", "Due today"), ("streak", "Streak"),
    ("retention", "True retention"), ("cards", "Cards"), ("practice", "Practice"),
)
"""The figure tiles, two per row: each shows its title and "computing…" until the figures arrive."""
COMPUTING = Content.styled("computing…", "$text-muted")

DECK_COLUMNS = ("Deck", "Terms", "Cards", "New", "Learn", "Young", "Mature", "Susp.", "Mature%")
HARDEST_COLUMNS = ("Term", "Deck", "Lapses", "Ease", "Answers", "Right", "Leech")
CLUSTER_COLUMNS = ("Term", "Cluster size", "Answers", "Accuracy")
MIN_TEXT_COLUMN = 6
"""A name column is never narrower than this (names longer than their column end with …)."""


def fit(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` cells with … when longer."""
    line = one_line(text)
    return line if len(line) <= width else line[: max(0, width - 1)] + "…"


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], flex: Sequence[int], room: int) -> list[int]:
    """Each column's width: its widest cell or header; when the columns (each with one cell of padding on
    either side) do not fit in ``room``, the ``flex`` columns (names) give up the difference, widest first."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    excess = sum(w + 2 for w in widths) - room
    while excess > 0:
        i = max(flex, key=lambda j: widths[j])
        if widths[i] <= max(MIN_TEXT_COLUMN, len(headers[i])):
            break
        widths[i] -= 1
        excess -= 1
    return widths
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
        Binding("f", "toggle_fsrs", "FSRS", id="stats.fsrs", tooltip="FSRS: calibration, forecast, what retention costs"),
        Binding("escape,q", "back", "Back", id="stats.back"),
    ]

    def __init__(self, deck: str | None = None, range: str = "30"):
        super().__init__()
        self.deck = deck  # None: all decks; d cycles through them
        self.range = range
        self.summary: stats.Summary | None = None
        self.fsrs_deck: str | None = None
        """The deck the FSRS section was last computed for (None: not yet)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats"):
            yield Static(id="stats-title")
            with Grid(id="stats-tiles"):
                for tile, title in TILES:
                    yield Static(Content.assemble((title, "bold"), ("  computing…", "$text-muted")),
                                 id=f"tile-{tile}", classes="tile")
            yield Label(Content.styled("Reviews per day", "bold $accent"))
            yield Static(COMPUTING, id="chart-activity", classes="chart")
            yield Label(Content.styled("Coming up: cards due each day (overdue count today)", "bold $accent"))
            yield Static(COMPUTING, id="chart-forecast", classes="chart")
            yield Label(Content.styled("Calendar: answers per study day", "bold $accent"))
            yield Static(COMPUTING, id="heatmap")
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
        self.query_one("#stats-title", Static).update(Content.styled("Stats · computing the figures…", "$text-muted"))
        # paint the tiles with "computing…" first: the worker's queries would otherwise delay that frame
        self.call_after_refresh(self.reload)
        self.query_one("#stats", VerticalScroll).focus()

    def on_screen_resume(self) -> None:
        if self._shown is not None:  # back from another screen (the first push paints the tiles first)
            self.reload()

    _shown: tuple[str | None, str, tuple[object, ...]] | None = None
    """Deck, range and change state of the figures shown or being computed (None: none yet)."""

    def reload(self) -> None:
        """Show the figures for the deck and range: at once when nothing changed since they were
        computed (here or in the app's memo), else from a worker."""
        state = self.app.change_state()
        changed = self._shown is not None and self._shown[2] != state
        self.figures(self.deck, self.range, state)
        if self.fsrs_shown and changed:
            self._load_fsrs()

    def figures(self, deck: str | None, range: str, state: tuple[object, ...]) -> None:
        if self._shown == (deck, range, state):
            return  # already shown, or on its way
        self._shown = (deck, range, state)
        known = self.app.remembered_stats(deck, range, state)
        if isinstance(known, stats.Summary):  # a pass still running for another one is not shown (_computed)
            self.show(known)
            return
        self.compute(deck, range, state)

    def on_outside_change(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="stats")
    def compute(self, deck: str | None, range: str, state: tuple[object, ...]) -> None:
        store = self.app.worker_store()
        # the app also shows the 365-day figure: computed in the same pass as 7, 30, 90 and the range
        summary = stats.summary(store, self.app.clock(), deck=deck, range=range, retention_also=("365",))
        self.app.call_from_thread(self._computed, deck, range, state, summary)

    def _computed(self, deck: str | None, range: str, state: tuple[object, ...], summary: stats.Summary) -> None:
        self.app.remember_stats(deck, range, state, summary)
        if self._shown == (deck, range, state):  # not overtaken by another deck, range or change
            self.show(summary)

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
        self._tiles(s)
        self._charts(s)
        self._fill("#stats-decks", DECK_COLUMNS, [
            (x.name, str(x.terms), str(x.cards), str(x.states.new), str(x.states.learning),
             str(x.states.young), str(x.states.mature), str(x.states.suspended), pct(x.mature_share))
            for x in s.decks
        ], flex=(0,))
        self._fill("#stats-hardest", HARDEST_COLUMNS, [
            (h.term, h.deck, str(h.lapses), f"{h.easiness:.2f}", str(h.answers),
             pct(h.passed / h.answers if h.answers else None), "leech" if h.leech else "")
            for h in s.hardest_terms
        ], flex=(0, 1))
        self._fill("#stats-clusters", CLUSTER_COLUMNS, [
            (k.term, str(k.size), str(k.answers), pct(k.rate)) for k in s.clusters
        ], flex=(0,))

    def _tiles(self, s: stats.Summary) -> None:
        d = s.day
        self.query_one("#tile-today", Static).update(
            Content.assemble(
                ("Today  ", "bold"), (f"{d.answers}", "bold $accent"), f" {noun(d.answers, 'answer')}",
                f" · {duration(ms=d.time_ms)}\n",
                f"{d.new} new · {d.review} review · {d.redrill} re-drill\n",
                f"{plural(d.cards, 'card')} · {pct(d.accuracy)} graded 3 or more",
            )
        )
        q = s.queue
        self.query_one("#tile-queue", Static).update(
            Content.assemble(
                ("Due today  ", "bold"), (f"{q.total}", "bold $accent"), f" {noun(q.total, 'card')}\n",
                (f"{q.new}", "bold cyan"), " new · ", (f"{q.learning}", "bold yellow"), " learning · ",
                (f"{q.review}", "bold green"), " review\n",
                ("as the review queue counts them", "$text-muted"),
            )
        )
        st = s.streaks
        self.query_one("#tile-streak", Static).update(
            Content.assemble(
                ("Streak  ", "bold"), (f"{st.current}", "bold $accent"), f" {noun(st.current, 'day')}\n",
                f"longest {st.longest} · {st.days_studied} studied\n",
                f"{plural(s.reviews_total, 'answer')} in all",
            )
        )
        r = s.retention_by_range
        ret = s.retention
        self.query_one("#tile-retention", Static).update(
            Content.assemble(
                ("True retention  ", "bold"), (pct(ret.rate), "bold $accent"), "\n",
                f"of {plural(ret.total.answers, 'review')}\n",
                f"young {pct(ret.young.rate)} · mature {pct(ret.mature.rate)}\n",
                f"7d {pct(r['7'].rate)}  30d {pct(r['30'].rate)}  90d {pct(r['90'].rate)}"
                + (f"  1y {pct(r['365'].rate)}" if "365" in r else ""),
            )
        )
        c = s.cards
        self.query_one("#tile-cards", Static).update(
            Content.assemble(
                ("Cards  ", "bold"), (f"{c.total}", "bold $accent"), " in all\n",
                (f"{c.new}", "bold cyan"), " new · ", (f"{c.learning}", "bold yellow"), " learning\n",
                (f"{c.young}", "bold green"), " young · ", (f"{c.mature}", "bold green"), " mature\n",
                f"{c.suspended} suspended · ", (f"{c.leech}", "bold red"), f" {noun(c.leech, 'leech', 'leeches')}",
            )
        )
        pt, pa = s.practice_today, s.practice_total
        self.query_one("#tile-practice", Static).update(
            Content.assemble(
                ("Practice  ", "bold"), (f"{pt.answers}", "bold $accent"), f" {noun(pt.answers, 'answer')} today\n",
                (f"{pct(pt.rate)} right · {pa.answers} in all ({pct(pa.rate)})" if pa.answers else "none yet") + "\n",
                ("quizzes and custom study", "$text-muted"),
            )
        )

    def _charts(self, s: stats.Summary) -> None:
        self._bar_chart("#chart-activity", [x.day for x in s.reviews_per_day], [x.reviews for x in s.reviews_per_day])
        self._bar_chart("#chart-forecast", [x.day for x in s.forecast], [x.due for x in s.forecast])
        room = self._room()
        weeks = max(10, min(53, (room - 6) // 2))
        self.query_one("#heatmap", Static).update(heatmap_content(s.heatmap, s.today, weeks))
        hist = (room - 1) // 2  # two side by side, one cell apart
        self.query_one("#hist-intervals", Static).update(
            Content.assemble(("Intervals (studied cards)\n", "bold $accent"),
                             hbar_chart([(b.label, b.cards) for b in s.intervals], hist))
        )
        self.query_one("#hist-easiness", Static).update(
            Content.assemble(("Easiness\n", "bold $accent"), hbar_chart([(b.label, b.cards) for b in s.easiness], hist))
        )

    def _room(self) -> int:
        """Cells a line of the scrolled content has: the screen less the padding and the scroll bar."""
        return max(40, self.app.size.width - 4)

    def on_resize(self) -> None:
        if self.summary is not None:
            self.show(self.summary)
        for panel in self.query(FSRSPanel):  # its forecast chart is drawn to the width
            if panel.figures is not None:
                panel.show(panel.figures)

    def _fill(self, table_id: str, headers: Sequence[str], rows: list[tuple[str, ...]], *, flex: Sequence[int]) -> None:
        table = self.query_one(table_id, DataTable)
        table.clear(columns=True)
        if not rows:
            rows = [tuple("—" for _ in headers)]
        widths = column_widths(headers, rows, flex, self._room())
        for header, width in zip(headers, widths):
            table.add_column(header, width=width)
        for row in rows:
            table.add_row(*(cell(fit(text, width)) for text, width in zip(row, widths)))

    def _bar_chart(self, widget_id: str, days: list[date], values: list[int]) -> None:
        width = self._room() - 1
        labels = [d.strftime("%d %b") for d in days]
        self.query_one(widget_id, Static).update(column_chart(values, labels, height=7, width=width))

    # --- actions ---------------------------------------------------------------------------------------

    def action_next_range(self) -> None:
        i = RANGE_CYCLE.index(self.range) if self.range in RANGE_CYCLE else 0
        self.range = RANGE_CYCLE[(i + 1) % len(RANGE_CYCLE)]
        self.figures(self.deck, self.range, self.app.change_state())  # the FSRS section does not depend on it

    def action_next_deck(self) -> None:
        names = [None, *self.app.store.deck_names()]
        i = names.index(self.deck) if self.deck in names else 0
        self.deck = names[(i + 1) % len(names)]
        self.figures(self.deck, self.range, self.app.change_state())
        if self.fsrs_shown:
            self._load_fsrs()

    @property
    def fsrs_shown(self) -> bool:
        return any(p.display for p in self.query(FSRSPanel))

    def _load_fsrs(self) -> None:
        """(Re)compute the FSRS section for the deck shown (all decks: the first deck with cards)."""
        panel = self.query_one(FSRSPanel)
        panel.query_one("#fsrs-title", Static).update(Content.styled("FSRS · computing…", "$text-muted"))
        self.fsrs_deck = self.deck
        panel.load(self.deck)

    def action_toggle_fsrs(self) -> None:
        panels = list(self.query(FSRSPanel))
        scroll = self.query_one("#stats", VerticalScroll)
        if not panels:  # first time: mounting the panel starts its worker
            self.fsrs_deck = self.deck
            scroll.mount(FSRSPanel(self.deck), after="#stats-title")
            scroll.scroll_home(animate=False)
            return
        panel = panels[0]
        panel.display = not panel.display
        if panel.display:
            if self.fsrs_deck != self.deck or panel.figures is None:
                self._load_fsrs()
            scroll.scroll_home(animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()
