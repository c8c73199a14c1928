"""The process tier (issue 8, section 2): real mlcards processes sharing one real database file.

Every test module here sets ``pytestmark = pytest.mark.process``; run the tier alone with
``pytest tests/process -m process``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.process._proc import make_env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Children's environment; ``MLCARDS_DB`` points into ``tmp_path`` (every command also gets --db)."""
    return make_env(tmp_path)


def pytest_report_header(config):
    from tests.process._proc import SEED

    return f"process tier seed: {SEED} (reproduce with MLCARDS_PROCESS_SEED={SEED})"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A database made by ``mlcards init`` (the bundled deck), with room for many new cards a day and
    the time zone fixed, checkpointed so that copying the one file copies the whole database.
    Tests copy it (``tests.process._proc.copy_db``) rather than running ``init`` again."""
    import sqlite3

    from tests.process._proc import db_args, run

    folder = tmp_path_factory.mktemp("template")
    db = folder / "template.db"
    run(db_args(db, "init"), make_env(folder))
    con = sqlite3.connect(db)
    try:
        with con:
            con.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?)",
                [("new_per_day", "5000"), ("reviews_per_day", "5000"), ("timezone", '"UTC"')],
            )
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return db
