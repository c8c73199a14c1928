"""Small modals: a yes/no confirmation before a delete, and a one-line prompt (a new name)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from mlcards.errors import MlcardsError
from mlcards.text import safe_line
from mlcards.tui.widgets.text import plain, plain_line


class ConfirmScreen(ModalScreen[bool]):
    """Asks one question; dismisses with True on ``y`` (or the button), False on ``n``/Esc."""

    DEFAULT_CSS = """
    ConfirmScreen, PromptScreen { align: center middle; background: $background 60%; }
    #confirm-box, #prompt-box {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: round $error; padding: 1 2; background: $surface;
    }
    #prompt-box { border: round $accent; }
    #confirm-title, #prompt-title { text-style: bold; margin-bottom: 1; }
    #confirm-buttons, #prompt-buttons { height: auto; margin-top: 1; }
    #confirm-buttons Button, #prompt-buttons Button { margin-right: 2; }
    #prompt-error { height: auto; color: $error; }
    """

    BINDINGS = [
        Binding("y", "confirm", "Yes", id="confirm.yes"),
        Binding("n,escape", "cancel", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, body: str, *, yes: str = "Delete") -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(plain_line(self.title_text), id="confirm-title")
            yield Static(plain(self.body), id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes} (y)", id="confirm-yes", variant="error")
                yield Button("Cancel (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # Enter on the default button keeps everything

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class PromptScreen(ModalScreen[str | None]):
    """One line of text (a new name). ``check(text)`` raising ``MlcardsError`` keeps the prompt open,
    showing the message; otherwise the screen dismisses with the text (None when cancelled)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, value: str = "", *, check: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Static(plain_line(self.title_text), id="prompt-title")
            yield Static(id="prompt-error")
            yield Input(self.value, id="prompt-input")
            with Horizontal(id="prompt-buttons"):
                yield Button("Save (Enter)", id="prompt-save", variant="primary")
                yield Button("Cancel (Esc)", id="prompt-cancel")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "prompt-save":
            self.save()
        else:
            self.dismiss(None)

    def save(self) -> None:
        text = self.query_one("#prompt-input", Input).value
        if self.check is not None:
            try:
                self.check(text)
            except MlcardsError as e:
                self.query_one("#prompt-error", Static).update(Content(safe_line(str(e))))
                return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
