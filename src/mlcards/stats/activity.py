"""Answers over time: today, totals, per day (activity, heatmap), streaks, true retention."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from mlcards.stats.common import HEATMAP_DAYS, MATURE_DAYS, RANGES, days_between, parse_range, range_start
from mlcards.stats.data import DayCount, Heatmap, Ratio, Retention, Streaks, TodayStats
from mlcards.store import Store


def today(store: Store, today: date, *, deck_id: int | None = None) -> TodayStats:
    """Answers given on study day ``today``: by kind, distinct cards, correct, time spent."""
    return TodayStats(today, *store.day_answer_counts(today, deck_id))


def reviews_total(store: Store, *, deck_id: int | None = None) -> int:
    """Every answer ever logged (re-drills included)."""
    return store.answers_total(deck_id)


def daily_counts(store: Store, start: date, end: date, *, deck_id: int | None = None) -> list[DayCount]:
    """Answers per study day from ``start`` to ``end`` (inclusive), oldest first, zeros included."""
    if end < start:
        return []
    counts = store.answers_per_day(start, end, deck_id)
    return [DayCount(d, counts.get(d, 0)) for d in days_between(start, end)]


def first_day(store: Store, *, deck_id: int | None = None) -> date | None:
    """The first study day with an answer."""
    return store.first_study_day(deck_id)


def activity(store: Store, today: date, range: str | int | None = "30", *, deck_id: int | None = None) -> list[DayCount]:
    """Answers per study day over the range ending today, oldest first, days without answers as zeros.

    ``"all"`` starts at the first day with an answer (just today when there is none).
    """
    start = range_start(today, range)
    if start is None:
        start = min(first_day(store, deck_id=deck_id) or today, today)
    return daily_counts(store, start, today, deck_id=deck_id)


def heatmap(store: Store, today: date, *, days: int = HEATMAP_DAYS, deck_id: int | None = None) -> Heatmap:
    """Answers per study day over the last ``days`` days ending today (a year by default)."""
    start = today - timedelta(days=days - 1)
    counts = daily_counts(store, start, today, deck_id=deck_id)
    return Heatmap(start, today, {c.day: c.reviews for c in counts if c.reviews})


def heatmap_from(counts: list[DayCount]) -> Heatmap:
    """A heatmap over already computed per-day counts (the summary shares one query)."""
    return Heatmap(counts[0].day, counts[-1].day, {c.day: c.reviews for c in counts if c.reviews})


def study_days(store: Store, until: date, *, deck_id: int | None = None) -> list[date]:
    """Every distinct study day with an answer, up to ``until``, in order (``Store.study_days``)."""
    return store.study_days(until, deck_id)


def streaks_from_days(days: list[date], today: date) -> Streaks:
    """Current and longest streak from the sorted distinct study days (see the module docstring)."""
    days = [d for d in days if d <= today]
    if not days:
        return Streaks()
    longest = run = 1
    for prev, cur in zip(days, days[1:]):
        run = run + 1 if (cur - prev).days == 1 else 1
        longest = max(longest, run)
    studied_today = days[-1] == today
    current = 0
    if days[-1] >= today - timedelta(days=1):
        current = 1
        for i in range(len(days) - 1, 0, -1):
            if (days[i] - days[i - 1]).days != 1:
                break
            current += 1
    return Streaks(current, longest, studied_today, days[-1], len(days))


def streaks(store: Store, today: date, *, deck_id: int | None = None) -> Streaks:
    """Current and longest streak of study days with at least one answer."""
    return streaks_from_days(study_days(store, today, deck_id=deck_id), today)


# --- retention ---------------------------------------------------------------------------------------


def retention(store: Store, today: date, range: str | int | None = "30", *, deck_id: int | None = None) -> Retention:
    """True retention over the range ending today (see the module docstring)."""
    return retention_ranges(store, today, [range], deck_id=deck_id)[parse_range(range)]


def retention_ranges(
    store: Store, today: date, ranges: Iterable[str | int | None] = RANGES, *, deck_id: int | None = None
) -> dict[str, Retention]:
    """True retention for several ranges at once: one pass over the widest range, per study day."""
    keys = list(dict.fromkeys(parse_range(r) for r in ranges))
    starts = {k: range_start(today, k) for k in keys}
    widest = None if None in starts.values() else min(d for d in starts.values() if d is not None)
    rows = store.retention_counts(widest, today, deck_id, MATURE_DAYS)
    out = {}
    for k in keys:
        start = (starts[k] or date.min).isoformat()
        n = ok = yn = yok = 0
        for day, passed, count, young in rows:
            if day >= start:
                n, yn = n + count, yn + young
                if passed:
                    ok, yok = ok + count, yok + young
        out[k] = Retention(k, Ratio(n, ok), Ratio(yn, yok), Ratio(n - yn, ok - yok))
    return out
