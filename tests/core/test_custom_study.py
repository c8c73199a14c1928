"""Custom study and the quiz's selections (mlcards.custom over store/custom.py), on a real SQLite file
with hand-built histories whose answers are known."""

from __future__ import annotations

from datetime import date

import pytest

from mlcards import answering, custom
from mlcards.models import Deck
from mlcards.session import ReviewSession
from mlcards.store import Store
from tests.conftest import utc

TODAY = date(2026, 11, 30)
NOW = utc(2026, 11, 30, 12)


def at(day: int):
    return utc(2026, 11, day, 12)


def deck(name: str = "Greek") -> Deck:
    tags = {"alpha": ["x"], "beta": ["x", "y"], "gamma": ["y"], "delta": [], "epsilon": ["x"], "zeta": ["y"]}
    names = list(tags)
    return Deck(name=name, terms=[
        dict(term=t, definition=f"Letter number {i + 1}.", related=[names[(i + 1) % 6]], tags=tags[t])
        for i, t in enumerate(names)
    ])


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "custom.db")
    s.set_setting("timezone", "UTC")
    s.apply_deck(deck())
    yield s
    s.close()


def cid(store: Store, term: str, kind: str) -> int:
    row = store.db.execute(
        "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.term = ? AND c.kind = ?", [term, kind]
    ).fetchone()
    return int(row[0])


def answer(store: Store, term: str, kind: str, *grades_days: tuple[int, int]) -> int:
    card = cid(store, term, kind)
    for grade, day in grades_days:
        answering.answer(store, card, grade, at(day))
    return card


def clock():
    return NOW


def test_review_ahead_takes_the_cards_due_in_the_next_days_soonest_first(store):
    answer(store, "alpha", "recall", (5, 29))  # due today: not ahead, it is today's
    b = answer(store, "beta", "recall", (5, 28), (5, 29))  # interval 6: due Sat 05 Dec
    c = answer(store, "gamma", "recall", (5, 30))  # due tomorrow
    answer(store, "delta", "recall", (5, 20), (5, 21))  # due 27 Nov: overdue, not ahead
    f = answer(store, "zeta", "recall", (5, 30))  # due tomorrow, but suspended
    store.set_suspended(f, True)
    e = answer(store, "epsilon", "recall", (5, 30))  # due tomorrow, buried until tomorrow: hidden today
    store.bury(e, TODAY)
    assert store.card(b).state.due == date(2026, 12, 5)
    assert custom.review_ahead(store, TODAY, None, 1) == [c]
    assert custom.review_ahead(store, TODAY, None, 4) == [c]
    assert custom.review_ahead(store, TODAY, None, 5) == [c, b]
    assert custom.review_ahead(store, TODAY, None, 5, limit=1) == [c]
    store.unbury(e)
    assert custom.review_ahead(store, TODAY, None, 5) == [c, e, b]  # same day: deck order
    assert custom.review_ahead(store, TODAY, None, 0) == []


def test_the_weakest_cards_are_the_lapsed_then_the_lowest_ease(store):
    lapsed = answer(store, "delta", "reverse", (5, 20), (5, 21), (1, 27))  # learned, then forgotten: 2.50 + 0.20 - 0.54
    hard = answer(store, "epsilon", "reverse", (3, 28))  # ease 2.50 - 0.14
    harder = answer(store, "beta", "reverse", (2, 27), (5, 28))  # ease 2.50 - 0.32 + 0.10
    answer(store, "alpha", "reverse", (4, 29))  # ease stays 2.50, no lapse: not weak
    answer(store, "gamma", "reverse", (5, 29))  # ease 2.60: not weak
    gone = answer(store, "zeta", "reverse", (5, 20), (1, 22))  # lapsed but suspended
    store.set_suspended(gone, True)
    rows = {c: (store.card(c).lapses, store.card(c).state.easiness_centi) for c in (lapsed, hard, harder)}
    assert rows == {lapsed: (1, 216), hard: (0, 236), harder: (0, 228)}
    assert custom.weakest(store, TODAY, None, 10) == [lapsed, harder, hard]
    assert custom.weakest(store, TODAY, None, 2) == [lapsed, harder]
    assert custom.weakest(store, TODAY, store.deck_id("Greek"), 10) == [lapsed, harder, hard]


def test_one_tag_takes_each_terms_first_card_before_their_second(store):
    x = ["alpha", "beta", "epsilon"]
    recall = [cid(store, t, "recall") for t in x]
    reverse = [cid(store, t, "reverse") for t in x]
    related = [cid(store, t, "related") for t in x]
    assert custom.tagged(store, TODAY, None, "x", 100) == recall + reverse + related
    assert custom.tagged(store, TODAY, None, "x", 4) == recall + reverse[:1]
    store.set_suspended(recall[1], True)
    assert custom.tagged(store, TODAY, None, "x", 3) == [recall[0], recall[2], reverse[0]]
    assert custom.tagged(store, TODAY, None, "nope", 10) == []
    assert custom.tags(store, None) == [("x", 3), ("y", 3)]


def test_selections_keep_to_one_deck(store):
    store.apply_deck(deck("Other"))
    mine = store.deck_id("Greek")
    other = store.deck_id("Other")
    assert len(custom.tagged(store, TODAY, None, "x", 100)) == 18
    assert len(custom.tagged(store, TODAY, mine, "x", 100)) == 9
    assert custom.tags(store, other) == [("x", 3), ("y", 3)]
    mine_card = answer(store, "gamma", "recall", (5, 30))
    assert custom.review_ahead(store, TODAY, other, 3) == []
    assert custom.review_ahead(store, TODAY, mine, 3) == [mine_card]


def test_more_new_cards_raise_todays_limit_by_that_many(store):
    store.set_setting("new_per_day", 3)
    answer(store, "alpha", "recall", (5, 30))
    answer(store, "beta", "recall", (5, 30))  # two new cards introduced today: one left
    assert ReviewSession(store, clock=clock).new_count == 1
    assert custom.new_left_today(store, TODAY) == 1
    limit = custom.extra_new_limit(store, TODAY, None, 2)
    assert limit == 2 + 1 + 2
    assert ReviewSession(store, clock=clock, new_limit=limit).new_count == 3  # one left + two more
    plan = custom.plan(store, TODAY, "new", 2)
    assert (plan.new_limit, plan.new_left, plan.new_extra, plan.counts) == (limit, 1, 2, True)
    assert plan.new_available == 4 * 3 - 0  # four terms not answered today, three cards each
    assert plan.new_cards == 3
    # a deck's own limit: one new card a day, one already introduced today -> nothing left before more
    deck_id = store.deck_id("Greek")
    store.set_deck_setting(deck_id, "new_per_day", 2)
    assert custom.new_left_today(store, TODAY, deck_id) == 0
    limit = custom.extra_new_limit(store, TODAY, deck_id, 2)
    assert ReviewSession(store, deck="Greek", clock=clock).new_count == 0
    assert ReviewSession(store, deck="Greek", clock=clock, new_limit=limit).new_count == 2


def test_practice_plans_never_count(store):
    answer(store, "delta", "reverse", (5, 20), (5, 21), (1, 27))
    for mode in ("ahead", "weakest", "tag"):
        assert not custom.plan(store, TODAY, mode, 5, tag="x").counts
    assert custom.plan(store, TODAY, "tag", 5).empty  # no tag picked
    assert custom.plan(store, TODAY, "weakest", 5).cards == (cid(store, "delta", "reverse"),)
    with pytest.raises(ValueError, match="unknown custom-study mode"):
        custom.plan(store, TODAY, "cram", 5)


def test_count_refusal_allows_only_cards_a_review_session_would_take_today(store):
    due = answer(store, "alpha", "related", (5, 29))
    assert custom.count_refusal(store, due, TODAY) is None
    assert custom.count_refusal(store, cid(store, "beta", "related"), TODAY).startswith("it is a new card")
    later = answer(store, "gamma", "related", (5, 28), (5, 29))
    assert custom.count_refusal(store, later, TODAY) == "it is not due until Sat 05 Dec"
    sibling = answer(store, "delta", "related", (5, 29))
    answer(store, "delta", "recall", (5, 30))
    assert custom.count_refusal(store, sibling, TODAY) == "a card of this term was already answered today"
    buried = answer(store, "epsilon", "related", (5, 29))
    store.bury(buried, TODAY)
    assert custom.count_refusal(store, buried, TODAY) == "the card is buried until tomorrow"
    store.set_suspended(buried, True)
    assert custom.count_refusal(store, buried, TODAY) == "the card is suspended"
    # the day's review limit: one review a day, and one done today
    store.set_setting("reviews_per_day", 1)
    answer(store, "zeta", "recall", (5, 28), (5, 30))
    assert custom.count_refusal(store, due, TODAY) == "today's review limit is reached"
    store.set_setting("reviews_per_day", 100)
    store.set_deck_setting(store.deck_id("Greek"), "reviews_per_day", 1)
    assert custom.count_refusal(store, due, TODAY) == "this deck's review limit for today is reached"
    store.set_deck_setting(store.deck_id("Greek"), "reviews_per_day", 2)
    assert custom.count_refusal(store, due, TODAY) is None


def stale(store: Store) -> None:
    """Fourteen terms in a ring, then re-applied with the links of t02..t04 removed (t01 keeps t00's):
    their related cards stay and give no question."""
    def terms(cut: int) -> list[dict]:
        return [dict(term=f"t{i:02}", definition=f"Definition number {i}.",
                     related=[f"t{(i + 1) % 14:02}"] if i == 0 or i > cut else []) for i in range(14)]
    store.apply_deck(Deck(name="Ring", terms=terms(0)))
    store.apply_deck(Deck(name="Ring", terms=terms(4)))


def test_quiz_items_skip_subjects_without_a_question_and_read_on(store):
    stale(store)
    ring = store.deck_id("Ring")
    assert len(store.quiz_subject_terms(TODAY, ring, 10)) == 10
    items = custom.quiz_items(store, TODAY, seed="s", deck_id=ring)
    assert len(items) == 10
    names = [i.subject for i in items]
    assert names == ["t00", "t01", *(f"t{i:02}" for i in range(5, 13))]  # deck order, t02..t04 skipped
    assert all(store.related_card(i.question.subject_id) == i.card_id for i in items)
    assert custom.quiz_items(store, TODAY, seed="s", deck_id=ring) == items  # deterministic
    assert len(custom.quiz_items(store, TODAY, seed="s", deck_id=ring, length=20)) == 11  # all there are
    # due related cards first
    due = cid(store, "t09", "related")
    answering.answer(store, due, 5, at(29))
    assert custom.quiz_items(store, TODAY, seed="s", deck_id=ring)[0].card_id == due


def test_quiz_items_on_a_term_are_it_and_its_neighbours(store):
    alpha = store.db.execute("SELECT id FROM terms WHERE term = 'alpha'").fetchone()[0]
    items = custom.quiz_items(store, TODAY, seed="s", term_id=alpha)
    assert items[0].subject == "alpha" and {i.subject for i in items[1:]} == {"beta", "zeta"}
