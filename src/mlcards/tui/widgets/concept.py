"""The little concept map: a term, its definition, and its related terms with one-line definitions.

``ConceptMap`` reads the term and its neighbours in a worker, on the worker's own connection, and
draws them when they arrive; nothing here runs SQL on the UI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from textual import getters, work
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from mlcards.tui.base import MlcardsAppBase
from mlcards.tui.widgets.text import plain, plain_line


class _Named(Protocol):
    @property
    def term(self) -> str: ...

    @property
    def definition(self) -> str: ...


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def concept_content(term: _Named, neighbours: Sequence[_Named], width: int = 76) -> Content:
    """A term and its neighbours in the related-term graph as plain content (pure: no store)."""
    lines: list[Content] = [
        Content.assemble(plain_line(term.term, "bold $accent"), "  ", plain(term.definition)),
    ]
    if neighbours:
        lines.append(Content.styled("Related:", "bold"))
        for i, n in enumerate(neighbours):
            branch = "  └─ " if i == len(neighbours) - 1 else "  ├─ "
            definition = _short(n.definition, max(20, width - 9 - len(n.term)))
            lines.append(Content.assemble(branch, plain_line(n.term, "bold"), " — ", plain_line(definition)))
    return Content("\n").join(lines)


class ConceptMap(Static):
    """Shows one term's concept map; ``show_term`` loads it in a worker, ``clear`` hides it.

    Hidden until the map has arrived; then it posts ``ConceptMap.Shown`` (so a screen can scroll it into view).
    """

    app = getters.app(MlcardsAppBase)

    class Shown(Message):
        """The map of the asked-for term is on screen now."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.term_id: int | None = None

    def show_term(self, term_id: int, width: int) -> None:
        """Draw ``term_id``'s map (at most ``width`` cells wide) as soon as the worker has read it."""
        self.term_id = term_id
        self.load(term_id, width)

    def clear(self) -> None:
        self.term_id = None
        self.update("")
        self.display = False

    @work(thread=True, exclusive=True, group="concept-map")
    def load(self, term_id: int, width: int) -> None:
        store = self.app.worker_store()
        content = concept_content(store.term_model(term_id), store.term_neighbours(term_id), width=width)
        self.app.call_from_thread(self._loaded, term_id, content)

    def _loaded(self, term_id: int, content: Content) -> None:
        if term_id == self.term_id:  # a later card may have asked for another map meanwhile
            self.update(content)
            self.display = True
            self.post_message(self.Shown())
