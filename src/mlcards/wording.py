"""How counts and durations read, in one place: the CLI, plain review and every screen use these.

``plural(3, "card")`` -> ``"3 cards"``; ``duration(65)`` -> ``"1m 05s"``. Pure, no imports beyond the
standard library, so any layer may use it.
"""

from __future__ import annotations


def noun(n: int, word: str, plural: str | None = None) -> str:
    """The word alone, singular for exactly one: ``noun(2, "re-drill")`` -> ``"re-drills"``.

    For layouts that style the number on its own (a bold count followed by its word).
    """
    if n == 1:
        return word
    return plural if plural is not None else word + "s"


def plural(n: int, word: str, plural: str | None = None) -> str:
    """A count and its word: ``"1 card"``, ``"0 cards"``, ``plural(2, "leech", "leeches")`` -> ``"2 leeches"``."""
    return f"{n} {noun(n, word, plural)}"


def duration(seconds: float | None = None, *, ms: int | None = None) -> str:
    """A span of time as people read it: ``"0s"``, ``"45s"``, ``"3m 05s"``, ``"1h 02m"``.

    Give seconds, or ``ms=`` milliseconds (the review log's unit). Rounded to the nearest second;
    negative spans (a clock that moved back) read as ``"0s"``.
    """
    if ms is not None:
        if seconds is not None:
            raise TypeError("duration() takes seconds or ms=, not both")
        seconds = ms / 1000
    if seconds is None:
        raise TypeError("duration() needs seconds or ms=")
    total = max(0, int(round(seconds)))
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
