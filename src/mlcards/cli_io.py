"""What every ``mlcards`` command shares: the one way to stdout and stderr, opening the database
named by ``--db`` (saying so when that creates one), the daily backup and the notes printed after a
command succeeds. ``cli.py`` and the command modules (``cli_fsrs``, ``cli_sync``) import it; it imports
none of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mlcards.errors import MlcardsError

if TYPE_CHECKING:
    from mlcards.store import Store

_NOTES: list[str] = []
"""Notes printed on stderr after a command succeeds (a failing command prints only its error)."""


def _out(text: str = "") -> None:
    """The one way to stdout: file names, paths and deck text never drive the terminal."""
    from mlcards.text import safe

    sys.stdout.write(safe(text) + "\n")


def _err(text: str) -> None:
    """The one way to stderr: one sanitised line."""
    from mlcards.text import safe_line

    sys.stderr.write(safe_line(text) + "\n")


def _db_path(args: argparse.Namespace) -> Path:
    from mlcards.store import default_db_path

    return Path(args.db).expanduser() if getattr(args, "db", None) else default_db_path()


def _open(args: argparse.Namespace, *, install_bundled: bool = True) -> Store:
    from mlcards.database import open_database

    path = _db_path(args)
    try:
        new = not path.exists()
    except OSError:
        new = False
    store = open_database(args.db, install_bundled=install_bundled)
    if new and _non_default(args):  # a mistyped --db is seen at once, not weeks later
        _err(f"mlcards: created a new database at {path}")
    _daily_backup(args, store)
    return store


def _non_default(args: argparse.Namespace) -> bool:
    """Whether ``--db`` names another file than the default (``$MLCARDS_DB`` or the data folder)."""
    from mlcards.store import default_db_path

    if not getattr(args, "db", None):
        return False
    try:
        return Path(args.db).expanduser().resolve() != default_db_path().resolve()
    except OSError:
        return True


def _daily_backup(args: argparse.Namespace, store: Store) -> None:
    """The automatic backup, once per study day, from the commands that write (never fails the command)."""
    command = getattr(args, "command", None)
    writes = command in (None, "import", "review", "settings", "add", "rm", "undelete", "rename")
    if not writes or getattr(args, "dry_run", False) or (command == "settings" and args.value is None):
        return
    from mlcards import backup

    try:
        backup.daily_backup(store)
    except MlcardsError as e:  # told after the command succeeds; a failing command prints only its error
        _NOTES.append(f"note: the daily backup was not written: {e}")


def _after(code: int) -> int:
    if code == 0:
        for note in _NOTES:
            _err(note)
    _NOTES.clear()
    return code
