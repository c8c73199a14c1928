"""Judging schedulers on a log (issue 12): the split, the scores, the fit on a synthetic learner."""

from __future__ import annotations

import json
import math
import time

import fsrs_rs_python as fsrs
import pytest

from mlcards import fsrs_eval
from mlcards.errors import MlcardsError
from mlcards.fsrs_eval import Review, Sample, auc, folds, log_loss, rmse_bins, samples, score
from mlcards.schedulers.fsrs import DEFAULT_PARAMETERS
from tests.conftest import run_cli
from tests.fsrs._synthetic import START, TRUE_PARAMETERS, learner, write_csv


@pytest.fixture(scope="module")
def reviews() -> list[Review]:
    return learner()


def test_the_fit_recovers_the_true_parameters_log_loss_on_held_back_reviews(reviews: list[Review]) -> None:
    data = samples(reviews)
    cut = int(len(data) * 0.75)
    train, test = data[:cut], data[cut:]
    assert len(train) >= fsrs_eval.MIN_REVIEWS_TO_FIT and len(test) > 300
    started = time.monotonic()
    fitted = fsrs_eval.fit(train)
    assert time.monotonic() - started < 10  # seconds, not minutes
    y = [s.recalled for s in test]
    true_loss = log_loss(y, fsrs_eval.fsrs_recall(TRUE_PARAMETERS, test))
    fitted_loss = log_loss(y, fsrs_eval.fsrs_recall(fitted, test))
    default_loss = log_loss(y, fsrs_eval.fsrs_recall(DEFAULT_PARAMETERS, test))
    assert abs(fitted_loss - true_loss) < 0.01, (fitted_loss, true_loss)
    assert default_loss - true_loss > 0.01  # the defaults are measurably off: the fit had work to do


def test_the_time_split_agrees_with_fsrs_rs(reviews: list[Review]) -> None:
    """Our split, fit and scores against the engine's own evaluate_with_time_series_splits."""
    ev = fsrs_eval.evaluate(reviews)
    theirs = fsrs.evaluate_with_time_series_splits([s.item() for s in samples(reviews)])
    fitted = ev.models["fsrs6_fitted"]
    assert fitted.log_loss == pytest.approx(theirs.log_loss, abs=2e-3)
    assert fitted.rmse_bins == pytest.approx(theirs.rmse_bins, abs=3e-3)
    assert ev.judged == sum(hi - lo for lo, hi in folds(ev.samples))
    assert {s.reviews for s in ev.models.values()} == {ev.judged}
    # FSRS-6 knows this learner; SM-2's fixed reading of an interval does not
    assert ev.models["sm2"].log_loss > ev.models["fsrs6_default"].log_loss
    assert ev.models["fsrs6_fitted"].log_loss < ev.models["fsrs6_default"].log_loss


def test_folds_are_sklearns_time_series_split() -> None:
    assert folds(12) == [(2, 4), (4, 6), (6, 8), (8, 10), (10, 12)]
    assert folds(14) == [(4, 6), (6, 8), (8, 10), (10, 12), (12, 14)]


def test_samples_are_first_of_day_with_same_day_answers_in_the_history() -> None:
    def r(day: int, minute: int, rating: int) -> Review:
        from datetime import timedelta

        m = START + timedelta(days=day, minutes=minute)
        return Review("c", m, m.date(), rating, rating + 1)

    got = samples([r(0, 0, 1), r(0, 5, 3), r(2, 0, 3), r(2, 9, 1), r(7, 0, 4)])
    assert [(s.elapsed, s.rating) for s in got] == [(2, 3), (5, 4)]
    assert got[0].history == ((1, 0), (3, 0)) and got[0].grades == (2,)
    assert got[1].history == ((1, 0), (3, 0), (3, 2), (1, 0)) and got[1].grades == (2, 4)
    assert fsrs_eval.sm2_recall(got[1]) == pytest.approx(0.9 ** (5 / 1))  # SM-2: 1 day after the first pass


def test_scores_on_small_known_cases() -> None:
    assert auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert auc([0, 1], [0.5, 0.5]) == pytest.approx(0.5)
    assert auc([1, 1], [0.2, 0.3]) is None
    assert log_loss([1, 0], [0.8, 0.4]) == pytest.approx(-(math.log(0.8) + math.log(0.6)) / 2)
    # two samples in one bin (same elapsed band, review number, no lapses): one gap of the means
    a = Sample("a", START, ((3, 0),), (4,), 5, 3)
    b = Sample("b", START, ((3, 0),), (4,), 6, 1)
    assert rmse_bins([a, b], [0.9, 0.7]) == pytest.approx(abs(0.5 - 0.8))
    # in different bins (a lapse in the history): each its own gap
    c = Sample("c", START, ((3, 0), (1, 4)), (4, 2), 5, 1)
    assert rmse_bins([a, c], [0.9, 0.3]) == pytest.approx(math.sqrt((0.1**2 + 0.3**2) / 2))
    assert score([a, b], [0.9, 0.7]).reviews == 2


def test_too_short_a_log_is_refused_in_one_line() -> None:
    with pytest.raises(MlcardsError, match="too few to judge"):
        fsrs_eval.evaluate(learner(cards=2, days=3))


def test_csv_layout_with_or_without_state_columns(tmp_path, reviews) -> None:
    full = fsrs_eval.read_csv(write_csv(reviews[:50], tmp_path / "a.csv"))
    bare = fsrs_eval.read_csv(write_csv(reviews[:50], tmp_path / "b.csv", with_state=False))
    assert full == bare == reviews[:50]
    bad = tmp_path / "bad.csv"
    bad.write_text("card_id,review_time,review_rating\n1,2024-01-01T10:00:00+00:00,3\n1,2024-01-02T10:00:00,7\n")
    with pytest.raises(MlcardsError, match=r"bad.csv:.*line 3: rating 7 is not 1-4"):
        fsrs_eval.read_csv(bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("card,time\n1,2\n")
    with pytest.raises(MlcardsError, match="missing card_id, review_rating, review_time"):
        fsrs_eval.read_csv(missing)


def test_cli_evaluate_a_csv_log_as_json(tmp_path, reviews) -> None:
    path = write_csv(reviews, tmp_path / "log.csv")
    done = run_cli("evaluate", "--log", str(path), "--json", db=tmp_path / "unused.db")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out["models"]) == {"sm2", "fsrs6_default", "fsrs6_fitted"}
    assert out["reviews"] == len(reviews)
    for figures in out["models"].values():
        assert set(figures) == {"log_loss", "rmse_bins", "auc", "reviews"} and figures["reviews"] == out["judged"]
    assert out["models"]["fsrs6_fitted"]["log_loss"] < out["models"]["sm2"]["log_loss"]
    assert "fold 5/5" in done.stderr  # progress goes to stderr
    assert not (tmp_path / "unused.db").exists()  # judging a file opens no database
    text = run_cli("evaluate", "--log", str(path), db=tmp_path / "unused.db")
    assert text.returncode == 0 and "FSRS-6 (fitted)" in text.stdout and "SM-2" in text.stdout
    missing = run_cli("evaluate", "--log", str(tmp_path / "nope.csv"), db=tmp_path / "unused.db")
    assert missing.returncode == 1 and missing.stderr.startswith("error: ") and "Traceback" not in missing.stderr


def test_calibration_of_the_true_parameters_is_close_to_the_recall_rate(reviews: list[Review]) -> None:
    bins = fsrs_eval.calibration_of(reviews, TRUE_PARAMETERS)
    assert sum(b.reviews for b in bins) == len(samples(reviews))
    assert all(b.low <= b.predicted < b.high for b in bins)
    big = [b for b in bins if b.reviews >= 300]
    assert big and all(abs(b.predicted - b.actual) < 0.03 for b in big)

    def gap(chart: list[fsrs_eval.CalibrationBin]) -> float:
        return sum(b.reviews * abs(b.predicted - b.actual) for b in chart) / sum(b.reviews for b in chart)

    # a model three times too sure of new cards is visibly off in the same chart
    wrong = fsrs_eval.calibration_of(reviews, [p * (3 if i < 4 else 1) for i, p in enumerate(TRUE_PARAMETERS)])
    assert gap(bins) < 0.02 and gap(wrong) > 2 * gap(bins)
