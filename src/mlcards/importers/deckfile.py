"""Deck files: JSON, TOML and YAML documents that map straight onto ``Deck``.

YAML is read with the safe loader only: no tags, no objects, no code; and no anchors or aliases,
which can make a tiny file expand into billions of values.
"""

from __future__ import annotations

import bisect
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mlcards.errors import DeckError
from mlcards.importers.base import DEFAULT_OPTIONS, Parsed, ParseOptions
from mlcards.importers.common import read_text
from mlcards.models import Deck, describe_validation_error

EXTENSIONS = (".json", ".toml", ".yaml", ".yml")

Loc = tuple[Any, ...]
"""Where a value sits in a document: keys and list indexes from the top."""


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


MAX_NUMBER_CHARS = 100
"""Longest YAML number read (a longer one is refused before Python turns it into an int)."""
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _yaml_loader() -> Any:  # the C loader where libyaml is there, else the pure-Python one
    import yaml  # loaded only when a YAML file is read

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path, text: str) -> Any:
    """Safe YAML without aliases: the document is composed into nodes, checked, then constructed.

    Anchors and aliases are refused before any object is built (a "billion laughs" file expands a
    few aliases into billions of values), and so are numbers too long to convert cheaply.
    """
    import yaml

    loader = _yaml_loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_yaml_nodes(path, node)
        return loader.construct_document(node)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or "syntax error"
        line = mark.line + 1 if mark is not None else None
        if "nesting depth" in str(problem):  # libyaml's limit: no deck file nests that deep
            raise DeckError("nested too deeply to be a deck file", path=path, line=line) from None
        raise DeckError(f"invalid YAML: {problem}; fix the syntax", path=path, line=line) from None
    except ValueError as e:  # a value the resolver took for a date or number that is none: 2024-99-99
        raise DeckError(f"invalid YAML value: {e}", path=path) from None
    finally:
        loader.dispose()


def _check_yaml_nodes(path: Path, root: Any) -> None:
    """Refuse aliases (a node reached twice), recursive structures and over-long numbers; no recursion."""
    import yaml

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise DeckError(
                "YAML anchors and aliases (&name, *name) are not allowed in a deck file; write the value out",
                path=path,
                line=node.start_mark.line + 1,
            )
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
                raise DeckError(
                    f"a number longer than {MAX_NUMBER_CHARS} characters; quote it if it is text",
                    path=path,
                    line=node.start_mark.line + 1,
                )
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)


LOADERS = {".json": _load_json, ".toml": _load_toml, ".yaml": _load_yaml, ".yml": _load_yaml}


def sniff(head: str) -> bool:
    """Does this text look like a deck file? (Used to confirm the extension.)"""
    return "terms" in head and ("name" in head)


def parse(path: Path, options: ParseOptions = DEFAULT_OPTIONS) -> Parsed:  # noqa: ARG001 - the protocol's signature
    return Parsed(decks=[read_deck(path)])


def read_deck(path: Path) -> Deck:
    """The one deck a deck file holds (what ``parse`` returns, for callers that want the ``Deck``)."""
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DeckError(f"not a deck file extension ({', '.join(EXTENSIONS)})", path=path)
    text = read_text(path)
    try:
        data = loader(path, text)
    except RecursionError:  # e.g. thousands of nested brackets: no deck looks like that
        raise DeckError("nested too deeply to be a deck file", path=path) from None
    except ValueError as e:  # Python's int-string limit (a 5,000-digit number), or a value no loader accepts
        if "digits" in str(e):
            raise DeckError("a number is too long (thousands of digits); quote it if it is text", path=path) from None
        raise DeckError(f"invalid value: {e}", path=path) from None
    deck = validate(data, path, text)
    if not deck.terms:
        raise DeckError("nothing to import: the deck has no terms (add a 'terms' list)", path=path, line=1)
    return deck


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
        loc = tuple(e.errors(include_url=False)[0].get("loc", ()))
        if not loc and item is not None:  # a deck-level check that names its item (duplicates)
            loc = ("terms", item, "term")
        line = _line_of_path(text, path.suffix.lower(), loc) if text else None
        if line is None:
            line = _line_of_item(text, data, item)
        raise DeckError(message, path=path, line=line) from None


def _line_of_path(text: str, suffix: str, loc: Loc) -> int | None:
    """The line of the value at ``loc`` (or of its nearest enclosing value) in the source text."""
    try:
        if suffix == ".json":
            lines = _json_value_lines(text)
        elif suffix in (".yaml", ".yml"):
            lines = _yaml_value_lines(text)
        elif suffix == ".toml":
            return _toml_line(text, loc)
        else:
            return None
    except Exception:  # noqa: BLE001 - locating is best effort; the message still stands
        return None
    for n in range(len(loc), -1, -1):
        if tuple(loc[:n]) in lines and (n or len(loc) == 0):
            return lines[tuple(loc[:n])]
    return None


_JSON_WS = re.compile(r"[ \t\n\r]*")
_scanstring: Callable[[str, int], tuple[str, int]] = getattr(json.decoder, "scanstring")  # noqa: B009 - not in the stubs


def _json_value_lines(text: str) -> dict[Loc, int]:
    """Line of every value in a (valid) JSON document, keyed by its path."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    lines: dict[Loc, int] = {}

    def skip(i: int) -> int:
        space = _JSON_WS.match(text, i)  # matches everywhere (possibly empty)
        return space.end() if space is not None else i

    def value(i: int, where: Loc) -> int:
        i = skip(i)
        lines[where] = bisect.bisect_right(starts, i)
        if text[i] == "{":
            i = skip(i + 1)
            while text[i] != "}":
                key, i = _scanstring(text, i + 1)
                i = value(skip(i) + 1, where + (key,))  # past the ':'
                i = skip(i)
                if text[i] == ",":
                    i = skip(i + 1)
            return i + 1
        if text[i] == "[":
            i, n = skip(i + 1), 0
            while text[i] != "]":
                i = skip(value(i, where + (n,)))
                n += 1
                if text[i] == ",":
                    i = skip(i + 1)
            return i + 1
        return decoder.raw_decode(text, i)[1]

    value(0, ())
    return lines


def _yaml_value_lines(text: str) -> dict[Loc, int]:
    import yaml

    lines: dict[Loc, int] = {}

    def walk(node: Any, where: Loc) -> None:
        lines[where] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, val in node.value:
                walk(val, where + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for n, val in enumerate(node.value):
                walk(val, where + (n,))

    root = yaml.compose(text, Loader=_yaml_loader())
    if root is not None:
        walk(root, ())
    return lines


def _toml_line(text: str, loc: Loc) -> int | None:
    """TOML keeps no positions: find ``[[terms]]`` tables and ``key =`` lines by hand."""
    lines = text.splitlines()
    tables = [i for i, line in enumerate(lines, 1) if line.strip() == "[[terms]]"]

    def key_line(key: object, first: int, last: int) -> int | None:
        pattern = re.compile(r"""\s*["']?""" + re.escape(str(key)) + r"""["']?\s*=""")
        for i in range(first, last + 1):
            if pattern.match(lines[i - 1]):
                return i
        return None

    if not loc:
        return None
    if loc[0] != "terms" or len(loc) < 2 or not isinstance(loc[1], int):
        return key_line(loc[0], 1, (tables[0] - 1) if tables else len(lines))
    item = loc[1]
    if item >= len(tables):
        return None
    end = tables[item + 1] - 1 if item + 1 < len(tables) else len(lines)
    if len(loc) >= 3:
        return key_line(loc[2], tables[item], end) or tables[item]
    return tables[item]


def _line_of_item(text: str, data: dict[str, Any], item: int | None) -> int | None:
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
