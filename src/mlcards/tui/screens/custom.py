"""Custom study (Anki's, for when the day is done): more new cards, review ahead, the weakest cards, one tag.

Only "more new cards" counts: it starts a real review session with today's new-card limit raised.
The other three start a practice session over the cards ``mlcards.custom`` selects: answers are
logged as practice and no schedule moves. Keyboard: 1-4 (or the arrows) pick a mode and move to its
number (or, for a tag, to the tag list), Enter starts, d switches between the deck and all decks,
Esc goes back.
"""

from __future__ import annotations

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from mlcards import custom
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.text import plain_line
from mlcards.wording import plural

PICK = Binding.Group("Mode", compact=True)

MODE_LINES = {
    "new": ("More new cards today", "counts", "today's new-card limit raised"),
    "ahead": ("Review ahead", "practice", "cards due in the next days"),
    "weakest": ("The weakest cards", "practice", "most lapses, then lowest ease"),
    "tag": ("One tag", "practice", "the cards of one tag's terms"),
}
NUMBER_LABELS = {"new": "New cards to add:", "ahead": "Days ahead:", "weakest": "Cards:", "tag": "Cards at most:"}
PRACTICE_TAIL = "as practice: no schedule changes."


class CustomStudyScreen(Screen[None]):
    """Pick a custom-study mode, its number (and tag), and start the session."""

    app = getters.app(MlcardsAppBase)

    DEFAULT_CSS = """
    CustomStudyScreen #custom { padding: 0 1; }
    CustomStudyScreen #custom-modes { height: auto; margin: 1 0 0 0; }
    CustomStudyScreen #custom-number-row { height: 1; margin: 1 0 0 0; }
    CustomStudyScreen #custom-number-label { width: auto; padding: 0 1 0 0; }
    CustomStudyScreen #custom-number { width: 10; }
    CustomStudyScreen #custom-tags { height: 1fr; min-height: 3; margin: 1 0 0 0; }
    CustomStudyScreen #custom-preview { height: auto; margin: 1 0 0 0; }
    CustomStudyScreen #custom-spacer { height: 1fr; }
    """

    BINDINGS = [
        Binding("1", "mode(1)", "New", group=PICK, id="custom.mode1"),
        Binding("2", "mode(2)", "Ahead", group=PICK, id="custom.mode2"),
        Binding("3", "mode(3)", "Weakest", group=PICK, id="custom.mode3"),
        Binding("4", "mode(4)", "Tag", group=PICK, id="custom.mode4"),
        Binding("d", "toggle_deck", "Deck/all", id="custom.deck", tooltip="Study the highlighted deck or every deck"),
        Binding("escape", "back", "Back", id="custom.back"),
    ]

    def __init__(self, deck: str | None = None):
        super().__init__()
        self.home_deck = deck
        self.deck = deck  # the deck studied (None: every deck)
        self.mode = "new"
        self.numbers = dict(custom.DEFAULT_NUMBER)
        self.tag_names: list[str] = []
        self.plan: custom.CustomPlan | None = None  # what the preview shows

    def compose(self) -> ComposeResult:
        with Vertical(id="custom"):
            yield Static(Content.styled("Custom study", "bold $accent"))
            yield Static(id="custom-deck")
            yield OptionList(*self.mode_options(), id="custom-modes")
            with Horizontal(id="custom-number-row"):
                yield Label(id="custom-number-label")
                yield Input(id="custom-number", type="integer", compact=True, max_length=4)
            yield OptionList(id="custom-tags")
            yield Static(id="custom-preview")
            yield Static(id="custom-spacer")
            yield Static(Content.styled("1-4 or ↑↓ pick · Tab moves · Enter starts · d deck or all · Esc back",
                                        "$text-muted"), id="custom-hint")
        yield Footer(show_command_palette=False)

    @staticmethod
    def mode_options() -> list[Option]:
        out = []
        for i, mode in enumerate(custom.MODES, 1):
            title, kind, what = MODE_LINES[mode]
            style = "bold $warning" if kind == "counts" else "$success"
            out.append(Option(Content.assemble((f"{i}  ", "bold"), (title, "bold"), "  ", (kind, style), f" · {what}"), id=mode))
        return out

    def on_mount(self) -> None:
        modes = self.query_one("#custom-modes", OptionList)
        modes.highlighted = 0
        self.show_mode()
        self.load_tags()
        modes.focus()

    def on_screen_resume(self) -> None:
        self.refresh_preview()  # a session just ended: the counts moved

    # --- what is chosen ------------------------------------------------------------------------------

    def show_deck(self) -> None:
        name = Content.assemble("Deck: ", plain_line(self.deck, "bold")) if self.deck else Content.styled("All decks", "bold")
        if self.deck:
            other = Content.styled("  (d: all decks)", "$text-muted")
        elif self.home_deck:
            other = Content.assemble(("  (d: ", "$text-muted"), plain_line(self.home_deck, "$text-muted"), (" only)", "$text-muted"))
        else:
            other = Content("")
        self.query_one("#custom-deck", Static).update(Content.assemble(name, other))

    def show_mode(self) -> None:
        self.show_deck()
        self.query_one("#custom-number-label", Label).update(NUMBER_LABELS[self.mode])
        number = self.query_one("#custom-number", Input)
        with number.prevent(Input.Changed):
            number.value = str(self.numbers[self.mode])
        self.query_one("#custom-tags", OptionList).display = self.mode == "tag"
        self.refresh_preview()

    def number(self) -> int:
        try:
            return max(0, int(self.query_one("#custom-number", Input).value))
        except ValueError:
            return custom.DEFAULT_NUMBER[self.mode]

    def tag(self) -> str | None:
        tags = self.query_one("#custom-tags", OptionList)
        i = tags.highlighted
        return self.tag_names[i] if i is not None and 0 <= i < len(self.tag_names) else None

    def deck_id(self) -> int | None:
        return self.app.store.deck_id(self.deck) if self.deck else None

    @on(OptionList.OptionHighlighted, "#custom-modes")
    def _mode_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.mode:
            self.mode = event.option.id
            self.show_mode()

    @on(OptionList.OptionSelected, "#custom-modes")
    def _mode_selected(self, event: OptionList.OptionSelected) -> None:
        if self.mode == "tag" and self.tag_names:
            self.query_one("#custom-tags", OptionList).focus()
        else:
            self.start()

    @on(Input.Changed, "#custom-number")
    def _number_changed(self) -> None:
        self.numbers[self.mode] = self.number()
        self.refresh_preview()

    @on(Input.Submitted, "#custom-number")
    def _number_submitted(self) -> None:
        self.start()

    @on(OptionList.OptionHighlighted, "#custom-tags")
    def _tag_highlighted(self) -> None:
        self.refresh_preview()

    @on(OptionList.OptionSelected, "#custom-tags")
    def _tag_selected(self) -> None:
        self.start()

    def action_mode(self, n: int) -> None:
        modes = self.query_one("#custom-modes", OptionList)
        modes.highlighted = n - 1
        self.mode = custom.MODES[n - 1]
        self.show_mode()
        if self.mode == "tag" and self.tag_names:
            self.query_one("#custom-tags", OptionList).focus()
        else:
            self.query_one("#custom-number", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_deck":
            return self.home_deck is not None
        return True

    def action_toggle_deck(self) -> None:
        if self.home_deck is None:
            return
        self.deck = None if self.deck else self.home_deck
        self.show_deck()
        self.load_tags()
        self.refresh_preview()

    def action_back(self) -> None:
        self.app.pop_screen()

    # --- tags and the preview, read in workers -------------------------------------------------------

    @work(thread=True, exclusive=True, group="custom-tags")
    def load_tags(self) -> None:
        store = self.app.worker_store()
        deck_id = store.deck_id(self.deck) if self.deck else None
        found = custom.tags(store, deck_id)
        self.app.call_from_thread(self.show_tags, found)

    def show_tags(self, found: list[tuple[str, int]]) -> None:
        tags = self.query_one("#custom-tags", OptionList)
        before = self.tag()
        self.tag_names = [name for name, _ in found]
        tags.clear_options()
        for name, terms in found:
            tags.add_option(Option(Content.assemble(plain_line(name, "bold"), f"  {plural(terms, 'term')}")))
        if found:
            tags.highlighted = self.tag_names.index(before) if before in self.tag_names else 0
        self.refresh_preview()

    def refresh_preview(self) -> None:
        self.compute_preview(self.mode, self.number(), self.deck, self.tag() if self.mode == "tag" else None)

    @work(thread=True, exclusive=True, group="custom-preview")
    def compute_preview(self, mode: str, number: int, deck: str | None, tag: str | None) -> None:
        store = self.app.worker_store()
        deck_id = store.deck_id(deck) if deck else None
        found = custom.plan(store, store.today(self.app.clock()), mode, number, deck_id=deck_id, tag=tag)
        self.app.call_from_thread(self.show_preview, found, number, tag)

    def show_preview(self, plan: custom.CustomPlan, number: int, tag: str | None) -> None:
        if plan.mode != self.mode:
            return  # the mode changed meanwhile: its own preview is on its way
        self.plan = plan
        self.query_one("#custom-preview", Static).update(describe(plan, number, tag, bool(self.tag_names)))

    # --- starting ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the chosen session (read afresh: the preview may be a moment old)."""
        from mlcards.tui.screens.review import ReviewScreen

        store = self.app.store
        tag = self.tag() if self.mode == "tag" else None
        number = self.number()
        chosen = custom.plan(store, store.today(self.app.clock()), self.mode, number, deck_id=self.deck_id(), tag=tag)
        if chosen.empty:
            self.notify(describe(chosen, number, tag, bool(self.tag_names)).plain, markup=False, timeout=4)
            return
        if chosen.mode == "new":
            self.app.push_screen(ReviewScreen(self.deck, new_limit=chosen.new_limit))
        else:
            self.app.push_screen(ReviewScreen(self.deck, practice="custom", cards=list(chosen.cards)))


def describe(plan: custom.CustomPlan, number: int, tag: str | None, any_tags: bool) -> Content:
    """What the session would be, in a sentence or two."""
    if plan.mode == "new":
        if plan.new_available == 0:
            return Content("No new cards left to learn here.")
        return Content.assemble(
            "Up to ", (plural(plan.new_cards, "new card"), "bold"),
            f" ({plan.new_left} left in today's limit + {number} more; {plan.new_available} to learn), "
            "with the reviews due. ", ("These answers count on the schedule.", "bold $warning"),
        )
    n = len(plan.cards)
    if plan.mode == "ahead":
        if not n:
            return Content(f"No cards are due in the next {plural(number, 'day')}.")
        return Content.assemble((plural(n, "card"), "bold"), f" due in the next {plural(number, 'day')}, {PRACTICE_TAIL}")
    if plan.mode == "weakest":
        if not n:
            return Content("No weak cards: none has lapsed or lost ease.")
        return Content.assemble((plural(n, "card"), "bold"), f" that lapsed or lost ease, {PRACTICE_TAIL}")
    if tag is None:
        return Content("No tags here." if not any_tags else "Pick a tag.")
    if not n:
        return Content.assemble("No cards to study with the tag ", plain_line(tag, "bold"), ".")
    return Content.assemble((plural(n, "card"), "bold"), " tagged ", plain_line(tag, "bold"), f", {PRACTICE_TAIL}")
