"""Judging schedulers on a review log: which one predicts this learner's memory better?

A log becomes one sample per card per study day after the card's first (the first review of that
day, as srs-benchmark counts): the card's history before it, the study days since the previous day
it was reviewed and whether it was recalled (anything but Again). Each model predicts recall:

- SM-2: R = 0.9 ** (t / interval), its interval from replaying the day's first grades through
  mlcards' exact SM-2 (re-drills never move it), as srs-benchmark reads an SM-2 interval.
- FSRS-6 with the default parameters; its memory model also sees the same-day answers (0 days
  elapsed), as mlcards' FSRS scheduler does on a re-drill and srs-benchmark does by default.
- FSRS-6 fitted: a time-series split as srs-benchmark does it: the samples in time order are cut
  into six parts; parts 2-6 are each predicted by parameters fitted on everything before them.

Figures: log loss, RMSE over bins (srs-benchmark's bins by elapsed days, review number and lapses)
and AUC, over the samples of parts 2-6 for every model, so all three are judged on the same reviews.
A CSV in py-fsrs's layout (``card_id,review_time,review_rating[,review_state,review_duration]``,
ratings 1-4) can be judged too; its times are read in UTC with the 04:00 rollover unless told.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import fsrs_rs_python as fsrs

from mlcards import studyday
from mlcards.errors import MlcardsError
from mlcards.schedulers import sm2
from mlcards.schedulers.fsrs import DEFAULT_PARAMETERS, retrievability
from mlcards.schedulers.fsrs import rating as grade_rating

SPLITS = 5
"""srs-benchmark's TimeSeriesSplit(n_splits=5)."""

MIN_REVIEWS_TO_FIT = 400
"""Fewer reviews than this (after the first of each card) and fitting is not worth it: defaults stay."""

EPS = 1e-7


@dataclass(frozen=True, slots=True)
class Review:
    """One review as the judge sees it: a card, when, its study day, the FSRS rating and a 0-5 grade."""

    card: str
    moment: datetime
    day: date
    rating: int
    grade: int


@dataclass(frozen=True, slots=True)
class Sample:
    """One review to predict: the card's history before it, and what happened."""

    card: str
    moment: datetime
    history: tuple[tuple[int, int], ...]
    """(rating, study days since the previous review) of every earlier review, the first and any
    on the same day as the one before with 0."""
    grades: tuple[int, ...]
    """the 0-5 grades of the first review of each earlier study day (what SM-2 schedules on)"""
    elapsed: int
    rating: int

    @property
    def recalled(self) -> int:
        return int(self.rating > 1)

    def item(self) -> fsrs.FSRSItem:
        """The history including this review (what fsrs-rs fits on)."""
        return fsrs.FSRSItem([fsrs.FSRSReview(r, t) for r, t in (*self.history, (self.rating, self.elapsed))])

    def before(self) -> fsrs.FSRSItem:
        return fsrs.FSRSItem([fsrs.FSRSReview(r, t) for r, t in self.history])


@dataclass(frozen=True)
class Scores:
    """How well one model predicted recall."""

    log_loss: float
    rmse_bins: float
    auc: float | None
    reviews: int

    def as_json(self) -> dict[str, Any]:
        return {"log_loss": round(self.log_loss, 4), "rmse_bins": round(self.rmse_bins, 4),
                "auc": None if self.auc is None else round(self.auc, 4), "reviews": self.reviews}


@dataclass(frozen=True)
class Evaluation:
    """The three models judged on the same later reviews."""

    reviews: int
    cards: int
    samples: int
    judged: int
    models: dict[str, Scores]
    parameters: list[float] = field(default_factory=list)
    """FSRS-6 parameters fitted on the whole log (what ``optimize`` would store)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews, "cards": self.cards, "samples": self.samples, "judged": self.judged,
            "split": f"time series, {SPLITS} folds (srs-benchmark)",
            "models": {name: s.as_json() for name, s in self.models.items()},
        }


# --- reading logs -------------------------------------------------------------------------------


def first_per_day(reviews: Iterable[Review]) -> list[Review]:
    """Each card's first review of each study day, in time order."""
    seen: set[tuple[str, date]] = set()
    kept = []
    for r in sorted(reviews, key=lambda r: r.moment):
        if (r.card, r.day) not in seen:
            seen.add((r.card, r.day))
            kept.append(r)
    return kept


def read_csv(path: Path, *, rollover_hour: int = studyday.DEFAULT_ROLLOVER_HOUR,
             tz: tzinfo = timezone.utc) -> list[Review]:
    """A review log in py-fsrs's CSV layout (ratings 1-4); MlcardsError naming the line when it is not."""
    reviews = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = csv.DictReader(handle)
            missing = {"card_id", "review_time", "review_rating"} - set(rows.fieldnames or ())
            if missing:
                raise MlcardsError(f"the log needs columns card_id, review_time, review_rating; missing "
                                   f"{', '.join(sorted(missing))}", path=path)
            for n, row in enumerate(rows, start=2):
                try:
                    moment = datetime.fromisoformat(row["review_time"].replace("Z", "+00:00"))
                    if moment.tzinfo is None:
                        moment = moment.replace(tzinfo=timezone.utc)
                    value = int(row["review_rating"])
                    if not 1 <= value <= 4:
                        raise ValueError(f"rating {value} is not 1-4")
                except (ValueError, TypeError, AttributeError) as e:
                    raise MlcardsError(f"line {n}: {e}", path=path) from None
                reviews.append(Review(row["card_id"], moment, studyday.study_day(moment, rollover_hour, tz),
                                      value, value + 1))
    except UnicodeDecodeError:
        raise MlcardsError("the log is not UTF-8 text", path=path) from None
    return reviews


def reviews_from_rows(rows: Iterable[Any]) -> list[Review]:
    """A store's review log (``store.review_log_rows``): each answer with its study day and 0-5 grade."""
    return [Review(str(r.card_id), r.reviewed_at, r.study_day, grade_rating(r.grade), r.grade) for r in rows]


def samples(reviews: Iterable[Review]) -> list[Sample]:
    """One sample per card per study day after its first (that day's first review), in time order."""
    by_card: dict[str, list[Review]] = defaultdict(list)
    for r in sorted(reviews, key=lambda r: r.moment):
        by_card[r.card].append(r)
    out = []
    for card, rs in by_card.items():
        history: list[tuple[int, int]] = [(rs[0].rating, 0)]
        grades = [rs[0].grade]
        for prev, r in zip(rs, rs[1:]):
            elapsed = max(0, (r.day - prev.day).days)
            if elapsed > 0:
                out.append(Sample(card, r.moment, tuple(history), tuple(grades), elapsed, r.rating))
                grades.append(r.grade)
            history.append((r.rating, elapsed))
    out.sort(key=lambda s: s.moment)
    return out


# --- the models -----------------------------------------------------------------------------------


def sm2_recall(s: Sample) -> float:
    """SM-2 (mlcards' own, exact) replayed over the grades; R = 0.9 ** (t / interval)."""
    state = sm2.SM2State()
    day = date(2000, 1, 1)
    days = [t for t in (t for _, t in s.history) if t > 0]
    for gap, grade in zip([0, *days], s.grades):
        day += timedelta(days=gap)
        state = sm2.review(state, grade, day)
    return float(0.9 ** (s.elapsed / state.interval))


def fsrs_recall(parameters: Sequence[float], batch: Sequence[Sample]) -> list[float]:
    """FSRS-6's predicted recall of each sample with ``parameters``."""
    if not batch:
        return []
    model = fsrs.FSRS(list(parameters))
    states = model.memory_state_batch([s.before() for s in batch])
    return [retrievability(parameters, s.elapsed, m.stability) for s, m in zip(batch, states)]


def fit(train: Sequence[Sample], *, progress: Callable[[str], None] | None = None) -> list[float]:
    """FSRS-6 parameters fitted on the samples (defaults when there are too few to fit)."""
    if len(train) < MIN_REVIEWS_TO_FIT:
        return list(DEFAULT_PARAMETERS)
    if progress:
        progress(f"fitting FSRS-6 on {len(train)} reviews")
    return list(fsrs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters([s.item() for s in train]))


# --- the scores -----------------------------------------------------------------------------------


def log_loss(y: Sequence[int], p: Sequence[float]) -> float:
    total = 0.0
    for yi, pi in zip(y, p):
        pi = min(max(pi, EPS), 1 - EPS)
        total -= yi * math.log(pi) + (1 - yi) * math.log(1 - pi)
    return total / len(y)


def auc(y: Sequence[int], p: Sequence[float]) -> float | None:
    """The area under the ROC curve (Mann-Whitney, ties counted half); None when one class is absent."""
    positives = sum(y)
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return None
    order = sorted(range(len(p)), key=lambda i: p[i])
    rank_sum, i = 0.0, 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and p[order[j + 1]] == p[order[i]]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        rank_sum += mean_rank * sum(y[order[k]] for k in range(i, j + 1))
        i = j + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def _bin(x: float, scale: float, base: float, digits: int) -> float:
    return round(scale * base ** math.floor(math.log(x) / math.log(base)), digits)


def rmse_bins(batch: Sequence[Sample], p: Sequence[float]) -> float:
    """srs-benchmark's RMSE(bins): samples grouped by binned elapsed days, review number and lapses;
    the root of the review-weighted mean squared gap between each group's recall rate and mean prediction."""
    groups: dict[tuple[float, float, float], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for s, pi in zip(batch, p):
        lapses = sum(1 for r, t in s.history if t != 0 and r == 1)
        number = 2 + sum(1 for _, t in s.history if t > 0)  # srs-benchmark's i: the study days so far
        key = (_bin(s.elapsed, 2.48, 3.62, 2), _bin(number, 1.99, 1.89, 0),
               _bin(lapses, 1.65, 1.73, 0) if lapses else 0.0)
        g = groups[key]
        g[0] += s.recalled
        g[1] += pi
        g[2] += 1
    total = sum(g[2] for g in groups.values())
    return math.sqrt(sum(g[2] * (g[0] / g[2] - g[1] / g[2]) ** 2 for g in groups.values()) / total)


def score(batch: Sequence[Sample], p: Sequence[float]) -> Scores:
    y = [s.recalled for s in batch]
    return Scores(log_loss(y, p), rmse_bins(batch, p), auc(y, p), len(batch))


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """Reviews whose predicted recall fell in [low, high): the mean prediction against the recall rate."""

    low: float
    high: float
    predicted: float
    actual: float
    reviews: int


def calibration(batch: Sequence[Sample], p: Sequence[float], bins: int = 10) -> list[CalibrationBin]:
    """Predicted against actual recall in ``bins`` equal bins of the prediction (empty bins left out)."""
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for s, pi in zip(batch, p):
        g = sums[min(bins - 1, int(pi * bins))]
        g[0] += pi
        g[1] += s.recalled
        g[2] += 1
    return [CalibrationBin(k / bins, (k + 1) / bins, g[0] / g[2], g[1] / g[2], int(g[2]))
            for k, g in sorted(sums.items())]


def calibration_of(reviews: Sequence[Review], parameters: Sequence[float] | None = None,
                   bins: int = 10) -> list[CalibrationBin]:
    """How FSRS-6 with ``parameters`` (default: the defaults) predicted every review of the log."""
    data = samples(reviews)
    return calibration(data, fsrs_recall(parameters or DEFAULT_PARAMETERS, data), bins)


# --- the evaluation -------------------------------------------------------------------------------


def folds(n: int, splits: int = SPLITS) -> list[tuple[int, int]]:
    """sklearn's TimeSeriesSplit test ranges: the last ``splits`` parts of ``splits + 1``."""
    size = n // (splits + 1)
    first = n - splits * size
    return [(first + k * size, first + (k + 1) * size) for k in range(splits)]


def evaluate(reviews: Sequence[Review], *, progress: Callable[[str], None] | None = None) -> Evaluation:
    """Judge SM-2, FSRS-6 defaults and FSRS-6 fitted on the log (see the module's note)."""
    data = samples(reviews)
    cards = len({r.card for r in reviews})
    if len(data) < SPLITS + 1:
        raise MlcardsError(
            f"only {len(data)} reviews after a card's first: too few to judge; study a few more days first"
        )
    judged: list[Sample] = []
    p_sm2: list[float] = []
    p_default: list[float] = []
    p_fitted: list[float] = []
    for k, (lo, hi) in enumerate(folds(len(data)), start=1):
        test = data[lo:hi]
        if progress:
            progress(f"fold {k}/{SPLITS}: fitting on {lo} reviews, judging {len(test)}")
        parameters = fit(data[:lo])
        judged.extend(test)
        p_sm2.extend(sm2_recall(s) for s in test)
        p_default.extend(fsrs_recall(DEFAULT_PARAMETERS, test))
        p_fitted.extend(fsrs_recall(parameters, test))
    return Evaluation(
        reviews=len(reviews), cards=cards, samples=len(data), judged=len(judged),
        models={"sm2": score(judged, p_sm2), "fsrs6_default": score(judged, p_default),
                "fsrs6_fitted": score(judged, p_fitted)},
    )


def optimize(reviews: Sequence[Review], *, progress: Callable[[str], None] | None = None) -> list[float] | None:
    """FSRS-6 parameters fitted on the whole log; None when it holds too few reviews to fit."""
    data = samples(reviews)
    if len(data) < MIN_REVIEWS_TO_FIT:
        return None
    return fit(data, progress=progress)


def review_count(reviews: Sequence[Review]) -> int:
    """How many reviews the fit can use (each after a card's first, first per study day)."""
    return len(samples(reviews))


__all__ = ["CalibrationBin", "calibration", "calibration_of", "Evaluation", "Review", "Sample", "Scores", "evaluate", "optimize", "read_csv", "reviews_from_rows",
           "samples", "auc", "log_loss", "rmse_bins", "folds", "MIN_REVIEWS_TO_FIT"]
