"""The schedule is a fold of the log (issue 9, section 1): the pure part.

``replay`` over a card's log must give what answering one by one gave; re-drills and imported
history never move the schedule; the leech tag comes from the logged flag.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mlcards import schedulers
from mlcards.records import ReviewKind
from mlcards.schedulers.base import needs_redrill
from mlcards.schedulers.fold import CardSchedule, LogEntry, replay, step
from mlcards.schedulers.sm2 import SM2State, review

SM2 = schedulers.get("sm2")
D0 = date(2026, 1, 5)


def test_the_seam_offers_sm2_exactly():
    s = SM2.review(SM2.initial(), 4, D0)
    assert s == review(SM2State(), 4, D0)
    assert SM2.preview(s, D0 + timedelta(days=1)) == {0: 1, 1: 1, 2: 1, 3: 6, 4: 6, 5: 6}
    assert SM2.predicted_recall(SM2.initial(), D0) is None
    assert SM2.predicted_recall(s, s.due) == 0.9  # on the due day, as srs-benchmark reads an interval
    assert SM2.predicted_recall(s, s.due + timedelta(days=1)) == 0.9 ** 2
    assert [g for g in range(6) if needs_redrill(g)] == [0, 1, 2, 3]


def test_replay_equals_answering_one_day_at_a_time():
    grades = [4, 5, 3, 1, 4, 4]
    schedule, entries, day = CardSchedule(SM2State()), [], D0
    for g in grades:
        done = step(SM2, schedule, g, day, answered_today=False, leech_threshold=8)
        schedule = done.after
        entries.append(LogEntry(g, day, leeched=done.leeched))
        day = schedule.state.due
    assert replay(SM2, entries) == schedule
    assert schedule.lapses == 1


def test_redrills_and_imported_history_never_move_the_schedule():
    first = LogEntry(4, D0)
    again = LogEntry(1, D0)  # the same study day: a re-drill
    anki = LogEntry(1, D0 + timedelta(days=1), source="anki")
    later = LogEntry(5, D0 + timedelta(days=1))  # after the imported answer that day: a re-drill too
    once = replay(SM2, [first])
    assert replay(SM2, [first, again]) == once
    assert replay(SM2, [first, again, anki]) == once
    assert replay(SM2, [first, again, anki, later]) == once
    assert step(SM2, once, 1, D0, answered_today=True).kind is ReviewKind.REDRILL


def test_leech_comes_from_the_threshold_when_answering_and_from_the_log_when_replaying():
    learned = CardSchedule(SM2State(repetitions=2, easiness_centi=250, interval=6, due=D0), lapses=2)
    done = step(SM2, learned, 0, D0, answered_today=False, leech_threshold=3)
    assert done.lapse and done.leeched and done.after.leech and done.after.lapses == 3
    assert not step(SM2, learned, 0, D0, answered_today=False, leech_threshold=4).leeched
    assert replay(SM2, [LogEntry(0, D0, leeched=True)], start=learned).leech


def test_a_snapshot_is_the_starting_point():
    snap = CardSchedule(SM2State(repetitions=3, easiness_centi=210, interval=20, due=D0), lapses=1)
    assert replay(SM2, [], start=snap) == snap
    assert replay(SM2, [LogEntry(4, D0)], start=snap).state == review(snap.state, 4, D0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.booleans()), max_size=25))
def test_replay_matches_a_direct_simulation(history):
    """Random grades, gaps (0 = same day) and history rows against a loop over sm2.review itself."""
    entries, day = [], D0
    state, seen = SM2State(), set()
    for grade, gap, is_history in history:
        day = day + timedelta(days=gap)
        entries.append(LogEntry(grade, day, source="anki" if is_history else "review"))
        if not is_history and day not in seen:
            state = review(state, grade, day)
        seen.add(day)
    assert replay(SM2, entries).state == state
