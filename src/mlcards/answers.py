"""Judging answers: typed terms (token by token, case- and accent-insensitive, aware of the deck's
other terms) and multiple choice.

Each judge suggests an SM-2 grade; the user can always override it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mlcards.text import one_line

if TYPE_CHECKING:
    from mlcards.records import CardInfo
    from mlcards.store import Store

FAST_SECONDS = 8.0
"""A right multiple-choice answer within this many seconds suggests 5, a slower one 4."""


def fold(text: str) -> str:
    """Lower-case, accents stripped, punctuation and spacing collapsed: 'Réseau-Neuronal' -> 'reseau neuronal'."""
    text = unicodedata.normalize("NFKD", one_line(text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() else " " for c in text)
    return " ".join(text.split())


# --- comparing names token by token ---------------------------------------------------------------

GRADE_FLOORS = ((100.0, 5), (90.0, 4), (75.0, 3), (50.0, 2))
"""Similarity (rapidfuzz ratio of the folded texts, 0-100) at or above which each grade is suggested;
below the last, anything typed is 1 and nothing typed is 0. Exact means equal token by token."""

PASS_SCORE = 75.0
"""The least similarity at which a typed answer counts as naming a term (grade 3 or better)."""

_ROMAN = {r: str(n) for n, r in enumerate(
    ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"), start=1)}
_ARTICLES = ("the", "a", "an")


@lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[str, ...]:
    """Folded tokens, letters and digits apart: 'L2-regularization' -> ('l', '2', 'regularization')."""
    return tuple(part for word in fold(text).split() for part in re.findall(r"\d+|\D+", word))


def _canon(token: str) -> str:
    """Roman numerals as numbers, so 'type II' and 'type 2' are the same answer."""
    return _ROMAN.get(token, token)


def distinguishing(token: str) -> bool:
    """A token that tells terms apart by itself: a number, a roman numeral or a single letter (L1/L2, type I/II)."""
    return token.isdigit() or token in _ROMAN or len(token) == 1


@dataclass(frozen=True)
class NameMatch:
    """How a typed answer compares with one name (a term or an alias)."""

    name: str
    score: float  # 0..100 (100 only when exact)
    exact: bool
    distinct: tuple[str, str] | None = None  # (typed, expected) tokens that differ and tell terms apart

    @property
    def strength(self) -> tuple[bool, float]:
        return (self.exact, self.score)

    @property
    def names_it(self) -> bool:
        """Would this answer pass for this name (a typo at worst)?"""
        return self.exact or (self.distinct is None and self.score >= PASS_SCORE)


def match_name(typed: tuple[str, ...], name: str) -> NameMatch:
    """Compare typed tokens with ``name``: exact (token by token, spacing and roman numerals ignored),
    else the similarity of the folded texts and the first difference in a distinguishing token."""
    want = tokens(name)
    if typed and typed[0] in _ARTICLES and (not want or want[0] != typed[0]) and len(typed) > 1:
        typed = typed[1:]  # "the kernel trick"
    a, b = [_canon(t) for t in typed], [_canon(t) for t in want]
    if a == b or "".join(typed) == "".join(want) or "".join(a) == "".join(b):
        return NameMatch(name, 100.0, True)
    from rapidfuzz import fuzz

    score = min(99.0, float(fuzz.ratio(" ".join(typed), " ".join(want))))
    distinct = None
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal" and any(distinguishing(t) for t in (*a[i1:i2], *b[j1:j2])):
            if "".join(a[i1:i2]) != "".join(b[j1:j2]):
                distinct = (" ".join(typed[i1:i2]) or "nothing", " ".join(want[j1:j2]) or "nothing")
                break
    return NameMatch(name, score, False, distinct)


def best_match(typed: tuple[str, ...], names: Iterable[str]) -> NameMatch | None:
    """The closest of ``names``: exact first, then by similarity (ties: no distinguishing difference first)."""
    matches = [match_name(typed, n) for n in names if n]
    if not matches:
        return None
    return max(matches, key=lambda m: (m.exact, m.score, m.distinct is None))


def grade_for(score: float) -> int:
    for floor, grade in GRADE_FLOORS:
        if score >= floor:
            return grade
    return 1


@dataclass(frozen=True)
class TypedVerdict:
    typed: str
    expected: str
    score: float  # 0..100
    grade: int
    diff: list[tuple[str, str]]  # (op, text): op is 'same', 'missing' (expected but not typed) or 'extra'
    matched: str = ""  # the name the answer was compared with: the term or one of its aliases
    other: str | None = None  # another term of the deck the answer names instead
    reason: str = ""  # why the grade is what it is, when the similarity alone would mislead

    @property
    def exact(self) -> bool:
        return self.score >= 100.0

    def marked(self) -> str:
        """The difference without colour: 'grad[-e-]i[+e+]nt descent' ([-typed, not in the answer-], [+missing+])."""
        return marked_diff(self.diff)


def judge_typed(
    typed: str,
    expected: str,
    aliases: Sequence[str] = (),
    others: Iterable[tuple[str, Sequence[str]]] = (),
) -> TypedVerdict:
    """Compare a typed answer with the expected term (or any of its aliases) and suggest a grade.

    Exact (token by token, ignoring case, accents, hyphens, punctuation and spacing) -> 5; otherwise the
    similarity picks the grade (``GRADE_FLOORS``: >= 90 -> 4, a typo; >= 75 -> 3; >= 50 -> 2; else 1),
    with two exceptions that make it 1 whatever the similarity:

    - the answer differs in a number, roman numeral or single letter (L1 for L2, type I for type II):
      that is a different thing, never a typo;
    - the answer names another term of the deck (``others``: its (term, aliases) pairs) at least as
      well as the expected one: ``underfitting`` for overfitting, ``encoder`` for decoder.
    """
    shown = one_line(typed)
    typed_tokens = tokens(typed)
    names = [expected, *[a for a in aliases if a]]
    if not typed_tokens:
        return TypedVerdict(shown, expected, 0.0, 0, char_diff(shown, expected), expected)
    best = best_match(typed_tokens, names)
    assert best is not None
    if best.exact:  # spacing, hyphens, case, accents or II/2 only: nothing to show as a difference
        return TypedVerdict(shown, expected, 100.0, 5, [("same", best.name)], best.name)
    diff = char_diff(shown, best.name)
    rival: tuple[str, NameMatch] | None = None
    for term, term_aliases in others:
        m = best_match(typed_tokens, [term, *term_aliases])
        if m is not None and m.names_it and (rival is None or m.strength > rival[1].strength):
            rival = (term, m)
    if rival is not None and rival[1].strength >= best.strength:
        term, m = rival
        named = repr(term) if m.name == term else f"{m.name!r} ({term!r})"
        said = f"you typed {named}" if m.exact else f"{shown!r} is closest to {named}"
        return TypedVerdict(shown, expected, best.score, 1, diff, best.name, other=term,
                            reason=f"{said}, a different term")
    if best.distinct is not None:
        got, want = best.distinct
        return TypedVerdict(shown, expected, best.score, 1, diff, best.name,
                            reason=f"{got!r} where the answer has {want!r}: that names a different thing, not a typo")
    return TypedVerdict(shown, expected, best.score, grade_for(best.score), diff, best.name)


def marked_diff(diff: list[tuple[str, str]]) -> str:
    """``[-extra-]`` for what was typed but is not in the answer, ``[+missing+]`` for what is missing."""
    out = []
    for op, text in diff:
        out.append(text if op == "same" else f"[-{text}-]" if op == "extra" else f"[+{text}+]")
    return "".join(out)


@dataclass(frozen=True)
class _DeckNames:
    """One deck's names, with what finding rivals needs computed once."""

    terms: list[tuple[int, str, tuple[str, ...]]]  # (term id, term, aliases)
    joined: list[str]  # each name's folded tokens joined by spaces (what match_name scores)
    owner: list[int]  # the index in ``terms`` of each name
    exact: dict[str, set[int]]  # each name's tokens run together (as typed, roman numerals as numbers) -> terms


def _deck_names(terms: list[tuple[int, str, tuple[str, ...]]]) -> _DeckNames:
    joined, owner, exact = [], [], dict[str, set[int]]()
    for i, (_, term, aliases) in enumerate(terms):
        for name in (term, *aliases):
            if not name:
                continue
            toks = tokens(name)
            joined.append(" ".join(toks))
            owner.append(i)
            exact.setdefault("".join(toks), set()).add(i)
            exact.setdefault("".join(_canon(t) for t in toks), set()).add(i)
    return _DeckNames(terms, joined, owner, exact)


class AnswerNames:
    """The deck's names for judging typed answers, read from the store once per deck per session."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._decks: dict[int, _DeckNames] = {}
        self._generation = 0  # moves on forget(), so a load begun before it is not kept

    def _names(self, deck_id: int) -> _DeckNames:
        names = self._decks.get(deck_id)
        if names is None:
            names = self._decks[deck_id] = _deck_names(self.store.answer_names(deck_id))
        return names

    def load(self, deck_id: int, store: Store) -> None:
        """Read a deck's names ahead of the first typed answer (a worker thread passes its own
        connection: a 13,000-term deck takes about 0.3 s to read and index)."""
        generation = self._generation
        if deck_id not in self._decks:
            names = _deck_names(store.answer_names(deck_id))
            if generation == self._generation:
                self._decks[deck_id] = names

    def others(self, card: CardInfo) -> list[tuple[str, tuple[str, ...]]]:
        return [(term, aliases) for tid, term, aliases in self._names(card.deck_id).terms if tid != card.term_id]

    def rivals(self, typed: str, card: CardInfo) -> list[tuple[str, tuple[str, ...]]]:
        """The other terms of the deck that ``typed`` could name: those with a name equal to it token by
        token or scoring at least ``PASS_SCORE`` against it, the only ones ``judge_typed`` can take for
        the term meant. One rapidfuzz pass over the deck instead of a comparison per term (a 13,000-term
        deck: about 0.5 s -> a few ms); the same verdicts as judging against ``others``."""
        from rapidfuzz import fuzz, process

        names = self._names(card.deck_id)
        typed_tokens = tokens(typed)
        variants = [typed_tokens]
        if len(typed_tokens) > 1 and typed_tokens[0] in _ARTICLES:
            variants.append(typed_tokens[1:])  # match_name drops a leading article
        found: set[int] = set()
        for v in variants:
            found |= names.exact.get("".join(v), set()) | names.exact.get("".join(_canon(t) for t in v), set())
            for _, _, at in process.extract(" ".join(v), names.joined, scorer=fuzz.ratio, processor=None,
                                            score_cutoff=PASS_SCORE, limit=None):
                found.add(names.owner[at])
        return [(term, aliases) for i, (tid, term, aliases) in enumerate(names.terms)
                if i in found and tid != card.term_id]

    def judge(self, typed: str, card: CardInfo) -> TypedVerdict:
        """``judge_typed`` for a card: its term and aliases against the other terms of its deck."""
        def rivals() -> Iterator[tuple[str, tuple[str, ...]]]:  # only looked for when the answer is not exact
            yield from self.rivals(typed, card)

        return judge_typed(typed, card.term, card.aliases, rivals())

    def forget(self) -> None:
        """Drop what was read (after an edit or an import changed the deck's names)."""
        self._generation += 1
        self._decks.clear()


def _fold_chars(text: str) -> list[str]:
    """One folded character per input character (case and accents ignored, any punctuation or space
    alike), so indexes line up and 'z score' shows no difference from 'z-score'."""
    out = []
    for c in text:
        f = unicodedata.normalize("NFKD", c)[:1].casefold() or c
        out.append(f if f.isalnum() else " ")
    return out


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
