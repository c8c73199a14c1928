"""Help: every key of the screen underneath, and what the SM-2 grades mean."""

from __future__ import annotations

from typing import Any

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from mlcards.models import GRADE_MEANINGS
from mlcards.tui.base import MlcardsAppBase

ABOUT = (
    "mlcards schedules every card with SM-2. After each answer you grade yourself from 0 to 5; "
    "grades below 3 send the card back to the start, and grades below 4 bring it back once more "
    "at the end of today's session. A card that lapses 8 times becomes a leech and is suspended."
)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen underneath (after the user's keymap) and the meaning of each grade."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, under: Screen[Any]):
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self._content())

    def _content(self) -> Content:
        lines = [Content.styled(f"Keys on this screen ({type(self.under).__name__.removesuffix('Screen')})", "bold $accent")]
        seen = set()
        keymap = self.app._keymap if hasattr(self.app, "_keymap") else {}
        for binding in [*self.under.BINDINGS, *self.app.BINDINGS]:
            if not isinstance(binding, Binding):
                continue
            key = keymap.get(binding.id, binding.key_display or binding.key) if binding.id else (binding.key_display or binding.key)
            action = binding.action
            label = binding.tooltip or binding.description or action
            if binding.group is not None:
                label = f"{binding.group.description} {label}"
            if (key, label) in seen:
                continue
            seen.add((key, label))
            lines.append(Content.assemble((f"  {key.replace('question_mark', '?'):<14}", "bold"), label))
        lines.append(Content(""))
        lines.append(Content.styled("Grades", "bold $accent"))
        for g in range(5, -1, -1):
            lines.append(Content.assemble((f"  {g}  ", "bold"), GRADE_MEANINGS[g]))
        lines.append(Content(""))
        lines.append(Content(ABOUT))
        lines.append(Content(""))
        lines.append(Content.styled("ctrl+p opens the command palette · Esc closes this help", "$text-muted"))
        return Content("\n").join(lines)
