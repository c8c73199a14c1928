"""What opening a database needs to know about the schema without loading it (``store.schema`` and
sqlite-utils load only when a migration is pending): the migrations' names and table, and SQL that
several repositories share."""

MIGRATION_SET = "mlcards"
"""The name of mlcards' set in sqlite-utils' migrations table."""

MIGRATIONS_TABLE = "_sqlite_migrations"
"""sqlite-utils' table of applied migrations (``Migrations.migrations_table``)."""

KIND_ORDER_SQL = (
    "CASE c.kind WHEN 'recall' THEN 0 WHEN 'cloze' THEN 1 WHEN 'reverse' THEN 1 WHEN 'related' THEN 2 ELSE 3 END, "
    "ifnull(c.ordinal, 0)"
)
"""Cards of a term in reading order (an ORDER BY list: cloze cards by their index)."""

MIGRATION_NAMES = frozenset(
    {"0001_initial", "0002_stats_indexes", "0003_stats_card_day_index", "0004_aliases_relations", "0005_mc_choice",
     "0006_log_is_the_truth", "0007_cloze", "0008_practice_deck_settings", "0009_sync", "0010_browse_indexes"}
)
"""Every migration this mlcards knows (a database with another one applied is from a newer mlcards)."""
