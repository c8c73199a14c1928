"""One whole ``mlcards review`` process, headless: from process start until the first card is on screen.

    python benchmarks/first_card.py [--now ISO] [--answers N] [--size WxH] -- review --db PATH [...]

Everything after ``--`` goes to ``mlcards.cli.main``, so the process takes the CLI's own path: argument
parsing, opening (creating, migrating, seeding) the database, the daily backup, then ``mlcards.tui.app.run``
with ``start="review"`` (``mlcards review`` opens the app straight on the review screen). Two things are
changed, from outside ``src/``: the app runs headless (``App.run(headless=True)``), and, with ``--now``,
its clock is fixed (a benchmark database's history ends today, so "today" is a day after it).

Every frame the app paints is still turned into terminal text (and thrown away), as ``keys.py`` does, so a
frame costs what it costs in a terminal. At the first frame painted while the review screen shows a card,
the script notes ``time.monotonic()`` (the system-wide clock, comparable with the parent's) and exits the
app as soon as no worker runs (see ``exit_when_idle``); with ``--answers N`` it first answers N cards
through real key presses (space, then 4), for the peak memory of a session. Prints one JSON line:
``started`` (when this script began), ``first_card`` (the paint), ``workers_done``, ``answered``, ``screen``.

``run.py`` spawns it and times spawn -> first card and spawn -> exit.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Any  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--" in argv:
        cut = argv.index("--")
        ours, cli_args = argv[:cut], argv[cut + 1:]
    else:
        ours, cli_args = [], argv
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--now", help="the app's clock, fixed at this ISO time (default: the real clock)")
    ap.add_argument("--answers", type=int, default=0, help="answer this many cards before leaving")
    ap.add_argument("--size", default="100x30", help="terminal size (default 100x30, as keys.py)")
    args = ap.parse_args(ours)
    width, height = (int(x) for x in args.size.lower().split("x"))
    now = datetime.fromisoformat(args.now) if args.now else None
    report: dict[str, Any] = {"started": STARTED, "first_card": None, "workers_done": None, "answered": 0,
                              "screen": None}

    # The app module is imported here rather than inside the CLI's run_tui: the same modules load either way
    # (the CLI imports it before it builds the app), so the process does the same work.
    import mlcards.tui.app as tui_app
    from mlcards import cli

    original_make_app = tui_app.make_app

    def make_app(db_path: Any, **kwargs: Any) -> Any:
        if now is not None:
            kwargs.setdefault("clock", lambda: now)
        app = original_make_app(db_path, **kwargs)
        hook_paint(app)
        original_run = app.run

        def run(*a: Any, **k: Any) -> Any:
            k["headless"] = True
            k.setdefault("size", (width, height))
            if args.answers:
                k["auto_pilot"] = answer_cards
            return original_run(*a, **k)

        app.run = run
        return app

    def card_on_screen(app: Any) -> bool:
        screen = app.screen
        return type(screen).__name__ == "ReviewScreen" and getattr(screen, "shown", None) is not None

    def hook_paint(app: Any) -> None:
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                try:
                    render(app.console)  # what a terminal frame costs; headless Textual skips it
                except Exception:  # noqa: BLE001  (measurement only)
                    pass
            if report["first_card"] is None:
                try:
                    shown = card_on_screen(app)
                except Exception:  # noqa: BLE001  (no screen yet)
                    shown = False
                if shown:
                    report["first_card"] = time.monotonic()
                    report["screen"] = type(app.screen).__name__
                    if not args.answers:
                        leaving.append(asyncio.get_running_loop().create_task(exit_when_idle(app)))

        app._display = display

    async def exit_when_idle(app: Any) -> None:
        """Exit once no worker runs: quitting while a worker thread is inside a query makes the app's
        on_unmount close that thread's connection under it, which crashes the process (SIGSEGV, seen at
        100k cards with the dashboard's figures and the review screen's question graphs still loading)."""
        from textual.worker import WorkerState

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(
                w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in list(app.workers)):
            await asyncio.sleep(0.005)
        report["workers_done"] = time.monotonic()
        app.exit()

    leaving: list[Any] = []

    async def answer_cards(pilot: Any) -> None:
        app = pilot.app
        deadline = time.monotonic() + 60
        while report["first_card"] is None and time.monotonic() < deadline:
            await pilot.pause(0.01)
        while report["answered"] < args.answers and card_on_screen(app):
            before = app.screen.shown
            await pilot.press("space")
            if getattr(app.screen, "phase", None) != "back":
                await pilot.press("1")  # a multiple-choice front: choose, which reveals
            await pilot.press("4")
            await pilot.pause()
            report["answered"] += 1
            if getattr(app.screen, "shown", None) is before:
                break
        await exit_when_idle(app)

    tui_app.make_app = make_app
    code = cli.main(cli_args)
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    if report["first_card"] is None and code == 0:
        return 3  # the app ended without a card on screen (nothing due?)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
