"""Progress figures, computed in SQL over the indexed review log; plain data out, nothing drawn.

One computation, two faces: ``mlcards stats`` (text or ``--json``), the app's stats screen, the
dashboard and the session summary all call these functions. No Textual here, no clock beyond
``Store.today(now)``; every query aggregates inside SQLite, so Python only ever sees per-day,
per-bucket or per-deck rows (never one row per review).

Definitions (the README documents each JSON field):

- **Study day**: every figure uses the study day stored with each review (local date shifted back
  by the rollover hour, in the configured time zone), and "today" is ``Store.today(now)``.
- **Range**: ``"7" | "30" | "90" | "365"`` means the last N study days ending today, today
  included (``today - N + 1 .. today``); ``"all"`` means every day up to today.
- **Answers** are review-log rows: first answers of a day (``new`` or ``review``) and same-day
  re-drills (``redrill``).
- **True retention**: among answers to cards already studied on an earlier day, only each card's
  first answer of the study day counts, and the share graded 3 or more. Those answers are exactly
  the log's ``kind = 'review'`` rows: ``Store.answer`` writes 'new' or 'review' for a card's first
  answer of a study day and 'redrill' for any later one that day (anything else that writes the
  log must keep that meaning). Young / mature split on the interval the card had *before* that
  answer (< 21 days / >= 21 days). ``None`` with no such answer.
- **Streaks**: a study day counts if at least one card was answered in it. The current streak is
  the run of consecutive study days ending today when today has answers, else ending yesterday
  (as in Anki: a streak is not broken until a whole study day passes with no answer). Days after
  today are ignored.
- **Card states** partition every card: ``suspended`` (suspended cards, whatever their schedule;
  leeches are suspended when flagged so they count here) else ``new`` (never studied: no due
  date), ``learning`` (studied, repetitions == 0), ``young`` (repetitions >= 1 and interval < 21)
  or ``mature`` (repetitions >= 1 and interval >= 21; under SM-2 a card with repetitions 0 always
  has interval 1, so this is the issue's "interval >= 21"). ``leech`` is an overlay: every card flagged
  as a leech, suspended or (if the user unsuspended it) counted in its schedule state too.
  So ``new + learning + young + mature + suspended == total``.
- **Due today** (``queue``): today's new / learning / review counts as ``mlcards.todayqueue``
  defines them for the dashboard, ``mlcards decks`` and the review queue (after the limits).
- **Practice** answers (``practice_log``, from the quiz and custom study) never count as reviews:
  they are given apart, today and all time, with how many were graded 3 or more.
- **Forecast**: non-suspended studied cards due on each of the next N study days starting today;
  overdue cards count on today.

Layout: ``data`` (the plain data), ``common`` (constants, ranges), ``activity`` (answers over time,
streaks, retention), ``cards`` (card states, forecast, histograms, decks, terms, clusters), and
``summary`` here. Every SQL statement is one of the store's query methods (``mlcards.store.stats``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from mlcards.stats.activity import (
    activity,
    daily_counts,
    first_day,
    heatmap,
    heatmap_from,
    retention,
    retention_ranges,
    reviews_total,
    streaks,
    streaks_from_days,
    study_days,
    today,
)
from mlcards.stats.cards import (
    card_states,
    cluster_accuracy,
    confused_pairs,
    deck_figures,
    easiness_histogram,
    forecast,
    hardest_terms,
    histograms,
    interval_histogram,
    next_due,
)
from mlcards.stats.common import (
    CLUSTER_MIN_ANSWERS,
    EASE_BUCKETS,
    EASE_MIN_CENTI,
    EASE_STEP_CENTI,
    FORECAST_DAYS,
    HEATMAP_DAYS,
    INTERVAL_BUCKETS,
    MATURE_DAYS,
    RANGES,
    parse_range,
    range_start,
    resolve_deck,
)
from mlcards.stats.data import (
    Bucket,
    CardStates,
    Cluster,
    ConfusedPair,
    DayCount,
    DeckFigures,
    Due,
    HardTerm,
    Heatmap,
    Ratio,
    Retention,
    Streaks,
    Summary,
    TodayStats,
)
from mlcards.store import Store
from mlcards.todayqueue import DayCounts, day_counts

T = TypeVar("T")

SideFigures = tuple[
    list[Due], tuple[list[Bucket], list[Bucket]], list[HardTerm], tuple[Ratio, list[Cluster]],
    dict[str, Retention] | None,
]
"""What ``summary`` computes on the second connection."""


def _on_own_connection(path: str | Path, fn: Callable[[Store], T]) -> T:
    """Run ``fn(store)`` on a second, read-only connection to the database file at ``path`` (the store's)."""
    with Store.reader(path) as store:
        return fn(store)


def summary(
    store: Store,
    now: datetime | None = None,
    *,
    deck: str | None = None,
    range: str | int | None = "30",
    today_day: date | None = None,
    parallel: bool = True,
    retention_also: Sequence[str] = (),
) -> Summary:
    """Every figure for the ``stats`` command and the stats screen, as of ``now`` (or ``today_day``).

    Per-day counts are read once for the last year (or since the first answer for ``"all"``) and
    shared by the heatmap and the reviews-per-day series. Retention is given for 7, 30 and 90
    days, and for the chosen range when it is wider.

    For a database file (not ``Store.memory()``) and ``parallel``, the card-side figures (forecast,
    histograms, hardest terms, related-concept clusters; with a deck filter, retention too) are
    computed on a second, read-only connection in a worker thread while this one computes the
    rest: SQLite runs both at once. Outside a write transaction only, so both see the same data.

    ``retention_also``: more ranges for ``retention_by_range`` (the app shows 365 days), computed in
    the same pass over the log as the others.
    """
    rng = parse_range(range)
    deck_id = resolve_deck(store, deck)
    day = today_day or store.today(now)

    # With a deck filter the per-day counts are the slow part here, so retention moves to the other side.
    retention_aside = deck_id is not None
    ret_ranges = ["7", "30", "90", rng, *retention_also]

    def side(s: Store) -> SideFigures:
        return (
            forecast(s, day, deck_id=deck_id),
            histograms(s, deck_id=deck_id),
            hardest_terms(s, deck_id=deck_id),
            cluster_accuracy(s, day, rng, deck_id=deck_id),
            retention_ranges(s, day, ret_ranges, deck_id=deck_id) if retention_aside else None,
        )

    pool = future = None
    if parallel and store.path is not None and not store.in_transaction:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlcards-stats")
        future = pool.submit(_on_own_connection, store.path, side)
    try:
        deck_name = None
        if deck_id is not None:
            deck_name = store.deck_name(deck_id)
        decks = deck_figures(store, deck_id=deck_id)
        rets = None if retention_aside else retention_ranges(store, day, ret_ranges, deck_id=deck_id)
        year_start = day - timedelta(days=HEATMAP_DAYS - 1)
        if rng == "all":
            first = min(first_day(store, deck_id=deck_id) or day, day)
            counts = daily_counts(store, min(first, year_start), day, deck_id=deck_id)
            year, per_day = counts[-HEATMAP_DAYS:], counts[(first - min(first, year_start)).days:]
        else:
            year = daily_counts(store, year_start, day, deck_id=deck_id)
            per_day = year[-(RANGES[rng] or len(year)):]
        day_stats = today(store, day, deck_id=deck_id)
        queue = day_counts(store, day, deck_id)
        practice_today, practice_total = practice(store, day, deck_id=deck_id)
        total = reviews_total(store, deck_id=deck_id)
        streak = streaks(store, day, deck_id=deck_id)
        side_figures = None
        if future is not None:
            try:
                side_figures = future.result()
            except Exception:  # noqa: BLE001 - e.g. a file system without shared memory: do it here
                side_figures = None
        if side_figures is None:
            side_figures = side(store)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    due, (ease_hist, interval_hist), hardest, (related, clusters), side_rets = side_figures
    if rets is None:
        rets = side_rets
    assert rets is not None  # computed on one side or the other
    return Summary(
        today=day,
        deck=deck_name,
        range=rng,
        day=day_stats,
        reviews_total=total,
        streaks=streak,
        retention=rets[rng],
        retention_30d=rets["30"],
        retention_by_range=rets,
        reviews_per_day=per_day,
        heatmap=heatmap_from(year),
        forecast=due,
        cards=sum((d.states for d in decks), CardStates()),
        easiness=ease_hist,
        intervals=interval_hist,
        decks=decks,
        hardest_terms=hardest,
        clusters=clusters,
        related=related,
        confused_pairs=confused_pairs(store, deck_id=deck_id),
        queue=queue,
        practice_today=practice_today,
        practice_total=practice_total,
    )


def practice(store: Store, day: date, *, deck_id: int | None = None) -> tuple[Ratio, Ratio]:
    """Practice answers (``practice_log``: the quiz and custom study; no schedule moves) on ``day`` and
    ever, each with how many were graded 3 or more. Kept apart from every review figure."""
    return Ratio(*store.practice_counts(day, deck_id)), Ratio(*store.practice_counts(None, deck_id))


__all__ = [
    "CLUSTER_MIN_ANSWERS", "EASE_BUCKETS", "EASE_MIN_CENTI", "EASE_STEP_CENTI", "FORECAST_DAYS", "HEATMAP_DAYS",
    "INTERVAL_BUCKETS", "first_day",
    "MATURE_DAYS", "RANGES", "Ratio", "TodayStats", "DayCount", "Heatmap", "Streaks", "Retention", "CardStates",
    "Due", "Bucket", "DeckFigures", "HardTerm", "Cluster", "Summary", "parse_range", "range_start", "resolve_deck",
    "today", "reviews_total", "daily_counts", "activity", "heatmap", "study_days", "streaks", "streaks_from_days",
    "retention", "retention_ranges", "heatmap_from", "card_states", "forecast", "next_due", "histograms", "easiness_histogram", "interval_histogram",
    "deck_figures", "hardest_terms", "cluster_accuracy", "confused_pairs", "ConfusedPair", "summary",
    "practice", "DayCounts", "day_counts",
]
