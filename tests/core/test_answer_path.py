"""The answer path's cost and its guarantees: one transaction per answer with its log row, nothing
but the card's UPDATE and the log's INSERT written, queued cards read ahead yet always as the database
has them (another process's commit between answers is seen)."""

from __future__ import annotations

from pathlib import Path

from mlcards import answering
from mlcards.store import Store
from tests.conftest import small_deck, utc
from tests.core._support import all_cards, card_id, session_at

T0 = utc(2025, 5, 1, 12)


def _file_store(path: Path) -> Store:
    s = Store.open(path)
    s.apply_deck(small_deck())
    s.set_setting("timezone", "UTC")
    return s


def _writes(statements: list[str]) -> list[str]:
    """The first word of each statement that is not a read (a trigger's program traces its top statement
    again, so repeats are triggers firing, not statements of ours)."""
    return [s.split()[0].upper() for s in statements if not s.lstrip().upper().startswith(("SELECT", "PRAGMA"))]


def test_an_answer_is_one_transaction_with_one_update_and_one_insert(db_path):
    with _file_store(db_path) as s:
        cid = card_id(s, "alpha", "recall")
        traced: list[str] = []
        s.db.conn.set_trace_callback(traced.append)
        answering.answer(s, cid, 4, T0)
        s.db.conn.set_trace_callback(None)
        kinds = list(dict.fromkeys(_writes(traced)))
        assert kinds == ["BEGIN", "UPDATE", "INSERT", "COMMIT"], traced  # no savepoint, no second transaction
        assert not any("SAVEPOINT" in t.upper() for t in traced)
        assert not s.in_transaction
    # another connection sees the answer and its log row together
    with Store.open(db_path) as other:
        assert other.count("reviews") == 1
        assert other.card(cid).state.due is not None


def test_the_update_writes_only_what_the_fold_changed_and_the_cache_stays_the_fold(tiny):
    """A Good on a new card leaves ease and lapses alone; a lapse moves them; a re-drill writes no UPDATE;
    after all of it the cached schedule is exactly the fold of the log (``doctor --rebuild`` changes nothing)."""
    cid = card_id(tiny, "alpha", "recall")
    traced: list[str] = []
    tiny.db.conn.set_trace_callback(traced.append)
    answering.answer(tiny, cid, 4, T0)
    update = next(t for t in traced if t.startswith("UPDATE cards"))
    assert "easiness_centi" not in update and "lapses" not in update and "suspended" not in update
    assert "repetitions" in update and "interval" in update and "due" in update
    traced.clear()
    answering.answer(tiny, cid, 2, T0)  # the same study day: a re-drill, the card stays as it is
    assert not any(t.startswith("UPDATE cards") for t in traced)
    traced.clear()
    answering.answer(tiny, cid, 1, utc(2025, 5, 2, 12))  # a lapse the next day: ease, reps and lapses move
    update = next(t for t in traced if t.startswith("UPDATE cards"))
    assert "easiness_centi" in update and "lapses" in update
    tiny.db.conn.set_trace_callback(None)
    before = all_cards(tiny)
    assert answering.rebuild(tiny) == 0
    assert all_cards(tiny) == before


def test_a_leech_is_still_suspended_when_only_changed_columns_are_written(tiny):
    tiny.set_setting("leech_threshold", 2)
    cid = card_id(tiny, "alpha", "recall")
    day = 1
    answering.answer(tiny, cid, 5, utc(2025, 5, day, 12))
    for grade in (1, 5, 1):
        day += 1
        result = answering.answer(tiny, cid, grade, utc(2025, 5, day, 12))
    assert result.leeched
    card = tiny.card(cid)
    assert card.leech and card.suspended and card.lapses == 2


def test_another_process_editing_a_queued_term_between_answers_is_seen(db_path):
    """The session reads queued cards ahead; a commit by another connection drops what it read."""
    with _file_store(db_path) as s:
        session = session_at(s, T0)
        first = session.next()
        assert first is not None and first.card.term == "alpha"
        queued_next = session.main[0]
        with Store.open(db_path) as other:  # another mlcards, between two answers
            term_id = other.card(queued_next).term_id
            before = other.term_model(term_id)
            other.update_term(term_id, before.model_copy(update={"definition": "Changed elsewhere."}))
        session.answer(4)
        shown = session.next()
        assert shown is not None and shown.card.id == queued_next
        assert shown.card.definition == "Changed elsewhere."


def test_another_process_suspending_a_queued_card_between_answers_is_seen(db_path):
    with _file_store(db_path) as s:
        session = session_at(s, T0)
        assert session.next() is not None
        skipped = session.main[0]
        with Store.open(db_path) as other:
            other.set_suspended(skipped, True)
        session.answer(4)
        shown = session.next()
        assert shown is not None and shown.card.id != skipped


def test_an_answer_logged_elsewhere_shows_in_the_next_card_s_review_count(db_path):
    """A card read ahead whose review count changes in another process shows the new count (the
    multiple-choice style rotates on it)."""
    with _file_store(db_path) as s:
        session = session_at(s, T0)
        assert session.next() is not None
        queued_next = session.main[0]
        with Store.open(db_path) as other:
            answering.answer(other, queued_next, 4, utc(2025, 4, 30, 12))
        session.answer(4)
        shown = session.next()
        assert shown is not None and shown.card.id == queued_next and shown.card.reviews == 1


def test_a_write_on_the_session_s_own_connection_outside_it_is_seen(tiny):
    """Not only other processes: a write on the same connection (another screen of the app) also
    drops the cards read ahead."""
    session = session_at(tiny, T0)
    assert session.next() is not None
    queued_next = session.main[0]
    term_id = tiny.card(queued_next).term_id
    before = tiny.term_model(term_id)
    tiny.update_term(term_id, before.model_copy(update={"definition": "Edited here."}))
    session.answer(4)
    shown = session.next()
    assert shown is not None and shown.card.definition == "Edited here."


def test_re_drilled_cards_show_their_state_after_the_answer(tiny):
    session = session_at(tiny, T0, limit=2)
    a = session.next()
    assert a is not None
    session.answer(2)
    assert session.next() is not None
    session.answer(5)
    again = session.next()
    assert again is not None and again.card.id == a.card.id and again.redrill
    assert again.card.reviews == 1 and again.card.state == tiny.card(a.card.id).state
