"""Write a Deck as JSON, TOML or YAML in a canonical layout that reads back to the same Deck."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from mlcards.exporters.atomic import atomic_write
from mlcards.models import Deck
from mlcards.records import RELATION_KINDS

OMIT_WHEN_EMPTY = ("aliases", *RELATION_KINDS)
"""Fields written only when they hold something (a deck without them reads and writes as before)."""

EXTENSIONS = (".json", ".toml", ".yaml", ".yml")


def to_data(deck: Deck) -> dict[str, Any]:
    """Plain data with empty optional fields left out (so files stay tidy and round-trip exactly)."""
    data = deck.model_dump(mode="json", exclude_none=True)
    for term in data.get("terms", []):
        for key in OMIT_WHEN_EMPTY:
            if not term.get(key):
                term.pop(key, None)
    return data


def dumps(deck: Deck, suffix: str) -> str:
    suffix = suffix.lower()
    data = to_data(deck)
    if suffix == ".json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if suffix == ".toml":
        import tomli_w

        return tomli_w.dumps(data, multiline_strings=True)
    if suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    raise ValueError(f"not a deck file extension: {suffix}")


def write(deck: Deck, path: Path, *, now: datetime | None = None) -> None:  # noqa: ARG001 - uniform signature
    """Write ``deck`` to ``path`` (atomically: never a half-written file)."""
    path = Path(path)
    text = dumps(deck, path.suffix)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))
