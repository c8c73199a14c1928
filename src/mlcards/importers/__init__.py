"""Importers: one module per format, each a pure parser ``parse(path)``.

``parse`` returns a ``Deck``, a list of decks, or a ``ParseResult`` (decks plus notices and, for
Anki packages, the review log). ``load(path)`` picks the format from the extension, confirms it from
the content (``.txt`` is a glossary page or an Anki text file, decided by what the file holds; an
``.apkg`` must be a zip), and returns a ``Parsed`` batch that the store applies in one transaction.
Nothing here touches the database.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from mlcards.errors import DeckError
from pydantic import ValidationError

from mlcards.models import Deck, Term, describe_validation_error
from mlcards.text import safe_line, term_key


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]
    module: str
    mode: Literal["replace", "enrich"] = "replace"
    """How re-importing updates terms: 'replace' mirrors the file; 'enrich' only adds what is new."""


FORMATS: list[Format] = [
    Format("deck file (JSON/TOML/YAML)", (".json", ".toml", ".yaml", ".yml"), "mlcards.importers.deckfile"),
    # Formats sharing an extension are tried in order: each but the last must have ``sniff(head)``.
    Format("glossary page", (".txt",), "mlcards.importers.glossary", mode="enrich"),
    Format("Anki text file", (".txt", ".csv", ".tsv"), "mlcards.importers.ankitext"),
    Format("Markdown glossary", (".md", ".markdown"), "mlcards.importers.markdown"),
    Format("Anki package", (".apkg",), "mlcards.importers.apkg"),
]

SNIFF_BYTES = 256 * 1024
"""How much of a file is read to tell formats sharing an extension apart."""


@dataclass(frozen=True)
class AnkiReview:
    """One answer from an Anki review log (``revlog``), tied to the term and card it belongs to.

    ``ease`` is Anki's button (1 Again, 2 Hard, 3 Good, 4 Easy); ``interval``/``last_interval`` are
    Anki's ``ivl``/``lastIvl`` (days when positive, seconds when negative: learning steps);
    ``factor`` is the ease factor in permille (2500 = 2.5); ``anki_type`` is 0 learn, 1 review,
    2 relearn, 3 filtered.
    """

    deck: str
    term: str
    card_kind: Literal["recall", "reverse"]
    reviewed_at: datetime
    ease: int
    interval: int
    last_interval: int
    factor: int
    duration_ms: int
    anki_type: int


@dataclass
class ParseResult:
    """What a parser returns when it has more to say than the decks."""

    decks: list[Deck]
    notices: list[str] = field(default_factory=list)
    history: list[AnkiReview] = field(default_factory=list)


@dataclass
class Parsed:
    decks: list[Deck]
    mode: Literal["replace", "enrich"] = "replace"
    format: str = ""
    notices: list[str] = field(default_factory=list)
    history: list[AnkiReview] = field(default_factory=list)
    """Anki review-log entries (``.apkg`` only); the CLI applies them with ``--with-history``."""


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
            if importlib.import_module(f.module).sniff(head):
                return f
    return candidates[-1]


def load(path: str | Path, *, deck_name: str | None = None) -> Parsed:
    """Parse one file into decks (renamed to ``deck_name`` when given)."""
    path = Path(path)
    fmt = format_for(path)
    module = importlib.import_module(fmt.module)
    try:
        result = module.parse(path)
    except DeckError as e:
        # content that does not even look like the format: say so, keeping the parser's detail
        sniff = getattr(module, "sniff", None)
        if sniff is not None and not e.message.startswith("invalid ") and path.is_file() and not sniff(_head(path)):
            raise DeckError(f"not a {fmt.name}: {e.message}", path=path, line=e.line) from None
        raise
    if isinstance(result, ParseResult):
        # notices quote file names and column headers: made safe for a terminal here, once
        decks, notices, history = list(result.decks), [safe_line(n) for n in result.notices], list(result.history)
    else:
        decks, notices, history = (result if isinstance(result, list) else [result]), [], []
    if deck_name:
        decks = [merge_decks(decks, deck_name, fmt.mode)]
        history = [replace(h, deck=deck_name) for h in history]
    return Parsed(decks=decks, mode=fmt.mode, format=fmt.name, notices=notices, history=history)


def merge_decks(decks: list[Deck], name: str, mode: str = "replace") -> Deck:
    """One deck named ``name`` holding every term of ``decks`` in first-seen order.

    A term met again is updated as a re-import would update it: ``replace`` takes the later text,
    ``enrich`` keeps what is known and fills in what the later one adds.
    """
    terms: dict[str, Term] = {}
    for d in decks:
        for t in d.terms:
            old = terms.get(t.key)
            terms[t.key] = t if old is None else _combine(old, t, mode)
    description = next((d.description for d in decks if d.description), "")
    try:
        return Deck(name=name, description=description, terms=list(terms.values()))
    except ValidationError as e:
        message, _ = describe_validation_error(e, {"name": name})
        raise DeckError(f"--deck {name!r}: {message}") from None


def _combine(old: Term, new: Term, mode: str) -> Term:
    if mode == "replace":
        return new
    data = old.model_dump()
    for field_name in ("definition", "explanation", "example"):
        if getattr(new, field_name):
            data[field_name] = getattr(new, field_name)
    keys = {term_key(r) for r in old.related}
    data["related"] = [*old.related, *(r for r in new.related if term_key(r) not in keys)]
    data["tags"] = [*old.tags, *(t for t in new.tags if t not in old.tags)]
    return Term.model_validate(data)
