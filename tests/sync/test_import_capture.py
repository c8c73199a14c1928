"""An import pauses the per-row sync triggers and records its new terms and cards in two statements:
the events must be exactly those the triggers write, in the same order, so sync cannot tell the two apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcards.models import Deck, Term
from mlcards.store import Store
from mlcards.store.decks import DeckRepo


def deck(n: int, *, renamed: bool = False) -> Deck:
    terms = [
        Term(term=f"term {i}" + (" prime" if renamed and i == 0 else ""), definition=f"definition {i}" + (" (revised)" if renamed and i == 2 else ""),
             related=[f"term {i + 1}"] if i % 3 == 0 else [], tags=["t"] if i % 2 else [],
             cloze="{{c1::x}} and {{c2::y}}" if i == 4 else None)
        for i in range(n)
    ]
    return Deck(name="Capture", description="d", terms=terms)


def events(store: Store) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in store.db.execute("SELECT kind, entity, payload FROM sync_events ORDER BY seq")]


def import_twice(path: Path) -> Store:
    store = Store.open(path)
    store.apply_deck(deck(12))
    store.apply_deck(deck(15, renamed=True))  # an edit, a rename (a new term) and three new terms
    return store


@pytest.fixture
def by_triggers(tmp_path) -> Store:
    with pytest.MonkeyPatch.context() as patch:  # for this import only: the triggers write every event
        patch.setattr(DeckRepo, "_pause_sync_capture", lambda self: False)
        return import_twice(tmp_path / "triggers.db")


def test_an_imports_events_are_the_triggers_events_in_the_same_order(tmp_path, by_triggers):
    bulk = import_twice(tmp_path / "bulk.db")
    ours, theirs = events(bulk), events(by_triggers)
    skip = {"created_at", "updated_at", "modified_at"}  # the two databases were written a moment apart

    def comparable(evs: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        import json

        return [(k, e, json.dumps({f: v for f, v in json.loads(p).items() if f not in skip}, sort_keys=True))
                for k, e, p in evs]

    assert [k for k, _, _ in ours].count("card") == bulk.count("cards")
    assert comparable(ours) == comparable(theirs)
    assert {k for k, _, _ in ours} >= {"deck_add", "term_add", "card", "term_edit"}
    stamps = [h for (h,) in bulk.db.execute("SELECT hlc FROM sync_events ORDER BY seq")]
    assert stamps == sorted(stamps)  # the clock never runs backwards, cards after their terms
    assert bulk.db.execute("SELECT hlc FROM sync_device").fetchone()[0] == stamps[-1]
    assert bulk.db.execute("SELECT applying FROM sync_device").fetchone()[0] == 0  # triggers resumed
    bulk.close()
    by_triggers.close()


def test_a_failed_import_leaves_the_triggers_on_and_no_events(tmp_path, monkeypatch):
    store = Store.open(tmp_path / "fail.db")
    before = events(store)

    def boom(self, deck_id, stamp):
        raise RuntimeError("disk full")

    monkeypatch.setattr(DeckRepo, "_sync_cards_and_links", boom)
    with pytest.raises(RuntimeError):
        store.apply_deck(deck(5))
    assert events(store) == before
    assert store.db.execute("SELECT applying FROM sync_device").fetchone()[0] == 0
    assert store.deck_id("Capture") is None
    store.close()
