"""Settings: the global settings and the highlighted deck's own, edited from the keyboard.

Every field is validated by the same functions as ``mlcards settings`` (``check_setting`` /
``check_deck_setting``: the CLI's messages), shown next to the field; ``ctrl+s`` saves every field
only when all of them are valid. The deck's fields come from ``DeckSettings``'s pydantic fields, so a
setting added there shows up here without a change to this screen.

Under the deck's desired retention: the workload FSRS-6 would have at the value shown (answers and
minutes per day over a year, and the cards remembered at its end; ``mlcards.simulate``), recomputed in
a worker whenever the field holds a valid value (a newer value drops an older one's result). Switching
the deck's scheduler refolds its cards from the log; switching back undoes it.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
import types
import typing
from dataclasses import dataclass
from typing import Any, Union

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Static
from textual.worker import get_current_worker

from mlcards.errors import MlcardsError, StoreError
from mlcards.settings import DeckSettings, Settings, check_deck_setting, check_setting
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.text import plain_line

GLOBAL_LABELS: dict[str, str] = {
    "new_per_day": "New cards per day",
    "reviews_per_day": "Reviews per day",
    "rollover_hour": "Next day starts at (hour)",
    "timezone": "Time zone",
    "leech_threshold": "Leech after lapses",
    "theme": "Theme",
    "answer_buttons": "Answer buttons",
    "keymap": "Keymap (JSON)",
    "sync_folder": "Sync folder",
    "sync_on_start_quit": "Sync on start and quit",
}
"""The global settings this screen shows, in order, with their labels."""

GLOBAL_HINTS: dict[str, str] = {
    "timezone": "IANA name, e.g. Europe/Paris; empty: this computer's",
    "rollover_hour": "0-23; earlier answers count for the day before",
    "answer_buttons": "4 are logged as grades 1/3/4/5",
    "keymap": 'e.g. {"review.reveal": "space,j"}; ids: see README',
    "sync_folder": "a shared folder or ssh://host/path; kept on this machine only",
    "leech_threshold": "lapses before a card is suspended",
    "theme": "←/→ to pick; a theme chosen in the palette is saved too",
}

DECK_HINTS: dict[str, str] = {
    "scheduler": "switching rebuilds the deck's cards from the log (the log is kept); undo: switch back",
    "new_per_day": "empty: only the global limit applies",
    "reviews_per_day": "empty: only the global limit applies",
}
"""Short hints for the deck settings known today; any other field shows its docstring."""

DECK_LABELS: dict[str, str] = {
    "scheduler": "Scheduler",
    "new_per_day": "New cards per day",
    "reviews_per_day": "Reviews per day",
}


RETENTION_ID = "deck-desired_retention"
"""The field the workload line sits under."""


def attribute_docs(cls: type) -> dict[str, str]:
    """The string written under each field of a class (its attribute docstring), by field name."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, after in zip(body, body[1:]):
        if (
            isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = " ".join(after.value.value.split())
    return docs


def _is_optional(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (Union, types.UnionType) and type(None) in typing.get_args(annotation)


def _is_bool(annotation: Any) -> bool:
    return annotation is bool


def as_text(value: Any) -> str:
    """A setting's value as the field shows it (None: empty, a flag: on/off, lists and maps: JSON)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list | dict):
        return json.dumps(value) if value or isinstance(value, list) else "{}"
    return str(value)


@dataclass(frozen=True)
class Field:
    """One row of the screen: ``scope`` 'global' or 'deck', the setting's key, how it is edited."""

    scope: str
    key: str
    label: str
    hint: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); empty: a text field
    optional: bool = False  # an empty field means "no value of the deck's own"

    @property
    def widget_id(self) -> str:
        return f"{self.scope}-{self.key}"


class Choice(Widget, can_focus=True):
    """A value picked from a short list: left / right (or space) step through it."""

    BINDINGS = [
        Binding("right,space", "step(1)", "Next value", show=False, id="settings.choice_next"),
        Binding("left", "step(-1)", "Previous value", show=False, id="settings.choice_previous"),
    ]

    DEFAULT_CSS = """
    Choice { height: 1; width: 1fr; background: $boost; }
    Choice:focus { background: $accent 30%; text-style: bold; }
    """

    index: reactive[int] = reactive(0)

    class Changed(Message):
        def __init__(self, choice: "Choice") -> None:
            super().__init__()
            self.choice = choice

    def __init__(self, choices: tuple[tuple[str, str], ...], value: str, *, id: str | None = None):
        super().__init__(id=id)
        self.choices = choices
        self.set_value(value)

    def set_value(self, value: str) -> None:
        values = [v for v, _ in self.choices]
        if value not in values:  # e.g. a theme this Textual does not have: show it, keep it
            self.choices = (*self.choices, (value, value))
            values.append(value)
        self.index = values.index(value)

    @property
    def value(self) -> str:
        return self.choices[self.index][0]

    def render(self) -> Content:
        label = self.choices[self.index][1]
        return Content.assemble(("‹ ", "$text-muted"), plain_line(label), (" ›", "$text-muted"))

    def action_step(self, by: int) -> None:
        self.index = (self.index + by) % len(self.choices)
        self.post_message(self.Changed(self))


class SettingsScreen(Screen[None]):
    """The global settings, then the highlighted deck's own; ctrl+s saves them all, Esc goes back."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save", priority=True),
        Binding("escape", "back", "Back", id="settings.back"),
        Binding("down", "app.focus_next", "Next field", show=False, id="settings.next", priority=True),
        Binding("up", "app.focus_previous", "Previous field", show=False, id="settings.previous", priority=True),
    ]

    DEFAULT_CSS = """
    #settings { padding: 0 1; }
    #settings-title, #settings-status { height: auto; }
    #settings-status { margin-bottom: 1; }
    #settings-deck-title { margin-top: 1; }
    #settings-global, #settings-deck { height: auto; }
    .setting { height: auto; }
    .setting-line { height: 1; }
    .setting-label { width: 26; }
    .setting-line Input { width: 1fr; }
    .setting-hint { height: auto; padding-left: 26; }
    .setting-error { display: none; height: auto; padding-left: 26; }
    .setting-error.-shown { display: block; }
    #settings-workload { height: auto; padding-left: 26; }
    """

    def __init__(self, deck: str | None = None):
        super().__init__()
        self.deck = deck
        self.fields: list[Field] = []
        self.saved_text: dict[str, str] = {}
        """What each field showed when loaded or last saved (widget id -> text)."""
        self.workload_for: float | None = None
        """The desired retention the workload line shows (None: not computed yet)."""
        self._workload_asked: tuple[str | None, float] | None = None
        self._workload_figures: dict[str, Any] = {}
        self._sim_cache: tuple[tuple[str, int], Any] | None = None
        """((deck, generation), (cards, parameters, new cards per day, maximum interval, today)) for the
        workload; a save starts a new generation (the deck's cards or limits may have changed)."""
        self._generation = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="settings"):
            yield Static(Content.styled("Settings", "bold"), id="settings-title")
            yield Static(Content.styled("Loading…", "$text-muted"), id="settings-status")
            yield Vertical(id="settings-global")
            yield Label("", id="settings-deck-title")
            yield Vertical(id="settings-deck")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="settings")
    def load(self) -> None:
        from mlcards import schedulers

        store = self.app.worker_store()
        values = store.settings()
        names = store.deck_names()
        deck = self.deck if self.deck in names else (names[0] if names else None)
        deck_values: dict[str, Any] = {}
        if deck is not None:
            deck_id = store.require_deck(deck)
            deck_values = {"scheduler": store.deck_scheduler(deck_id), **store.deck_settings(deck_id).as_dict()}
        self.app.call_from_thread(self.build, values, deck, deck_values, tuple(schedulers.NAMES))

    def _global_fields(self) -> list[Field]:
        docs = attribute_docs(Settings)
        themes = tuple((name, name) for name in sorted(self.app.available_themes))
        out = []
        for key, label in GLOBAL_LABELS.items():
            choices: tuple[tuple[str, str], ...] = ()
            if key == "theme":
                choices = themes
            elif key == "answer_buttons":
                choices = (("6", "6 (grades 0-5)"), ("4", "4 (Again/Hard/Good/Easy)"))
            elif key == "sync_on_start_quit":
                choices = (("off", "off"), ("on", "on"))
            out.append(Field("global", key, label, GLOBAL_HINTS.get(key) or docs.get(key, ""), choices))
        return out

    def _deck_fields(self, scheduler_names: tuple[str, ...]) -> list[Field]:
        docs = attribute_docs(DeckSettings)
        out = [Field("deck", "scheduler", "Scheduler", DECK_HINTS["scheduler"], tuple((n, n) for n in scheduler_names))]
        for key, annotation in typing.get_type_hints(DeckSettings).items():
            label = DECK_LABELS.get(key) or key.replace("_", " ").capitalize()
            choices = (("on", "on"), ("off", "off")) if _is_bool(annotation) else ()
            optional = _is_optional(annotation)
            hint = DECK_HINTS.get(key) or docs.get(key, "") or ("empty: none of its own" if optional else "")
            out.append(Field("deck", key, label, hint, choices, optional))
        return out

    def build(self, values: dict[str, Any], deck: str | None, deck_values: dict[str, Any],
              scheduler_names: tuple[str, ...]) -> None:
        self.deck = deck
        global_box = self.query_one("#settings-global", Vertical)
        deck_box = self.query_one("#settings-deck", Vertical)
        global_box.remove_children()
        deck_box.remove_children()
        self.fields = self._global_fields()
        deck_fields = self._deck_fields(scheduler_names) if deck is not None else []
        self.fields += deck_fields
        self.saved_text = {}
        for box, fields, source in ((global_box, self._global_fields(), values), (deck_box, deck_fields, deck_values)):
            rows = []
            for f in fields:
                text = as_text(source.get(f.key))
                self.saved_text[f.widget_id] = text
                rows.append(self._row(f, text))
                if f.widget_id == RETENTION_ID:
                    rows.append(Static(Content.styled("Workload: computing…", "$text-muted"), id="settings-workload"))
            box.mount_all(rows)
        self.query_one("#settings-deck-title", Label).update(
            Content.assemble(("Deck ", "bold $accent"), plain_line(deck, "bold $accent"),
                             ("  its own values, inside the global ones", "$text-muted"))
            if deck is not None else Content.styled("No deck yet: nothing of a deck's own to set", "$text-muted")
        )
        self.query_one("#settings-status", Static).update(
            Content.styled("Tab or ↑/↓ move · ←/→ change a choice · ctrl+s saves · Esc goes back", "$text-muted")
        )
        self.call_after_refresh(self._focus_first)
        self._generation += 1
        self._workload_asked = None
        self.call_after_refresh(self._ask_workload)  # once the rows are mounted

    def _focus_first(self) -> None:
        if self.fields:
            self.query_one(f"#{self.fields[0].widget_id}").focus()

    def _row(self, f: Field, text: str) -> Widget:
        editor: Widget = (
            Choice(f.choices, text, id=f.widget_id) if f.choices
            else Input(text, id=f.widget_id, compact=True, select_on_focus=False)
        )
        parts: list[Widget] = [
            Horizontal(Label(f.label, classes="setting-label"), editor, classes="setting-line"),
            Static("", id=f"error-{f.widget_id}", classes="setting-error"),
        ]
        if f.hint:
            parts.append(Static(Content.styled(f.hint, "$text-muted"), classes="setting-hint"))
        return Vertical(*parts, classes="setting")

    # --- values ---------------------------------------------------------------------------------------

    def shown_text(self) -> dict[str, str]:
        """What every field shows now (widget id -> text)."""
        out: dict[str, str] = {}
        for f in self.fields:
            widget = self.query_one(f"#{f.widget_id}")
            out[f.widget_id] = widget.value if isinstance(widget, Choice | Input) else ""
        return out

    def changed(self) -> bool:
        return bool(self.fields) and self.shown_text() != self.saved_text

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        self._show_error(f"{event.input.id}", "")
        if event.input.id == RETENTION_ID:
            self._ask_workload()

    @on(Choice.Changed)
    def _picked(self, event: Choice.Changed) -> None:
        self._show_error(f"{event.choice.id}", "")
        if event.choice.id == "deck-scheduler":
            self._ask_workload()

    # --- the workload next to the desired retention ------------------------------------------------------

    def _ask_workload(self) -> None:
        """Recompute the workload line for the retention shown, when it is valid (else say so)."""
        lines = list(self.query("#settings-workload").results(Static))
        if not lines or self.deck is None:
            return
        text = self.query_one(f"#{RETENTION_ID}", Input).value
        try:
            retention = float(check_deck_setting("desired_retention", text if text.strip() else "default"))
        except StoreError:
            lines[0].update(Content.styled("Workload: shown once the retention is valid", "$text-muted"))
            self._workload_asked = None
            return
        asked = (self.deck, retention)
        if asked == self._workload_asked:  # being computed, or shown: only the scheduler's note may change
            if self.workload_for == retention:
                self._show_workload_note(retention)
            return
        self._workload_asked = asked
        self.workload_for = None
        lines[0].update(Content.styled(f"FSRS-6 at {retention:.2f}: computing the workload…", "$text-muted"))
        self.compute_workload(self.deck, retention, self._generation)

    @work(thread=True, exclusive=True, group="settings-workload")
    def compute_workload(self, deck: str, retention: float, generation: int) -> None:
        from mlcards import simulate

        worker = get_current_worker()
        store = self.app.worker_store()
        cache = self._sim_cache
        if cache is None or cache[0] != (deck, generation):
            try:
                deck_id = store.require_deck(deck)
                settings = store.deck_settings(deck_id)
                cards, parameters = simulate.deck_cards(store, deck_id, self.app.clock())
            except MlcardsError as e:  # e.g. the deck was deleted meanwhile
                self.app.call_from_thread(self.show_workload_error, deck, retention, str(e))
                return
            new_limit = settings.new_per_day if settings.new_per_day is not None else int(store.setting("new_per_day"))
            today = store.today(self.app.clock())
            cache = ((deck, generation), (cards, parameters, new_limit, settings.maximum_interval, today))
            self._sim_cache = cache
        cards, parameters, new_limit, maximum, today = cache[1]
        if worker.is_cancelled:
            return
        (outcome,) = simulate.run(cards, parameters, days=365, new_per_day=new_limit, maximum_interval=maximum,
                                  retentions=(retention,), today=today, with_sm2=False)
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_workload, deck, retention, outcome.as_json())

    def show_workload_error(self, deck: str, retention: float, message: str) -> None:
        if self._workload_asked == (deck, retention):
            self.query_one("#settings-workload", Static).update(
                Content.assemble(("No workload: ", "$text-muted"), plain_line(message)))

    def show_workload(self, deck: str, retention: float, figures: dict[str, Any]) -> None:
        if self._workload_asked != (deck, retention):  # a newer value was typed since: drop this one
            return
        self.workload_for = retention
        self._workload_figures = figures
        self._show_workload_note(retention)

    def _show_workload_note(self, retention: float) -> None:
        f = self._workload_figures
        line = Content.assemble(
            (f"FSRS-6 at {retention:.2f}: ", "$text-muted"),
            (f"{f['reviews_per_day']} answers/day", "bold"), " · ", (f"{f['minutes_per_day']} min/day", "bold"),
            " · ", (f"{f['remembered_at_end']} remembered", "bold"), (" after a year", "$text-muted"),
        )
        scheduler = self.query_one("#deck-scheduler", Choice).value
        if scheduler != "fsrs":
            name = {"sm2": "SM-2"}.get(scheduler, scheduler)
            line = Content.assemble(line, "\n", Content.styled(
                f"The deck uses {name}, which ignores the retention: choose fsrs as its scheduler for it to apply",
                "$warning"))
        self.query_one("#settings-workload", Static).update(line)

    def _show_error(self, widget_id: str, message: str) -> None:
        for error in self.query(f"#error-{widget_id}").results(Static):
            error.update(Content.styled(message, "bold $error") if message else "")
            error.set_class(bool(message), "-shown")

    # --- saving ---------------------------------------------------------------------------------------

    def action_save(self) -> None:
        if not self.fields:
            return
        self.query_one("#settings-status", Static).update(Content.styled("Saving…", "$text-muted"))
        self.save(self.deck, self.shown_text(), dict(self.saved_text))

    @staticmethod
    def _checked(f: Field, text: str) -> Any:
        """The field's value as the setting's type, or a StoreError with the CLI's message."""
        if f.scope == "global":
            return check_setting(f.key, text)
        if f.key == "scheduler":
            from mlcards import schedulers

            if text not in schedulers.NAMES:
                raise StoreError(f"unknown scheduler {text!r}; known: {', '.join(schedulers.NAMES)}")
            return text
        if f.optional and not text.strip():
            return None
        return check_deck_setting(f.key, text if text.strip() else "default")

    @work(thread=True, exclusive=True, group="settings")
    def save(self, deck: str | None, shown: dict[str, str], saved: dict[str, str]) -> None:
        from mlcards import answering

        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for f in self.fields:
            try:
                values[f.widget_id] = self._checked(f, shown[f.widget_id])
            except StoreError as e:
                errors[f.widget_id] = str(e)
        if errors:
            self.app.call_from_thread(self.show_errors, errors)
            return
        store = self.app.worker_store()
        deck_id = store.require_deck(deck) if deck is not None else None
        notes: list[str] = []
        try:
            for f in self.fields:
                if shown[f.widget_id] == saved.get(f.widget_id):
                    continue
                value = values[f.widget_id]
                if f.scope == "global":
                    store.set_setting(f.key, value)
                elif deck_id is not None and f.key == "scheduler":
                    cards = answering.switch_scheduler(store, deck_id, value)
                    notes.append(f"{cards} {'card' if cards == 1 else 'cards'} rebuilt with {value}")
                elif deck_id is not None:
                    answering.set_deck_setting(store, deck_id, f.key, value)  # refolds an FSRS deck
        except StoreError as e:  # e.g. the database is busy: say so on the field being saved
            self.app.call_from_thread(self.show_errors, {f.widget_id: str(e)})
            return
        self.app.call_from_thread(self.saved, store.settings(), notes)

    def show_errors(self, errors: dict[str, str]) -> None:
        for widget_id, message in errors.items():
            self._show_error(widget_id, message)
        first = next(f for f in self.fields if f.widget_id in errors)
        widget = self.query_one(f"#{first.widget_id}")
        widget.focus()
        row = widget.parent if isinstance(widget.parent, Widget) else widget
        self.query_one("#settings", VerticalScroll).scroll_to_widget(row, animate=False)
        count = len(errors)
        self.query_one("#settings-status", Static).update(Content.styled(
            f"Not saved: {count} {'field needs' if count == 1 else 'fields need'} a valid value (shown in red)",
            "bold $error",
        ))

    def saved(self, values: dict[str, Any], notes: list[str]) -> None:
        self.saved_text = self.shown_text()
        self._generation += 1  # the deck's cards or limits may have changed
        self._workload_asked = None
        self._ask_workload()
        self.app.store.changed_elsewhere()  # the UI connection drops its cached settings
        self.app.apply_settings(values)
        message = "Settings saved" + (f" ({'; '.join(notes)})" if notes else "")
        self.query_one("#settings-status", Static).update(Content.styled(message, "bold $success"))
        self.notify(message, markup=False)

    def action_back(self) -> None:
        if self.changed():
            self.notify("Changes not saved (ctrl+s saves)", markup=False, severity="warning")
        self.app.pop_screen()
