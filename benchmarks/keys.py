"""Key latency in the real app, headless: press-to-settled time of every key of the main screens.

    python benchmarks/keys.py                  # 100,002 cards, ~1,000,000 reviews (built once into a temp dir)
    python benchmarks/keys.py --db PATH        # build into PATH if missing, reuse it afterwards
    python benchmarks/keys.py --tiny           # a few hundred cards, each key once: keeps the script working in CI
    python benchmarks/keys.py -n 30 --out F    # 30 presses of each key; JSON to F

A key is *settled* when the app has processed it and everything it set off: every message queued on
the app and the current screen's widgets is handled, no worker of the app is pending or running, no
short one-shot timer (a debounce) is waiting, no animation runs, and the screen has nothing left to
lay out or repaint. The latency runs from posting the key event (as Textual's Pilot does, without its
20 ms idle sleeps) until the last frame painted before that moment (or the moment itself when the key
changed nothing on screen). Headless Textual skips turning a frame into terminal escape codes; this
script does it anyway (and throws the text away), so a frame costs what it costs in a terminal.

Each section (dashboard, review, browse, stats, quiz) runs in a fresh app on a scratch copy of the
database, so a change in one screen's code cannot stop the others from being measured. The app only
ever receives keys; the script reads screen classes, ids and a few attributes defensively, to know
when a key can apply (a reverse card for ``t``, a question for the quiz keys).

Prints a table (median, p95, p99, max in ms; ``!`` marks a p99 over 100 ms, issue 11's target; issue 14's
is 50 ms) and writes JSON to benchmarks/results/keys-<size>.json (or --out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from datetime import time as dtime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import stats_bench  # noqa: E402  (the database builder lives there)

TARGET_MS = 100.0  # issue 11: every key answered within 100 ms at 100k cards
STRICT_MS = 50.0  # issue 14: every key <= 50 ms p99
SETTLE_TIMEOUT_S = 30.0
DEBOUNCE_MAX_S = 0.6  # one-shot timers up to this long count as work still to come (toasts' timeouts do not)
SIZE = (100, 30)

# Every figure the script reports, in table order: (name, what it measures). The JSON has an entry for each,
# with "skipped" saying why when the key could not be pressed (e.g. no reverse card came up).
KEYS: list[tuple[str, str]] = [
    ("dashboard: cold start, first paint", "make_app + run_test until the first frame"),
    ("dashboard: cold start, figures", "make_app + run_test until the dashboard's workers are done and painted"),
    ("dashboard: down", "cursor down in the deck table"),
    ("review: r (open)", "r on the dashboard until the first card is on screen"),
    ("review: space (reveal)", "reveal the back"),
    ("review: 0 (grade + next)", "commit grade 0 and show the next card"),
    ("review: 1 (grade + next)", "commit grade 1 and show the next card"),
    ("review: 2 (grade + next)", "commit grade 2 and show the next card"),
    ("review: 3 (grade + next)", "commit grade 3 and show the next card"),
    ("review: 4 (grade + next)", "commit grade 4 and show the next card"),
    ("review: 5 (grade + next)", "commit grade 5 and show the next card"),
    ("review: choose (MC)", "1-4 on a multiple-choice front"),
    ("review: t (type answer)", "open the typed-answer field on a reverse or cloze card"),
    ("review: typing a letter", "one letter into the typed-answer field"),
    ("review: Enter (check typed)", "judge the typed answer and show the verdict and the back"),
    ("review: Enter (accept grade)", "accept the suggested grade after a typed answer"),
    ("review: u (undo)", "undo the last answer, the card back on screen"),
    ("review: e (edit open)", "open the edit modal"),
    ("review: Esc (edit close)", "close the edit modal"),
    ("review: s (suspend + next)", "suspend the card and show the next"),
    ("review: - (bury + next)", "bury the card and show the next"),
    ("review: q (leave)", "leave the session (back to the dashboard, or to the summary)"),
    ("browse: b (open)", "b on the dashboard until the table shows its rows"),
    ("browse: Esc (back)", "back to the dashboard"),
    ("browse: o (sort 1)", "first o: next sort order, rows re-read"),
    ("browse: o (sort 2)", "second o"),
    ("browse: o (sort 3)", "third o"),
    ("browse: o (sort 4)", "fourth o"),
    ("browse: o (sort 5)", "fifth o (back to the first order)"),
    ("browse: O (reverse)", "reverse the sort order"),
    ("browse: down", "cursor down"),
    ("browse: pagedown", "cursor a page down"),
    ("browse: end", "cursor to the last row"),
    ("browse: home", "cursor to the first row"),
    ("browse: Enter (term view)", "open the term view of the highlighted card"),
    ("browse: Esc (term view back)", "close the term view"),
    ("browse: e (edit open)", "open the edit modal"),
    ("browse: Esc (edit close)", "close the edit modal"),
    ("edit: typing a letter", "one letter into the edit modal's term field (a new name, typed over the old)"),
    ("edit: ctrl+s (save)", "save the edited term, back on Browse with the row re-read"),
    ("browse: s (suspend toggle)", "suspend / unsuspend the highlighted card"),
    ("browse: - (bury)", "bury the highlighted card"),
    ("browse: / (focus search)", "focus the search field"),
    ("browse: search, first letter", "the first letter of a search (matches nearly everything)"),
    ("browse: search, next letters", "each further letter of the word, until its results show"),
    ("browse: search, backspace", "each backspace clearing the word, until its results show"),
    ("browse: Enter (search to table)", "Enter in the search field"),
    ("stats: s (open)", "s on the dashboard until every figure is drawn"),
    ("stats: Esc (back)", "back to the dashboard"),
    ("stats: r (range)", "next range, figures recomputed and drawn"),
    ("stats: d (deck)", "next deck, figures recomputed and drawn"),
    ("quiz: z (picker open)", "z on the dashboard until the picker lists terms"),
    ("quiz: picker, a letter", "a letter in the picker's filter, until its matches show"),
    ("quiz: Esc (picker back)", "back to the dashboard"),
    ("quiz: Enter (start)", "start a quiz from the picker (whole deck) until the first question shows"),
    ("quiz: 1 (answer)", "answer a question (recorded), verdict and concept map drawn"),
    ("quiz: space (next)", "next question"),
    ("quiz: q (leave)", "leave the quiz"),
]
KEY_NAMES = [name for name, _ in KEYS]
TINY = dict(stats_bench.TINY, terms=100, target_reviews=1_500)  # 300 cards, ~2,000 reviews
TYPED_LETTERS = 12  # letters typed per typed answer
SEARCH_LETTERS = 40  # letters of the search word typed into Browse


# --- the database -----------------------------------------------------------------------------------------


def study_now(path: Path) -> datetime:
    """Noon UTC on the day after the history ends: a fresh study day with its limits untouched."""
    conn = sqlite3.connect(path)
    try:
        last = conn.execute("SELECT MAX(study_day) FROM review_log").fetchone()[0]
    finally:
        conn.close()
    day = datetime.fromisoformat(last).date() if last else datetime.now(timezone.utc).date()
    return datetime.combine(day + timedelta(days=1), dtime(12), tzinfo=timezone.utc)


def search_word(path: Path) -> str:
    """A term of the database to type into Browse's search (its middle one)."""
    conn = sqlite3.connect(path)
    try:
        n = conn.execute("SELECT COUNT(*) FROM terms").fetchone()[0]
        row = conn.execute("SELECT term FROM terms ORDER BY id LIMIT 1 OFFSET ?", (max(0, n // 2),)).fetchone()
    finally:
        conn.close()
    return str(row[0]) if row else "term"


UUID_SQL = ("lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)"
            " || '-' || substr('89ab', 1 + abs(random()) % 4, 1) || substr(lower(hex(randomblob(2))), 2) || '-'"
            " || lower(hex(randomblob(6)))")


def fill_uuids(path: Path) -> None:
    """Give every row a UUID where the builder left none (stats_bench writes the tables directly; the
    schema's sync migration records each row by its UUID and refuses rows without one)."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            for table in ("decks", "terms", "cards", "review_log", "practice_log"):
                cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                if "uuid" in cols:
                    conn.execute(f"UPDATE {table} SET uuid = {UUID_SQL} WHERE uuid IS NULL")
    finally:
        conn.close()


def copy_db(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        target = Path(str(dst) + suffix)
        if target.exists():
            target.unlink()
    conn = sqlite3.connect(src)
    out = sqlite3.connect(dst)
    try:
        conn.backup(out)
    finally:
        out.close()
        conn.close()


# --- statistics -------------------------------------------------------------------------------------------


def quantile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank quantile (p99 of fewer than 100 samples is the maximum)."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(-(-q * len(sorted_values) // 1)) - 1))
    return sorted_values[k]


def summarize(samples: list[float]) -> dict[str, Any]:
    s = sorted(samples)
    return {
        "count": len(s),
        "median_ms": round(statistics.median(s), 2),
        "p95_ms": round(quantile(s, 0.95), 2),
        "p99_ms": round(quantile(s, 0.99), 2),
        "max_ms": round(s[-1], 2),
        "over_100ms": quantile(s, 0.99) > TARGET_MS,
    }


# --- driving the app --------------------------------------------------------------------------------------


def key_event(key: str) -> Any:
    """The Key event Pilot.press would send for ``key``."""
    from textual import events

    try:
        from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        original = REPLACED_KEYS.get(key, key)
        try:
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
        except KeyError:
            char = key if len(key) == 1 else None
    except ImportError:  # private helpers moved: good enough for the keys this script presses
        char = key if len(key) == 1 else {"space": " "}.get(key)
    return events.Key(key, char)


class Profiler:
    """cProfile of the UI thread during the presses whose name contains ``match``, and of every worker thread
    (pool threads are profiled from their start: run one section with --only to keep their figures apart)."""

    def __init__(self, match: str):
        import cProfile
        import threading

        self.match = match
        self.main = cProfile.Profile()
        self.threads: list[Any] = []

        def start(*_args: Any) -> None:
            sys.setprofile(None)
            prof = cProfile.Profile()
            self.threads.append(prof)
            prof.enable()

        threading.setprofile(start)

    def report(self, top: int = 30) -> str:
        import io
        import pstats

        buf = io.StringIO()
        for title, profs in (("UI thread", [self.main]), ("worker threads", self.threads)):
            profs = [p for p in profs if p.getstats()]
            if not profs:
                continue
            for p in profs:
                p.create_stats()
            stats = pstats.Stats(*profs, stream=buf)
            buf.write(f"\n=== {title}: presses matching {self.match!r} ===\n")
            stats.sort_stats("cumulative").print_stats(top)
            stats.sort_stats("tottime").print_stats(top)
        return buf.getvalue()


PROFILER: Profiler | None = None


class Driver:
    """Presses keys in a running app and waits until each has settled."""

    def __init__(self, app: Any, recorder: Recorder):
        self.app = app
        self.rec = recorder
        self.paints: list[float] = []
        self._hook_paint()

    def _hook_paint(self) -> None:
        app = self.app
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None and app.is_headless:
                try:
                    render(app.console)  # what a terminal frame costs; headless Textual skips it
                except Exception:  # noqa: BLE001  (measurement only)
                    pass
            self.paints.append(time.perf_counter())

        app._display = display

    # --- the settle condition ---

    def _nodes(self, stack: bool = False) -> list[Any]:
        """The app and the current screen's widgets (``stack``: every screen's)."""
        app = self.app
        try:
            screens = list(app.screen_stack) if stack else [app.screen]
        except Exception:  # noqa: BLE001
            return [app]
        nodes: list[Any] = [app]
        for screen in screens:
            try:
                nodes.extend(screen.walk_children(with_self=True))
            except Exception:  # noqa: BLE001  (a screen being removed)
                continue
        return nodes

    @staticmethod
    def _pump_busy(node: Any) -> bool:
        """A message of ``node`` is queued or being handled (or a callback is waiting for its next turn)."""
        queue = getattr(node, "_message_queue", None)
        if queue is not None and (getattr(queue, "_unfinished_tasks", 0) or not queue.empty()):
            return True
        return getattr(node, "_pending_message", None) is not None or bool(getattr(node, "_next_callbacks", None))

    def _busy(self) -> str | None:
        """Why the app is not settled yet, or None."""
        from textual.worker import WorkerState

        app = self.app
        for node in self._nodes(stack=True):
            if self._pump_busy(node):
                return f"messages on {type(node).__name__}"
        for worker in list(app.workers):
            if worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
                return f"worker {worker.name}"
        animator = getattr(app, "animator", None) or getattr(app, "_animator", None)
        if getattr(animator, "_animations", None):
            return "animation"
        try:
            screen = app.screen
        except Exception:  # noqa: BLE001
            return "no screen"
        for flag in ("_layout_required", "_repaint_required", "_scroll_required", "_recompose_required"):
            if getattr(screen, flag, False):
                return flag
        if getattr(screen, "_dirty_widgets", None) or getattr(screen, "_callbacks", None):
            return "dirty"
        for node in self._nodes():
            if type(node).__name__ in ("Toast", "ToastRack", "Tooltip"):
                continue
            for timer in list(getattr(node, "_timers", ()) or ()):
                task = getattr(timer, "_task", None)
                if (getattr(timer, "_repeat", None) == 0 and task is not None and not task.done()
                        and getattr(timer, "_interval", 99) <= DEBOUNCE_MAX_S):
                    return f"timer {timer.name}"
        return None

    async def settle(self, t0: float, ready: Callable[[], bool] | None = None) -> tuple[float, str | None]:
        """Milliseconds from ``t0`` until the app settled (and ``ready()`` holds); a note if it timed out."""
        deadline = t0 + SETTLE_TIMEOUT_S
        last_busy = t0
        calm = 0
        while True:
            busy = self._busy()
            if busy is None and ready is not None:
                try:
                    busy = None if ready() else "not ready"
                except Exception:  # noqa: BLE001  (a widget being replaced)
                    busy = "not ready"
            now = time.perf_counter()
            if busy is None:
                calm += 1
                if calm >= 3:  # settled three polls in a row: a message posted from a callback had its chance
                    break
            else:
                calm = 0
                last_busy = now
            if now > deadline:
                return (now - t0) * 1000, f"timed out ({busy})"
            await asyncio.sleep(0.0005)
        painted = [p for p in self.paints if p > t0]
        end = max(painted[-1], last_busy) if painted else last_busy if last_busy > t0 else time.perf_counter()
        return (end - t0) * 1000, None

    async def press(self, name: str | None, key: str, ready: Callable[[], bool] | None = None) -> float:
        """Press ``key``; record the latency under ``name`` (None: not recorded). Returns ms."""
        self._no_blink()
        profiling = PROFILER is not None and name is not None and PROFILER.match in name
        if profiling:
            assert PROFILER is not None
            PROFILER.main.enable()
        t0 = time.perf_counter()
        self.app.post_message(key_event(key))  # what Pilot's driver.send_message ends in, but queued at once
        ms, note = await self.settle(t0, ready)
        if profiling:
            assert PROFILER is not None
            PROFILER.main.disable()
        if name is not None:
            self.rec.add(name, ms, note)
        return ms

    async def type_text(self, name: str | None, text: str, first: str | None = None) -> None:
        for i, ch in enumerate(text):
            await self.press(first if (i == 0 and first) else name, "space" if ch == " " else ch)

    def _no_blink(self) -> None:
        """Cursor blinking repaints every 0.5 s; it would land in some measurements."""
        for node in self._nodes():
            if getattr(node, "cursor_blink", False) is True:
                try:
                    node.cursor_blink = False
                except Exception:  # noqa: BLE001
                    pass

    # --- reading the screen (defensively: other people are changing it) ---

    @property
    def screen_name(self) -> str:
        try:
            return type(self.app.screen).__name__
        except Exception:  # noqa: BLE001
            return ""

    def on(self, *names: str) -> Callable[[], bool]:
        return lambda: self.screen_name in names

    async def home(self) -> bool:
        """Back to the dashboard with Esc / q (not measured)."""
        for key in ("escape", "escape", "q", "escape", "q", "escape"):
            if self.screen_name == "HomeScreen":
                return True
            await self.press(None, key)
        return self.screen_name == "HomeScreen"


class Recorder:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {name: [] for name in KEY_NAMES}
        self.notes: dict[str, list[str]] = {}

    def add(self, name: str, ms: float, note: str | None = None) -> None:
        self.samples.setdefault(name, []).append(ms)
        if note:
            self.note(name, note)

    def note(self, name: str, text: str) -> None:
        notes = self.notes.setdefault(name, [])
        if text not in notes:
            notes.append(text)

    def figures(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for name in [*KEY_NAMES, *[k for k in self.samples if k not in KEY_NAMES]]:
            samples = self.samples.get(name, [])
            entry: dict[str, Any] = summarize(samples) if samples else {"count": 0, "skipped": "not pressed"}
            if self.notes.get(name):
                entry["notes"] = self.notes[name]
                if not samples:
                    entry["skipped"] = "; ".join(self.notes[name])
            out[name] = entry
        return out


# --- the sections -----------------------------------------------------------------------------------------


def _shown_card(app: Any) -> Any:
    return getattr(getattr(app.screen, "shown", None), "card", None)


def _kind(card: Any) -> str:
    kind = getattr(card, "kind", None)
    return str(getattr(kind, "value", kind))


def _has_question(app: Any) -> bool:
    return getattr(getattr(app.screen, "shown", None), "question", None) is not None


def _phase(app: Any) -> str | None:
    return getattr(app.screen, "phase", None)


def _typable(card: Any) -> bool:
    if card is None:
        return False
    if _kind(card) == "reverse":
        return True
    try:
        from mlcards.cards import cloze_answer

        return cloze_answer(card) is not None
    except Exception:  # noqa: BLE001
        return False


def _focused_input(app: Any) -> bool:
    focused = getattr(app, "focused", None)
    return type(focused).__name__ in ("Input", "TextArea")


async def section_dashboard(d: Driver, n: int) -> None:
    for _ in range(n):
        await d.press("dashboard: down", "down")
        await d.press(None, "up")


async def section_review(d: Driver, n: int) -> None:
    app, rec = d.app, d.rec
    in_review = d.on("ReviewScreen")
    for _ in range(n):
        await d.press("review: r (open)", "r", in_review)
        if d.screen_name != "ReviewScreen":
            break
        await d.press("review: q (leave)", "q")
        await d.home()
    await d.press(None, "r", in_review)
    if d.screen_name != "ReviewScreen":
        rec.note("review: r (open)", f"r did not open the review screen (on {d.screen_name})")
        return

    def front_ready() -> bool:
        return _phase(app) in ("front", "done", None)

    async def answer(grade: int, record: bool = True) -> bool:
        """Reveal (or choose on a question) then grade; False when the session is over."""
        if _shown_card(app) is None:
            return False
        if _has_question(app):
            await d.press("review: choose (MC)" if record else None, "1")
        else:
            await d.press("review: space (reveal)" if record else None, "space")
        if _phase(app) != "back":
            await d.press(None, "space")
        await d.press(f"review: {grade} (grade + next)" if record else None, str(grade), front_ready)
        return True

    for i in range(6 * n):
        if not await answer(i % 6):
            rec.note("review: space (reveal)", f"the session ended after {i} answers")
            break
    for _ in range(n):  # undo: answer, then take it back, then answer it again
        if not await answer(4, record=False):
            break
        await d.press("review: u (undo)", "u")
        await answer(4, record=False)
    for _ in range(n):
        if _shown_card(app) is None:
            break
        await d.press("review: e (edit open)", "e", lambda: d.screen_name != "ReviewScreen")
        await d.press("review: Esc (edit close)", "escape", in_review)
        if d.screen_name != "ReviewScreen":
            await d.home()
            return
    for _ in range(n):
        if _shown_card(app) is None:
            break
        await d.press("review: s (suspend + next)", "s", front_ready)
        if _shown_card(app) is None:
            break
        await d.press("review: - (bury + next)", "minus", front_ready)
    typed = 0
    tries = 0
    while typed < n and tries < 40 * n and _shown_card(app) is not None:
        card = _shown_card(app)
        if _typable(card) and not _has_question(app):
            await d.press("review: t (type answer)", "t")
            if not _focused_input(app):
                rec.note("review: t (type answer)", "t did not focus an input")
                break
            answer_text = str(getattr(card, "term", "") or "x")[:TYPED_LETTERS]
            await d.type_text("review: typing a letter", answer_text)
            await d.press("review: Enter (check typed)", "enter", lambda: _phase(app) == "back")
            await d.press("review: Enter (accept grade)", "enter", front_ready)
            typed += 1
        else:
            await answer(4, record=False)
        tries += 1
    if typed == 0:
        rec.note("review: t (type answer)", "no reverse or cloze card came up")
    await d.press("review: q (leave)", "q")
    await d.home()


async def section_browse(d: Driver, n: int, word: str) -> None:
    rec = d.rec
    in_browse = d.on("BrowseScreen")
    for _ in range(n):
        await d.press("browse: b (open)", "b", in_browse)
        if d.screen_name != "BrowseScreen":
            rec.note("browse: b (open)", f"b did not open Browse (on {d.screen_name})")
            return
        if _focused_input(d.app):
            await d.press(None, "escape")
        await d.press("browse: Esc (back)", "escape", d.on("HomeScreen"))
        await d.home()
    await d.press(None, "b", in_browse)
    if _focused_input(d.app):  # start on the table
        await d.press(None, "escape")
    for _ in range(n):
        for k in range(1, 6):
            await d.press(f"browse: o (sort {k})", "o")
    for _ in range(n):
        await d.press("browse: O (reverse)", "O")
        await d.press(None, "O")
    for _ in range(n):
        await d.press("browse: down", "down")
        await d.press("browse: pagedown", "pagedown")
        await d.press("browse: end", "end")
        await d.press("browse: home", "home")
    for _ in range(n):
        await d.press("browse: Enter (term view)", "enter", lambda: d.screen_name != "BrowseScreen")
        if d.screen_name == "BrowseScreen":
            rec.note("browse: Enter (term view)", "Enter did not open a term view")
            break
        await d.press("browse: Esc (term view back)", "escape", in_browse)
        if d.screen_name != "BrowseScreen":
            await d.press(None, "escape", in_browse)
    for _ in range(n):
        await d.press("browse: e (edit open)", "e", lambda: d.screen_name != "BrowseScreen")
        if d.screen_name == "BrowseScreen":
            rec.note("browse: e (edit open)", "e did not open the editor")
            break
        await d.press("browse: Esc (edit close)", "escape", in_browse)
        if d.screen_name != "BrowseScreen":
            await d.press(None, "escape", in_browse)
    for i in range(n):  # edit and save: the term's name typed anew (a name of its own each time), then ctrl+s
        await d.press(None, "e", lambda: d.screen_name != "BrowseScreen")
        if d.screen_name == "BrowseScreen" or not _focused_input(d.app):
            rec.note("edit: typing a letter", "e did not open the editor on a focused field")
            await d.press(None, "escape", in_browse)
            break
        await d.type_text("edit: typing a letter", f"ed{i}")  # the field starts selected: this replaces it
        await d.press("edit: ctrl+s (save)", "ctrl+s", in_browse)
        if d.screen_name != "BrowseScreen":
            try:  # a refused save says why at the top of the form
                why = str(d.app.screen.query_one("#edit-error").render()).strip()
            except Exception:  # noqa: BLE001
                why = ""
            rec.note("edit: ctrl+s (save)", f"ctrl+s left {d.screen_name} open" + (f": {why[:120]}" if why else ""))
            await d.press(None, "escape", in_browse)
            break
        await d.press(None, "down")
    for _ in range(n):
        await d.press("browse: s (suspend toggle)", "s")
        await d.press("browse: - (bury)", "minus")
        await d.press(None, "down")
    for _ in range(n):
        await d.press("browse: / (focus search)", "slash")
        if not _focused_input(d.app):
            rec.note("browse: / (focus search)", "/ did not focus the search field")
            break
        await d.type_text("browse: search, next letters", word, first="browse: search, first letter")
        for _ in word:
            await d.press("browse: search, backspace", "backspace")
        await d.press("browse: Enter (search to table)", "enter")
    await d.home()


async def section_stats(d: Driver, n: int) -> None:
    in_stats = d.on("StatsScreen")
    for _ in range(n):
        await d.press("stats: s (open)", "s", in_stats)
        if d.screen_name != "StatsScreen":
            d.rec.note("stats: s (open)", f"s did not open Stats (on {d.screen_name})")
            return
        await d.press("stats: Esc (back)", "escape", d.on("HomeScreen"))
        await d.home()
    await d.press(None, "s", in_stats)
    for _ in range(n):
        await d.press("stats: r (range)", "r")
    for _ in range(n):
        await d.press("stats: d (deck)", "d")
    await d.home()


async def section_quiz(d: Driver, n: int) -> None:
    app, rec = d.app, d.rec

    def picker() -> bool:
        return "Pick" in d.screen_name or (d.screen_name.startswith("Quiz") and d.screen_name != "QuizScreen")

    for _ in range(n):
        await d.press("quiz: z (picker open)", "z", lambda: d.screen_name != "HomeScreen")
        if d.screen_name == "HomeScreen":
            rec.note("quiz: z (picker open)", "z did not open the quiz picker")
            return
        if _focused_input(app):
            await d.press("quiz: picker, a letter", "t")
            await d.press(None, "backspace")
        await d.press("quiz: Esc (picker back)", "escape")
        await d.home()
    asked = 0
    rounds = 0
    while asked < n and rounds < max(3, n):
        rounds += 1
        if d.screen_name == "HomeScreen":
            await d.press(None, "z", lambda: d.screen_name != "HomeScreen")
        if not picker():
            break
        await d.press("quiz: Enter (start)", "enter", lambda: not picker())
        if d.screen_name != "QuizScreen":
            # a changed picker (a mode choice first?): try Enter once more
            await d.press(None, "enter", lambda: not picker())
        if d.screen_name != "QuizScreen":
            rec.note("quiz: Enter (start)", f"Enter in the picker led to {d.screen_name}")
            break
        while asked < n and getattr(app.screen, "question", None) is not None:
            await d.press("quiz: 1 (answer)", "1")
            asked += 1
            await d.press("quiz: space (next)", "space")
        await d.press("quiz: q (leave)", "q")
        await d.home()
    if asked == 0:
        rec.note("quiz: 1 (answer)", "no question was asked")


# --- running ----------------------------------------------------------------------------------------------


async def run_app(path: Path, now: datetime, rec: Recorder,
                  body: Callable[[Driver], Awaitable[None]] | None, cold_name: bool = False) -> None:
    from mlcards.tui.app import make_app

    t0 = time.perf_counter()
    app = make_app(path, clock=lambda: now)
    d = Driver(app, rec)
    async with app.run_test(size=SIZE) as _pilot:
        ms, note = await d.settle(t0, d.on("HomeScreen"))
        if cold_name:
            painted = [p for p in d.paints if p > t0]
            if painted:
                rec.add("dashboard: cold start, first paint", (painted[0] - t0) * 1000)
            rec.add("dashboard: cold start, figures", ms, note)
        if body is not None:
            await body(d)


def run_section(name: str, path: Path, now: datetime, rec: Recorder,
                body: Callable[[Driver], Awaitable[None]] | None, cold: bool = False) -> None:
    started = time.perf_counter()
    try:
        asyncio.run(run_app(path, now, rec, body, cold))
    except Exception as e:  # noqa: BLE001  (one broken screen must not stop the others being measured)
        rec.note(f"{name}: error", f"{type(e).__name__}: {e}")
        traceback.print_exc(file=sys.stderr)
    print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def measure(path: Path, n: int, cold: int, work: Path, only: set[str] | None = None) -> Recorder:
    rec = Recorder()
    now = study_now(path)
    word = search_word(path)[:SEARCH_LETTERS]
    # a copy brought to this code's schema once, so no section (and no cold start) times a migration
    base = work / "keys-base.db"
    copy_db(path, base)
    fill_uuids(base)
    from mlcards.store import Store

    Store.open(base).close()
    for backup in work.glob("keys-base.db.pre-*"):
        backup.unlink()
    path = base
    scratch = work / "keys-scratch.db"
    sections: list[tuple[str, Callable[[Driver], Awaitable[None]] | None]] = [
        ("dashboard", lambda d: section_dashboard(d, n)),
        ("review", lambda d: section_review(d, n)),
        ("browse", lambda d: section_browse(d, n, word)),
        ("stats", lambda d: section_stats(d, n)),
        ("quiz", lambda d: section_quiz(d, n)),
    ]
    copy_db(path, scratch)
    if only is None or "cold" in only:
        for _ in range(cold):
            run_section("cold start", scratch, now, rec, None, cold=True)
    for name, body in sections:
        if only is not None and name not in only:
            continue
        copy_db(path, scratch)  # every section starts from the database as built
        run_section(name, scratch, now, rec, body)
    return rec


def table(figures: dict[str, dict[str, Any]]) -> str:
    width = max(len(k) for k in figures)
    lines = [f"{'key':<{width}}  {'n':>4} {'median':>8} {'p95':>8} {'p99':>8} {'max':>8}"]
    for name, f in figures.items():
        if not f.get("count"):
            lines.append(f"{name:<{width}}  {0:>4}  skipped: {f.get('skipped', '')}")
            continue
        mark = " !" if f["over_100ms"] else (" ~" if f["p99_ms"] > STRICT_MS else "")
        lines.append(f"{name:<{width}}  {f['count']:>4} {f['median_ms']:>8.1f} {f['p95_ms']:>8.1f} "
                     f"{f['p99_ms']:>8.1f} {f['max_ms']:>8.1f}{mark}")
    lines.append("ms; ! p99 over 100 ms (issue 11's target), ~ p99 over 50 ms (issue 14's); "
                 "p99 of fewer than 100 presses is the maximum")
    return "\n".join(lines)


def git_head() -> str | None:
    try:
        import subprocess

        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True,
                              check=True).stdout.strip()
    except Exception:  # noqa: BLE001
        return None


def run(path: Path, *, n: int, cold: int, out: Path, size_name: str, label: str = "",
        only: set[str] | None = None, short: bool = False) -> dict[str, Any]:
    """Measure every key on ``path`` (never written: each section works on a scratch copy), print the
    table, write the JSON to ``out`` and return it."""
    global TYPED_LETTERS, SEARCH_LETTERS
    if short:  # the tiny run: fewer letters per word, the same keys
        TYPED_LETTERS, SEARCH_LETTERS = 3, 3
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mlcards-keys-") as tmp:
        started = time.perf_counter()
        rec = measure(path, n, cold, Path(tmp), only)
        seconds = time.perf_counter() - started
    load = (round(load_before, 2), round(os.getloadavg()[0], 2))
    figures = rec.figures()
    conn = sqlite3.connect(path)
    cards, reviews = (conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("cards", "review_log"))
    conn.close()
    print(f"key latency: {cards:,} cards, {reviews:,} reviews; {n} presses per key, {cold} cold starts; "
          f"{SIZE[0]}x{SIZE[1]}; load average {load[0]} -> {load[1]} on {os.cpu_count()} CPUs")
    print(table(figures))
    timed = [f for f in figures.values() if f.get("count")]
    result = {
        "benchmark": "keys", "size": size_name, "label": label, "cards": cards, "reviews": reviews,
        "repeat": n, "cold_starts": cold, "terminal": list(SIZE), "commit": git_head(),
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "seconds": round(seconds, 1),
        "load_average_1min": list(load),  # before and after: other processes on the machine inflate the figures
        "keys_over_100ms": sum(1 for f in timed if f["over_100ms"]),
        "keys_over_50ms": sum(1 for f in timed if f["p99_ms"] > STRICT_MS),
        "worst_p99_ms": max((f["p99_ms"] for f in timed), default=None),
        "errors": {k: v for k, v in rec.notes.items() if k.endswith(": error")},
        "keys": figures,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--db", help="benchmark database (built if missing, reused if present; never written)")
    ap.add_argument("--tiny", action="store_true", help="a few hundred cards, each key once (for CI)")
    ap.add_argument("-n", "--repeat", type=int, default=None, help="presses of each key (default 20; tiny 1)")
    ap.add_argument("--cold", type=int, default=None, help="cold starts to time (default 5; tiny 1)")
    ap.add_argument("--only", help="comma-separated sections: cold,dashboard,review,browse,stats,quiz")
    ap.add_argument("--out", help="JSON file (default benchmarks/results/keys-<size>.json)")
    ap.add_argument("--label", default="", help="a word stored in the JSON (e.g. before / after)")
    ap.add_argument("--profile", metavar="TEXT", help="cProfile the presses whose name contains TEXT (and the "
                    "worker threads); the report goes to stderr")
    args = ap.parse_args(argv)
    global PROFILER
    if args.profile:
        PROFILER = Profiler(args.profile)
    size_name = "tiny" if args.tiny else "100k"
    n = args.repeat if args.repeat is not None else (1 if args.tiny else 20)
    cold = args.cold if args.cold is not None else (1 if args.tiny else 5)
    with tempfile.TemporaryDirectory(prefix="mlcards-keys-db-") as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        if not path.exists():
            stats_bench.build(path, TINY if args.tiny else stats_bench.FULL)
        out = Path(args.out) if args.out else HERE / "results" / f"keys-{size_name}.json"
        run(path, n=n, cold=cold, out=out, size_name=size_name, label=args.label,
            only=set(args.only.split(",")) if args.only else None, short=args.tiny)
    if PROFILER is not None:
        print(PROFILER.report(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
