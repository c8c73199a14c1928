"""A review session: the queue for today, answers committed one by one, re-drill and undo.

Shared by the Textual review screen and ``mlcards review --plain``; no I/O of its own beyond the
store, no clock beyond ``studyday.now`` (injected for tests).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from mlcards import answering, schedulers, studyday
from mlcards.answers import AnswerNames
from mlcards.cards import MCQuestion
from mlcards.errors import StoreError
from mlcards.questions import Entry, QuestionGraph
from mlcards.records import AnswerResult, CardInfo, CardKind, ReviewKind
from mlcards.schedulers.base import needs_redrill
from mlcards.store import Store
from mlcards.todayqueue import todays_queue

if TYPE_CHECKING:
    from mlcards.models import Term


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


READ_AHEAD = 64
"""How many queued cards a session reads in one query when the next one is not read yet."""


FOUR_BUTTONS: dict[int, int] = {1: 1, 2: 3, 3: 4, 4: 5}
"""Four-button mode (setting ``answer_buttons`` = 4): button -> the 0-5 grade logged. Again = 1 (wrong,
re-drilled today), Hard = 3, Good = 4, Easy = 5: the log and the schedule stay on SM-2's scale."""

FOUR_LABELS: dict[int, str] = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def four_button_for(grade: int) -> int:
    """The button that stands for a 0-5 grade (a suggested one): 0-2 Again, 3 Hard, 4 Good, 5 Easy."""
    return 1 if grade < 3 else grade - 1


def short_interval(days: int) -> str:
    """An interval as the grade bar shows it: ``1d``, ``25d``, ``1.5mo``, ``2.3y``."""
    if days < 30:
        return f"{days}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


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


UndoKind = Literal["answer", "suspend", "bury", "edit"]


@dataclass
class _Action:
    """One entry of the session's undo stack: what was done to which card, and what it replaced."""

    kind: UndoKind
    shown: StudyCard
    from_redrill: bool
    step: _Step | None = None  # an answer
    buried_until: date | None = None  # a bury: the card's buried_until before it
    term: Term | None = None  # an edit: the term's fields before it


@dataclass(frozen=True)
class Undone:
    """What ``ReviewSession.undo_action`` took back, and the card now on screen again."""

    kind: UndoKind
    shown: StudyCard


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
    """Today's cards for one deck (or all decks), in order, with re-drill and undo.

    Undo is one stack over everything done in the session, as in Anki: answers, suspends, buries and
    edits of a term; ``undo_action`` takes back the latest, whatever its kind, and shows its card again.
    """

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
        """The answers given, in order (the session's totals)."""
        self.actions: list[_Action] = []
        """The undo stack: answers, suspends, buries and edits, latest last."""
        self.seen: set[int] = set()
        self.total_cards = len(main) + len(redrill)
        self._graphs: dict[int, QuestionGraph] = {}
        self._graph_generation = 0  # bumped when the decks' text is forgotten (graphs built before are stale)
        self._ahead: dict[int, CardInfo] = {}
        """Queued cards read ahead (``READ_AHEAD`` at a time), not yet shown: valid while ``_mark`` holds."""
        self._mark: tuple[int, int] | None = None
        """(``PRAGMA data_version``, this connection's total changes) when ``_ahead`` was read: any commit by
        another connection, or any write on this one other than the session's own answers, drops it."""

    def _todays_queue(
        self, limit: int | None, new_limit: int | None, review_limit: int | None
    ) -> tuple[list[int], list[int]]:
        q = todays_queue(self.store, self.today, self.deck_id, limit=limit, new_limit=new_limit,
                         review_limit=review_limit)
        self.due_count = q.due_count
        """Queued cards that were due (the rest of the main queue is new cards)."""
        self.new_count = q.new_count
        return q.main, q.redrill

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

    def _card_ahead(self, card_id: int) -> CardInfo | None:
        """The queued card, from the cards read ahead (None: it is gone); reads the next ones ahead when
        it is not there. Another process's commit (``data_version``) or any write on this connection but
        an answer of this session drops what was read, so a card always shows as the database has it."""
        mark = (self.store.data_version(), self.store.db.conn.total_changes)
        if mark != self._mark:
            self._ahead.clear()
            self._mark = mark
        card = self._ahead.pop(card_id, None)
        if card is not None:
            return card
        wanted = [card_id]
        for queued in (*self.main, *self.redrill):
            if len(wanted) >= READ_AHEAD:
                break
            if queued not in self._ahead and queued != card_id:
                wanted.append(queued)
        if len(wanted) == 1:
            try:
                return self.store.card(card_id)
            except StoreError:  # deleted (by another mlcards, say) since the queue was built
                return None
        self._ahead.update(self.store.cards_by_id(wanted))
        return self._ahead.pop(card_id, None)

    def _study_card(self, card_id: int, *, redrill: bool) -> StudyCard | None:
        card = self._card_ahead(card_id)
        if card is None:  # deleted (by another mlcards, say) since the queue was built: skip it
            return None
        if card.suspended:
            return None
        question = None
        if card.kind in (CardKind.RELATED, CardKind.CONTRAST):
            question = self.question_for(card)
            if question is None:  # its links were removed by a re-import: nothing to ask
                return None
        return StudyCard(card, redrill=redrill or card_id in self.seen, question=question)

    def question_for(self, card: CardInfo) -> MCQuestion | None:
        graph = self._graphs.get(card.deck_id)
        if graph is None:  # not built ahead (``build_graphs``): build it here
            graph = self._graphs[card.deck_id] = deck_question_graph(self.store, card.deck_id)
        return question_for(graph, card)

    def build_graphs(self, store: Store) -> None:
        """Build ahead, on ``store`` (a worker thread's connection), the question graphs of the decks
        whose related or contrast cards are queued, in queue order, so such a card does not wait for
        one when it shows (0.3-1 s at 13,000 terms). A graph the session built meanwhile stays; graphs
        read before the session forgot the decks' text are dropped."""
        generation = self._graph_generation
        wanted: list[int] = []
        for card_id in [*self.main, *self.redrill]:
            try:
                card = store.card(card_id)
            except StoreError:  # deleted meanwhile
                continue
            if card.kind in (CardKind.RELATED, CardKind.CONTRAST) and card.deck_id not in wanted:
                wanted.append(card.deck_id)
        for deck_id in wanted:
            if deck_id in self._graphs:
                continue
            graph = deck_question_graph(store, deck_id)
            if generation != self._graph_generation:
                return
            self._graphs.setdefault(deck_id, graph)

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
        changes = self.store.db.conn.total_changes
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
        if self._mark is not None and self._mark[1] == changes:
            # this answer is the only write on this connection since the cards were read ahead (and the
            # answered card was taken out of them); the next card checks other connections' commits
            self._mark = (self._mark[0], self.store.db.conn.total_changes)
        requeued = needs_redrill(grade) and not result.leeched  # a new leech is suspended: no re-drill
        if requeued:
            self.redrill.append(shown.card.id)
        self.seen.add(shown.card.id)
        step = _Step(result, shown, requeued, duration_ms, self._origin is self.redrill)
        self.history.append(step)
        self.actions.append(_Action("answer", shown, step.from_redrill, step=step))
        self.current = None
        return result

    def suspend(self) -> CardInfo:
        """Suspend the card on screen (undoable); call ``next()`` for the next card."""
        shown = self._take_current()
        self.store.set_suspended(shown.card.id, True)
        self.actions.append(_Action("suspend", shown, self._origin is self.redrill))
        return shown.card

    def bury(self) -> CardInfo:
        """Bury the card on screen until the next study day (undoable); call ``next()`` next."""
        shown = self._take_current()
        before = self.store.card(shown.card.id).buried_until
        self.store.bury(shown.card.id, self.today)
        self.actions.append(_Action("bury", shown, self._origin is self.redrill, buried_until=before))
        return shown.card

    def edited(self, before: Term) -> StudyCard:
        """The term of the card on screen was edited (``before``: its fields until then, from
        ``store.term_model``): reread the card and remember the edit for undo."""
        if self.current is None:
            raise RuntimeError("no card is showing")
        shown = self.current
        self.actions.append(_Action("edit", shown, self._origin is self.redrill, term=before))
        self.current = self._reread(shown)
        return self.current

    def _take_current(self) -> StudyCard:
        if self.current is None:
            raise RuntimeError("no card is showing")
        shown, self.current = self.current, None
        return shown

    def _reread(self, shown: StudyCard) -> StudyCard:
        """``shown`` with its card read again (after an edit: the deck's names and links changed too)."""
        self.forget_deck_text()
        card = self.store.card(shown.card.id)
        q = self.question_for(card) if shown.question is not None else None
        return StudyCard(card, redrill=shown.redrill, question=q or shown.question)

    def forget_deck_text(self) -> None:
        """Drop what the session read once of the decks' text (names for typed answers, MC graphs)."""
        if self._answer_names is not None:
            self._answer_names.forget()
        self._graph_generation += 1
        self._graphs.clear()

    def undo(self) -> StudyCard | None:
        """Take back the latest action of this session and show its card again (None: nothing to undo)."""
        done = self.undo_action()
        return done.shown if done is not None else None

    def undo_action(self) -> Undone | None:
        """Take back the latest action (answer, suspend, bury or edit); its card is on screen again."""
        if not self.actions:
            return None
        action = self.actions.pop()
        if action.kind == "edit":
            assert action.term is not None
            self.store.update_term(action.shown.card.term_id, action.term)
            if self.current is not None and self.current.card.id != action.shown.card.id:
                self._origin.appendleft(self.current.card.id)
            self.current = self._reread(action.shown)
            self._origin = self.redrill if action.from_redrill else self.main
            return Undone("edit", self.current)
        # put the card on screen back where it came from first: it may be the very re-drill entry
        # this answer added, which _undo_answer must then remove
        if self.current is not None:
            self._origin.appendleft(self.current.card.id)
        try:
            if action.kind == "answer":
                assert action.step is not None
                self._undo_answer(action.step)
            elif action.kind == "suspend":
                self.store.set_suspended(action.shown.card.id, False)
            else:
                self.store.set_buried_until(action.shown.card.id, action.buried_until)
            card = self.store.card(action.shown.card.id)
        except StoreError:  # its card was deleted meanwhile: the card on screen stays where it is
            if self.current is not None:
                self._origin.popleft()
            raise
        self.current = StudyCard(card, redrill=action.shown.redrill, question=action.shown.question)
        self._origin = self.redrill if action.from_redrill else self.main
        return Undone(action.kind, self.current)

    def _undo_answer(self, step: _Step) -> None:
        self.history.remove(step)
        if step.result.practice_id is not None:
            self.store.undo_practice(step.result.practice_id, self.clock())
        else:
            answering.undo(self.store, step.result.review_id, self.clock())
        if step.requeued:
            # remove the re-drill entry this answer added (the last occurrence)
            for i in range(len(self.redrill) - 1, -1, -1):
                if self.redrill[i] == step.shown.card.id:
                    del self.redrill[i]
                    break
        if not any(s.shown.card.id == step.shown.card.id for s in self.history):
            self.seen.discard(step.shown.card.id)

    # --- what an answer would do ---------------------------------------------------------------------

    def preview(self, card_id: int) -> dict[int, int] | None:
        """Every grade's next interval in days if ``card_id`` were answered now (the deck's scheduler on
        the card's schedule); None when no answer would move the schedule: a practice session, or a card
        already answered this study day (a re-drill keeps the schedule that day's first answer gave)."""
        if self.practice is not None:
            return None
        store = self.store
        day = store.today(self.clock())
        last = store.last_study_day(card_id)
        if last is not None and last > day:
            day = last
        if store.answered_on(card_id, day):
            return None
        current = store.card_schedule(card_id)
        return dict(schedulers.get(current.scheduler).preview(current.schedule.state, day))

    def held_back_siblings(self) -> bool:
        """Whether today's first session of a deck kept reverse or multiple-choice cards back: a new term
        answered in this session (in a deck first studied today) has such cards still new, which the
        one-card-per-term-per-day rule brings from tomorrow."""
        if self.practice is not None:
            return False
        terms = {s.shown.card.term_id: s.shown.card.deck_id for s in self.history if s.result.kind == ReviewKind.NEW}
        first_day: dict[int, bool] = {}
        for term_id, deck_id in terms.items():
            if deck_id not in first_day:
                first = self.store.first_study_day(deck_id)
                first_day[deck_id] = first is None or first >= self.today
            if not first_day[deck_id]:
                continue
            for card in self.store.cards_of_term(term_id):
                waiting = card.kind in (CardKind.REVERSE, CardKind.RELATED, CardKind.CONTRAST)
                if waiting and card.is_new and not card.suspended:
                    return True
        return False

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
