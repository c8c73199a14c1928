"""The schema: sqlite-utils ``Migrations`` 0001-0010, and the SQL shared by several repositories."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from mlcards.errors import StoreError
from mlcards.store.layout import KIND_ORDER_SQL, MIGRATION_NAMES, MIGRATION_SET

__all__ = ["KIND_ORDER_SQL", "MIGRATION_NAMES", "migrations"]

migrations = Migrations(MIGRATION_SET)

@migrations(name="0001_initial")
def _m0001_initial(db: Database) -> None:
    statements = [
        """CREATE TABLE decks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE terms (
            id INTEGER PRIMARY KEY,
            deck_id INTEGER NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            term TEXT NOT NULL,
            definition TEXT NOT NULL,
            explanation TEXT,
            example TEXT,
            related TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            position INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (deck_id, key)
        )""",
        "CREATE INDEX terms_deck_position ON terms(deck_id, position)",
        """CREATE TABLE links (
            term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
            other_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
            PRIMARY KEY (term_id, other_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE cards (
            id INTEGER PRIMARY KEY,
            term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('recall', 'reverse', 'related')),
            repetitions INTEGER NOT NULL DEFAULT 0,
            easiness_centi INTEGER NOT NULL DEFAULT 250,
            interval INTEGER NOT NULL DEFAULT 0,
            due TEXT,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            leech INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (term_id, kind)
        )""",
        "CREATE INDEX cards_due ON cards(due)",
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
            reviewed_at TEXT NOT NULL,
            utc_offset_min INTEGER NOT NULL,
            study_day TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
            kind TEXT NOT NULL CHECK (kind IN ('new', 'review', 'redrill')),
            reps_before INTEGER NOT NULL,
            reps_after INTEGER NOT NULL,
            ease_before INTEGER NOT NULL,
            ease_after INTEGER NOT NULL,
            interval_before INTEGER NOT NULL,
            interval_after INTEGER NOT NULL,
            due_before TEXT,
            due_after TEXT,
            lapse INTEGER NOT NULL DEFAULT 0,
            leeched INTEGER NOT NULL DEFAULT 0,
            duration_ms INTEGER,
            source TEXT NOT NULL DEFAULT 'review'
        )""",
        "CREATE INDEX reviews_day ON reviews(study_day)",
        "CREATE INDEX reviews_card ON reviews(card_id, id)",
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ]
    for sql in statements:
        db.execute(sql)


@migrations(name="0002_stats_indexes")
def _m0002_stats_indexes(db: Database) -> None:
    """Covering indexes for ``mlcards.stats`` (each checked with EXPLAIN QUERY PLAN).

    None leads with a low-cardinality flag such as ``suspended``: without ANALYZE statistics SQLite
    would take an equality on it as selective and prefer it over ``cards_due`` for the queue.
    """
    statements = [
        # retention (kind = 'review' over a day range), related-concept accuracy, deck-filtered day counts
        "CREATE INDEX reviews_kind_day ON reviews(kind, study_day, grade, interval_before, card_id)",
        # card states per deck (terms -> cards by term_id) and every deck-filtered card figure
        "CREATE INDEX cards_term_stats ON cards(term_id, suspended, due, repetitions, interval, easiness_centi,"
        " leech, lapses)",
        # the forecast (due range, suspended checked in the index); also serves the queue's due/new lookups
        "CREATE INDEX cards_due_stats ON cards(due, suspended, term_id)",
        # easiness and interval histograms: one ordered pass, no sorting
        "CREATE INDEX cards_ease_interval ON cards(easiness_centi, interval, suspended, due, term_id)",
        # the hardest terms: only lapsed cards
        "CREATE INDEX cards_lapsed ON cards(term_id, lapses) WHERE lapses > 0",
    ]
    for sql in statements:
        db.execute(sql)


@migrations(name="0003_stats_card_day_index")
def _m0003_stats_card_day_index(db: Database) -> None:
    """Per card, its answers by study day (covering kind and grade) for ``mlcards.stats``: a deck's
    answers per day and the related-concept accuracy read one index range per card, without sorting.
    Also answers ``Store.answer``'s "already answered today?" check from the index alone."""
    db.execute("CREATE INDEX reviews_card_day ON reviews(card_id, study_day, kind, grade)")


@migrations(name="0004_aliases_relations")
def _m0004_aliases_relations(db: Database) -> None:
    """Per term, its aliases and its typed relations.

    ``aliases`` is a JSON list of names; ``relations`` a JSON object, kind -> list of term names
    (kinds from ``records.RELATION_KINDS``, empty kinds left out), written as in the deck file, so
    each edge keeps its direction. ``Store.term_relations`` decodes them into (term, other, kind)
    edges; the ``links`` table stays the undirected union of ``related`` and every typed relation
    (what related-concept questions use), rebuilt on each import or edit.
    """
    db.execute("ALTER TABLE terms ADD COLUMN aliases TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE terms ADD COLUMN relations TEXT NOT NULL DEFAULT '{}'")


@migrations(name="0005_mc_choice")
def _m0005_mc_choice(db: Database) -> None:
    """Multiple-choice answers record the option picked; a pair confused twice gets a contrast card.

    - ``reviews.chosen_term_id``: the term of the option chosen on a multiple-choice card (NULL for
      other cards, or when no option was chosen); ``reviews.key_term_id``: the right option's term when
      the question asked to identify a term (describe, example, contrast), so a different chosen term
      is a confusion of the two.
    - ``cards.pair_term_id`` and the card kind ``'contrast'``: a card for a pair of terms (the card's
      term and the pair term), scheduled like any card.

    SQLite cannot change a CHECK constraint in place, so ``cards`` is rebuilt. With foreign keys on,
    dropping the old table would first delete its rows and cascade into ``reviews``, so ``reviews`` is
    rebuilt first, pointing at the new table; the indexes of both are recreated from their own SQL.
    """
    others = [
        name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('cards', 'reviews') "
            "AND sql LIKE '%REFERENCES cards%'"
        )
    ]
    if others:  # a table this migration does not know would lose its rows to the cascade
        raise StoreError(f"cannot rebuild the cards table: {', '.join(others)} refer to it")
    indexes = [
        sql for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cards', 'reviews') AND sql IS NOT NULL"
        )
    ]
    card_cols = ", ".join(r[1] for r in db.execute("PRAGMA table_info(cards)"))
    review_cols = ", ".join(r[1] for r in db.execute("PRAGMA table_info(reviews)"))
    db.execute("""CREATE TABLE cards_new (
            id INTEGER PRIMARY KEY,
            term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('recall', 'reverse', 'related', 'contrast')),
            repetitions INTEGER NOT NULL DEFAULT 0,
            easiness_centi INTEGER NOT NULL DEFAULT 250,
            interval INTEGER NOT NULL DEFAULT 0,
            due TEXT,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            leech INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,
            created_at TEXT NOT NULL,
            pair_term_id INTEGER REFERENCES terms(id) ON DELETE CASCADE,
            CHECK ((kind = 'contrast') = (pair_term_id IS NOT NULL))
        )""")
    db.execute(f"INSERT INTO cards_new ({card_cols}) SELECT {card_cols} FROM cards")
    db.execute("""CREATE TABLE reviews_new (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards_new(id) ON DELETE CASCADE,
            reviewed_at TEXT NOT NULL,
            utc_offset_min INTEGER NOT NULL,
            study_day TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
            kind TEXT NOT NULL CHECK (kind IN ('new', 'review', 'redrill')),
            reps_before INTEGER NOT NULL,
            reps_after INTEGER NOT NULL,
            ease_before INTEGER NOT NULL,
            ease_after INTEGER NOT NULL,
            interval_before INTEGER NOT NULL,
            interval_after INTEGER NOT NULL,
            due_before TEXT,
            due_after TEXT,
            lapse INTEGER NOT NULL DEFAULT 0,
            leeched INTEGER NOT NULL DEFAULT 0,
            duration_ms INTEGER,
            source TEXT NOT NULL DEFAULT 'review',
            chosen_term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL,
            key_term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL
        )""")
    db.execute(f"INSERT INTO reviews_new ({review_cols}) SELECT {review_cols} FROM reviews")
    db.execute("DROP TABLE reviews")
    db.execute("DROP TABLE cards")  # nothing refers to it any more: no cascade
    db.execute("ALTER TABLE cards_new RENAME TO cards")  # reviews_new's reference follows the rename
    db.execute("ALTER TABLE reviews_new RENAME TO reviews")
    for sql in indexes:
        db.execute(sql)
    # a card's identity: term + kind (+ the pair term for a contrast card); INSERT OR IGNORE relies on it
    db.execute("CREATE UNIQUE INDEX cards_identity ON cards(term_id, kind, ifnull(pair_term_id, 0))")
    db.execute("CREATE INDEX reviews_confusion ON reviews(key_term_id, chosen_term_id) WHERE chosen_term_id IS NOT NULL")


@migrations(name="0006_log_is_the_truth")
def _m0006_log_is_the_truth(db: Database) -> None:
    """Stable ids, modification stamps, a per-deck scheduler, undo as a tombstone, schedule snapshots.

    - ``decks``, ``terms`` and ``cards`` get deterministic UUIDs (``mlcards.identity``); ``decks`` and
      ``cards`` a ``modified_at`` stamp (``terms.updated_at`` already is one), ``settings`` too.
    - ``decks.scheduler`` names the deck's scheduler (``sm2``).
    - The log table becomes ``review_log``: every answer ever given, each with a UUID, and
      ``undone_at`` set when it is taken back (never deleted). ``reviews`` is now a view of the rows
      that count (not undone), so every reader sees the live log; its indexes are partial on
      ``undone_at IS NULL``, which the view's condition lets SQLite use.
    - ``card_snapshots``: a starting state for a card whose cached schedule is not the fold of its
      log (a card that arrived with a schedule); the fold then replays only the rows after it.
    """
    from mlcards import identity

    db.conn.create_function("mlcards_review_uuid", 0, identity.review_uuid)
    statements = [
        "ALTER TABLE decks ADD COLUMN uuid TEXT",
        "ALTER TABLE decks ADD COLUMN scheduler TEXT NOT NULL DEFAULT 'sm2'",
        "ALTER TABLE decks ADD COLUMN modified_at TEXT",
        "ALTER TABLE terms ADD COLUMN uuid TEXT",
        "ALTER TABLE cards ADD COLUMN uuid TEXT",
        "ALTER TABLE cards ADD COLUMN modified_at TEXT",
        "ALTER TABLE settings ADD COLUMN modified_at TEXT",
    ]
    for sql in statements:
        db.execute(sql)
    decks = {}
    for deck_id, name, created in db.execute("SELECT id, name, created_at FROM decks").fetchall():
        decks[deck_id] = identity.deck_uuid(name)
        db.execute("UPDATE decks SET uuid = ?, modified_at = ? WHERE id = ?", [decks[deck_id], created, deck_id])
    terms = {}
    for term_id, deck_id, key in db.execute("SELECT id, deck_id, key FROM terms").fetchall():
        terms[term_id] = identity.term_uuid(decks[deck_id], key)
    db.conn.executemany("UPDATE terms SET uuid = ? WHERE id = ?", [(u, i) for i, u in terms.items()])
    db.conn.executemany(
        "UPDATE cards SET uuid = ?, modified_at = created_at WHERE id = ?",
        [
            (identity.card_uuid(terms[term_id], kind, terms[pair] if pair is not None else None), card_id)
            for card_id, term_id, kind, pair in db.execute("SELECT id, term_id, kind, pair_term_id FROM cards")
        ],
    )
    db.execute("CREATE UNIQUE INDEX decks_uuid ON decks(uuid)")
    db.execute("CREATE UNIQUE INDEX terms_uuid ON terms(uuid)")
    db.execute("CREATE UNIQUE INDEX cards_uuid ON cards(uuid)")

    indexes = [
        (name, sql) for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews' AND sql IS NOT NULL"
        ).fetchall()
    ]
    db.execute("ALTER TABLE reviews RENAME TO review_log")
    db.execute("ALTER TABLE review_log ADD COLUMN uuid TEXT")
    db.execute("ALTER TABLE review_log ADD COLUMN undone_at TEXT")
    db.execute("UPDATE review_log SET uuid = mlcards_review_uuid()")
    for name, sql in indexes:  # the same indexes, over the live rows only
        db.execute(f"DROP INDEX {name}")
        head, _, rest = sql.partition("(")
        columns, _, where = rest.partition(")")
        head = head.replace(" ON reviews", " ON review_log")
        # undone_at in the columns keeps covering indexes covering: SQLite checks the view's condition there
        where = f"{where.strip()} AND undone_at IS NULL" if where.strip() else "WHERE undone_at IS NULL"
        db.execute(f"{head}({columns}, undone_at) {where}")
    db.execute("CREATE UNIQUE INDEX review_log_uuid ON review_log(uuid)")
    db.execute("CREATE VIEW reviews AS SELECT * FROM review_log WHERE undone_at IS NULL")
    db.execute("""CREATE TABLE card_snapshots (
            card_id INTEGER PRIMARY KEY REFERENCES cards(id) ON DELETE CASCADE,
            repetitions INTEGER NOT NULL,
            easiness_centi INTEGER NOT NULL,
            interval INTEGER NOT NULL,
            due TEXT,
            lapses INTEGER NOT NULL,
            leech INTEGER NOT NULL,
            after_review_id INTEGER NOT NULL DEFAULT 0,
            taken_at TEXT NOT NULL
        )""")
    _snapshot_cards_the_log_does_not_explain(db)


def _snapshot_cards_the_log_does_not_explain(db: Database) -> None:
    """Cards whose cached schedule is not the fold of their log get a snapshot, so the fold matches."""
    from collections import defaultdict
    from datetime import date, datetime, timezone

    from mlcards.schedulers import get
    from mlcards.schedulers.fold import CardSchedule, LogEntry, replay
    from mlcards.schedulers.sm2 import SM2State

    sm2 = get("sm2")
    entries: dict[int, list[LogEntry]] = defaultdict(list)
    last: dict[int, int] = {}
    for rid, card_id, grade, day, source, leeched in db.execute(
        "SELECT id, card_id, grade, study_day, source, leeched FROM reviews ORDER BY card_id, id"
    ):
        entries[card_id].append(LogEntry(grade, date.fromisoformat(day), source, bool(leeched)))
        last[card_id] = rid
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    snapshots = []
    for card_id, reps, ease, interval, due, lapses, leech in db.execute(
        "SELECT id, repetitions, easiness_centi, interval, due, lapses, leech FROM cards"
    ):
        cached = CardSchedule(
            SM2State(repetitions=reps, easiness_centi=ease, interval=interval,
                     due=date.fromisoformat(due) if due else None),
            lapses, bool(leech),
        )
        if replay(sm2, entries.get(card_id, [])) != cached:
            snapshots.append((card_id, reps, ease, interval, due, lapses, leech, last.get(card_id, 0), stamp))
    db.conn.executemany(
        "INSERT INTO card_snapshots (card_id, repetitions, easiness_centi, interval, due, lapses, leech, "
        "after_review_id, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        snapshots,
    )


@migrations(name="0007_cloze")
def _m0007_cloze(db: Database) -> None:
    """Cloze terms and their cards.

    - ``terms.cloze``: an Anki cloze note's text (``{{c1::answer}}``), NULL for other terms.
    - The card kind ``'cloze'`` and ``cards.ordinal``, the deletion index a cloze card asks about (NULL
      for every other kind); a card's identity (``cards_identity``) includes it.

    SQLite cannot change a CHECK constraint in place, so ``cards`` is rebuilt as 0005 did. Two tables
    refer to it now, ``review_log`` and ``card_snapshots``: with foreign keys on, dropping the old
    ``cards`` would delete their rows by cascade, so both are rebuilt first, pointing at the new table.
    The ``reviews`` view (over ``review_log``) is dropped while the tables are renamed and recreated
    from its own SQL, like every index of the three tables.
    """
    known = ("cards", "review_log", "card_snapshots")
    others = [
        name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN (?, ?, ?) "
            "AND sql LIKE '%REFERENCES cards%'",
            known,
        )
    ]
    if others:  # a table this migration does not know would lose its rows to the cascade
        raise StoreError(f"cannot rebuild the cards table: {', '.join(others)} refer to it")
    indexes = [
        (name, sql) for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (?, ?, ?) AND sql IS NOT NULL",
            known,
        ).fetchall()
    ]
    views = [sql for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'view'").fetchall()]
    triggers = [sql for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'").fetchall()]

    def columns(table: str) -> str:
        return ", ".join(r[1] for r in db.execute(f"PRAGMA table_info({table})"))

    card_cols, log_cols, snapshot_cols = columns("cards"), columns("review_log"), columns("card_snapshots")
    db.execute("""CREATE TABLE cards_new (
            id INTEGER PRIMARY KEY,
            term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('recall', 'reverse', 'related', 'contrast', 'cloze')),
            repetitions INTEGER NOT NULL DEFAULT 0,
            easiness_centi INTEGER NOT NULL DEFAULT 250,
            interval INTEGER NOT NULL DEFAULT 0,
            due TEXT,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            leech INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,
            created_at TEXT NOT NULL,
            pair_term_id INTEGER REFERENCES terms(id) ON DELETE CASCADE,
            uuid TEXT,
            modified_at TEXT,
            ordinal INTEGER,
            CHECK ((kind = 'contrast') = (pair_term_id IS NOT NULL)),
            CHECK ((kind = 'cloze') = (ordinal IS NOT NULL))
        )""")
    db.execute(f"INSERT INTO cards_new ({card_cols}) SELECT {card_cols} FROM cards")
    db.execute("""CREATE TABLE review_log_new (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards_new(id) ON DELETE CASCADE,
            reviewed_at TEXT NOT NULL,
            utc_offset_min INTEGER NOT NULL,
            study_day TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
            kind TEXT NOT NULL CHECK (kind IN ('new', 'review', 'redrill')),
            reps_before INTEGER NOT NULL,
            reps_after INTEGER NOT NULL,
            ease_before INTEGER NOT NULL,
            ease_after INTEGER NOT NULL,
            interval_before INTEGER NOT NULL,
            interval_after INTEGER NOT NULL,
            due_before TEXT,
            due_after TEXT,
            lapse INTEGER NOT NULL DEFAULT 0,
            leeched INTEGER NOT NULL DEFAULT 0,
            duration_ms INTEGER,
            source TEXT NOT NULL DEFAULT 'review',
            chosen_term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL,
            key_term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL,
            uuid TEXT,
            undone_at TEXT
        )""")
    db.execute(f"INSERT INTO review_log_new ({log_cols}) SELECT {log_cols} FROM review_log")
    db.execute("""CREATE TABLE card_snapshots_new (
            card_id INTEGER PRIMARY KEY REFERENCES cards_new(id) ON DELETE CASCADE,
            repetitions INTEGER NOT NULL,
            easiness_centi INTEGER NOT NULL,
            interval INTEGER NOT NULL,
            due TEXT,
            lapses INTEGER NOT NULL,
            leech INTEGER NOT NULL,
            after_review_id INTEGER NOT NULL DEFAULT 0,
            taken_at TEXT NOT NULL
        )""")
    db.execute(f"INSERT INTO card_snapshots_new ({snapshot_cols}) SELECT {snapshot_cols} FROM card_snapshots")
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('view', 'trigger')").fetchall():
        kind = db.execute("SELECT type FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]
        db.execute(f'DROP {kind.upper()} "{name}"')
    db.execute("DROP TABLE card_snapshots")
    db.execute("DROP TABLE review_log")
    db.execute("DROP TABLE cards")  # nothing refers to it any more: no cascade
    db.execute("ALTER TABLE cards_new RENAME TO cards")  # the new tables' references follow the rename
    db.execute("ALTER TABLE review_log_new RENAME TO review_log")
    db.execute("ALTER TABLE card_snapshots_new RENAME TO card_snapshots")
    for name, sql in indexes:
        if name != "cards_identity":
            db.execute(sql)
    # a card's identity: term + kind (+ the pair term of a contrast card, + a cloze card's index)
    db.execute(
        "CREATE UNIQUE INDEX cards_identity ON cards(term_id, kind, ifnull(pair_term_id, 0), ifnull(ordinal, 0))"
    )
    for sql in views + triggers:
        db.execute(sql)
    db.execute("ALTER TABLE terms ADD COLUMN cloze TEXT")


@migrations(name="0008_practice_deck_settings")
def _m0008_practice_deck_settings(db: Database) -> None:
    """Practice answers and settings of a deck's own.

    - ``practice_log``: answers given in practice (the quiz by default, custom study). They are kept
      apart from ``review_log`` on purpose: the schedule is a fold of ``review_log`` only, so no query
      that decides what is due, what was done today or what a card's schedule is can ever see them.
      Stats count them as practice.
    - ``deck_settings``: per-deck values (new and review limits, the FSRS options), JSON like ``settings``.
    - ``trash``: what a delete removed (a term or a deck with its cards, log and links, as JSON), so a
      delete can be undone; ``restored_at`` marks one that was.
    - ``cards.stability`` and ``cards.difficulty``: the FSRS memory state of a card on an FSRS deck
      (NULL on SM-2 decks); the log's ``stability_after`` and ``difficulty_after`` record it per answer.
    """
    db.execute("""CREATE TABLE practice_log (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL,
            card_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
            reviewed_at TEXT NOT NULL,
            utc_offset_min INTEGER NOT NULL,
            study_day TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
            duration_ms INTEGER,
            source TEXT NOT NULL,
            chosen_term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL,
            key_term_id INTEGER REFERENCES terms(id) ON DELETE SET NULL,
            undone_at TEXT
        )""")
    db.execute("CREATE INDEX practice_log_day ON practice_log(study_day, card_id)")
    db.execute("CREATE INDEX practice_log_card ON practice_log(card_id)")
    db.execute("""CREATE TABLE deck_settings (
            deck_id INTEGER NOT NULL REFERENCES decks(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            modified_at TEXT NOT NULL,
            PRIMARY KEY (deck_id, key)
        ) WITHOUT ROWID""")
    db.execute("""CREATE TABLE trash (
            id INTEGER PRIMARY KEY,
            deleted_at TEXT NOT NULL,
            what TEXT NOT NULL CHECK (what IN ('terms', 'deck')),
            label TEXT NOT NULL,
            payload TEXT NOT NULL,
            restored_at TEXT
        )""")
    db.execute("ALTER TABLE cards ADD COLUMN stability REAL")
    db.execute("ALTER TABLE cards ADD COLUMN difficulty REAL")
    db.execute("ALTER TABLE review_log ADD COLUMN stability_after REAL")
    db.execute("ALTER TABLE review_log ADD COLUMN difficulty_after REAL")


@migrations(name="0009_sync")
def _m0009_sync(db: Database) -> None:
    """Sync between machines: this database's device id, its change events, what it read from others.

    - ``sync_device``: one row, this database's ``device_id`` (a UUID made here), its hybrid logical
      clock, how far its events were written out (and the number of its last file), and ``applying`` (1 only inside the transaction that
      applies another device's events, so the triggers do not record them again).
    - ``sync_events``: every change another machine needs, recorded by triggers on the tables
      (``mlcards.store.sync_sql.trigger_sql``), whatever code path made it; the rows already here are
      recorded first, so a history that predates sync is sent too.
    - ``sync_peers``: per other device, the last of its events applied here; ``sync_pending``: events
      whose card, term or deck has not arrived yet; ``sync_clock``: per field, the last write applied
      from another device (last writer wins).
    """
    import uuid

    from mlcards.store import sync_sql as sync

    db.execute("""CREATE TABLE sync_device (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            device_id TEXT NOT NULL,
            hlc INTEGER NOT NULL DEFAULT 0,
            applying INTEGER NOT NULL DEFAULT 0,
            sent_seq INTEGER NOT NULL DEFAULT 0,
            last_sync_at TEXT,
            last_folder TEXT,
            last_file INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("INSERT INTO sync_device (id, device_id) VALUES (1, ?)", [str(uuid.uuid4())])
    db.execute("""CREATE TABLE sync_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            hlc INTEGER NOT NULL,
            kind TEXT NOT NULL,
            entity TEXT NOT NULL,
            payload TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX sync_events_entity ON sync_events(entity)")
    db.execute("""CREATE TABLE sync_peers (
            device_id TEXT PRIMARY KEY,
            last_seq INTEGER NOT NULL DEFAULT 0,
            last_file TEXT,
            synced_at TEXT,
            received INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("""CREATE TABLE sync_pending (
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            hlc INTEGER NOT NULL,
            kind TEXT NOT NULL,
            entity TEXT NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (device_id, seq)
        )""")
    db.execute("""CREATE TABLE sync_clock (
            entity TEXT NOT NULL,
            field TEXT NOT NULL,
            rank INTEGER NOT NULL,
            hlc INTEGER NOT NULL,
            device TEXT NOT NULL,
            PRIMARY KEY (entity, field)
        ) WITHOUT ROWID""")
    for sql in sync.baseline_sql():
        db.execute(sql)
    for sql in sync.trigger_sql():
        db.execute(sql)


@migrations(name="0010_browse_indexes")
def _m0010_browse_indexes(db: Database) -> None:
    """Indexes for Browse's sorts (``CardRepo.BROWSE_SORTS``), so a page from the middle of 100k cards is
    read from an index rather than by sorting every card. Each expression matches its sort exactly."""
    for sql in (
        "CREATE INDEX cards_browse_due ON cards(ifnull(due, '9999-12-31'))",
        "CREATE INDEX cards_browse_interval ON cards(interval)",
        "CREATE INDEX cards_browse_lapses ON cards(lapses)",
        "CREATE INDEX cards_browse_ease ON cards(easiness_centi)",
        "CREATE INDEX terms_browse_term ON terms(term COLLATE NOCASE)",
    ):
        db.execute(sql)
