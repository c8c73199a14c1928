"""The SQL sync's triggers and baseline run: payloads of each kind of change, the triggers of migration
0009 and the rows that turn an existing database into events. Pure text: it imports nothing of the
store, so the migration can use it without the store importing itself in a circle.
"""

from __future__ import annotations

LOCAL_SETTINGS = ("timezone", "theme", "keymap", "sync_folder", "sync_on_start_quit")
"""Settings of one machine: never sent (databases made before the sync settings existed send those two,
and the other machine ignores them)."""

_REVIEW_COLUMNS = (
    "reviewed_at", "utc_offset_min", "study_day", "grade", "kind", "reps_before", "reps_after", "ease_before",
    "ease_after", "interval_before", "interval_after", "due_before", "due_after", "lapse", "leeched",
    "duration_ms", "source", "undone_at", "stability_after", "difficulty_after",
)
_PRACTICE_COLUMNS = ("reviewed_at", "utc_offset_min", "study_day", "grade", "duration_ms", "source", "undone_at")
TERM_FIELDS = ("key", "term", "definition", "explanation", "example", "related", "tags", "aliases", "relations",
               "cloze", "position")
DECK_FIELDS = ("name", "description", "scheduler")
CARD_STATE_FIELDS = ("suspended", "buried_until")
ADD_KINDS = ("deck_add", "term_add", "card")
"""Events that create a row: their field values rank below any edit's (so a later install of the same
bundled deck never undoes an edit)."""


def _uuid_of(table: str, id_sql: str) -> str:
    return f"(SELECT uuid FROM {table} WHERE id = {id_sql})"


def _pairs(r: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f"'{c}', {r}.{c}" for c in columns)


def payload_sql(kind: str, r: str) -> str:
    """The JSON payload of an event of ``kind`` about the row ``r`` (``NEW``, or a table alias)."""
    if kind == "review":
        return (f"json_object('card', {_uuid_of('cards', r + '.card_id')}, "
                f"'chosen', {_uuid_of('terms', r + '.chosen_term_id')}, 'key_term', {_uuid_of('terms', r + '.key_term_id')}, "
                f"{_pairs(r, _REVIEW_COLUMNS)})")
    if kind == "practice":
        return (f"json_object('card', {_uuid_of('cards', r + '.card_id')}, "
                f"'chosen', {_uuid_of('terms', r + '.chosen_term_id')}, 'key_term', {_uuid_of('terms', r + '.key_term_id')}, "
                f"{_pairs(r, _PRACTICE_COLUMNS)})")
    if kind == "card":
        return (f"json_object('term', {_uuid_of('terms', r + '.term_id')}, 'kind', {r}.kind, "
                f"'pair', {_uuid_of('terms', r + '.pair_term_id')}, 'ordinal', {r}.ordinal, "
                f"'created_at', {r}.created_at, {_pairs(r, CARD_STATE_FIELDS)})")
    if kind == "term_add":
        return (f"json_object('deck', {_uuid_of('decks', r + '.deck_id')}, {_pairs(r, TERM_FIELDS)}, "
                f"'created_at', {r}.created_at)")
    if kind == "deck_add":
        return f"json_object({_pairs(r, DECK_FIELDS)}, 'created_at', {r}.created_at)"
    if kind == "setting":
        return f"json_object('value', {r}.value)"
    if kind == "deck_setting":
        return f"json_object('deck', {_uuid_of('decks', r + '.deck_id')}, 'key', {r}.key, 'value', {r}.value)"
    raise ValueError(kind)


def _changed(full: str, fields: tuple[str, ...]) -> str:
    """``full`` (NEW's fields) without those an UPDATE left as they were."""
    drops = ", ".join(f"CASE WHEN OLD.{f} IS NEW.{f} THEN '$.{f}' ELSE '$.unchanged_' END" for f in fields)
    return f"json_remove({full}, {drops})"


def _any_changed(fields: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"OLD.{f} IS NOT NEW.{f}" for f in fields) + ")"


_HLC_NOW = "(CAST(strftime('%s', 'now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f', 'now'), 4) AS INTEGER) * 1000)"
"""The wall clock in microseconds (SQLite reads it to the millisecond): each event adds at least one, so a
burst of events (an import) runs the clock ahead of the wall by microseconds only."""


def trigger_sql() -> list[str]:
    """``CREATE TRIGGER`` statements for every change sync sends (migration 0009)."""
    recording = "(SELECT applying FROM sync_device) = 0"
    term_edit = _changed(
        f"json_object('deck', {_uuid_of('decks', 'NEW.deck_id')}, {_pairs('NEW', TERM_FIELDS)})",
        ("deck_id", *TERM_FIELDS),
    ).replace("'$.deck_id'", "'$.deck'")
    local = ", ".join(f"'{k}'" for k in LOCAL_SETTINGS)
    specs: list[tuple[str, str, str, str, str, str]] = [
        # name, event, condition, kind, entity, payload
        ("review_add", "INSERT ON review_log", "", "review", "NEW.uuid", payload_sql("review", "NEW")),
        ("review_undo", "UPDATE OF undone_at ON review_log", "NEW.undone_at IS NOT NULL AND OLD.undone_at IS NOT NEW.undone_at",
         "undo", "NEW.uuid", "json_object('undone_at', NEW.undone_at)"),
        ("practice_add", "INSERT ON practice_log", "", "practice", "NEW.uuid", payload_sql("practice", "NEW")),
        ("practice_undo", "UPDATE OF undone_at ON practice_log",
         "NEW.undone_at IS NOT NULL AND OLD.undone_at IS NOT NEW.undone_at",
         "practice_undo", "NEW.uuid", "json_object('undone_at', NEW.undone_at)"),
        ("card_add", "INSERT ON cards", "", "card", "NEW.uuid", payload_sql("card", "NEW")),
        ("card_state", "UPDATE OF suspended, buried_until ON cards", _any_changed(CARD_STATE_FIELDS), "card_state",
         "NEW.uuid", _changed(f"json_object({_pairs('NEW', CARD_STATE_FIELDS)})", CARD_STATE_FIELDS)),
        ("card_delete", "DELETE ON cards", "", "card_delete", "OLD.uuid", "json_object()"),
        ("term_add", "INSERT ON terms", "", "term_add", "NEW.uuid", payload_sql("term_add", "NEW")),
        ("term_edit", "UPDATE ON terms", _any_changed(("deck_id", *TERM_FIELDS)), "term_edit", "NEW.uuid", term_edit),
        ("term_delete", "DELETE ON terms", "", "term_delete", "OLD.uuid", "json_object()"),
        ("deck_add", "INSERT ON decks", "", "deck_add", "NEW.uuid", payload_sql("deck_add", "NEW")),
        ("deck_edit", "UPDATE ON decks", _any_changed(DECK_FIELDS), "deck_edit", "NEW.uuid",
         _changed(f"json_object({_pairs('NEW', DECK_FIELDS)})", DECK_FIELDS)),
        ("deck_delete", "DELETE ON decks", "", "deck_delete", "OLD.uuid", "json_object()"),
        ("setting_add", "INSERT ON settings", f"NEW.key NOT IN ({local})", "setting", "NEW.key",
         payload_sql("setting", "NEW")),
        ("setting_edit", "UPDATE ON settings", f"NEW.key NOT IN ({local}) AND OLD.value IS NOT NEW.value", "setting",
         "NEW.key", payload_sql("setting", "NEW")),
        ("setting_delete", "DELETE ON settings", f"OLD.key NOT IN ({local})", "setting", "OLD.key",
         "json_object('value', NULL)"),
        ("deck_setting_add", "INSERT ON deck_settings", "", "deck_setting",
         f"{_uuid_of('decks', 'NEW.deck_id')} || '/' || NEW.key", payload_sql("deck_setting", "NEW")),
        ("deck_setting_edit", "UPDATE ON deck_settings", "OLD.value IS NOT NEW.value", "deck_setting",
         f"{_uuid_of('decks', 'NEW.deck_id')} || '/' || NEW.key", payload_sql("deck_setting", "NEW")),
        # a deck's settings go with the deck itself: its delete is sent as the deck's
        ("deck_setting_delete", "DELETE ON deck_settings",
         "EXISTS (SELECT 1 FROM decks WHERE id = OLD.deck_id)", "deck_setting",
         f"{_uuid_of('decks', 'OLD.deck_id')} || '/' || OLD.key",
         f"json_object('deck', {_uuid_of('decks', 'OLD.deck_id')}, 'key', OLD.key, 'value', NULL)"),
    ]
    out = []
    for name, event, condition, kind, entity, payload in specs:
        # a row without an id of its own (written by hand) cannot be sent: never let it fail the write
        when = recording + f" AND {entity} IS NOT NULL" + (f" AND {condition}" if condition else "")
        out.append(
            f"CREATE TRIGGER sync_{name} AFTER {event} FOR EACH ROW WHEN {when} BEGIN "
            f"UPDATE sync_device SET hlc = max(hlc + 1, {_HLC_NOW}); "
            f"INSERT INTO sync_events (hlc, kind, entity, payload) "
            f"SELECT hlc, '{kind}', {entity}, {payload} FROM sync_device; END"
        )
    return out


EMIT_QUERIES: dict[str, tuple[str, str]] = {
    # kind: (FROM ... of the rows, the entity)
    "deck_add": ("FROM decks d", "d.uuid"),
    "deck_setting": ("FROM deck_settings x", "(SELECT uuid FROM decks WHERE id = x.deck_id) || '/' || x.key"),
    "term_add": ("FROM terms t", "t.uuid"),
    "card": ("FROM cards c", "c.uuid"),
    "review": ("FROM review_log r", "r.uuid"),
    "practice": ("FROM practice_log p", "p.uuid"),
    "setting": ("FROM settings s", "s.key"),
}
_ALIASES = {"deck_add": "d", "deck_setting": "x", "term_add": "t", "card": "c", "review": "r", "practice": "p",
            "setting": "s"}


def emit_rows_sql(kind: str, where: str) -> str:
    """``INSERT INTO sync_events`` of the rows ``where`` selects, as events of ``kind``, all with one stamp
    (each row is another entity, so none needs ordering against another); the caller then raises
    ``sync_device.hlc`` past it with ``RAISE_HLC_SQL``."""
    source, entity = EMIT_QUERIES[kind]
    r = _ALIASES[kind]
    return (
        f"INSERT INTO sync_events (hlc, kind, entity, payload) "
        f"SELECT max((SELECT hlc FROM sync_device) + 1, {_HLC_NOW}), "
        f"'{kind}', {entity}, {payload_sql(kind, r)} {source} WHERE {where}"
    )


RAISE_HLC_SQL = "UPDATE sync_device SET hlc = max(hlc, ifnull((SELECT max(hlc) FROM sync_events), 0))"

TICK_SQL = f"UPDATE sync_device SET hlc = max(hlc + 1, {_HLC_NOW})"
"""Advance the clock as each trigger does; ``emit_ticked_sql`` then stamps a batch of rows with it."""


def emit_ticked_sql(kind: str, where: str) -> str:
    """The events the ``INSERT`` triggers would have written for the rows ``where`` selects, in rowid
    order, all with the clock's current stamp (run ``TICK_SQL`` first). For bulk writes made with the
    triggers paused (an import of 20,000 cards): one statement instead of two per row."""
    source, entity = EMIT_QUERIES[kind]
    r = _ALIASES[kind]
    return (
        f"INSERT INTO sync_events (hlc, kind, entity, payload) "
        f"SELECT (SELECT hlc FROM sync_device), '{kind}', {entity}, {payload_sql(kind, r)} {source} "
        f"WHERE ({where}) AND {entity} IS NOT NULL ORDER BY {r}.id"
    )


def baseline_sql() -> list[str]:
    """Everything a database holds, as events (what a database that predates sync sends first)."""
    local = ", ".join(f"'{k}'" for k in LOCAL_SETTINGS)
    out = []
    for kind, where in [("setting", f"s.key NOT IN ({local})"), ("deck_add", "1"), ("deck_setting", "1"),
                        ("term_add", "1"), ("card", "1"), ("review", "1"), ("practice", "1")]:
        out += [emit_rows_sql(kind, where), RAISE_HLC_SQL]
    return out
