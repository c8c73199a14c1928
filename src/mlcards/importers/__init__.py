"""Importers: one module per format, each a pure parser ``parse(path, options) -> Parsed``.

The protocol and the shared types live in ``importers.base``; helpers the parsers share in
``importers.common``. ``load(path)`` picks the format from the extension, confirms it from the
content (``.txt`` is a glossary page or an Anki text file, decided by what the file holds; an
``.apkg`` must be a zip), and returns the module's ``Parsed`` batch; ``mlcards.imports`` applies
batches to the store in one transaction. Nothing here touches the database.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from mlcards.errors import DeckError
from mlcards.importers.base import DEFAULT_OPTIONS, AnkiReview, Importer, Mode, Parsed, ParseOptions, Sniffer
from mlcards.importers.common import merge_decks
from mlcards.text import safe_line

__all__ = [
    "FORMATS",
    "AnkiReview",
    "Format",
    "Importer",
    "Mode",
    "ParseOptions",
    "Parsed",
    "format_for",
    "load",
    "merge_decks",
    "supported",
]


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]
    module: str
    """Implements ``importers.base.Importer`` (and ``Sniffer`` when it shares an extension)."""

    def importer(self) -> Importer:
        return cast(Importer, importlib.import_module(self.module))


FORMATS: list[Format] = [
    Format("deck file (JSON/TOML/YAML)", (".json", ".toml", ".yaml", ".yml"), "mlcards.importers.deckfile"),
    # Formats sharing an extension are tried in order: each but the last must have ``sniff(head)``.
    Format("glossary page", (".txt",), "mlcards.importers.glossary"),
    Format("Anki text file", (".txt", ".csv", ".tsv"), "mlcards.importers.ankitext"),
    Format("Markdown glossary", (".md", ".markdown"), "mlcards.importers.markdown"),
    Format("Anki package", (".apkg", ".colpkg", ".anki2", ".anki21"), "mlcards.importers.apkg"),
]

SNIFF_BYTES = 256 * 1024
"""How much of a file is read to tell formats sharing an extension apart."""


def supported() -> str:
    exts: list[str] = []
    for f in FORMATS:
        exts += [e for e in f.extensions if e not in exts]
    return ", ".join(exts)


def _head(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(SNIFF_BYTES)
    except OSError:
        return ""  # the parser reports the problem with its own message
    return data.decode("utf-8-sig", errors="replace")


def _sniffer(module: object) -> Sniffer | None:
    return cast(Sniffer, module) if callable(getattr(module, "sniff", None)) else None


def format_for(path: Path) -> Format:
    """The format of ``path``: by extension, and by content where formats share one."""
    path = Path(path)
    ext = path.suffix.lower()
    candidates = [f for f in FORMATS if ext in f.extensions]
    if not candidates:
        raise DeckError(f"unknown format {ext or '(no extension)'!s}; supported: {supported()}", path=path)
    if len(candidates) > 1:
        head = _head(path)
        for f in candidates[:-1]:
            sniffer = _sniffer(f.importer())
            if sniffer is not None and sniffer.sniff(head):
                return f
    return candidates[-1]


def load(path: str | Path, *, deck_name: str | None = None, options: ParseOptions = DEFAULT_OPTIONS) -> Parsed:
    """Parse one file into decks (merged into one deck named ``deck_name`` when given)."""
    path = Path(path)
    if deck_name is not None:
        options = replace(options, deck_name=deck_name)
    fmt = format_for(path)
    module = fmt.importer()
    try:
        parsed = module.parse(path, options)
    except DeckError as e:
        # content that does not even look like the format: say so, keeping the parser's detail
        sniffer = _sniffer(module)
        if sniffer is not None and not e.message.startswith("invalid ") and path.is_file() and not sniffer.sniff(_head(path)):
            raise DeckError(f"not a {fmt.name}: {e.message}", path=path, line=e.line) from None
        raise
    # notices quote file names and column headers: made safe for a terminal here, once
    decks, notices, history = list(parsed.decks), [safe_line(n) for n in parsed.notices], list(parsed.history)
    if options.deck_name:
        decks = [merge_decks(decks, options.deck_name, parsed.mode)]
        history = [replace(h, deck=options.deck_name) for h in history]
    return Parsed(decks=decks, mode=parsed.mode, format=fmt.name, notices=notices, history=history)
