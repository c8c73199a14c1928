"""The review screen: front, reveal, grade 0-5 (or Again/Hard/Good/Easy); typed answers, multiple choice,
one undo stack (answers, suspends, buries, edits), edit, suspend, bury.

Each grade is committed by the store (card + log row in one transaction) before the next card shows.
The front (prompt, front text, the choices and their marks) stays pinned at the top of the card; only
the back (feedback, answer, concept map, summary) scrolls. Short messages (what was undone, the next
due date) go beside the progress bar under the status line, where no toast covers them.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, ProgressBar, Static

from mlcards.answers import TypedVerdict, judge_typed, suggest_mc_grade
from mlcards.cards import back_sections, cloze_answer, front, prompt_label
from mlcards.errors import MlcardsError
from mlcards.records import GRADE_SHORT, CardKind
from mlcards.session import FOUR_BUTTONS, FOUR_LABELS, ReviewSession, StudyCard, Undone, four_button_for, short_interval
from mlcards.text import one_line
from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.keymap import KeymapBindings
from mlcards.tui.widgets.choices import ChoiceList
from mlcards.tui.widgets.concept import ConceptMap
from mlcards.tui.widgets.summary import SessionSummary
from mlcards.tui.widgets.text import plain, plain_line
from mlcards.wording import duration, plural

GRADE = Binding.Group("Grade", compact=True)
CHOOSE = Binding.Group("Choose", compact=True)
SELF_GRADE_DEFAULT = 4


MESSAGE_SECONDS = 5.0
"""How long a message (the next due date, what was undone) stays beside the progress bar."""

DAY_ONE_NOTE = ("Reverse and multiple-choice cards of today's new terms arrive from tomorrow: "
                "one card per term per day.")


def grade_bar(suggested: int | None, *, buttons: int = 6, preview: dict[int, int] | None = None,
              kept: str | None = None) -> Content:
    """The keys and what each grade means, the suggested one highlighted, and below them every key's
    next interval (``3 · 1d  4 · 6d  5 · 8d``) or ``kept``: why no answer moves the schedule now.

    ``buttons`` 6: keys 0-5 are SM-2's grades. 4: keys 1-4 are Again/Hard/Good/Easy, logged as
    ``FOUR_BUTTONS`` (1/3/4/5); ``suggested`` (a 0-5 grade) lights the button standing for it.
    """
    parts: list[tuple[str, str]] = []
    keys: list[tuple[int, int]] = []  # (key, grade it logs)
    if buttons == 4:
        lit = four_button_for(suggested) if suggested is not None else None
        for key, grade in FOUR_BUTTONS.items():
            style = "reverse bold" if key == lit else ("$error" if grade < 3 else "$success")
            parts += [(f" {key} ", f"bold {style}"), (f"{FOUR_LABELS[key]} ", style)]
            keys.append((key, grade))
    else:
        for g in range(6):
            style = "reverse bold" if g == suggested else ("$error" if g < 3 else "$success")
            parts += [(f" {g} ", f"bold {style}"), (f"{GRADE_SHORT[g]} ", style)]
            keys.append((g, g))
    if preview is not None:
        intervals = "  ".join(f"{key} · {short_interval(preview[grade])}" for key, grade in keys)
        second = Content.assemble(" next  ", (intervals, "$text-muted"))
    else:
        second = Content.styled(f" {kept or ''}", "$text-muted")
    return Content("\n").join([Content.assemble(*parts), second])


class ReviewScreen(Screen[None]):
    """Today's cards, one at a time."""

    app = getters.app(MlcardsAppBase)

    DEFAULT_CSS = """
    #progress-row {
        height: 1;
    }
    #progress-row #progress {
        width: 1fr;
    }
    #message {
        width: auto;
        max-width: 75%;
        padding-left: 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #card-front {
        height: auto;
        max-height: 80%;  /* the back keeps a few lines even under a long front */
    }
    #card-back {
        height: 1fr;
        min-height: 3;
    }
    #card-back:focus {
        background-tint: $foreground 0%;
    }
    /* toasts sit above the grade bar and the footer, never over them */
    ToastRack {
        margin-bottom: 4;
    }
    """

    BINDINGS = [
        Binding("0", "grade(0)", "0", group=GRADE, id="review.grade0"),
        Binding("1", "grade(1)", "1", group=GRADE, id="review.grade1"),
        Binding("2", "grade(2)", "2", group=GRADE, id="review.grade2"),
        Binding("3", "grade(3)", "3", group=GRADE, id="review.grade3"),
        Binding("4", "grade(4)", "4", group=GRADE, id="review.grade4"),
        Binding("5", "grade(5)", "5", group=GRADE, id="review.grade5"),
        Binding("1", "choose(1)", "1", group=CHOOSE, id="review.choose1"),
        Binding("2", "choose(2)", "2", group=CHOOSE, id="review.choose2"),
        Binding("3", "choose(3)", "3", group=CHOOSE, id="review.choose3"),
        Binding("4", "choose(4)", "4", group=CHOOSE, id="review.choose4"),
        Binding("space,enter", "reveal", "Reveal", id="review.reveal"),
        Binding("space,enter", "accept", "Accept", id="review.accept"),
        Binding("space,enter", "resume", "Back to the card", id="review.resume"),
        Binding("t", "type_answer", "Type answer", id="review.type"),
        Binding("u", "undo", "Undo", id="review.undo"),
        Binding("e", "edit", "Edit", id="review.edit"),
        Binding("s", "suspend", "Suspend", id="review.suspend"),
        Binding("minus", "bury", "Bury", key_display="-", id="review.bury"),
        Binding("q,escape", "leave", "Back", id="review.leave"),
    ]

    def __init__(self, deck: str | None = None, **session_options: Any):
        super().__init__()
        KeymapBindings.install(self)  # reveal and accept share space/enter: a keymap moves only its own binding
        self.deck = deck
        self.session_options = session_options
        self.session: ReviewSession | None = None
        self.shown: StudyCard | None = None
        self.phase = "front"  # front | back | done
        self.leaving = False
        """The first q/Esc after an answer shows the summary; the second leaves."""
        self.buttons = 6
        self.suggested: int | None = None
        self.choice: int | None = None
        self.verdict: TypedVerdict | None = None
        self.shown_at = 0.0
        self.answer_seconds: float | None = None
        self.pending: tuple[int, int, datetime, int | None] | None = None
        """An answer given but not yet committed (another process held the write lock): grade, ms, moment."""
        self.retrying = False
        self._message_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="review"):
            yield Static(id="status")
            with Horizontal(id="progress-row"):  # the progress bar gives way to a message
                yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
                yield Static(id="message")
            with Vertical(id="card"):
                with VerticalScroll(id="card-front", can_focus=False):
                    yield Static(id="prompt")
                    yield Static(id="front")
                    yield ChoiceList(id="choices")
                    yield Input(id="typed", placeholder="type the term, Enter to check, Esc to cancel")
                with VerticalScroll(id="card-back"):
                    yield Static(id="feedback")
                    yield Static(id="back")
                    yield ConceptMap(id="concept")
                    yield SessionSummary(id="summary")
            yield Static(id="grades")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        try:
            self.session = ReviewSession(self.app.store, deck=self.deck, clock=self.app.clock, **self.session_options)
        except MlcardsError as e:
            self.notify(one_line(str(e)), severity="error", markup=False)
            self.app.pop_screen()
            return
        self.buttons = int(self.app.store.setting("answer_buttons"))
        self._load_graphs()  # multiple-choice graphs, ready before the first related card (else built then)
        self.query_one("#typed", Input).display = False
        self.query_one("#card-back", VerticalScroll).focus()
        self.advance()

    # --- showing -------------------------------------------------------------------------------------

    def advance(self) -> None:
        assert self.session is not None
        self.show(self.session.next())

    def show(self, shown: StudyCard | None) -> None:
        self.shown = shown
        self.leaving = False
        self.suggested = None
        self.choice = None
        self.verdict = None
        self.answer_seconds = None
        typed = self.query_one("#typed", Input)
        typed.value = ""
        typed.display = False
        if shown is None:
            self.phase = "done"
            self.render_summary()
        else:
            self.phase = "front"
            self.shown_at = time.monotonic()
            self.render_card()
        self.refresh_bindings()

    def say(self, text: str) -> None:
        """A short message beside the progress bar, for ``MESSAGE_SECONDS`` (deck text stays plain)."""
        message = self.query_one("#message", Static)
        message.update(plain_line(text))
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message_timer = self.set_timer(MESSAGE_SECONDS, lambda: message.update(""))

    def render_status(self) -> None:
        s = self.session
        assert s is not None
        done, left = s.answered, s.remaining
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(1, done + left), progress=done)
        practice = ("practice · schedule unchanged", "bold $warning") if s.practice is not None else None
        if self.shown is None or self.leaving:
            title = "Session complete" if self.shown is None else "Leaving the session"
            self.query_one("#status", Static).update(
                Content.assemble((title, "bold"), *((" · ", practice) if practice else ())))
            return
        card = self.shown.card
        flags = [card.kind.value]
        if card.is_new:
            flags.append("new")
        if self.shown.redrill:
            flags.append("re-drill")
        self.query_one("#status", Static).update(
            Content.assemble(
                plain_line(card.deck, "bold"),
                " · ",
                (" · ".join(flags), "$warning" if self.shown.redrill else "$accent"),
                *((" · ", practice) if practice else ()),
                f"   {done} answered · {left} left",
            )
        )

    def render_card(self) -> None:
        assert self.shown is not None and self.session is not None
        card, q = self.shown.card, self.shown.question
        self.render_status()
        self.query_one("#prompt", Static).update(Content.styled(prompt_label(card), "italic $text-muted"))
        front_text = q.prompt if q is not None else front(card)
        self.query_one("#front", Static).update(plain(front_text, "bold"))
        self.query_one(SessionSummary).clear()
        for wid in ("#prompt", "#front"):
            self.query_one(wid, Static).display = True
        self.query_one(ChoiceList).show(q, answered=self.phase == "back", chosen=self.choice)
        concept = self.query_one(ConceptMap)
        feedback = self.query_one("#feedback", Static)
        back = self.query_one("#back", Static)
        grades = self.query_one("#grades", Static)
        if self.phase == "front":
            feedback.update("")
            feedback.display = False
            back.update("")
            back.display = False
            concept.clear()
            hint = "space reveals"
            if q is not None:
                hint = f"press 1-{len(q.choices)} to choose"
            elif card.kind is CardKind.REVERSE:
                hint = "space reveals · t to type the term"
            elif cloze_answer(card) is not None:
                hint = "space reveals · t to type the blank"
            grades.update(Content.styled(hint, "$text-muted"))
            if card.kind is CardKind.REVERSE or cloze_answer(card) is not None:
                self._load_names(card.deck_id)  # ready before the answer is typed
        else:
            feedback.update(self._feedback_content())
            feedback.display = bool(self.verdict is not None or q is not None)
            if card.kind is CardKind.RELATED:  # the back is the concept map, read in a worker
                back.update("")
                back.display = False
                concept.show_term(card.term_id, width=self.app.size.width - 12)  # padding, border, scrollbar
            else:
                concept.clear()
                back.display = True
                back.update(self._back_content())
            preview = self.session.preview(card.id)
            kept = None
            if preview is None:
                kept = ("practice: the schedule stays as it is" if self.session.practice is not None
                        else "re-drill: today's first answer set the schedule; this one keeps it")
            grades.update(grade_bar(self.suggested, buttons=self.buttons, preview=preview, kept=kept))
        self.query_one("#card-front", VerticalScroll).scroll_home(animate=False)
        self.query_one("#card-back", VerticalScroll).scroll_home(animate=False)

    @work(thread=True, exclusive=True, group="review-graphs")
    def _load_graphs(self) -> None:
        """Build the session's question graphs on this worker's connection (0.3-1 s a deck at 13,000 terms)."""
        if self.session is not None:
            self.session.build_graphs(self.app.worker_store())

    @work(thread=True, exclusive=True, group="review-names")
    def _load_names(self, deck_id: int) -> None:
        """Read the deck's names for typed answers on this worker's connection (0.3 s at 13,000 terms)."""
        if self.session is not None:
            self.session.answer_names.load(deck_id, self.app.worker_store())

    def _feedback_content(self) -> Content:
        q = self.shown.question if self.shown else None
        if q is not None:
            if self.choice is None:
                return Content.styled("No choice made.", "$warning")
            if q.is_correct(self.choice):
                return Content.styled(f"Right, in {duration(self.answer_seconds or 0)}.", "bold $success")
            return Content.assemble(("Not quite: ", "bold $error"), plain_line(q.choices[q.answer], "bold"))
        if self.verdict is not None:
            v = self.verdict
            runs = []
            for op, text in v.diff:
                style = {"same": "$success", "missing": "underline $warning", "extra": "strike $error"}[op]
                text = text if op == "same" else f"[-{text}-]" if op == "extra" else f"[+{text}+]"  # no colour needed
                runs.append(plain_line(text, style) if text.strip() else Content(text))
            reason: list[str | Content] = ["\n", plain_line(v.reason, "bold $error")] if v.reason else []
            return Content.assemble(
                ("You typed: ", "bold"),
                plain_line(v.typed or "(nothing)"),
                "\n",
                ("Compared:  ", "bold"),
                *runs,
                f"   {v.score:.0f}% match",
                *reason,
            )
        return Content("")

    def _back_content(self) -> Content:
        assert self.shown is not None
        card = self.shown.card
        pieces = []
        for label, text in back_sections(card):
            pieces.append(Content.assemble((label, "bold $accent"), "\n", plain(text)))
        return Content("\n\n").join(pieces)

    def render_summary(self) -> None:
        s = self.session
        assert s is not None
        self.render_status()
        for wid in ("#prompt", "#front", "#feedback", "#back"):
            self.query_one(wid, Static).display = False
        self.query_one(ChoiceList).show(None)
        self.query_one(ConceptMap).clear()
        notes = [DAY_ONE_NOTE] if self.shown is None and s.held_back_siblings() else []
        self.query_one(SessionSummary).show(s.totals(), today=s.today, deck_id=s.deck_id, notes=notes)
        self.query_one("#card-back", VerticalScroll).scroll_home(animate=False)
        hint = ("q again to leave · space goes back to the card · u undoes the last action" if self.leaving
                else "q goes back · u undoes the last action")
        self.query_one("#grades", Static).update(Content.styled(hint, "$text-muted"))

    # --- which keys apply now ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        shown = self.shown
        mc = shown is not None and shown.question is not None
        typing = self.query_one("#typed", Input).has_focus if self.is_mounted else False
        if self.pending is not None and action in ("grade", "accept", "undo", "edit", "suspend", "bury", "choose"):
            return False  # an answer is waiting for the database: it is saved before anything else happens
        if self.leaving:  # the summary before leaving: q again, space back to the card, or undo
            return action in ("leave", "resume", "undo")
        if action == "resume":
            return False
        if action == "choose":
            number = parameters[0]
            question = shown.question if shown is not None else None
            return (self.phase == "front" and question is not None and isinstance(number, int)
                    and number <= len(question.choices) and not typing)
        if action == "reveal":
            return self.phase == "front" and shown is not None and not typing
        if action == "grade":
            key = parameters[0]
            return self.phase == "back" and (self.buttons == 6 or key in FOUR_BUTTONS)
        if action == "accept":
            return self.phase == "back"
        if action == "type_answer":
            typable = shown is not None and (shown.card.kind is CardKind.REVERSE or cloze_answer(shown.card) is not None)
            return self.phase == "front" and typable and not mc and not typing
        if action == "undo":
            return bool(self.session and self.session.actions) and not typing
        if action in ("edit", "suspend", "bury"):
            return shown is not None and not typing
        return True

    # --- actions ---------------------------------------------------------------------------------------

    def action_resume(self) -> None:
        """Back to the card from the summary shown before leaving, as it was."""
        if self.leaving:
            self.leaving = False
            self.query_one(SessionSummary).clear()
            self.render_card()
            self.refresh_bindings()

    def action_reveal(self) -> None:
        if self.shown is None or self.phase != "front":
            return
        self.phase = "back"
        self.answer_seconds = time.monotonic() - self.shown_at
        if self.shown.question is not None:  # revealed without choosing: gave up
            self.suggested = 0
        else:
            self.suggested = SELF_GRADE_DEFAULT
        self.render_card()
        self.refresh_bindings()

    def action_choose(self, number: int) -> None:
        q = self.shown.question if self.shown else None
        if q is None or self.phase != "front" or not 1 <= number <= len(q.choices):
            return
        self.choice = number - 1
        self.answer_seconds = time.monotonic() - self.shown_at
        self.suggested = suggest_mc_grade(q.is_correct(self.choice), self.answer_seconds)
        self.phase = "back"
        self.render_card()
        self.refresh_bindings()

    def action_type_answer(self) -> None:
        typed = self.query_one("#typed", Input)
        typed.display = True
        typed.focus()
        self.refresh_bindings()

    @on(Input.Submitted, "#typed")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.shown is None or self.session is None or self.phase != "front":
            return
        card = self.shown.card
        blank = cloze_answer(card)
        names = self.session.answer_names
        # a cloze card: the deletion's answer, no aliases, the deck's terms as confusables
        self.verdict = (names.judge(event.value, card) if blank is None
                        else judge_typed(event.value, blank, (), names.rivals(event.value, card)))
        self.answer_seconds = time.monotonic() - self.shown_at
        self.suggested = self.verdict.grade
        self.phase = "back"
        event.input.display = False
        self.query_one("#card-back", VerticalScroll).focus()
        self.render_card()
        self.refresh_bindings()

    def action_accept(self) -> None:
        if self.phase == "back" and self.suggested is not None:
            if self.buttons == 4:  # the button standing for the suggestion, logged as that button's grade
                self._commit(FOUR_BUTTONS[four_button_for(self.suggested)])
            else:
                self._commit(self.suggested)

    def action_grade(self, key: int) -> None:
        """Key ``key`` of the grade bar: the grade itself, or in four-button mode ``FOUR_BUTTONS[key]``."""
        if self.buttons == 4:
            if key not in FOUR_BUTTONS:
                return
            self._commit(FOUR_BUTTONS[key])
        else:
            self._commit(key)

    def _commit(self, grade: int) -> None:
        if self.phase != "back" or self.shown is None or self.session is None:
            return
        seconds = self.answer_seconds if self.answer_seconds is not None else time.monotonic() - self.shown_at
        self.pending = (grade, int(seconds * 1000), self.app.clock(), self.choice)
        self.commit_pending()

    def on_unmount(self) -> None:
        """Quitting (ctrl+q) with an answer still waiting: wait longer for the database rather than drop it."""
        if self.pending is not None and self.session is not None:
            store = self.session.store
            store.write_wait, saved = 30.0, store.write_wait
            try:
                self.commit_pending()
            finally:
                store.write_wait = saved

    def commit_pending(self) -> None:
        """Save the pending answer; while another process is writing, keep it and retry every second.

        The next card shows only once the answer (with its review-log row) is committed.
        """
        from mlcards.store import DatabaseBusy

        if self.pending is None or self.session is None:
            return
        grade, duration_ms, moment, choice = self.pending
        try:
            result = self.session.answer(grade, duration_ms=duration_ms, now=moment, choice=choice)
        except DatabaseBusy as e:
            if not self.retrying:
                self.notify(f"error: {e}. Your answer is kept and saved as soon as it can be.",
                            severity="warning", timeout=4, markup=False)
            self.retrying = True
            self.set_timer(1.0, self.commit_pending)
            return
        except MlcardsError as e:  # e.g. the card was deleted by another mlcards meanwhile
            self.pending = None
            self.retrying = False
            self.notify(f"Not saved: {one_line(str(e))} (changed elsewhere?); going on with the next card.",
                        severity="warning", timeout=6, markup=False)
            self.advance()
            return
        self.pending = None
        if self.retrying:
            self.retrying = False
            self.notify("Saved.", timeout=2)
        if result.leeched and self.shown is not None:
            threshold = self.app.store.setting("leech_threshold")
            self.notify(
                f"“{one_line(self.shown.card.term)}” lapsed {threshold} times: it is now tagged leech and suspended. "
                "Edit it to make it easier to remember, then unsuspend it from Browse.",
                title="Leech",
                severity="warning",
                timeout=8,
                markup=False,  # deck text is never markup
            )
        self.advance()
        self.say(self._next_due_text(result.practice_id is not None, result.after.due, result.kind.value))

    def _next_due_text(self, practice: bool, due: date | None, kind: str) -> str:
        """``next: Tue 09 Dec, in 6 days`` (and whether the schedule moved) after an answer."""
        if practice:
            return "logged as practice: schedule unchanged"
        if due is None:
            return ""
        assert self.session is not None
        days = (due - self.session.today).days
        when = "today" if days <= 0 else "tomorrow" if days == 1 else f"in {plural(days, 'day')}"
        kept = "schedule kept · " if kind == "redrill" else ""
        return f"{kept}next: {due:%a %d %b}, {when}"

    def action_undo(self) -> None:
        if self.session is None:
            return
        try:
            done = self.session.undo_action()
        except MlcardsError as e:  # what it would undo was deleted or changed by another mlcards
            self.notify(f"Can't undo that: {one_line(str(e))} (changed elsewhere?).",
                        severity="warning", timeout=6, markup=False)
            return
        if done is None:
            return
        self.show(done.shown)
        self.say(self._undone_text(done))

    @staticmethod
    def _undone_text(done: Undone) -> str:
        term = f"“{one_line(done.shown.card.term)}”"
        return {
            "answer": f"Undone: the answer to {term}",
            "suspend": f"Undone: suspending {term}",
            "bury": f"Undone: burying {term}",
            "edit": f"Undone: the edit of {term}",
        }[done.kind]

    def action_edit(self) -> None:
        if self.shown is None or self.session is None:
            return
        from mlcards.tui.screens.edit import EditTermScreen

        before = self.app.store.term_model(self.shown.card.term_id)

        def done(saved: bool | None) -> None:
            if saved and self.shown is not None and self.session is not None:
                self.shown = self.session.edited(before)  # a renamed term or new alias counts from now on
                self.render_card()
                self.refresh_bindings()

        self.app.push_screen(EditTermScreen(self.shown.card.term_id), done)

    def action_suspend(self) -> None:
        if self.shown is None or self.session is None:
            return
        card = self.session.suspend()
        self.advance()
        self.say(f"Suspended this {card.kind.value} card of “{one_line(card.term)}” · u undoes")

    def action_bury(self) -> None:
        if self.shown is None or self.session is None:
            return
        card = self.session.bury()
        self.advance()
        self.say(f"Buried “{one_line(card.term)}” until tomorrow · u undoes")

    def action_leave(self) -> None:
        typed = self.query_one("#typed", Input)
        if typed.has_focus:  # Esc while typing cancels the typing, not the session
            typed.value = ""
            typed.display = False
            self.query_one("#card-back", VerticalScroll).focus()
            self.refresh_bindings()
            return
        if self.pending is not None:  # never leave with an unsaved answer
            self.notify("Your last answer is still waiting for the database; it is retried every second.",
                        severity="warning", timeout=4)
            return
        s = self.session
        if s is not None and s.answered and self.phase != "done" and not self.leaving:
            self.leaving = True  # show what was done first; q again leaves
            self.render_summary()
            self.refresh_bindings()
            return
        self.app.pop_screen()
