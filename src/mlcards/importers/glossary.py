"""Glossary pages (``.txt``): text copied from a web glossary, one or more pages per file.

A page looks like this (every part after the definition is optional except the
``explained in plain English`` line, which is what marks a page)::

    What is a tokenizer?                      <- heading: What is/are [a|an] TERM?
    A component that splits raw text ...      <- definition (one or more lines)
    tokenizer explained in plain English      <- section heading
    A component that splits raw text ... More sentences.   <- explanation; its leading repeat of
    ... --- See Some Course for more information.            the definition and a trailing
                                                             "--- See ... for more information."
                                                             pointer are dropped
    Example                                   <- optional section
    A tokenizer turns "unhappy" into ...
    People also read                          <- optional list of related terms
    - vocabulary                              <- "- term" line
    The set of tokens a model knows.          <- that term's definition

One page yields the main term plus each related term (with its short definition), all linked to
the main term. Pages are merged by term: a page for a term met earlier only in a "People also
read" list fills in its explanation and example. ``parse`` returns this format in ``enrich``
mode, so such a page also enriches a term already in the database without touching its progress.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from mlcards.errors import DeckError
from mlcards.importers.base import DEFAULT_OPTIONS, Parsed, ParseOptions
from mlcards.importers.common import read_text, validation_problem
from mlcards.models import Deck, Term
from mlcards.text import one_line, term_key

# The line patterns are matched with string methods, not regular expressions: patterns such as
# ``^\s*(.+?)\s+explained...`` or ``(\S.*?)\s*$`` backtrack quadratically (or worse) on lines
# padded with thousands of spaces, and a glossary page is text pasted from anywhere.


def _heading(line: str) -> tuple[str, str] | None:
    """``What is|are [a|an] TERM?`` -> (verb, subject), else None."""
    text = line.strip()
    if not text.endswith("?"):
        return None
    text = text[:-1].rstrip()
    if text[:4].lower() != "what" or not text[4:5].isspace():
        return None
    rest = text[4:].lstrip()
    for verb in ("is", "are"):
        if rest[: len(verb)].lower() == verb and rest[len(verb) : len(verb) + 1].isspace():
            subject = rest[len(verb) :].strip()
            return (rest[: len(verb)], subject) if subject else None
    return None


def _explained(line: str) -> str | None:
    """``TERM explained in plain English[:]`` -> TERM, else None."""
    text = line.strip()
    if text.endswith(":"):
        text = text[:-1].rstrip()
    parts = text.rsplit(None, 4)
    if len(parts) == 5 and [p.lower() for p in parts[1:]] == ["explained", "in", "plain", "english"]:
        return parts[0]
    return None


def _is_label(line: str, *words: str) -> bool:
    """Is the line just these words (any spacing and case), with an optional colon at the end?"""
    text = line.strip()
    if text.endswith(":"):
        text = text[:-1]
    return [w.lower() for w in text.split()] == list(words)


def _is_example(line: str) -> bool:
    return _is_label(line, "example") or _is_label(line, "examples")


def _is_also_read(line: str) -> bool:
    return _is_label(line, "people", "also", "read")


def _item(line: str) -> str | None:
    """``- term`` (or a bullet or en dash) -> term, else None."""
    text = line.lstrip()
    if text[:1] and text[:1] in "-\u2022\u2013*" and text[1:2].isspace():
        return text[1:].strip() or None
    return None


_POINTER_TAIL = re.compile(r"(?<!\w)for\s+more\s+information\.?$", re.IGNORECASE)
_POINTER_HEAD = re.compile(r"(?<!-)-{2,}\s*see\b", re.IGNORECASE)  # starts only at the first dash of a run


def _drop_pointer(text: str) -> str:
    """Remove a trailing ``--- See ... for more information.`` pointer (on the last line)."""
    start = text.rfind("\n") + 1
    last = text[start:].rstrip()
    tail = _POINTER_TAIL.search(last)
    if tail is None:
        return text
    head = _POINTER_HEAD.search(last)
    if head is None or head.end() > tail.start():
        return text
    return text[: start + head.start()]


MAX_TERM_CHARS = 500
LOOKAHEAD = 30
"""How many lines after a heading the ``explained in plain English`` line may come."""


def _lines(text: str) -> list[str]:
    """Physical lines, right-stripped (CRLF, CR and LF all end a line)."""
    return [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _explained_line(lines: list[str], heading: int) -> int | None:
    """Index of the ``... explained in plain English`` line belonging to the heading at ``heading``."""
    for k in range(heading + 1, min(len(lines), heading + 1 + LOOKAHEAD)):
        line = lines[k]
        if _explained(line) is not None:
            return k
        if _heading(line) or _is_also_read(line) or _is_example(line):
            return None
    return None


def sniff(head: str) -> bool:
    """Does this text hold at least one glossary page? (Decides between this format and Anki text.)"""
    lines = _lines(head)
    return any(_heading(line) and _explained_line(lines, i) is not None for i, line in enumerate(lines))


@dataclass
class _Entry:
    term: str
    definition: str
    line: int
    main: bool = False
    explanation: str | None = None
    example: str | None = None
    related: list[str] = field(default_factory=list)


def _block(lines: list[str]) -> str:
    """Join section lines: surrounding blank lines dropped, runs of blank lines kept as one."""
    out: list[str] = []
    for line in lines:
        line = line.strip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


_SPACE_RUN = re.compile(r"\s*")


def _drop_repeat(explanation: str, definition: str) -> str:
    """Remove the definition when the explanation starts by repeating it (whitespace-insensitive)."""
    words = definition.split()
    if not words:
        return explanation
    pos = 0
    for n, word in enumerate(words):
        space = _SPACE_RUN.match(explanation, pos)  # r'\s*' matches everywhere
        start = space.end() if space is not None else pos
        if (n and start == pos) or not explanation.startswith(word, start):
            return explanation
        pos = start + len(word)
    if pos < len(explanation) and not explanation[pos].isspace():
        return explanation
    return explanation[pos:].strip()


def _singulars(plural: str) -> list[str]:
    """Candidate singular forms of a plural noun phrase (its last word changes)."""
    head, _, last = plural.rpartition(" ")
    prefix = head + " " if head else ""
    low = last.lower()
    out: list[str] = []
    if low.endswith("ies") and len(last) > 4:
        out.append(last[:-3] + ("Y" if last[-3:].isupper() else "y"))
    if re.search(r"(ss|x|z|ch|sh)es$", low):
        out.append(last[:-2])
    if low.endswith("s") and not low.endswith("ss") and len(last) > 2:
        out.append(last[:-1])
    return [prefix + s for s in out]


def _whole_phrase(phrase: str, text: str) -> bool:
    words = phrase.split()
    if len(phrase) > MAX_TERM_CHARS:  # no such term (it would be refused): skip an O(len * len) search
        return False
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _main_term(verb: str, subject: str, explained: str, page_text: str) -> str:
    """The term a heading names: articles dropped; a plural made singular only when the page supports it."""
    term = subject
    if verb.lower() == "is":
        term = re.sub(r"^(an?)\s+", "", term, flags=re.IGNORECASE)
        if re.match(r"the\s", term, re.IGNORECASE) and not re.match(r"the\s", explained, re.IGNORECASE):
            term = term[4:].lstrip()
        return term
    term = re.sub(r"^the\s+", "", term, flags=re.IGNORECASE)
    candidates = _singulars(term)
    for singular in candidates:  # the page's own "X explained in plain English" line is the best evidence
        if term_key(singular) == term_key(explained):
            return singular
    for singular in candidates:
        if _whole_phrase(singular, page_text):
            return singular
    return term


def _parse_related(path: Path, lines: list[str], start: int, end: int) -> list[tuple[str, str, int]]:
    """``- term`` lines each followed by a definition: returns (term, definition, line number) triples."""
    items: list[tuple[str, list[str], int]] = []
    for idx in range(start, end):
        line = lines[idx]
        if not line.strip():
            continue
        item = _item(line)
        if item and (not items or items[-1][1]):
            items.append((item, [], idx + 1))
        elif items:
            items[-1][1].append(line.strip())
        else:
            raise DeckError(
                "expected a '- term' line after 'People also read'; list each related term as '- term' "
                "with its definition on the next line",
                path=path,
                line=idx + 1,
            )
    out = []
    for term, definition, line_no in items:
        if not definition:
            raise DeckError(
                f"related term {one_line(term)!r} has no definition; put it on the line after '- {one_line(term)}'",
                path=path,
                line=line_no,
            )
        out.append((term, " ".join(definition), line_no))
    return out


def _page_starts(lines: list[str]) -> list[tuple[int, int]]:
    starts = []
    for i, line in enumerate(lines):
        if _heading(line):
            k = _explained_line(lines, i)
            if k is not None:
                starts.append((i, k))
    return starts


def parse(path: Path, options: ParseOptions = DEFAULT_OPTIONS) -> Parsed:  # noqa: ARG001 - the protocol's signature
    """The file's pages as one deck named after the file, in ``enrich`` mode."""
    return Parsed(decks=[_deck(Path(path))], mode="enrich")


def _deck(path: Path) -> Deck:
    text = read_text(path)
    lines = _lines(text)
    starts = _page_starts(lines)
    if not starts:
        raise DeckError(
            "no glossary page found: a page starts with a 'What is ...?' heading, then the definition, "
            "then a '... explained in plain English' line",
            path=path,
            line=1,
        )
    entries: dict[str, _Entry] = {}
    for n, (i, k) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        _parse_page(path, lines, i, k, end, entries)
    terms = []
    for entry in entries.values():
        try:
            terms.append(
                Term(
                    term=entry.term,
                    definition=entry.definition,
                    explanation=entry.explanation,
                    example=entry.example,
                    related=entry.related,
                )
            )
        except ValidationError as e:
            raise DeckError(f"term {one_line(entry.term)[:60]!r}: {validation_problem(e)}", path=path, line=entry.line) from None
    try:
        return Deck(name=path.stem or "glossary", terms=terms)
    except ValidationError as e:
        raise DeckError(e.errors(include_url=False)[0].get("msg", "invalid deck"), path=path) from None


def _parse_page(path: Path, lines: list[str], i: int, k: int, end: int, entries: dict[str, _Entry]) -> None:
    heading = _heading(lines[i])
    explained_subject = _explained(lines[k])
    assert heading is not None and explained_subject is not None
    verb, subject = heading
    definition = _block(lines[i + 1 : k])
    if not definition:
        raise DeckError(
            f"the page for {one_line(subject)!r} has no definition: put it between the heading (line {i + 1}) "
            "and this line",
            path=path,
            line=k + 1,
        )
    sections: dict[str, list[str]] = {"explanation": [], "example": []}
    current = "explanation"
    related_start = end
    for idx in range(k + 1, end):
        line = lines[idx]
        if _is_also_read(line):
            related_start = idx + 1
            break
        if current == "explanation" and _is_example(line):
            current = "example"
            continue
        sections[current].append(line)
    explanation = _drop_pointer(_drop_repeat(_block(sections["explanation"]), definition)).strip()
    example = _block(sections["example"])
    related = _parse_related(path, lines, related_start, end) if related_start < end else []

    page_text = "\n".join([definition, explanation, example])
    term = _main_term(verb, subject, explained_subject, page_text)
    key = term_key(term)
    main = entries.get(key)
    if main is None:
        main = entries[key] = _Entry(term=term, definition=definition, line=i + 1, main=True)
    elif not main.main:  # met earlier only as a related entry: this page is the full story
        main.term, main.definition, main.line, main.main = term, definition, i + 1, True
    main.explanation = main.explanation or explanation or None
    main.example = main.example or example or None
    for rel_term, rel_definition, line_no in related:
        rel_key = term_key(rel_term)
        if not rel_key or rel_key == key:
            continue
        if all(term_key(r) != rel_key for r in main.related):
            main.related.append(rel_term)
        entry = entries.get(rel_key)
        if entry is None:
            entry = entries[rel_key] = _Entry(term=rel_term, definition=rel_definition, line=line_no)
        if all(term_key(r) != key for r in entry.related):
            entry.related.append(term)
