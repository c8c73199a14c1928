"""Decks and terms: importing a deck (``apply_deck``), editing a term, exporting, the related-term graph."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from mlcards import identity
from mlcards.errors import StoreError
from mlcards.records import RELATION_KINDS, CardKind, DeckSummary, ImportReport, name_clash, related_graph
from mlcards.store.connection import _json_list, _json_relations, _merge_names, _now_text
from mlcards.store.rows import TermBrief
from mlcards.store.settings import SettingsMixin
from mlcards.store.sync_sql import TICK_SQL, emit_ticked_sql
from mlcards.text import term_key
from mlcards.todayqueue import QueueSource, todays_queue

if TYPE_CHECKING:  # the deck-file schema (pydantic) loads only when a deck is built
    from mlcards.models import Deck, Term


_TERM_COLUMNS = ("term", "definition", "explanation", "example", "related", "tags", "aliases", "relations", "cloze",
                 "key", "position", "created_at", "updated_at", "deck_id", "uuid")
_INSERT_TERM = f"INSERT INTO terms ({', '.join(_TERM_COLUMNS)}) VALUES ({', '.join('?' * len(_TERM_COLUMNS))})"


def _json(value: list[str] | dict[str, list[str]]) -> str:
    """A list or relations column as stored; most are empty (an import writes four per term)."""
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False)


class DeckRepo(SettingsMixin):
    """Decks and their terms (the ``decks``, ``terms`` and ``links`` tables)."""

    def deck_id(self, name: str) -> int | None:
        row = self.db.execute("SELECT id FROM decks WHERE name = ? COLLATE NOCASE", [name]).fetchone()
        return row[0] if row else None

    def deck_names(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM decks ORDER BY id")]

    def require_deck(self, name: str) -> int:
        deck_id = self.deck_id(name)
        if deck_id is None:
            names = ", ".join(repr(n) for n in self.deck_names()) or "none yet"
            raise StoreError(f"no deck named {name!r}; decks: {names}")
        return deck_id

    def apply_deck(
        self,
        deck: Deck,
        *,
        mode: Literal["replace", "enrich"] = "replace",
        dry_run: bool = False,
        now: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Add or update ``deck`` in one transaction, keeping every existing card and its history.

        ``replace`` makes each term's text match the file; ``enrich`` only fills in and adds
        (for glossary pages, where a later page may say more about a term met earlier).
        Terms missing from ``deck`` are kept and reported. ``dry_run`` computes the report only.
        ``progress(done, total)`` is called as terms are compared and written (for progress bars).
        """
        stamp = _now_text(now)
        deck_id = self.deck_id(deck.name)
        report = ImportReport(deck=deck.name, created=deck_id is None)
        existing: dict[str, dict[str, Any]] = {}
        if deck_id is not None:
            report.deck = self.db.execute("SELECT name FROM decks WHERE id = ?", [deck_id]).fetchone()[0]
            for row in self.db.query("SELECT * FROM terms WHERE deck_id = ? ORDER BY position", [deck_id]):
                existing[row["key"]] = row
        next_position = max((r["position"] for r in existing.values()), default=-1) + 1

        inserts: list[tuple[dict[str, Any], str, int]] = []  # (columns, key, position) of each new term
        updates: list[tuple[Any, ...]] = []
        seen: set[str] = set()
        final_names: list[tuple[str, list[str]]] = []  # (term, aliases) after this import, for the clash check
        total = len(deck.terms)
        for index, t in enumerate(deck.terms):
            if progress is not None and index % 500 == 0:
                progress(index // 2, total)
            key = t.key
            seen.add(key)
            old = existing.get(key)
            values, aliases = self._term_values(t, old, mode)
            final_names.append((t.term, aliases))
            if old is None:
                if mode == "replace":
                    position = index
                else:
                    position, next_position = next_position, next_position + 1
                inserts.append((values, key, position))
                report.added.append(t.term)
                continue
            position = index if mode == "replace" else old["position"]
            if any(old[k] != v for k, v in values.items()):
                updates.append((*values.values(), position, stamp, old["id"]))
                report.updated.append(t.term)
            else:
                if position != old["position"]:
                    updates.append((*values.values(), position, old["updated_at"], old["id"]))
                report.unchanged.append(t.term)
        report.missing = [row["term"] for key, row in existing.items() if key not in seen]
        kept = [(row["term"], _json_list(row["aliases"])) for key, row in existing.items() if key not in seen]
        clash = name_clash(final_names + kept)
        if clash is not None:  # an alias naming a term kept from before (or, merged, another's alias)
            raise StoreError(f"deck {report.deck!r}: term {(final_names + kept)[clash[0]][0]!r}: {clash[1]}")
        if dry_run:
            return report

        with self.transaction():
            if deck_id is None:
                deck_id = self.db.execute(
                    "INSERT INTO decks (uuid, name, description, created_at, modified_at) VALUES (?, ?, ?, ?, ?)",
                    [identity.deck_uuid(deck.name), deck.name, deck.description, stamp, stamp],
                ).lastrowid
            elif deck.description or mode == "replace":
                self.db.execute("UPDATE decks SET description = ?, modified_at = ? WHERE id = ?",
                                [deck.description, stamp, deck_id])
            if updates:  # the edit triggers record these
                self.db.conn.executemany(
                    "UPDATE terms SET term = ?, definition = ?, explanation = ?, example = ?, related = ?, "
                    "tags = ?, aliases = ?, relations = ?, cloze = ?, position = ?, updated_at = ? WHERE id = ?",
                    updates,
                )
            recording = self._pause_sync_capture()
            first_term = self.db.execute("SELECT ifnull(max(id), 0) + 1 FROM terms").fetchone()[0]
            first_card = self.db.execute("SELECT ifnull(max(id), 0) + 1 FROM cards").fetchone()[0]
            if inserts:
                deck_uuid = self.db.execute("SELECT uuid FROM decks WHERE id = ?", [deck_id]).fetchone()[0]
                taken = {u for (u,) in self.db.execute("SELECT uuid FROM terms WHERE deck_id = ?", [deck_id])}
                rows = []
                for values, key, position in inserts:
                    uuid = identity.term_uuid(deck_uuid, key)
                    if uuid in taken:  # a term renamed away from this name keeps the id it had
                        uuid = identity.review_uuid()
                    rows.append((*values.values(), key, position, stamp, stamp, deck_id, uuid))
                self.db.conn.executemany(_INSERT_TERM, rows)
            assert deck_id is not None  # inserted above
            report.cards_added = self._sync_cards_and_links(deck_id, stamp)
            if recording:  # the events the paused INSERT triggers would have written, two statements in all
                self._capture_added(first_term, first_card)
        if progress is not None:
            progress(total, total)
        return report

    @staticmethod
    def _term_values(t: Term, old: dict[str, Any] | None, mode: str) -> tuple[dict[str, Any], list[str]]:
        """The ``terms`` columns for ``t`` (lists and relations as JSON) and its aliases as a list;
        ``enrich`` merges into ``old``."""
        explanation, example, cloze = t.explanation, t.example, t.cloze
        related, tags, aliases = list(t.related), list(t.tags), list(t.aliases)
        relations: dict[str, list[str]] = dict(t.relations)
        if old is not None and mode == "enrich":
            explanation = explanation or old["explanation"]
            example = example or old["example"]
            cloze = cloze or old["cloze"]
            related = _merge_names(_json_list(old["related"]), related)
            tags = _merge_names(_json_list(old["tags"]), tags)
            # aliases and typed relations are merged like related
            aliases = _merge_names(_json_list(old["aliases"]), aliases)
            before = _json_relations(old["relations"])
            merged = {k: _merge_names(before.get(k, []), relations.get(k, [])) for k in RELATION_KINDS}
            relations = {k: v for k, v in merged.items() if v}
        columns = {  # in _INSERT_TERM order
            "term": t.term,
            "definition": t.definition,
            "explanation": explanation,
            "example": example,
            "related": _json(related),
            "tags": _json(tags),
            "aliases": _json(aliases),
            "relations": _json(relations),
            "cloze": cloze,
        }
        return columns, aliases

    def _pause_sync_capture(self) -> bool:
        """Pause the sync triggers for this transaction's bulk inserts; False if they were paused already
        (another device's events being applied), when nothing is to be recorded."""
        if self.db.execute("SELECT applying FROM sync_device").fetchone()[0]:
            return False
        self.db.execute("UPDATE sync_device SET applying = 1")
        return True

    def _capture_added(self, first_term: int, first_card: int) -> None:
        """Record the terms and cards added from rowids ``first_term`` / ``first_card`` on as the triggers
        would (the same kinds, entities and payloads; terms before cards), then resume the triggers."""
        self.db.execute("UPDATE sync_device SET applying = 0")
        for kind, where, first in (("term_add", "t.id >= ?", first_term), ("card", "c.id >= ?", first_card)):
            self.db.execute(TICK_SQL)
            self.db.execute(emit_ticked_sql(kind, where), [first])

    def _sync_cards_and_links(self, deck_id: int, stamp: str) -> int:
        """Rebuild the deck's undirected links (related and typed) and make sure every term has its cards."""
        rows = list(self.db.execute(
            "SELECT id, key, related, relations, uuid, cloze FROM terms WHERE deck_id = ?", [deck_id]
        ))
        ids = {key: tid for tid, key, _, _, _, _ in rows}
        term_uuids = {tid: uuid for tid, _, _, _, uuid, _ in rows}
        clozes = {tid: text for tid, _, _, _, _, text in rows if text}
        graph = related_graph(
            (key, [] if rel == "[]" and typed == "{}" else  # most terms link to nothing: skip decoding
             [term_key(r) for r in _json_list(rel) + [n for ns in _json_relations(typed).values() for n in ns]])
            for _, key, rel, typed, _, _ in rows
        )
        self.db.execute(
            "DELETE FROM links WHERE term_id IN (SELECT id FROM terms WHERE deck_id = ?)", [deck_id]
        )
        self.db.conn.executemany(
            "INSERT INTO links (term_id, other_id) VALUES (?, ?)",
            [(ids[a], ids[b]) for a, others in graph.items() for b in others],
        )
        before = self.db.execute(
            "SELECT COUNT(*) FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = ?", [deck_id]
        ).fetchone()[0]
        from mlcards import cloze as cloze_text  # only a deck being written needs it (not ``mlcards decks``)

        card_rows: list[tuple[str, int, str, int | None, str, str]] = []
        for key, tid in ids.items():
            # a cloze term: recall plus one cloze card per deletion index, instead of reverse and related
            cards: list[tuple[CardKind, int | None]] = [(CardKind.RECALL, None)]
            if tid in clozes:
                cards += [(CardKind.CLOZE, n) for n in cloze_text.indexes(clozes[tid])]
            else:
                cards += [(CardKind.REVERSE, None)] + ([(CardKind.RELATED, None)] if graph[key] else [])
            for kind, ordinal in cards:
                card_rows.append(
                    (identity.card_uuid(term_uuids[tid], kind.value, ordinal=ordinal), tid, kind.value, ordinal, stamp,
                     stamp)
                )
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO cards (uuid, term_id, kind, ordinal, created_at, modified_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            card_rows,
        )
        after = self.db.execute(
            "SELECT COUNT(*) FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = ?", [deck_id]
        ).fetchone()[0]
        return int(after - before)

    def export_deck(self, name: str) -> Deck:
        """The deck as a ``Deck`` model, terms in deck order."""
        from mlcards.models import Deck, Term

        deck_id = self.require_deck(name)
        drow = self.db.execute("SELECT name, description FROM decks WHERE id = ?", [deck_id]).fetchone()
        terms = [
            Term(
                term=r["term"],
                definition=r["definition"],
                explanation=r["explanation"],
                example=r["example"],
                related=_json_list(r["related"]),
                tags=_json_list(r["tags"]),
                aliases=_json_list(r["aliases"]),
                cloze=r["cloze"],
                **_json_relations(r["relations"]),
            )
            for r in self.db.query("SELECT * FROM terms WHERE deck_id = ? ORDER BY position, id", [deck_id])
        ]
        return Deck(name=drow[0], description=drow[1], terms=terms)

    def update_term(self, term_id: int, new: Term, *, now: datetime | None = None) -> None:
        """Edit a term's text in place: its cards keep their schedules and history."""
        row = self.db.execute("SELECT deck_id FROM terms WHERE id = ?", [term_id]).fetchone()
        if row is None:
            raise StoreError(f"no term with id {term_id}")
        deck_id = row[0]
        clash = self.db.execute(
            "SELECT term FROM terms WHERE deck_id = ? AND key = ? AND id != ?", [deck_id, new.key, term_id]
        ).fetchone()
        if clash:
            raise StoreError(f"this deck already has a term {clash[0]!r}; choose another name")
        others = [
            (term, _json_list(aliases))
            for term, aliases in self.db.execute(
                "SELECT term, aliases FROM terms WHERE deck_id = ? AND id != ?", [deck_id, term_id]
            ).fetchall()
        ]
        entries = [*others, (new.term, new.aliases)]  # the edited term last: a clash is reported on it
        name_problem = name_clash(entries)
        if name_problem is not None:
            raise StoreError(f"term {entries[name_problem[0]][0]!r}: {name_problem[1]}")
        stamp = _now_text(now)
        values, _aliases = self._term_values(new, None, "replace")
        old_key = self.db.execute("SELECT key FROM terms WHERE id = ?", [term_id]).fetchone()[0]
        with self.transaction():
            self.db.execute(
                "UPDATE terms SET key = ?, term = ?, definition = ?, explanation = ?, example = ?, related = ?, "
                "tags = ?, aliases = ?, relations = ?, cloze = ?, updated_at = ? WHERE id = ?",
                [new.key, *values.values(), stamp, term_id],
            )
            if old_key != new.key:  # a rename: other terms' links (related and typed) follow it
                renamed = []

                def follow(names: list[str]) -> list[str]:
                    return [new.term if term_key(n) == old_key else n for n in names]

                for other_id, related, typed in self.db.execute(
                    "SELECT id, related, relations FROM terms WHERE deck_id = ? AND id != ?", [deck_id, term_id]
                ).fetchall():
                    names, kinds = _json_list(related), _json_relations(typed)
                    if any(term_key(n) == old_key for n in names + [n for ns in kinds.values() for n in ns]):
                        renamed.append((
                            json.dumps(follow(names), ensure_ascii=False),
                            json.dumps({k: follow(v) for k, v in kinds.items()}, ensure_ascii=False),
                            stamp,
                            other_id,
                        ))
                self.db.conn.executemany(
                    "UPDATE terms SET related = ?, relations = ?, updated_at = ? WHERE id = ?", renamed
                )
            self._sync_cards_and_links(deck_id, stamp)

    def term_model(self, term_id: int) -> Term:
        from mlcards.models import Term

        r = self.db.execute(
            "SELECT term, definition, explanation, example, related, tags, aliases, relations, cloze FROM terms "
            "WHERE id = ?",
            [term_id],
        ).fetchone()
        if r is None:
            raise StoreError(f"no term with id {term_id}")
        return Term(term=r[0], definition=r[1], explanation=r[2], example=r[3],
                    related=_json_list(r[4]), tags=_json_list(r[5]),
                    aliases=_json_list(r[6]), cloze=r[8], **_json_relations(r[7]))

    def deck_summaries(self, today: date | None = None) -> list[DeckSummary]:
        """Per deck: terms, cards, suspended and never-studied cards, and today's new / learning / due
        counts as ``mlcards.todayqueue`` defines them (what a review session on that deck queues)."""
        today = today or self.today()
        sql = """
            SELECT d.id, d.name, d.description,
                (SELECT COUNT(*) FROM terms t WHERE t.deck_id = d.id) AS terms,
                COUNT(c.id) AS cards,
                COALESCE(SUM(c.due IS NULL AND c.suspended = 0), 0) AS unseen,
                COALESCE(SUM(c.suspended), 0) AS suspended
            FROM decks d
            LEFT JOIN terms t ON t.deck_id = d.id
            LEFT JOIN cards c ON c.term_id = t.id
            GROUP BY d.id ORDER BY d.id
        """
        source = cast(QueueSource, self)  # the Store this mixin is part of has every query the queue reads
        out = []
        for row in self.db.query(sql):
            counts = todays_queue(source, today, row["id"]).counts
            out.append(DeckSummary(**row, new=counts.new, learning=counts.learning, due=counts.review))
        return out

    def term_neighbours(self, term_id: int) -> list[TermBrief]:
        sql = """SELECT t.id, t.term, t.definition, t.key FROM links l JOIN terms t ON t.id = l.other_id
                 WHERE l.term_id = ? ORDER BY t.position, t.id"""
        return [TermBrief(*r) for r in self.db.execute(sql, [term_id])]

    def term_relations(self, deck_id: int) -> list[tuple[int, int, str]]:
        """Every link written in a deck, with its direction: ``(term_id, other_id, kind)``.

        ``kind`` is ``'related'`` or one of ``RELATION_KINDS``; the edge goes from the term whose entry
        names the other ("Adam" is_a "optimizer": Adam's id first). Decoded from the terms' ``related``
        and ``relations`` columns (links to names that are not terms of the deck are left out), in deck
        order. The ``links`` table holds the same pairs undirected and untyped.
        """
        rows = list(self.db.execute(
            "SELECT id, key, related, relations FROM terms WHERE deck_id = ? ORDER BY position, id", [deck_id]
        ))
        ids = {key: tid for tid, key, _, _ in rows}
        edges = []
        for tid, _key, related, typed in rows:
            # most terms have no typed relations: skip decoding their empty object
            kinds = [("related", _json_list(related))] if typed == "{}" else [
                ("related", _json_list(related)), *_json_relations(typed).items()]
            for kind, names in kinds:
                for name in names:
                    other = ids.get(term_key(name))
                    if other is not None and other != tid:
                        edges.append((tid, other, kind))
        return edges

    def answer_names(self, deck_id: int) -> list[tuple[int, str, tuple[str, ...]]]:
        """``(term_id, term, aliases)`` for every term of a deck: what typed answers are judged against."""
        return [
            (tid, term, tuple(_json_list(aliases)))
            for tid, term, aliases in self.db.execute(
                "SELECT id, term, aliases FROM terms WHERE deck_id = ? ORDER BY position, id", [deck_id]
            )
        ]

    def question_entries(self, deck_id: int) -> list[dict[str, Any]]:
        """Every term of a deck with what multiple-choice questions read (texts, aliases, tags), deck order."""
        sql = """SELECT id, term, definition, key, explanation, example, aliases, tags FROM terms
                 WHERE deck_id = ? ORDER BY position, id"""
        return [
            {"id": r[0], "term": r[1], "definition": r[2], "key": r[3], "explanation": r[4], "example": r[5],
             "aliases": tuple(_json_list(r[6])), "tags": tuple(_json_list(r[7]))}
            for r in self.db.execute(sql, [deck_id])
        ]

    def deck_graph(self, deck_id: int) -> tuple[dict[int, TermBrief], dict[int, set[int]]]:
        """Every term of a deck and the undirected related-term graph over their ids."""
        terms = {
            r[0]: TermBrief(*r)
            for r in self.db.execute(
                "SELECT id, term, definition, key FROM terms WHERE deck_id = ? ORDER BY position, id", [deck_id]
            )
        }
        adj: dict[int, set[int]] = {tid: set() for tid in terms}
        for a, b in self.db.execute(
            "SELECT l.term_id, l.other_id FROM links l JOIN terms t ON t.id = l.term_id WHERE t.deck_id = ?",
            [deck_id],
        ):
            adj[a].add(b)
        return terms, adj

    def term_deck(self, term_id: int) -> str:
        row = self.db.execute(
            "SELECT d.name FROM terms t JOIN decks d ON d.id = t.deck_id WHERE t.id = ?", [term_id]
        ).fetchone()
        if row is None:
            raise StoreError(f"no term with id {term_id}")
        return str(row[0])

    def find_terms(self, query: str, deck_id: int | None = None, limit: int = 50) -> list[TermBrief]:
        """Terms whose name contains ``query`` (case-insensitive), best matches (prefix) first."""
        dsql, dparams = self._deck_filter(deck_id)
        q = query.strip().casefold()
        sql = f"""SELECT t.id, t.term, t.definition, t.key FROM terms t
                  WHERE instr(t.key, ?) > 0{dsql}
                  ORDER BY instr(t.key, ?) != 1, length(t.key), t.key LIMIT ?"""
        return [TermBrief(*r) for r in self.db.execute(sql, [q, *dparams, q, limit])]

