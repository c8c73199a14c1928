"""Importers: one module per format, each a pure parser ``parse(path) -> Deck | list[Deck]``.

``load(path)`` picks the format from the extension, confirms it from the content, and returns a
``Parsed`` batch that the store applies in one transaction. Nothing here touches the database.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mlcards.errors import DeckError
from mlcards.models import Deck


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]
    module: str
    mode: Literal["replace", "enrich"] = "replace"
    """How re-importing updates terms: 'replace' mirrors the file; 'enrich' only adds what is new."""


FORMATS: list[Format] = [
    Format("deck file (JSON/TOML/YAML)", (".json", ".toml", ".yaml", ".yml"), "mlcards.importers.deckfile"),
]


@dataclass
class Parsed:
    decks: list[Deck]
    mode: Literal["replace", "enrich"] = "replace"
    format: str = ""
    notices: list[str] = field(default_factory=list)


def supported() -> str:
    return ", ".join(ext for f in FORMATS for ext in f.extensions)


def format_for(path: Path) -> Format:
    ext = path.suffix.lower()
    for f in FORMATS:
        if ext in f.extensions:
            return f
    raise DeckError(f"unknown format {ext or '(no extension)'!s}; supported: {supported()}", path=path)


def load(path: str | Path, *, deck_name: str | None = None) -> Parsed:
    """Parse one file into decks (renamed to ``deck_name`` when given)."""
    path = Path(path)
    fmt = format_for(path)
    module = importlib.import_module(fmt.module)
    result = module.parse(path)
    decks = result if isinstance(result, list) else [result]
    notices = list(getattr(module, "last_notices", lambda: [])())
    if deck_name:
        decks = [d.model_copy(update={"name": deck_name}) for d in decks]
        if len(decks) > 1:
            decks = [_merge(decks, deck_name)]
    return Parsed(decks=decks, mode=fmt.mode, format=fmt.name, notices=notices)


def _merge(decks: list[Deck], name: str) -> Deck:
    terms = {}
    for d in decks:
        for t in d.terms:
            terms.setdefault(t.key, t)
    return Deck(name=name, description=decks[0].description, terms=list(terms.values()))
