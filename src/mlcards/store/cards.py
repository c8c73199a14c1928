"""Cards: one card with its term, today's queue inputs, browsing, suspending and burying, contrast cards."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mlcards import identity, studyday
from mlcards.errors import StoreError
from mlcards.records import CardInfo, CardKind
from mlcards.schedulers.base import REDRILL_BELOW
from mlcards.schedulers.sm2 import SM2State
from mlcards.store.connection import _date, _json_list, _json_relations
from mlcards.store.layout import KIND_ORDER_SQL
from mlcards.store.rows import BrowseRow, QueueRow, easiness
from mlcards.store.settings import SettingsMixin

if TYPE_CHECKING:
    from mlcards import search as search_syntax

_KIND_KEYS = tuple(part if i == 0 else "ifnull" + part for i, part in enumerate(KIND_ORDER_SQL.split(", ifnull")))
"""``KIND_ORDER_SQL`` as separate sort keys (recall, cloze/reverse, related, contrast; then the cloze ordinal)."""

_STATE_SQL = """CASE WHEN c.leech THEN 'leech' WHEN c.suspended THEN 'suspended'
        WHEN c.buried_until IS NOT NULL AND c.buried_until > :today THEN 'buried'
        WHEN c.due IS NULL THEN 'new' WHEN c.repetitions = 0 THEN 'learning'
        WHEN c.due <= :today THEN 'due' ELSE 'scheduled' END"""
"""The browser's State column: ``records.card_state``'s order, with buried cards (not suspended) shown as such."""

_STATE_RANK_SQL = """CASE WHEN c.leech THEN 6 WHEN c.suspended THEN 5
        WHEN c.buried_until IS NOT NULL AND c.buried_until > :today THEN 4
        WHEN c.due IS NULL THEN 2 WHEN c.repetitions = 0 THEN 1
        WHEN c.due <= :today THEN 0 ELSE 3 END"""
"""Sorting by state: due, learning, new, scheduled, buried, suspended, leech."""


class CardRepo(SettingsMixin):
    """The ``cards`` table, read with its term and deck."""

    _CARD_SQL = """
        SELECT c.*, t.deck_id, d.name AS deck, t.term, t.definition, t.explanation, t.example,
               t.related, t.tags, t.aliases, t.relations, t.cloze,
               (SELECT COUNT(*) FROM reviews r WHERE r.card_id = c.id) AS review_count
        FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id
    """

    @staticmethod
    def _card_info(r: dict[str, Any]) -> CardInfo:
        return CardInfo(
            id=r["id"],
            kind=CardKind(r["kind"]),
            term_id=r["term_id"],
            deck_id=r["deck_id"],
            deck=r["deck"],
            term=r["term"],
            definition=r["definition"],
            explanation=r["explanation"],
            example=r["example"],
            related=tuple(_json_list(r["related"])),
            tags=tuple(_json_list(r["tags"])),
            state=SM2State(
                repetitions=r["repetitions"],
                easiness_centi=r["easiness_centi"],
                interval=r["interval"],
                due=_date(r["due"]),
            ),
            lapses=r["lapses"],
            suspended=bool(r["suspended"]),
            leech=bool(r["leech"]),
            buried_until=_date(r["buried_until"]),
            reviews=r["review_count"],
            pair_term_id=r.get("pair_term_id"),
            aliases=tuple(_json_list(r["aliases"])),
            relations=tuple((k, tuple(v)) for k, v in _json_relations(r["relations"]).items()),
            cloze=r.get("cloze"),
            ordinal=r.get("ordinal"),
        )

    def card(self, card_id: int) -> CardInfo:
        rows = list(self.db.query(self._CARD_SQL + " WHERE c.id = ?", [card_id]))
        if not rows:
            raise StoreError(f"no card with id {card_id}")
        return self._card_info(rows[0])

    def cards_by_id(self, card_ids: list[int]) -> dict[int, CardInfo]:
        """The cards of ``card_ids`` that exist, in one query (a review session reads its queue ahead)."""
        sql = self._CARD_SQL + " WHERE c.id IN (SELECT value FROM json_each(?))"
        return {info.id: info for info in map(self._card_info, self.db.query(sql, [json.dumps(card_ids)]))}

    def cards_of_term(self, term_id: int) -> list[CardInfo]:
        sql = self._CARD_SQL + f" WHERE c.term_id = ? ORDER BY {KIND_ORDER_SQL}"
        return [self._card_info(r) for r in self.db.query(sql, [term_id])]

    # --- browsing: the browser's search, its pages of rows, and its bulk actions ------------------------

    BROWSE_SORTS: dict[str, tuple[str, ...]] = {
        # every sort ends on a unique key, so pages (LIMIT/OFFSET) never overlap or skip a card
        # a term's cards are made in kind order (recall, reverse, related; contrast later), so c.id orders them
        "term": ("t.term COLLATE NOCASE", "c.term_id", "c.id"),
        "card": (*_KIND_KEYS, "c.id"),
        "state": (_STATE_RANK_SQL, "c.id"),
        "due": ("ifnull(c.due, '9999-12-31')", "c.id"),  # never-studied cards after every dated one
        "interval": ("c.interval", "c.id"),
        "easiness": ("c.easiness_centi", "c.id"),
        "lapses": ("c.lapses", "c.id"),
        "tags": ("t.tags", "c.id"),  # the stored list's text: by the first tag
        "deck": ("d.name COLLATE NOCASE", "c.id"),
    }

    _BROWSE_FROM = "FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id"

    @staticmethod
    def _browse_from(*sql: str, terms_first: bool = False) -> str:
        """The joins ``sql`` needs: a card always has its term and deck, so a query reading neither skips them.

        ``terms_first`` reads terms in the outer loop (CROSS JOIN fixes SQLite's join order), so an index on
        ``terms(term COLLATE NOCASE)`` can serve the term sort without a sort of every card.
        """
        text = " ".join(sql)
        decks = " JOIN decks d ON d.id = t.deck_id" if "d." in text else ""
        if terms_first:
            return f"FROM terms t CROSS JOIN cards c ON c.term_id = t.id{decks}"
        if decks or "t." in text:
            return f"FROM cards c JOIN terms t ON t.id = c.term_id{decks}"
        return "FROM cards c"

    def _browse_where(self, today: date, search: search_syntax.Node | str, deck_id: int | None) -> tuple[str, dict[str, Any]]:
        from mlcards import search as search_syntax  # the parser loads with the first search

        node = search_syntax.parse(search) if isinstance(search, str) else search
        params: dict[str, Any] = {"today": today.isoformat()}
        where = _search_sql(node, today, params)
        if deck_id is not None:
            where = f"({where}) AND t.deck_id = :deck"
            params["deck"] = deck_id
        return where, params

    def _browse_order(self, sort: str, descending: bool) -> tuple[str, ...]:
        keys = self.BROWSE_SORTS.get(sort)
        if keys is None:
            raise StoreError(f"unknown sort {sort!r}; use one of {', '.join(self.BROWSE_SORTS)}")
        return keys

    def browse_count(self, today: date, search: search_syntax.Node | str = "", *, deck_id: int | None = None) -> int:
        """How many cards match ``search`` (a ``mlcards.search`` tree, or text to parse)."""
        where, params = self._browse_where(today, search, deck_id)
        # a filter on the term's text is read once per term (a third of the rows), not once per card
        frm = self._browse_from(where, terms_first="t." in where)
        return int(self._browse_query(f"SELECT COUNT(*) {frm} WHERE {where}", params)[0][0])

    def browse_page(
        self,
        today: date,
        search: search_syntax.Node | str = "",
        *,
        sort: str = "term",
        descending: bool = False,
        offset: int = 0,
        limit: int = 100,
        total: int | None = None,
        deck_id: int | None = None,
    ) -> list[BrowseRow]:
        """Rows ``offset`` .. ``offset + limit`` of the matching cards in ``sort`` order.

        Given ``total`` (``browse_count``), a page in the second half is read from the other end (the
        reverse order, a small offset), so the last page costs what the first does.
        """
        keys = self._browse_order(sort, descending)
        where, params = self._browse_where(today, search, deck_id)
        offset, limit = max(0, offset), max(0, limit)
        flip = total is not None and offset > total // 2
        if flip:
            assert total is not None
            end = min(total, offset + limit)
            offset, limit = max(0, total - end), max(0, end - offset)
        direction = "DESC" if descending != flip else "ASC"
        params.update(limit=limit, offset=offset)
        # the page's ids first (the sort touches only its keys), then their rows
        ids = [r[0] for r in self._browse_query(
            # terms outer when the filter reads them, or for the term sort of everything; else SQLite picks
            f"SELECT c.id {self._browse_from(where, *keys, terms_first='t.' in where or (sort == 'term' and where == '1'))} "
            f"WHERE {where} "
            f"ORDER BY {', '.join(f'{k} {direction}' for k in keys)} LIMIT :limit OFFSET :offset",
            params,
        )]
        if flip:
            ids.reverse()
        return self.browse_rows(today, ids)

    def browse_rows(self, today: date, card_ids: list[int]) -> list[BrowseRow]:
        """The browser's rows of ``card_ids``, in that order (ids of deleted cards are left out)."""
        if not card_ids:
            return []
        sql = f"""
            SELECT c.id AS card_id, c.kind, c.repetitions, c.easiness_centi, c.interval, c.due, c.lapses,
                   c.suspended, c.leech, c.buried_until, t.id AS term_id, t.term, t.tags, d.name AS deck,
                   {_STATE_SQL} AS state
            {self._BROWSE_FROM}
            WHERE c.id IN (SELECT value FROM json_each(:ids))"""
        found = {
            r["card_id"]: BrowseRow(
                card_id=r["card_id"], kind=r["kind"], repetitions=r["repetitions"],
                easiness=easiness(r["easiness_centi"]), interval=r["interval"], due=_date(r["due"]),
                lapses=r["lapses"], suspended=bool(r["suspended"]), leech=bool(r["leech"]), term_id=r["term_id"],
                term=r["term"], tags=tuple(_json_list(r["tags"])), deck=r["deck"], state=r["state"],
                buried_until=_date(r["buried_until"]) if r["state"] == "buried" else None,
            )
            for r in self.db.query(sql, {"ids": json.dumps(card_ids), "today": today.isoformat()})
        }
        return [found[i] for i in card_ids if i in found]

    def browse_rank(
        self,
        today: date,
        search: search_syntax.Node | str,
        card_id: int,
        *,
        sort: str = "term",
        descending: bool = False,
        deck_id: int | None = None,
    ) -> int | None:
        """Where ``card_id`` stands (0-based) among the matching cards in ``sort`` order; None if it does not match."""
        keys = self._browse_order(sort, descending)
        where, params = self._browse_where(today, search, deck_id)
        params["me"] = card_id
        mine = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
        before = "<" if not descending else ">"
        sql = f"""
            WITH me AS (SELECT {mine} {self._BROWSE_FROM} WHERE c.id = :me AND ({where}))
            SELECT (SELECT COUNT(*) {self._BROWSE_FROM}, me
                    WHERE ({where}) AND ({', '.join(keys)}) {before} ({', '.join(f'me.k{i}' for i in range(len(keys)))}))
            FROM me"""
        rows = self._browse_query(sql, params)
        return int(rows[0][0]) if rows else None

    def browse_ids(self, today: date, search: search_syntax.Node | str = "", *, deck_id: int | None = None) -> list[int]:
        """Every matching card's id (no order): what "mark all" marks."""
        where, params = self._browse_where(today, search, deck_id)
        frm = self._browse_from(where, terms_first="t." in where)
        return [r[0] for r in self._browse_query(f"SELECT c.id {frm} WHERE {where}", params)]

    def _browse_query(self, sql: str, params: dict[str, Any]) -> list[Any]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as e:  # a search too big for SQLite (thousands of words, huge patterns)
            if not any(word in str(e) for word in ("too complex", "too large", "too many", "depth")):
                raise
            from mlcards.search import SearchError

            raise SearchError(f"this search is too large to run ({e})") from None

    def browse(
        self,
        today: date,
        query: search_syntax.Node | str = "",
        *,
        deck_id: int | None = None,
        sort: str = "term",
        descending: bool = False,
        limit: int = 2000,
    ) -> list[BrowseRow]:
        """The first ``limit`` matching cards with their term and state (``mlcards.search`` syntax)."""
        return self.browse_page(today, query, sort=sort, descending=descending, limit=limit, deck_id=deck_id)

    def terms_of_cards(self, card_ids: list[int]) -> list[int]:
        """The distinct terms (notes) ``card_ids`` belong to, in id order."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT term_id FROM cards WHERE id IN (SELECT value FROM json_each(?)) ORDER BY term_id",
            [json.dumps(card_ids)],
        )]

    def set_suspended_many(self, card_ids: list[int], suspended: bool) -> int:
        """Suspend (or unsuspend) every card of ``card_ids`` in one transaction; how many changed."""
        with self.transaction():
            cur = self.db.execute(
                "UPDATE cards SET suspended = ?, modified_at = ? WHERE id IN (SELECT value FROM json_each(?)) "
                "AND suspended != ?",
                [int(suspended), studyday.to_utc_text(studyday.now()), json.dumps(card_ids), int(suspended)],
            )
            return int(cur.rowcount)

    def bury_many(self, card_ids: list[int], today: date) -> int:
        """Bury every card of ``card_ids`` until the next study day, in one transaction; how many changed."""
        until = (today + timedelta(days=1)).isoformat()
        with self.transaction():
            cur = self.db.execute(
                "UPDATE cards SET buried_until = ?, modified_at = ? WHERE id IN (SELECT value FROM json_each(?)) "
                "AND (buried_until IS NULL OR buried_until < ?)",
                [until, studyday.to_utc_text(studyday.now()), json.dumps(card_ids), until],
            )
            return int(cur.rowcount)

    def unbury_many(self, card_ids: list[int]) -> int:
        """Bring every buried card of ``card_ids`` back today, in one transaction; how many changed."""
        with self.transaction():
            cur = self.db.execute(
                "UPDATE cards SET buried_until = NULL, modified_at = ? WHERE id IN (SELECT value FROM json_each(?)) "
                "AND buried_until IS NOT NULL",
                [studyday.to_utc_text(studyday.now()), json.dumps(card_ids)],
            )
            return int(cur.rowcount)

    def toggle_suspended(self, card_ids: list[int]) -> tuple[bool, int]:
        """Suspend every card of ``card_ids``, or unsuspend them all if all are suspended, in one transaction.

        Returns (suspended, how many changed).
        """
        with self.transaction():
            awake = self.db.execute(
                "SELECT COUNT(*) FROM cards WHERE id IN (SELECT value FROM json_each(?)) AND suspended = 0",
                [json.dumps(card_ids)],
            ).fetchone()[0]
            suspend = bool(awake)
            return suspend, self.set_suspended_many(card_ids, suspend)

    def toggle_buried(self, card_ids: list[int], today: date) -> tuple[bool, int]:
        """Bury every card of ``card_ids`` until tomorrow, or unbury them all if all are buried (one transaction).

        Returns (buried, how many changed).
        """
        with self.transaction():
            unburied = self.db.execute(
                "SELECT COUNT(*) FROM cards WHERE id IN (SELECT value FROM json_each(?)) "
                "AND (buried_until IS NULL OR buried_until <= ?)",
                [json.dumps(card_ids), today.isoformat()],
            ).fetchone()[0]
            if unburied:
                return True, self.bury_many(card_ids, today)
            return False, self.unbury_many(card_ids)

    def add_tag(self, card_ids: list[int], tag: str, now: datetime) -> int:
        """Give the terms of ``card_ids`` the tag ``tag`` (kept once, any case), in one transaction; terms changed."""
        tag = tag.strip()
        if not tag or any(ch.isspace() for ch in tag):
            raise StoreError(f"a tag is one word without spaces, not {tag!r}")
        stamp = studyday.to_utc_text(now)
        with self.transaction():
            rows = self.db.execute(
                "SELECT id, tags FROM terms WHERE id IN (SELECT DISTINCT term_id FROM cards "
                "WHERE id IN (SELECT value FROM json_each(?)))",
                [json.dumps(card_ids)],
            ).fetchall()
            changed = [
                (json.dumps([*tags, tag], ensure_ascii=False), stamp, term)
                for term, tags in ((r[0], _json_list(r[1])) for r in rows)
                if tag.casefold() not in (t.casefold() for t in tags)
            ]
            self.db.conn.executemany("UPDATE terms SET tags = ?, updated_at = ? WHERE id = ?", changed)
        return len(changed)

    def related_card(self, term_id: int) -> int | None:
        row = self.db.execute("SELECT id FROM cards WHERE term_id = ? AND kind = 'related'", [term_id]).fetchone()
        return row[0] if row else None

    def set_suspended(self, card_id: int, suspended: bool) -> None:
        with self.transaction():
            self.db.execute("UPDATE cards SET suspended = ?, modified_at = ? WHERE id = ?",
                            [int(suspended), studyday.to_utc_text(studyday.now()), card_id])

    def bury(self, card_id: int, today: date) -> None:
        """Hide a card until the next study day."""
        with self.transaction():
            self.db.execute(
                "UPDATE cards SET buried_until = ?, modified_at = ? WHERE id = ?",
                [(today + timedelta(days=1)).isoformat(), studyday.to_utc_text(studyday.now()), card_id],
            )

    def unbury(self, card_id: int) -> None:
        """Bring a buried card back today."""
        with self.transaction():
            self.db.execute("UPDATE cards SET buried_until = NULL, modified_at = ? WHERE id = ?",
                            [studyday.to_utc_text(studyday.now()), card_id])

    def set_buried_until(self, card_id: int, until: date | None) -> None:
        """Restore a card's ``buried_until`` as it was (undo of a bury or unbury)."""
        with self.transaction():
            self.db.execute("UPDATE cards SET buried_until = ?, modified_at = ? WHERE id = ?",
                            [until.isoformat() if until else None, studyday.to_utc_text(studyday.now()), card_id])

    def add_contrast_card(self, a: int, b: int, now: datetime) -> None:
        """Give the pair of terms (a, b) a contrast card (once: the pair is its identity)."""
        low, high = min(a, b), max(a, b)
        uuids = dict(self.db.execute("SELECT id, uuid FROM terms WHERE id IN (?, ?)", [low, high]).fetchall())
        stamp = studyday.to_utc_text(now)
        self.db.execute(
            "INSERT OR IGNORE INTO cards (uuid, term_id, kind, pair_term_id, created_at, modified_at) "
            "VALUES (?, ?, 'contrast', ?, ?, ?)",
            [identity.card_uuid(uuids[low], "contrast", uuids[high]), low, high, stamp, stamp],
        )

    def contrast_cards(self, deck_id: int | None = None) -> list[CardInfo]:
        """Every contrast card (of one deck), oldest first."""
        dsql, dparams = self._deck_filter(deck_id)
        sql = self._CARD_SQL + f" WHERE c.kind = 'contrast'{dsql} ORDER BY c.id"
        return [self._card_info(r) for r in self.db.query(sql, dparams)]

    def _candidates(self, where: str, order: str, today: date, deck_id: int | None, limit: int) -> list[QueueRow]:
        dsql, dparams = self._deck_filter(deck_id)
        day = today.isoformat()
        sql = f"""
            SELECT c.id, c.term_id, c.kind, c.due, t.deck_id FROM cards c JOIN terms t ON t.id = c.term_id
            WHERE {where} AND c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= ?)
              AND c.term_id NOT IN (SELECT c2.term_id FROM reviews r JOIN cards c2 ON c2.id = r.card_id
                                    WHERE r.study_day = ?){dsql}
            ORDER BY {order} LIMIT ?"""
        params = ([day] if "?" in where else []) + [day, day, *dparams, limit]
        return [QueueRow(r[0], r[1], r[2], _date(r[3]), r[4]) for r in self.db.execute(sql, params)]

    def due_candidates(self, today: date, deck_id: int | None = None, limit: int = 1000) -> list[QueueRow]:
        """Studied cards due today or earlier (most overdue first), terms not yet answered today."""
        return self._candidates(
            "c.due IS NOT NULL AND c.due <= ?", f"c.due, t.deck_id, t.position, {KIND_ORDER_SQL}", today, deck_id, limit
        )

    def new_candidates(self, today: date, deck_id: int | None = None, limit: int = 1000) -> list[QueueRow]:
        """Never-studied cards in deck order, terms not yet answered today."""
        return self._candidates("c.due IS NULL", f"t.deck_id, t.position, {KIND_ORDER_SQL}", today, deck_id, limit)

    def redrill_cards(self, today: date, deck_id: int | None = None) -> list[int]:
        """Cards whose latest answer today (by moment: rows from another machine arrive later) was below 4:
        SM-2 repeats them until they reach 4."""
        dsql, dparams = self._deck_filter(deck_id)
        sql = f"""
            SELECT r.card_id FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id
            WHERE r.id IN (SELECT id FROM (SELECT id, MAX(reviewed_at) FROM reviews WHERE study_day = ? GROUP BY card_id))
              AND r.grade < {REDRILL_BELOW} AND c.suspended = 0{dsql}
            ORDER BY r.id"""
        return [r[0] for r in self.db.execute(sql, [today.isoformat(), *dparams])]

    def done_today_by_deck(self, today: date) -> dict[int, tuple[int, int]]:
        """deck id -> (new cards introduced, cards reviewed) today, for per-deck limits."""
        rows = self.db.execute(
            """SELECT t.deck_id, COUNT(DISTINCT CASE WHEN r.kind = 'new' THEN r.card_id END),
                      COUNT(DISTINCT CASE WHEN r.kind = 'review' THEN r.card_id END)
               FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id
               WHERE r.study_day = ? GROUP BY t.deck_id""",
            [today.isoformat()],
        )
        return {deck: (new, rev) for deck, new, rev in rows}

    def done_today(self, today: date) -> tuple[int, int]:
        """Distinct cards introduced (new) and reviewed today: what counts against the daily limits."""
        row = self.db.execute(
            """SELECT COUNT(DISTINCT CASE WHEN kind = 'new' THEN card_id END),
                      COUNT(DISTINCT CASE WHEN kind = 'review' THEN card_id END)
               FROM reviews WHERE study_day = ?""",
            [today.isoformat()],
        ).fetchone()
        return row[0], row[1]


# --- the browser's search, as SQL (the tree comes from mlcards.search; user text only ever as parameters) ---

_NOT_BURIED = "(c.buried_until IS NULL OR c.buried_until <= :today)"
_IS_SQL = {
    "new": "c.due IS NULL",
    "learn": "(c.due IS NOT NULL AND c.repetitions = 0)",
    "review": "(c.due IS NOT NULL AND c.repetitions > 0)",
    "due": f"(c.due IS NOT NULL AND c.due <= :today AND c.suspended = 0 AND {_NOT_BURIED})",
    "suspended": "c.suspended != 0",
    "buried": "(c.buried_until IS NOT NULL AND c.buried_until > :today)",
    "leech": "c.leech != 0",
}
_PROP_COLUMN = {"ivl": "c.interval", "ease": "c.easiness_centi", "lapses": "c.lapses", "reps": "c.repetitions",
                "due": "c.due"}
_STUDIED_ONLY = frozenset({"ivl", "ease", "due"})
_TEXT_COLUMNS = ("t.term", "t.definition", "ifnull(t.explanation, '')", "t.tags")


def _like(text: str, *, contains: bool) -> str:
    """A LIKE pattern (ESCAPE '\\') for ``text`` where ``*`` matches anything."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")
    return f"%{escaped}%" if contains else escaped


def _day(today: date, days: int) -> str:
    try:
        return (today + timedelta(days=days)).isoformat()
    except OverflowError:
        return "0000-01-01" if days < 0 else "9999-12-31"


def _search_sql(node: search_syntax.Node, today: date, params: dict[str, Any]) -> str:
    """A WHERE condition for ``node`` that is never NULL (so ``NOT`` is exact); values go into ``params``."""
    from mlcards import search as search_syntax

    def bind(value: object) -> str:
        name = f"s{len(params)}"
        params[name] = value
        return ":" + name

    if isinstance(node, search_syntax.And):
        return "(" + " AND ".join(_search_sql(n, today, params) for n in node.nodes) + ")" if node.nodes else "1"
    if isinstance(node, search_syntax.Or):
        return "(" + " OR ".join(_search_sql(n, today, params) for n in node.nodes) + ")" if node.nodes else "0"
    if isinstance(node, search_syntax.Not):
        return f"NOT {_search_sql(node.node, today, params)}"
    if isinstance(node, search_syntax.Text):
        p = bind(_like(node.text, contains=True))
        return "(" + " OR ".join(f"{col} LIKE {p} ESCAPE '\\'" for col in _TEXT_COLUMNS) + ")"
    if isinstance(node, search_syntax.DeckIs):
        p, child = bind(_like(node.pattern, contains=False)), bind(_like(node.pattern, contains=False) + "::%")
        return f"(d.name LIKE {p} ESCAPE '\\' OR d.name LIKE {child} ESCAPE '\\')"
    if isinstance(node, search_syntax.TagIs):
        if node.pattern is None:
            return "(t.tags = '[]')"
        p, child = bind(_like(node.pattern, contains=False)), bind(_like(node.pattern, contains=False) + "::%")
        # a cheap necessary test first (the tag's text is in the stored list's text), unless JSON escapes it
        plain_text = not any(ch in node.pattern for ch in '"\\') and node.pattern.isprintable()
        quick = f"t.tags LIKE {bind(_like(node.pattern, contains=True))} ESCAPE '\\' AND " if plain_text else ""
        return (f"({quick}EXISTS (SELECT 1 FROM json_each(t.tags) tag WHERE tag.value LIKE {p} ESCAPE '\\' "
                f"OR tag.value LIKE {child} ESCAPE '\\'))")
    if isinstance(node, search_syntax.CardIs):
        return f"(c.kind LIKE {bind(_like(node.pattern, contains=False))} ESCAPE '\\')"
    if isinstance(node, search_syntax.StateIs):
        return _IS_SQL[node.state]
    if isinstance(node, search_syntax.Prop):
        op = node.op
        if op not in search_syntax.OPERATORS:
            raise search_syntax.SearchError(f"unknown comparison {op!r}")
        value: object
        if node.name == "due":
            value = _day(today, int(node.value))
        elif node.name == "ease":
            centi = node.value * 100
            value = int(centi) if centi == centi.to_integral_value() else float(centi)
        else:
            value = int(node.value)
        test = f"{_PROP_COLUMN[node.name]} {op} {bind(value)}"
        return f"(c.due IS NOT NULL AND {test})" if node.name in _STUDIED_ONLY else f"({test})"
    raise TypeError(f"not a search node: {node!r}")
