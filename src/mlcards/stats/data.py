"""The plain data the figures are returned as (each with ``as_json`` for ``mlcards stats --json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mlcards.todayqueue import DayCounts


@dataclass(frozen=True)
class Ratio:
    """``passed`` of ``answers``; ``rate`` is None when there is no answer."""

    answers: int = 0
    passed: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.answers if self.answers else None

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
        return {"new": self.new, "learning": self.learning, "young": self.young, "mature": self.mature,
                "suspended": self.suspended, "leech": self.leech, "total": self.total}


@dataclass(frozen=True)
class Due:
    day: date
    due: int

    def as_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "due": self.due}


@dataclass(frozen=True)
class Bucket:
    """A histogram bar: ``lo``..``hi`` inclusive (``hi`` None: no upper bound)."""

    label: str
    lo: float
    hi: float | None
    cards: int

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
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

    def as_json(self) -> dict[str, Any]:
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
    queue: DayCounts = field(default_factory=DayCounts)  # what is still due today (mlcards.todayqueue)
    practice_today: Ratio = field(default_factory=Ratio)  # practice answers (quiz, custom study): no schedule
    practice_total: Ratio = field(default_factory=Ratio)

    def as_json(self) -> dict[str, Any]:
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
            "due_today": self.queue.as_json(),
            "practice": {"today": self.practice_today.as_json(), "all_time": self.practice_total.as_json()},
        }

