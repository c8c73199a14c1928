"""The app syncs with the folder of setting sync_folder on start and on quit (setting sync_on_start_quit),
and its help screen says when it last synced."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from mlcards.store import Store
from mlcards.sync import sync
from mlcards.tui.app import make_app
from mlcards.tui.screens.help import HelpScreen
from mlcards.tui.screens.home import HomeScreen
from tests.sync._support import live_log, stats_json
from tests.tui._support import NOW, SIZE, answer_before, card_id, clock, make_db, settle, squash, static_text


def two_machines(tmp_path: Path, folder: Path | None = None, on: bool = True) -> tuple[Path, Path, Path]:
    """A and B: the same deck set up on each; B syncs on start and quit with ``folder``."""
    shared = tmp_path / "shared"
    shared.mkdir()
    a = make_db(tmp_path / "a.db")
    b = make_db(tmp_path / "b.db", settings={"sync_folder": str(folder or shared), "sync_on_start_quit": on})
    return a, b, shared


def sync_file(path: Path, folder: Path) -> None:
    with Store.open(path) as store:
        report = sync(store, folder)
    assert not report.problems, report.problems


def same(a: Path, b: Path) -> tuple[bool, bool]:
    with Store.open(a) as sa, Store.open(b) as sb:
        return live_log(sa) == live_log(sb), stats_json(sa, NOW) == stats_json(sb, NOW)


def messages(app) -> list[tuple[str, str]]:
    return [(str(n.message), n.severity) for n in app._notifications]


async def test_starting_the_app_receives_the_other_machines_answers_and_the_dashboard_shows_them(tmp_path):
    a, b, shared = two_machines(tmp_path)
    answer_before(a, card_id(a, "neuron", "recall"), 5, NOW - timedelta(hours=1))  # today, on machine A
    answer_before(a, card_id(a, "weight", "recall"), 2, NOW - timedelta(minutes=30))
    sync_file(a, shared)
    assert same(a, b) == (False, False)

    app = make_app(b, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)  # the start's sync, then the dashboard's refresh it causes
        assert isinstance(app.screen, HomeScreen)
        [(text, severity)] = messages(app)
        assert severity == "information"
        assert re.fullmatch(rf"sync with {re.escape(str(shared))}: received \d+ changes \(2 answers\), sent \d+", text)
        assert "2 answered" in squash(static_text(app, "#today-progress"))
        assert same(a, b) == (True, True)


async def test_quitting_the_app_sends_its_answers(tmp_path):
    a, b, shared = two_machines(tmp_path)
    app = make_app(b, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sent_at_start = sorted(p.name for p in shared.rglob("*.jsonl"))
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("space", "5", "q", "q")  # answer one card in the app, back to the dashboard
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running
    assert app.quit_sync_message == f"sync with {shared}: received 0 changes (0 answers), sent 1"
    assert len(sorted(p.name for p in shared.rglob("*.jsonl"))) == len(sent_at_start) + 1  # B's new file
    with Store.open(b) as sb:
        assert len(live_log(sb)) == 1
    sync_file(a, shared)
    assert same(a, b) == (True, True)


async def test_a_missing_folder_is_a_warning_and_the_app_goes_on(tmp_path):
    missing = tmp_path / "not-mounted"
    _, b, _ = two_machines(tmp_path, folder=missing)
    app = make_app(b, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [(text, severity)] = messages(app)
        assert severity == "warning"
        assert text.startswith(f"sync with {missing} failed: ") and "no such folder" in text
        assert "\n" not in text
        assert app.is_running and isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running and app.return_code in (0, None)
    assert app.quit_sync_message is not None and app.quit_sync_message.startswith("warning: sync with")


async def test_the_setting_off_never_syncs(tmp_path):
    a, b, shared = two_machines(tmp_path, on=False)
    answer_before(a, card_id(a, "neuron", "recall"), 5, NOW - timedelta(hours=1))
    sync_file(a, shared)
    files = sorted(shared.rglob("*.jsonl"))
    app = make_app(b, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not messages(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.quit_sync_message is None
    assert sorted(shared.rglob("*.jsonl")) == files
    assert same(a, b) == (False, False)


async def test_the_help_screen_says_when_and_where_the_app_last_synced(tmp_path):
    _, b, shared = two_machines(tmp_path, on=False)
    app = make_app(b, clock=clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Never synced (mlcards sync DIR)" in squash(static_text(app, "#help-box Static"))
    sync_file(b, shared)
    app = make_app(b, clock=clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = squash(static_text(app, "#help-box Static"))
        assert re.search(rf"Last sync \d{{4}}-\d\d-\d\d \d\d:\d\d to {re.escape(str(shared))}", text), text
        assert "Never synced" not in text


async def test_a_sync_on_quit_that_hangs_is_given_up_after_the_timeout(tmp_path, monkeypatch):
    import threading
    import time

    from mlcards.tui import app as app_module

    _, b, _ = two_machines(tmp_path)
    real = app_module.sync_once
    release = threading.Event()

    def hanging_on_quit(store, folder):
        if threading.current_thread().name == "mlcards-quit-sync":
            release.wait(30)  # a folder on a stalled network mount
        return real(store, folder)

    monkeypatch.setattr(app_module, "sync_once", hanging_on_quit)
    monkeypatch.setattr(app_module, "QUIT_SYNC_S", 0.3)
    app = make_app(b, clock=clock)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            started = time.monotonic()
            await pilot.press("ctrl+q")
            await pilot.pause()
        assert time.monotonic() - started < 5
        assert not app.is_running
        assert app.quit_sync_message is not None and "did not finish within 0.3 s" in app.quit_sync_message
    finally:
        release.set()


async def test_each_machine_keeps_its_own_sync_settings(tmp_path):
    a, b, shared = two_machines(tmp_path)
    with Store.open(a) as sa:  # A mounts the folder elsewhere and does not sync on start
        sa.set_setting("sync_folder", "/Volumes/elsewhere")
        sa.set_setting("sync_on_start_quit", False)
    sync_file(a, shared)
    app = make_app(b, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [severity for _, severity in messages(app)] == ["information"]
        await pilot.press("ctrl+q")
        await pilot.pause()
    with Store.open(b) as sb:
        assert (sb.setting("sync_folder"), sb.setting("sync_on_start_quit")) == (str(shared), True)
    sync_file(a, shared)
    with Store.open(a) as sa:
        assert (sa.setting("sync_folder"), sa.setting("sync_on_start_quit")) == ("/Volumes/elsewhere", False)
