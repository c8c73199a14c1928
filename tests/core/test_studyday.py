"""The study day (issue 2, section 6): 4 AM rollover, aware datetimes, explicit zones and DST."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from mlcards import answering, studyday
from mlcards.store import Store
from tests.conftest import small_deck, utc

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def at(tz, *args, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=tz, fold=fold)


# --- rollover -----------------------------------------------------------------------------------


def test_default_rollover_is_4_am():
    assert studyday.DEFAULT_ROLLOVER_HOUR == 4


@pytest.mark.parametrize(
    "hour, minute, expected",
    [
        (0, 0, date(2025, 6, 9)),
        (1, 0, date(2025, 6, 9)),  # 1 AM belongs to the previous day
        (3, 59, date(2025, 6, 9)),
        (4, 0, date(2025, 6, 10)),
        (12, 0, date(2025, 6, 10)),
        (23, 59, date(2025, 6, 10)),
    ],
)
def test_rollover_at_4_am_in_utc(hour, minute, expected):
    assert studyday.study_day(utc(2025, 6, 10, hour, minute), tz=timezone.utc) == expected


def test_3_59_vs_4_00_local_in_berlin_and_new_york():
    for tz in (NY, BERLIN):
        assert studyday.study_day(at(tz, 2025, 1, 15, 3, 59, 59), tz=tz) == date(2025, 1, 14)
        assert studyday.study_day(at(tz, 2025, 1, 15, 4, 0), tz=tz) == date(2025, 1, 15)


def test_the_zone_decides_the_day_of_one_instant():
    moment = utc(2025, 1, 15, 7, 30)  # 02:30 in New York, 08:30 in Berlin
    assert studyday.study_day(moment, tz=NY) == date(2025, 1, 14)
    assert studyday.study_day(moment, tz=BERLIN) == date(2025, 1, 15)
    assert studyday.study_day(moment, tz=timezone.utc) == date(2025, 1, 15)


@pytest.mark.parametrize("hour, expected", [(0, date(2025, 6, 10)), (5, date(2025, 6, 9)), (23, date(2025, 6, 9))])
def test_other_rollover_hours(hour, expected):
    assert studyday.study_day(utc(2025, 6, 10, 4, 30), rollover_hour=hour, tz=timezone.utc) == expected


@pytest.mark.parametrize("hour", [-1, 24, 99])
def test_rollover_hour_out_of_range(hour):
    with pytest.raises(ValueError):
        studyday.study_day(utc(2025, 6, 10, 12), rollover_hour=hour, tz=timezone.utc)


def test_naive_datetimes_are_refused():
    naive = datetime(2025, 6, 10, 12)
    with pytest.raises(ValueError, match="aware"):
        studyday.study_day(naive)
    with pytest.raises(ValueError):
        studyday.utc_offset_minutes(naive)
    with pytest.raises(ValueError):
        studyday.to_utc_text(naive)
    with pytest.raises(ValueError):
        studyday.local(naive, NY)


# --- DST ----------------------------------------------------------------------------------------


def test_new_york_spring_forward():
    # 2025-03-09: clocks jump from 02:00 to 03:00 local (EST -5 -> EDT -4)
    before = at(NY, 2025, 3, 9, 1, 30)
    assert studyday.utc_offset_minutes(before, NY) == -300
    assert studyday.study_day(before, tz=NY) == date(2025, 3, 8)
    assert studyday.study_day(at(NY, 2025, 3, 9, 3, 59), tz=NY) == date(2025, 3, 8)
    after = at(NY, 2025, 3, 9, 4, 0)
    assert studyday.utc_offset_minutes(after, NY) == -240
    assert studyday.study_day(after, tz=NY) == date(2025, 3, 9)
    # the study day of 9 March begins at 04:00 EDT = 08:00 UTC, and is 23 hours long
    start = studyday.day_start(date(2025, 3, 9), tz=NY)
    assert start == utc(2025, 3, 9, 8)
    assert studyday.day_start(date(2025, 3, 10), tz=NY) - start == timedelta(hours=24)
    assert start - studyday.day_start(date(2025, 3, 8), tz=NY) == timedelta(hours=23)


def test_new_york_fall_back():
    # 2025-11-02: 01:00-02:00 local happens twice (EDT then EST)
    first = at(NY, 2025, 11, 2, 1, 30, fold=0)
    second = at(NY, 2025, 11, 2, 1, 30, fold=1)
    assert studyday.utc_offset_minutes(first, NY) == -240
    assert studyday.utc_offset_minutes(second, NY) == -300
    assert studyday.study_day(first, tz=NY) == studyday.study_day(second, tz=NY) == date(2025, 11, 1)
    assert studyday.day_start(date(2025, 11, 2), tz=NY) == utc(2025, 11, 2, 9)  # 04:00 EST
    assert studyday.day_start(date(2025, 11, 2), tz=NY) - studyday.day_start(date(2025, 11, 1), tz=NY) == timedelta(hours=25)


def test_berlin_dst_changes():
    # spring: 2025-03-30 02:00 -> 03:00; autumn: 2025-10-26 03:00 -> 02:00
    assert studyday.utc_offset_minutes(at(BERLIN, 2025, 3, 30, 1, 0), BERLIN) == 60
    assert studyday.utc_offset_minutes(at(BERLIN, 2025, 3, 30, 4, 0), BERLIN) == 120
    assert studyday.study_day(utc(2025, 3, 30, 1, 59), tz=BERLIN) == date(2025, 3, 29)  # 03:59 CEST
    assert studyday.study_day(utc(2025, 3, 30, 2, 0), tz=BERLIN) == date(2025, 3, 30)  # 04:00 CEST
    assert studyday.study_day(utc(2025, 10, 26, 2, 59), tz=BERLIN) == date(2025, 10, 25)  # 03:59 CET
    assert studyday.study_day(utc(2025, 10, 26, 3, 0), tz=BERLIN) == date(2025, 10, 26)  # 04:00 CET


def test_every_hour_across_dst_maps_to_non_decreasing_days():
    for tz in (NY, BERLIN):
        for start in (utc(2025, 3, 7), utc(2025, 10, 24)):
            days = [studyday.study_day(start + timedelta(minutes=30 * i), tz=tz) for i in range(24 * 2 * 12)]
            assert days == sorted(days)
            assert all((b - a).days in (0, 1) for a, b in zip(days, days[1:]))


# --- timestamps ---------------------------------------------------------------------------------


def test_utc_text_round_trip_and_sorting():
    moment = at(NY, 2025, 3, 9, 4, 0, 0, 123456)
    text = studyday.to_utc_text(moment)
    assert text == "2025-03-09T08:00:00.123Z"
    back = studyday.from_utc_text(text)
    assert back.tzinfo is not None and back == moment.replace(microsecond=123000)
    texts = [studyday.to_utc_text(utc(2025, 1, 1) + timedelta(hours=7 * i)) for i in range(50)]
    assert texts == sorted(texts)


def test_now_is_aware_utc_and_frozen_by_freezegun():
    with freeze_time("2025-06-10 03:30:00"):
        n = studyday.now()
        assert n == utc(2025, 6, 10, 3, 30)
        assert n.utcoffset() == timedelta(0)
        assert studyday.study_day(n, tz=timezone.utc) == date(2025, 6, 9)
    with freeze_time("2025-06-10 04:00:00"):
        assert studyday.study_day(studyday.now(), tz=timezone.utc) == date(2025, 6, 10)


# --- the store's "today" and time-zone changes ----------------------------------------------------


def test_store_today_follows_settings():
    s = Store.memory()
    s.set_setting("timezone", "America/New_York")
    moment = utc(2025, 1, 15, 8, 30)  # 03:30 EST
    assert s.today(moment) == date(2025, 1, 14)
    s.set_setting("rollover_hour", 3)
    assert s.today(moment) == date(2025, 1, 15)
    s.set_setting("timezone", "Europe/Berlin")
    s.set_setting("rollover_hour", 4)
    assert s.today(moment) == date(2025, 1, 15)
    with freeze_time("2025-01-15 08:30:00"):
        assert s.today() == date(2025, 1, 15)
    s.close()


def test_review_at_3_59_and_4_00_local_land_on_different_days():
    s = Store.memory()
    s.apply_deck(small_deck())
    s.set_setting("timezone", "Europe/Berlin")
    a, b = [c.id for c in s.cards_of_term(1)][:2]
    r1 = answering.answer(s, a, 4, at(BERLIN, 2025, 1, 15, 3, 59))
    r2 = answering.answer(s, b, 4, at(BERLIN, 2025, 1, 15, 4, 0))
    assert r1.study_day == date(2025, 1, 14)
    assert r1.after.due == date(2025, 1, 15)
    assert r2.study_day == date(2025, 1, 15)
    assert r2.after.due == date(2025, 1, 16)
    rows = s.reviews_of_card(a) + s.reviews_of_card(b)
    assert [r.study_day for r in rows] == [date(2025, 1, 14), date(2025, 1, 15)]
    assert [studyday.to_utc_text(r.reviewed_at) for r in rows] == ["2025-01-15T02:59:00.000Z", "2025-01-15T03:00:00.000Z"]
    assert [r.utc_offset_min for r in rows] == [60, 60]
    s.close()


def test_review_stores_offset_in_force_across_dst():
    s = Store.memory()
    s.apply_deck(small_deck())
    s.set_setting("timezone", "America/New_York")
    ids = [c.id for t in (1, 2) for c in s.cards_of_term(t)][:2]
    answering.answer(s, ids[0], 4, at(NY, 2025, 3, 8, 12))  # EST
    answering.answer(s, ids[1], 4, at(NY, 2025, 3, 9, 12))  # EDT
    offsets = [s.reviews_of_card(i)[0].utc_offset_min for i in ids]
    assert offsets == [-300, -240]
    s.close()


def test_time_zone_change_never_moves_a_stored_due_date():
    s = Store.memory()
    s.apply_deck(small_deck())
    s.set_setting("timezone", "Europe/Berlin")
    card = s.cards_of_term(1)[0].id
    # reviewed at 10:00 Berlin on 15 Jan: due 16 Jan
    res = answering.answer(s, card, 5, at(BERLIN, 2025, 1, 15, 10))
    assert res.after.due == date(2025, 1, 16)
    # the user flies to New York; the due date stays a plain date
    s.set_setting("timezone", "America/New_York")
    assert s.card(card).state.due == date(2025, 1, 16)
    # 16 Jan 02:00 Berlin = 15 Jan 20:00 New York: still study day 15 Jan there, card not due yet
    moment = at(BERLIN, 2025, 1, 16, 2)
    assert s.today(moment) == date(2025, 1, 15)
    assert [r.card_id for r in s.due_candidates(s.today(moment))] == []
    # on New York's 16 Jan it is due, and the next review lands a positive interval away
    later = at(NY, 2025, 1, 16, 9)
    assert card in [r.card_id for r in s.due_candidates(s.today(later))]
    res2 = answering.answer(s, card, 5, later)
    assert res2.after.interval == 6 and res2.after.due == date(2025, 1, 22)
    assert res2.after.due > res2.study_day
    s.close()


def test_invalid_time_zone_setting_refused():
    from mlcards.errors import StoreError

    s = Store.memory()
    with pytest.raises(StoreError, match="time zone"):
        s.set_setting("timezone", "Mars/Olympus_Mons")
    assert s.setting("timezone") == ""
    s.close()
