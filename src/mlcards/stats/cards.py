"""Cards and terms: states, the forecast, histograms, per deck, the hardest terms, confusions, clusters."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta

from mlcards.stats.common import (
    CLUSTER_MIN_ANSWERS,
    EASE_BUCKETS,
    EASE_MIN_CENTI,
    EASE_STEP_CENTI,
    FORECAST_DAYS,
    INTERVAL_BUCKETS,
    MATURE_DAYS,
    days_between,
    range_start,
)
from mlcards.stats.data import Bucket, CardStates, Cluster, ConfusedPair, DeckFigures, Due, HardTerm, Ratio
from mlcards.store import Store


def _states(total: int, new: int, learning: int, mature: int, suspended: int, leech: int) -> CardStates:
    young = total - suspended - new - learning - mature  # studied, repetitions >= 1, interval < 21
    return CardStates(new, learning, young, mature, suspended, leech)


def card_states(store: Store, *, deck_id: int | None = None) -> CardStates:
    """How many cards are new, learning, young, mature, suspended; and how many are leeches."""
    return _states(*store.card_state_counts(deck_id, MATURE_DAYS))


def forecast(store: Store, today: date, *, days: int = FORECAST_DAYS, deck_id: int | None = None) -> list[Due]:
    """Non-suspended cards due on each of ``days`` study days from today; overdue ones count on today."""
    end = today + timedelta(days=days - 1)
    counts: dict[date, int] = {}
    for due, n in store.due_counts(end, deck_id):
        d = max(due, today)
        counts[d] = counts.get(d, 0) + n
    return [Due(d, counts.get(d, 0)) for d in days_between(today, end)]


def histograms(store: Store, *, deck_id: int | None = None) -> tuple[list[Bucket], list[Bucket]]:
    """Easiness and interval histograms of studied, non-suspended cards, from one pass over one index."""
    rows = store.easiness_interval_counts(deck_id)
    ease = [0] * EASE_BUCKETS
    intervals = [0] * len(INTERVAL_BUCKETS)
    uppers = [hi for _lo, hi in INTERVAL_BUCKETS[:-1] if hi is not None]
    for centi, interval, n in rows:
        ease[min(max((centi - EASE_MIN_CENTI) // EASE_STEP_CENTI, 0), EASE_BUCKETS - 1)] += n
        intervals[bisect_left(uppers, interval)] += n
    ease_out = []
    for b, n in enumerate(ease):
        lo = EASE_MIN_CENTI + b * EASE_STEP_CENTI
        last = b == EASE_BUCKETS - 1
        hi = lo + EASE_STEP_CENTI - 1
        label = f"{lo / 100:.2f}+" if last else f"{lo / 100:.2f}-{hi / 100:.2f}"
        ease_out.append(Bucket(label, lo / 100, None if last else hi / 100, n))
    interval_out = []
    for (first, until), n in zip(INTERVAL_BUCKETS, intervals):
        label = f"{first}+ d" if until is None else (f"{first} d" if first == until else f"{first}-{until} d")
        interval_out.append(Bucket(label, first, until, n))
    return ease_out, interval_out


def next_due(store: Store, today: date, *, deck_id: int | None = None, horizon: int = 366) -> Due | None:
    """The first study day after today with cards due (within ``horizon`` days), from the forecast."""
    return next((d for d in forecast(store, today, days=horizon, deck_id=deck_id)[1:] if d.due), None)


def easiness_histogram(store: Store, *, deck_id: int | None = None) -> list[Bucket]:
    """Studied, non-suspended cards by easiness, in 0.20 buckets from 1.30 (the last one open)."""
    return histograms(store, deck_id=deck_id)[0]


def interval_histogram(store: Store, *, deck_id: int | None = None) -> list[Bucket]:
    """Studied, non-suspended cards by current interval in days (see ``INTERVAL_BUCKETS``)."""
    return histograms(store, deck_id=deck_id)[1]



# --- per deck ----------------------------------------------------------------------------------------


def deck_figures(store: Store, *, deck_id: int | None = None) -> list[DeckFigures]:
    """Per deck, in creation order: terms, cards by state, share of mature cards."""
    states = {did: _states(*counts) for did, counts in store.deck_card_state_counts(deck_id, MATURE_DAYS).items()}
    return [
        DeckFigures(did, name, terms, states.get(did, CardStates()))
        for did, name, terms in store.deck_term_counts(deck_id)
    ]


def hardest_terms(store: Store, *, limit: int = 10, deck_id: int | None = None) -> list[HardTerm]:
    """The hardest studied terms: most lapses first (summed over the term's cards), then lowest
    easiness (its hardest studied card's), then deck order. A term with no lapse is listed only
    if its easiness fell below the 2.50 start, after every term with a lapse."""
    if limit <= 0:
        return []
    rows = store.lapsed_terms(deck_id, limit)
    if len(rows) < limit:
        rows += store.low_ease_terms(deck_id)
    if not rows:
        return []
    info = store.term_infos([r[0] for r in rows])
    rows.sort(key=lambda r: (-r[1], r[2], info[r[0]][2], info[r[0]][3], r[0]))
    out = []
    for tid, lapses, ease in rows[:limit]:
        term, deck, _deck_id, _position, leech = info[tid]
        n, ok = store.term_first_answers(tid)
        out.append(HardTerm(tid, term, deck, lapses, ease / 100, leech, n, ok))
    return out


def confused_pairs(
    store: Store, *, deck_id: int | None = None, limit: int = 5, min_times: int = 2
) -> list[ConfusedPair]:
    """The most confused pairs of terms, all time: answers where one term of the pair was the key of
    a multiple-choice question that asks to identify a term, and the other was the option chosen
    (either way round, re-drills included: each is a real mix-up). Pairs confused at least
    ``min_times`` times, most often first, then deck order. Twice is also when a pair gets a
    contrast card of its own (``Store.answer``)."""
    return [ConfusedPair(*row) for row in store.confused_pair_counts(deck_id, limit, min_times)]


def cluster_accuracy(
    store: Store,
    today: date,
    range: str | int | None = "30",
    *,
    deck_id: int | None = None,
    limit: int | None = 10,
    min_answers: int = CLUSTER_MIN_ANSWERS,
) -> tuple[Ratio, list[Cluster]]:
    """Accuracy on the related-concept questions, overall and per cluster, over the range.

    Counted answers: each related-concept card's first answer of a study day (re-drills left out),
    passing when graded 3 or more. A term's cluster is the term and every term it is linked to; the
    cluster's figure pools the counted answers to the related-concept cards of all its members (so
    an answer counts in its own term's cluster and in each neighbour's). Only terms that have a
    related-concept card and at least ``min_answers`` counted answers in their cluster are listed,
    weakest first (lowest accuracy, then most answers, then deck order); ``limit`` None lists every
    one. (Every cluster centre has a related-concept card: the store gives one to each term with a
    link.) The overall ratio counts each answer once.
    """
    total, clusters = store.cluster_counts(range_start(today, range), today, deck_id, limit, min_answers)
    return Ratio(*total), [Cluster(*r) for r in clusters]
