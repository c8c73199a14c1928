"""Edit a term, or add one, in a modal: an edit is saved in place and every card keeps its schedule.

A refused save (an empty definition, a name another term has) shows its message at the top of the
form, right under the title, and scrolls there: at 80x24 the bottom of the form is off-screen.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from mlcards.errors import MlcardsError
from mlcards.models import RELATION_KINDS, Term, describe_validation_error
from mlcards.text import safe_line
from mlcards.tui.base import MlcardsAppBase


class _TermForm(ModalScreen[bool]):
    """The fields of a term; subclasses say what saving does. Dismisses with True when saved."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="edit.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
    ]

    heading = "Edit term"

    def initial(self) -> Term | None:
        return None

    def deck_field(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        term = self.initial()
        with VerticalScroll(id="edit-box"):
            yield Static(Content.styled(f"{self.heading}  (ctrl+s saves · Esc cancels)", "bold $accent"))
            yield Static(id="edit-error")
            yield from self.deck_field()
            yield Label("Term")
            yield Input(term.term if term else "", id="edit-term")
            yield Label("Definition")
            yield TextArea(term.definition if term else "", id="edit-definition", soft_wrap=True, classes="short")
            yield Label("In plain English")
            yield TextArea((term.explanation or "") if term else "", id="edit-explanation", soft_wrap=True)
            yield Label("Example")
            yield TextArea((term.example or "") if term else "", id="edit-example", soft_wrap=True, classes="short")
            yield Label("Related terms (comma-separated)")
            yield Input(", ".join(term.related) if term else "", id="edit-related")
            yield Label("Tags (space- or comma-separated)")
            yield Input(" ".join(term.tags) if term else "", id="edit-tags")
            with Horizontal(id="edit-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#edit-term", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()

    def form_data(self) -> dict[str, Any]:
        return {
            "term": self.query_one("#edit-term", Input).value,
            "definition": self.query_one("#edit-definition", TextArea).text,
            "explanation": self.query_one("#edit-explanation", TextArea).text,
            "example": self.query_one("#edit-example", TextArea).text,
            "related": [r for r in self.query_one("#edit-related", Input).value.split(",") if r.strip()],
            "tags": self.query_one("#edit-tags", Input).value.replace(",", " ").split(),
        }

    def show_error(self, message: str) -> None:
        """The refusal, at the top of the form (visible at any size), scrolled into view."""
        error = self.query_one("#edit-error", Static)
        error.update(Content.styled(safe_line(message), "bold $error"))
        self.query_one("#edit-box", VerticalScroll).scroll_home(animate=False)

    def save(self, data: dict[str, Any]) -> str:
        """Validate and write; returns the message to show. Raises ``ValidationError``/``MlcardsError``."""
        raise NotImplementedError

    def action_save(self) -> None:
        data = self.form_data()
        try:
            message = self.save(data)
        except ValidationError as e:
            self.show_error(describe_validation_error(e, data)[0])
            return
        except MlcardsError as e:
            self.show_error(str(e))
            return
        self.notify(message, timeout=3, markup=False)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class EditTermScreen(_TermForm):
    """Edit a term's text in place: its cards keep their schedules and history."""

    def __init__(self, term_id: int):
        super().__init__()
        self.term_id = term_id
        self._term: Term | None = None

    def initial(self) -> Term:
        if self._term is None:
            self._term = self.app.store.term_model(self.term_id)
        return self._term

    def save(self, data: dict[str, Any]) -> str:
        # fields this form does not show (aliases, typed relations, cloze text) are kept as they are
        kept = self.app.store.term_model(self.term_id)
        data.update({k: getattr(kept, k) for k in ("aliases", *RELATION_KINDS, "cloze")})
        term = Term.model_validate(data)
        self.app.store.update_term(self.term_id, term)
        return "Saved; the schedule is unchanged."


class AddTermScreen(_TermForm):
    """Add a term to a deck (preselected; a new name creates the deck), with its cards as an import makes them."""

    DEFAULT_CSS = """
    AddTermScreen { align: center middle; background: $background 60%; }
    """

    heading = "Add term"

    def __init__(self, deck: str | None = None):
        super().__init__()
        self.deck = deck or ""
        self.added: int | None = None
        """The new term's id once saved."""

    def deck_field(self) -> ComposeResult:
        yield Label("Deck (a new name creates the deck)")
        yield Input(self.deck, id="edit-deck")

    def save(self, data: dict[str, Any]) -> str:
        from mlcards import editing
        from mlcards.text import one_line
        from mlcards.wording import plural

        deck = self.query_one("#edit-deck", Input).value.strip()
        if not deck:
            raise MlcardsError("which deck? type a deck name")
        term = Term.model_validate(data)
        added = editing.add_term_report(self.app.store, deck, term)
        self.added = added.term_id
        made = f"Created deck {one_line(added.deck)}. " if added.created_deck else ""
        return f"{made}Added {one_line(term.term)} to {one_line(added.deck)} ({plural(added.cards, 'card')})."
