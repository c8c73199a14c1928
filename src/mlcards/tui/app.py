"""The Textual app: a dashboard first, then review, quiz, browse, import and stats screens.

``make_app`` is the factory shared by the CLI and the tests. The app's services (its database
connections, the clock, outside changes, crash logs) live in ``tui/base.py``; this module adds the
screens and the command palette.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from mlcards.tui.base import MlcardsAppBase


class MlcardsApp(MlcardsAppBase):
    """mlcards: spaced repetition for machine-learning terms."""

    def on_mount(self) -> None:
        from mlcards.tui.screens.home import HomeScreen

        self.apply_saved_theme()
        self.push_screen(HomeScreen())
        if self.start == "review":
            self.start_review(self.start_deck)
        self.watch_outside_changes()
        # the modules, styles and widgets loaded so far live as long as the app: keep them out of the
        # garbage collector's scans, which otherwise add ~70 ms pauses to a key every few screens
        # (not headless: tests run hundreds of apps in one process, whose objects must stay collectable)
        if not self.is_headless:
            self.call_after_refresh(gc.freeze)

    # --- navigation shared by screens and the command palette ------------------------------------------

    def start_review(self, deck: str | None = None) -> None:
        from mlcards.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck=deck))

    def action_help(self) -> None:
        from mlcards.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_settings(self) -> None:
        from mlcards.tui.screens.settings import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys of this screen and what the grades mean", self.action_help)
        if not any(isinstance(b, Binding) and b.action == "settings" for b in screen.BINDINGS):
            yield SystemCommand("Settings", "Daily limits, study day, theme, answer buttons, keymap, a deck's own",
                                self.action_settings)
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


def make_app(db_path: str | Path, **kwargs: Any) -> MlcardsApp:
    """Build the app (shared by ``mlcards`` and the tests)."""
    return MlcardsApp(db_path, **kwargs)


def run(db_path: str | Path, *, start: str = "home", deck: str | None = None, headless: bool = False) -> int:
    """Run the app; returns the exit status (1 after a crash, which printed one line and wrote a log)."""
    app = make_app(db_path, start=start, deck=deck)
    app.run(headless=headless)
    return app.return_code or 0
