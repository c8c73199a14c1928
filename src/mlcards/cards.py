"""What a card shows: fronts, backs and the related-concept multiple-choice question.

Pure and deterministic given a seed: no I/O, no clock. The store supplies the deck's related-term
graph (undirected) as ``terms`` (id -> brief) and ``adj`` (id -> neighbour ids).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from mlcards.models import CardInfo, CardKind

MAX_CHOICES = 4
MIN_CHOICES = 2


class Brief(Protocol):
    id: int
    term: str
    definition: str
    key: str


@dataclass(frozen=True)
class MCQuestion:
    """A multiple-choice question: ``choices[answer]`` is the right one."""

    style: str  # 'define' (which term is this?) or 'link' (which of these is related to X?)
    prompt: str
    choices: tuple[str, ...]
    answer: int
    subject_id: int  # the term the card belongs to
    choice_ids: tuple[int, ...] = ()

    def is_correct(self, index: int) -> bool:
        return index == self.answer


def front(card: CardInfo) -> str:
    if card.kind is CardKind.REVERSE:
        return card.definition
    return card.term


def prompt_label(card: CardInfo) -> str:
    return {
        CardKind.RECALL: "What does this term mean?",
        CardKind.REVERSE: "Which term is this?",
        CardKind.RELATED: "Related concepts",
    }[card.kind]


def back_sections(card: CardInfo) -> list[tuple[str, str]]:
    """(label, text) pairs for the back of a card, in reading order."""
    sections: list[tuple[str, str]] = []
    if card.kind is CardKind.REVERSE:
        sections.append(("Term", card.term))
    else:
        sections.append(("Definition", card.definition))
    if card.explanation:
        sections.append(("In plain English", card.explanation))
    if card.example:
        sections.append(("Example", card.example))
    if card.related:
        sections.append(("Related", ", ".join(card.related)))
    return sections


def _distinct(candidates: Sequence[int], terms: Mapping[int, Brief], taken: set[str]) -> list[int]:
    out = []
    for tid in candidates:
        label = terms[tid].term.casefold()
        if label not in taken:
            taken.add(label)
            out.append(tid)
    return out


def build_question(
    subject: int, terms: Mapping[int, Brief], adj: Mapping[int, set[int]], seed: object
) -> MCQuestion | None:
    """A related-concept question about term ``subject``, or None when the graph is too small.

    Two styles, picked by the seed:
    - define: the subject's definition; which term is it? Wrong choices are its graph neighbours
      (then second-degree neighbours), so they are genuinely confusable.
    - link: which of these is related to the subject? One neighbour is right; wrong choices are
      terms not linked to it, second-degree neighbours first.
    Choices are shuffled, never repeat, and number 2 to 4.
    """
    if subject not in terms:
        return None
    rng = random.Random(str(seed))
    neighbours = sorted(n for n in adj.get(subject, ()) if n in terms)
    if not neighbours:
        return None
    second = sorted({m for n in neighbours for m in adj.get(n, ()) if m in terms} - set(neighbours) - {subject})
    styles = ["define", "link"]
    rng.shuffle(styles)
    for style in styles:
        q = _define(subject, neighbours, second, terms, rng) if style == "define" else _link(
            subject, neighbours, second, terms, rng
        )
        if q is not None:
            return q
    return None


def _define(subject, neighbours, second, terms, rng) -> MCQuestion | None:
    taken = {terms[subject].term.casefold()}
    pool = _distinct(rng.sample(neighbours, len(neighbours)), terms, taken)
    pool += _distinct(rng.sample(second, len(second)), terms, taken)
    wrong = pool[: MAX_CHOICES - 1]
    if len(wrong) + 1 < MIN_CHOICES:
        return None
    return _finish("define", f"Which term does this describe?\n\n{terms[subject].definition}", subject, subject, wrong, terms, rng)


def _link(subject, neighbours, second, terms, rng) -> MCQuestion | None:
    right = rng.choice(neighbours)
    taken = {terms[subject].term.casefold(), terms[right].term.casefold()}
    linked = set(neighbours) | {subject}
    others = [t for t in terms if t not in linked and t not in second]
    pool = _distinct(rng.sample(second, len(second)), terms, taken)
    if len(pool) < MAX_CHOICES - 1:
        pool += _distinct(rng.sample(others, min(len(others), 12)), terms, taken)
    wrong = pool[: MAX_CHOICES - 1]
    if len(wrong) + 1 < MIN_CHOICES:
        return None
    return _finish("link", f"Which of these is related to “{terms[subject].term}”?", subject, right, wrong, terms, rng)


def _finish(style, prompt, subject, right, wrong, terms, rng) -> MCQuestion:
    ids = [right, *wrong]
    rng.shuffle(ids)
    return MCQuestion(
        style=style,
        prompt=prompt,
        choices=tuple(terms[i].term for i in ids),
        answer=ids.index(right),
        subject_id=subject,
        choice_ids=tuple(ids),
    )
