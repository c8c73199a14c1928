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
