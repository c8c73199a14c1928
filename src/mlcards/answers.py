"""Judging answers: typed terms (fuzzy, case- and accent-insensitive) and multiple choice.

Each judge suggests an SM-2 grade; the user can always override it.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from mlcards.text import one_line

FAST_SECONDS = 8.0
"""A right multiple-choice answer within this many seconds suggests 5, a slower one 4."""


def fold(text: str) -> str:
    """Lower-case, accents stripped, punctuation and spacing collapsed: 'Réseau-Neuronal' -> 'reseau neuronal'."""
    text = unicodedata.normalize("NFKD", one_line(text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() else " " for c in text)
    return " ".join(text.split())


@dataclass(frozen=True)
class TypedVerdict:
    typed: str
    expected: str
    score: float  # 0..100
    grade: int
    diff: list[tuple[str, str]]  # (op, text): op is 'same', 'missing' (expected but not typed) or 'extra'

    @property
    def exact(self) -> bool:
        return self.score >= 100.0


def judge_typed(typed: str, expected: str) -> TypedVerdict:
    """Compare a typed answer with the expected term and suggest a grade.

    100 -> 5, >= 90 -> 4 (a typo), >= 75 -> 3 (close), >= 50 -> 2, anything typed -> 1, nothing -> 0.
    """
    from rapidfuzz import fuzz

    a, b = fold(typed), fold(expected)
    if not a:
        score = 0.0
    elif a == b:
        score = 100.0
    else:
        score = min(99.0, float(fuzz.ratio(a, b)))
    if score >= 100:
        grade = 5
    elif score >= 90:
        grade = 4
    elif score >= 75:
        grade = 3
    elif score >= 50:
        grade = 2
    elif a:
        grade = 1
    else:
        grade = 0
    return TypedVerdict(one_line(typed), expected, score, grade, char_diff(one_line(typed), expected))


def _fold_chars(text: str) -> list[str]:
    """One folded character per input character (case and accents ignored), so indexes line up."""
    return [unicodedata.normalize("NFKD", c)[:1].casefold() or c for c in text]


def char_diff(typed: str, expected: str) -> list[tuple[str, str]]:
    """Character runs of what matched, what was missing and what was extra (case- and accent-insensitive)."""
    sm = difflib.SequenceMatcher(a=_fold_chars(typed), b=_fold_chars(expected), autojunk=False)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(("same", expected[j1:j2]))
        else:
            if i2 > i1:
                out.append(("extra", typed[i1:i2]))
            if j2 > j1:
                out.append(("missing", expected[j1:j2]))
    return out


def suggest_mc_grade(correct: bool, seconds: float | None) -> int:
    """Right and quick: 5; right but slow: 4; wrong: 1 (the answer is recognised once shown)."""
    if not correct:
        return 1
    if seconds is not None and seconds > FAST_SECONDS:
        return 4
    return 5
