"""Today's queue (issue 2, section 8): pure rules over rows, then the same rules through a real store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mlcards import answering
from mlcards.database import memory_database
from mlcards.queue import Limits, build_queue, candidate_window
from mlcards.store import Store
from tests.conftest import small_deck, utc
from tests.core._support import card_id, session_at

T0 = utc(2025, 5, 1, 12)
DAY1 = date(2025, 5, 1)


@dataclass(frozen=True)
class R:
    card_id: int
    term_id: int
    deck_id: int = 1


# --- pure ---------------------------------------------------------------------------------------


def test_a_deck_limit_caps_only_that_deck_inside_the_global_limits():
    due = [R(1, 10, deck_id=1), R(2, 20, deck_id=2), R(3, 30, deck_id=1), R(4, 40, deck_id=2)]
    new = [R(5, 50, deck_id=1), R(6, 60, deck_id=1), R(7, 70, deck_id=2), R(8, 80, deck_id=2)]
    main, _ = build_queue(due, new, Limits(new=3, review=3), deck_limits={1: Limits(new=1, review=1)})
    # deck 1 gives one due (1) and one new (5); deck 2 fills the rest of the global limits
    assert main == [1, 2, 4, 5, 7, 8]


def test_due_first_then_new():
    main, redrill = build_queue([R(1, 10), R(2, 20)], [R(3, 30), R(4, 40)], Limits(new=20, review=200))
    assert main == [1, 2, 3, 4] and redrill == []


def test_limits_cap_each_part():
    due = [R(i, 100 + i) for i in range(10)]
    new = [R(50 + i, 200 + i) for i in range(10)]
    main, _ = build_queue(due, new, Limits(new=3, review=4))
    assert main == [0, 1, 2, 3, 50, 51, 52]
    main, _ = build_queue(due, new, Limits(new=0, review=0))
    assert main == []


def test_one_card_per_term():
    due = [R(1, 10), R(2, 10)]  # two due siblings: only the first (most overdue) shows
    new = [R(3, 10), R(4, 20), R(5, 20), R(6, 30)]
    main, _ = build_queue(due, new, Limits(new=20, review=200))
    assert main == [1, 4, 6]


def test_siblings_do_not_use_up_the_limit():
    new = [R(1, 10), R(2, 10), R(3, 10), R(4, 20), R(5, 30)]
    main, _ = build_queue([], new, Limits(new=2, review=200))
    assert main == [1, 4]


def test_answered_terms_are_skipped():
    main, _ = build_queue([R(1, 10)], [R(2, 20), R(3, 30)], Limits(20, 200), answered_terms=[10, 30])
    assert main == [2]


def test_redrills_come_last_and_are_not_duplicated():
    main, redrill = build_queue([R(1, 10)], [R(2, 20)], Limits(20, 200), redrill=[7, 1, 7, 8])
    assert main == [1, 2]
    assert redrill == [7, 8]


def test_session_limit_counts_distinct_cards_including_redrills():
    due = [R(i, i) for i in range(1, 6)]
    assert build_queue(due, [], Limits(20, 200), redrill=[90, 91], limit=3) == ([1, 2, 3], [])
    assert build_queue(due[:1], [], Limits(20, 200), redrill=[90, 91], limit=2) == ([1], [90])
    assert build_queue(due, [], Limits(20, 200), limit=0) == ([], [])


def test_limits_remaining_never_negative():
    assert Limits.remaining(20, 200, 5, 10) == Limits(new=15, review=190)
    assert Limits.remaining(3, 1, 5, 10) == Limits(new=0, review=0)


def test_candidate_window_covers_three_siblings_per_term():
    due_n, new_n = candidate_window(Limits(new=20, review=200))
    assert due_n >= 3 * 200 and new_n >= 3 * 20


@settings(max_examples=200, deadline=None)
@given(
    due_terms=st.lists(st.integers(0, 15), max_size=30),
    new_terms=st.lists(st.integers(0, 15), max_size=30),
    new_lim=st.integers(0, 10),
    rev_lim=st.integers(0, 10),
    limit=st.one_of(st.none(), st.integers(0, 12)),
)
def test_property_queue_rules(due_terms, new_terms, new_lim, rev_lim, limit):
    due = [R(i, t) for i, t in enumerate(due_terms)]
    new = [R(1000 + i, t) for i, t in enumerate(new_terms)]
    main, redrill = build_queue(due, new, Limits(new=new_lim, review=rev_lim), redrill=[5000], limit=limit)
    term = {r.card_id: r.term_id for r in due + new}
    assert len({term[c] for c in main}) == len(main)  # one card per term
    due_part = [c for c in main if c < 1000]
    new_part = [c for c in main if c >= 1000]
    assert main == due_part + new_part  # due first
    assert len(due_part) <= rev_lim and len(new_part) <= new_lim
    assert due_part == sorted(due_part) and new_part == sorted(new_part)  # input order kept
    if limit is not None:
        assert len(main) + len(redrill) <= limit
    else:
        assert redrill == [5000]
        # nothing skipped that could have been taken
        assert len(due_part) == min(rev_lim, len(set(due_terms)))


# --- through the store ----------------------------------------------------------------------------


def terms_and_kinds(store: Store, ids) -> list[tuple[str, str]]:
    return [(store.card(i).term, store.card(i).kind.value) for i in ids]


def test_due_most_overdue_first_then_new(tiny):
    beta, alpha = card_id(tiny, "beta", "recall"), card_id(tiny, "alpha", "recall")
    answering.answer(tiny, beta, 4, T0 - timedelta(days=5))  # due 4 days ago
    answering.answer(tiny, alpha, 4, T0 - timedelta(days=3))  # due 2 days ago
    s = session_at(tiny, T0)
    assert terms_and_kinds(tiny, s.main) == [
        ("beta", "recall"),
        ("alpha", "recall"),
        ("gamma", "recall"),
        ("delta", "recall"),
        ("epsilon", "recall"),
        ("zeta", "recall"),
    ]


def test_default_limits_20_new_and_200_reviews():
    from mlcards.models import Deck

    s = Store.memory()
    s.set_setting("timezone", "UTC")
    s.apply_deck(Deck(name="Big", terms=[dict(term=f"t{i:03d}", definition=f"d{i}") for i in range(300)]))
    session = session_at(s, T0)
    assert len(session.main) == 20
    assert all(s.card(c).is_new for c in session.main)
    # learn 250 terms over past days so that 250 cards of different terms are due today
    for i in range(250):
        answering.answer(s, card_id(s, f"t{i:03d}", "recall"), 4, T0 - timedelta(days=1 + i % 3))
    session = session_at(s, T0)
    due = [c for c in session.main if not s.card(c).is_new]
    new = [c for c in session.main if s.card(c).is_new]
    assert len(due) == 200
    assert list(session.main) == due + new
    # most overdue first: the ones learned 3 days ago (due 2 days ago) lead
    assert [s.card(c).state.due for c in due] == sorted(s.card(c).state.due for c in due)
    assert len(new) == 20
    s.close()


def test_limits_are_settings_and_count_what_was_done_today(tiny):
    tiny.set_setting("new_per_day", 2)
    s1 = session_at(tiny, T0)
    assert len(s1.main) == 2
    for _ in range(2):
        s1.next()
        s1.answer(5)
    assert s1.next() is None
    # a second session the same day has used up its new cards
    assert session_at(tiny, T0 + timedelta(hours=2)).total_cards == 0
    tiny.set_setting("new_per_day", 3)
    assert session_at(tiny, T0 + timedelta(hours=2)).total_cards == 1
    # the session's own limits override the setting for that session
    assert session_at(tiny, T0 + timedelta(hours=2), new_limit=6).total_cards == 4
    assert session_at(tiny, T0 + timedelta(hours=2), new_limit=1).total_cards == 0


def test_review_limit(tiny):
    ids = [card_id(tiny, t, "recall") for t in ("alpha", "beta", "gamma")]
    for i, c in enumerate(ids):
        answering.answer(tiny, c, 4, T0 - timedelta(days=3 - i))
    tiny.set_setting("reviews_per_day", 2)
    tiny.set_setting("new_per_day", 0)
    s = session_at(tiny, T0)
    assert list(s.main) == ids[:2]  # the two most overdue
    assert list(session_at(tiny, T0, review_limit=5).main) == ids
    assert list(session_at(tiny, T0, review_limit=0, new_limit=0).main) == []


def test_siblings_wait_until_the_next_day(tiny):
    a_rec = card_id(tiny, "alpha", "recall")
    a_rev = card_id(tiny, "alpha", "reverse")
    a_rel = card_id(tiny, "alpha", "related")
    answering.answer(tiny, a_rec, 5, T0)
    same_day = session_at(tiny, T0 + timedelta(hours=3))
    assert not {a_rec, a_rev, a_rel} & set(same_day.main)
    assert "alpha" not in {tiny.card(c).term for c in same_day.main}
    # next day: the recall card is due and takes the term's slot...
    day2 = T0 + timedelta(days=1)
    nxt = session_at(tiny, day2)
    assert a_rec in nxt.main and a_rev not in nxt.main
    # ...and without reviews the sibling is free to show that same next day
    assert a_rev in session_at(tiny, day2, review_limit=0).main
    # answer the due recall on day 2 (interval becomes 6): on day 3 the reverse card shows
    answering.answer(tiny, a_rec, 5, day2)
    day3 = session_at(tiny, T0 + timedelta(days=2))
    assert a_rev in day3.main and a_rec not in day3.main
    assert a_rel not in day3.main


def test_suspended_cards_never_queue(tiny):
    a = card_id(tiny, "alpha", "recall")
    tiny.set_suspended(a, True)
    s = session_at(tiny, T0)
    assert a not in s.main
    # the term is free, so its next card takes the slot
    assert card_id(tiny, "alpha", "reverse") in s.main


def test_buried_card_waits_until_the_next_day(tiny):
    a = card_id(tiny, "alpha", "recall")
    tiny.bury(a, DAY1)
    assert a not in session_at(tiny, T0).main
    assert a in session_at(tiny, T0 + timedelta(days=1)).main


def test_deck_filter(store):
    store.set_setting("timezone", "UTC")
    store.apply_deck(small_deck("One"))
    store.apply_deck(small_deck("Two"))
    s = session_at(store, T0, deck="Two")
    assert {store.card(c).deck for c in s.main} == {"Two"}
    assert len(s.main) == 6
    assert len(session_at(store, T0).main) == 12


def test_new_cards_still_fill_their_limit_when_due_cards_take_many_terms():
    """Due cards hide their terms' new siblings; the new-card window must look past them."""
    s = memory_database()
    s.set_setting("timezone", "UTC")
    for day in range(4):
        session = session_at(s, T0 + timedelta(days=day))
        new = [c for c in session.main if s.card(c).is_new]
        assert len(new) == 20, f"day {day}: {len(new)} new cards"
        while session.next() is not None:
            session.answer(4)
    s.close()


def _cloze_store(terms: int, deletions: int) -> Store:
    from mlcards.models import Deck

    s = Store.memory()
    s.set_setting("timezone", "UTC")
    cloze = " ".join(f"{{{{c{i}::w{i}}}}}" for i in range(1, deletions + 1))
    s.apply_deck(Deck(name="Cloze", description="", terms=[
        dict(term=f"t{i}", definition=f"Definition {i}.", cloze=cloze) for i in range(terms)
    ]))
    return s


def test_terms_with_many_cloze_cards_still_fill_the_new_card_limit():
    """A term with more cards than the candidate window allows for (six cloze deletions and a recall)
    must not leave the day short of new cards: the window is read again, wider."""
    s = _cloze_store(terms=12, deletions=6)
    s.set_setting("new_per_day", 5)
    assert len(session_at(s, T0).main) == 5
    assert len(session_at(s, T0, new_limit=10).main) == 10
    s.close()


def test_a_session_limit_keeps_exactly_the_first_cards_of_the_unlimited_queue():
    """``limit`` narrows the rows read, never the queue's order: it is the unlimited queue, cut."""
    from mlcards.todayqueue import todays_queue

    s = memory_database()
    s.set_setting("timezone", "UTC")
    s.apply_deck(small_deck("Second"))
    for day in range(3):  # some cards due, some new, some re-drills pending
        session = session_at(s, T0 + timedelta(days=day), limit=15)
        for i in range(15):
            if session.next() is None:
                break
            session.answer(2 if i % 4 == 0 else 4)
    today = s.today(T0 + timedelta(days=3))
    for new_limit, review_limit in ((None, None), (9999, 9999), (3, 2), (0, 5)):
        full = todays_queue(s, today, new_limit=new_limit, review_limit=review_limit)
        for limit in (0, 1, 2, 7, 30, len(full.main), len(full.main) + 3):
            cut = todays_queue(s, today, limit=limit, new_limit=new_limit, review_limit=review_limit)
            assert cut.main == full.main[:limit], (new_limit, review_limit, limit)
            assert cut.redrill == full.redrill[: max(0, limit - len(cut.main))]
            assert cut.due_count == sum(1 for c in cut.main if c in set(full.main[: full.due_count]))
    s.close()
