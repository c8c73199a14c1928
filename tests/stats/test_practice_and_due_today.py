"""Practice answers (quiz, custom study) and today's due counts in the stats: apart from reviews,
in ``stats.summary`` and in ``mlcards stats --json``."""

from __future__ import annotations

import json
from datetime import timedelta

from mlcards import answering, stats, studyday
from mlcards.stats import Ratio
from mlcards.store import Store
from mlcards.todayqueue import DayCounts
from tests.conftest import run_cli
from tests.stats._support import D0, card, done_when, noon


def test_practice_is_counted_apart_from_the_reviews(store):
    store.set_setting("timezone", "UTC")
    day1, day2 = noon(D0), noon(D0 + timedelta(days=1))
    ids = done_when(store, day1, day2)  # 9 answers in the log, 5 of them today
    answering.practice(store, ids[0], 5, day1, source="quiz")  # yesterday: counts all time only
    for grade in (4, 1, 3):
        answering.practice(store, ids[1], grade, day2, source="custom")
    s = stats.summary(store, day2)
    assert (s.day.answers, s.reviews_total) == (5, 9)  # practice leaves the review figures alone
    assert s.practice_today == Ratio(answers=3, passed=2)
    assert s.practice_total == Ratio(answers=4, passed=3)
    j = s.as_json()
    assert j["practice"] == {"today": {"answers": 3, "passed": 2, "rate": 2 / 3},
                             "all_time": {"answers": 4, "passed": 3, "rate": 0.75}}
    assert j["reviews_today"] == 5


def test_due_today_is_the_queue_definition(store):
    """The issue's two-day history (four terms, recall cards only answered), then day 3."""
    store.set_setting("timezone", "UTC")
    day1, day2, day3 = (noon(D0 + timedelta(days=n)) for n in range(3))
    done_when(store, day1, day2)
    # day 2: every term was answered today, so no sibling may start; the re-drill reached 5
    assert stats.summary(store, day2).queue == DayCounts(new=0, learning=0, review=0)
    answering.answer(store, card(store, "Four", "term 1", "reverse"), 1, day3)
    s = stats.summary(store, day3)
    # day 3: term 1's reverse failed today (learning); term 3's recall is due (2 then 5 on day 2:
    # interval 1); terms 2 and 4 (recalls due in 6 days) give their new reverse cards; term 3's waits
    assert s.queue == DayCounts(new=2, learning=1, review=1)
    assert s.as_json()["due_today"] == {"new": 2, "learning": 1, "review": 1}


def test_stats_json_on_the_command_line_carries_practice_and_due_today(db_path):
    now = studyday.now()
    with Store.open(db_path) as store:
        store.set_setting("timezone", "UTC")
        store.set_setting("rollover_hour", (now.hour + 12) % 24)
        ids = done_when(store, now - timedelta(days=1, minutes=10), now - timedelta(minutes=10))
        answering.practice(store, ids[0], 2, now - timedelta(minutes=5), source="quiz")
    r = run_cli("stats", "--json", db=db_path)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["practice"]["today"] == {"answers": 1, "passed": 0, "rate": 0.0}
    assert j["reviews_today"] == 5
    assert set(j["due_today"]) == {"new", "learning", "review"}
