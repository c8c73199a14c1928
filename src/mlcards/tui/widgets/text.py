"""Deck text on screen: always plain ``Content`` (never markup), control characters stripped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

if TYPE_CHECKING:
    from rich.text import Text

from mlcards.text import clean_text, one_line


def plain(text: str | None, style: str = "") -> Content:
    """Deck text as inert content: ``[bold]`` shows literally and escapes never reach the terminal."""
    return Content.styled(clean_text(text or ""), style) if style else Content(clean_text(text or ""))


def plain_line(text: str | None, style: str = "") -> Content:
    return Content.styled(one_line(text or ""), style) if style else Content(one_line(text or ""))


def cell(text: object, style: str = "") -> "Text":
    """A DataTable cell: a Rich ``Text`` (DataTable would read a plain ``str`` as markup)."""
    from rich.text import Text

    return Text(one_line(str(text if text is not None else "")), style=style, no_wrap=True, overflow="ellipsis")
