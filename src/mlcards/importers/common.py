"""Shared helpers for importers: safe reading with size limits and encoding checks."""

from __future__ import annotations

from pathlib import Path

from mlcards.errors import DeckError

MAX_TEXT_BYTES = 50 * 1024 * 1024
"""Largest text file an importer reads (50 MiB)."""


def read_text(path: Path, *, limit: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 text file (BOM allowed), refusing oversized or binary files with a one-line error."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DeckError("no such file; check the path", path=path) from None
    except OSError as e:
        raise DeckError(f"cannot read: {e.strerror}", path=path) from None
    if path.is_dir():
        raise DeckError("is a folder, not a file; give the deck file's path", path=path)
    if size > limit:
        raise DeckError(f"file is {size // (1024 * 1024)} MiB; the limit is {limit // (1024 * 1024)} MiB", path=path)
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
