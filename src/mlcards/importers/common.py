"""Shared helpers for importers: safe reading with size limits and encoding checks."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from mlcards.errors import DeckError

MAX_TEXT_BYTES = 50 * 1024 * 1024
"""Largest text file an importer reads (50 MiB)."""


def validation_problem(err: ValidationError) -> str:
    """``field: what is wrong`` for the first problem pydantic found (for one-line import errors)."""
    first = err.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    msg = first.get("msg", "invalid").removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def check_file(path: Path, limit: int, *, what: str = "a file; give the deck file's path", noun: str = "file") -> int:
    """The size of ``path``, or a one-line DeckError: missing, unreadable, a folder, or over ``limit``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DeckError("no such file; check the path", path=path) from None
    except OSError as e:
        raise DeckError(f"cannot read: {e.strerror}", path=path) from None
    if path.is_dir():
        raise DeckError(f"is a folder, not {what}", path=path)
    if size > limit:
        raise DeckError(f"{noun} is {human_size(size)}; the limit is {human_size(limit)}", path=path)
    return size


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} bytes"


def read_text(path: Path, *, limit: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 text file (BOM allowed), refusing oversized or binary files with a one-line error."""
    path = Path(path)
    check_file(path, limit)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DeckError(f"cannot read: {e.strerror}", path=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DeckError("not UTF-8 text; save the file as UTF-8", path=path, line=line) from None
    if "\x00" in text:
        raise DeckError("looks like a binary file, not text", path=path)
    return text
