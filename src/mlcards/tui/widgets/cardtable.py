"""A virtual table of cards: it draws only the rows on screen and asks for pages of rows as they come into view.

The owner (Browse) holds the search; the table holds the total, the cursor, the marks (card ids) and a
cache of pages. A row that is not loaded yet shows as "…" and the table posts ``NeedPage`` once for it;
the owner answers with ``add_page``. ``reset`` starts a new result (a new generation): pages of an older
one that land late are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mlcards.records import CardState
from mlcards.store.rows import BrowseRow
from mlcards.text import one_line

PAGE = 100
"""Rows per page asked of the store."""

STATE_STYLE: dict[str, str] = {
    CardState.NEW: "cyan",
    CardState.LEARNING: "yellow",
    CardState.DUE: "bold green",
    CardState.SCHEDULED: "",
    CardState.SUSPENDED: "dim",
    CardState.LEECH: "bold red",
    "buried": "magenta",
}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # 0: shares what is left
    right: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("mark", "", 1),
    Column("term", "Term", 0),
    Column("kind", "Card", 8),
    Column("state", "State", 9),
    Column("deck", "Deck", 0),
    Column("due", "Due", 10),
    Column("interval", "Ivl", 5, right=True),
    Column("easiness", "Ease", 4, right=True),
    Column("lapses", "Lapses", 6, right=True),
    Column("tags", "Tags", 0),
)
SORT_OF_COLUMN = {"term": "term", "kind": "card", "state": "state", "deck": "deck", "due": "due",
                  "interval": "interval", "easiness": "easiness", "lapses": "lapses", "tags": "tags"}
MARK = "●"


def row_cells(row: BrowseRow, marked: bool) -> dict[str, str]:
    """What each column shows for ``row`` (deck text made one clean line)."""
    return {
        "mark": MARK if marked else " ",
        "term": one_line(row.term),
        "kind": row.kind,
        "state": row.state,
        "deck": one_line(row.deck),
        "due": row.due.isoformat() if row.due else "—",
        "interval": f"{row.interval}d" if row.due else "—",
        "easiness": f"{row.easiness:.2f}",
        "lapses": str(row.lapses),
        "tags": one_line(" ".join(row.tags)),
    }


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` in exactly ``width`` cells, cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    pad = " " * (width - cell_len(text))
    return pad + text if right else text + pad


def layout(width: int) -> list[tuple[Column, int]]:
    """The columns that fit in ``width`` cells and their widths (Tags go first when it is narrow)."""
    columns = list(COLUMNS)
    fixed = sum(c.width for c in columns if c.width)
    left = width - fixed - (len(columns) - 1)
    if left < 40:
        columns = [c for c in columns if c.key != "tags"]
        left += 1
        deck = max(6, min(12, left // 2))
    else:
        deck = min(14, left // 4)
    tags = max(0, (left - deck) // 3) if any(c.key == "tags" for c in columns) else 0
    term = max(8, left - deck - tags)
    share = {"term": term, "deck": deck, "tags": tags}
    return [(c, c.width or share[c.key]) for c in columns]


class CardTable(ScrollView, can_focus=True):
    """Rows of cards, drawn from a page cache; a header line that does not scroll."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cardtable--header",
        "cardtable--cursor",
        "cardtable--even-row",
        "cardtable--mark",
        "cardtable--pending",
    }

    DEFAULT_CSS = """
    CardTable {
        background: $surface;
        color: $foreground;
        & > .cardtable--header { text-style: bold; background: $panel; color: $foreground; }
        & > .cardtable--even-row { background: $surface-lighten-1 50%; }
        & > .cardtable--mark { color: $accent; text-style: bold; }
        & > .cardtable--pending { color: $text-muted; }
        & > .cardtable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .cardtable--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:dark > .cardtable--even-row { background: $surface-darken-1 40%; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
    ]

    class NeedPage(Message):
        """Pages ``page`` .. ``page + count - 1`` of result ``generation`` are (nearly) on screen, not loaded."""

        def __init__(self, generation: int, page: int, count: int = 1):
            super().__init__()
            self.generation = generation
            self.page = page
            self.count = count

    class HeaderClicked(Message):
        """The header of the column that sorts by ``sort`` was clicked."""

        def __init__(self, sort: str):
            super().__init__()
            self.sort = sort

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.generation = 0
        self.total = 0
        self.cursor = 0
        self.pages: dict[int, list[BrowseRow]] = {}
        self.asked: set[int] = set()
        self.marks: set[int] = set()

    # --- data -------------------------------------------------------------------------------------------

    def reset(self, generation: int, total: int, cursor: int, pages: dict[int, list[BrowseRow]]) -> None:
        """Show a new result: ``total`` rows, the cursor on row ``cursor``, the pages already read."""
        self.generation = generation
        self.total = total
        self.pages = dict(pages)
        self.asked = set(pages)
        self.cursor = max(0, min(cursor, total - 1))
        self._resize()
        self._scroll_to_cursor(center=not self._cursor_visible())
        self.refresh()
        self._ask_for_visible()

    def add_page(self, generation: int, page: int, rows: list[BrowseRow]) -> None:
        if generation != self.generation:
            return  # a page of an older result
        self.pages[page] = rows
        self.refresh()

    def row_at(self, index: int) -> BrowseRow | None:
        page = self.pages.get(index // PAGE)
        if page is None or index < 0 or index - (index // PAGE) * PAGE >= len(page):
            return None
        return page[index % PAGE]

    @property
    def current(self) -> BrowseRow | None:
        return self.row_at(self.cursor) if self.total else None

    def toggle_mark(self, card_id: int) -> bool:
        """Mark or unmark a card; True if it is marked now."""
        if card_id in self.marks:
            self.marks.discard(card_id)
        else:
            self.marks.add(card_id)
        self.refresh()
        return card_id in self.marks

    def set_marks(self, marks: set[int]) -> None:
        self.marks = set(marks)
        self.refresh()

    # --- cursor and scrolling ---------------------------------------------------------------------------

    @property
    def visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, row: int) -> None:
        if not self.total:
            return
        self.cursor = max(0, min(row, self.total - 1))
        self._scroll_to_cursor()
        self.refresh()
        self._ask_for_visible()

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta * self.visible_rows)

    def _cursor_visible(self) -> bool:
        top = int(self.scroll_y)
        return top <= self.cursor < top + self.visible_rows

    def _scroll_to_cursor(self, center: bool = False) -> None:
        top, rows = int(self.scroll_y), self.visible_rows
        if center:
            top = self.cursor - rows // 2
        elif self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + rows:
            top = self.cursor - rows + 1
        self.scroll_to(y=max(0, min(top, self.total - rows)), animate=False, immediate=True)

    def _resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.total + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._resize()
        self._ask_for_visible()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._ask_for_visible()

    def _ask_for_visible(self) -> None:
        if not self.total or not self.is_mounted:
            return
        top = int(self.scroll_y)
        first, last = max(0, top - self.visible_rows), min(self.total - 1, top + 2 * self.visible_rows)
        missing = [page for page in range(first // PAGE, last // PAGE + 1) if page not in self.asked]
        if missing:  # one request for the run of pages (a jump to the end may straddle two)
            self.asked.update(range(missing[0], missing[-1] + 1))
            self.post_message(self.NeedPage(self.generation, missing[0], missing[-1] - missing[0] + 1))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = 0
            for column, width in layout(self.scrollable_content_region.width):
                if x <= offset.x < x + width + 1 and column.key in SORT_OF_COLUMN:
                    self.post_message(self.HeaderClicked(SORT_OF_COLUMN[column.key]))
                    return
                x += width + 1
            return
        self.move_cursor(int(self.scroll_y) + offset.y - 1)

    # --- drawing ----------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        columns = layout(width)
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("cardtable--header")
            text = " ".join(fit(c.title, w, c.right) for c, w in columns)
            return Strip([Segment(fit(text, width), style)], width)
        index = int(self.scroll_y) + y - 1
        if index >= self.total:
            return Strip.blank(width, base)
        row_style = base
        if index % 2:
            row_style = row_style + self.get_component_rich_style("cardtable--even-row")
        cursor = index == self.cursor
        if cursor:
            row_style = row_style + self.get_component_rich_style("cardtable--cursor")
        row = self.row_at(index)
        if row is None:
            pending = row_style + self.get_component_rich_style("cardtable--pending")
            return Strip([Segment(fit("  …", width), pending)], width)
        cells = row_cells(row, row.card_id in self.marks)
        segments: list[Segment] = []
        used = 0
        for i, (column, w) in enumerate(columns):
            if i:
                segments.append(Segment(" ", row_style))
                used += 1
            style = row_style
            if column.key == "mark":
                style = row_style + self.get_component_rich_style("cardtable--mark", partial=True)
            elif column.key == "state" and not cursor and STATE_STYLE.get(row.state):
                style = row_style + Style.parse(STATE_STYLE[row.state])
            segments.append(Segment(fit(cells[column.key], w, column.right), style))
            used += w
        if used < width:
            segments.append(Segment(" " * (width - used), row_style))
        return Strip(segments, width).crop(0, width)
