"""Applying other devices' events: idempotent, and the same result in whatever order they arrive.

- Reviews and practice answers are rows with their own UUIDs: added once, never merged; every one
  counts. Undo is a tombstone (the earliest moment wins). The cards they touch are refolded
  (``answering.refold``), which orders a card's log by moment, so every device folds the same rows
  in the same order.
- Fields (a term's text and name, a deck's name and scheduler, a card's suspension and burial,
  settings) are last-writer-wins per field by (rank, HLC stamp, device): a row's creation ranks below
  any edit, so installing the same bundled deck later on another machine never undoes an edit.
- A delete wins over the writes it is later than. A device that holds a later write keeps the row
  and sends it again whole (with its cards and log), so the devices that deleted it get it back.
- An event whose card, term or deck has not arrived yet (another device's file is still on its way)
  waits in ``sync_pending`` and is tried again on the next sync.

The caller holds one transaction with ``applying`` set (``mlcards.sync.run``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlcards import answering
from mlcards.store import Store
from mlcards.store.sync import Clock, SyncEvent, rank
from mlcards.store.sync_sql import CARD_STATE_FIELDS, LOCAL_SETTINGS, TERM_FIELDS

_REVIEW_VALUES = (
    "reviewed_at", "utc_offset_min", "study_day", "grade", "kind", "reps_before", "reps_after", "ease_before",
    "ease_after", "interval_before", "interval_after", "due_before", "due_after", "lapse", "leeched",
    "duration_ms", "source", "undone_at", "stability_after", "difficulty_after",
)
_PRACTICE_VALUES = ("reviewed_at", "utc_offset_min", "study_day", "grade", "duration_ms", "source", "undone_at")
_DECK_VALUES = ("name", "description", "scheduler")
_NEVER: Clock = (-1, 0, "")


@dataclass
class Applied:
    reviews: int = 0
    undos: int = 0
    practice: int = 0
    changes: int = 0
    deletes: int = 0
    kept: int = 0
    """Deletes from elsewhere older than a write made here: the row stays and is sent again."""
    problems: list[str] = field(default_factory=list)
    pending: list[SyncEvent] = field(default_factory=list)
    cards: set[int] = field(default_factory=set)
    link_decks: set[int] = field(default_factory=set)
    refold_decks: set[int] = field(default_factory=set)


def _stamp(e: SyncEvent) -> Clock:
    return (rank(e.kind), e.hlc, e.device)


def _later(a: Clock, b: Clock) -> bool:
    """Whether ``a`` happened after ``b`` (by stamp and device, whatever their ranks)."""
    return (a[1], a[2]) > (b[1], b[2])


def _latest(clocks: dict[str, Clock]) -> Clock:
    writes = [c for f, c in clocks.items() if f != "_deleted"]
    return max(writes, key=lambda c: (c[1], c[2]), default=_NEVER)


def _deleted(clocks: dict[str, Clock]) -> bool:
    return "_deleted" in clocks


def _clocks(store: Store, entity: str) -> dict[str, Clock]:
    """The field clocks that count: a delete voids every write it is later than (a term deleted and
    put back starts again from what was put back)."""
    clocks = store.sync_clocks(entity)
    tomb = clocks.get("_deleted")
    if tomb is None:
        return clocks
    return {f: c for f, c in clocks.items() if f == "_deleted" or _later(c, tomb)}


def _void(e: SyncEvent, clocks: dict[str, Clock]) -> bool:
    """Written before a delete of its row: it went with the row."""
    return "_deleted" in clocks and not _later(_stamp(e), clocks["_deleted"])


def _winners(store: Store, e: SyncEvent, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Clock]]:
    clocks = _clocks(store, e.entity)
    if _void(e, clocks):
        return {}, clocks
    stamp = _stamp(e)
    return {f: v for f, v in values.items() if clocks.get(f, _NEVER) < stamp}, clocks


def _tombstone(store: Store, e: SyncEvent, clocks: dict[str, Clock]) -> None:
    stamp = _stamp(e)
    if not _deleted(clocks) or _later(stamp, clocks["_deleted"]):
        store.sync_set_clocks(e.entity, {"_deleted": stamp})


# --- the log ---------------------------------------------------------------------------------------


def _log_row(store: Store, e: SyncEvent, out: Applied, table: str, columns: tuple[str, ...]) -> bool:
    card_id = store.id_by_uuid("cards", e.data.get("card"))
    if card_id is None:
        return False
    values = {c: e.data.get(c) for c in columns}
    values["chosen_term_id"] = store.id_by_uuid("terms", e.data.get("chosen"))
    values["key_term_id"] = store.id_by_uuid("terms", e.data.get("key_term"))
    if store.sync_insert_log(table, e.entity, card_id, values):
        if table == "review_log":
            out.reviews += 1
            out.cards.add(card_id)
        else:
            out.practice += 1
    return True


def _review(store: Store, e: SyncEvent, out: Applied) -> bool:
    return _log_row(store, e, out, "review_log", _REVIEW_VALUES)


def _practice(store: Store, e: SyncEvent, out: Applied) -> bool:
    return _log_row(store, e, out, "practice_log", _PRACTICE_VALUES)


def _undo_in(table: str) -> Callable[[Store, SyncEvent, Applied], bool]:
    def undo(store: Store, e: SyncEvent, out: Applied) -> bool:
        card_id, was_live = store.sync_undo_log(table, e.entity, str(e.data["undone_at"]))
        if card_id is None:
            return False  # its answer has not arrived yet
        if was_live:
            out.undos += 1
            if table == "review_log":
                out.cards.add(card_id)
        return True

    return undo


# --- cards --------------------------------------------------------------------------------------------


def _card_fields(store: Store, card_id: int, e: SyncEvent, values: dict[str, Any], out: Applied) -> None:
    win, _ = _winners(store, e, values)
    if win:
        store.sync_update("cards", card_id, win)
        store.sync_set_clocks(e.entity, dict.fromkeys(win, _stamp(e)))
        out.changes += 1


def _card(store: Store, e: SyncEvent, out: Applied) -> bool:
    term_id = store.id_by_uuid("terms", e.data.get("term"))
    pair = e.data.get("pair")
    pair_id = store.id_by_uuid("terms", pair)
    if _void(e, _clocks(store, e.entity)):
        return True  # a card deleted after this was written
    if term_id is None or (pair is not None and pair_id is None):
        return False
    store.sync_insert_card(e.entity, term_id, pair_id, e.data)
    card_id = store.id_by_uuid("cards", e.entity)
    if card_id is None:
        out.problems.append(f"card {e.entity[:8]}: this database has that card under another id; kept its own")
        return True
    _card_fields(store, card_id, e, {f: e.data[f] for f in CARD_STATE_FIELDS if f in e.data}, out)
    return True


def _card_state(store: Store, e: SyncEvent, out: Applied) -> bool:
    card_id = store.id_by_uuid("cards", e.entity)
    if card_id is None:
        return False
    _card_fields(store, card_id, e, {f: e.data[f] for f in CARD_STATE_FIELDS if f in e.data}, out)
    return True


def _card_delete(store: Store, e: SyncEvent, out: Applied) -> bool:
    """Only a contrast card is ever dropped on its own (unanswered, when the confusion that made it was
    taken back); every other card goes with its term, whose delete decides (a term kept against an
    older delete keeps its cards)."""
    card_id = store.id_by_uuid("cards", e.entity)
    if card_id is not None:
        store.sync_delete_unanswered_contrast(card_id)
    _tombstone(store, e, _clocks(store, e.entity))  # what was written to the card before is void
    return True


# --- terms -------------------------------------------------------------------------------------------


def _term_fields(store: Store, row: dict[str, Any], e: SyncEvent, values: dict[str, Any], out: Applied) -> None:
    win, _ = _winners(store, e, values)
    if not win:
        return
    update = {f: v for f, v in win.items() if f != "deck"}
    deck_id = row["deck_id"]
    if "deck" in win:
        moved = store.id_by_uuid("decks", win["deck"])
        if moved is not None:
            update["deck_id"] = deck_id = moved
    if "key" in update and store.sync_key_taken(deck_id, update["key"], e.entity):
        out.problems.append(f"term {row['term']!r}: another term here already has the name {update['term']!r}; "
                            "kept its name")
        update.pop("key")
        update.pop("term", None)
    store.sync_update("terms", row["id"], update)
    store.sync_set_clocks(e.entity, dict.fromkeys(win, _stamp(e)))
    out.changes += 1
    out.link_decks.update({row["deck_id"], deck_id})


def _term_add(store: Store, e: SyncEvent, out: Applied) -> bool:
    deck_id = store.id_by_uuid("decks", e.data.get("deck"))
    clocks = _clocks(store, e.entity)
    row = store.sync_row("terms", e.entity)
    values = {f: e.data[f] for f in TERM_FIELDS}
    if row is not None:
        _term_fields(store, row, e, {**values, "deck": e.data.get("deck")}, out)
        return True
    if _deleted(clocks) and not _later(_stamp(e), clocks["_deleted"]):
        return True  # deleted after this was written
    if deck_id is None:
        return False
    if store.sync_key_taken(deck_id, values["key"], e.entity):
        out.problems.append(f"term {values['term']!r}: this deck already has another term of that name; not added")
        return True
    store.sync_insert_term(e.entity, deck_id, values, str(e.data.get("created_at") or ""))
    store.sync_set_clocks(e.entity, dict.fromkeys([*values, "deck"], _stamp(e)))
    out.changes += 1
    out.link_decks.add(deck_id)
    return True


def _term_edit(store: Store, e: SyncEvent, out: Applied) -> bool:
    row = store.sync_row("terms", e.entity)
    if row is None:
        return _deleted(_clocks(store, e.entity))  # deleted here: dropped; not arrived yet: waits
    _term_fields(store, row, e, dict(e.data), out)
    return True


def _term_latest(store: Store, term_id: int, clocks: dict[str, Clock]) -> Clock:
    """The latest write known here to a term, its cards (suspend, bury) or its answers given here."""
    latest = [_latest(clocks), *(_latest(_clocks(store, card)) for card in store.sync_term_cards(term_id))]
    answered = store.sync_answered_here(term_id)
    if answered is not None:
        latest.append((1, answered, store.sync_device().device_id))
    return max(latest, key=lambda c: (c[1], c[2]))


def _term_delete(store: Store, e: SyncEvent, out: Applied) -> bool:
    clocks = _clocks(store, e.entity)
    row = store.sync_row("terms", e.entity)
    if row is not None:
        if not _later(_stamp(e), _term_latest(store, row["id"], clocks)):
            store.sync_resend(term_id=row["id"])
            out.kept += 1
            out.link_decks.add(row["deck_id"])
            _tombstone(store, e, clocks)  # overruled, but what was written before it is void everywhere
            return True
        out.pending += store.sync_log_of(term_id=row["id"])
        store.sync_delete("terms", row["id"])
        out.deletes += 1
        out.link_decks.add(row["deck_id"])
    _tombstone(store, e, clocks)
    return True


# --- decks -------------------------------------------------------------------------------------------


def _deck_fields(store: Store, row: dict[str, Any], e: SyncEvent, values: dict[str, Any], out: Applied) -> None:
    win, _ = _winners(store, e, values)
    if "name" in win and store.sync_deck_name_taken(win["name"], e.entity):
        out.problems.append(f"deck {row['name']!r}: another deck here is named {win['name']!r}; kept its name")
        win.pop("name")
    if not win:
        return
    store.sync_update("decks", row["id"], win)
    store.sync_set_clocks(e.entity, dict.fromkeys(win, _stamp(e)))
    out.changes += 1
    if "scheduler" in win:
        out.refold_decks.add(row["id"])


def _deck_add(store: Store, e: SyncEvent, out: Applied) -> bool:
    clocks = _clocks(store, e.entity)
    row = store.sync_row("decks", e.entity)
    values = {f: e.data[f] for f in _DECK_VALUES}
    if row is not None:
        _deck_fields(store, row, e, values, out)
        return True
    if _deleted(clocks) and not _later(_stamp(e), clocks["_deleted"]):
        return True
    if store.sync_deck_name_taken(values["name"], e.entity):
        out.problems.append(f"deck {values['name']!r}: another deck here has that name; not added")
        return True
    store.sync_insert_deck(e.entity, values, str(e.data.get("created_at") or ""))
    store.sync_set_clocks(e.entity, dict.fromkeys(values, _stamp(e)))
    out.changes += 1
    return True


def _deck_edit(store: Store, e: SyncEvent, out: Applied) -> bool:
    row = store.sync_row("decks", e.entity)
    if row is None:
        return _deleted(_clocks(store, e.entity))
    _deck_fields(store, row, e, dict(e.data), out)
    return True


def _deck_delete(store: Store, e: SyncEvent, out: Applied) -> bool:
    clocks = _clocks(store, e.entity)
    row = store.sync_row("decks", e.entity)
    if row is not None:
        latest = _latest(clocks)
        for term in store.sync_term_deck_uuids(row["id"]):
            term_id = store.id_by_uuid("terms", term)
            term_latest = _term_latest(store, term_id, _clocks(store, term)) if term_id is not None else _NEVER
            if _later(term_latest, latest):
                latest = term_latest
        if not _later(_stamp(e), latest):
            store.sync_resend(deck_id=row["id"])
            out.kept += 1
            _tombstone(store, e, clocks)
            return True
        out.pending += store.sync_log_of(deck_id=row["id"])
        store.sync_delete("decks", row["id"])
        out.deletes += 1
    _tombstone(store, e, clocks)
    return True


# --- settings ----------------------------------------------------------------------------------------


def _setting(store: Store, e: SyncEvent, out: Applied) -> bool:
    if e.entity in LOCAL_SETTINGS:
        return True
    win, _ = _winners(store, e, {"value": e.data.get("value")})
    if win:
        store.sync_set_setting_raw(e.entity, win["value"])
        store.sync_set_clocks(e.entity, {"value": _stamp(e)})
        out.changes += 1
    return True


def _deck_setting(store: Store, e: SyncEvent, out: Applied) -> bool:
    deck_id = store.id_by_uuid("decks", e.data.get("deck"))
    if deck_id is None:
        return _deleted(_clocks(store, str(e.data.get("deck"))))
    win, _ = _winners(store, e, {"value": e.data.get("value")})
    if win:
        store.sync_set_deck_setting_raw(deck_id, str(e.data["key"]), win["value"])
        store.sync_set_clocks(e.entity, {"value": _stamp(e)})
        out.changes += 1
        if e.data["key"] in answering.FSRS_SETTINGS:
            out.refold_decks.add(deck_id)
    return True


HANDLERS: dict[str, Callable[[Store, SyncEvent, Applied], bool]] = {
    "review": _review,
    "undo": _undo_in("review_log"),
    "practice": _practice,
    "practice_undo": _undo_in("practice_log"),
    "card": _card,
    "card_state": _card_state,
    "card_delete": _card_delete,
    "term_add": _term_add,
    "term_edit": _term_edit,
    "term_delete": _term_delete,
    "deck_add": _deck_add,
    "deck_edit": _deck_edit,
    "deck_delete": _deck_delete,
    "setting": _setting,
    "deck_setting": _deck_setting,
}


def _order(e: SyncEvent) -> tuple[int, str, int]:
    return (e.hlc, e.device, e.seq)


def apply_events(store: Store, events: list[SyncEvent]) -> Applied:
    """Apply events in causal order (by HLC stamp, device, sequence), then refold what they touched.

    Runs inside the caller's transaction, with the triggers paused (``sync_set_applying``).
    """
    out = Applied()
    todo = sorted(events, key=_order)
    while todo:
        for e in todo:
            store.sync_observe_hlc(e.hlc)
            handler = HANDLERS.get(e.kind)
            if handler is None:
                out.problems.append(f"{e.device[:8]} event {e.seq}: unknown kind {e.kind!r}; skipped")
                continue
            if not handler(store, e, out):
                out.pending.append(e)
        # what waited on something that has arrived since (later in this batch) is tried again at once
        retry = sorted({(e.device, e.seq): e for e in out.pending}.values(), key=_order)
        out.pending = []
        if len(retry) == len(todo) and retry == todo:
            out.pending = retry
            break
        todo = retry
    for deck_id in sorted(out.link_decks):
        if store.sync_deck_exists(deck_id):
            store.sync_cards_and_links(deck_id)
    cards = set(out.cards)
    for deck_id in out.refold_decks:
        cards.update(store.card_ids(deck_id))
    for card_id in sorted(cards):
        if store.sync_card_exists(card_id):
            answering.refold(store, card_id)
    return out
