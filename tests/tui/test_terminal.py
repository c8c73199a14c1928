"""The real ``mlcards`` in a pseudo-terminal: r, then space and 4 three times, then q (the summary), q (the dashboard), q (quit).

This is issue 3's tmux check as a test: three answers are stored and the process exits with 0.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")
fcntl = pytest.importorskip("fcntl")
termios = pytest.importorskip("termios")


class Terminal:
    """A child process on a pseudo-terminal of a fixed size, its output collected by a thread."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (100, 30)):
        import struct

        cols, rows = size
        pid, fd = pty.fork()
        if pid == 0:  # the child: set the window size, then become mlcards
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = bytearray()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            with self.lock:
                self.output += data

    def mark(self) -> int:
        with self.lock:
            return len(self.output)

    def wait_for(self, text: str, since: int = 0, timeout: float = 30.0) -> None:
        needle = text.encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if needle in self.output[since:]:
                    return
            time.sleep(0.02)
        raise AssertionError(f"{text!r} did not appear; last output: {self.text()[-1500:]!r}")

    def send(self, keys: str, expect: str, timeout: float = 30.0) -> None:
        since = self.mark()
        os.write(self.fd, keys.encode())
        self.wait_for(expect, since, timeout)

    def text(self) -> str:
        with self.lock:
            return self.output.decode("utf-8", "replace")

    def wait_exit(self, timeout: float = 30.0) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.reader.join(timeout=5)
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        return None

    def kill(self) -> None:
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def mlcards_argv() -> list[str]:
    script = Path(sys.executable).with_name("mlcards")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mlcards"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_review_three_cards_in_a_real_terminal(tmp_path):
    db = tmp_path / "fresh.db"  # created by mlcards itself, with the bundled deck
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "MLCARDS"))}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="30", PYTHONIOENCODING="utf-8")
    try:
        term = Terminal([*mlcards_argv(), "--db", str(db)], env)
    except OSError as e:  # no pseudo-terminals in this sandbox
        pytest.skip(f"cannot open a pseudo-terminal: {e}")
    status = None
    try:
        term.wait_for("Coming up")  # the dashboard's footer: raw mode is on, keys are not lost
        term.send("r", "What does this term mean?")
        for n in (1, 2, 3):
            term.send(" ", "Definition")
            term.send("4", f"{n} answered")
        term.send("q", "q again to leave")  # the session's summary first
        term.send("q", "Coming up")  # back on the dashboard
        os.write(term.fd, b"q")
        status = term.wait_exit()
    finally:
        if status is None:
            term.kill()
    assert status == 0, term.text()[-2000:]
    assert "Traceback" not in term.text()

    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT grade, kind, source FROM reviews ORDER BY id").fetchall()
        distinct = con.execute("SELECT COUNT(DISTINCT card_id) FROM reviews").fetchone()[0]
    finally:
        con.close()
    assert rows == [(4, "new", "review")] * 3
    assert distinct == 3
