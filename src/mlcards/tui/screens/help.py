"""Help: every key of the screen underneath, and what the SM-2 grades mean."""

from __future__ import annotations

import textwrap
from typing import Any

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from mlcards import studyday
from mlcards.records import GRADE_MEANINGS
from mlcards.store import Store
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.text import plain_line

KEY_NAMES = {
    "escape": "Esc", "enter": "Enter", "space": "Space", "tab": "Tab", "shift+tab": "shift+Tab",
    "question_mark": "?", "minus": "-", "plus": "+", "comma": ",", "full_stop": ".", "slash": "/",
    "delete": "Del", "backspace": "Backspace", "home": "Home", "end": "End", "pageup": "PgUp",
    "pagedown": "PgDn", "up": "↑", "down": "↓", "left": "←", "right": "→",
}
"""Textual's key names as a person reads them on the keyboard."""


def key_label(key: str) -> str:
    """One key as shown in the help: ``escape`` -> ``Esc``, ``question_mark`` -> ``?``."""
    key = key.strip()
    return KEY_NAMES.get(key, key)


def keys_label(keys: str) -> list[str]:
    """A binding's key string (``"escape,q"``) as the keys it holds (``["Esc", "q"]``)."""
    return [key_label(k) for k in keys.split(",") if k.strip()]


def last_sync_line(store: Store) -> Content:
    """When this database last synced and with which folder (``mlcards sync``, or the app on start/quit)."""
    me = store.sync_device()
    if not me.last_sync_at:
        return Content.assemble(("Never synced", "bold"), " (mlcards sync DIR)")
    at = studyday.local(studyday.from_utc_text(me.last_sync_at), store.tz()).strftime("%Y-%m-%d %H:%M")
    return Content.assemble(("Last sync ", "bold"), f"{at} to ", plain_line(me.last_folder or "?"))


def about(leech_threshold: int) -> str:
    return (
        "Each deck has a scheduler: SM-2 unless you choose FSRS for it in the settings (,). After each "
        "answer you grade yourself from 0 to 5 (with four answer buttons: Again, Hard, Good, Easy); "
        "grades below 3 send the card back to the start. A re-drill is a same-day repeat of a card you "
        "graded below 4: it comes back at the end of today's session until you grade it 4 or more, and "
        "its schedule stays as that answer set it. "
        f"A card that lapses {leech_threshold} times becomes a leech and is suspended."
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
        keymap = self.app._keymap if hasattr(self.app, "_keymap") else {}
        actions: dict[str, list[str]] = {}  # label -> keys, one line per action
        for binding in [*self.under.BINDINGS, *self.app.BINDINGS]:
            if not isinstance(binding, Binding):
                continue
            if binding.id and binding.id in keymap:
                keys = keys_label(keymap[binding.id])
            elif binding.key_display:
                keys = [binding.key_display]
            else:
                keys = keys_label(binding.key)
            label = binding.tooltip or binding.description or binding.action
            if binding.group is not None:
                label = f"{binding.group.description} {label}"
            shown = actions.setdefault(label, [])
            shown.extend(k for k in keys if k not in shown)
        width = max((len(" ".join(k)) for k in actions.values()), default=0) + 2
        # the box is 84% of the screen (at most 100 cells) less its border, padding and scroll bar
        room = max(20, min(100, self.app.size.width * 84 // 100) - 8 - (2 + width))
        for label, keys in actions.items():
            wrapped = textwrap.wrap(label, room) or [""]
            lines.append(Content.assemble((f"  {' '.join(keys):<{width}}", "bold"), wrapped[0]))
            lines.extend(Content(" " * (2 + width) + more) for more in wrapped[1:])  # a hanging indent
        lines.append(Content(""))
        lines.append(Content.styled("Grades", "bold $accent"))
        for g in range(5, -1, -1):
            lines.append(Content.assemble((f"  {g}  ", "bold"), GRADE_MEANINGS[g]))
        lines.append(Content(""))
        lines.append(Content(about(int(self.app.store.setting("leech_threshold")))))
        lines.append(Content(""))
        lines.append(Content.assemble(("Database ", "bold"), plain_line(str(self.app.db_path))))
        lines.append(last_sync_line(self.app.store))
        lines.append(Content.styled("ctrl+p opens the command palette · Esc closes this help", "$text-muted"))
        return Content("\n").join(lines)
