"""Exporters: write a ``Deck`` (or the review log) to a file; the format comes from the extension.

Every writer goes through ``exporters.atomic.atomic_write``: the file is put in place only when
complete, so a failure never leaves a half-written (or truncated) file behind; see that module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlcards.errors import MlcardsError
from mlcards.exporters.atomic import atomic_write, check_destination

if TYPE_CHECKING:  # the deck-file schema loads with the writer that needs it
    from mlcards.models import Deck

__all__ = [
    "DECK_FORMATS",
    "REVIEW_LOG_EXTENSIONS",
    "ExportFormat",
    "atomic_write",
    "check_destination",
    "deck_format_for",
    "export_deck",
    "supported",
]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extensions: tuple[str, ...]
    module: str  # has ``write(deck, path, *, now=None)``


DECK_FORMATS: list[ExportFormat] = [
    ExportFormat("deck file (JSON/TOML/YAML)", (".json", ".toml", ".yaml", ".yml"), "mlcards.exporters.deckfile"),
    ExportFormat("Anki text file", (".tsv", ".csv"), "mlcards.exporters.ankitext"),
    ExportFormat("Anki package", (".apkg",), "mlcards.exporters.apkg"),
]

REVIEW_LOG_EXTENSIONS = (".csv",)


def supported() -> str:
    return ", ".join(ext for f in DECK_FORMATS for ext in f.extensions)


def deck_format_for(path: Path) -> ExportFormat:
    ext = Path(path).suffix.lower()
    for f in DECK_FORMATS:
        if ext in f.extensions:
            return f
    raise MlcardsError(f"cannot export a deck to {ext or 'a file without extension'}; supported: {supported()}", path=path)


def export_deck(deck: Deck, path: str | Path, *, now: datetime | None = None) -> ExportFormat:
    """Write ``deck`` to ``path`` in the format its extension names (atomically)."""
    path = Path(path)
    fmt = deck_format_for(path)
    module = importlib.import_module(fmt.module)
    module.write(deck, path, now=now)
    return fmt
