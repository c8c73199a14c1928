"""A review session: the queue for today, answers committed one by one, re-drill and undo.

Shared by the Textual review screen and ``mlcards review --plain``; no I/O of its own beyond the
store, no clock beyond ``studyday.now`` (injected for tests).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from mlcards import answering, studyday
from mlcards.answers import AnswerNames
from mlcards.cards import MCQuestion
from mlcards.models import AnswerResult, CardInfo, CardKind, ReviewKind
from mlcards.questions import Entry, QuestionGraph
from mlcards.queue import Limits, build_queue, candidate_window
from mlcards.schedulers.base import needs_redrill
from mlcards.store import Store


def deck_question_graph(store: Store, deck_id: int) -> QuestionGraph:
    """A deck's terms, links and typed relations, ready for multiple-choice questions."""
    _, adj = store.deck_graph(deck_id)
    entries = {row["id"]: Entry(**row) for row in store.question_entries(deck_id)}
    typed: dict[str, list[tuple[int, int]]] = {}
    for a, b, kind in store.term_relations(deck_id):
        if kind != "related":
            typed.setdefault(kind, []).append((a, b))
    return QuestionGraph(entries, adj, typed)


def question_for(graph: QuestionGraph, card: CardInfo, seed: object | None = None) -> MCQuestion | None:
    """The multiple-choice question a related or contrast card shows, deterministic from the card id
    and its review count (a related card rotates through the question styles its term supports)."""
    seed = f"{card.id}:{card.reviews}" if seed is None else seed
    if card.kind is CardKind.CONTRAST:
        return graph.contrast(card.term_id, card.pair_term_id, seed) if card.pair_term_id is not None else None
    if card.kind is CardKind.RELATED:
        return graph.question(card.term_id, seed, turn=card.reviews)
    return None


@dataclass(frozen=True)
class StudyCard:
    card: CardInfo
    redrill: bool = False
    question: MCQuestion | None = None


@dataclass
class _Step:
    result: AnswerResult
    shown: StudyCard
    requeued: bool  # the answer sent the card to the re-drill queue
    duration_ms: int | None = None
    from_redrill: bool = False  # which queue the card was taken from


@dataclass
class SessionTotals:
    cards: int = 0  # distinct cards answered
    answers: int = 0
    correct: int = 0  # answers graded 3 or more
    redrills: int = 0
    seconds: float = 0.0
    by_grade: dict[int, int] = field(default_factory=dict)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None


class ReviewSession:
    """Today's cards for one deck (or all decks), in order, with re-drill and undo."""

    _answer_names: AnswerNames | None = None

    @property
    def answer_names(self) -> AnswerNames:
        """The deck names typed answers are judged against, read once per deck for this session."""
        if self._answer_names is None:
            self._answer_names = AnswerNames(self.store)
        return self._answer_names

    def __init__(
        self,
        store: Store,
        *,
        deck: str | None = None,
        limit: int | None = None,
        new_limit: int | None = None,
        review_limit: int | None = None,
        clock: Callable[[], datetime] = studyday.now,
        practice: str | None = None,
        cards: Sequence[int] | None = None,
    ):
        """``practice``: log answers as practice with this source (``practice_log``: stats only, no
        schedule moves). ``cards``: study exactly these cards, in this order (custom study), instead of
        today's queue; the limits and the sibling rule are then the caller's business."""
        self.store = store
        self.clock = clock
        self.practice = practice
        self.deck_id = store.require_deck(deck) if deck else None
        self.today: date = store.today(clock())
        if cards is not None:
            main, redrill = list(dict.fromkeys(cards)), list[int]()
            if limit is not None:
                main = main[: max(0, limit)]
            self.due_count, self.new_count = 0, 0
        else:
            main, redrill = self._todays_queue(limit, new_limit, review_limit)
        self.main: deque[int] = deque(main)
        self.redrill: deque[int] = deque(redrill)
        self.current: StudyCard | None = None
        self._origin: deque[int] = self.main
        self.history: list[_Step] = []
        self.seen: set[int] = set()
        self.total_cards = len(main) + len(redrill)
        self._graphs: dict[int, QuestionGraph] = {}

    def _todays_queue(
        self, limit: int | None, new_limit: int | None, review_limit: int | None
    ) -> tuple[list[int], list[int]]:
        store = self.store
        settings = store.settings()
        new_done, reviews_done = store.done_today(self.today)
        per_day_new = settings["new_per_day"] if new_limit is None else new_limit
        per_day_rev = settings["reviews_per_day"] if review_limit is None else review_limit
        limits = Limits.remaining(per_day_new, per_day_rev, new_done, reviews_done)
        deck_limits = self._deck_limits(new_limit, review_limit)
        if self.deck_id is not None and self.deck_id in deck_limits:  # one deck: its own limits, inside the global ones
            own = deck_limits.pop(self.deck_id)
            limits = Limits(new=min(limits.new, own.new), review=min(limits.review, own.review))
        due_n, _ = candidate_window(limits)
        if deck_limits and self.deck_id is None:  # a capped deck can hide any number of rows: read them all
            due_n = 1_000_000
        due = store.due_candidates(self.today, self.deck_id, due_n) if limits.review else []
        # terms taken by due cards hide their new siblings: widen the new window by that much
        _, new_n = candidate_window(limits, due_terms=min(limits.review, len({r.term_id for r in due})))
        if deck_limits and self.deck_id is None:
            new_n = 1_000_000
        main, redrill = build_queue(
            due,
            store.new_candidates(self.today, self.deck_id, new_n) if limits.new else [],
            limits,
            redrill=store.redrill_cards(self.today, self.deck_id),
            limit=limit,
            deck_limits=deck_limits if self.deck_id is None else None,
        )
        due_ids = {r.card_id for r in due}
        self.due_count = sum(1 for c in main if c in due_ids)
        """Queued cards that were due (the rest of the main queue is new cards)."""
        self.new_count = len(main) - self.due_count
        return main, redrill

    def _deck_limits(self, new_limit: int | None, review_limit: int | None) -> dict[int, Limits]:
        """Each deck's own limits minus what it did today (an explicit limit for the session wins)."""
        own = self.store.deck_limits()
        if not own:
            return {}
        done = self.store.done_today_by_deck(self.today)
        out: dict[int, Limits] = {}
        for deck_id, (new, rev) in own.items():
            if self.deck_id is not None and deck_id != self.deck_id:
                continue
            new_done, rev_done = done.get(deck_id, (0, 0))
            n = new if new is not None and new_limit is None else 1_000_000
            r = rev if rev is not None and review_limit is None else 1_000_000
            out[deck_id] = Limits.remaining(n, r, new_done, rev_done)
        return out

    # --- flow --------------------------------------------------------------------------------------

    @property
    def remaining(self) -> int:
        """Cards still to show, the current one included."""
        return len(self.main) + len(self.redrill) + (1 if self.current else 0)

    @property
    def answered(self) -> int:
        return len(self.history)

    def next(self) -> StudyCard | None:
        """Move to the next card (None when the session is over)."""
        self.current = None
        while self.main or self.redrill:
            from_redrill = not self.main
            card_id = (self.redrill if from_redrill else self.main).popleft()
            shown = self._study_card(card_id, redrill=from_redrill)
            if shown is not None:
                self.current = shown
                self._origin = self.redrill if from_redrill else self.main
                return shown
        return None

    def _study_card(self, card_id: int, *, redrill: bool) -> StudyCard | None:
        card = self.store.card(card_id)
        if card.suspended:
            return None
        question = None
        if card.kind in (CardKind.RELATED, CardKind.CONTRAST):
            question = self.question_for(card)
            if question is None:  # its links were removed by a re-import: nothing to ask
                return None
        return StudyCard(card, redrill=redrill or card_id in self.seen, question=question)

    def question_for(self, card: CardInfo) -> MCQuestion | None:
        if card.deck_id not in self._graphs:
            self._graphs[card.deck_id] = deck_question_graph(self.store, card.deck_id)
        return question_for(self._graphs[card.deck_id], card)

    def answer(
        self,
        grade: int,
        *,
        duration_ms: int | None = None,
        now: datetime | None = None,
        choice: int | None = None,
    ) -> AnswerResult:
        """Grade the current card; committed before this returns. Call ``next()`` for the next card.

        ``choice`` is the option picked on a multiple-choice card (None: none picked); its term is
        logged with the answer, so a pair confused twice becomes a contrast card.
        """
        if self.current is None:
            raise RuntimeError("no card is showing")
        shown = self.current
        q = shown.question
        chosen = q.chosen_id(choice) if q is not None else None
        key = q.key_id if q is not None and q.identifies else None
        if self.practice is not None:
            when = now or self.clock()
            pid = answering.practice(self.store, shown.card.id, grade, when, duration_ms=duration_ms,
                                     source=self.practice, chosen_term_id=chosen, key_term_id=key)
            card = shown.card
            result = AnswerResult(0, card.id, grade, ReviewKind.PRACTICE, card.state, card.state,
                                  self.store.today(when), practice_id=pid)
        else:
            result = answering.answer(
                self.store, shown.card.id, grade, now or self.clock(), duration_ms=duration_ms,
                chosen_term_id=chosen, key_term_id=key,
            )
        requeued = needs_redrill(grade)
        if requeued:
            self.redrill.append(shown.card.id)
        self.seen.add(shown.card.id)
        self.history.append(_Step(result, shown, requeued, duration_ms, self._origin is self.redrill))
        self.current = None
        return result

    def undo(self) -> StudyCard | None:
        """Take back the last answer of this session and show that card again."""
        if not self.history:
            return None
        step = self.history.pop()
        if step.result.practice_id is not None:
            self.store.undo_practice(step.result.practice_id, self.clock())
        else:
            answering.undo(self.store, step.result.review_id, self.clock())
        # put the card on screen back where it came from first: it may be the very re-drill entry
        # this answer added, which the next step must then remove
        if self.current is not None:
            self._origin.appendleft(self.current.card.id)
        if step.requeued:
            # remove the re-drill entry this answer added (the last occurrence)
            for i in range(len(self.redrill) - 1, -1, -1):
                if self.redrill[i] == step.shown.card.id:
                    del self.redrill[i]
                    break
        if not any(s.shown.card.id == step.shown.card.id for s in self.history):
            self.seen.discard(step.shown.card.id)
        card = self.store.card(step.shown.card.id)
        self.current = StudyCard(card, redrill=step.shown.redrill, question=step.shown.question)
        self._origin = self.redrill if step.from_redrill else self.main
        return self.current

    def totals(self) -> SessionTotals:
        t = SessionTotals()
        cards = set()
        for step in self.history:
            r = step.result
            cards.add(r.card_id)
            t.answers += 1
            t.correct += r.grade >= 3
            t.redrills += r.kind == "redrill"
            t.by_grade[r.grade] = t.by_grade.get(r.grade, 0) + 1
            t.seconds += (step.duration_ms or 0) / 1000
        t.cards = len(cards)
        return t
