"""The FSRS section of the stats screen: calibration, the forecast at the deck's retention, and the
"help me decide" table (``mlcards.simulate.deck_figures``), computed in a worker on its own connection.

Mount ``FSRSPanel(deck="NAME")`` (or ``deck=None`` for the first deck with cards) anywhere under an
``MlcardsAppBase``; call ``load(deck)`` to show another deck.
"""

from __future__ import annotations

from textual import getters, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from mlcards import simulate
from mlcards.errors import MlcardsError
from mlcards.fsrs_eval import CalibrationBin
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.charts import column_chart
from mlcards.tui.widgets.text import plain_line

BAR = 20
"""Cells of a calibration bar (100% recall)."""


def calibration_content(bins: list[CalibrationBin]) -> Content:
    """One line per bin: the recall rate as a bar, the mean prediction as a mark on it."""
    if not bins:
        return Content.styled("No reviews to check the predictions against yet.", "$text-muted")
    lines = [Content.styled(f"{'predicted':<9}  {'bar: actual, │ predicted':<{BAR + 2}}  {'actual':>6}  reviews",
                            "$text-muted")]
    for b in bins:
        filled = round(b.actual * BAR)
        mark = min(BAR - 1, round(b.predicted * BAR))
        cells = [("█" if i < filled else "·") for i in range(BAR)]
        parts: list[str | tuple[str, str]] = [f"{b.low:>4.0%}–{b.high:<4.0%}  "]
        for i, c in enumerate(cells):
            parts.append(("│", "bold $warning") if i == mark else (c, "$accent" if c == "█" else "$text-muted"))
        parts.append(f"  {b.actual:>6.0%}  {b.reviews}")
        lines.append(Content.assemble(*parts))
    return Content("\n").join(lines)


def decide_content(table: simulate.Simulation, current: float) -> Content:
    lines = [Content.styled(f"{'scheduler':<18} {'answers/day':>11} {'minutes/day':>11} {'remembered':>10}",
                            "$text-muted")]
    for o in table.outcomes:
        j = o.as_json()
        label = "SM-2" if o.desired_retention is None else f"FSRS-6 at {o.desired_retention:.2f}"
        chosen = o.desired_retention is not None and abs(o.desired_retention - current) < 1e-9
        row = f"{label:<18} {j['reviews_per_day']:>11} {j['minutes_per_day']:>11} {j['remembered_at_end']:>10}"
        lines.append(Content.styled(row + ("  ← this deck" if chosen else ""), "bold" if chosen else ""))
    lines.append(Content.styled(f"over {table.days} days; remembered: cards expected to be recalled on the last day",
                                "$text-muted"))
    return Content("\n").join(lines)


class FSRSPanel(Vertical):
    """FSRS figures of one deck (see the module's note)."""

    DEFAULT_CSS = """
    FSRSPanel { height: auto; }
    FSRSPanel > Static { height: auto; margin-bottom: 1; }
    """

    app = getters.app(MlcardsAppBase)

    def __init__(self, deck: str | None = None, *, id: str | None = "fsrs-panel") -> None:
        super().__init__(id=id)
        self.deck = deck
        self.figures: simulate.DeckFigures | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("FSRS · computing…", "$text-muted"), id="fsrs-title")
        yield Static(id="fsrs-calibration")
        yield Static(id="fsrs-forecast")
        yield Static(id="fsrs-decide")

    def on_mount(self) -> None:
        self.load(self.deck)

    @work(thread=True, exclusive=True, group="fsrs-panel")
    def load(self, deck: str | None) -> None:
        store = self.app.worker_store()
        try:
            if deck is None:
                names = [n for n in store.deck_names() if (d := store.deck_id(n)) and store.card_ids(d)]
                if not names:
                    raise MlcardsError("no deck with cards yet")
                deck = names[0]
            figures = simulate.deck_figures(store, store.require_deck(deck), now=self.app.clock())
        except MlcardsError as e:
            self.app.call_from_thread(self.show_error, str(e))
            return
        self.app.call_from_thread(self.show, figures)

    def show_error(self, message: str) -> None:
        self.query_one("#fsrs-title", Static).update(Content.assemble(("FSRS", "bold"), " · ", plain_line(message)))

    def show(self, f: simulate.DeckFigures) -> None:
        self.figures = f
        self.deck = f.deck
        using = (f"uses FSRS-6 at {f.desired_retention:.0%}" if f.scheduler == "fsrs"
                 else "uses SM-2 (below: what FSRS-6 would do)")
        fitted = "its own fitted parameters" if f.fitted else "the default parameters (mlcards optimize fits them)"
        self.query_one("#fsrs-title", Static).update(Content.assemble(
            ("FSRS", "bold"), " · ", plain_line(f.deck, "bold $accent"), f" {using} · {fitted}"))
        self.query_one("#fsrs-calibration", Static).update(Content.assemble(
            ("Predicted against actual recall", "bold"), "\n", calibration_content(f.calibration)))
        width = max(20, min(70, (self.size.width or 70) - 2))
        labels = [("today" if i == 0 else f"+{i}") for i in range(len(f.forecast))]
        self.query_one("#fsrs-forecast", Static).update(Content.assemble(
            (f"Answers per day, next {len(f.forecast)} days, at {f.desired_retention:.0%}", "bold"), "\n",
            column_chart(f.forecast, labels, height=5, width=width)))
        self.query_one("#fsrs-decide", Static).update(Content.assemble(
            ("What each desired retention costs", "bold"), "\n", decide_content(f.decide, f.desired_retention)))
