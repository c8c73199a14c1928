"""Every SQL statement the stats need, as query methods returning plain typed rows (``mlcards.stats``
computes the figures from them)."""

from __future__ import annotations

from mlcards.store.connection import Connection


class StatsQueries(Connection):
    """Read-only aggregates over the indexed review log and cards (each checked with EXPLAIN QUERY PLAN)."""
