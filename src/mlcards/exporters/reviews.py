"""Write the review log as CSV: one row per answer, for analysis in a spreadsheet, pandas, R...

Columns (header row first), UTF-8 without a BOM, RFC-4180 quoting (``csv`` module, CRLF rows):

- ``review_id``, ``card_id``: ids in the mlcards database.
- ``deck``, ``term``, ``card_kind`` (recall / reverse / related).
- ``reviewed_at_utc``: ISO 8601 in UTC with a ``Z`` and milliseconds, as stored.
- ``reviewed_at_local``: the same instant in the local time of the answer, ISO 8601 with the UTC
  offset that was stored with it (e.g. ``2025-01-15T09:30:00.000-05:00``).
- ``study_day``: the study day the answer counted for (rollover hour applied), ``YYYY-MM-DD``.
- ``grade`` (0-5), ``kind`` (new / review / redrill).
- ``interval_before``, ``interval_after``: days.
- ``easiness_before``, ``easiness_after``: SM-2 easiness as exact decimals (``2.36``), from the
  hundredths the database stores.
- ``due_after``: the due date the answer set (empty if none); ``duration_ms`` (empty if unknown).

Spreadsheet formula injection: deck names and terms are user data, and a spreadsheet treats a cell
that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some programs, a tab or carriage return) as a
formula. Any cell starting with one of those characters is written with a leading apostrophe
(``'``), which spreadsheets show as plain text. The values mlcards generates itself (ids, times,
numbers, dates) never start with them, so only such user text is ever changed; strip the leading
``'`` from ``deck``/``term`` when reading the file with a program rather than a spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from mlcards import studyday
from mlcards.exporters.atomic import atomic_write

if TYPE_CHECKING:
    from mlcards.store import Store
    from mlcards.store.rows import ReviewLogRow

COLUMNS = (
    "review_id",
    "card_id",
    "deck",
    "term",
    "card_kind",
    "reviewed_at_utc",
    "reviewed_at_local",
    "study_day",
    "grade",
    "kind",
    "interval_before",
    "interval_after",
    "easiness_before",
    "easiness_after",
    "due_after",
    "duration_ms",
)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (leading apostrophe)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def easiness_text(centi: int) -> str:
    """Hundredths as an exact decimal: 236 -> '2.36', 250 -> '2.50'."""
    return str(Decimal(centi).scaleb(-2))


def local_time_text(utc_text: str, offset_minutes: int) -> str:
    moment = studyday.from_utc_text(utc_text)
    local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))
    return local.isoformat(timespec="milliseconds")


def utc_time_text(utc_text: str) -> str:
    return studyday.to_utc_text(studyday.from_utc_text(utc_text))


def csv_row(r: ReviewLogRow) -> list[str]:
    values = [
        r.review_id,
        r.card_id,
        r.deck,
        r.term,
        r.card_kind,
        studyday.to_utc_text(r.reviewed_at),
        r.reviewed_at.astimezone(timezone(timedelta(minutes=r.utc_offset_min))).isoformat(timespec="milliseconds"),
        r.study_day.isoformat(),
        r.grade,
        r.kind,
        r.interval_before,
        r.interval_after,
        r.ease_before,
        r.ease_after,
        r.due_after.isoformat() if r.due_after else None,
        r.duration_ms,
    ]
    return [guard_cell("" if v is None else str(v)) for v in values]


def write_rows(rows: Iterable[ReviewLogRow], path: Path) -> int:
    """Write the log rows (from ``Store.review_log_rows``) to ``path`` atomically; returns the count."""
    count = 0

    def _write(tmp: Path) -> None:
        nonlocal count
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for r in rows:
                writer.writerow(csv_row(r))
                count += 1

    atomic_write(path, _write)
    return count


def write(store: Store, path: Path, *, deck: str | None = None, now: datetime | None = None) -> int:  # noqa: ARG001
    """Export the review log of ``store`` (all decks, or the deck named ``deck``) to ``path``."""
    deck_id = store.require_deck(deck) if deck else None
    return write_rows(store.review_log_rows(deck_id), Path(path))
