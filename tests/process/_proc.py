"""Helpers for the process tier: real ``mlcards`` processes on one real database file.

- ``Terminal``: the full-screen app on a pseudo-terminal (output collected by a thread).
- ``Piped``: a line-mode process with stdin/stdout pipes (output collected by threads).
- ``run``: one command to completion.
- ``kill9``: SIGKILL a process and reap it.

Waiting is always done by polling output (or the exit status) against a deadline, never by sleeping
for a guessed time.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

SEED = int(os.environ.get("MLCARDS_PROCESS_SEED") or time.time_ns() % 1_000_000_007)
"""The random kill moments come from this seed (printed in the report header and on failure)."""

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78MDEc]|\x1b\][^\x07]*\x07")


def mlcards_argv() -> list[str]:
    return [sys.executable, "-m", "mlcards"]


def make_env(tmp_path: Path) -> dict[str, str]:
    """The environment for every child: no stray Textual/mlcards settings, a default database inside
    ``tmp_path`` (so that even a command that forgot ``--db`` never touches the user's), XDG
    folders there too (crash logs, backups) and a temporary folder of its own
    (``tmp_path/children-tmp``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "MLCARDS"))}
    scratch = tmp_path / "children-tmp"  # the children's temporary folder: whatever they leave is seen
    scratch.mkdir(exist_ok=True)
    xdg = tmp_path / "children-xdg"  # crash logs, backups, settings: never in the user's folders
    env.update({f"XDG_{kind}_HOME": str(xdg / kind.lower()) for kind in ("DATA", "STATE", "CONFIG", "CACHE")})
    env.update(
        TMPDIR=str(scratch),
        MLCARDS_DB=str(tmp_path / "default-must-stay-unused.db"),
        PYTHONIOENCODING="utf-8",
        TERM="xterm-256color",
        COLUMNS="100",
        LINES="30",
    )
    return env


class TimedOut(AssertionError):
    pass


class _Output:
    """Bytes collected from a file descriptor by a daemon thread."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.lock = threading.Lock()
        self.closed = threading.Event()

    def pump(self, read) -> None:
        try:
            while True:
                try:
                    chunk = read()
                except OSError:  # EIO on a pty once the child is gone
                    return
                if not chunk:
                    return
                with self.lock:
                    self.data += chunk
        finally:
            self.closed.set()

    def mark(self) -> int:
        with self.lock:
            return len(self.data)

    def text(self, since: int = 0) -> str:
        with self.lock:
            return bytes(self.data[since:]).decode("utf-8", "replace")

    def find(self, needles: Sequence[bytes], since: int) -> tuple[int, int] | None:
        """(index of the first needle found, position after it), searching from ``since``."""
        with self.lock:
            best = None
            for i, n in enumerate(needles):
                at = self.data.find(n, since)
                if at >= 0 and (best is None or at < best[1] - len(needles[best[0]])):
                    best = (i, at + len(n))
            return best

    def wait_for(self, needles: str | Sequence[str], since: int, timeout: float, what: str = "") -> tuple[int, int]:
        """Poll until one of ``needles`` appears after ``since``; returns (which, end position)."""
        if isinstance(needles, str):
            needles = [needles]
        encoded = [n.encode() for n in needles]
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(encoded, since)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                tail = self.text(max(0, self.mark() - 2000))
                raise TimedOut(f"{what}: none of {list(needles)!r} appeared within {timeout}s; last output: {tail!r}")
            if self.closed.is_set():
                found = self.find(encoded, since)
                if found is not None:
                    return found
                tail = self.text(max(0, self.mark() - 2000))
                raise TimedOut(f"{what}: output closed before any of {list(needles)!r}; last output: {tail!r}")
            time.sleep(0.01)


def _reap(pid: int, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


class Terminal:
    """A child process on a pseudo-terminal of a fixed size (columns x rows)."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (100, 30), cwd=None):
        import fcntl
        import pty
        import termios

        cols, rows = size
        pid, fd = pty.fork()
        if pid == 0:  # the child: set the window size, then become mlcards
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.out = _Output()
        self.returncode: int | None = None
        threading.Thread(target=self.out.pump, args=(lambda: os.read(fd, 65536),), daemon=True).start()

    def mark(self) -> int:
        return self.out.mark()

    def text(self, since: int = 0) -> str:
        return self.out.text(since)

    def screen_text(self, since: int = 0) -> str:
        """The output with escape sequences removed (good enough to search for words)."""
        with self.out.lock:
            raw = bytes(self.out.data[since:])
        return ANSI.sub(b" ", raw).decode("utf-8", "replace")

    def wait_for(self, needles, since: int = 0, timeout: float = 30.0) -> tuple[int, int]:
        return self.out.wait_for(needles, since, timeout, what="terminal")

    def send(self, keys: str) -> int:
        """Write keys; returns the output position just before them (to wait for what they cause)."""
        since = self.mark()
        os.write(self.fd, keys.encode())
        return since

    def wait_exit(self, timeout: float = 30.0) -> int | None:
        if self.returncode is None:
            self.returncode = _reap(self.pid, timeout)
            if self.returncode is not None:
                self._close()
        return self.returncode

    def kill9(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.returncode = _reap(self.pid, 30.0)
            self._close()

    def _close(self) -> None:
        self.out.closed.wait(5)
        try:
            os.close(self.fd)
        except OSError:
            pass


class Piped:
    """A child process with piped stdin, stdout and stderr."""

    def __init__(self, args: Sequence[str], env: dict[str, str], *, cwd=None, argv0: list[str] | None = None):
        argv = [*(argv0 if argv0 is not None else mlcards_argv()), *args]
        self.argv = argv
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd, bufsize=0
        )
        self.started = time.monotonic()
        self.out = _Output()
        self.err = _Output()
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            fd = stream.fileno()
            threading.Thread(target=sink.pump, args=(functools.partial(os.read, fd, 65536),), daemon=True).start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def write(self, text: str) -> None:
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def close_stdin(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def mark(self) -> int:
        return self.out.mark()

    def wait_for(self, needles, since: int = 0, timeout: float = 30.0) -> tuple[int, int]:
        return self.out.wait_for(needles, since, timeout, what=" ".join(self.argv[2:]))

    def stdout(self) -> str:
        return self.out.text()

    def stderr(self) -> str:
        return self.err.text()

    def wait(self, timeout: float = 60.0) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise TimedOut(f"{self.argv[2:]} did not finish within {timeout}s; stderr: {self.stderr()[-1500:]!r}") from None
        self.out.closed.wait(5)
        self.err.closed.wait(5)
        return code

    def running(self) -> bool:
        return self.proc.poll() is None

    def kill9(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(30)
        self.close_stdin()
        self.out.closed.wait(5)
        self.err.closed.wait(5)


def run(args: Sequence[str], env: dict[str, str], *, input: str | None = None, timeout: float = 60.0,
        argv0: list[str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run one command to completion; with ``check`` a non-zero exit or a traceback fails the test."""
    argv = [*(argv0 if argv0 is not None else mlcards_argv()), *args]
    r = subprocess.run(argv, input=input, capture_output=True, text=True, env=env, timeout=timeout)
    if check:
        assert r.returncode == 0 and "Traceback" not in r.stderr, (
            f"{argv[2:] if argv0 is None else argv} exited {r.returncode}\nstdout: {r.stdout[-1500:]}\n"
            f"stderr: {r.stderr[-3000:]}"
        )
    return r


def copy_db(src: Path, dest: Path) -> Path:
    """Copy a closed (checkpointed) database file, and its WAL if it has one."""
    import shutil

    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dest}{suffix}")
    return dest


def db_args(db: Path, *args: str) -> list[str]:
    return ["--db", str(db), *args]


# --- looking at the database from the test (a plain sqlite3 connection, closed each time) -------------


def query(db: Path, sql: str, params: Sequence = ()) -> list[tuple]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def integrity(db: Path) -> str:
    rows = query(db, "PRAGMA integrity_check")
    return "\n".join(str(r[0]) for r in rows)


def decks_json(db: Path, env: dict[str, str]) -> dict[str, dict]:
    r = run(db_args(db, "decks", "--json"), env)
    return {d["name"]: d for d in json.loads(r.stdout)}


def reviews_per_deck(db: Path) -> dict[str, int]:
    return dict(
        query(
            db,
            "SELECT d.name, COUNT(r.id) FROM reviews r JOIN cards c ON c.id = r.card_id "
            "JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id GROUP BY d.name",
        )
    )


def duplicate_answers(db: Path, deck: str) -> list[tuple]:
    """(card, study day, rows) for every card of ``deck`` answered more than once on a day."""
    return query(
        db,
        "SELECT r.card_id, r.study_day, COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id "
        "JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id WHERE d.name = ? "
        "GROUP BY r.card_id, r.study_day HAVING COUNT(*) > 1",
        [deck],
    )


def cards_per_deck(db: Path) -> dict[str, int]:
    return dict(
        query(
            db,
            "SELECT d.name, COUNT(c.id) FROM decks d LEFT JOIN terms t ON t.deck_id = d.id "
            "LEFT JOIN cards c ON c.term_id = t.id GROUP BY d.name",
        )
    )


# --- deck files ----------------------------------------------------------------------------------------


def write_deck(path: Path, name: str, n: int, prefix: str | None = None) -> Path:
    """A generated deck file of ``n`` terms, each related to the next (so each has three cards)."""
    prefix = prefix or name.lower()
    terms = [
        {
            "term": f"{prefix} {i:05d}",
            "definition": f"The meaning of {prefix} number {i}.",
            "related": [f"{prefix} {(i + 1) % n:05d}"],
            "tags": ["generated"],
        }
        for i in range(n)
    ]
    path.write_text(json.dumps({"name": name, "description": "generated", "terms": terms}), encoding="utf-8")
    return path


def bundled_term_count() -> int:
    """Terms in the bundled deck files, read straight from the files."""
    import tomllib

    from mlcards import bundled

    total = 0
    for p in bundled.deck_files():
        assert p.suffix == ".toml", p
        total += len(tomllib.loads(p.read_text(encoding="utf-8"))["terms"])
    return total


# --- line-mode review driven one answer at a time ------------------------------------------------------

PLAIN_ANSWER = "answer "
PLAIN_GRADE = "grade 0-5"
PLAIN_SUMMARY = "Session:"
PLAIN_NOTHING = "Nothing to review today."
PLAIN_SAVED = re.compile(r"^  saved \d", re.M)


def plain_acknowledged(output: str) -> int:
    """Answers a ``review --plain`` transcript shows as saved (each printed after its commit)."""
    return len(PLAIN_SAVED.findall(output))


class PlainDriver:
    """Answers a ``review --plain`` process prompt by prompt: Enter to reveal, then ``grade``."""

    def __init__(self, proc: Piped, grade: str = "4", pace: float = 0.0, timeout: float = 30.0):
        self.proc, self.grade, self.pace, self.timeout = proc, grade, pace, timeout
        self.pos = 0
        self.sent = 0
        self.finished = False

    def step(self) -> bool:
        """Answer one card; False once the session has ended."""
        which, self.pos = self.proc.wait_for([PLAIN_ANSWER, PLAIN_SUMMARY, PLAIN_NOTHING], self.pos, self.timeout)
        if which != 0:
            self.finished = True
            return False
        self.proc.write("\n")
        _, self.pos = self.proc.wait_for(PLAIN_GRADE, self.pos, self.timeout)
        if self.pace:
            time.sleep(self.pace)  # pacing only: the next prompt is waited for, not slept for
        self.proc.write(self.grade + "\n")
        self.sent += 1
        if self.pace:
            time.sleep(self.pace)
        return True

    def answer(self, n: int) -> int:
        for _ in range(n):
            if not self.step():
                break
        return self.sent

    def stop(self, timeout: float = 60.0) -> int:
        """End the session (end of input) and wait for its summary and exit status."""
        self.proc.close_stdin()
        code = self.proc.wait(timeout)
        return code


SQLITE3_SHELL = __import__("shutil").which("sqlite3")
"""Debian's ``sqlite3`` shell, if installed (a clone without it skips only the shell's part)."""


def sqlite3_shell(db: Path, script: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
    """Run ``script`` in the ``sqlite3`` shell on ``db`` (with a busy timeout, stopping at the first error)."""
    r = subprocess.run(
        [SQLITE3_SHELL, "-bail", str(db)], input=".timeout 5000\n" + script, capture_output=True, text=True,
        timeout=timeout,
    )
    assert r.returncode == 0, f"sqlite3 shell exited {r.returncode}: {r.stderr}"
    return r
