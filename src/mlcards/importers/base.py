"""The importer protocol and the types every format module shares.

A format module is a pure parser: ``parse(path, options) -> Parsed`` reads one file and returns its
decks, the notices worth showing, any review history it carries and how re-importing should update
terms (``mode``); every problem is a one-line ``DeckError``. Formats sharing an extension also have
``sniff(head) -> bool``. Nothing here touches the database. The registry (``mlcards.importers``)
picks the module from the file's extension and content.

Format modules import from here and from ``common``, never from the ``mlcards.importers`` package
itself (whose ``__init__`` imports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from mlcards.models import Deck

Mode = Literal["replace", "enrich"]
"""How re-importing updates terms: 'replace' mirrors the file; 'enrich' only adds what is new."""


@dataclass(frozen=True)
class ParseOptions:
    """What the caller asks of a parser. ``deck_name``: every deck of the file goes into this one
    (applied by ``load``, which merges the parser's decks; parsers may ignore it)."""

    deck_name: str | None = None


DEFAULT_OPTIONS = ParseOptions()


@dataclass(frozen=True)
class AnkiReview:
    """One answer from an Anki review log (``revlog``), tied to the term and card it belongs to.

    ``ease`` is Anki's button (1 Again, 2 Hard, 3 Good, 4 Easy); ``interval``/``last_interval`` are
    Anki's ``ivl``/``lastIvl`` (days when positive, seconds when negative: learning steps);
    ``factor`` is the ease factor in permille (2500 = 2.5); ``anki_type`` is 0 learn, 1 review,
    2 relearn, 3 filtered. ``guid`` is the note's GUID, ``card_ord`` the card's template (or cloze)
    ordinal and ``revlog_id`` Anki's id of the answer (its moment in epoch ms): what the round trip of
    an mlcards export matches on (``mlcards.anki_progress``). ``card_kind`` 'cloze' entries (a cloze
    note's cards) are only used by that round trip.
    """

    deck: str
    term: str
    card_kind: Literal["recall", "reverse", "cloze"]
    reviewed_at: datetime
    ease: int
    interval: int
    last_interval: int
    factor: int
    duration_ms: int
    anki_type: int
    guid: str = ""
    card_ord: int = 0
    revlog_id: int = 0


@dataclass
class Parsed:
    """The one return shape of every parser (and of ``load``)."""

    decks: list[Deck]
    mode: Mode = "replace"
    notices: list[str] = field(default_factory=list)
    """Things worth telling the user (ignored columns, skipped notes); file names and headers quoted."""
    history: list[AnkiReview] = field(default_factory=list)
    """Review-log entries the file carries (Anki packages); applied only when asked (``--with-history``)."""
    format: str = ""
    """The format's name, filled in by ``load``."""


class Importer(Protocol):
    """A format module: ``mlcards.importers.deckfile``, ``glossary``, ``ankitext``, ``markdown``, ``apkg``."""

    def parse(self, path: Path, options: ParseOptions = ...) -> Parsed: ...


class Sniffer(Protocol):
    """A format module sharing its extension with another: tells its files apart by their first bytes."""

    def sniff(self, head: str) -> bool: ...
