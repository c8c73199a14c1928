"""Anki text files (``.txt``, ``.csv``, ``.tsv``), read as Anki's manual specifies.

- File headers at the top (Anki 2.1.54+): ``#separator:`` (Comma, Semicolon, Tab, Space, Pipe,
  Colon, or the character itself), ``#html:true|false``, ``#tags:`` (space-separated tags for
  every row), ``#columns:`` (column names, split by the separator), ``#deck:``, ``#notetype:``,
  ``#deck column:``, ``#tags column:``, ``#guid column:``, ``#notetype column:`` (1-based). A legacy
  first line ``tags:a b`` works too. Any other line starting with ``#`` is a comment.
- Fields are CSV: a field in double quotes may hold the separator, line breaks and doubled quotes.
- Without ``#separator:`` the separator is sniffed from the first rows: of tab, semicolon, comma,
  pipe and colon, those that split them into a steady number (>= 2) of columns compete, and the one
  leaving the shortest first column (terms are short) wins.
- Columns map by name (case-insensitive: Front/Term, Back/Definition, Explanation, Example,
  Related, Tags, Deck; from ``#columns:``, or from a first row made only of such names, as a
  spreadsheet's header row is) or by position (first = term, second = definition, further columns =
  explanation). Columns with another name are ignored, with a notice.
- With ``#html:true`` fields are HTML and become plain text; with ``#html:false`` they are taken
  literally; without the header, as in Anki, the first rows decide (HTML tags or entities -> HTML).
- A deck column splits the rows into several decks; otherwise ``#deck:`` or the file name names it.
- Cloze notes: with ``#notetype:Cloze`` (or any note type whose name contains "Cloze"; per row with
  ``#notetype column:``) a row is an Anki cloze note: its first column (or the one named Text or
  Cloze) holds ``{{c1::answer}}`` deletions, the second (Back Extra) becomes the explanation, and it
  becomes a cloze term (``importers.common.cloze_term``). A row of another note type with a column
  named Cloze (as mlcards' own export writes) is a cloze term with the term and definition given.
- Errors name the physical line where the offending row starts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import ValidationError

from mlcards.errors import DeckError
from mlcards.importers._html import html_to_text, looks_like_html
from mlcards.importers.base import DEFAULT_OPTIONS, Parsed, ParseOptions
from mlcards.importers.common import ClozeProblem, cloze_term, read_text, validation_problem
from mlcards.importers.glossary import _heading as _glossary_heading
from mlcards.models import Deck, Term
from mlcards.text import one_line

SEPARATOR_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|", "colon": ":"}
SNIFF_ORDER = {".csv": ",;\t|:", ".tsv": "\t;,|:", ".txt": "\t;,|:"}
SNIFF_ROWS = 50
HTML_SNIFF_ROWS = 5

ROLE_NAMES = {
    "term": {"term", "front", "question", "word"},
    "definition": {"definition", "back", "answer", "meaning"},
    "explanation": {"explanation", "extra", "back extra"},
    "example": {"example", "examples"},
    "related": {"related", "related terms"},
    "aliases": {"aliases", "alias", "also"},
    "tags": {"tags"},
    "deck": {"deck"},
    "guid": {"guid"},
    "notetype": {"notetype", "note type"},
    "cloze": {"cloze", "text"},
}
META_ROLES = ("deck", "tags", "guid", "notetype")
_COLUMN_HEADERS = {"deck column": "deck", "tags column": "tags", "guid column": "guid", "notetype column": "notetype"}


def sniff(head: str) -> bool:  # the last candidate for .txt: anything that is not a glossary page
    return True


class _Headers:
    def __init__(self) -> None:
        self.separator: str | None = None
        self.html: bool | None = None
        self.tags: list[str] = []
        self.columns_raw: str | None = None
        self.columns_line = 0
        self.deck: str | None = None
        self.notetype: str | None = None
        self.meta: dict[str, int] = {}  # role -> 1-based column
        self.body_start = 0  # index of the first body line


def _read_headers(path: Path, lines: list[str]) -> _Headers:
    h = _Headers()
    i = 0
    if lines and lines[0].startswith("tags:"):
        h.tags = lines[0][5:].split()
        i = 1
    while i < len(lines) and lines[i].startswith("#"):
        line = lines[i].rstrip("\r\n")
        key, sep, value = line[1:].partition(":")
        key = key.strip().lower()
        if sep:
            _header(path, h, key, value, i + 1)
        i += 1
    h.body_start = i
    return h


def _header(path: Path, h: _Headers, key: str, value: str, line: int) -> None:
    if key == "separator":
        name = value.strip().lower()
        if name in SEPARATOR_NAMES:
            h.separator = SEPARATOR_NAMES[name]
        elif len(value) == 1 and value not in '"\r\n':
            h.separator = value
        elif len(value.strip()) == 1 and value.strip() not in '"':
            h.separator = value.strip()
        else:
            raise DeckError(
                f"unknown separator {value!r}; use Comma, Semicolon, Tab, Space, Pipe, Colon or the character itself",
                path=path,
                line=line,
            )
    elif key == "html":
        flag = value.strip().lower()
        if flag not in ("true", "false"):
            raise DeckError(f"#html must be true or false, not {value.strip()!r}", path=path, line=line)
        h.html = flag == "true"
    elif key == "tags":
        h.tags = value.split()
    elif key == "columns":
        h.columns_raw, h.columns_line = value, line
    elif key == "deck":
        name = value.strip()
        if name and not name.isdigit():  # a bare number is an Anki deck id: meaningless here
            h.deck = name
    elif key in _COLUMN_HEADERS:
        try:
            column = int(value.strip())
        except ValueError:
            column = 0
        if column < 1:
            raise DeckError(f"#{key} must be a column number (1, 2, 3, ...), not {value.strip()!r}", path=path, line=line)
        h.meta[_COLUMN_HEADERS[key]] = column
    elif key == "notetype":
        h.notetype = value.strip() or None
    # unknown keys: nothing to do


def _records(text: str, separator: str) -> Iterator[tuple[list[str], int]]:
    """CSV records with the physical line each starts on; blank rows and ``#`` comment rows skipped."""
    reader_state = {"at_start": True, "line": 0, "start": 0, "unterminated": False}

    def lines() -> Iterator[str]:
        for physical in io.StringIO(text, newline=""):
            reader_state["line"] += 1
            if reader_state["at_start"]:
                if physical.startswith("#") or not physical.strip("\r\n"):
                    continue
                reader_state["start"] = reader_state["line"]
                reader_state["at_start"] = False
            yield physical
        if not reader_state["at_start"]:
            reader_state["unterminated"] = True

    reader = csv.reader(lines(), delimiter=separator, quotechar='"', doublequote=True, strict=False)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise _csv_error(e, reader_state["start"]) from None
        if reader_state["unterminated"]:
            raise DeckError(
                "a quoted field is never closed; check the double quotes in this row", line=reader_state["start"]
            )
        reader_state["at_start"] = True
        if any(f.strip() for f in record):
            yield record, reader_state["start"]


def _csv_error(e: csv.Error, line: int) -> DeckError:
    msg = str(e)
    if "field larger than field limit" in msg:
        return DeckError(f"a field is longer than {csv.field_size_limit()} characters", line=line)
    return DeckError(f"cannot read this row: {msg}", line=line)


def _sniff_separator(body: str, suffix: str) -> str:
    order = SNIFF_ORDER.get(suffix, SNIFF_ORDER[".txt"])
    sample_lines = []
    for physical in io.StringIO(body, newline=""):
        if physical.startswith("#") or not physical.strip():
            continue
        sample_lines.append(physical)
        if len(sample_lines) >= SNIFF_ROWS:
            break
    sample = "".join(sample_lines)
    first = sample_lines[0] if sample_lines else ""
    steady_candidates: list[tuple[float, int, str]] = []
    for sep in order:
        if sep not in sample:
            continue
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=sep) if any(r)]
        except csv.Error:
            continue
        if len(rows) > 1 and len(sample_lines) >= SNIFF_ROWS:
            rows = rows[:-1]  # the last sampled row may be cut short
        if not rows or len(rows[0]) < 2:
            continue
        steady = sum(len(r) == len(rows[0]) for r in rows)
        if steady >= 0.8 * len(rows):
            # terms are short and definitions long: of the separators that split the rows steadily,
            # the one leaving the shortest first column is the real one ("a;b, c" is split at ';')
            steady_candidates.append((sum(len(r[0]) for r in rows) / len(rows), order.index(sep), sep))
    if steady_candidates:
        return min(steady_candidates)[2]
    for sep in order:  # nothing steady: the first separator the first row uses
        if sep in first:
            return sep
    return order[0]


def _is_name_row(record: list[str]) -> bool:
    """Is this first row column names (every cell a known column name, term and definition among them)?"""
    roles = set()
    for cell in record:
        name = " ".join(cell.split()).lower()
        if not name:
            continue
        role = next((r for r, aliases in ROLE_NAMES.items() if name in aliases), None)
        if role is None:
            return False
        roles.add(role)
    return {"term", "definition"} <= roles


def _split_related(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"[,;\n]", value) if v.strip()]


class _Columns:
    def __init__(self) -> None:
        self.roles: dict[str, int] = {}  # role (or "meta:<role>") -> 0-based column
        self.extra: list[int] = []  # further unnamed columns, joined into the explanation
        self.ignored: dict[int, str] = {}  # named columns with no mlcards field


def _map_columns(names: list[str] | None, count: int, meta: dict[str, int]) -> _Columns:
    """Columns by name where names are given, else (and for what names leave out) by position."""
    cols = _Columns()
    taken = {role: col - 1 for role, col in meta.items()}  # header-declared meta columns win
    for idx, raw in enumerate(names or []):
        if idx in taken.values():
            continue
        name = " ".join(raw.split()).lower()
        role = next((r for r, aliases in ROLE_NAMES.items() if name in aliases), None)
        if role is None or role in taken or role in cols.roles:
            cols.ignored[idx] = raw.strip() or f"column {idx + 1}"
        elif role in META_ROLES:
            taken[role] = idx
        else:
            cols.roles[role] = idx
    used = set(taken.values()) | set(cols.roles.values())
    free = [i for i in range(count) if i not in used]
    for role in ("term", "definition"):
        if "cloze" in cols.roles:
            break  # a cloze note type's columns by name (Text, Back Extra): its text is the term and definition
        if role not in cols.roles and free:
            cols.roles[role] = idx = free.pop(0)
            cols.ignored.pop(idx, None)
    if not names:
        cols.extra = free
    for role, idx in taken.items():
        cols.roles["meta:" + role] = idx
    return cols


def parse(path: Path, options: ParseOptions = DEFAULT_OPTIONS) -> Parsed:  # noqa: ARG001 - the protocol's signature
    path = Path(path)
    try:
        return _parse(path)
    except DeckError as e:
        if e.path is None:
            e.path = str(path)
        raise


def _parse(path: Path) -> Parsed:
    text = read_text(path)
    lines = io.StringIO(text, newline="").readlines()
    headers = _read_headers(path, lines)
    body = "".join(lines[headers.body_start :])
    line_offset = headers.body_start
    separator = headers.separator or _sniff_separator(body, path.suffix.lower())

    names: list[str] | None = None
    if headers.columns_raw is not None:
        try:
            names = next(csv.reader([headers.columns_raw], delimiter=separator), [])
        except csv.Error as e:
            raise DeckError(f"cannot read #columns: {e}", path=path, line=headers.columns_line) from None

    records = ((rec, line + line_offset) for rec, line in _records(body, separator))
    first = next(records, None)
    if first is None:
        raise DeckError("no rows to import (only headers, comments or blank lines)", path=path, line=len(lines) or 1)
    if names is None and _is_name_row(first[0]):  # a spreadsheet's header row: "Front,Back,Tags"
        names = first[0]
        first = next(records, None)
        if first is None:
            raise DeckError("no rows to import after the column names", path=path, line=len(lines) or 1)
    count = len(names) if names else len(first[0])
    cols = _map_columns(names, count, headers.meta)
    if ("term" not in cols.roles or "definition" not in cols.roles) and "cloze" not in cols.roles:
        hint = f"; separate them with {_sep_name(separator)} or set '#separator:'"
        if any(_glossary_heading(line) for line in text.splitlines()):
            hint += (
                " (for a glossary page, the 'What is ...?' heading must be followed by the definition "
                "and a '... explained in plain English' line)"
            )
        raise DeckError(f"need at least two columns, a term and its definition{hint}", path=path, line=first[1])

    is_html = headers.html
    pending = [first]
    if is_html is None:
        for row in records:
            pending.append(row)
            if len(pending) >= HTML_SNIFF_ROWS:
                break
        is_html = any(looks_like_html(f) for rec, _ in pending for f in rec)

    def rows() -> Iterator[tuple[list[str], int]]:
        yield from pending
        yield from records

    convert = html_to_text if is_html else (lambda v: v)
    roles = cols.roles
    default_deck = headers.deck or path.stem or "Anki text"
    decks: dict[str, tuple[list[Term], dict[str, int]]] = {}
    deck_col = roles.get("meta:deck")
    tags_col = roles.get("meta:tags")
    notetype_col = roles.get("meta:notetype")
    cloze_file = "cloze" in (headers.notetype or "").lower()

    def cell(rec: list[str], role: str) -> str:
        idx = roles.get(role)
        if idx is None or idx >= len(rec):
            return ""
        return convert(rec[idx]).strip()

    for rec, line in rows():
        notetype = rec[notetype_col] if notetype_col is not None and notetype_col < len(rec) else ""
        is_cloze = "cloze" in notetype.lower() if notetype.strip() else cloze_file
        if is_cloze:
            _cloze_row(path, rec, line, cell, roles, cols.extra, convert, headers.tags, tags_col, deck_col,
                       default_deck, decks)
            continue
        term = cell(rec, "term")
        if not term:
            raise DeckError(f"this row has no term (column {roles['term'] + 1} is empty)", path=path, line=line)
        definition = cell(rec, "definition")
        if not definition:
            raise DeckError(
                f"{one_line(term)[:60]!r} has no definition (column {roles['definition'] + 1} is empty)",
                path=path,
                line=line,
            )
        explanation_parts = [cell(rec, "explanation")] + [
            convert(rec[i]).strip() for i in cols.extra if i < len(rec)
        ]
        tags = list(headers.tags)
        if tags_col is not None and tags_col < len(rec):
            tags += rec[tags_col].split()
        deck_name = default_deck
        if deck_col is not None and deck_col < len(rec) and rec[deck_col].strip():
            deck_name = one_line(rec[deck_col])
        try:
            item = Term(
                term=term,
                definition=definition,
                explanation="\n\n".join(p for p in explanation_parts if p) or None,
                example=cell(rec, "example") or None,
                related=_split_related(cell(rec, "related")),
                aliases=_split_related(cell(rec, "aliases")),
                tags=tags,
                cloze=_cloze_cell(cell(rec, "cloze")),
            )
        except ValidationError as e:
            raise DeckError(f"{one_line(term)[:60]!r}: {validation_problem(e)}", path=path, line=line) from None
        terms, seen = decks.setdefault(deck_name, ([], {}))
        key = item.key
        if key in seen:
            raise DeckError(
                f"duplicate term {one_line(term)[:60]!r} (first on line {seen[key]}); terms must be unique in a deck",
                path=path,
                line=line,
            )
        seen[key] = line
        terms.append(item)

    result = []
    for name, (terms, _seen) in decks.items():
        try:
            result.append(Deck(name=name, terms=terms))
        except ValidationError as e:
            err = e.errors(include_url=False)[0]
            raise DeckError(f"deck name {name[:60]!r}: {err.get('msg', 'invalid')}", path=path) from None
    notices = []
    if cols.ignored:
        notices.append(
            f"{path.name}: columns ignored (no such field in mlcards): {', '.join(cols.ignored.values())}"
        )
    return Parsed(decks=result, notices=notices)


def _cloze_cell(value: str) -> str | None:
    """A Cloze (or Text) column on a row of another note type: its cloze text, if it holds deletions."""
    return value if "{{c" in value.lower() else None


def _cloze_row(
    path: Path,
    rec: list[str],
    line: int,
    cell: Callable[[list[str], str], str],
    roles: dict[str, int],
    extra_cols: list[int],
    convert: Callable[[str], str],
    file_tags: list[str],
    tags_col: int | None,
    deck_col: int | None,
    default_deck: str,
    decks: dict[str, tuple[list[Term], dict[str, int]]],
) -> None:
    """One row of a cloze note type: Text (the named Text/Cloze column, else the first) and Back Extra."""
    named = "cloze" in roles
    text = cell(rec, "cloze") if named else cell(rec, "term")
    extra = [cell(rec, "explanation")] if named else [cell(rec, "definition"), cell(rec, "explanation")]
    extra += [convert(rec[i]).strip() for i in extra_cols if i < len(rec)]
    tags = list(file_tags)
    if tags_col is not None and tags_col < len(rec):
        tags += rec[tags_col].split()
    deck_name = default_deck
    if deck_col is not None and deck_col < len(rec) and rec[deck_col].strip():
        deck_name = one_line(rec[deck_col])
    terms, seen = decks.setdefault(deck_name, ([], {}))
    try:
        item = cloze_term(text, extra="\n\n".join(p for p in extra if p) or None, tags=tags, taken=set(seen),
                          position=len(terms) + 1)
    except ClozeProblem as e:
        raise DeckError(f"cloze note {one_line(text)[:60]!r}: {e}", path=path, line=line) from None
    if item.key in seen:
        raise DeckError(f"duplicate term {item.term[:60]!r} (first on line {seen[item.key]}); terms must be unique "
                        "in a deck", path=path, line=line)
    seen[item.key] = line
    terms.append(item)


def _sep_name(separator: str) -> str:
    for name, char in SEPARATOR_NAMES.items():
        if char == separator:
            return f"a {name}" if name != "tab" else "tabs"
    return repr(separator)
