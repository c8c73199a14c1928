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
- **Forecast**: non-suspended studied cards due on each of the next N study days starting today;
  overdue cards count on today.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from mlcards.errors import MlcardsError
from mlcards.store import Store

MATURE_DAYS = 21
"""A card is mature once its interval reaches 21 days (Anki's threshold)."""

RANGES: dict[str, int | None] = {"7": 7, "30": 30, "90": 90, "365": 365, "all": None}
"""The range switch: last N study days, or every day (None)."""

FORECAST_DAYS = 30
HEATMAP_DAYS = 365
CLUSTER_MIN_ANSWERS = 3
"""A related-concept cluster is ranked once it has this many counted answers in the range."""

EASE_MIN_CENTI = 130
EASE_STEP_CENTI = 20
EASE_BUCKETS = 10
"""Easiness buckets of 0.20 from 1.30: 1.30-1.49, 1.50-1.69, ..., 2.90-3.09, then 3.10 and up."""

INTERVAL_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (1, 1), (2, 3), (4, 7), (8, 14), (15, 20), (21, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, None),
)
"""Interval buckets in days (inclusive bounds; None: no upper bound). 21 starts the mature ones."""

_FIRST_DAY = "0000-01-01"  # lower bound of the "all" range: sorts before every ISO date


# --- plain data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """``passed`` of ``answers``; ``rate`` is None when there is no answer."""

    answers: int = 0
    passed: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.answers if self.answers else None

    def as_json(self) -> dict:
        return {"answers": self.answers, "passed": self.passed, "rate": self.rate}


@dataclass(frozen=True)
class TodayStats:
    """What was answered on one study day."""

    day: date
    answers: int = 0  # every answer, re-drills included
    cards: int = 0  # distinct cards answered
    new: int = 0  # first answers to never-studied cards
    review: int = 0  # first answers of the day to cards studied on an earlier day
    redrill: int = 0  # later answers of the day (SM-2's re-drill)
    correct: int = 0  # answers graded 3 or more
    time_ms: int = 0  # sum of the answers' durations (answers without one count 0)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None

    def as_json(self) -> dict:
        return {
            "date": self.day.isoformat(), "answers": self.answers, "cards": self.cards, "new": self.new,
            "review": self.review, "redrill": self.redrill, "correct": self.correct,
            "accuracy": self.accuracy, "time_ms": self.time_ms,
        }


@dataclass(frozen=True)
class DayCount:
    """Answers (re-drills included) given on one study day."""

    day: date
    reviews: int = 0

    def as_json(self) -> dict:
        return {"date": self.day.isoformat(), "reviews": self.reviews}


@dataclass(frozen=True)
class Heatmap:
    """Answers per study day from ``start`` to ``end`` (inclusive); days not in ``counts`` had none."""

    start: date
    end: date
    counts: dict[date, int] = field(default_factory=dict)

    def count(self, day: date) -> int:
        return self.counts.get(day, 0)

    @property
    def max(self) -> int:
        return max(self.counts.values(), default=0)

    @property
    def days_studied(self) -> int:
        return len(self.counts)

    def as_json(self) -> dict:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(), "max": self.max,
            "days_studied": self.days_studied,
            "days": {d.isoformat(): n for d, n in sorted(self.counts.items())},
        }


@dataclass(frozen=True)
class Streaks:
    current: int = 0
    longest: int = 0
    studied_today: bool = False
    last_day: date | None = None  # the latest study day with an answer (up to today)
    days_studied: int = 0  # study days with at least one answer, all time (up to today)

    def as_json(self) -> dict:
        return {"current": self.current, "longest": self.longest, "studied_today": self.studied_today,
                "last_day": self.last_day.isoformat() if self.last_day else None,
                "days_studied": self.days_studied}


@dataclass(frozen=True)
class Retention:
    """True retention over a range, overall and split young / mature."""

    range: str
    total: Ratio = Ratio()
    young: Ratio = Ratio()
    mature: Ratio = Ratio()

    @property
    def rate(self) -> float | None:
        return self.total.rate

    def as_json(self) -> dict:
        return {"range": self.range, "rate": self.total.rate, "answers": self.total.answers,
                "passed": self.total.passed, "young": self.young.as_json(), "mature": self.mature.as_json()}


@dataclass(frozen=True)
class CardStates:
    new: int = 0
    learning: int = 0
    young: int = 0
    mature: int = 0
    suspended: int = 0
    leech: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.young + self.mature + self.suspended

    @property
    def studied(self) -> int:
        return self.learning + self.young + self.mature

    def __add__(self, other: "CardStates") -> "CardStates":
        return CardStates(*(a + b for a, b in zip(self._tuple(), other._tuple())))

    def _tuple(self) -> tuple[int, ...]:
        return (self.new, self.learning, self.young, self.mature, self.suspended, self.leech)

    def as_json(self) -> dict:
        return {"new": self.new, "learning": self.learning, "young": self.young, "mature": self.mature,
                "suspended": self.suspended, "leech": self.leech, "total": self.total}


@dataclass(frozen=True)
class Due:
    day: date
    due: int

    def as_json(self) -> dict:
        return {"date": self.day.isoformat(), "due": self.due}


@dataclass(frozen=True)
class Bucket:
    """A histogram bar: ``lo``..``hi`` inclusive (``hi`` None: no upper bound)."""

    label: str
    lo: float
    hi: float | None
    cards: int

    def as_json(self) -> dict:
        return {"label": self.label, "min": self.lo, "max": self.hi, "cards": self.cards}


@dataclass(frozen=True)
class DeckFigures:
    id: int
    name: str
    terms: int
    states: CardStates

    @property
    def cards(self) -> int:
        return self.states.total

    @property
    def mature_share(self) -> float | None:
        """Mature cards over all the deck's cards (suspended included); None for a deck without cards."""
        return self.states.mature / self.cards if self.cards else None

    def as_json(self) -> dict:
        return {"name": self.name, "terms": self.terms, "cards": self.cards, **self.states.as_json(),
                "mature_share": self.mature_share}


@dataclass(frozen=True)
class HardTerm:
    term_id: int
    term: str
    deck: str
    lapses: int  # summed over the term's cards
    easiness: float  # the lowest easiness among its studied cards
    leech: bool  # one of its cards is a leech
    answers: int  # first answers of a day to its cards, all time
    passed: int

    def as_json(self) -> dict:
        return {"term": self.term, "deck": self.deck, "lapses": self.lapses, "easiness": self.easiness,
                "leech": self.leech, "answers": self.answers, "passed": self.passed,
                "accuracy": self.passed / self.answers if self.answers else None}


@dataclass(frozen=True)
class Cluster:
    """A term's related-concept cluster: the term and its linked neighbours."""

    term_id: int
    term: str
    deck: str
    size: int  # the term plus its neighbours
    answers: int
    passed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.answers if self.answers else None

    def as_json(self) -> dict:
        return {"term": self.term, "deck": self.deck, "size": self.size, "answers": self.answers,
                "passed": self.passed, "accuracy": self.rate}


@dataclass(frozen=True)
class ConfusedPair:
    """Two terms a learner mixed up on multiple-choice cards: one was the key, the other was picked."""

    term_id: int
    term: str
    other_id: int
    other: str
    deck: str
    times: int  # answers (either way round) where one was the key and the other was chosen

    def as_json(self) -> dict:
        return {"term": self.term, "other": self.other, "deck": self.deck, "times": self.times}


@dataclass(frozen=True)
class Summary:
    """Every figure for one deck filter and range, as of one study day."""

    today: date
    deck: str | None
    range: str
    day: TodayStats
    reviews_total: int
    streaks: Streaks
    retention: Retention  # over the chosen range
    retention_30d: Retention
    retention_by_range: dict[str, Retention]
    reviews_per_day: list[DayCount]
    heatmap: Heatmap
    forecast: list[Due]
    cards: CardStates
    easiness: list[Bucket]
    intervals: list[Bucket]
    decks: list[DeckFigures]
    hardest_terms: list[HardTerm]
    clusters: list[Cluster]
    related: Ratio  # all related-concept answers in the range (first answers of a day)
    confused_pairs: list[ConfusedPair] = field(default_factory=list)  # most confused first, all time

    def as_json(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "deck": self.deck,
            "range": self.range,
            "reviews_today": self.day.answers,
            "reviews_total": self.reviews_total,
            "streak_days": self.streaks.current,
            "longest_streak": self.streaks.longest,
            "studied_today": self.streaks.studied_today,
            "days_studied": self.streaks.days_studied,
            "retention_30d": self.retention_30d.rate,
            "today_detail": self.day.as_json(),
            "retention": self.retention.as_json(),
            "retention_by_range": {k: r.as_json() for k, r in self.retention_by_range.items()},
            "reviews_per_day": [d.as_json() for d in self.reviews_per_day],
            "heatmap": self.heatmap.as_json(),
            "forecast": [d.as_json() for d in self.forecast],
            "cards": self.cards.as_json(),
            "easiness": [b.as_json() for b in self.easiness],
            "intervals": [b.as_json() for b in self.intervals],
            "decks": [d.as_json() for d in self.decks],
            "hardest_terms": [h.as_json() for h in self.hardest_terms],
            "related_accuracy": self.related.as_json(),
            "clusters": [c.as_json() for c in self.clusters],
            "confused_pairs": [p.as_json() for p in self.confused_pairs],
        }


# --- helpers -----------------------------------------------------------------------------------------


def parse_range(text: str | int | None) -> str:
    """Normalise a range choice (``7``, ``"30"``, ``"all"``, None for all) to a key of ``RANGES``."""
    key = "all" if text is None else str(text).strip().lower().removesuffix("d")
    if key not in RANGES:
        raise MlcardsError(f"unknown range {text!r}; choose one of {', '.join(RANGES)}")
    return key


def range_start(today: date, range: str | int | None) -> date | None:
    """First study day of a range ending today (None for ``all``)."""
    days = RANGES[parse_range(range)]
    return None if days is None else today - timedelta(days=days - 1)


def resolve_deck(store: Store, name: str | None) -> int | None:
    """Deck name to id (None: all decks); an unknown name raises ``StoreError`` listing the decks."""
    return None if name is None else store.require_deck(name)


_DECK_CARDS = "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.deck_id = :deck"


def _review_filter(deck_id: int | None, alias: str = "r", *, by_card: bool = True) -> str:
    """``AND r.card_id IN (the deck's cards)``; ``by_card=False`` writes ``+r.card_id`` so that SQLite
    keeps the query's own index (one day of reviews) instead of seeking every card of the deck."""
    if deck_id is None:
        return ""
    return f" AND {'' if by_card else '+'}{alias}.card_id IN ({_DECK_CARDS})"


def _rows(store: Store, sql: str, params: dict) -> list[tuple]:
    return store.db.conn.execute(sql, params).fetchall()


def _one(store: Store, sql: str, params: dict) -> tuple:
    return store.db.conn.execute(sql, params).fetchone()


def _days(start: date, end: date) -> Iterable[date]:
    for i in range((end - start).days + 1):
        yield start + timedelta(days=i)


# --- today -------------------------------------------------------------------------------------------


def today(store: Store, today: date, *, deck_id: int | None = None) -> TodayStats:
    """Answers given on study day ``today``: by kind, distinct cards, correct, time spent."""
    row = _one(
        store,
        f"""SELECT COUNT(*), COUNT(DISTINCT r.card_id), COALESCE(SUM(r.kind = 'new'), 0),
                   COALESCE(SUM(r.kind = 'review'), 0), COALESCE(SUM(r.kind = 'redrill'), 0),
                   COALESCE(SUM(r.grade >= 3), 0), COALESCE(SUM(r.duration_ms), 0)
            FROM reviews r WHERE r.study_day = :day{_review_filter(deck_id, by_card=False)}""",
        {"day": today.isoformat(), "deck": deck_id},
    )
    return TodayStats(today, *row)


def reviews_total(store: Store, *, deck_id: int | None = None) -> int:
    """Every answer ever logged (re-drills included)."""
    where = f" WHERE 1{_review_filter(deck_id)}" if deck_id is not None else ""  # bare COUNT(*) is the fast path
    return _one(store, f"SELECT COUNT(*) FROM reviews r{where}", {"deck": deck_id})[0]


# --- activity ----------------------------------------------------------------------------------------


def daily_counts(store: Store, start: date, end: date, *, deck_id: int | None = None) -> list[DayCount]:
    """Answers per study day from ``start`` to ``end`` (inclusive), oldest first, zeros included."""
    if end < start:
        return []
    params = {"start": start.isoformat(), "end": end.isoformat(), "deck": deck_id}
    if deck_id is None:
        # One index seek and count per day on reviews(study_day): no grouping, no row lookups.
        rows = _rows(
            store,
            """WITH RECURSIVE d(day) AS (
                   SELECT :start UNION ALL SELECT date(day, '+1 day') FROM d WHERE day < :end
               )
               SELECT day, (SELECT COUNT(*) FROM reviews r WHERE r.study_day = d.day) FROM d""",
            params,
        )
        return [DayCount(date.fromisoformat(day), n) for day, n in rows]
    counts = dict(
        _rows(
            store,
            # one range of reviews(card_id, study_day) per card of the deck
            f"""SELECT r.study_day, COUNT(*) FROM reviews r
                WHERE r.study_day BETWEEN :start AND :end{_review_filter(deck_id)}
                GROUP BY r.study_day""",
            params,
        )
    )
    return [DayCount(d, counts.get(d.isoformat(), 0)) for d in _days(start, end)]


def first_day(store: Store, *, deck_id: int | None = None) -> date | None:
    """The first study day with an answer."""
    # a card's first answer is always a 'new' one
    row = _one(store, f"SELECT MIN(r.study_day) FROM reviews r WHERE r.kind = 'new'{_review_filter(deck_id)}",
               {"deck": deck_id})
    return date.fromisoformat(row[0]) if row[0] else None


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
    """Every distinct study day with an answer, up to ``until``, in order.

    A loose index scan: one index seek per distinct study day (a few hundred a year), never one
    row per answer. With a deck filter each step walks the (kind, study_day) index of first answers
    ('new' and 'review') until it meets one of the deck's cards; re-drills can be skipped because a
    re-drill always follows a first answer to the same card on the same study day.
    """
    if deck_id is None:
        step = "SELECT MIN(r.study_day) FROM reviews r WHERE r.study_day > days.d AND r.study_day <= :until"
        first = "SELECT MIN(r.study_day) FROM reviews r WHERE r.study_day <= :until"
    else:
        in_deck = ("EXISTS (SELECT 1 FROM cards c JOIN terms t ON t.id = c.term_id "
                   "WHERE c.id = r.card_id AND t.deck_id = :deck)")

        def kind_min(kind: str, after: str) -> str:
            return (f"(SELECT r.study_day FROM reviews r WHERE r.kind = '{kind}' AND r.study_day > {after} "
                    f"AND r.study_day <= :until AND {in_deck} ORDER BY r.study_day LIMIT 1)")

        def first_of(after: str) -> str:
            # MIN(a, b) of two scalars is NULL if either is: fall back on the other one.
            return (f"SELECT COALESCE(MIN(a, b), a, b) FROM (SELECT {kind_min('new', after)} AS a, "
                    f"{kind_min('review', after)} AS b)")

        step, first = first_of("days.d"), first_of("''")
    rows = _rows(
        store,
        f"""WITH RECURSIVE days(d) AS (
                SELECT ({first})
                UNION ALL
                SELECT ({step}) FROM days WHERE days.d IS NOT NULL
            )
            SELECT d FROM days WHERE d IS NOT NULL""",
        {"until": until.isoformat(), "deck": deck_id},
    )
    return [date.fromisoformat(r[0]) for r in rows]


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
    widest = None if None in starts.values() else min(starts.values())
    # Grouped by (day, grade) in the order of reviews(kind, study_day, grade, ...): one comparison
    # per answer, no sorting; the pass / young sums are folded in here over a few rows per day.
    rows = _rows(
        store,
        f"""SELECT r.study_day, r.grade >= 3, COUNT(*), SUM(r.interval_before < {MATURE_DAYS})
            FROM reviews r
            WHERE r.kind = 'review' AND r.study_day BETWEEN :start AND :today{_review_filter(deck_id)}
            GROUP BY r.study_day, r.grade""",
        {"start": widest.isoformat() if widest else _FIRST_DAY, "today": today.isoformat(), "deck": deck_id},
    )
    out = {}
    for k in keys:
        start = starts[k].isoformat() if starts[k] else _FIRST_DAY
        n = ok = yn = yok = 0
        for day, passed, count, young in rows:
            if day >= start:
                n, yn = n + count, yn + young
                if passed:
                    ok, yok = ok + count, yok + young
        out[k] = Retention(k, Ratio(n, ok), Ratio(yn, yok), Ratio(n - yn, ok - yok))
    return out


# --- cards -------------------------------------------------------------------------------------------

_STATE_COLUMNS = f"""
    COUNT(*),
    COALESCE(SUM(CASE WHEN c.suspended THEN 0 WHEN c.due IS NULL THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN c.suspended OR c.due IS NULL THEN 0 WHEN c.repetitions = 0 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN c.suspended OR c.due IS NULL OR c.repetitions = 0 THEN 0
                      WHEN c.interval >= {MATURE_DAYS} THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(c.suspended != 0), 0),
    COALESCE(SUM(c.leech != 0), 0)"""


def _states(total: int, new: int, learning: int, mature: int, suspended: int, leech: int) -> CardStates:
    young = total - suspended - new - learning - mature  # studied, repetitions >= 1, interval < 21
    return CardStates(new, learning, young, mature, suspended, leech)


def _card_filter(deck_id: int | None, alias: str = "c") -> str:
    return f" AND {alias}.term_id IN (SELECT id FROM terms WHERE deck_id = :deck)" if deck_id is not None else ""


def card_states(store: Store, *, deck_id: int | None = None) -> CardStates:
    """How many cards are new, learning, young, mature, suspended; and how many are leeches."""
    return _states(*_one(store, f"SELECT {_STATE_COLUMNS} FROM cards c WHERE 1{_card_filter(deck_id)}",
                         {"deck": deck_id}))


def forecast(store: Store, today: date, *, days: int = FORECAST_DAYS, deck_id: int | None = None) -> list[Due]:
    """Non-suspended cards due on each of ``days`` study days from today; overdue ones count on today."""
    end = today + timedelta(days=days - 1)
    rows = _rows(
        store,
        f"""SELECT c.due, COUNT(*) FROM cards c
            WHERE c.due <= :end AND c.suspended = 0{_card_filter(deck_id)} GROUP BY c.due""",
        {"end": end.isoformat(), "deck": deck_id},
    )
    counts: dict[date, int] = {}
    for due, n in rows:
        d = max(date.fromisoformat(due), today)
        counts[d] = counts.get(d, 0) + n
    return [Due(d, counts.get(d, 0)) for d in _days(today, end)]


def histograms(store: Store, *, deck_id: int | None = None) -> tuple[list[Bucket], list[Bucket]]:
    """Easiness and interval histograms of studied, non-suspended cards, from one pass over one index."""
    rows = _rows(
        store,
        f"""SELECT c.easiness_centi, c.interval, COUNT(*) FROM cards c
            WHERE c.suspended = 0 AND c.due IS NOT NULL{_card_filter(deck_id)}
            GROUP BY c.easiness_centi, c.interval""",
        {"deck": deck_id},
    )
    ease = [0] * EASE_BUCKETS
    intervals = [0] * len(INTERVAL_BUCKETS)
    uppers = [hi for _lo, hi in INTERVAL_BUCKETS[:-1]]
    for centi, interval, n in rows:
        ease[min(max((centi - EASE_MIN_CENTI) // EASE_STEP_CENTI, 0), EASE_BUCKETS - 1)] += n
        intervals[bisect_left(uppers, interval)] += n
    ease_out = []
    for b, n in enumerate(ease):
        lo = EASE_MIN_CENTI + b * EASE_STEP_CENTI
        last = b == EASE_BUCKETS - 1
        hi = None if last else lo + EASE_STEP_CENTI - 1
        label = f"{lo / 100:.2f}+" if last else f"{lo / 100:.2f}-{hi / 100:.2f}"
        ease_out.append(Bucket(label, lo / 100, None if hi is None else hi / 100, n))
    interval_out = []
    for (lo, hi), n in zip(INTERVAL_BUCKETS, intervals):
        label = f"{lo}+ d" if hi is None else (f"{lo} d" if lo == hi else f"{lo}-{hi} d")
        interval_out.append(Bucket(label, lo, hi, n))
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
    only = " WHERE d.id = :deck" if deck_id is not None else ""
    decks = _rows(
        store,
        f"SELECT d.id, d.name, (SELECT COUNT(*) FROM terms t WHERE t.deck_id = d.id) FROM decks d{only} ORDER BY d.id",
        {"deck": deck_id},
    )
    tfilter = " WHERE t.deck_id = :deck" if deck_id is not None else ""
    states = {
        r[0]: _states(*r[1:])
        for r in _rows(
            store,
            # terms first: their (deck_id, position) index hands the rows over deck by deck, no sorting
            f"SELECT t.deck_id, {_STATE_COLUMNS} FROM terms t JOIN cards c ON c.term_id = t.id{tfilter} "
            "GROUP BY t.deck_id",
            {"deck": deck_id},
        )
    }
    return [DeckFigures(did, name, terms, states.get(did, CardStates())) for did, name, terms in decks]


def hardest_terms(store: Store, *, limit: int = 10, deck_id: int | None = None) -> list[HardTerm]:
    """The hardest studied terms: most lapses first (summed over the term's cards), then lowest
    easiness (its hardest studied card's), then deck order. A term with no lapse is listed only
    if its easiness fell below the 2.50 start, after every term with a lapse."""
    if limit <= 0:
        return []
    params = {"deck": deck_id, "limit": limit}
    cfilter = _card_filter(deck_id)
    # Terms with a lapse come from the small partial index on lapsed cards; only those tied with or
    # above the limit-th most lapses need their easiness.
    rows = _rows(
        store,
        f"""WITH lapsed AS (
                SELECT c.term_id, SUM(c.lapses) AS lapses FROM cards c WHERE c.lapses > 0{cfilter}
                GROUP BY c.term_id
            ),
            cut AS (SELECT lapses FROM lapsed ORDER BY lapses DESC LIMIT 1 OFFSET :limit - 1)
            SELECT x.term_id, x.lapses,
                   (SELECT MIN(c.easiness_centi) FROM cards c WHERE c.term_id = x.term_id AND c.due IS NOT NULL)
                   AS ease
            FROM lapsed x WHERE x.lapses >= COALESCE((SELECT lapses FROM cut), 0)""",
        params,
    )
    if len(rows) < limit:
        rows += _rows(
            store,
            f"""SELECT c.term_id, 0, MIN(c.easiness_centi) AS ease FROM cards c
                WHERE c.due IS NOT NULL{cfilter}
                GROUP BY c.term_id HAVING SUM(c.lapses) = 0 AND ease < 250""",
            params,
        )
    if not rows:
        return []
    info = {
        r[0]: r[1:]
        for r in _rows(
            store,
            f"""SELECT t.id, t.term, d.name, t.deck_id, t.position,
                       (SELECT MAX(c.leech) FROM cards c WHERE c.term_id = t.id)
                FROM terms t JOIN decks d ON d.id = t.deck_id
                WHERE t.id IN ({", ".join(str(int(r[0])) for r in rows)})""",
            {},
        )
    }
    rows.sort(key=lambda r: (-r[1], r[2], info[r[0]][2], info[r[0]][3], r[0]))
    out = []
    for tid, lapses, ease in rows[:limit]:
        term, deck, _deck_id, _position, leech = info[tid]
        n, ok = _one(
            store,
            """SELECT COUNT(*), COALESCE(SUM(r.grade >= 3), 0) FROM reviews r
               WHERE r.card_id IN (SELECT id FROM cards WHERE term_id = :t) AND r.kind != 'redrill'""",
            {"t": tid},
        )
        out.append(HardTerm(tid, term, deck, lapses, ease / 100, bool(leech), n, ok))
    return out


def confused_pairs(
    store: Store, *, deck_id: int | None = None, limit: int = 5, min_times: int = 2
) -> list[ConfusedPair]:
    """The most confused pairs of terms, all time: answers where one term of the pair was the key of
    a multiple-choice question that asks to identify a term, and the other was the option chosen
    (either way round, re-drills included: each is a real mix-up). Pairs confused at least
    ``min_times`` times, most often first, then deck order. Twice is also when a pair gets a
    contrast card of its own (``Store.answer``)."""
    deck_sql = "" if deck_id is None else " AND t.deck_id = :deck"
    sql = f"""
        SELECT p.a, ta.term, p.b, tb.term, d.name, p.n
        FROM (SELECT MIN(r.key_term_id, r.chosen_term_id) AS a, MAX(r.key_term_id, r.chosen_term_id) AS b,
                     COUNT(*) AS n
              FROM reviews r
              WHERE r.key_term_id IS NOT NULL AND r.chosen_term_id IS NOT NULL
                AND r.chosen_term_id != r.key_term_id
              GROUP BY a, b HAVING n >= :min) p
        JOIN terms ta ON ta.id = p.a JOIN terms tb ON tb.id = p.b JOIN terms t ON t.id = p.a
        JOIN decks d ON d.id = ta.deck_id
        WHERE 1 = 1{deck_sql}
        ORDER BY p.n DESC, ta.position, tb.position, p.a, p.b
        LIMIT :limit"""
    rows = _rows(store, sql, {"min": min_times, "limit": limit, "deck": deck_id})
    return [ConfusedPair(a, ta, b, tb, deck, n) for a, ta, b, tb, deck, n in rows]


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
    start = range_start(today, range)
    params = {"deck": deck_id, "start": start.isoformat() if start else _FIRST_DAY, "today": today.isoformat(),
              "limit": -1 if limit is None else limit, "min": max(1, min_answers)}
    # The related-concept cards in term order, each with one range of reviews(card_id, study_day,
    # kind, grade): no per-answer lookup and no sorting. CROSS JOIN keeps cards as the outer loop.
    cfilter = " AND c.term_id IN (SELECT id FROM terms WHERE deck_id = :deck)" if deck_id is not None else ""
    rows = _rows(
        store,
        f"""WITH per AS (
                SELECT c.term_id, COUNT(*) AS n, SUM(r.grade >= 3) AS ok
                FROM cards c CROSS JOIN reviews r ON r.card_id = c.id
                WHERE c.kind = 'related' AND r.study_day BETWEEN :start AND :today AND r.kind != 'redrill'{cfilter}
                GROUP BY c.term_id
            ),
            pooled AS (
                SELECT center, SUM(n) AS n, SUM(ok) AS ok FROM (
                    SELECT term_id AS center, n, ok FROM per
                    UNION ALL
                    SELECT l.other_id, p.n, p.ok FROM per p JOIN links l ON l.term_id = p.term_id
                ) GROUP BY center
            ),
            ranked AS (
                SELECT x.center, x.n, x.ok FROM pooled x JOIN terms t ON t.id = x.center WHERE x.n >= :min
                ORDER BY CAST(x.ok AS REAL) / x.n, x.n DESC, t.deck_id, t.position, x.center
                LIMIT :limit
            )
            SELECT NULL, NULL, NULL, NULL, (SELECT COALESCE(SUM(n), 0) FROM per), (SELECT COALESCE(SUM(ok), 0) FROM per)
            UNION ALL
            SELECT * FROM (
                SELECT x.center, t.term, d.name, 1 + (SELECT COUNT(*) FROM links l WHERE l.term_id = x.center),
                       x.n, x.ok
                FROM ranked x JOIN terms t ON t.id = x.center JOIN decks d ON d.id = t.deck_id
                ORDER BY CAST(x.ok AS REAL) / x.n, x.n DESC, t.deck_id, t.position, x.center
            )""",
        params,
    )
    total = Ratio(rows[0][4], rows[0][5])
    return total, [Cluster(*r) for r in rows[1:]]


# --- everything --------------------------------------------------------------------------------------


def _on_own_connection(path, fn):
    """Run ``fn(store)`` on a fresh read-only connection to the database file at ``path``."""
    import sqlite3

    from sqlite_utils import Database

    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        return fn(Store(Database(conn), Path(path)))
    finally:
        conn.close()


def summary(
    store: Store,
    now: datetime | None = None,
    *,
    deck: str | None = None,
    range: str | int | None = "30",
    today_day: date | None = None,
    parallel: bool = True,
) -> Summary:
    """Every figure for the ``stats`` command and the stats screen, as of ``now`` (or ``today_day``).

    Per-day counts are read once for the last year (or since the first answer for ``"all"``) and
    shared by the heatmap and the reviews-per-day series. Retention is given for 7, 30 and 90
    days, and for the chosen range when it is wider.

    For a database file (not ``Store.memory()``) and ``parallel``, the card-side figures (forecast,
    histograms, hardest terms, related-concept clusters; with a deck filter, retention too) are
    computed on a second, read-only connection in a worker thread while this one computes the
    rest: SQLite runs both at once. Outside a write transaction only, so both see the same data.
    """
    rng = parse_range(range)
    deck_id = resolve_deck(store, deck)
    day = today_day or store.today(now)

    # With a deck filter the per-day counts are the slow part here, so retention moves to the other side.
    retention_aside = deck_id is not None

    def side(s: Store) -> tuple:
        return (
            forecast(s, day, deck_id=deck_id),
            histograms(s, deck_id=deck_id),
            hardest_terms(s, deck_id=deck_id),
            cluster_accuracy(s, day, rng, deck_id=deck_id),
            retention_ranges(s, day, ["7", "30", "90", rng], deck_id=deck_id) if retention_aside else None,
        )

    pool = future = None
    if parallel and store.path is not None and not store.db.conn.in_transaction:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlcards-stats")
        future = pool.submit(_on_own_connection, store.path, side)
    try:
        deck_name = None
        if deck_id is not None:
            deck_name = _one(store, "SELECT name FROM decks WHERE id = :deck", {"deck": deck_id})[0]
        decks = deck_figures(store, deck_id=deck_id)
        rets = None if retention_aside else retention_ranges(store, day, ["7", "30", "90", rng], deck_id=deck_id)
        year_start = day - timedelta(days=HEATMAP_DAYS - 1)
        if rng == "all":
            first = min(first_day(store, deck_id=deck_id) or day, day)
            counts = daily_counts(store, min(first, year_start), day, deck_id=deck_id)
            year, per_day = counts[-HEATMAP_DAYS:], counts[(first - min(first, year_start)).days:]
        else:
            year = daily_counts(store, year_start, day, deck_id=deck_id)
            per_day = year[-RANGES[rng]:]
        day_stats = today(store, day, deck_id=deck_id)
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
    )


__all__ = [
    "MATURE_DAYS", "RANGES", "Ratio", "TodayStats", "DayCount", "Heatmap", "Streaks", "Retention", "CardStates",
    "Due", "Bucket", "DeckFigures", "HardTerm", "Cluster", "Summary", "parse_range", "range_start", "resolve_deck",
    "today", "reviews_total", "daily_counts", "activity", "heatmap", "study_days", "streaks", "streaks_from_days",
    "retention", "retention_ranges", "heatmap_from", "card_states", "forecast", "next_due", "histograms", "easiness_histogram", "interval_histogram",
    "deck_figures", "hardest_terms", "cluster_accuracy", "confused_pairs", "ConfusedPair", "summary",
]
