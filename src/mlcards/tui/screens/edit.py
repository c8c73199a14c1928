"""Edit a term in a modal: the change is saved in place and every card keeps its schedule."""

from __future__ import annotations

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


class EditTermScreen(ModalScreen[bool]):
    """Dismisses with True when saved, False when cancelled."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="edit.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
    ]

    def __init__(self, term_id: int):
        super().__init__()
        self.term_id = term_id

    def compose(self) -> ComposeResult:
        term = self.app.store.term_model(self.term_id)
        with VerticalScroll(id="edit-box"):
            yield Static(Content.styled("Edit term  (ctrl+s saves · Esc cancels)", "bold $accent"))
            yield Label("Term")
            yield Input(term.term, id="edit-term")
            yield Label("Definition")
            yield TextArea(term.definition, id="edit-definition", soft_wrap=True, classes="short")
            yield Label("In plain English")
            yield TextArea(term.explanation or "", id="edit-explanation", soft_wrap=True)
            yield Label("Example")
            yield TextArea(term.example or "", id="edit-example", soft_wrap=True, classes="short")
            yield Label("Related terms (comma-separated)")
            yield Input(", ".join(term.related), id="edit-related")
            yield Label("Tags (space- or comma-separated)")
            yield Input(" ".join(term.tags), id="edit-tags")
            yield Static(id="edit-error")
            with Horizontal(id="edit-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#edit-term", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        data = {
            "term": self.query_one("#edit-term", Input).value,
            "definition": self.query_one("#edit-definition", TextArea).text,
            "explanation": self.query_one("#edit-explanation", TextArea).text,
            "example": self.query_one("#edit-example", TextArea).text,
            "related": [r for r in self.query_one("#edit-related", Input).value.split(",") if r.strip()],
            "tags": self.query_one("#edit-tags", Input).value.replace(",", " ").split(),
        }
        try:
            # fields this form does not show (aliases, typed relations, cloze text) are kept as they are
            kept = self.app.store.term_model(self.term_id)
            data.update({k: getattr(kept, k) for k in ("aliases", *RELATION_KINDS, "cloze")})
            term = Term.model_validate(data)
            self.app.store.update_term(self.term_id, term)
        except ValidationError as e:
            message, _ = describe_validation_error(e, data)
            self.query_one("#edit-error", Static).update(Content.styled(safe_line(message), "$error"))
            return
        except MlcardsError as e:
            self.query_one("#edit-error", Static).update(Content.styled(safe_line(str(e)), "$error"))
            return
        self.notify("Saved; the schedule is unchanged.", timeout=3)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
