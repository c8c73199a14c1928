"""The little concept map: a term, its definition, and its related terms with one-line definitions."""

from __future__ import annotations

from textual.content import Content

from mlcards.store import Store
from mlcards.tui.widgets.text import plain, plain_line

def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def concept_map(store: Store, term_id: int, width: int = 76) -> Content:
    """Render a term and its neighbours in the related-term graph as plain content."""
    term = store.term_model(term_id)
    neighbours = store.term_neighbours(term_id)
    lines: list[Content] = [
        Content.assemble(plain_line(term.term, "bold $accent"), "  ", plain(term.definition)),
    ]
    if neighbours:
        lines.append(Content.styled("Related:", "bold"))
        for i, n in enumerate(neighbours):
            branch = "  └─ " if i == len(neighbours) - 1 else "  ├─ "
            lines.append(Content.assemble(branch, plain_line(n.term, "bold"), " — ", plain_line(_short(n.definition, max(20, width - 9 - len(n.term))))))
    return Content("\n").join(lines)
