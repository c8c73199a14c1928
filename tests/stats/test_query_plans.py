"""The stats queries use the indexes of migration 0002: no table scan of the review log or the cards."""

from __future__ import annotations

import re

from mlcards import stats
from mlcards.store.schema import migrations
from tests.stats._support import TODAY, build_history

STATS_INDEXES = {"reviews_kind_day", "reviews_card_day", "cards_term_stats", "cards_due_stats", "cards_ease_interval", "cards_lapsed"}


def _plans(store, fn):
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        fn()
    finally:
        store.db.conn.set_trace_callback(None)
    plans = {}
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            plans[sql] = [row[3] for row in store.db.conn.execute("EXPLAIN QUERY PLAN " + sql)]
    return plans


def test_migration_adds_the_stats_indexes(store):
    names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert STATS_INDEXES <= names
    applied = {m.name for m in migrations.applied(store.db)}
    assert {"0002_stats_indexes", "0003_stats_card_day_index"} <= applied


def test_no_full_table_scan_in_the_summary(store):
    build_history(store)
    deck = store.require_deck("Tiny")
    for fn in (
        lambda: stats.summary(store, today_day=TODAY),
        lambda: stats.summary(store, today_day=TODAY, deck="Tiny", range="all"),
        lambda: stats.retention(store, TODAY, "365", deck_id=deck),
        lambda: stats.activity(store, TODAY, "365", deck_id=deck),
    ):
        plans = _plans(store, fn)
        assert plans
        used = set()
        for sql, plan in plans.items():
            for line in plan:
                # "SCAN reviews" / "SCAN r" / "SCAN cards" / "SCAN c" without an index walks the table
                assert not re.fullmatch(r"SCAN (reviews|r|cards|c\d?)", line), (line, sql)
                assert not re.search(r"SCAN (reviews|r)\b.*USING INDEX reviews_day", line), (line, sql)
                used.update(name for name in STATS_INDEXES if name in line)
        assert used, plans


def test_key_queries_pick_their_index(store):
    build_history(store)
    cases = {
        "reviews_kind_day": lambda: stats.retention(store, TODAY, "30"),
        "cards_due_stats": lambda: stats.forecast(store, TODAY),
        "cards_ease_interval": lambda: stats.histograms(store),
        "cards_lapsed": lambda: stats.hardest_terms(store),
        "cards_term_stats": lambda: stats.deck_figures(store),
        "reviews_card_day": lambda: stats.activity(store, TODAY, "365", deck_id=store.require_deck("Tiny")),
    }
    for index, fn in cases.items():
        plans = _plans(store, fn)
        assert any(index in line for plan in plans.values() for line in plan), (index, plans)


def test_queue_queries_still_lead_with_due(store):
    """The new card indexes must not steal the queue's due-date lookups (no ANALYZE statistics)."""
    build_history(store)
    plans = _plans(store, lambda: store.due_candidates(TODAY))
    first = next(iter(plans.values()))
    assert any(re.search(r"SEARCH c USING (COVERING )?INDEX cards_due(_stats)? \(due", line) for line in first), first
