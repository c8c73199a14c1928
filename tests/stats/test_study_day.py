"""Figures follow the study day: DST changes, the rollover hour, the frozen clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from freezegun import freeze_time

from mlcards import answering, stats
from mlcards.session import ReviewSession
from tests.conftest import small_deck, utc
from tests.stats._support import card


def _ny(store):
    store.set_setting("timezone", "America/New_York")  # rollover 4 AM local
    store.apply_deck(small_deck())
    return [card(store, "Tiny", t, "recall") for t in ("alpha", "beta", "gamma", "delta")]


def test_spring_forward(store):
    a, b, c, _ = _ny(store)
    # 2024-03-10: clocks go from 2:00 EST to 3:00 EDT (07:00 UTC).
    answering.answer(store, a, 4, utc(2024, 3, 9, 17))  # 12:00 EST -> study day Mar 9
    answering.answer(store, b, 4, utc(2024, 3, 10, 7, 45))  # 03:45 EDT: before the rollover -> still Mar 9
    answering.answer(store, c, 4, utc(2024, 3, 10, 8, 15))  # 04:15 EDT -> Mar 10 (a fixed -5 h offset would say 03:15, Mar 9)
    answering.answer(store, a, 5, utc(2024, 3, 10, 8, 30))  # alpha was due Mar 10: a review, not a re-drill
    assert [r.kind for r in store.reviews_of_card(a)] == ["new", "review"]

    now = utc(2024, 3, 10, 20)  # 16:00 EDT
    today = store.today(now)
    assert today == date(2024, 3, 10)
    counts = {d.day: d.reviews for d in stats.activity(store, today, "7") if d.reviews}
    assert counts == {date(2024, 3, 9): 2, date(2024, 3, 10): 2}
    s = stats.summary(store, now)
    assert (s.day.answers, s.day.new, s.day.review, s.streaks.current, s.reviews_total) == (2, 1, 1, 2, 4)
    assert s.retention_30d.total == stats.Ratio(1, 1)
    # 2024-03-11 at 03:30 EDT (07:30 UTC) is still study day Mar 10
    assert stats.summary(store, utc(2024, 3, 11, 7, 30)).day.answers == 2
    assert stats.summary(store, utc(2024, 3, 11, 8, 30)).day.answers == 0
    # forecast from Mar 10: alpha (6 days) and beta/gamma (1 day, due Mar 10/11)
    f = {x.day: x.due for x in s.forecast if x.due}
    assert f == {date(2024, 3, 10): 1, date(2024, 3, 11): 1, date(2024, 3, 16): 1}


def test_fall_back(store):
    a, b, c, d = _ny(store)
    # 2024-11-03: clocks go from 2:00 EDT back to 1:00 EST (06:00 UTC).
    answering.answer(store, a, 4, utc(2024, 11, 3, 5, 30))  # 01:30 EDT -> study day Nov 2
    answering.answer(store, b, 4, utc(2024, 11, 3, 6, 30))  # 01:30 EST (the second one) -> Nov 2
    answering.answer(store, c, 4, utc(2024, 11, 3, 8, 30))  # 03:30 EST -> Nov 2 (with EDT it would be 04:30, Nov 3)
    answering.answer(store, d, 4, utc(2024, 11, 3, 9, 5))  # 04:05 EST -> Nov 3
    answering.answer(store, d, 3, utc(2024, 11, 3, 9, 10))  # a re-drill
    today = store.today(utc(2024, 11, 3, 12))
    assert today == date(2024, 11, 3)
    h = stats.heatmap(store, today)
    assert h.counts == {date(2024, 11, 2): 3, date(2024, 11, 3): 2}
    t = stats.today(store, today)
    assert (t.answers, t.new, t.redrill) == (2, 1, 1)
    assert stats.streaks(store, today).current == 2


def test_session_across_the_rollover_hour(store):
    store.set_setting("timezone", "UTC")
    store.apply_deck(small_deck())
    clock = [utc(2024, 5, 1, 3, 50)]  # study day Apr 30
    session = ReviewSession(store, clock=lambda: clock[0])
    first = session.next()
    session.answer(4, duration_ms=4000)
    clock[0] = utc(2024, 5, 1, 4, 10)  # the rollover passed mid-session: study day May 1
    session.next()
    session.answer(2, duration_ms=6000)
    clock[0] = utc(2024, 5, 1, 4, 20)
    session.next()
    session.answer(5, duration_ms=5000)
    assert session.today == date(2024, 4, 30)

    may1 = store.today(clock[0])
    assert [(d.day, d.reviews) for d in stats.activity(store, may1, "7")][-2:] == [
        (date(2024, 4, 30), 1), (date(2024, 5, 1), 2),
    ]
    t = stats.today(store, may1)
    assert (t.answers, t.new, t.time_ms, t.correct) == (2, 2, 11000, 1)
    assert stats.streaks(store, may1).current == 2
    # the card answered on Apr 30 is due May 1: it counts today in the forecast
    assert first.card.id in {r[0] for r in store.db.execute("SELECT id FROM cards WHERE due = '2024-05-01'")}
    assert stats.forecast(store, may1)[0].due == 1


def test_summary_reads_the_frozen_clock(store):
    store.set_setting("timezone", "UTC")
    store.apply_deck(small_deck())
    alpha = card(store, "Tiny", "alpha", "recall")
    answering.answer(store, alpha, 4, utc(2024, 3, 12, 22))
    with freeze_time(datetime(2024, 3, 13, 3, 30, tzinfo=timezone.utc)):  # before 4 AM: still Mar 12
        s = stats.summary(store)
        assert s.today == date(2024, 3, 12) and s.day.answers == 1 and s.streaks.studied_today
    with freeze_time(datetime(2024, 3, 13, 4, 30, tzinfo=timezone.utc)):
        s = stats.summary(store)
        assert s.today == date(2024, 3, 13) and s.day.answers == 0
        assert (s.streaks.current, s.streaks.studied_today) == (1, False)
        assert s.forecast[0].due == 1
    store.set_setting("rollover_hour", 0)
    with freeze_time(datetime(2024, 3, 13, 0, 30, tzinfo=timezone.utc)):
        assert stats.summary(store).today == date(2024, 3, 13)


def test_range_start_and_days():
    today = date(2024, 3, 13)
    assert stats.range_start(today, "7") == today - timedelta(days=6)
    assert stats.range_start(today, "all") is None
