"""SM-2 exactly as issue 2, section 5 states it: explicit examples and property tests.

The property tests compare ``mlcards.sm2.review`` with a reference written here independently,
in exact rational arithmetic (``fractions.Fraction``), over random grade sequences and dates.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcards.schedulers import sm2
from mlcards.schedulers.sm2 import SM2State, review

D0 = date(2025, 3, 1)


def run(grades, start: date = D0, gap_days=None, state: SM2State | None = None) -> list[SM2State]:
    """Review a card with ``grades``; each review on the day it falls due unless ``gap_days`` says otherwise."""
    state = state or SM2State()
    today = start
    out = []
    for i, q in enumerate(grades):
        state = review(state, q, today)
        out.append(state)
        today = today + timedelta(days=gap_days[i] if gap_days else state.interval)
    return out


# --- the new state ------------------------------------------------------------------------------


def test_new_state_defaults():
    s = SM2State()
    assert s.repetitions == 0
    assert s.easiness == Decimal("2.5")
    assert s.interval == 0
    assert s.due is None
    assert s.is_new


# --- intervals ----------------------------------------------------------------------------------


def test_intervals_1_then_6_then_ceil_interval_times_easiness():
    states = run([5, 5, 5, 5])
    # EF before the 3rd review is 2.5 + 0.1 + 0.1 = 2.7; ceil(6 * 2.7) = ceil(16.2) = 17
    # EF before the 4th is 2.8; ceil(17 * 2.8) = ceil(47.6) = 48
    assert [s.interval for s in states] == [1, 6, 17, 48]
    assert [s.repetitions for s in states] == [1, 2, 3, 4]


def test_six_times_two_point_five_is_fifteen_not_sixteen():
    # q = 4 leaves EF at exactly 2.5, so the third interval is ceil(6 * 2.5) = 15
    states = run([4, 4, 4])
    assert [s.interval for s in states] == [1, 6, 15]
    assert states[2].easiness == Decimal("2.5")


def test_no_float_drift_tips_a_ceil():
    # Three 5s take EF to 2.8; summed in floats that is 2.8000000000000003, and 5 x that ceils to 15.
    s = SM2State()
    for q in (5, 5, 5):
        s = review(s, q, D0)
    assert s.easiness == Decimal("2.8")
    assert review(dataclasses.replace(s, interval=5), 4, D0).interval == 14
    # Two 5s: EF 2.7 (float 2.7000000000000002 would make 90 x EF ceil to 244)
    s = run([5, 5])[-1]
    assert s.easiness == Decimal("2.7")
    assert review(dataclasses.replace(s, interval=90), 4, D0).interval == 243


def test_ceil_uses_easiness_from_before_the_update():
    # interval 10, EF 2.5, graded 3: the EF after is 2.36, but the interval uses 2.5 -> 25 (not 24)
    before = SM2State(repetitions=2, easiness_centi=250, interval=10, due=D0)
    after = review(before, 3, D0)
    assert after.interval == 25
    assert after.easiness == Decimal("2.36")
    # and upwards: interval 10, EF 2.5, q=5 -> 25 (with the new EF 2.6 it would be 26)
    after = review(before, 5, D0)
    assert after.interval == 25
    assert after.easiness == Decimal("2.6")


def test_ceil_rounds_up_fractional_products():
    before = SM2State(repetitions=2, easiness_centi=131, interval=7, due=D0)
    # 7 * 1.31 = 9.17 -> 10
    assert review(before, 4, D0).interval == 10
    before = SM2State(repetitions=5, easiness_centi=200, interval=7, due=D0)
    # 7 * 2.00 = 14 exactly -> 14, not 15
    assert review(before, 4, D0).interval == 14


@pytest.mark.parametrize("q", [0, 1, 2])
def test_failure_resets_repetitions_and_interval(q):
    before = SM2State(repetitions=5, easiness_centi=260, interval=120, due=D0)
    after = review(before, q, D0 + timedelta(days=3))
    assert after.repetitions == 0
    assert after.interval == 1
    assert after.due == D0 + timedelta(days=4)


def test_after_failure_the_sequence_restarts_at_1_then_6():
    states = run([5, 5, 5, 1, 4, 4, 4])
    assert [s.interval for s in states][3:6] == [1, 1, 6]
    assert [s.repetitions for s in states] == [1, 2, 3, 0, 1, 2, 3]
    # 7th review: ceil(6 * EF) with the EF before it
    ef_before = states[5].easiness
    assert states[6].interval == math.ceil(Fraction(6) * Fraction(str(ef_before)))


def test_quality_3_counts_as_success():
    s = review(SM2State(), 3, D0)
    assert s.repetitions == 1 and s.interval == 1
    s = review(s, 3, D0 + timedelta(days=1))
    assert s.repetitions == 2 and s.interval == 6


# --- easiness -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q, delta", [(5, "0.10"), (4, "0.00"), (3, "-0.14"), (2, "-0.32"), (1, "-0.54"), (0, "-0.80")]
)
def test_easiness_deltas(q, delta):
    before = SM2State.with_easiness("2.5", repetitions=3, interval=10, due=D0)
    after = review(before, q, D0)
    assert after.easiness == Decimal("2.5") + Decimal(delta)
    assert after.easiness_centi - before.easiness_centi == int(Decimal(delta) * 100)


@pytest.mark.parametrize("q, delta", [(5, 10), (4, 0), (3, -14), (2, -32), (1, -54), (0, -80)])
def test_easiness_delta_centi_matches_formula(q, delta):
    exact = Fraction(1, 10) - (5 - q) * (Fraction(8, 100) + (5 - q) * Fraction(2, 100))
    assert sm2.easiness_delta_centi(q) == delta == exact * 100


def test_easiness_floor_is_1_3():
    s = SM2State()
    for _ in range(5):
        s = review(s, 0, D0)
    assert s.easiness == Decimal("1.3")
    # 1.35 - 0.14 would be 1.21: clamped
    s = review(SM2State.with_easiness("1.35", repetitions=2, interval=6, due=D0), 3, D0)
    assert s.easiness == Decimal("1.3")
    # and it can climb back
    s = review(s, 5, D0)
    assert s.easiness == Decimal("1.4")


def test_easiness_reads_exactly():
    s = run([3, 3, 5, 3])[-1]  # 2.5 - .14 - .14 + .10 - .14 = 2.18
    assert s.easiness == Decimal("2.18")
    assert str(s.easiness) == "2.18"
    assert float(s.easiness) == 2.18


def test_with_easiness_refuses_sub_hundredths_and_low_values():
    with pytest.raises(ValueError):
        SM2State.with_easiness("2.505")
    with pytest.raises(ValueError):
        SM2State.with_easiness("1.29")
    assert SM2State.with_easiness(Decimal("2.36")).easiness_centi == 236


# --- the cap and the due date -------------------------------------------------------------------


def test_interval_capped_at_36500_days():
    before = SM2State(repetitions=10, easiness_centi=250, interval=20_000, due=D0)
    after = review(before, 5, D0)
    assert after.interval == 36_500 == sm2.MAX_INTERVAL
    assert after.due == D0 + timedelta(days=36_500)
    again = review(after, 5, after.due)
    assert again.interval == 36_500


def test_long_run_of_perfect_answers_reaches_the_cap_and_stays():
    states = run([5] * 15)
    intervals = [s.interval for s in states]
    assert intervals == sorted(intervals)
    assert intervals[-1] == 36_500
    assert max(intervals) == 36_500


def test_due_is_review_day_plus_interval_even_when_reviewed_late():
    s = review(SM2State(), 4, D0)  # due D0 + 1
    late = D0 + timedelta(days=30)
    s2 = review(s, 4, late)
    assert s2.interval == 6
    assert s2.due == late + timedelta(days=6)  # not D0 + 1 + 6


def test_due_is_review_day_plus_interval_when_reviewed_early():
    s = run([4, 4])[-1]  # interval 6
    early = s.due - timedelta(days=4)
    s3 = review(s, 4, early)
    assert s3.interval == 15
    assert s3.due == early + timedelta(days=15)


def test_first_review_due_tomorrow():
    assert review(SM2State(), 5, date(2024, 2, 28)).due == date(2024, 2, 29)  # leap day
    assert review(SM2State(), 0, date(2024, 12, 31)).due == date(2025, 1, 1)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [6, -1, 3.0, True, False, "4", None, 4.5, Decimal(4)])
def test_quality_must_be_int_0_to_5(bad):
    with pytest.raises(ValueError):
        review(SM2State(), bad, D0)


def test_today_must_be_a_date_not_datetime():
    with pytest.raises(TypeError):
        review(SM2State(), 4, datetime(2025, 3, 1, 12))
    with pytest.raises(TypeError):
        review(SM2State(), 4, "2025-03-01")


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(repetitions=-1),
        dict(repetitions=True),
        dict(easiness_centi=129),
        dict(easiness_centi=2.5),
        dict(interval=-1),
        dict(interval=36_501),
        dict(due="2025-01-01"),
        dict(due=datetime(2025, 1, 1)),
    ],
)
def test_state_refuses_invalid_fields(kwargs):
    with pytest.raises(ValueError):
        SM2State(**kwargs)


def test_state_is_immutable_and_review_returns_a_new_one():
    s = SM2State()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.interval = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.repetitions = 1  # type: ignore[misc]
    after = review(s, 5, D0)
    assert after is not s
    assert s == SM2State()  # untouched


def test_is_lapse():
    assert sm2.is_lapse(SM2State(repetitions=1, interval=1, due=D0), 2)
    assert not sm2.is_lapse(SM2State(repetitions=1, interval=1, due=D0), 3)
    assert not sm2.is_lapse(SM2State(), 0)  # a new card cannot lapse


# --- property tests against an independent exact reference ----------------------------------------


def reference(grades_and_days: list[tuple[int, date]]):
    """SM-2 from the issue text, in Fractions: returns (reps, EF, interval, due) after each review."""
    reps, ef, interval, due = 0, Fraction(5, 2), 0, None
    out = []
    for q, today in grades_and_days:
        if q >= 3:
            if reps == 0:
                new_interval = 1
            elif reps == 1:
                new_interval = 6
            else:
                new_interval = math.ceil(interval * ef)
            reps += 1
        else:
            reps, new_interval = 0, 1
        ef = max(Fraction(13, 10), ef + Fraction(1, 10) - (5 - q) * (Fraction(8, 100) + (5 - q) * Fraction(2, 100)))
        interval = min(new_interval, 36_500)
        due = today + timedelta(days=interval)
        out.append((reps, ef, interval, due))
    return out


grades = st.integers(min_value=0, max_value=5)
start_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2400, 12, 31))
# review anywhere from the same day to long after the card was due (or early)
offsets = st.integers(min_value=-10, max_value=400)


@st.composite
def histories(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    gs = draw(st.lists(grades, min_size=n, max_size=n))
    offs = draw(st.lists(offsets, min_size=n, max_size=n))
    return gs, draw(start_days), offs


def replay(gs, start, offs):
    """Apply grades, each on (due + offset), never before the previous review day."""
    state, today = SM2State(), start
    days, states = [], []
    for q, off in zip(gs, offs):
        if state.due is not None:
            today = max(today, state.due + timedelta(days=off))
        days.append(today)
        state = review(state, q, today)
        states.append(state)
    return days, states


@settings(max_examples=200, deadline=None)
@given(histories())
def test_property_matches_exact_fraction_reference(h):
    gs, start, offs = h
    days, states = replay(gs, start, offs)
    ref = reference(list(zip(gs, days)))
    for s, (reps, ef, interval, due) in zip(states, ref):
        assert s.repetitions == reps
        assert Fraction(s.easiness) == ef
        assert Fraction(s.easiness_centi, 100) == ef
        assert s.interval == interval
        assert s.due == due


@settings(max_examples=200, deadline=None)
@given(histories())
def test_property_invariants(h):
    gs, start, offs = h
    days, states = replay(gs, start, offs)
    prev = SM2State()
    for q, today, s in zip(gs, days, states):
        # easiness is a whole number of hundredths and never below 1.3
        assert s.easiness == s.easiness.quantize(Decimal("0.01"))
        assert isinstance(s.easiness_centi, int)
        assert s.easiness >= Decimal("1.3")
        # interval at least 1 after any review, capped at 100 years
        assert 1 <= s.interval <= 36_500
        assert s.due == today + timedelta(days=s.interval)
        assert s.due > today
        # failure resets, success counts up
        assert s.repetitions == (0 if q < 3 else prev.repetitions + 1)
        # the state is frozen
        with pytest.raises(dataclasses.FrozenInstanceError):
            s.easiness_centi = 300  # type: ignore[misc]
        prev = s


@settings(max_examples=200, deadline=None)
@given(
    reps=st.integers(min_value=2, max_value=50),
    centi=st.integers(min_value=130, max_value=400),
    interval=st.integers(min_value=1, max_value=36_500),
    q=st.integers(min_value=3, max_value=5),
    today=start_days,
)
def test_property_successful_interval_uses_pre_update_easiness(reps, centi, interval, q, today):
    before = SM2State(repetitions=reps, easiness_centi=centi, interval=interval, due=today)
    after = review(before, q, today)
    assert after.interval == min(36_500, math.ceil(Fraction(interval) * Fraction(centi, 100)))
    assert after.repetitions == reps + 1


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.integers().filter(lambda q: not 0 <= q <= 5), st.floats(), st.text(max_size=3), st.booleans()))
def test_property_bad_quality_always_value_error(q):
    with pytest.raises(ValueError):
        review(SM2State(), q, D0)
