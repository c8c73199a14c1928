"""Browse's press-to-settled latency on a big database, through Textual's Pilot (issue 11).

    python benchmarks/browse_latency.py DB     # e.g. the 100,002-card database stats_bench.py builds

Each figure is the time from a key press until every worker has finished and the screen has been
refreshed, in milliseconds. Pilot itself costs something: the "no-op key" line (an unbound key) is
that floor, and "open help" is what pushing a plain screen costs, for comparison with "open (b)".
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from mlcards.tui.app import make_app


async def settle(pilot) -> None:
    await pilot.pause()
    busy = [w for w in pilot.app.workers if w.group != "_loader" and not w.is_finished]
    if busy:
        await pilot.app.workers.wait_for_complete(busy)
        await pilot.pause()


async def measure(db: Path) -> dict[str, list[float]]:
    app = make_app(db)
    out: dict[str, list[float]] = {}
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)

        async def timed(name: str, *keys: str) -> None:
            t = time.perf_counter()
            await pilot.press(*keys)
            await settle(pilot)
            out.setdefault(name, []).append((time.perf_counter() - t) * 1000)

        for _ in range(3):
            await timed("no-op key", "f12")
        for _ in range(2):
            await timed("open help (?)", "question_mark")
            await pilot.press("escape")
            await settle(pilot)
        for _ in range(3):
            await timed("open (b)", "b")
            await pilot.press("escape")
            await settle(pilot)
        await timed("open (b)", "b")
        for _ in range(5):
            await timed("sort (o)", "o")
        for _ in range(2):
            await timed("reverse (O)", "O")
        for key in ("down", "down", "pagedown", "pagedown", "end", "pageup", "home", "up"):
            await timed(f"cursor {key}", key)
        await pilot.press("slash")
        await settle(pilot)
        for ch in "term 12":
            await timed("search keystroke", ch)
        for _ in range(3):
            await timed("search backspace", "backspace")
    return out


def main() -> int:
    db = Path(sys.argv[1])
    out = asyncio.run(measure(db))
    for name, times in out.items():
        print(f"{name:18s} median {statistics.median(times):5.0f}  max {max(times):5.0f}  "
              f"({' '.join(f'{t:.0f}' for t in times)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
