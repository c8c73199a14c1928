"""Errors the user sees as one line: ``error: <file>[:<line>]: <message>``."""

from __future__ import annotations

from pathlib import Path


class MlcardsError(Exception):
    """An expected failure: the CLI prints it as one line and exits 1."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        return where + self.message


class DeckError(MlcardsError):
    """A deck (file, page, package) that cannot be read; names the file and, where known, the line."""


class StoreError(MlcardsError):
    """A database that cannot be opened or used (wrong file, newer schema, locked)."""
