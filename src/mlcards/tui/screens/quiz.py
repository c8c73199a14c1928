"""The related-concept quiz: multiple-choice questions over a term and its neighbours.

After each answer the little concept map shows the term, its definition and its related terms.
Each answer is recorded on the term's related-concept card (suggested grade), so it feeds the schedule.
"""

from __future__ import annotations

import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from mlcards.answers import suggest_mc_grade
from mlcards.cards import MCQuestion
from mlcards.session import deck_question_graph
from mlcards.models import GRADE_SHORT
from mlcards.text import one_line
from mlcards.tui.widgets.choices import choices_content
from mlcards.tui.widgets.concept import concept_map
from mlcards.tui.widgets.text import plain, plain_line

QUIZ_LENGTH = 10
CHOOSE = Binding.Group("Choose", compact=True)


class QuizPickScreen(Screen):
    """Pick what to be quizzed on: a whole deck, or one term and its neighbours."""

    BINDINGS = [
        Binding("down", "to_list", "To the list", show=False, id="quizpick.to_list"),
        Binding("escape", "back", "Back", id="quizpick.back"),
    ]

    def __init__(self, deck: str | None = None):
        super().__init__()
        self.deck = deck

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
        store = self.app.store
        deck_id = store.deck_id(self.deck) if self.deck else None
        options = OptionList
        opts = self.query_one("#quiz-options", options)
        opts.clear_options()
        # the deck name (from the command line or the dashboard) is data: one clean, inert line
        label = Content.assemble(("▶ Whole deck: ", "bold"), plain_line(self.deck, "bold")) if self.deck else Content.styled("▶ All decks", "bold")
        opts.add_option(Option(Content.assemble(label, f" ({QUIZ_LENGTH} questions)"), id="deck"))
        for t in store.find_terms(text, deck_id, limit=60):
            opts.add_option(Option(Content.assemble(plain_line(t.term, "bold"), " — ", plain_line(t.definition)), id=str(t.id)))
        opts.highlighted = 0

    @on(Input.Changed, "#quiz-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.fill(event.value)

    @on(Input.Submitted, "#quiz-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        opts = self.query_one("#quiz-options", OptionList)
        if event.value.strip():
            if opts.option_count <= 1:  # the filter matches no term: say so rather than quiz the deck
                self.notify(f"No term matches “{one_line(event.value)}”.", markup=False, timeout=3)
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


class QuizScreen(Screen):
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
        self._graphs: dict[int, object] = {}
        self.seed = seed if seed is not None else f"{time.time_ns()}"

    def compose(self) -> ComposeResult:
        with Vertical(id="quiz"):
            yield Static(id="quiz-status")
            yield ProgressBar(id="quiz-progress", show_eta=False, show_percentage=False)
            with VerticalScroll(id="quiz-card"):
                yield Static(id="quiz-prompt")
                yield Static(id="quiz-choices")
                yield Static(id="quiz-feedback")
                yield Static(id="quiz-map")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        store = self.app.store
        today = store.today(self.app.clock())
        if self.term_id is not None:
            neighbours = [n.id for n in store.term_neighbours(self.term_id)]
            candidates = [self.term_id, *neighbours]
            self.subjects = [t for t in candidates if store.related_card(t) is not None][: QUIZ_LENGTH]
        else:
            deck_id = store.deck_id(self.deck) if self.deck else None
            self.subjects = store.quiz_subjects(today, deck_id, QUIZ_LENGTH)
        self.query_one("#quiz-card", VerticalScroll).focus()
        self.next_question()

    def graph(self, term_id: int):
        store = self.app.store
        card = store.card(store.related_card(term_id))
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
        choices = self.query_one("#quiz-choices", Static)
        feedback = self.query_one("#quiz-feedback", Static)
        cmap = self.query_one("#quiz-map", Static)
        if self.question is None:
            status.update(Content.styled("Quiz complete", "bold"))
            if not self.subjects:
                prompt.update(Content("No related-concept questions here: the terms need related terms first."))
            else:
                prompt.update(Content.assemble(("Done: ", "bold"), f"{self.right} right out of {self.asked}."))
            choices.update("")
            feedback.update("")
            cmap.update(Content.styled("q goes back", "$text-muted"))
            return
        q = self.question
        status.update(Content.assemble(("Related-concept quiz", "bold"), f"   question {self.index + 1} of {total} · {self.right} right"))
        prompt.update(plain(q.prompt, "bold"))
        choices.update(choices_content(q, answered=self.answered, chosen=self.choice))
        scroller = self.query_one("#quiz-card", VerticalScroll)
        if self.answered:
            feedback.update(self.verdict)
            width = self.app.size.width - 12
            cmap.update(concept_map(self.app.store, q.subject_id, width=width))
            cmap.display = True
            # on small terminals, bring the verdict and the concept map into view (as the review screen does)
            self.call_after_refresh(scroller.scroll_to_widget, feedback, animate=False, top=True)
        else:
            feedback.update(Content.styled(f"press 1-{len(q.choices)}", "$text-muted"))
            cmap.update("")
            cmap.display = False
            scroller.scroll_home(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            return self.question is not None and not self.answered and int(parameters[0]) <= len(self.question.choices)
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
        result = store.answer(card_id, grade, self.app.clock(), duration_ms=int(seconds * 1000), source="quiz",
                              chosen_term_id=q.chosen_id(self.choice), key_term_id=q.key_id if q.identifies else None)
        schedule = (
            f"next review {result.after.due:%a %d %b}" if result.kind != "redrill" else "already reviewed today, schedule kept"
        )
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
