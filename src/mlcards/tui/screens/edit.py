"""Edit a term, or add one, in a modal: an edit is saved in place and every card keeps its schedule.

A refused save (an empty definition, a name another term has) shows its message at the top of the
form, right under the title, and scrolls there: at 80x24 the bottom of the form is off-screen.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError
from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from mlcards.errors import MlcardsError
from mlcards.models import Term, describe_validation_error
from mlcards.records import RELATION_KINDS
from mlcards.text import safe_line
from mlcards.tui.base import MlcardsAppBase

_W = TypeVar("_W", bound=Widget)


def _titled(widget: _W, title: str) -> _W:
    widget.border_title = title
    return widget


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
        # each field's name is its border title, and ctrl+s / Esc (named in the heading) stand for buttons:
        # fewer widgets open faster (the modal's cost is styling and laying out each one), and 80x24 needs
        # the rows
        term = self.initial()
        with VerticalScroll(id="edit-box"):
            yield Static(Content.styled(f"{self.heading}  (ctrl+s saves · Esc cancels)", "bold $accent"))
            yield Static(id="edit-error")
            yield from self.deck_field()
            yield _titled(Input(term.term if term else "", id="edit-term"), "Term")
            yield _titled(TextArea(term.definition if term else "", id="edit-definition", soft_wrap=True,
                                   classes="short"), "Definition")
            yield _titled(TextArea((term.explanation or "") if term else "", id="edit-explanation", soft_wrap=True),
                          "In plain English")
            yield _titled(TextArea((term.example or "") if term else "", id="edit-example", soft_wrap=True,
                                   classes="short"), "Example")
            yield _titled(Input(", ".join(term.related) if term else "", id="edit-related"),
                          "Related terms (comma-separated)")
            yield _titled(Input(" ".join(term.tags) if term else "", id="edit-tags"),
                          "Tags (space- or comma-separated)")

    def on_mount(self) -> None:
        # an opaque backdrop: a translucent one makes every frame re-render and blend the screen below,
        # a third of what opening the form cost (the form covers that screen anyway)
        self.styles.background = Color.parse(self.app.theme_variables["background"])
        self.query_one("#edit-term", Input).focus()

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

    DEFAULT_CSS = """
    EditTermScreen #edit-box Input, EditTermScreen #edit-box TextArea { border-title-color: $text-muted; }
    """

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
    AddTermScreen { align: center middle; }
    AddTermScreen #edit-box Input, AddTermScreen #edit-box TextArea { border-title-color: $text-muted; }
    """

    heading = "Add term"

    def __init__(self, deck: str | None = None):
        super().__init__()
        self.deck = deck or ""
        self.added: int | None = None
        """The new term's id once saved."""

    def deck_field(self) -> ComposeResult:
        yield _titled(Input(self.deck, id="edit-deck"), "Deck (a new name creates the deck)")

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
