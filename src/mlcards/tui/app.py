"""The Textual app: a dashboard first, then review, quiz, browse, import and stats screens.

``make_app`` is the factory shared by the CLI and the tests. The app's services (its database
connections, the clock, outside changes, crash logs) live in ``tui/base.py``; this module adds the
screens and the command palette.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from mlcards.store import Store
from mlcards.tui.base import MlcardsAppBase

QUIT_SYNC_S = 20.0
"""How long quitting waits for the sync it runs (setting sync_on_start_quit) before it exits anyway."""


def sync_once(store: Store, folder: str) -> str:
    """One sync of ``store`` with ``folder`` (a path or ssh://host/path), told in one line."""
    from mlcards import sync
    from mlcards.sync import ssh

    report = ssh.sync_remote(store, folder) if ssh.is_remote(folder) else sync.sync(store, folder)
    line = f"sync with {folder}: received {report.received} changes ({report.reviews} answers), sent {report.sent}"
    if report.problems:
        line += f"; warning: {report.problems[0]}"
    if report.refused:
        line += "; part of the folder was written by a newer mlcards: upgrade mlcards here"
    return line


class MlcardsApp(MlcardsAppBase):
    """mlcards: spaced repetition for machine-learning terms."""

    def on_mount(self) -> None:
        from mlcards.tui.screens.home import HomeScreen

        self.apply_saved_theme()
        self.push_screen(HomeScreen())
        if self.start == "review":
            self.start_review(self.start_deck)
        self.watch_outside_changes()
        if self.sync_folder():
            self.run_worker(self._start_sync, thread=True, group="sync", exclusive=True)
        # the modules, styles and widgets loaded so far live as long as the app: keep them out of the
        # garbage collector's scans, which otherwise add ~70 ms pauses to a key every few screens
        # (not headless: tests run hundreds of apps in one process, whose objects must stay collectable)
        if not self.is_headless:
            self.call_after_refresh(gc.freeze)

    # --- sync on start and quit (settings sync_on_start_quit and sync_folder) --------------------------

    quit_sync_message: str | None = None
    """What the sync run on quitting did (``run`` prints it on stderr once the app is gone)."""
    _quitting = False

    def sync_folder(self) -> str:
        """The folder to sync with on start and quit, or "" (the setting is off or no folder is set)."""
        if not self.store.setting("sync_on_start_quit"):
            return ""
        return str(self.store.setting("sync_folder"))

    def _start_sync(self) -> None:
        folder = self.sync_folder()
        try:
            line = sync_once(self.worker_store(), folder)
        except Exception as e:  # any failure is a warning: the app goes on without the other machines' answers
            self.call_from_thread(self.notify, f"sync with {folder} failed: {e}", severity="warning", markup=False)
            return
        self.call_from_thread(self.notify, line, markup=False)
        self.call_from_thread(self.check_outside_changes)  # the dashboard shows what arrived

    async def action_quit(self) -> None:
        """Quit; first one sync when the setting is on (at most ``QUIT_SYNC_S``, then exit anyway)."""
        folder = self.sync_folder()
        if not folder or self._quitting:
            self.exit()
            return
        self._quitting = True
        self.notify(f"syncing with {folder} before quitting…", markup=False)
        done = threading.Event()
        outcome: list[str] = []

        def work() -> None:  # its own connection, closed here: a sync that outlives the app is left alone
            try:
                store = Store.connect(self.db_path, check_same_thread=False)
                try:
                    outcome.append(sync_once(store, folder))
                finally:
                    store.close()
            except Exception as e:
                outcome.append(f"warning: sync with {folder} failed: {e}")
            finally:
                done.set()

        deadline = time.monotonic() + QUIT_SYNC_S
        while any(w.group == "sync" and w.is_running for w in self.workers) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # the start's sync is still running: one sync at a time
        threading.Thread(target=work, name="mlcards-quit-sync", daemon=True).start()
        while not done.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        self.quit_sync_message = outcome[0] if outcome else (
            f"warning: sync with {folder} did not finish within {QUIT_SYNC_S:g} s; quit without it "
            "(the next sync sends what it did not)")
        self.exit()

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
    app.close_worker_stores()  # the event loop is closed and has joined the worker threads
    if app.quit_sync_message:
        from mlcards.text import safe_line

        sys.stderr.write(safe_line(app.quit_sync_message) + "\n")
    return app.return_code or 0
