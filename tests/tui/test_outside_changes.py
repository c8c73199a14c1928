"""Issue 8, section 1, in the app: outside changes refresh the dashboard, a busy database never drops
an answer, workers keep their connections, and a crash is one line plus a log file."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys

from textual.widgets import DataTable

from mlcards.database import open_database
from mlcards.store import Store
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.review import ReviewScreen
from tests.conftest import REPO
from tests.tui._support import SIZE, make_db, nn_deck, settle


def deck_names(app) -> list[str]:
    table = app.screen.query_one("#decks", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_an_import_in_another_process_refreshes_the_dashboard(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert deck_names(app) == ["Neural Nets"]
        with Store.open(db) as other:  # a second terminal's `mlcards import`
            other.apply_deck(nn_deck("Second"))
        app.check_outside_changes()  # what the app's one-second timer calls
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert deck_names(app) == ["Neural Nets", "Second"]
        app.check_outside_changes()  # nothing new: no refresh needed
        assert not app.store.changed_elsewhere()


async def test_workers_reuse_one_connection_per_thread(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(5):
            app.screen.refresh_figures()
            await settle(pilot)
        # the dashboard refreshed six times on a small pool: never more connections than pool threads
        assert 1 <= len(app._all_worker_stores) <= 2
    app.workers.cancel_all()
    await asyncio.get_running_loop().shutdown_default_executor()  # what asyncio.run does after App.run
    app.close_worker_stores()
    assert app._all_worker_stores == []


async def test_a_busy_answer_is_kept_and_saved_once_the_lock_is_gone(tmp_path, app_for):
    db = make_db(tmp_path / "cards.db")
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        first = screen.shown.card.id
        blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")
        await pilot.press("space", "4")
        await pilot.pause()
        assert screen.pending is not None and screen.shown.card.id == first  # kept, card still showing
        await pilot.press("4", "q")  # grading again or leaving does nothing while it waits
        assert app.screen is screen and screen.pending is not None
        blocker.execute("ROLLBACK")
        blocker.close()
        screen.commit_pending()  # what the one-second retry timer calls
        await settle(pilot)
        assert screen.pending is None and screen.shown.card.id != first
    with open_database(db) as s:
        rows = s.reviews_of_card(first)
        assert [r.grade for r in rows] == [4]


def test_a_crash_in_the_app_is_one_line_a_log_and_exit_1(tmp_path):
    db = make_db(tmp_path / "cards.db")
    script = (
        "import sys\n"
        "from mlcards.tui.screens import home\n"
        "def boom(self):\n"
        "    raise RuntimeError('simulated bug')\n"
        "home.HomeScreen.on_mount = boom\n"
        "from mlcards.tui.app import run\n"
        "sys.exit(run(sys.argv[1], headless=True))\n"
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-c", script, str(db)], capture_output=True, text=True,
                            env=env, cwd=REPO, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: mlcards stopped on an unexpected error (RuntimeError: simulated bug)")
    log = lines[0].rsplit("details in ", 1)[1]
    assert log.startswith(str(tmp_path / "logs"))
    text = open(log, encoding="utf-8").read()
    assert "simulated bug" in text and "Traceback" in text


QUIT_DURING_A_QUERY = r"""
import sys, threading
from pathlib import Path
from mlcards.tui import app as tui

started = threading.Event()
outcome = []

def long_read(app):
    store = app.worker_store()
    started.set()
    try:  # a read that would run for minutes: the app quits while SQLite is inside it
        store.db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                         "SELECT count(*) FROM n WHERE i < 1000000000").fetchone()
        outcome.append("finished")
    except Exception as e:
        outcome.append(type(e).__name__ + ": " + str(e))

class QuitsMidQuery(tui.MlcardsApp):
    CSS_PATH = str(Path(tui.__file__).with_name("mlcards.tcss"))  # this file is not beside the app's

    def on_ready(self):
        self.run_worker(lambda: long_read(self), thread=True)
        started.wait(10)
        self.set_timer(0.2, self.exit)

app = QuitsMidQuery(sys.argv[1])
app.run(headless=True)
app.close_worker_stores()
print(outcome)
"""


def test_quitting_while_a_worker_is_inside_a_query_exits_cleanly(tmp_path):
    """Closing a connection under a running statement crashed the process (SIGSEGV) when the app quit
    while the dashboard's figures were loading on a large database: the read is interrupted instead."""
    db = make_db(tmp_path / "cards.db")
    script = tmp_path / "quit_mid_query.py"  # a file: Textual reads the app class's source path
    script.write_text(QUIT_DURING_A_QUERY, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(db)], capture_output=True, text=True, timeout=120,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "['OperationalError: interrupted']" in proc.stdout
