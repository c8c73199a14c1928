"""Fixtures for the core tests."""

from __future__ import annotations

import pytest

from mlcards.store import Store


@pytest.fixture
def tiny(tiny_store: Store) -> Store:
    """The small linked deck in memory, time zone UTC so study days never depend on the machine."""
    tiny_store.set_setting("timezone", "UTC")
    return tiny_store
