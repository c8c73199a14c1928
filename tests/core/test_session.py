"""A review session: re-drill until 4, limits, undo several steps back, the 4 AM rollover between sessions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from mlcards import answering
from mlcards.models import Deck
from mlcards.records import CardKind
from mlcards.session import ReviewSession
from tests.conftest import small_deck, utc
from tests.core._support import all_cards, all_reviews, card_id, card_row, session_at

T0 = utc(2025, 5, 1, 12)


def drain(session: ReviewSession, grades) -> list[tuple[int, bool]]:
    """Answer cards with ``grades`` in turn; returns (card id, shown as re-drill) per answer."""
    seen = []
    for g in grades:
        shown = session.next()
        assert shown is not None, f"ran out of cards after {len(seen)} answers"
        seen.append((shown.card.id, shown.redrill))
        session.answer(g)
    return seen


def test_session_walks_the_queue_and_commits_each_answer(tiny):
    s = session_at(tiny, T0)
    assert s.today == date(2025, 5, 1)
    assert s.remaining == s.total_cards == 6
    shown = s.next()
    assert shown.card.term == "alpha" and shown.card.kind is CardKind.RECALL and not shown.redrill
    assert s.remaining == 6
    res = s.answer(5)
    assert res.kind == "new"
    assert tiny.card(shown.card.id).state.due == date(2025, 5, 2)
    assert s.remaining == 5 and s.answered == 1
    with pytest.raises(RuntimeError):
        s.answer(4)  # no card showing until next()


def test_redrill_until_graded_4_or_5_without_moving_the_schedule(tiny):
    s = session_at(tiny, T0, limit=2)
    a = s.next().card.id
    s.answer(2)
    after_first = card_row(tiny, a)
    b = s.next().card.id
    s.answer(5)
    # a comes back at the end as a re-drill
    again = s.next()
    assert (again.card.id, again.redrill) == (a, True)
    r = s.answer(3)
    assert r.kind == "redrill"
    again = s.next()
    assert (again.card.id, again.redrill) == (a, True)
    r = s.answer(4)
    assert r.kind == "redrill"
    assert s.next() is None
    assert card_row(tiny, a) == after_first  # re-drills moved nothing
    assert [l.grade for l in tiny.reviews_of_card(a)] == [2, 3, 4]
    assert [l.kind for l in tiny.reviews_of_card(b)] == ["new"]
    t = s.totals()
    assert (t.cards, t.answers, t.correct, t.redrills) == (2, 4, 3, 2)
    assert t.by_grade == {2: 1, 5: 1, 3: 1, 4: 1}


def test_redrill_survives_into_a_later_session_the_same_day(tiny):
    s1 = session_at(tiny, T0, limit=1)
    a = s1.next().card.id
    s1.answer(1)
    # the user quits before the re-drill; a later session the same day shows the remaining new
    # cards first and the pending re-drill at the end
    s2 = session_at(tiny, T0 + timedelta(hours=5))
    assert list(s2.redrill) == [a]
    assert a not in s2.main
    s3 = session_at(tiny, T0 + timedelta(hours=5), limit=0)
    assert s3.total_cards == 0
    # graded 4 in the re-drill: no longer pending
    s4 = session_at(tiny, T0 + timedelta(hours=6), new_limit=0)
    shown = s4.next()
    assert shown.card.id == a and shown.redrill
    s4.answer(4)
    assert list(session_at(tiny, T0 + timedelta(hours=7)).redrill) == []


def test_session_limit_caps_distinct_cards(tiny):
    s = session_at(tiny, T0, limit=3)
    assert s.total_cards == 3
    drain(s, [1, 5, 5, 5])  # the 4th answer is the re-drill of the first card
    assert s.next() is None
    assert s.totals().cards == 3


def test_session_new_and_review_limits(tiny):
    for i, term in enumerate(("alpha", "beta", "gamma")):
        answering.answer(tiny, card_id(tiny, term, "recall"), 4, T0 - timedelta(days=2 + i))
    s = session_at(tiny, T0, new_limit=1, review_limit=2)
    kinds = [tiny.card(c).is_new for c in s.main]
    assert kinds == [False, False, True]
    s = session_at(tiny, T0, new_limit=0, review_limit=0)
    assert s.total_cards == 0
    assert tiny.setting("new_per_day") == 20  # the session's limits do not change the settings


def test_related_card_is_a_multiple_choice_question(tiny):
    for term in ("alpha", "beta"):
        tiny.set_suspended(card_id(tiny, term, "recall"), True)
        tiny.set_suspended(card_id(tiny, term, "reverse"), True)
    s = session_at(tiny, T0, limit=1)
    shown = s.next()
    assert shown.card.kind is CardKind.RELATED and shown.card.term == "alpha"
    q = shown.question
    assert q is not None and 2 <= len(q.choices) <= 4
    assert len(set(q.choices)) == len(q.choices)
    # the same card gives the same question in another session (seeded by card and review count)
    again = session_at(tiny, T0, limit=1).next()
    assert again.question == q


def test_related_card_skipped_when_a_reimport_removed_its_links(tiny):
    rel = card_id(tiny, "zeta", "related")
    for kind in ("recall", "reverse"):
        tiny.set_suspended(card_id(tiny, "zeta", kind), True)
    data = small_deck().model_dump()
    for t in data["terms"]:
        t["related"] = [r for r in t["related"] if r != "zeta"]
    tiny.apply_deck(Deck.model_validate(data))
    assert tiny.card(rel).kind is CardKind.RELATED  # the card and its history are kept
    s = session_at(tiny, T0)
    shown_ids = []
    while (shown := s.next()) is not None:
        shown_ids.append(shown.card.id)
        s.answer(5)
    assert rel not in shown_ids


def test_card_leeched_mid_session_is_not_redrilled(tiny):
    tiny.set_setting("leech_threshold", 1)
    a = card_id(tiny, "alpha", "recall")
    answering.answer(tiny, a, 5, T0 - timedelta(days=1))
    s = session_at(tiny, T0, limit=1)
    assert s.next().card.id == a
    res = s.answer(0)
    assert res.leeched
    assert s.next() is None  # suspended: the re-drill is dropped


# --- undo -----------------------------------------------------------------------------------------


def test_undo_several_steps_restores_everything(tiny):
    answering.answer(tiny, card_id(tiny, "zeta", "recall"), 5, T0 - timedelta(days=1))  # one due card
    cards0, reviews0 = all_cards(tiny), all_reviews(tiny)
    s = session_at(tiny, T0)
    main0 = list(s.main)
    answered = drain(s, [2, 5, 1])
    assert list(s.redrill) == [answered[0][0], answered[2][0]]
    for expected in reversed(answered):
        back = s.undo()
        assert back.card.id == expected[0]
    assert s.undo() is None  # nothing left to undo
    assert all_cards(tiny) == cards0
    assert all_reviews(tiny) == reviews0
    assert list(s.redrill) == []
    # the first card is showing again and the rest of the queue is intact, in order
    assert s.current.card.id == main0[0]
    assert [s.current.card.id, *s.main] == main0
    s.answer(5)
    rest = []
    while (shown := s.next()) is not None:
        rest.append(shown.card.id)
        s.answer(5)
    assert rest == main0[1:]


def test_undo_then_answer_differently(tiny):
    s = session_at(tiny, T0, limit=2)
    a = s.next().card.id
    s.answer(1)
    s.undo()
    assert list(s.redrill) == []
    r = s.answer(5)
    assert r.kind == "new" and r.after.interval == 1 and r.after.easiness_centi == 260
    b = s.next().card.id
    s.answer(5)
    assert s.next() is None
    assert {a, b} == {c for c, in tiny.db.execute("SELECT DISTINCT card_id FROM reviews")}


def test_undo_across_a_redrill_puts_the_card_back_once(tiny):
    s = session_at(tiny, T0, limit=1)
    a = s.next().card.id
    before = card_row(tiny, a)
    s.answer(2)  # -> re-drill queue
    shown = s.next()
    assert shown.card.id == a and shown.redrill
    s.answer(4)  # re-drill passed
    assert s.next() is None
    s.undo()  # takes back the 4: the re-drill shows again
    assert s.current.card.id == a and s.current.redrill
    assert list(s.redrill) == []
    s.undo()  # takes back the 2: back to a fresh card, no re-drill pending
    assert s.current.card.id == a and not s.current.redrill
    assert list(s.redrill) == [] and list(s.main) == []
    assert card_row(tiny, a) == before and tiny.count("reviews") == 0
    s.answer(5)
    assert s.next() is None


def test_undo_while_a_redrill_card_is_showing(tiny):
    s = session_at(tiny, T0, limit=1)
    a = s.next().card.id
    s.answer(1)
    assert s.next().card.id == a  # the re-drill is on screen, not yet answered
    s.undo()  # take back the 1
    assert s.current.card.id == a and not s.current.redrill
    assert list(s.redrill) == [] and list(s.main) == []
    assert tiny.card(a).is_new
    s.answer(4)
    assert s.next() is None


def test_undo_with_a_card_on_screen_puts_it_back_first(tiny):
    s = session_at(tiny, T0, limit=3)
    ids = list(s.main)
    s.next()
    s.answer(5)
    assert s.next().card.id == ids[1]  # showing, not answered
    back = s.undo()
    assert back.card.id == ids[0]
    assert [s.current.card.id, *s.main] == ids


# --- the study day between sessions ---------------------------------------------------------------


def test_day_rolls_over_at_4_am_between_sessions(tiny):
    tiny.set_setting("timezone", "Europe/Berlin")
    tiny.set_setting("new_per_day", 2)
    with freeze_time("2025-05-01 21:00:00"):  # 23:00 in Berlin
        s = ReviewSession(tiny)
        assert s.today == date(2025, 5, 1)
        first = drain(s, [5, 2])
        assert s.next().redrill  # the 2 comes back; the user quits here
    with freeze_time("2025-05-02 01:30:00"):  # 03:30 Berlin: still 1 May
        s = ReviewSession(tiny)
        assert s.today == date(2025, 5, 1)
        assert list(s.main) == []  # new-card limit used up, nothing due
        assert list(s.redrill) == [first[1][0]]
        shown = s.next()
        s.answer(4)
        assert tiny.reviews_of_card(shown.card.id)[-1].kind == "redrill"
    with freeze_time("2025-05-02 02:00:00"):  # 04:00 Berlin: 2 May
        s = ReviewSession(tiny)
        assert s.today == date(2025, 5, 2)
        due = [c for c in s.main if not tiny.card(c).is_new]
        new = [c for c in s.main if tiny.card(c).is_new]
        assert due == [first[0][0], first[1][0]]
        assert len(new) == 2
        assert list(s.redrill) == []


# --- one undo stack: answers, suspends, buries and edits, in order -------------------------------


def test_undo_takes_back_suspend_bury_edit_and_answers_in_order(tiny):
    s = session_at(tiny, T0)
    main0 = list(s.main)
    a = s.next()
    s.answer(5)
    b = s.next()
    assert s.suspend().id == b.card.id and tiny.card(b.card.id).suspended
    c = s.next()
    s.bury()
    assert tiny.card(c.card.id).buried_until == date(2025, 5, 2)
    d = s.next()
    old_term = tiny.term_model(d.card.term_id)
    tiny.update_term(d.card.term_id, old_term.model_copy(update={"definition": "Rewritten."}))
    assert s.edited(old_term).card.definition == "Rewritten."
    s.answer(2)  # the edited card, now queued for a re-drill
    assert list(s.redrill) == [d.card.id]

    kinds = []
    while (done := s.undo_action()) is not None:
        kinds.append((done.kind, done.shown.card.id))
        assert s.current is done.shown
        if done.kind == "answer" and done.shown.card.id == d.card.id:
            assert list(s.redrill) == []
            assert tiny.card(d.card.id).definition == "Rewritten."  # the edit is still there
        if done.kind == "edit":
            assert tiny.card(d.card.id).definition == old_term.definition
            assert done.shown.card.definition == old_term.definition
        if done.kind == "bury":
            assert tiny.card(c.card.id).buried_until is None
        if done.kind == "suspend":
            assert not tiny.card(b.card.id).suspended
    assert kinds == [("answer", d.card.id), ("edit", d.card.id), ("bury", c.card.id),
                     ("suspend", b.card.id), ("answer", a.card.id)]
    assert all_reviews(tiny) == []
    # every card is back in the queue, in its place, once
    assert [s.current.card.id, *s.main] == main0 and list(s.redrill) == []


def test_undoing_a_bury_restores_the_buried_until_it_replaced(tiny):
    cid = card_id(tiny, "alpha", "recall")
    s = session_at(tiny, T0, cards=[cid])
    tiny.set_buried_until(cid, date(2025, 4, 1))  # an old bury, long past
    s.next()
    s.bury()
    assert tiny.card(cid).buried_until == date(2025, 5, 2)
    s.undo()
    assert tiny.card(cid).buried_until == date(2025, 4, 1)


# --- what an answer would do; the day-one note ------------------------------------------------------


def test_preview_gives_each_grades_interval_and_none_once_answered_today_or_in_practice(tiny):
    zeta = card_id(tiny, "zeta", "recall")
    answering.answer(tiny, zeta, 5, T0 - timedelta(days=1))  # one repetition, due today
    s = session_at(tiny, T0)
    assert s.preview(zeta) == {0: 1, 1: 1, 2: 1, 3: 6, 4: 6, 5: 6}
    assert s.next().card.id == zeta
    s.answer(2)  # answered today: a re-drill would keep the schedule
    assert s.preview(zeta) is None
    alpha = card_id(tiny, "alpha", "recall")
    assert s.preview(alpha) == dict.fromkeys(range(6), 1)  # new
    assert session_at(tiny, T0, practice="custom", cards=[alpha]).preview(alpha) is None


def test_four_buttons_map_to_grades_and_back():
    from mlcards.session import FOUR_BUTTONS, four_button_for, short_interval

    assert FOUR_BUTTONS == {1: 1, 2: 3, 3: 4, 4: 5}
    assert [four_button_for(g) for g in range(6)] == [1, 1, 1, 2, 3, 4]
    assert all(four_button_for(grade) == button for button, grade in FOUR_BUTTONS.items())
    assert [short_interval(d) for d in (1, 29, 45, 400)] == ["1d", "29d", "1.5mo", "1.1y"]


def test_held_back_siblings_only_on_a_decks_first_day(tiny):
    s = session_at(tiny, T0)
    assert not s.held_back_siblings()  # nothing answered yet
    drain(s, [5] * 6)
    assert {tiny.card(c).kind for c in [st.shown.card.id for st in s.history]} == {CardKind.RECALL}
    assert s.held_back_siblings()  # reverse and related cards of these new terms wait for tomorrow
    later = session_at(tiny, T0 + timedelta(days=1))  # day two: the deck was studied before
    drain(later, [5] * 2)
    assert not later.held_back_siblings()
