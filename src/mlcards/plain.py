"""``mlcards review --plain``: the review loop as plain lines, for pipes, scripts and screen readers.

For every card: print the front, read one answer line (Enter to reveal; a typed term for a reverse
card; the option number for a multiple-choice card, empty to give up), print the answer, then read
one grade line (0-5; empty accepts the suggested grade). ``q`` or end of input stops; every answer
already given is saved.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

from mlcards.answers import TypedVerdict, judge_typed, suggest_mc_grade
from mlcards.cards import back_sections, cloze_answer, front, prompt_label
from mlcards.records import GRADE_MEANINGS, AnswerResult, CardKind, ReviewKind
from mlcards.schedulers.base import needs_redrill
from mlcards.session import FOUR_BUTTONS, FOUR_LABELS, ReviewSession, StudyCard, four_button_for
from mlcards.store import Store
from mlcards.text import clean_text, one_line, safe_line
from mlcards.wording import duration, plural

SELF_GRADE_DEFAULT = 4
"""Suggested grade for a card graded by the user after revealing it (Anki's 'Good')."""


class _Stop(Exception):
    pass


class TextOutput(Protocol):
    """Where the transcript goes: a text stream, or anything that writes and flushes text like one."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class PlainReview:
    def __init__(self, session: ReviewSession, stdin: TextIO, stdout: TextOutput) -> None:
        self.session = session
        self.stdin = stdin
        self.stdout = stdout
        self._echo = not _isatty(stdin)  # echo piped input so the transcript reads like a conversation
        self._lines: list[str] = []
        """What was said since the last prompt: written with the next prompt, in one write."""

    def say(self, text: str = "") -> None:
        self._lines.append(text + "\n")

    def _write(self, text: str = "") -> None:
        """Write what was said, then ``text``, in one write."""
        if self._lines:
            self._lines.append(text)
            text = "".join(self._lines)
            self._lines.clear()
        if text:
            self.stdout.write(text)

    def ask(self, prompt: str) -> str:
        self._write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:  # end of input
            self.say()
            raise _Stop
        if self._echo:
            self.say(one_line(line))
        line = line.strip()
        if line.lower() in ("q", "quit"):
            raise _Stop
        return line

    def run(self) -> int:
        s = self.session
        total = s.remaining
        if total == 0:
            self.say("Nothing to review today.")
        else:
            self.say(f"{s.today:%a %d %b %Y}: {plural(total, 'card')} to review. Type q to stop.")
        try:
            try:
                while (shown := s.next()) is not None:
                    self.review_one(shown)
            except _Stop:
                pass
            self.say(self.summary())
        finally:  # whatever was said before an error is still written
            self._write()
            self.stdout.flush()
        return 0

    def review_one(self, shown: StudyCard) -> None:
        card = shown.card
        number = self.session.answered + 1
        flags = [card.kind.value]
        if card.is_new:
            flags.append("new")
        if shown.redrill:
            flags.append("re-drill")
        self.say()
        self.say(f"[{number}] {one_line(card.deck)} · {' · '.join(flags)}")
        started = time.monotonic()
        self._choice: int | None = None  # the option picked on a multiple-choice card
        if shown.question is not None:
            suggested = self._multiple_choice(shown, started)
        else:
            self.say(f"{prompt_label(card)}")
            self.say(_indent(front(card)))
            blank = cloze_answer(card)
            if card.kind is CardKind.REVERSE:
                typed = self.ask("answer (type the term, or Enter to reveal)> ")
            elif blank is not None:
                typed = self.ask("answer (type what the blank holds, or Enter to reveal)> ")
            else:
                typed = self.ask("answer (Enter to reveal)> ")
            self._back(shown)
            suggested = SELF_GRADE_DEFAULT
            verdict: TypedVerdict | None = None
            if typed and card.kind is CardKind.REVERSE:
                verdict = self.session.answer_names.judge(typed, card)  # against the deck's other terms too
            elif typed and blank is not None:  # the deletion's answer, no aliases; the deck's terms as confusables
                verdict = judge_typed(typed, blank, (), self.session.answer_names.rivals(typed, card))
            if verdict is not None:
                suggested = verdict.grade
                self.say(f"  you typed {verdict.typed!r}: {verdict.score:.0f}% match")
                if not verdict.exact:
                    self.say(f"  compared with {verdict.matched!r}: {verdict.marked()}"
                             "   ([-x-] typed but not in the answer, [+x+] missing)")
                if verdict.reason:
                    self.say(f"  {verdict.reason}: suggested grade {verdict.grade}")
        grade = self._grade(suggested)
        result = self._commit(grade, duration_ms=int((time.monotonic() - started) * 1000))
        if result.kind == ReviewKind.REDRILL:
            note = "re-drill logged; schedule unchanged"
        else:
            assert result.after.due is not None  # a graded (not re-drill) answer always schedules the card
            note = f"next review {result.after.due.isoformat()} (in {plural(result.after.interval, 'day')})"
        if needs_redrill(result.grade):
            note += "; it comes back later this session"
        if result.leeched:
            note += f"; it lapsed {self.session.store.setting('leech_threshold')} times, so it is now a leech and suspended"
        self.say(f"  saved {grade} ({GRADE_MEANINGS[grade]}): {note}")

    def _multiple_choice(self, shown: StudyCard, started: float) -> int:
        q = shown.question
        assert q is not None
        self.say(_indent(q.prompt))
        for i, choice in enumerate(q.choices, 1):
            self.say(f"    {i}) {one_line(choice)}")
        while True:
            line = self.ask(f"answer 1-{len(q.choices)} (Enter to give up)> ")
            if not line:
                self.say(f"  the answer: {q.answer + 1}) {one_line(q.choices[q.answer])}")
                self._back(shown)
                return 0
            if line.isdigit() and 1 <= int(line) <= len(q.choices):
                break
            self.say(f"  type a number from 1 to {len(q.choices)}")
        chosen = self._choice = int(line) - 1
        correct = q.is_correct(chosen)
        suggested = suggest_mc_grade(correct, time.monotonic() - started)
        verdict = "right" if correct else f"wrong: the answer is {q.answer + 1}) {one_line(q.choices[q.answer])}"
        self.say(f"  {verdict} (suggested grade {suggested})")
        self._back(shown)
        return suggested

    def _back(self, shown: StudyCard) -> None:
        for label, text in back_sections(shown.card):
            self.say(f"  {label}: {_indent(text, first='').strip()}")

    def _commit(self, grade: int, *, duration_ms: int) -> AnswerResult:
        """Commit the answer; while another process holds the write lock, say so and keep retrying.

        The answer is kept in memory (with the moment it was given) until it is saved: never dropped.
        """
        from mlcards.store import DatabaseBusy

        moment = self.session.clock()
        while True:
            try:
                return self.session.answer(grade, duration_ms=duration_ms, now=moment,
                                           choice=getattr(self, "_choice", None))
            except DatabaseBusy as e:
                sys.stderr.write(safe_line(f"error: {e}; retrying, your answer is kept") + "\n")
                sys.stderr.flush()

    def _grade(self, suggested: int) -> int:
        if self.session.store.setting("answer_buttons") == 4:
            return self._button(suggested)
        scale = ", ".join(f"{g} {GRADE_MEANINGS[g]}" for g in range(5, -1, -1))
        while True:
            line = self.ask(f"grade 0-5 [{suggested}]> ")
            if not line:
                return suggested
            if line.isdigit() and 0 <= int(line) <= 5:
                return int(line)
            self.say(f"  a grade is a number from 0 to 5: {scale}")

    def _button(self, suggested: int) -> int:
        """Four-button mode: 1 Again, 2 Hard, 3 Good, 4 Easy, logged as grades 1, 3, 4, 5."""
        default = four_button_for(suggested)
        scale = ", ".join(f"{b} {label}" for b, label in FOUR_LABELS.items())
        while True:
            line = self.ask(f"{scale} [{default}]> ")
            if not line:
                return FOUR_BUTTONS[default]
            if line.isdigit() and int(line) in FOUR_BUTTONS:
                return FOUR_BUTTONS[int(line)]
            self.say(f"  a button is a number from 1 to 4: {scale}")

    def summary(self) -> str:
        s = self.session
        t = s.totals()
        if t.answers == 0:
            text = "Session: no answers."
        else:
            text = (
                f"Session: {plural(t.cards, 'card')}, {plural(t.answers, 'answer')}, "
                f"{t.correct / t.answers:.0%} graded 3+, {plural(t.redrills, 're-drill')}, "
                f"{duration(t.seconds)}."
            )
        left = s.remaining
        if left:
            text += f" {left} left for today."
        from mlcards import stats

        nxt = stats.next_due(s.store, s.today, deck_id=s.deck_id)
        if nxt:
            text += f" Next due: {nxt.day.isoformat()} ({plural(nxt.due, 'card')})."
        return text


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _indent(text: str, first: str = "  ") -> str:
    lines = clean_text(text).split("\n")
    return "\n".join((first if i == 0 else "  ") + line for i, line in enumerate(lines))


def run_plain_review(
    store: Store,
    *,
    deck: str | None = None,
    limit: int | None = None,
    new_limit: int | None = None,
    review_limit: int | None = None,
    stdin: TextIO | None = None,
    stdout: TextOutput | None = None,
) -> int:
    session = ReviewSession(store, deck=deck, limit=limit, new_limit=new_limit, review_limit=review_limit)
    return PlainReview(session, stdin or sys.stdin, stdout or sys.stdout).run()
