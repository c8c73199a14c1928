"""Fixtures for the Textual tests: a database file with our own small deck, and the app factory."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcards.tui.app import make_app
from tests.tui._support import clock, make_db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database file holding ``nn_deck()``, time zone UTC."""
    return make_db(tmp_path / "cards.db")


@pytest.fixture
def app_for():
    """``app_for(db_path, **kwargs)``: the real app on that file with the fixed clock."""

    def build(path: Path, **kwargs):
        kwargs.setdefault("clock", clock)
        return make_app(path, **kwargs)

    return build


class FakeTime:
    """Stands in for the ``time`` module inside the review and quiz screens: answer times are exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def time_ns(self) -> int:
        return 42

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch) -> FakeTime:
    """Response times of exactly 0 s (or what the test advances): the suggested grades never depend on load."""
    from mlcards.tui.screens import quiz, review

    fake = FakeTime()
    monkeypatch.setattr(review, "time", fake)
    monkeypatch.setattr(quiz, "time", fake)
    return fake
