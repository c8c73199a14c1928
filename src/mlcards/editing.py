"""Adding, deleting, restoring and renaming terms and decks: the use cases the CLI and the app share.

- A delete is undoable: every row it removes (the terms, their cards, links both ways, the review
  and practice logs, schedule snapshots, a deck's settings) is kept as one batch in ``trash``, in
  the same transaction as the delete. ``restore`` puts a batch back exactly: the same ids and UUIDs,
  the log with it, so schedules and stats are what they were.
- A rename keeps identity: the term (or deck) keeps its UUID, its cards and their history; links
  written by name in other terms follow a renamed term.
- ``add_term`` adds one term as an import would (its cards, its links), creating the deck if needed.

Nothing here draws or prints; refusals are ``StoreError`` with a one-line message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mlcards.errors import StoreError
from mlcards.models import Deck, Term
from mlcards.store.connection import _now_text
from mlcards.store.editing import TrashEntry
from mlcards.text import one_line
from mlcards.wording import plural

if TYPE_CHECKING:
    from mlcards.store import Store

UNDO_HINT = "mlcards undelete"

__all__ = [
    "AddedTerm",
    "TrashEntry",
    "add_term",
    "add_term_report",
    "delete_deck",
    "delete_terms",
    "rename_deck",
    "rename_term",
    "restore",
    "trash",
]


def delete_terms(store: Store, term_ids: Sequence[int], now: datetime | None = None) -> int:
    """Delete terms with everything that belongs to them, into one batch of the trash; returns its id."""
    ids = sorted(set(int(t) for t in term_ids))
    if not ids:
        raise StoreError("nothing to delete: no terms given")
    stamp = _now_text(now)
    with store.transaction():
        found = store.terms_by_id(ids)
        missing = sorted(set(ids) - {t[0] for t in found})
        if missing:
            raise StoreError(f"no term with id {missing[0]}")
        decks = sorted({name for _, _, _, name in found})
        if len(found) == 1:
            label = f"term {one_line(found[0][2])!r} ({one_line(found[0][3])})"
        else:
            label = f"{plural(len(found), 'term')} ({', '.join(one_line(d) for d in decks)})"
        payload = store.gather_rows("terms", ids)
        payload["decks"] = {str(d): store.deck_uuid_of(d) for d in sorted({t[1] for t in found})}
        payload["names"] = {str(d): name for _, d, _, name in found}
        trash_id = store.add_to_trash("terms", label, payload, stamp=stamp)
        store.delete_rows("terms", ids)
    return trash_id


def delete_deck(store: Store, deck_id: int, now: datetime | None = None) -> int:
    """Delete a deck (imported or not) and everything in it, into one batch of the trash; returns its id."""
    stamp = _now_text(now)
    with store.transaction():
        name = store.deck_name(deck_id)
        terms, cards, _ = store.deck_counts(deck_id)
        label = f"deck {one_line(name)!r} ({plural(terms, 'term')}, {plural(cards, 'card')})"
        payload = store.gather_rows("decks", [deck_id])
        trash_id = store.add_to_trash("deck", label, payload, stamp=stamp)
        store.delete_rows("decks", [deck_id])
    return trash_id


def restore(store: Store, trash_id: int | None = None, now: datetime | None = None) -> str:
    """Put a deleted batch back as it was (``None``: the latest one not restored); returns its label."""
    stamp = _now_text(now)
    with store.transaction():
        entry, payload = store.trash_payload(trash_id)
        if entry.restored_at is not None:
            raise StoreError(f"batch {entry.id} ({entry.label}) was already restored")
        rows = payload["rows"]
        if entry.what == "deck":
            for deck in rows.get("decks", []):
                if store.deck_id(deck["name"]) is not None:
                    raise StoreError(
                        f"a deck named {one_line(deck['name'])!r} exists now; rename it first "
                        f"(mlcards rename --deck OLD NEW), then undelete"
                    )
        else:
            for deck_id, uuid in payload.get("decks", {}).items():
                if store.deck_uuid_of(int(deck_id)) != uuid:
                    name = payload.get("names", {}).get(deck_id, "?")
                    raise StoreError(
                        f"the deck {one_line(name)!r} these terms were in is gone; undelete the deck first "
                        "(see mlcards trash)"
                    )
            for term in rows.get("terms", []):
                clash = store.term_key_in_deck(term["deck_id"], term["key"])
                if clash is not None:
                    raise StoreError(
                        f"its deck has a term {one_line(clash)!r} now; rename or delete that one first, then undelete"
                    )
        store.restore_rows(payload)
        store.mark_restored(entry.id, stamp=stamp)
    return entry.label


def trash(store: Store, *, include_restored: bool = False) -> list[TrashEntry]:
    """The batches that can be undeleted, newest first (with ``include_restored``, every batch)."""
    return store.trash_entries(include_restored=include_restored)


def rename_term(store: Store, term_id: int, new_name: str) -> None:
    """Give a term a new name: it keeps its id, UUID, cards and log; other terms' links by name follow."""
    old = store.term_model(term_id)
    data = old.model_dump()
    data["term"] = new_name
    try:
        new = Term.model_validate(data)
    except ValueError as e:
        raise StoreError(f"cannot rename {one_line(old.term)!r}: {_first_error(e)}") from None
    if new.term == old.term:
        return
    store.update_term(term_id, new)


def rename_deck(store: Store, deck_id: int, new_name: str, now: datetime | None = None) -> None:
    """Give a deck a new name (refused when another deck has it, ignoring case); its UUID stays."""
    old = store.deck_name(deck_id)
    try:
        name = Deck(name=new_name).name
    except ValueError as e:
        raise StoreError(f"cannot rename deck {one_line(old)!r}: {_first_error(e)}") from None
    other = store.deck_id(name)
    if other is not None and other != deck_id:
        raise StoreError(f"a deck named {one_line(store.deck_name(other))!r} exists already; choose another name")
    if name == old:
        return
    with store.transaction():
        store.rename_deck_row(deck_id, name, stamp=_now_text(now))


@dataclass(frozen=True)
class AddedTerm:
    term_id: int
    deck: str
    """The deck's name as stored."""
    created_deck: bool
    cards: int


def add_term(store: Store, deck_name: str, term: Term, now: datetime | None = None) -> int:
    """Add one term to a deck (created if missing), with its cards as an import makes them; returns its id."""
    return add_term_report(store, deck_name, term, now).term_id


def add_term_report(store: Store, deck_name: str, term: Term, now: datetime | None = None) -> AddedTerm:
    """``add_term``, saying whether the deck was created and how many cards the term got."""
    try:
        deck = Deck(name=deck_name, terms=[term])
    except ValueError as e:
        raise StoreError(f"cannot add {one_line(term.term)!r}: {_first_error(e)}") from None
    deck_id = store.deck_id(deck.name)
    if deck_id is not None:
        clash = store.term_key_in_deck(deck_id, term.key)
        if clash is not None:
            raise StoreError(
                f"deck {one_line(store.deck_name(deck_id))!r} already has a term {one_line(clash)!r}; "
                "edit or rename that one instead"
            )
    report = store.apply_deck(deck, mode="enrich", now=now)
    term_id = store.term_id_in_deck(store.require_deck(deck.name), term.key)
    assert term_id is not None  # just added
    cards = len(store.cards_of_term(term_id))
    return AddedTerm(term_id=term_id, deck=report.deck, created_deck=report.created, cards=cards)


def _first_error(e: ValueError) -> str:
    """The first message of a pydantic validation error (or the error's text)."""
    errors = getattr(e, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            where = ".".join(str(p) for p in found[0].get("loc", ()) if p != "terms")
            message = str(found[0].get("msg", e)).removeprefix("Value error, ")
            return f"{where}: {message}" if where else message
    return str(e)
