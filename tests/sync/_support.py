"""Helpers for the sync tests: devices as real SQLite files syncing through one folder."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from mlcards import stats
from mlcards.store import Store
from mlcards.sync import sync
from tests.conftest import small_deck

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
"""Answers start here; each test moves its own clock forward (distinct moments per device)."""


def make_devices(tmp_path: Path, n: int, deck: bool = True) -> tuple[list[Store], Path]:
    folder = tmp_path / "shared"
    folder.mkdir(parents=True)
    stores = []
    for i in range(n):
        s = Store.open(tmp_path / f"device{i}.db")
        s.db.execute("PRAGMA synchronous = OFF")  # speed: these files need not survive a power cut
        s.set_setting("timezone", "UTC")
        if deck:
            s.apply_deck(small_deck())
        stores.append(s)
    return stores, folder


def converge(stores: list[Store], folder: Path, rounds: int = 2) -> None:
    for _ in range(rounds):
        for s in stores:
            report = sync(s, folder)
            assert not report.problems, report.problems


def live_log(s: Store) -> list[tuple[Any, ...]]:
    """Every live answer by uuid, with its card's uuid and what the fold reads."""
    return s.db.execute(
        "SELECT r.uuid, c.uuid, r.reviewed_at, r.study_day, r.grade, r.kind, r.source FROM reviews r "
        "JOIN cards c ON c.id = r.card_id ORDER BY r.uuid"
    ).fetchall()


def undone(s: Store) -> list[str]:
    return [r[0] for r in s.db.execute("SELECT uuid FROM review_log WHERE undone_at IS NOT NULL ORDER BY uuid")]


def schedules(s: Store) -> list[tuple[Any, ...]]:
    return s.db.execute(
        "SELECT uuid, repetitions, easiness_centi, interval, due, lapses, leech, suspended, buried_until "
        "FROM cards ORDER BY uuid"
    ).fetchall()


def terms(s: Store) -> list[tuple[Any, ...]]:
    return s.db.execute(
        "SELECT t.uuid, d.uuid, t.key, t.term, t.definition, t.related, t.tags, t.position "
        "FROM terms t JOIN decks d ON d.id = t.deck_id ORDER BY t.uuid"
    ).fetchall()


def decks(s: Store) -> list[tuple[Any, ...]]:
    return s.db.execute("SELECT uuid, name, scheduler FROM decks ORDER BY uuid").fetchall()


def links(s: Store) -> list[tuple[Any, ...]]:
    return s.db.execute(
        "SELECT a.uuid, b.uuid FROM links l JOIN terms a ON a.id = l.term_id JOIN terms b ON b.id = l.other_id "
        "ORDER BY 1, 2"
    ).fetchall()


def stats_json(s: Store, now: datetime) -> str:
    return json.dumps(stats.summary(s, now).as_json(), sort_keys=True, default=str)


def state(s: Store, now: datetime) -> dict[str, Any]:
    """What must agree on every device after sync."""
    return {
        "log": live_log(s), "undone": undone(s), "cards": schedules(s), "terms": terms(s), "decks": decks(s),
        "links": links(s), "stats": stats_json(s, now),
        "settings": s.db.execute(
            "SELECT key, value FROM settings WHERE key NOT IN ('timezone', 'theme', 'keymap') ORDER BY key"
        ).fetchall(),
    }


def at(minutes: int, device: int = 0) -> datetime:
    """A moment ``minutes`` after T0, a few milliseconds apart per device (answers never tie)."""
    return T0 + timedelta(minutes=minutes, milliseconds=device)
