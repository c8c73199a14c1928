"""The options of a multiple-choice question, numbered; once answered, ✓ on the key and ✗ on a wrong pick."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from mlcards.cards import MCQuestion
from mlcards.tui.widgets.text import plain_line


def choices_content(question: MCQuestion, *, answered: bool, chosen: int | None) -> Content:
    lines = []
    for i, choice in enumerate(question.choices):
        style, mark = "", "  "
        if answered:
            if i == question.answer:
                style, mark = "bold $success", "✓ "
            elif i == chosen:
                style, mark = "strike $error", "✗ "
        lines.append(Content.assemble(mark, (f"{i + 1}", "bold"), "  ", plain_line(choice, style)))
    return Content("\n").join(lines)


class ChoiceList(Static):
    """One multiple-choice question's options (the review screen's and the quiz's).

    Before the answer: the options and their number keys. After: the key marked ✓ and, when the
    pick was wrong, the pick struck through and marked ✗. Hidden while there is no question.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.question: MCQuestion | None = None
        self.chosen: int | None = None
        self.answered = False

    def show(self, question: MCQuestion | None, *, answered: bool = False, chosen: int | None = None) -> None:
        self.question, self.answered, self.chosen = question, answered, chosen
        self.display = question is not None
        self.update(choices_content(question, answered=answered, chosen=chosen) if question is not None else "")
