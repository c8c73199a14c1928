"""The end of a session (review or quiz): what was answered, today so far, and when cards are due next.

The session's own figures show at once; the day's figures and the next due day are read in a worker
on its own connection and drawn when they arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from textual import getters, work
from textual.content import Content
from textual.widgets import Static

from mlcards.session import SessionTotals
from mlcards.tui.base import MlcardsAppBase
from mlcards.wording import duration, noun


@dataclass(frozen=True)
class DayFigures:
    answers: int
    streak: int
    next_day: date | None
    next_due: int


def session_line(totals: SessionTotals, right: str = "graded 3 or more") -> Content:
    """``6 cards · 7 answers · 100% graded 3 or more · 1 re-drill · 1m 05s``."""
    t = totals
    accuracy = t.correct / t.answers if t.answers else 0.0
    return Content.assemble(
        (f"{t.cards}", "bold"), f" {noun(t.cards, 'card')} · ",
        (f"{t.answers}", "bold"), f" {noun(t.answers, 'answer')} · ",
        (f"{accuracy:.0%}", "bold"), f" {right} · ",
        (f"{t.redrills}", "bold"), f" {noun(t.redrills, 're-drill')} · ",
        (duration(t.seconds), "bold"),
    )


def day_lines(f: DayFigures) -> Content:
    """``Today so far: 7 answers · streak 1 day`` and ``Next cards due Tue 01 Dec (6)``."""
    today_line = Content.assemble(
        "Today so far: ", (f"{f.answers}", "bold"), f" {noun(f.answers, 'answer')} · streak ",
        (f"{f.streak}", "bold"), f" {noun(f.streak, 'day')}",
    )
    next_line = (
        Content.assemble("Next cards due ", (f"{f.next_day:%a %d %b}", "bold"), f" ({f.next_due})")
        if f.next_day is not None
        else Content("No reviews scheduled yet.")
    )
    return Content("\n").join([today_line, next_line])


class SessionSummary(Static):
    """The summary the review screen and the quiz show when their session is over."""

    app = getters.app(MlcardsAppBase)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._head = Content("")
        self._notes: list[Content] = []

    def show(self, totals: SessionTotals, *, today: date, deck_id: int | None, right: str = "graded 3 or more",
             empty: str = "Nothing to review right now.", notes: Sequence[str] = ()) -> None:
        """Draw ``totals`` now and the day's figures (``today``, one deck or all) once the worker has them;
        ``notes`` (our own words, not deck text) follow the figures."""
        heading = Content.styled("Session summary", "bold")
        body = session_line(totals, right) if totals.answers else Content(empty)
        self._head = Content("\n").join([heading, body])
        self._notes = [Content(""), *(Content.styled(n, "italic") for n in notes)] if notes else []
        self.update(Content("\n").join([self._head, *self._notes]))
        self.display = True
        self.load(today, deck_id)

    def clear(self) -> None:
        self._head = Content("")
        self._notes = []
        self.update("")
        self.display = False

    @work(thread=True, exclusive=True, group="session-summary")
    def load(self, today: date, deck_id: int | None) -> None:
        from mlcards import stats  # the same figures as the dashboard and the stats screen

        store = self.app.worker_store()
        nxt = stats.next_due(store, today, deck_id=deck_id)
        figures = DayFigures(
            answers=stats.today(store, today).answers,
            streak=stats.streaks(store, today).current,
            next_day=nxt.day if nxt else None,
            next_due=nxt.due if nxt else 0,
        )
        self.app.call_from_thread(self._loaded, figures)

    def _loaded(self, figures: DayFigures) -> None:
        if self.display:
            self.update(Content("\n").join([self._head, day_lines(figures), *self._notes]))
