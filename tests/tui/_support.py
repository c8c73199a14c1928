"""Helpers for the Textual tests (import as ``from tests.tui._support import ...``).

Every app here runs on a real SQLite file, a fixed clock and the time zone setting 'UTC', so the
figures on screen never depend on the machine or the day the tests run.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

from mlcards import answering
from mlcards.models import Deck
from mlcards.store import Store
from mlcards.text import term_key

NOW = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
TODAY = date(2026, 11, 30)
SIZE = (100, 30)


def clock() -> datetime:
    return NOW


def at_day(day: int, hour: int = 12) -> datetime:
    """An instant on ``day`` November 2026 (UTC), for answers given before the app's 'today'."""
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


def nn_deck(name: str = "Neural Nets") -> Deck:
    """Our own six linked terms (the snapshots must not change when the bundled deck is edited)."""
    return Deck(
        name=name,
        description="A small deck written for the TUI tests.",
        terms=[
            dict(
                term="neuron",
                definition="A unit that sums its weighted inputs and passes the result through an activation.",
                explanation="The basic building block of a network. Many of them side by side form a layer.",
                example="A neuron with weights 0.5 and 2 sees inputs 1 and 3 and sums them to 6.5.",
                related=["weight", "bias", "activation"],
                tags=["basics"],
            ),
            dict(
                term="weight",
                definition="A learned number that scales one input of a neuron.",
                explanation="Training nudges every weight to make the loss smaller.",
                related=["neuron", "bias"],
                tags=["basics", "parameters"],
            ),
            dict(
                term="bias",
                definition="A learned constant added to a neuron's weighted sum.",
                related=["neuron", "weight"],
                tags=["basics", "parameters"],
            ),
            dict(
                term="activation",
                definition="A non-linear function applied to a neuron's weighted sum.",
                example="ReLU keeps positive values and turns negative ones into zero.",
                related=["neuron", "layer"],
                tags=["functions"],
            ),
            dict(
                term="layer",
                definition="A group of neurons that all read the same inputs.",
                related=["activation", "loss"],
                tags=["architecture"],
            ),
            dict(
                term="loss",
                definition="A number measuring how wrong the predictions are.",
                related=["layer"],
                tags=["training"],
            ),
        ],
    )


TERMS = [t.term for t in nn_deck().terms]


def make_db(path: Path, *decks: Deck, settings: dict | None = None) -> Path:
    """A database file holding ``decks`` (default: ``nn_deck()``), time zone UTC, no bundled deck."""
    store = Store.open(path)
    try:
        store.set_setting("timezone", "UTC")
        for key, value in (settings or {}).items():
            store.set_setting(key, value)
        for deck in decks or (nn_deck(),):
            store.apply_deck(deck)
    finally:
        store.close()
    return path


# --- reading the database through a second connection (proves the app committed) ---------------------

def query(path: Path, sql: str, params: tuple | list = ()) -> list[dict]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql, params)]
    finally:
        con.close()


def card_id(path: Path, term: str, kind: str) -> int:
    rows = query(
        path,
        "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.key = ? AND c.kind = ?",
        (term_key(term), kind),
    )
    assert len(rows) == 1, (term, kind, rows)
    return rows[0]["id"]


def term_id(path: Path, term: str) -> int:
    rows = query(path, "SELECT id FROM terms WHERE key = ?", (term_key(term),))
    assert len(rows) == 1, (term, rows)
    return rows[0]["id"]


def card_row(path: Path, cid: int) -> dict:
    return query(path, "SELECT * FROM cards WHERE id = ?", (cid,))[0]


SCHEDULE = ("repetitions", "easiness_centi", "interval", "due", "lapses", "leech", "suspended")


def schedule(path: Path, cid: int) -> tuple:
    row = card_row(path, cid)
    return tuple(row[k] for k in SCHEDULE)


def reviews(path: Path) -> list[dict]:
    return query(path, "SELECT * FROM reviews ORDER BY id")


def keep_only(path: Path, *cards: tuple[str, str]) -> list[int]:
    """Suspend every card except ``(term, kind)`` ones, so a session shows exactly those."""
    ids = [card_id(path, term, kind) for term, kind in cards]
    with Store.open(path) as store:
        for row in store.db.query("SELECT id FROM cards"):
            store.set_suspended(row["id"], row["id"] not in ids)
    return ids


def answer_before(path: Path, cid: int, grade: int, when: datetime) -> None:
    """Answer a card at ``when`` (an earlier study day), outside the app."""
    with Store.open(path) as store:
        answering.answer(store, cid, grade, when)


# --- reading the screen ---------------------------------------------------------------------------

def screen_text(app) -> str:
    """What the terminal would show right now: the composed screen as plain lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def screen_segments(app) -> list[str]:
    return [seg.text for strip in app.screen._compositor.render_strips() for seg in strip]


def static_text(app, selector: str) -> str:
    """The plain text a Static widget on the current screen holds."""
    from textual.widgets import Static

    return str(app.screen.query_one(selector, Static).visual)


def squash(text: str) -> str:
    """Whitespace folded (wrapped lines compare as one line)."""
    return " ".join(text.replace("│", " ").split())


async def settle(pilot) -> None:
    """Let messages, workers and refreshes finish (no sleeping)."""
    await pilot.pause()
    # DirectoryTree keeps a loader worker running for its lifetime: wait for the others only
    busy = [w for w in pilot.app.workers if w.group != "_loader" and not w.is_finished]
    if busy:
        await pilot.app.workers.wait_for_complete(busy)
        await pilot.pause()
