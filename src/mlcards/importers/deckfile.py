"""Deck files: JSON, TOML and YAML documents that map straight onto ``Deck``.

YAML is read with the safe loader only: no tags, no objects, no code.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mlcards.errors import DeckError
from mlcards.importers.common import read_text
from mlcards.models import Deck, describe_validation_error

EXTENSIONS = (".json", ".toml", ".yaml", ".yml")


def _load_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise DeckError(f"invalid JSON: {e.msg} (column {e.colno}); fix the syntax", path=path, line=e.lineno) from None


def _load_toml(path: Path, text: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) or "syntax error"
        if m:
            msg += f" (column {m.group(2)})"
        raise DeckError(f"invalid TOML: {msg}; fix the syntax", path=path, line=line) from None


def _load_yaml(path: Path, text: str) -> Any:
    import yaml  # loaded only when a YAML file is read

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or "syntax error"
        line = mark.line + 1 if mark is not None else None
        raise DeckError(f"invalid YAML: {problem}; fix the syntax", path=path, line=line) from None


LOADERS = {".json": _load_json, ".toml": _load_toml, ".yaml": _load_yaml, ".yml": _load_yaml}


def sniff(head: str) -> bool:
    """Does this text look like a deck file? (Used to confirm the extension.)"""
    return "terms" in head and ("name" in head)


def parse(path: Path) -> Deck:
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DeckError(f"not a deck file extension ({', '.join(EXTENSIONS)})", path=path)
    text = read_text(path)
    data = loader(path, text)
    return validate(data, path, text)


def validate(data: Any, path: Path, text: str = "") -> Deck:
    """Validate already-loaded data as a Deck, raising a DeckError that names the item and field."""
    if not isinstance(data, dict):
        raise DeckError(
            "a deck file must hold an object with 'name', 'description' and 'terms'", path=path, line=1
        )
    try:
        return Deck.model_validate(data)
    except ValidationError as e:
        message, item = describe_validation_error(e, data)
        raise DeckError(message, path=path, line=_line_of_item(text, data, item)) from None


def _line_of_item(text: str, data: dict, item: int | None) -> int | None:
    """Best effort: the line where terms[item] starts (TOML tables) or where its term text appears."""
    if item is None or not text:
        return None
    lines = text.splitlines()
    tables = [i for i, line in enumerate(lines, 1) if line.strip() == "[[terms]]"]
    if item < len(tables):
        return tables[item]
    try:
        name = data["terms"][item]["term"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(name, str) or not name.strip():
        return None
    seen = 0
    wanted = sum(1 for t in data["terms"][: item + 1] if isinstance(t, dict) and t.get("term") == name)
    for i, line in enumerate(lines, 1):
        if re.search(r"""["']?term["']?\s*[:=]\s*["']?""" + re.escape(name), line):
            seen += 1
            if seen == wanted:
                return i
    return None
