"""Every figure of ``mlcards.stats`` over known histories answered through the real ``Store.answer``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mlcards import answering, stats
from mlcards.errors import MlcardsError, StoreError
from mlcards.stats import CardStates, Ratio
from tests.stats._support import D0, TODAY, at, build_history, card, done_when, noon


def day(offset: int):
    return D0 + timedelta(days=offset)


# --- the "Done when" -------------------------------------------------------------------------


def test_done_when_two_day_history(store):
    store.set_setting("timezone", "UTC")
    day1, day2 = noon(day(0)), noon(day(1))
    ids = done_when(store, day1, day2)

    summary = stats.summary(store, day2)
    j = summary.as_json()
    assert j["reviews_today"] == 5
    assert j["reviews_total"] == 9
    assert j["streak_days"] == 2
    assert j["longest_streak"] == 2
    assert j["retention_30d"] == 0.75
    assert [f["due"] for f in j["forecast"]] == [0, 1, 0, 0, 0, 0, 3] + [0] * 23
    assert [f["date"] for f in j["forecast"][:2]] == ["2024-01-02", "2024-01-03"]
    assert j["forecast"][6] == {"date": "2024-01-08", "due": 3}
    assert {k: j["cards"][k] for k in ("new", "learning", "young", "mature", "suspended", "leech")} == {
        "new": 4, "learning": 1, "young": 3, "mature": 0, "suspended": 0, "leech": 0,
    }
    assert j["today_detail"] == {
        "date": "2024-01-02", "answers": 5, "cards": 4, "new": 0, "review": 4, "redrill": 1,
        "correct": 4, "accuracy": 0.8, "time_ms": 9000,
    }
    assert j["retention"]["young"] == {"answers": 4, "passed": 3, "rate": 0.75}
    assert j["retention"]["mature"] == {"answers": 0, "passed": 0, "rate": None}
    assert j["decks"] == [{
        "name": "Four", "terms": 4, "cards": 8, "new": 4, "learning": 1, "young": 3, "mature": 0,
        "suspended": 0, "leech": 0, "total": 8, "mature_share": 0.0,
    }]
    # the failed card is the hardest term: one lapse, easiness 2.50 - 0.32
    assert [(h.term, h.lapses, h.easiness, h.answers, h.passed) for h in summary.hardest_terms] == [
        ("term 3", 1, 2.18, 2, 1)
    ]
    assert store.card(ids[2]).state.repetitions == 0


# --- a long history with passes, lapses, re-drills, mature cards and two decks --------------------------


@pytest.fixture
def history(store):
    build_history(store)
    return store


def tiny(store):
    return store.require_deck("Tiny")


def test_today_counts_by_kind_and_deck(history):
    t = stats.today(history, TODAY, deck_id=tiny(history))
    assert (t.answers, t.cards, t.new, t.review, t.redrill, t.correct, t.time_ms) == (7, 5, 2, 3, 2, 5, 7000)
    assert t.accuracy == 5 / 7
    everything = stats.today(history, TODAY)
    assert (everything.answers, everything.cards, everything.review, everything.correct) == (8, 6, 4, 6)
    assert stats.today(history, day(5)).answers == 0
    assert stats.today(history, day(5)).accuracy is None


def test_reviews_total(history):
    assert stats.reviews_total(history) == 22
    assert stats.reviews_total(history, deck_id=tiny(history)) == 20
    assert stats.reviews_total(history, deck_id=history.require_deck("Other")) == 2


def test_activity_is_zero_filled_per_study_day(history):
    week = stats.activity(history, TODAY, "7", deck_id=tiny(history))
    assert [(d.day, d.reviews) for d in week] == [(day(66 + i), 7 if i == 6 else 0) for i in range(7)]
    full = stats.activity(history, TODAY, "all", deck_id=tiny(history))
    assert len(full) == 73 and full[0].day == day(0) and full[-1].day == TODAY
    assert {d.day: d.reviews for d in full if d.reviews} == {
        day(0): 3, day(1): 5, day(2): 1, day(7): 2, day(24): 2, day(72): 7,
    }
    everything = stats.activity(history, TODAY, "all")
    assert {d.day: d.reviews for d in everything if d.reviews} == {
        day(0): 3, day(1): 5, day(2): 1, day(3): 1, day(7): 2, day(24): 2, day(72): 8,
    }
    assert len(stats.activity(history, TODAY, "30")) == 30
    assert len(stats.activity(history, TODAY, "365")) == 365
    assert sum(d.reviews for d in stats.activity(history, TODAY, "90")) == 22


def test_activity_all_without_answers_is_just_today(store):
    assert [(d.day, d.reviews) for d in stats.activity(store, TODAY, "all")] == [(TODAY, 0)]


def test_heatmap_covers_the_last_year(history):
    h = stats.heatmap(history, TODAY, deck_id=tiny(history))
    assert h.start == TODAY - timedelta(days=364) and h.end == TODAY
    assert h.counts == {day(0): 3, day(1): 5, day(2): 1, day(7): 2, day(24): 2, day(72): 7}
    assert (h.max, h.days_studied, h.count(day(3)), h.count(day(1))) == (7, 6, 0, 5)
    assert h.as_json()["days"]["2024-01-02"] == 5
    # a year later the first days have left the window
    later = stats.heatmap(history, day(367))  # the window starts on D3
    assert later.counts == {day(3): 1, day(7): 2, day(24): 2, day(72): 8}


def test_streaks(history):
    s = stats.streaks(history, TODAY, deck_id=tiny(history))
    assert (s.current, s.longest, s.studied_today, s.last_day, s.days_studied) == (1, 3, True, TODAY, 6)
    everything = stats.streaks(history, TODAY)
    assert (everything.current, everything.longest, everything.days_studied) == (1, 4, 7)  # D0-D3
    # the day after: nothing answered yet, yesterday still carries the streak
    s = stats.streaks(history, day(73))
    assert (s.current, s.studied_today, s.last_day) == (1, False, TODAY)
    assert stats.streaks(history, day(74)).current == 0
    # as of D2 (later answers ignored): D0, D1, D2
    s = stats.streaks(history, day(2), deck_id=tiny(history))
    assert (s.current, s.longest, s.days_studied) == (3, 3, 3)
    assert stats.study_days(history, TODAY, deck_id=tiny(history)) == [day(i) for i in (0, 1, 2, 7, 24, 72)]
    assert stats.study_days(history, TODAY) == [day(i) for i in (0, 1, 2, 3, 7, 24, 72)]


def test_streak_rules():
    d = [day(i) for i in (0, 1, 2, 5, 6)]
    assert stats.streaks_from_days(d, day(6)).current == 2
    assert stats.streaks_from_days(d, day(7)).current == 2
    assert stats.streaks_from_days(d, day(8)).current == 0
    assert stats.streaks_from_days(d, day(8)).longest == 3
    assert stats.streaks_from_days([], day(8)) == stats.Streaks()


def test_true_retention_counts_first_answers_of_cards_studied_before(history):
    r = stats.retention_ranges(history, TODAY, deck_id=tiny(history))
    assert set(r) == {"7", "30", "90", "365", "all"}
    # D66..D72: alpha failed (mature), beta passed (young), delta passed (mature); re-drills and the
    # first answers of new cards are left out
    for key in ("7", "30"):
        assert (r[key].total, r[key].young, r[key].mature) == (Ratio(3, 2), Ratio(1, 1), Ratio(2, 1))
    for key in ("90", "365", "all"):
        assert (r[key].total, r[key].young, r[key].mature) == (Ratio(11, 9), Ratio(9, 8), Ratio(2, 1))
    assert r["all"].rate == 9 / 11
    assert stats.retention(history, TODAY, "30").total == Ratio(4, 3)  # plus Other's alpha
    assert stats.retention(history, TODAY, "all").young == Ratio(10, 9)
    # as of D7: D1 alpha, beta (failed), delta; D2 beta; D7 alpha, delta -- all young
    r7 = stats.retention(history, day(7), "7", deck_id=tiny(history))
    assert (r7.total, r7.young, r7.mature) == (Ratio(6, 5), Ratio(6, 5), Ratio(0, 0))
    assert r7.mature.rate is None


def test_retention_is_none_without_data(store):
    r = stats.retention(store, TODAY)
    assert r.rate is None and r.as_json() == {
        "range": "30", "rate": None, "answers": 0, "passed": 0,
        "young": {"answers": 0, "passed": 0, "rate": None}, "mature": {"answers": 0, "passed": 0, "rate": None},
    }


def test_card_states_partition_every_card(history):
    s = stats.card_states(history, deck_id=tiny(history))
    assert s == CardStates(new=12, learning=2, young=2, mature=1, suspended=1, leech=0)
    assert s.total == 18
    assert stats.card_states(history) == CardStates(new=29, learning=2, young=3, mature=1, suspended=1, leech=0)


def test_forecast_counts_overdue_cards_today_and_skips_suspended(history):
    f = stats.forecast(history, TODAY, deck_id=tiny(history))
    assert len(f) == 30 and f[0].day == TODAY and f[-1].day == day(101)
    assert {x.day: x.due for x in f if x.due} == {day(73): 3, day(78): 1}
    assert {x.day: x.due for x in stats.forecast(history, TODAY) if x.due} == {day(73): 3, day(78): 2}
    # eight days later: everything but delta (due D212) is overdue and counts today
    later = stats.forecast(history, day(80), deck_id=tiny(history))
    assert later[0].due == 4 and sum(x.due for x in later) == 4
    history.set_suspended(card(history, "Tiny", "beta", "recall"), True)
    assert stats.forecast(history, day(80), deck_id=tiny(history))[0].due == 3
    assert stats.forecast(history, TODAY, days=7)[-1].day == day(78)


def test_histograms(history):
    ease, intervals = stats.histograms(history, deck_id=tiny(history))
    # alpha 2.58, beta 1.82, gamma-related 2.60, delta 3.00, delta-related 2.18
    assert [b.cards for b in ease] == [0, 0, 1, 0, 1, 0, 2, 0, 1, 0]
    assert [b.label for b in ease][:2] == ["1.30-1.49", "1.50-1.69"] and ease[-1].label == "3.10+"
    assert (ease[6].lo, ease[6].hi, ease[-1].hi) == (2.5, 2.69, None)
    assert {b.label: b.cards for b in intervals if b.cards} == {"1 d": 3, "4-7 d": 1, "91-180 d": 1}
    assert [b.label for b in intervals] == [
        "1 d", "2-3 d", "4-7 d", "8-14 d", "15-20 d", "21-30 d", "31-60 d", "61-90 d", "91-180 d", "181-365 d", "366+ d",
    ]
    assert stats.easiness_histogram(history) == stats.histograms(history)[0]
    assert sum(b.cards for b in stats.interval_histogram(history)) == 6  # plus Other's alpha


def test_deck_figures(history):
    tiny_fig, other = stats.deck_figures(history)
    assert (tiny_fig.name, tiny_fig.terms, tiny_fig.cards) == ("Tiny", 6, 18)
    assert tiny_fig.states == CardStates(new=12, learning=2, young=2, mature=1, suspended=1, leech=0)
    assert tiny_fig.mature_share == 1 / 18
    assert (other.name, other.cards, other.states.young, other.states.new, other.mature_share) == ("Other", 18, 1, 17, 0)
    assert [d.name for d in stats.deck_figures(history, deck_id=tiny(history))] == ["Tiny"]


def test_deck_without_cards_has_no_mature_share(store):
    from mlcards.models import Deck

    store.apply_deck(Deck(name="Empty", terms=[]))
    (fig,) = stats.deck_figures(store)
    assert (fig.terms, fig.cards, fig.mature_share) == (0, 0, None)


def test_hardest_terms(history):
    hard = stats.hardest_terms(history, deck_id=tiny(history))
    assert [(h.term, h.lapses, h.easiness, h.leech, h.answers, h.passed) for h in hard] == [
        ("beta", 1, 1.82, False, 4, 3),
        ("alpha", 1, 2.58, False, 5, 4),
        ("delta", 0, 2.18, False, 6, 5),
    ]
    assert [h.term for h in stats.hardest_terms(history, limit=2)] == ["beta", "alpha"]
    assert stats.hardest_terms(history, limit=0) == []
    assert stats.hardest_terms(history, deck_id=history.require_deck("Other")) == []


def test_cluster_accuracy(history):
    total, clusters = stats.cluster_accuracy(history, TODAY, "30", deck_id=tiny(history), min_answers=1)
    # gamma-related passed, delta-related failed (its re-drill is left out)
    assert total == Ratio(2, 1)
    assert [(c.term, c.size, c.answers, c.passed) for c in clusters] == [
        ("beta", 3, 1, 0),  # beta's neighbours: alpha, delta
        ("gamma", 4, 2, 1),
        ("delta", 4, 2, 1),
        ("epsilon", 4, 2, 1),
        ("alpha", 3, 1, 1),
    ]
    assert clusters[0].rate == 0.0 and clusters[1].rate == 0.5
    _, ranked = stats.cluster_accuracy(history, TODAY, "30", min_answers=2, limit=2)
    assert [c.term for c in ranked] == ["gamma", "delta"]
    assert stats.cluster_accuracy(history, TODAY, "30")[1] == []  # the default needs 3 answers
    assert stats.cluster_accuracy(history, day(60), "30") == (Ratio(0, 0), [])


def test_leech_and_suspended_cards(store):
    from tests.conftest import small_deck

    store.set_setting("timezone", "UTC")
    store.set_setting("leech_threshold", 1)
    store.apply_deck(small_deck())
    alpha = card(store, "Tiny", "alpha", "recall")
    answering.answer(store, alpha, 4, at(0))
    result = answering.answer(store, alpha, 1, at(1))  # a lapse at the threshold: leech, suspended
    assert result.leeched
    s = stats.card_states(store)
    assert (s.suspended, s.leech, s.learning, s.young, s.new) == (1, 1, 0, 0, 17)
    assert s.total == 18
    assert stats.forecast(store, day(1))[1].due == 0  # suspended: not in the forecast
    store.set_suspended(alpha, False)  # the user takes it back: still a leech, counted as learning
    s = stats.card_states(store)
    assert (s.suspended, s.leech, s.learning) == (0, 1, 1)
    assert stats.hardest_terms(store)[0].leech is True


def test_summary_json_shape(history):
    j = stats.summary(history, at(72, 30)).as_json()
    assert j["today"] == "2024-03-13" and j["deck"] is None and j["range"] == "30"
    assert (j["reviews_today"], j["reviews_total"], j["streak_days"], j["longest_streak"]) == (8, 22, 1, 4)
    assert j["retention_30d"] == 0.75
    assert set(j["retention_by_range"]) == {"7", "30", "90"}
    assert len(j["reviews_per_day"]) == 30 and j["reviews_per_day"][-1] == {"date": "2024-03-13", "reviews": 8}
    assert j["heatmap"]["days"] == {"2024-01-01": 3, "2024-01-02": 5, "2024-01-03": 1, "2024-01-04": 1,
                                    "2024-01-08": 2, "2024-01-25": 2, "2024-03-13": 8}
    assert [d["name"] for d in j["decks"]] == ["Tiny", "Other"]
    assert j["related_accuracy"] == {"answers": 2, "passed": 1, "rate": 0.5}
    filtered = stats.summary(history, at(72, 30), deck="tiny", range="all").as_json()
    assert filtered["deck"] == "Tiny" and filtered["range"] == "all"
    assert (filtered["reviews_today"], filtered["reviews_total"], filtered["longest_streak"]) == (7, 20, 3)
    assert set(filtered["retention_by_range"]) == {"7", "30", "90", "all"}
    assert filtered["retention"]["rate"] == 9 / 11
    assert len(filtered["reviews_per_day"]) == 73 and filtered["reviews_per_day"][0]["date"] == "2024-01-01"
    assert filtered["heatmap"]["start"] == "2023-03-15" and len(filtered["heatmap"]["days"]) == 6
    assert [c["term"] for c in filtered["clusters"]] == []
    assert [h["term"] for h in filtered["hardest_terms"]] == ["beta", "alpha", "delta"]


def test_summary_ranges_and_errors(history):
    for key, n in (("7", 7), ("90", 90), ("365", 365)):
        s = stats.summary(history, at(72), range=key)
        assert len(s.reviews_per_day) == n and s.retention.range == key
    assert stats.parse_range(30) == "30" and stats.parse_range("90d") == "90" and stats.parse_range(None) == "all"
    with pytest.raises(MlcardsError, match="unknown range"):
        stats.parse_range("14")
    with pytest.raises(StoreError, match="no deck named 'Nope'"):
        stats.summary(history, at(72), deck="Nope")


def test_summary_on_a_file_uses_a_second_connection_with_the_same_figures(db_path):
    import threading

    from mlcards.store import Store

    with Store.open(db_path) as store:
        build_history(store)
        threads = []
        real = stats._on_own_connection

        def spy(path, fn):
            threads.append(threading.current_thread().name)
            return real(path, fn)

        stats._on_own_connection = spy
        try:
            both = stats.summary(store, at(72, 30), deck="Tiny", range="all")
        finally:
            stats._on_own_connection = real
        one = stats.summary(store, at(72, 30), deck="Tiny", range="all", parallel=False)
        assert threads and threads[0].startswith("mlcards-stats")
        assert both.as_json() == one.as_json()
        assert [h.term for h in both.hardest_terms] == ["beta", "alpha", "delta"]
        assert {x.day: x.due for x in both.forecast if x.due} == {day(73): 3, day(78): 1}
        # inside an open write transaction the other connection could not see it: one connection then
        with store.transaction():
            store.db.execute("UPDATE cards SET suspended = 1 WHERE id = ?", [card(store, "Tiny", "beta", "recall")])
            inside = stats.summary(store, at(72, 30), deck="Tiny")
        assert inside.cards.suspended == 2 and {x.day: x.due for x in inside.forecast if x.due} == {day(73): 3}


def test_summary_falls_back_to_one_connection_when_the_second_fails(db_path, monkeypatch):
    import sqlite3

    from mlcards.store import Store

    def broken(path, fn):
        raise sqlite3.OperationalError("unable to open database file")

    with Store.open(db_path) as store:
        build_history(store)
        expected = stats.summary(store, at(72, 30), parallel=False).as_json()
        monkeypatch.setattr(stats, "_on_own_connection", broken)
        assert stats.summary(store, at(72, 30)).as_json() == expected
        assert expected["reviews_total"] == 22 and expected["cards"]["young"] == 3
