"""Anki's cloze syntax: ``{{c1::answer}}``, ``{{c1::answer::hint}}``, several indexes (c1, c2, ...).

Pure text functions: what a cloze card shows (``front``: deletion N blanked, the others filled in;
``back``: deletion N marked), the answer of a deletion, and the whole text filled in (a cloze term's
definition). Braces inside a deletion nest (``{{c1::\\frac{a}{b}}}`` is one deletion, answer
``\\frac{a}{b}``; a deletion inside another is filled in where the outer one is shown). A ``{{cN::``
that is never closed stays as text: ``parse`` reports it in ``problems``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_OPEN = re.compile(r"\{\{c(\d+)::", re.IGNORECASE)

BLANK = "[...]"
MARK_OPEN, MARK_CLOSE = "«", "»"
JOIN = " / "


@dataclass(frozen=True)
class Deletion:
    index: int
    answer: "Parsed"  # the deletion's text, itself parsed (a deletion may hold deletions)
    hint: str | None = None


@dataclass(frozen=True)
class Parsed:
    parts: tuple[str | Deletion, ...]
    problems: tuple[str, ...] = field(default=())

    def indexes(self) -> list[int]:
        """The distinct deletion indexes, ascending (nested deletions included)."""
        found: set[int] = set()
        for p in self.parts:
            if isinstance(p, Deletion):
                found.add(p.index)
                found.update(p.answer.indexes())
        return sorted(found)


def _close(text: str, start: int) -> int | None:
    """Where the ``}}`` closing a deletion whose content begins at ``start`` is (braces nest)."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i if text.startswith("}}", i) else None
            depth -= 1
        i += 1
    return None


def _split_hint(content: str) -> tuple[str, str | None]:
    """``answer::hint``: the last ``::`` outside braces separates a hint."""
    depth = 0
    cut = None
    for i, c in enumerate(content):
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and content.startswith("::", i):
            cut = i
    if cut is None:
        return content, None
    return content[:cut], content[cut + 2 :]


def parse(text: str) -> Parsed:
    parts: list[str | Deletion] = []
    problems: list[str] = []
    pos = 0
    plain = ""
    while True:
        m = _OPEN.search(text, pos)
        if m is None:
            plain += text[pos:]
            break
        end = _close(text, m.end())
        if end is None:  # never closed: kept as text
            problems.append(f"{m.group(0)!r} is never closed with '}}}}'; kept as text")
            plain += text[pos : m.end()]
            pos = m.end()
            continue
        plain += text[pos : m.start()]
        if plain:
            parts.append(plain)
            plain = ""
        answer, hint = _split_hint(text[m.end() : end])
        inner = parse(answer)
        problems.extend(inner.problems)
        hint = hint.strip() if hint is not None else None
        parts.append(Deletion(int(m.group(1)), inner, hint or None))
        pos = end + 2
    if plain:
        parts.append(plain)
    return Parsed(tuple(parts), tuple(problems))


def _render(parsed: Parsed, index: int | None, how: str) -> str:
    out: list[str] = []
    for p in parsed.parts:
        if isinstance(p, str):
            out.append(p)
        elif p.index == index and how == "blank":
            out.append(f"[{p.hint}]" if p.hint else BLANK)
        elif p.index == index and how == "mark":
            out.append(MARK_OPEN + _render(p.answer, None, "fill") + MARK_CLOSE)
        else:
            out.append(_render(p.answer, index, how))
    return "".join(out)


def indexes(text: str) -> list[int]:
    return parse(text).indexes()


def fill(text: str) -> str:
    """The text with every deletion filled in (a cloze term's definition)."""
    return _render(parse(text), None, "fill")


def front(text: str, index: int) -> str:
    """Deletion ``index`` blanked (``[...]``, or ``[hint]``), every other deletion filled in."""
    return _render(parse(text), index, "blank")


def back(text: str, index: int) -> str:
    """The full text with deletion ``index`` marked ``«like this»``."""
    return _render(parse(text), index, "mark")


def answers(text: str, index: int) -> list[str]:
    """The answer texts of deletion ``index``, in order (one per occurrence, duplicates dropped)."""
    found: list[str] = []

    def walk(parsed: Parsed) -> None:
        for p in parsed.parts:
            if isinstance(p, Deletion):
                if p.index == index:
                    a = " ".join(_render(p.answer, None, "fill").split())
                    if a and a not in found:
                        found.append(a)
                else:
                    walk(p.answer)

    walk(parse(text))
    return found


def answer(text: str, index: int) -> str:
    """Deletion ``index``'s answer: its answer texts joined with `` / ``."""
    return JOIN.join(answers(text, index))


def term_for(text: str) -> str:
    """A cloze note's term: the answer of its lowest index ('' when it has no deletion)."""
    found = indexes(text)
    return answer(text, found[0]) if found else ""
