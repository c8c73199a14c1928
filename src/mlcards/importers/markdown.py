"""Markdown glossaries (``.md``)::

    # Deck name                 <- optional; otherwise the file name names the deck
    Text before the first term  <- optional deck description

    ## Term
    Definition: the first paragraph.

    Further paragraphs: the explanation.

    Example: an optional example paragraph (later paragraphs belong to it too).

    Related: other term, another term
    Tags: optional, tags

Paragraphs are separated by blank lines; the lines of a paragraph are joined with spaces (as
Markdown renders them) unless it is a list or a fenced code block, whose lines are kept.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from mlcards.errors import DeckError
from mlcards.importers.base import DEFAULT_OPTIONS, Parsed, ParseOptions
from mlcards.importers.common import read_text, validation_problem
from mlcards.models import Deck, Term
from mlcards.text import one_line, term_key

FENCE = re.compile(r"^ {0,3}(```|~~~)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MARK = r"[*_]{0,2}"
LABEL = re.compile(rf"^\s*{_MARK}(example|related|tags)\s*:\s*{_MARK}\s*(.*)$", re.IGNORECASE)
# Brackets (and parentheses) are excluded inside each part, so every scan stops at the next one:
# linear time even on a line of thousands of unclosed "[" or "](".
LINK = re.compile(r"\[([^\[\]]+)\]\([^()]*\)|\[\[([^\[\]]+)\]\]")


def heading(line: str) -> tuple[int, str] | None:
    """``(level, text)`` of an ATX heading (``## Term ##``), else None.

    String methods rather than a regular expression: a pattern such as ``\\s*(.*?)\\s*#*\\s*$``
    backtracks cubically on a heading padded with thousands of spaces.
    """
    body = line.lstrip(" ")
    if len(line) - len(body) > 3 or not body.startswith("#"):
        return None
    rest = body.lstrip("#")
    level = len(body) - len(rest)
    if level > 6 or (level >= 3 and rest[:1] and not rest[:1].isspace()):
        return None  # "#######" is text; "###x" too (levels 1 and 2 accept "##Term")
    return level, rest.strip().rstrip("#").rstrip()


def _split_list(value: str) -> list[str]:
    value = LINK.sub(lambda m: m.group(1) or m.group(2), value)
    return [v.strip().strip("*_`").strip() for v in re.split(r"[,;]", value) if v.strip().strip("*_`").strip()]


class _Section:
    def __init__(self, title: str, line: int):
        self.title = title
        self.line = line
        self.paragraphs: list[tuple[list[str], bool]] = []  # (lines, verbatim)
        self.labels: list[tuple[str, str, int, int]] = []  # (label, value, paragraph index, line)

    def text(self, paragraphs: list[tuple[list[str], bool]]) -> str:
        out = []
        for lines, verbatim in paragraphs:
            if verbatim or any(LIST_ITEM.match(line) for line in lines):
                out.append("\n".join(line.rstrip() for line in lines))
            else:
                out.append(" ".join(line.strip() for line in lines))
        return "\n\n".join(p for p in out if p.strip())


def _sections(path: Path, lines: list[str]) -> tuple[str | None, _Section, list[_Section]]:
    title: str | None = None
    preamble = _Section("", 0)
    sections: list[_Section] = []
    current = preamble
    para: list[str] = []
    fenced = False

    def flush(verbatim: bool = False) -> None:
        nonlocal para
        if para:
            current.paragraphs.append((para, verbatim))
            para = []

    for idx, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if fenced:
            para.append(line)
            if FENCE.match(line):
                fenced = False
                flush(verbatim=True)
            continue
        if FENCE.match(line):
            flush()
            para = [line]
            fenced = True
            continue
        h = heading(line)
        if h and h[0] == 2:
            flush()
            if not h[1]:
                raise DeckError("a '## ' heading needs a term after it", path=path, line=idx)
            current = _Section(h[1], idx)
            sections.append(current)
            continue
        if h and h[0] == 1 and title is None and not sections and line.lstrip().startswith("# "):
            flush()
            title = h[1] or None
            continue
        if not line.strip():
            flush()
            continue
        if h and h[0] >= 3 and h[1]:  # a sub-heading inside a term: its own paragraph of text
            flush()
            para = [h[1]]
            flush()
            continue
        label = LABEL.match(line)
        if label:
            flush()
            current.labels.append((label.group(1).lower(), label.group(2).strip(), len(current.paragraphs), idx))
            if label.group(1).lower() == "example" and label.group(2).strip():
                para = [label.group(2).strip()]
            continue
        para.append(line)
    if fenced:
        raise DeckError("a ``` code block is never closed", path=path, line=len(lines))
    flush()
    return title, preamble, sections


def parse(path: Path, options: ParseOptions = DEFAULT_OPTIONS) -> Parsed:  # noqa: ARG001 - the protocol's signature
    return Parsed(decks=[_deck(Path(path))])


def _deck(path: Path) -> Deck:
    text = read_text(path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title, preamble, sections = _sections(path, lines)
    if not sections:
        raise DeckError("no terms found: start each term with a '## Term' heading", path=path, line=1)
    terms: list[Term] = []
    seen: dict[str, int] = {}
    for s in sections:
        key = term_key(s.title)
        if key in seen:
            raise DeckError(
                f"duplicate term {one_line(s.title)!r} (first on line {seen[key]}); terms must be unique",
                path=path,
                line=s.line,
            )
        seen[key] = s.line
        related: list[str] = []
        tags: list[str] = []
        example_at: int | None = None
        for label, value, at, _line in s.labels:
            if label == "related":
                related += _split_list(value)
            elif label == "tags":
                tags += [t for v in _split_list(value) for t in v.split()]
            elif example_at is None:
                example_at = at
        body = s.paragraphs if example_at is None else s.paragraphs[:example_at]
        examples = [] if example_at is None else s.paragraphs[example_at:]
        if not body:
            raise DeckError(
                f"{one_line(s.title)!r} has no definition: write it as the first paragraph under the heading",
                path=path,
                line=s.line,
            )
        try:
            terms.append(
                Term(
                    term=s.title,
                    definition=s.text(body[:1]),
                    explanation=s.text(body[1:]) or None,
                    example=s.text(examples) or None,
                    related=related,
                    tags=tags,
                )
            )
        except ValidationError as e:
            raise DeckError(f"{one_line(s.title)[:60]!r}: {validation_problem(e)}", path=path, line=s.line) from None
    try:
        return Deck(name=title or path.stem or "glossary", description=preamble.text(preamble.paragraphs), terms=terms)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        raise DeckError(f"{where}: {err.get('msg', 'invalid')}", path=path, line=1) from None
