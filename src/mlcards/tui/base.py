"""The app's services, which every screen may use: the database connections, the clock, outside
changes, and what a crash leaves behind. Screens type ``self.app`` with this class; ``app.py`` builds
the app on it and adds navigation, so screens never import the module that imports them.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.theme import Theme

from mlcards import studyday
from mlcards.database import open_database
from mlcards.errors import MlcardsError
from mlcards.store import Store

UI_WRITE_WAIT_S = 0.5
"""How long an answer in the app waits for another process's write before it is kept and retried."""

CHANGE_POLL_S = 1.0
"""How often the app checks whether another process changed the database (PRAGMA data_version)."""


class MlcardsAppBase(App[int]):
    """What the screens rely on: the store on the UI thread, one connection per worker thread, the clock."""

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
        self.store = open_database(self.db_path)
        self.store.write_wait = UI_WRITE_WAIT_S
        self._worker_stores = threading.local()
        self._all_worker_stores: list[Store] = []
        self._worker_stores_lock = threading.Lock()
        self._stats_memo: dict[tuple[str | None, str], Any] = {}
        self._stats_state: tuple[object, ...] = ()
        keymap = self.store.setting("keymap")
        if keymap:
            self.set_keymap(keymap)
        self._saved_theme: str = self.store.setting("theme")

    # --- settings the app applies itself: the theme (saved when the command palette changes it), keys --

    def apply_saved_theme(self) -> None:
        """Use the saved theme, then save every later change of theme (the command palette's included)."""
        if self._saved_theme in self.available_themes and self._saved_theme != self.theme:
            self.theme = self._saved_theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self._saved_theme:
            self._saved_theme = theme.name
            self.run_worker(partial(self._save_theme, theme.name), thread=True, group="theme", exclusive=True)

    def _save_theme(self, name: str) -> None:
        try:
            self.worker_store().set_setting("theme", name)
        except MlcardsError as e:  # e.g. the database stayed busy: the theme still applies for this run
            self.call_from_thread(self.notify, f"the theme was not saved: {e}", severity="warning", markup=False)

    def apply_settings(self, values: dict[str, Any]) -> None:
        """Apply saved settings that change the running app (the theme, the keymap)."""
        theme = values.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self._saved_theme = theme
            if theme != self.theme:
                self.theme = theme
        keymap = values.get("keymap")
        if isinstance(keymap, dict):
            self.set_keymap(keymap)

    def watch_outside_changes(self) -> None:
        """Check every ``CHANGE_POLL_S`` whether another process changed the database."""
        self.set_interval(CHANGE_POLL_S, self.check_outside_changes)

    def on_unmount(self) -> None:
        """Close the UI's connection; stop the workers' reads, but leave their connections open.

        A worker thread may still be inside a query when the app unmounts (Textual cancels its task,
        not its thread), and closing a connection under a running statement crashes the process. So a
        worker connection that is only reading is interrupted (its query ends at once) and every worker
        connection is closed by ``close_worker_stores`` once the threads are done: ``run`` calls it
        after the event loop has joined them. One left open is closed when the app is collected.
        """
        self.store.close()
        with self._worker_stores_lock:
            for store in self._all_worker_stores:
                if not store.in_transaction:  # a write in progress (an import, a saved setting) finishes
                    store.db.conn.interrupt()

    def close_worker_stores(self) -> None:
        """Close the worker threads' connections (call only when no worker thread is running)."""
        with self._worker_stores_lock:
            for store in self._all_worker_stores:
                store.close()
            self._all_worker_stores.clear()

    def worker_store(self) -> Store:
        """This worker thread's own connection, opened once and kept for the app's lifetime.

        Workers run on a thread pool, so each pool thread opens one connection the first time and
        reuses it; nothing opens the database file per refresh. The connections are closed on exit.
        """
        store = getattr(self._worker_stores, "store", None)
        if store is None:
            store = Store.connect(self.db_path, check_same_thread=False)
            self._worker_stores.store = store
            with self._worker_stores_lock:
                self._all_worker_stores.append(store)
        else:
            store.changed_elsewhere()  # drop cached settings if another connection changed them
        return store

    def change_state(self) -> tuple[object, ...]:
        """A value that differs whenever the figures a screen shows may have changed: the study day, any
        commit by another connection (another process, or this app's worker connections: SQLite's
        ``PRAGMA data_version`` on the UI connection), and the UI connection's own writes
        (``total_changes``). Screens keep it with the figures they drew and skip recomputing when it is
        the same. Cheap: one pragma and one attribute, on the UI thread."""
        return (
            self.store.today(self.clock()),
            self.store.data_version(),
            self.store.db.conn.total_changes,
        )

    def remembered_stats(self, deck: str | None, range: str, state: tuple[object, ...]) -> Any:
        """The stats figures computed for this deck and range at this change state, if any."""
        if state != self._stats_state:
            return None
        return self._stats_memo.get((deck, range))

    def remember_stats(self, deck: str | None, range: str, state: tuple[object, ...], figures: Any) -> None:
        """Keep stats figures for reuse; those of an older change state are dropped (they may be stale)."""
        if state != self._stats_state:
            self._stats_memo = {}
            self._stats_state = state
        self._stats_memo[(deck, range)] = figures

    def check_outside_changes(self) -> None:
        """Another process (or a worker) committed: refresh what the current screen shows."""
        if self.store.changed_elsewhere():
            refresh = getattr(self.screen, "on_outside_change", None)
            if refresh is not None:
                refresh()

    # --- a crash: one line on the terminal, the traceback in a log file -------------------------------

    crash_log: Path | None = None

    def _print_error_renderables(self) -> None:
        """Textual prints a crash's traceback on exit; write it to a log file and print one line instead."""
        renderables = list(self._exit_renderables)
        if not renderables:
            return
        self._exit_renderables.clear()
        error = self._exception
        what = f"{type(error).__name__}: {error}" if error is not None else "an unexpected error"
        path = self._write_crash_log(renderables)
        from mlcards.text import safe_line

        where = f"; details in {path}" if path else ""
        sys.stderr.write(safe_line(f"error: mlcards stopped on an unexpected error ({what}){where}") + "\n")
        sys.stderr.flush()

    def _write_crash_log(self, renderables: list[Any]) -> Path | None:
        from rich.console import Console

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        for folder in (self.db_path.parent / "logs", Path(tempfile.gettempdir())):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"mlcards-crash-{stamp}-{os.getpid()}.log"
                with open(path, "w", encoding="utf-8") as fh:
                    console = Console(file=fh, color_system=None, width=120, force_terminal=False)
                    fh.write(f"mlcards crashed at {datetime.now().isoformat()} (database {self.db_path})\n\n")
                    for renderable in renderables:
                        console.print(renderable)
                self.crash_log = path
                return path
            except OSError:
                continue
        return None
