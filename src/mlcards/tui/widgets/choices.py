"""The options of a multiple-choice question, with ✓ / ✗ marks once answered."""

from __future__ import annotations

from textual.content import Content

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
