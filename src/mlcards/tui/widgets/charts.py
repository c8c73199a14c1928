"""Small charts drawn with block characters: crisp at any terminal size and deterministic."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

EIGHTHS = " ▁▂▃▄▅▆▇█"


def column_chart(values: Sequence[int], labels: Sequence[str], *, height: int = 7, width: int = 70) -> Content:
    """Vertical bars, one per value, with a y-axis (0, half, max) and a few x labels under them.

    Each bar is ``width // len(values)`` cells wide (at least one); bar tops are drawn in eighths.
    """
    n = len(values)
    if n == 0:
        return Content("")
    top = max(max(values), 1)
    axis_w = len(str(top)) + 1
    bar_w = max(1, (width - axis_w - 1) // n)
    gap = 1 if bar_w >= 3 else 0
    fill = bar_w - gap
    rows: list[Content] = []
    for level in range(height, 0, -1):
        label = ""
        if level == height:
            label = str(top)
        elif level == (height + 1) // 2 and top > 1:
            label = str(round(top * level / height))
        parts: list[str | tuple[str, str]] = [(f"{label:>{axis_w - 1}} ", "$text-muted"), ("│", "$text-muted")]
        for v in values:
            eighths = round(8 * height * v / top)
            cell = min(8, max(0, eighths - 8 * (level - 1)))
            if v > 0 and level == 1 and cell == 0:
                cell = 1  # a non-zero value always shows
            parts.append((EIGHTHS[cell] * fill, "$accent"))
            parts.append(" " * gap)
        rows.append(Content.assemble(*parts))
    rows.append(Content.styled(f"{'0':>{axis_w - 1}} └" + "─" * (bar_w * n), "$text-muted"))
    # x labels: first, a few in between, last; each placed under its bar without overlapping
    line = [" "] * (axis_w + 1 + bar_w * n + 12)
    step = max(1, n // 5)
    last_end = -1
    for i in list(range(0, n, step)) + [n - 1]:
        text = labels[i]
        pos = axis_w + 1 + i * bar_w
        if pos <= last_end or pos + len(text) > len(line):
            continue
        line[pos : pos + len(text)] = text
        last_end = pos + len(text)
    rows.append(Content.styled("".join(line).rstrip(), "$text-muted"))
    return Content("\n").join(rows)


def hbar_chart(values: Sequence[tuple[str, int]], width: int = 40) -> Content:
    """Horizontal bars with labels and counts, for histograms that read better as rows.

    Every line fits in ``width`` cells: label, bar, count; the longest bar takes what the widest label
    and count leave (at least one cell), so two charts side by side never run into each other.
    """
    top = max((v for _, v in values), default=0) or 1
    label_w = max((len(label) for label, _ in values), default=0)
    count_w = max((len(str(v)) for _, v in values), default=1)
    bar_w = max(1, width - label_w - count_w - 2)
    lines = []
    for label, v in values:
        n = round(bar_w * v / top)
        lines.append(Content.assemble((f"{label:>{label_w}} ", "$text-muted"), ("█" * n, "$accent"), f" {v}"))
    return Content("\n").join(lines)
