"""FSRS-6 beside SM-2 (issue 12): the scheduler, its state in the cache and the log, the switch and back."""

from __future__ import annotations

import random
from datetime import date, timedelta

import fsrs_rs_python as fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcards import answering, schedulers
from mlcards.schedulers.fold import replay
from mlcards.schedulers.fsrs import DEFAULT_PARAMETERS, FSRSScheduler, FSRSState, fuzz_range, rating
from mlcards.schedulers.sm2 import SM2State
from mlcards.store import Store
from tests.conftest import small_deck, utc
from tests.core._support import all_cards, card_id

T0 = utc(2026, 3, 2, 12)
DAY = date(2026, 3, 2)


def _store() -> Store:
    s = Store.memory()
    s.apply_deck(small_deck())
    s.set_setting("timezone", "UTC")
    return s


def _history(s: Store, seed: int = 3, days: int = 60, undo: bool = True) -> None:
    """Two months of answers on every card of the deck, with same-day re-drills and an undo."""
    rng = random.Random(seed)
    cards = s.card_ids()
    now = T0
    done: list[int] = []
    for _ in range(days):
        now += timedelta(days=1)
        for cid in rng.sample(cards, 5):
            grade = rng.choice([1, 3, 4, 4, 4, 5])
            done.append(answering.answer(s, cid, grade, now).review_id)
            if grade < 4:
                answering.answer(s, cid, 4, now + timedelta(minutes=5))
    if undo:
        answering.undo(s, done[len(done) // 2], now)


def test_grades_map_onto_the_four_ratings() -> None:
    assert [rating(g) for g in range(6)] == [1, 1, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        rating(6)


def test_a_new_card_follows_fsrs6_defaults() -> None:
    sched = FSRSScheduler()
    after = sched.review(sched.initial(), 4, DAY)
    first = fsrs.FSRS(list(DEFAULT_PARAMETERS)).next_states(None, 0.9, 0).good
    assert after.stability == pytest.approx(first.memory.stability)
    assert after.difficulty == pytest.approx(first.memory.difficulty)
    assert after.interval == round(first.interval) and after.due == DAY + timedelta(days=after.interval)
    assert after.repetitions == 1
    again = sched.review(after, 0, after.due)
    assert again.repetitions == 0 and sched.is_lapse(after, 2) and not sched.is_lapse(after, 3)
    assert sched.preview(after, after.due)[5] > sched.preview(after, after.due)[3] >= 1


def test_elapsed_time_is_counted_in_study_days_not_instants() -> None:
    """An answer at 23:00 and one next morning are one study day apart (the state holds no instant)."""
    s = _store()
    cid = card_id(s, "alpha", "recall")
    answering.switch_scheduler(s, s.require_deck("Tiny"), "fsrs")
    answering.answer(s, cid, 4, utc(2026, 3, 2, 23))
    first = s.card_schedule(cid).schedule.state
    answering.answer(s, cid, 4, utc(2026, 3, 3, 8))  # 9 hours later, the next study day (rollover 04:00)
    second = s.card_schedule(cid).schedule.state
    model = fsrs.FSRS(list(DEFAULT_PARAMETERS))
    assert isinstance(first, FSRSState) and isinstance(second, FSRSState)
    expected = model.next_states(fsrs.MemoryState(first.stability, first.difficulty), 0.9, 1).good
    assert second.stability == pytest.approx(expected.memory.stability)


def test_redrills_keep_the_schedule_and_feed_the_short_term_memory() -> None:
    s = _store()
    cid = card_id(s, "beta", "recall")
    answering.switch_scheduler(s, s.require_deck("Tiny"), "fsrs")
    answering.answer(s, cid, 1, T0)
    before = s.card_schedule(cid).schedule
    redrill = answering.answer(s, cid, 4, T0 + timedelta(minutes=3))
    after = s.card_schedule(cid).schedule
    assert str(redrill.kind) == "redrill"
    assert (after.state.interval, after.state.due, after.state.repetitions, after.lapses) == (
        before.state.interval, before.state.due, before.state.repetitions, before.lapses)
    assert isinstance(before.state, FSRSState) and isinstance(after.state, FSRSState)
    memory = fsrs.MemoryState(before.state.stability, before.state.difficulty)
    same_day = fsrs.FSRS(list(DEFAULT_PARAMETERS)).next_states(memory, 0.9, 0).good.memory
    assert after.state.stability == pytest.approx(same_day.stability) != before.state.stability
    # the next day counts from the day of the scheduled answer, and fsrs-rs agrees on the whole history
    answering.answer(s, cid, 4, T0 + timedelta(days=2))
    final = s.card_schedule(cid).schedule.state
    item = fsrs.FSRSItem([fsrs.FSRSReview(1, 0), fsrs.FSRSReview(3, 0), fsrs.FSRSReview(3, 2)])
    expected = fsrs.FSRS(list(DEFAULT_PARAMETERS)).memory_state(item)
    assert isinstance(final, FSRSState) and final.stability == pytest.approx(expected.stability, rel=1e-4)


def test_fsrs_answers_write_the_memory_state_to_the_cache_and_the_log() -> None:
    s = _store()
    answering.switch_scheduler(s, s.require_deck("Tiny"), "fsrs")
    _history(s, undo=False)  # (a row records the state when it was answered; an undo refolds the card)
    rows = s.db.execute(
        "SELECT c.stability, c.difficulty, r.stability_after, r.difficulty_after FROM cards c "
        "JOIN reviews r ON r.card_id = c.id AND r.id = (SELECT MAX(id) FROM reviews WHERE card_id = c.id)"
    ).fetchall()
    assert rows and all(r[0] is not None and r[0] == r[2] and r[1] == r[3] for r in rows)
    answering.undo(s, s.db.execute("SELECT MAX(id) FROM reviews").fetchone()[0], T0 + timedelta(days=90))
    for cid in s.card_ids():  # the cache is the fold, FSRS included
        cached = s.card_schedule(cid)
        folded = replay(schedulers.for_deck("fsrs", s.deck_settings(s.require_deck("Tiny")), cid),
                        s.log_entries(cid), s.snapshot(cid))
        assert cached.schedule == folded, cid


def test_switching_to_fsrs_and_back_restores_sm2_exactly() -> None:
    s = _store()
    _history(s)
    deck = s.require_deck("Tiny")
    log_before = s.db.execute("SELECT * FROM review_log ORDER BY id").fetchall()
    sm2_rows = all_cards(s)
    assert all(r["stability"] is None for r in sm2_rows)
    assert answering.switch_scheduler(s, deck, "fsrs") == len(s.card_ids(deck))
    fsrs_rows = all_cards(s)
    studied = [r for r in fsrs_rows if r["due"] is not None]
    assert studied and all(r["stability"] > 0 and 1 <= r["difficulty"] <= 10 for r in studied)
    assert fsrs_rows != sm2_rows
    answering.switch_scheduler(s, deck, "sm2")
    assert all_cards(s) == sm2_rows  # every column but the modification stamp
    assert s.db.execute("SELECT * FROM review_log ORDER BY id").fetchall() == log_before


def test_a_card_with_a_snapshot_starts_fsrs_from_its_sm2_ease_and_interval() -> None:
    s = _store()
    cid = card_id(s, "gamma", "recall")
    s.db.execute("UPDATE cards SET repetitions = 4, easiness_centi = 230, interval = 20, due = '2026-03-10' "
                 "WHERE id = ?", [cid])
    s.db.execute("INSERT INTO card_snapshots (card_id, repetitions, easiness_centi, interval, due, lapses, leech, "
                 "after_review_id, taken_at) VALUES (?, 4, 230, 20, '2026-03-10', 1, 0, 0, '2026-02-18T00:00:00Z')",
                 [cid])
    answering.switch_scheduler(s, s.require_deck("Tiny"), "fsrs")
    state = s.card_schedule(cid).schedule.state
    expected = fsrs.FSRS(list(DEFAULT_PARAMETERS)).memory_state_from_sm2(2.3, 20.0, 0.9)
    assert isinstance(state, FSRSState)
    assert (state.interval, state.due, state.repetitions) == (20, date(2026, 3, 10), 4)
    assert state.stability == pytest.approx(expected.stability)
    assert state.difficulty == pytest.approx(expected.difficulty)
    answering.answer(s, cid, 4, utc(2026, 3, 10, 12))  # 20 days after the snapshot's last review
    after = s.card_schedule(cid).schedule.state
    good = fsrs.FSRS(list(DEFAULT_PARAMETERS)).next_states(expected, 0.9, 20).good
    assert isinstance(after, FSRSState) and after.stability == pytest.approx(good.memory.stability)
    answering.switch_scheduler(s, s.require_deck("Tiny"), "sm2")
    assert s.card_schedule(cid).schedule.state == SM2State(5, 230, 46, date(2026, 3, 10) + timedelta(days=46))


def test_desired_retention_and_maximum_interval_come_from_the_deck() -> None:
    s = _store()
    deck = s.require_deck("Tiny")
    cid = card_id(s, "delta", "recall")
    s.set_deck_setting(deck, "desired_retention", 0.80)
    s.set_deck_setting(deck, "maximum_interval", 5)
    answering.switch_scheduler(s, deck, "fsrs")
    answering.answer(s, cid, 5, T0)
    state = s.card_schedule(cid).schedule.state
    assert state.interval == 5  # Easy at 80% is far beyond 5 days: capped
    loose = FSRSScheduler(desired_retention=0.80).review(FSRSState(), 4, DAY)
    strict = FSRSScheduler(desired_retention=0.95).review(FSRSState(), 4, DAY)
    assert loose.interval > strict.interval


def test_fuzz_is_off_by_default_in_anki_ranges_and_the_same_on_replay() -> None:
    state = FSRSScheduler().review(FSRSState(), 5, DAY)  # about 8 days
    plain = FSRSScheduler().review(state, 4, state.due)
    low, high = fuzz_range(plain.interval, state.interval, 36500)
    assert low < plain.interval < high
    landed = set()
    for seed in range(60):
        fuzzed = FSRSScheduler(fuzz=True, fuzz_seed=seed).review(state, 4, state.due)
        again = FSRSScheduler(fuzz=True, fuzz_seed=seed).review(state, 4, state.due)
        assert fuzzed == again and low <= fuzzed.interval <= high
        landed.add(fuzzed.interval)
    assert len(landed) > 2  # cards answered together spread out
    assert FSRSScheduler().review(state, 4, state.due) == plain


def test_fsrs_is_a_known_scheduler() -> None:
    assert "fsrs" in schedulers.NAMES and schedulers.get("fsrs").name == "fsrs"


def test_parameters_that_fsrs_refuses_are_one_clear_error(tmp_path) -> None:
    from mlcards.errors import StoreError

    s = _store()
    deck = s.require_deck("Tiny")
    s.set_deck_setting(deck, "fsrs_parameters", [1.0, 2.0, 3.0])
    with pytest.raises(StoreError, match="fsrs_parameters must be the 21 numbers mlcards optimize fits"):
        answering.switch_scheduler(s, deck, "fsrs")
    assert s.deck_scheduler(deck) == "sm2"  # nothing changed


def test_a_retention_change_on_an_fsrs_deck_refolds_it_and_leaves_sm2_decks_alone() -> None:
    s = _store()
    _history(s)
    deck = s.require_deck("Tiny")
    sm2_rows = all_cards(s)
    answering.set_deck_setting(s, deck, "desired_retention", 0.80)
    assert all_cards(s) == sm2_rows  # SM-2 reads none of FSRS's settings
    answering.switch_scheduler(s, deck, "fsrs")
    at_80 = {r["id"]: r["interval"] for r in all_cards(s)}
    assert answering.set_deck_setting(s, deck, "desired_retention", "0.95") == 0.95
    settings = s.deck_settings(deck)
    for cid in s.card_ids(deck):  # the cache is the fold under the new retention
        folded = replay(schedulers.for_deck("fsrs", settings, cid), s.log_entries(cid), s.snapshot(cid))
        assert s.card_schedule(cid).schedule == folded
    at_95 = {r["id"]: r["interval"] for r in all_cards(s)}
    studied = [cid for cid, ivl in at_80.items() if ivl > 1]
    assert studied and all(at_95[c] <= at_80[c] for c in studied) and any(at_95[c] < at_80[c] for c in studied)
    before = all_cards(s)
    answering.set_deck_setting(s, deck, "new_per_day", 5)  # not an FSRS setting: no refold
    assert all_cards(s) == before


ACTIONS = st.lists(
    st.tuples(st.sampled_from(["answer", "answer", "answer", "undo"]), st.integers(0, 5), st.integers(0, 17),
              st.integers(0, 3)),
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(ACTIONS, st.booleans())
def test_on_fsrs_the_cache_equals_the_fold_of_the_log(actions, fuzz) -> None:
    s = _store()
    deck = s.require_deck("Tiny")
    s.set_deck_setting(deck, "fuzz", fuzz)
    answering.switch_scheduler(s, deck, "fsrs")
    cards = s.card_ids()
    now, answers = T0, []
    for action, n, which, gap in actions:
        now += timedelta(days=gap, minutes=1)
        if action == "answer":
            answers.append(answering.answer(s, cards[which % len(cards)], n, now).review_id)
        elif answers:
            answering.undo(s, answers.pop(n % len(answers)), now)
        deck_settings = s.deck_settings(deck)
        for cid in cards:
            folded = replay(schedulers.for_deck("fsrs", deck_settings, cid), s.log_entries(cid), s.snapshot(cid))
            assert s.card_schedule(cid).schedule == folded, cid
    assert answering.rebuild(s) == 0  # doctor --rebuild changes nothing
