"""The related-concept quiz: multiple-choice questions over a term and its neighbours, or a deck.

The quiz is practice: each answer is logged (``practice_log``, shown in stats) and no schedule moves.
With "count it" chosen in the picker, an answer on a card that is due today and that a review session
would take today counts on that card's schedule (``answering.answer``); any other stays practice, and
the verdict says why. The question list is built up front, so the picker's number is the number asked.
After each answer a little concept map shows the term and its related terms; the end lists the misses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

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
from mlcards.cards import MCQuestion
from mlcards.custom import QuizItem, change_state, count_refusal, graph_cache, quiz_items
from mlcards.questions import QuestionGraph
from mlcards.records import GRADE_SHORT, ReviewKind
from mlcards.session import SessionTotals
from mlcards.store.rows import TermBrief
from mlcards.text import one_line
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.choices import ChoiceList
from mlcards.tui.widgets.concept import ConceptMap
from mlcards.tui.widgets.summary import SessionSummary
from mlcards.tui.widgets.text import plain, plain_line
from mlcards.wording import plural

CHOOSE = Binding.Group("Choose", compact=True)

PRACTICE_NOTE = "Answers are practice: logged for stats, no schedule changes."
COUNT_NOTE = "Count it: answers on cards due today count on their schedule; the rest are practice."


class QuizPickScreen(Screen[None]):
    """Pick what to be quizzed on: a whole deck, or one term and its neighbours; practice or count it."""

    BINDINGS = [
        Binding("down", "to_list", "To the list", show=False, id="quizpick.to_list"),
        Binding("ctrl+t", "toggle_count", "Count it", id="quizpick.count",
                tooltip="Count answers on cards that are due today (off: every answer is practice)"),
        Binding("escape", "back", "Back", id="quizpick.back"),
    ]

    app = getters.app(MlcardsAppBase)

    def __init__(self, deck: str | None = None):
        super().__init__()
        self.deck = deck
        self.listed: str | None = None  # the filter text the option list shows the matches of
        self.submitted: str | None = None  # Enter pressed before those matches arrived
        self.count = False  # "count it": answers on due cards count on their schedule
        self.seed = f"{time.time_ns()}"  # the quiz's questions: the number promised is the number asked
        self.promised: int | None = None  # questions a whole-deck quiz will ask (None: still counting)
        self.deck_items: list[QuizItem] | None = None  # those questions, which the quiz then asks
        self.counted_at: tuple[int, int] | None = None  # the database's change state they were read at
        self.starting = False  # Enter on the whole deck before its questions were ready: start once they are

    def compose(self) -> ComposeResult:
        with Vertical(id="quiz-pick"):
            yield Static(Content.styled("Related-concept quiz", "bold $accent"))
            yield Static(Content("Type to find a term, or pick the first line to mix questions from the whole deck."), classes="muted")
            yield Static(id="quiz-count")
            yield Input(id="quiz-filter", compact=True, placeholder="find a term…")
            yield OptionList(id="quiz-options")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.show_count()
        # the state is read here, on the UI thread, before the worker reads: the graphs it keeps are never older
        self.counted_at = change_state(self.app.store)
        self.count_questions(graph_cache(self.app.store).graphs(self.counted_at))
        self.fill("")
        self.query_one("#quiz-filter", Input).focus()

    def show_count(self) -> None:
        note = Content.assemble(("☑ ", "bold $warning"), COUNT_NOTE) if self.count else Content.assemble(("☐ ", "bold"), PRACTICE_NOTE)
        key = "  ctrl+t: practice only" if self.count else "  ctrl+t: count it"
        self.query_one("#quiz-count", Static).update(Content.assemble(note, (key, "$text-muted")))

    def action_toggle_count(self) -> None:
        self.count = not self.count
        self.show_count()

    @work(thread=True, exclusive=True, group="quiz-count")
    def count_questions(self, graphs: dict[int, QuestionGraph]) -> None:
        """How many questions the whole-deck quiz has (it builds them: a subject may give none). The
        questions are kept for the quiz, and the deck graphs in the app's cache (``graphs``) for a quiz
        on one term."""
        store = self.app.worker_store()
        deck_id = store.deck_id(self.deck) if self.deck else None
        items = quiz_items(store, store.today(self.app.clock()), seed=self.seed, deck_id=deck_id, graphs=graphs)
        self.app.call_from_thread(self.show_promised, items)

    def show_promised(self, items: list[QuizItem]) -> None:
        self.deck_items = items
        self.promised = len(items)
        if self.starting and self.is_current:
            self.starting = False
            self.start("deck")
            return
        opts = self.query_one("#quiz-options", OptionList)
        if opts.option_count and opts.get_option_at_index(0).id == "deck":
            opts.replace_option_prompt_at_index(0, self.deck_line())

    def deck_line(self) -> Content:
        # the deck name (from the command line or the dashboard) is data: one clean, inert line
        label = Content.assemble(("▶ Whole deck: ", "bold"), plain_line(self.deck, "bold")) if self.deck else Content.styled("▶ All decks", "bold")
        n = self.promised
        count = "counting questions…" if n is None else plural(n, "question") if n else "no questions: its terms need related terms"
        return Content.assemble(label, f" ({count})")

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
        opts.add_option(Option(self.deck_line(), id="deck"))
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
            if self.deck_items is None:  # still being built in the worker: start when they arrive
                self.starting = True
                return
            # the counted questions are the quiz's, unless the database changed since they were read
            items = self.deck_items if change_state(self.app.store) == self.counted_at else None
            self.app.switch_screen(QuizScreen(deck=self.deck, seed=self.seed, count=self.count, items=items))
        elif option_id:
            self.app.switch_screen(QuizScreen(term_id=int(option_id), seed=self.seed, count=self.count))

    def action_to_list(self) -> None:
        self.query_one("#quiz-options", OptionList).focus()

    def action_back(self) -> None:
        self.app.pop_screen()


@dataclass(frozen=True)
class Miss:
    """A wrong answer, for the end screen."""

    subject: str
    picked: str
    right: str


class QuizScreen(Screen[None]):
    """Up to ten related-concept questions, as practice (or counted on due cards with ``count``)."""

    app = getters.app(MlcardsAppBase)

    BINDINGS = [
        Binding("1", "choose(1)", "1", group=CHOOSE, id="quiz.choose1"),
        Binding("2", "choose(2)", "2", group=CHOOSE, id="quiz.choose2"),
        Binding("3", "choose(3)", "3", group=CHOOSE, id="quiz.choose3"),
        Binding("4", "choose(4)", "4", group=CHOOSE, id="quiz.choose4"),
        Binding("space,enter", "next", "Next", id="quiz.next"),
        Binding("q,escape", "leave", "Back", id="quiz.leave"),
    ]

    def __init__(self, *, term_id: int | None = None, deck: str | None = None, seed: str | None = None,
                 count: bool = False, items: list[QuizItem] | None = None):
        """``items``: the questions, already built (by the picker, with the same ``seed`` and deck)."""
        super().__init__()
        self.term_id = term_id
        self._prepared = items
        self.deck = deck
        self.count = count
        self.items: list[QuizItem] = []
        self.index = -1
        self.answered = False
        self.right = 0
        self.asked = 0
        self.counted = 0  # answers that counted on a schedule
        self.misses: list[Miss] = []
        self.choice: int | None = None
        self.verdict = Content("")
        self.shown_at = 0.0
        self.totals = SessionTotals()
        self._cards: set[int] = set()
        self._deck_id: int | None = None  # the summary's figures: one deck, or all of them
        self.seed = seed if seed is not None else f"{time.time_ns()}"

    @property
    def subjects(self) -> list[int]:
        """The subject terms, in the order they are asked."""
        return [item.question.subject_id for item in self.items]

    @property
    def item(self) -> QuizItem | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    @property
    def question(self) -> MCQuestion | None:
        item = self.item
        return item.question if item is not None else None

    def compose(self) -> ComposeResult:
        with Vertical(id="quiz"):
            yield Static(id="quiz-status")
            yield ProgressBar(id="quiz-progress", show_eta=False, show_percentage=False)
            with VerticalScroll(id="quiz-card"):
                yield Static(id="quiz-prompt")
                yield ChoiceList(id="quiz-choices")
                yield Static(id="quiz-feedback")
                yield ConceptMap(id="quiz-map")
                yield Static(id="quiz-missed")
                yield SessionSummary(id="quiz-summary")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        store = self.app.store
        today = store.today(self.app.clock())
        if self.term_id is None:
            self._deck_id = store.deck_id(self.deck) if self.deck else None
        if self._prepared is not None:
            self.items = self._prepared
        else:  # deck graphs the picker built (at an unchanged database) are reused
            graphs = graph_cache(store).graphs(change_state(store))
            self.items = quiz_items(store, today, seed=self.seed, deck_id=self._deck_id, term_id=self.term_id,
                                    graphs=graphs)
        self.query_one("#quiz-missed", Static).display = False
        self.query_one("#quiz-card", VerticalScroll).focus()
        self.next_question()

    def next_question(self) -> None:
        self.answered = False
        self.choice = None
        self.index = min(self.index + 1, len(self.items))
        self.shown_at = time.monotonic()
        self.render_view()
        self.refresh_bindings()

    def mode_label(self) -> str:
        return "count it (due cards)" if self.count else "practice"

    def render_view(self) -> None:
        total = len(self.items)
        bar = self.query_one("#quiz-progress", ProgressBar)
        q = self.question
        bar.update(total=max(1, total), progress=self.index + (1 if self.answered else 0) if q else total)
        status = self.query_one("#quiz-status", Static)
        prompt = self.query_one("#quiz-prompt", Static)
        choices = self.query_one(ChoiceList)
        feedback = self.query_one("#quiz-feedback", Static)
        cmap = self.query_one(ConceptMap)
        summary = self.query_one(SessionSummary)
        scroller = self.query_one("#quiz-card", VerticalScroll)
        if q is None:
            status.update(Content.styled("Quiz complete", "bold"))
            choices.show(None)
            cmap.clear()
            if not self.items:
                prompt.update(Content("No related-concept questions here: the terms need related terms first."))
                summary.clear()
            else:
                prompt.display = False
                today = self.app.store.today(self.app.clock())
                summary.show(self.totals, today=today, deck_id=self._deck_id, right="right")
                self.show_missed()
            feedback.update(Content.styled("q goes back", "$text-muted"))
            scroller.scroll_home(animate=False)
            return
        summary.clear()
        status.update(Content.assemble(
            ("Related-concept quiz", "bold"), f"   question {self.index + 1} of {total} · {self.right} right",
            (f" · {self.mode_label()}", "$text-muted"),
        ))
        prompt.update(plain(q.prompt, "bold"))
        choices.show(q, answered=self.answered, chosen=self.choice)
        if self.answered:
            feedback.update(self.verdict)
            cmap.show_term(q.subject_id, width=self.app.size.width - 12)
            # on small terminals, bring the verdict and the concept map into view (as the review screen does)
            self.call_after_refresh(scroller.scroll_to_widget, feedback, animate=False, top=True)
        else:
            feedback.update(Content.styled(f"press 1-{len(q.choices)}", "$text-muted"))
            cmap.clear()
            scroller.scroll_home(animate=False)

    def show_missed(self) -> None:
        """The end: what counted, and each wrong answer with the pick and the right answer (deck text, inert)."""
        practice = self.asked - self.counted
        if self.counted:
            how = f"{plural(self.counted, 'answer')} counted on due cards, {practice} practice."
        else:
            how = "All practice: no schedule changed."
        lines = [Content.assemble(
            (f"{plural(self.asked, 'question')}", "bold"), f" · {self.right} right · {len(self.misses)} missed · ", how,
        )]
        if self.misses:
            lines.append(Content.styled("Missed", "bold"))
            for m in self.misses:
                lines.append(Content.assemble(
                    ("✗ ", "$error"), plain_line(m.subject, "bold"), ": picked ", plain_line(m.picked),
                    " · right: ", plain_line(m.right, "$success"),
                ))
        else:
            lines.append(Content("Nothing missed."))
        missed = self.query_one("#quiz-missed", Static)
        missed.update(Content("\n").join(lines))
        missed.display = True
        missed.styles.margin = (0, 0, 1, 0)

    @on(ConceptMap.Shown)
    def _map_shown(self) -> None:
        if self.answered:  # the map arrived: bring the verdict and the map into view again
            scroller = self.query_one("#quiz-card", VerticalScroll)
            feedback = self.query_one("#quiz-feedback", Static)
            self.call_after_refresh(scroller.scroll_to_widget, feedback, animate=False, top=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            number = parameters[0]
            q = self.question
            return q is not None and not self.answered and isinstance(number, int) and number <= len(q.choices)
        if action == "next":
            return self.answered
        return True

    def action_choose(self, number: int) -> None:
        item = self.item
        if item is None or self.answered or not 1 <= number <= len(item.question.choices):
            return
        q = item.question
        self.choice = number - 1
        seconds = time.monotonic() - self.shown_at
        correct = q.is_correct(self.choice)
        self.right += correct
        self.asked += 1
        grade = suggest_mc_grade(correct, seconds)
        store = self.app.store
        now = self.app.clock()
        ms, chosen, key = int(seconds * 1000), q.chosen_id(self.choice), q.key_id if q.identifies else None
        refusal = count_refusal(store, item.card_id, store.today(now)) if self.count else None
        graded = f"grade {grade} ({GRADE_SHORT[grade]})"
        if self.count and refusal is None:
            result = answering.answer(store, item.card_id, grade, now, duration_ms=ms, source="quiz",
                                      chosen_term_id=chosen, key_term_id=key)
            self.counted += 1
            self.totals.redrills += result.kind == ReviewKind.REDRILL
            what = (f"Counted, {graded}: next review {result.after.due:%a %d %b}."
                    if result.kind != ReviewKind.REDRILL else f"Counted as a re-drill ({graded}): the schedule is kept.")
        else:
            answering.practice(store, item.card_id, grade, now, duration_ms=ms, source="quiz",
                               chosen_term_id=chosen, key_term_id=key)
            why = f"Not counted ({refusal}): practice, " if refusal is not None else "Practice, "
            what = f"{why}{graded}: the schedule did not change."
        if not correct:
            self.misses.append(Miss(item.subject, q.choices[self.choice], q.choices[q.answer]))
        t = self.totals
        self._cards.add(item.card_id)
        t.cards, t.answers, t.correct = len(self._cards), t.answers + 1, t.correct + correct
        t.seconds += seconds
        head = ("Right. ", "bold $success") if correct else ("Not quite. ", "bold $error")
        self.verdict = Content.assemble(head, what)
        self.answered = True
        self.render_view()
        self.refresh_bindings()

    def action_next(self) -> None:
        if self.answered:
            self.next_question()

    def action_leave(self) -> None:
        self.app.pop_screen()
