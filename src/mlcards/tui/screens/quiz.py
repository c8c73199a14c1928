"""The related-concept quiz: multiple-choice questions over a term and its neighbours.

After each answer the little concept map shows the term, its definition and its related terms.
Each answer is recorded on the term's related-concept card (suggested grade), so it feeds the schedule.
"""

from __future__ import annotations

import time

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from mlcards import answering
from mlcards.answers import suggest_mc_grade
from mlcards.cards import MCQuestion, QuestionGraph
from mlcards.models import GRADE_SHORT, CardInfo, ReviewKind
from mlcards.session import SessionTotals, deck_question_graph
from mlcards.store.rows import TermBrief
from mlcards.text import one_line
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.choices import ChoiceList
from mlcards.tui.widgets.concept import ConceptMap
from mlcards.tui.widgets.summary import SessionSummary
from mlcards.tui.widgets.text import plain, plain_line

QUIZ_LENGTH = 10
CHOOSE = Binding.Group("Choose", compact=True)


class QuizPickScreen(Screen[None]):
    """Pick what to be quizzed on: a whole deck, or one term and its neighbours."""

    BINDINGS = [
        Binding("down", "to_list", "To the list", show=False, id="quizpick.to_list"),
        Binding("escape", "back", "Back", id="quizpick.back"),
    ]

    app = getters.app(MlcardsAppBase)

    def __init__(self, deck: str | None = None):
        super().__init__()
        self.deck = deck
        self.listed: str | None = None  # the filter text the option list shows the matches of
        self.submitted: str | None = None  # Enter pressed before those matches arrived

    def compose(self) -> ComposeResult:
        with Vertical(id="quiz-pick"):
            yield Static(Content.styled("Related-concept quiz", "bold $accent"))
            yield Static(Content("Type to find a term, or pick the first line to mix questions from the whole deck."), classes="muted")
            yield Input(id="quiz-filter", compact=True, placeholder="find a term…")
            yield OptionList(id="quiz-options")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.fill("")
        self.query_one("#quiz-filter", Input).focus()

    def fill(self, text: str) -> None:
        self.find(text)

    @work(thread=True, exclusive=True, group="quiz-pick")
    def find(self, text: str) -> None:
        """The terms matching ``text``, read on the worker's own connection (typing never waits on SQL)."""
        store = self.app.worker_store()
        deck_id = store.deck_id(self.deck) if self.deck else None
        terms = store.find_terms(text, deck_id, limit=60)
        self.app.call_from_thread(self.show_terms, text, terms)

    def show_terms(self, text: str, terms: list[TermBrief]) -> None:
        if text != self.query_one("#quiz-filter", Input).value:
            return  # a later keystroke's search is on its way
        self.listed = text
        opts = self.query_one("#quiz-options", OptionList)
        opts.clear_options()
        # the deck name (from the command line or the dashboard) is data: one clean, inert line
        label = Content.assemble(("▶ Whole deck: ", "bold"), plain_line(self.deck, "bold")) if self.deck else Content.styled("▶ All decks", "bold")
        opts.add_option(Option(Content.assemble(label, f" ({QUIZ_LENGTH} questions)"), id="deck"))
        for t in terms:
            opts.add_option(Option(Content.assemble(plain_line(t.term, "bold"), " — ", plain_line(t.definition)), id=str(t.id)))
        opts.highlighted = 0
        if self.submitted == text:
            self.submitted = None
            self.submit(text)

    @on(Input.Changed, "#quiz-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.fill(event.value)

    @on(Input.Submitted, "#quiz-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.listed != event.value:  # the matches are still being read: act once they are shown
            self.submitted = event.value
            return
        self.submit(event.value)

    def submit(self, text: str) -> None:
        opts = self.query_one("#quiz-options", OptionList)
        if text.strip():
            if opts.option_count <= 1:  # the filter matches no term: say so rather than quiz the deck
                self.notify(f"No term matches “{one_line(text)}”.", markup=False, timeout=3)
                return
            opts.highlighted = 1
        self.start(opts.get_option_at_index(opts.highlighted or 0).id)

    @on(OptionList.OptionSelected, "#quiz-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.start(event.option.id)

    def start(self, option_id: str | None) -> None:
        if option_id == "deck":
            self.app.switch_screen(QuizScreen(deck=self.deck))
        elif option_id:
            self.app.switch_screen(QuizScreen(term_id=int(option_id)))

    def action_to_list(self) -> None:
        self.query_one("#quiz-options", OptionList).focus()

    def action_back(self) -> None:
        self.app.pop_screen()


class QuizScreen(Screen[None]):
    """Up to ten related-concept questions; each answer is graded on the term's related card."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("1", "choose(1)", "1", group=CHOOSE, id="quiz.choose1"),
        Binding("2", "choose(2)", "2", group=CHOOSE, id="quiz.choose2"),
        Binding("3", "choose(3)", "3", group=CHOOSE, id="quiz.choose3"),
        Binding("4", "choose(4)", "4", group=CHOOSE, id="quiz.choose4"),
        Binding("space,enter", "next", "Next", id="quiz.next"),
        Binding("q,escape", "leave", "Back", id="quiz.leave"),
    ]

    def __init__(self, *, term_id: int | None = None, deck: str | None = None, seed: str | None = None):
        super().__init__()
        self.term_id = term_id
        self.deck = deck
        self.subjects: list[int] = []
        self.index = -1
        self.question: MCQuestion | None = None
        self.answered = False
        self.right = 0
        self.asked = 0
        self.choice: int | None = None
        self.verdict = Content("")
        self.shown_at = 0.0
        self.totals = SessionTotals()
        self._cards: set[int] = set()
        self._deck_id: int | None = None  # the summary's figures: one deck, or all of them
        self._graphs: dict[int, QuestionGraph] = {}
        self.seed = seed if seed is not None else f"{time.time_ns()}"

    def compose(self) -> ComposeResult:
        with Vertical(id="quiz"):
            yield Static(id="quiz-status")
            yield ProgressBar(id="quiz-progress", show_eta=False, show_percentage=False)
            with VerticalScroll(id="quiz-card"):
                yield Static(id="quiz-prompt")
                yield ChoiceList(id="quiz-choices")
                yield Static(id="quiz-feedback")
                yield ConceptMap(id="quiz-map")
                yield SessionSummary(id="quiz-summary")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        store = self.app.store
        today = store.today(self.app.clock())
        if self.term_id is not None:
            neighbours = [n.id for n in store.term_neighbours(self.term_id)]
            candidates = [self.term_id, *neighbours]
            self.subjects = [t for t in candidates if store.related_card(t) is not None][: QUIZ_LENGTH]
        else:
            self._deck_id = store.deck_id(self.deck) if self.deck else None
            self.subjects = store.quiz_subjects(today, self._deck_id, QUIZ_LENGTH)
        self.query_one("#quiz-card", VerticalScroll).focus()
        self.next_question()

    def graph(self, term_id: int) -> tuple[CardInfo, QuestionGraph]:
        store = self.app.store
        card_id = store.related_card(term_id)
        assert card_id is not None  # subjects are terms with a related card
        card = store.card(card_id)
        if card.deck_id not in self._graphs:
            self._graphs[card.deck_id] = deck_question_graph(store, card.deck_id)
        return card, self._graphs[card.deck_id]

    def next_question(self) -> None:
        self.answered = False
        self.question = None
        while self.index + 1 < len(self.subjects):
            self.index += 1
            subject = self.subjects[self.index]
            _card, graph = self.graph(subject)
            self.question = graph.question(subject, f"quiz:{self.seed}:{subject}")
            if self.question is not None:
                break
        self.shown_at = time.monotonic()
        self.render_view()
        self.refresh_bindings()

    def render_view(self) -> None:
        total = len(self.subjects)
        bar = self.query_one("#quiz-progress", ProgressBar)
        bar.update(total=max(1, total), progress=self.index + (1 if self.answered else 0) if self.question else total)
        status = self.query_one("#quiz-status", Static)
        prompt = self.query_one("#quiz-prompt", Static)
        choices = self.query_one(ChoiceList)
        feedback = self.query_one("#quiz-feedback", Static)
        cmap = self.query_one(ConceptMap)
        summary = self.query_one(SessionSummary)
        if self.question is None:
            status.update(Content.styled("Quiz complete", "bold"))
            choices.show(None)
            cmap.clear()
            if not self.subjects:
                prompt.update(Content("No related-concept questions here: the terms need related terms first."))
                summary.clear()
            else:
                prompt.display = False
                today = self.app.store.today(self.app.clock())
                summary.show(self.totals, today=today, deck_id=self._deck_id, right="right")
            feedback.update(Content.styled("q goes back", "$text-muted"))
            return
        q = self.question
        summary.clear()
        status.update(Content.assemble(("Related-concept quiz", "bold"), f"   question {self.index + 1} of {total} · {self.right} right"))
        prompt.update(plain(q.prompt, "bold"))
        choices.show(q, answered=self.answered, chosen=self.choice)
        scroller = self.query_one("#quiz-card", VerticalScroll)
        if self.answered:
            feedback.update(self.verdict)
            cmap.show_term(q.subject_id, width=self.app.size.width - 12)
            # on small terminals, bring the verdict and the concept map into view (as the review screen does)
            self.call_after_refresh(scroller.scroll_to_widget, feedback, animate=False, top=True)
        else:
            feedback.update(Content.styled(f"press 1-{len(q.choices)}", "$text-muted"))
            cmap.clear()
            scroller.scroll_home(animate=False)

    @on(ConceptMap.Shown)
    def _map_shown(self) -> None:
        if self.answered:  # the map arrived: bring the verdict and the map into view again
            scroller = self.query_one("#quiz-card", VerticalScroll)
            feedback = self.query_one("#quiz-feedback", Static)
            self.call_after_refresh(scroller.scroll_to_widget, feedback, animate=False, top=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            number = parameters[0]
            return (self.question is not None and not self.answered and isinstance(number, int)
                    and number <= len(self.question.choices))
        if action == "next":
            return self.answered
        return True

    def action_choose(self, number: int) -> None:
        q = self.question
        if q is None or self.answered or not 1 <= number <= len(q.choices):
            return
        self.choice = number - 1
        seconds = time.monotonic() - self.shown_at
        correct = q.is_correct(self.choice)
        self.right += correct
        self.asked += 1
        grade = suggest_mc_grade(correct, seconds)
        store = self.app.store
        card_id = store.related_card(q.subject_id)
        assert card_id is not None
        result = answering.answer(
            store, card_id, grade, self.app.clock(), duration_ms=int(seconds * 1000), source="quiz",
            chosen_term_id=q.chosen_id(self.choice), key_term_id=q.key_id if q.identifies else None,
        )
        schedule = (
            f"next review {result.after.due:%a %d %b}" if result.kind != ReviewKind.REDRILL
            else "already reviewed today, schedule kept"
        )
        t = self.totals
        self._cards.add(card_id)
        t.cards, t.answers, t.correct = len(self._cards), t.answers + 1, t.correct + correct
        t.redrills += result.kind == ReviewKind.REDRILL
        t.seconds += seconds
        head = ("Right. ", "bold $success") if correct else ("Not quite. ", "bold $error")
        self.verdict = Content.assemble(head, f"Recorded grade {grade} ({GRADE_SHORT[grade]}) on this related card: {schedule}.")
        self.answered = True
        self.render_view()
        self.refresh_bindings()

    def action_next(self) -> None:
        if self.answered:
            self.next_question()

    def action_leave(self) -> None:
        self.app.pop_screen()
