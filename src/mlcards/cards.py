"""What a card shows: fronts, backs and the related-concept multiple-choice question.

Pure and deterministic given a seed: no I/O, no clock. The questions themselves are built by
``mlcards.questions`` (re-exported here); the store supplies the deck's terms, links and typed relations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from mlcards import cloze
from mlcards.questions import MAX_CHOICES, MIN_CHOICES, MCQuestion, QuestionGraph
from mlcards.records import CardInfo, CardKind

__all__ = ["MAX_CHOICES", "MIN_CHOICES", "MCQuestion", "QuestionGraph", "back_sections", "build_question",
           "cloze_answer", "front", "prompt_label"]


class Brief(Protocol):
    id: int
    term: str
    definition: str
    key: str


def front(card: CardInfo) -> str:
    if card.kind is CardKind.REVERSE:
        return card.definition
    if card.kind is CardKind.CLOZE and card.cloze and card.ordinal is not None:
        return cloze.front(card.cloze, card.ordinal)  # deletion N blanked, the others filled in
    return card.term


def cloze_answer(card: CardInfo) -> str | None:
    """What a cloze card's blank holds (its deletion's answer texts), or None for any other card."""
    if card.kind is CardKind.CLOZE and card.cloze and card.ordinal is not None:
        return cloze.answer(card.cloze, card.ordinal) or None
    return None


def prompt_label(card: CardInfo) -> str:
    return {
        CardKind.RECALL: "What does this term mean?",
        CardKind.REVERSE: "Which term is this?",
        CardKind.RELATED: "Related concepts",
        CardKind.CONTRAST: "Often confused",
        CardKind.CLOZE: "Fill in the blank",
    }[card.kind]


def back_sections(card: CardInfo) -> list[tuple[str, str]]:
    """(label, text) pairs for the back of a card, in reading order."""
    sections: list[tuple[str, str]] = []
    if card.kind is CardKind.REVERSE:
        sections.append(("Term", card.term))
    elif card.kind is CardKind.CLOZE and card.cloze and card.ordinal is not None:
        sections.append(("Answer", cloze.back(card.cloze, card.ordinal)))  # the deletion marked «like this»
    else:
        sections.append(("Definition", card.definition))
    if card.explanation:
        sections.append(("In plain English", card.explanation))
    if card.example:
        sections.append(("Example", card.example))
    if card.related:
        sections.append(("Related", ", ".join(card.related)))
    return sections


def build_question(
    subject: int,
    terms: Mapping[int, Brief],
    adj: Mapping[int, set[int]],
    seed: object,
    *,
    typed: Mapping[str, Iterable[tuple[int, int]]] | None = None,
    turn: int | None = None,
) -> MCQuestion | None:
    """A related-concept question about term ``subject``, or None when the graph is too small.

    A one-off ``QuestionGraph`` (see ``mlcards.questions`` for the styles and how wrong options are
    chosen); callers asking many questions of one deck should build the graph once and keep it.
    """
    if subject not in terms:
        return None
    return QuestionGraph(terms, adj, typed).question(subject, seed, turn=turn)
