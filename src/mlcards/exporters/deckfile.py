"""Write a Deck as JSON, TOML or YAML in a canonical layout that reads back to the same Deck."""

from __future__ import annotations

import json
from pathlib import Path

from mlcards.models import RELATION_KINDS, Deck

OMIT_WHEN_EMPTY = ("aliases", *RELATION_KINDS)
"""Fields written only when they hold something (a deck without them reads and writes as before)."""

EXTENSIONS = (".json", ".toml", ".yaml", ".yml")


def to_data(deck: Deck) -> dict:
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


def write(deck: Deck, path: Path) -> None:
    path = Path(path)
    text = dumps(deck, path.suffix)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # never a half-written file
