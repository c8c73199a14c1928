"""Fixtures shared by every test folder: stores, a small deck, and the real CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mlcards.models import Deck
from mlcards.store import Store

REPO = Path(__file__).resolve().parent.parent


def small_deck(name: str = "Tiny") -> Deck:
    """Six linked terms: enough for multiple choice with four options."""
    return Deck(
        name=name,
        description="A small test deck.",
        terms=[
            dict(term="alpha", definition="First letter.", explanation="Comes first.", example="a", related=["beta", "gamma"], tags=["greek"]),
            dict(term="beta", definition="Second letter.", related=["alpha", "delta"], tags=["greek"]),
            dict(term="gamma", definition="Third letter.", related=["delta", "epsilon"], tags=["greek"]),
            dict(term="delta", definition="Fourth letter.", related=["epsilon"], tags=["greek"]),
            dict(term="epsilon", definition="Fifth letter.", related=["zeta"], tags=["greek"]),
            dict(term="zeta", definition="Sixth letter.", tags=["greek"]),
        ],
    )


@pytest.fixture
def store() -> Store:
    """An in-memory store with no decks."""
    s = Store.memory()
    yield s
    s.close()


@pytest.fixture
def tiny_store(store: Store) -> Store:
    """An in-memory store holding ``small_deck()``."""
    store.apply_deck(small_deck())
    return store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cards.db"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def run_cli(*args: str, db: Path | None = None, input: str | None = None, env: dict | None = None, cwd=None):
    """Run the real ``mlcards`` command in a subprocess; returns the CompletedProcess."""
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("MLCARDS_DB", None)
    if env and "MLCARDS_DB" in env:
        full_env["MLCARDS_DB"] = env["MLCARDS_DB"]
    cmd = [sys.executable, "-m", "mlcards", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(cmd, input=input, capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120)
