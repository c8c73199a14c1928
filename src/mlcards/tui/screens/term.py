"""One term: its text, its cards and their schedules, its review history, and its related terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from mlcards.cards import back_sections
from mlcards.errors import StoreError
from mlcards.records import GRADE_SHORT, CardInfo, CardState, card_state, is_buried
from mlcards.store.rows import LoggedAnswer, TermBrief
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.text import cell, plain, plain_line


@dataclass(frozen=True)
class TermFigures:
    """Everything the term screen shows, read in one worker."""

    today: date
    cards: list[CardInfo]
    deck: str
    neighbours: list[TermBrief]
    history: list[LoggedAnswer]


class TermScreen(Screen[None]):
    """A term's text, its cards, related terms and review history; refreshed in a worker."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("e", "edit", "Edit", id="term.edit"),
        Binding("s", "toggle_suspend", "Suspend/unsuspend card", id="term.suspend"),
        Binding("minus", "bury", "Bury card", key_display="-", id="term.bury"),
        Binding("R", "rename", "Rename", id="term.rename"),
        Binding("D,delete", "delete", "Delete", id="term.delete"),
        Binding("tab", "app.focus_next", "Next panel", show=False, id="term.next"),
        Binding("escape,q", "back", "Back", id="term.back"),
    ]

    def __init__(self, term_id: int):
        super().__init__()
        self.term_id = term_id
        self.card_ids: list[int] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="term-view"):
            yield Static(id="term-text")
            yield Label(Content.styled("Cards", "bold $accent"))
            yield DataTable(id="term-cards", cursor_type="row")
            yield Label(Content.styled("Related terms (Enter opens the highlighted one; Tab, then ↑/↓ picks)", "bold $accent"))
            yield OptionList(id="term-related")
            yield Label(Content.styled("Review history", "bold $accent"))
            yield DataTable(id="term-history", cursor_type="none", zebra_stripes=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        cards = self.query_one("#term-cards", DataTable)
        for name in ("Card", "State", "Due", "Interval", "Ease", "Reps", "Lapses"):
            cards.add_column(name)
        history = self.query_one("#term-history", DataTable)
        for name in ("When (UTC)", "Study day", "Card", "Grade", "Kind", "Interval", "Ease"):
            history.add_column(name)
        self.reload()
        cards.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.load(self.term_id)

    @work(thread=True, exclusive=True, group="term")
    def load(self, term_id: int) -> None:
        store = self.app.worker_store()
        try:
            figures = TermFigures(
                today=store.today(self.app.clock()),
                cards=store.cards_of_term(term_id),
                deck=store.term_deck(term_id),
                neighbours=store.term_neighbours(term_id),
                history=store.term_history(term_id),
            )
        except StoreError:  # the term was deleted meanwhile (here, or by another process)
            return
        self.app.call_from_thread(self.show, figures)

    def show(self, f: TermFigures) -> None:
        today, cards = f.today, f.cards
        if not cards:  # the term was removed meanwhile (another process re-imported its deck)
            return
        first = cards[0]
        text = [
            Content.assemble(plain_line(first.term, "bold $accent"), "   ", plain_line(f.deck, "$text-muted")),
        ]
        for label, body in back_sections(first):
            if label == "Related":
                continue
            text.append(Content.assemble((label, "bold"), "\n", plain(body)))
        if first.tags:
            text.append(Content.assemble(("Tags ", "bold"), plain_line(" ".join(first.tags))))
        self.query_one("#term-text", Static).update(Content("\n\n").join(text))

        table = self.query_one("#term-cards", DataTable)
        keep = table.cursor_row
        table.clear()
        self.card_ids = []
        for c in cards:
            st = c.state
            state = str(card_state(c, today))
            if is_buried(c, today):
                state += f" ({CardState.BURIED})"
            table.add_row(
                cell(c.kind.value), cell(state), cell(st.due.isoformat() if st.due else "—"),
                cell(f"{st.interval}d"), cell(f"{st.easiness:.2f}"), cell(st.repetitions), cell(c.lapses),
            )
            self.card_ids.append(c.id)
        if cards:
            table.move_cursor(row=min(keep, len(cards) - 1))

        related = self.query_one("#term-related", OptionList)
        keep_related = related.highlighted
        related.clear_options()
        neighbours = f.neighbours
        related.add_options(
            [Option(Content.assemble(plain_line(n.term, "bold"), " — ", plain_line(n.definition)), id=str(n.id)) for n in neighbours]
            or [Option(Content("(no related terms)"), disabled=True)]
        )
        if neighbours:  # Tab then Enter opens a related term (nothing is highlighted otherwise)
            related.highlighted = min(keep_related or 0, len(neighbours) - 1)

        history = self.query_one("#term-history", DataTable)
        history.clear()
        for r in f.history:
            history.add_row(
                cell(r.reviewed_at.strftime("%Y-%m-%d %H:%M")), cell(r.study_day.isoformat()), cell(r.card_kind or ""),
                cell(f"{r.grade} {GRADE_SHORT[r.grade]}"), cell(r.kind),
                cell(f"{r.interval_before}→{r.interval_after}d"),
                cell(f"{r.ease_before:.2f}→{r.ease_after:.2f}"),
            )

    @on(DataTable.RowSelected, "#term-cards")
    def _enter_on_cards(self, event: DataTable.RowSelected) -> None:
        """Enter opens the highlighted related term wherever the focus is (it was dead until Tab)."""
        event.stop()
        related = self.query_one("#term-related", OptionList)
        option = related.highlighted_option
        if option is not None and option.id and not option.disabled:
            self.app.push_screen(TermScreen(int(option.id)))

    @on(OptionList.OptionSelected, "#term-related")
    def _open_related(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(TermScreen(int(event.option.id)))

    def _card_id(self) -> int | None:
        table = self.query_one("#term-cards", DataTable)
        if not self.card_ids:
            return None
        return self.card_ids[min(table.cursor_row, len(self.card_ids) - 1)]

    def action_edit(self) -> None:
        from mlcards.tui.screens.edit import EditTermScreen

        self.app.push_screen(EditTermScreen(self.term_id), lambda saved: self.reload() if saved else None)

    def action_toggle_suspend(self) -> None:
        card_id = self._card_id()
        if card_id is None:
            return
        card = self.app.store.card(card_id)
        self.app.store.set_suspended(card_id, not card.suspended)
        self.notify(f"{'Unsuspended' if card.suspended else 'Suspended'} the {card.kind.value} card.", timeout=3)
        self.reload()

    def action_bury(self) -> None:
        card_id = self._card_id()
        if card_id is None:
            return
        store = self.app.store
        store.bury(card_id, store.today(self.app.clock()))
        self.notify("Buried until tomorrow.", timeout=3)
        self.reload()

    def action_rename(self) -> None:
        from mlcards.tui.screens import editing

        editing.rename_term(self, self.term_id, self.reload)

    def action_delete(self) -> None:
        from mlcards.tui.screens import editing

        editing.delete_term(self, self.term_id, self.action_back)

    def action_back(self) -> None:
        self.app.pop_screen()
