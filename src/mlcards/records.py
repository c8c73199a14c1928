"""The plain records the core passes around: card kinds and states, the cards and answers the store hands
out, and the names of the link fields. No pydantic here: opening a database and showing a card never pay
for the deck-file schema (``mlcards.models``), which only imports and edits need.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from mlcards.schedulers.sm2 import SM2State
from mlcards.text import term_key

RELATION_KINDS = ("is_a", "part_of", "contrasts_with", "same_as", "used_for")
"""Typed links beside ``related``, in file order. ``is_a``/``part_of``/``used_for`` go from this term to
the other ("Adam" is_a "optimizer"); ``contrasts_with`` and ``same_as`` are symmetric, like ``related``.
For the undirected link graph (related-concept questions) every kind counts as a plain link."""

LINK_FIELDS = ("related", *RELATION_KINDS)
"""Every field that names other terms."""

TERM_FIELDS = ("term", "aliases", "definition", "explanation", "example", *LINK_FIELDS, "tags", "cloze")



def name_clash(entries: Iterable[tuple[str, Sequence[str]]]) -> tuple[int, str] | None:
    """The first alias that is another entry's name or alias, over ``(term, aliases)`` pairs.

    Returns ``(index of the entry whose alias clashes, message naming both)``, or None.
    """
    entries = list(entries)
    owner: dict[str, tuple[int, str]] = {term_key(term): (i, "") for i, (term, _) in enumerate(entries)}
    for i, (_term, aliases) in enumerate(entries):
        for alias in aliases:
            k = term_key(alias)
            if k in owner and owner[k][0] != i:
                j, as_alias = owner[k]
                other = entries[j][0]
                what = f"an alias of {other!r}" if as_alias else f"the term {other!r}"
                return i, f"alias {alias!r} is already {what}; a typed name must point at one term"
            owner.setdefault(k, (i, alias))
    return None


def related_graph(edges: Iterable[tuple[str, Iterable[str]]]) -> dict[str, set[str]]:
    """Build an undirected adjacency map from ``(key, [related keys])`` pairs, dropping dangling links."""
    pairs = list(edges)
    graph: dict[str, set[str]] = {k: set() for k, _ in pairs}
    for k, rel in pairs:
        for r in rel:
            if r in graph and r != k:
                graph[k].add(r)
                graph[r].add(k)
    return graph


class CardKind(str, enum.Enum):
    """The three cards a term can give, and the contrast card a confused pair of terms gets."""

    RECALL = "recall"  # term -> definition (explanation and example on the back)
    REVERSE = "reverse"  # definition -> term (can be answered by typing)
    RELATED = "related"  # multiple choice over the related-term graph
    CONTRAST = "contrast"  # a pair confused twice on multiple choice: which of the two is this?
    CLOZE = "cloze"  # a cloze term's text with deletion N blanked (one card per index: CardInfo.ordinal)

    def __str__(self) -> str:
        return self.value


class CardState(enum.StrEnum):
    """Where a card stands today, as browse, the term screen and stats name it (values are the stored strings)."""

    NEW = "new"  # never answered
    LEARNING = "learning"  # answered, but its last grade sent it back to the start (repetitions == 0)
    DUE = "due"  # due today or overdue
    SCHEDULED = "scheduled"  # due on a later day
    SUSPENDED = "suspended"
    LEECH = "leech"  # lapsed too often: tagged leech and suspended
    BURIED = "buried"  # put off until tomorrow


class ReviewKind(enum.StrEnum):
    """The ``kind`` of a review-log row (values are the stored strings)."""

    NEW = "new"  # a card's first answer
    REVIEW = "review"  # the first answer of a study day to a card studied before
    REDRILL = "redrill"  # any later answer the same study day: logged, the schedule is kept
    PRACTICE = "practice"  # an answer in practice (practice_log, never review_log): the schedule is kept


def card_state(card: "CardInfo", today: date) -> CardState:
    """A card's state on ``today`` (the same order as browse's SQL: leech, suspended, new, learning, due)."""
    st = card.state
    if card.leech:
        return CardState.LEECH
    if card.suspended:
        return CardState.SUSPENDED
    if st.due is None:
        return CardState.NEW
    if st.repetitions == 0:
        return CardState.LEARNING
    return CardState.DUE if st.due <= today else CardState.SCHEDULED


def is_buried(card: "CardInfo", today: date) -> bool:
    return card.buried_until is not None and card.buried_until > today


CARD_ORDER = {CardKind.RECALL: 0, CardKind.CLOZE: 1, CardKind.REVERSE: 1, CardKind.RELATED: 2, CardKind.CONTRAST: 3}

GRADE_MEANINGS = {
    5: "perfect response",
    4: "correct after a hesitation",
    3: "correct with serious difficulty",
    2: "wrong; the answer seemed easy",
    1: "wrong; remembered on seeing it",
    0: "complete blackout",
}
"""SM-2's meaning of each grade, shown next to the keys."""

GRADE_SHORT = {5: "perfect", 4: "hesitant", 3: "hard", 2: "wrong·easy", 1: "wrong·knew", 0: "blackout"}
"""Short labels for the grade bar; the help screen shows the full meanings."""


# --- value types the store hands to the rest of the core -----------------------------------------

@dataclass(frozen=True)
class CardInfo:
    """One card joined with its term and deck: everything a front end needs to show it."""

    id: int
    kind: CardKind
    term_id: int
    deck_id: int
    deck: str
    term: str
    definition: str
    explanation: str | None
    example: str | None
    related: tuple[str, ...]
    tags: tuple[str, ...]
    state: SM2State
    lapses: int = 0
    suspended: bool = False
    leech: bool = False
    buried_until: date | None = None
    reviews: int = 0
    pair_term_id: int | None = None  # a contrast card's other term
    aliases: tuple[str, ...] = ()
    relations: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (kind, names) for each non-empty typed relation
    cloze: str | None = None  # the term's cloze text (Term.cloze)
    ordinal: int | None = None  # a cloze card's deletion index (1 for c1)

    @property
    def is_new(self) -> bool:
        return self.state.due is None


@dataclass(frozen=True)
class AnswerResult:
    """What one committed answer did: the log row, the schedule before and after."""

    review_id: int
    card_id: int
    grade: int
    kind: ReviewKind
    before: SM2State
    after: SM2State
    study_day: date
    lapse: bool = False
    leeched: bool = False
    practice_id: int | None = None
    """set for a practice answer (``review_id`` is then 0): its ``practice_log`` row"""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ReviewKind(self.kind))  # the store may hand over the stored string


@dataclass
class ImportReport:
    """What applying a deck changed (or would change, for a dry run)."""

    deck: str
    created: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    cards_added: int = 0

    def summary(self) -> str:
        s = (
            f"{self.deck}: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )
        if self.missing:
            s += f", {len(self.missing)} kept but missing from the file"
        return s


@dataclass(frozen=True)
class DeckSummary:
    """A deck's size and today's counts (``mlcards.todayqueue``: what a session on it would queue)."""

    id: int
    name: str
    description: str
    terms: int
    cards: int
    new: int  # new cards today's queue shows (after the limits and the sibling rule)
    due: int  # reviews due today that today's queue shows (after the limits)
    suspended: int = 0
    learning: int = 0  # re-drills due today (answered today, latest answer below 4)
    unseen: int = 0  # never-studied cards, whatever the limits (suspended ones left out)

    def as_json(self) -> dict[str, str | int]:
        return {"name": self.name, "terms": self.terms, "cards": self.cards, "new": self.new,
                "learning": self.learning, "due": self.due, "unseen": self.unseen, "suspended": self.suspended}
