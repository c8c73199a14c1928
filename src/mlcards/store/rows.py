"""The plain, typed rows the store hands out (frozen dataclasses; no raw dicts leave the store)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class QueueRow:
    """A candidate for today's queue (see ``mlcards.queue``)."""

    card_id: int
    term_id: int
    kind: str
    due: date | None


@dataclass(frozen=True)
class TermBrief:
    id: int
    term: str
    definition: str
    key: str



@dataclass
class HistoryImport:
    """What ``Store.import_history`` added: rows, already-present answers, entries with no card here."""

    added: int = 0
    duplicates: int = 0
    unmatched: int = 0
