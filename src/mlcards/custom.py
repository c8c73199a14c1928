"""What the quiz asks and what custom study studies: pure selections over the store's queries.

- The quiz: ``quiz_items`` builds the whole question list up front (subjects that give no question
  are skipped and more are read), so the number promised is the number asked. Its answers are
  practice; with "count it" on, ``count_refusal`` says whether one may count on its card.
- Custom study (Anki's, for when the day is done):
  ``extra_new_limit``: learn more new cards today (a real session, these count);
  ``review_ahead``: cards due in the next days, as practice;
  ``weakest``: the cards that lapsed or lost ease, most lapses first, as practice;
  ``tagged``: one tag (the bundled deck tags its clusters), as practice.

Every selection is deterministic (the queries order their rows fully). No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from weakref import WeakKeyDictionary

from mlcards.cards import MCQuestion
from mlcards.questions import QuestionGraph
from mlcards.session import deck_question_graph
from mlcards.store import Store

QUIZ_LENGTH = 10


class GraphCache:
    """Question graphs by deck, kept while the database is unchanged, so the quiz picker's count and
    the quiz itself build a deck's graph once (0.3-1 s at 13,000 terms).

    ``state`` is any value that changes with every commit (the app's: ``PRAGMA data_version`` and
    ``total_changes`` of its UI connection, read on the UI thread *before* the graphs are read, so a
    graph is never older than its state). ``graphs(state)`` is the dict kept at that state, a fresh one
    once the state moved on; a worker may fill the dict it was handed (one dict operation at a time)."""

    def __init__(self) -> None:
        self._state: object = None
        self._graphs: dict[int, QuestionGraph] = {}

    def graphs(self, state: object) -> dict[int, QuestionGraph]:
        if state != self._state:
            self._state, self._graphs = state, {}
        return self._graphs


_caches: WeakKeyDictionary[Store, GraphCache] = WeakKeyDictionary()


def graph_cache(store: Store) -> GraphCache:
    """The graph cache of this connection (the app's UI store: one per app)."""
    cache = _caches.get(store)
    if cache is None:
        cache = _caches[store] = GraphCache()
    return cache


def change_state(store: Store) -> tuple[int, int]:
    """A value that differs after any commit: another connection's (``data_version``) or this one's."""
    return store.data_version(), store.db.conn.total_changes


# --- the quiz ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuizItem:
    """One question of a quiz, on its subject term's related card."""

    question: MCQuestion
    card_id: int
    subject: str


def quiz_items(
    store: Store,
    today: date,
    *,
    seed: str,
    deck_id: int | None = None,
    term_id: int | None = None,
    length: int = QUIZ_LENGTH,
    graphs: dict[int, QuestionGraph] | None = None,
) -> list[QuizItem]:
    """Up to ``length`` questions: on one term and its neighbours (``term_id``), or on a deck (or
    every deck): related cards due first, then new ones, then the rest. The question for a subject
    depends only on ``seed`` and the deck, so the same arguments give the same list. ``graphs``: deck
    graphs already built (from ``GraphCache``); the ones built here are added to it."""
    built: dict[int, QuestionGraph] = {} if graphs is None else graphs
    items: list[QuizItem] = []

    def add(subject: int) -> None:
        card_id = store.related_card(subject)
        if card_id is None:
            return
        card = store.card(card_id)
        if card.suspended:
            return
        graph = built.get(card.deck_id)
        if graph is None:
            graph = built[card.deck_id] = deck_question_graph(store, card.deck_id)
        question = graph.question(subject, f"quiz:{seed}:{subject}")
        if question is not None:
            items.append(QuizItem(question, card_id, graph.terms[subject].term))

    if term_id is not None:
        for subject in dict.fromkeys([term_id, *(n.id for n in store.term_neighbours(term_id))]):
            if len(items) >= length:
                break
            add(subject)
        return items
    batch, offset = max(2 * length, 20), 0
    while len(items) < length:
        subjects = store.quiz_subject_terms(today, deck_id, batch, offset)
        for subject in subjects:
            if len(items) >= length:
                break
            add(subject)
        if len(subjects) < batch:
            break
        offset += batch
    return items


def count_refusal(store: Store, card_id: int, today: date) -> str | None:
    """Why a quiz answer with "count it" on may not count on this card today (None: it may).

    It counts only where a review session would take it today: studied and due, not suspended or
    buried, no card of its term answered today, and the day's review limit (and its deck's) not reached.
    """
    check = store.count_check(card_id, today)
    if check is None:
        return "the card is gone"
    if check.suspended:
        return "the card is suspended"
    if check.due is None:
        return "it is a new card (new cards count in a review session)"
    if check.due > today:
        return f"it is not due until {check.due:%a %d %b}"
    if check.buried_until is not None and check.buried_until > today:
        return "the card is buried until tomorrow"
    if check.term_answered_today:
        return "a card of this term was already answered today"
    _, reviews_done = store.done_today(today)
    if reviews_done >= int(store.settings()["reviews_per_day"]):
        return "today's review limit is reached"
    _, own_reviews = store.deck_limits().get(check.deck_id, (None, None))
    if own_reviews is not None:
        _, deck_done = store.done_today_by_deck(today).get(check.deck_id, (0, 0))
        if deck_done >= own_reviews:
            return "this deck's review limit for today is reached"
    return None


# --- custom study --------------------------------------------------------------------------------

def new_left_today(store: Store, today: date, deck_id: int | None = None) -> int:
    """New cards today's limits still allow (the global limit, and the deck's own when one deck)."""
    new_done, _ = store.done_today(today)
    left = max(0, int(store.settings()["new_per_day"]) - new_done)
    if deck_id is not None:
        own, _ = store.deck_limits().get(deck_id, (None, None))
        if own is not None:
            deck_done, _ = store.done_today_by_deck(today).get(deck_id, (0, 0))
            left = min(left, max(0, own - deck_done))
    return left


def extra_new_limit(store: Store, today: date, deck_id: int | None, more: int) -> int:
    """The ``new_limit`` for a review session that allows ``more`` new cards beyond what is left today.

    A session's ``new_limit`` replaces the day's new-card limit (and lifts the decks' own), and the
    cards already introduced today count against it: so it is those, plus what is left, plus ``more``.
    """
    new_done, _ = store.done_today(today)
    return new_done + new_left_today(store, today, deck_id) + max(0, more)


def review_ahead(store: Store, today: date, deck_id: int | None, days: int, limit: int = 1000) -> list[int]:
    """Cards due in the next ``days`` days (tomorrow up to ``today + days``), soonest first."""
    if days < 1:
        return []
    return store.cards_due_between(today, today + timedelta(days=days), deck_id, limit)


def weakest(store: Store, today: date, deck_id: int | None, limit: int) -> list[int]:
    """The weakest studied cards: those that lapsed (forgotten after being learned) or whose ease
    fell below SM-2's starting 2.5 (graded 3 or less at least once), ordered by most lapses, then the
    lowest ease, then the shortest interval. Cards never answered are not weak, only new."""
    return store.weakest_cards(today, deck_id, limit)


def tagged(store: Store, today: date, deck_id: int | None, tag: str, limit: int) -> list[int]:
    """The cards of the terms tagged ``tag``: every term's first card, then their second, and so on."""
    return store.tagged_cards(today, tag, deck_id, limit)


def tags(store: Store, deck_id: int | None) -> list[tuple[str, int]]:
    """(tag, number of terms) for every tag, by name."""
    return store.tag_counts(deck_id)


# --- a custom-study session ----------------------------------------------------------------------

MODES = ("new", "ahead", "weakest", "tag")
DEFAULT_NUMBER = {"new": 10, "ahead": 7, "weakest": 20, "tag": 50}
"""What the number means: new cards to add, days to look ahead, cards, cards."""
MAX_NUMBER = {"new": 9999, "ahead": 365, "weakest": 9999, "tag": 9999}
AHEAD_CARDS = 1000
"""A review-ahead session takes at most this many cards."""


@dataclass(frozen=True)
class CustomPlan:
    """What a custom-study choice would start: practice over ``cards``, or (``new``) a real review
    session with the day's new-card limit set to ``new_limit``."""

    mode: str
    cards: tuple[int, ...] = ()
    new_limit: int | None = None
    new_left: int = 0
    """``new``: new cards today's limits still allowed before this."""
    new_extra: int = 0
    """``new``: the new cards asked for beyond those."""
    new_available: int = 0
    """``new``: new cards there are to learn (not suspended or buried, term not answered today)."""

    @property
    def counts(self) -> bool:
        """Whether the answers count on the schedule (only ``new``: a real review session)."""
        return self.mode == "new"

    @property
    def new_cards(self) -> int:
        """``new``: how many new cards the session may introduce, at most."""
        return min(self.new_available, self.new_left + self.new_extra)

    @property
    def empty(self) -> bool:
        return self.new_cards == 0 if self.mode == "new" else not self.cards


def plan(
    store: Store, today: date, mode: str, number: int, *, deck_id: int | None = None, tag: str | None = None
) -> CustomPlan:
    """The session a custom-study choice starts (see the module's docstring for the modes)."""
    if mode not in MODES:
        raise ValueError(f"unknown custom-study mode {mode!r}; use one of {', '.join(MODES)}")
    number = max(0, min(number, MAX_NUMBER[mode]))
    if mode == "new":
        return CustomPlan(
            mode, new_limit=extra_new_limit(store, today, deck_id, number),
            new_left=new_left_today(store, today, deck_id), new_extra=number,
            new_available=store.new_cards_available(today, deck_id),
        )
    if mode == "ahead":
        return CustomPlan(mode, tuple(review_ahead(store, today, deck_id, number, AHEAD_CARDS)))
    if mode == "weakest":
        return CustomPlan(mode, tuple(weakest(store, today, deck_id, number)))
    return CustomPlan(mode, tuple(tagged(store, today, deck_id, tag, number)) if tag else ())
