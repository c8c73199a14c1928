"""The Textual app: a dashboard first, then review, quiz, browse, import and stats screens.

``make_app`` is the factory shared by the CLI and the tests. The app owns one Store on the UI
thread; workers open their own connection to the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from mlcards import studyday
from mlcards.store import Store


class MlcardsApp(App):
    """mlcards: spaced repetition for machine-learning terms."""

    CSS_PATH = "mlcards.tcss"
    TITLE = "mlcards"
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit", priority=True),
    ]

    def __init__(
        self,
        db_path: str | Path,
        *,
        start: str = "home",
        deck: str | None = None,
        clock: Callable[[], datetime] = studyday.now,
    ):
        super().__init__()
        self.db_path = Path(db_path)
        self.start = start
        self.start_deck = deck
        self.clock = clock
        self.store = Store.open(self.db_path)
        keymap = self.store.setting("keymap")
        if keymap:
            self.set_keymap(keymap)

    def on_mount(self) -> None:
        from mlcards.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.start == "review":
            self.start_review(self.start_deck)

    def on_unmount(self) -> None:
        self.store.close()

    def open_worker_store(self) -> Store:
        """A separate connection for a worker thread (a Store belongs to one thread)."""
        return Store.open(self.db_path, install_bundled=False)

    # --- navigation shared by screens and the command palette ------------------------------------------

    def start_review(self, deck: str | None = None) -> None:
        from mlcards.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck=deck))

    def action_help(self) -> None:
        from mlcards.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys of this screen and what the grades mean", self.action_help)
        # Every action bound on the current screen is also a command.
        for binding in screen.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description or binding.action.startswith("app."):
                continue
            action = binding.action
            key = binding.key_display or binding.key
            yield SystemCommand(
                binding.tooltip or binding.description,
                f"{binding.description} · key: {key}" if binding.tooltip else f"key: {key}",
                lambda a=action, s=screen: s.run_action(a),
            )


def make_app(db_path: str | Path, **kwargs) -> MlcardsApp:
    """Build the app (shared by ``mlcards`` and the tests)."""
    return MlcardsApp(db_path, **kwargs)


def run(db_path: str | Path, *, start: str = "home", deck: str | None = None) -> None:
    make_app(db_path, start=start, deck=deck).run()
