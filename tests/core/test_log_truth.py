"""The log is the truth (issue 9, section 1): stable ids, tombstones, the cache equals the fold.

A card's cached schedule must always equal the fold of its live log through its deck's scheduler,
whatever mix of answers, re-drills, undos, suspends, buries and edits came before; `doctor
--rebuild` recomputes every card and changes no figure.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlcards import answering, schedulers
from mlcards.database import open_database
from mlcards.models import Deck, Term
from mlcards.schedulers.fold import replay
from mlcards.store import Store
from tests.conftest import run_cli, small_deck, utc
from tests.core._support import card_id

T0 = utc(2026, 2, 2, 12)

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["answer", "answer", "answer", "undo", "suspend", "bury", "edit"]),
        st.integers(0, 5),  # grade, or which answer to undo
        st.integers(0, 17),  # which card
        st.integers(0, 3),  # days to move on (0: the same study day, a re-drill)
    ),
    max_size=40,
)


def assert_cache_is_the_fold(store: Store) -> None:
    for cid in store.card_ids():
        cached = store.card_schedule(cid)
        folded = replay(schedulers.get(cached.scheduler), store.log_entries(cid), store.snapshot(cid))
        assert cached.schedule == folded, cid


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ACTIONS)
def test_the_cache_equals_the_fold_of_the_log(actions):
    store = Store.memory()
    store.apply_deck(small_deck())
    store.set_setting("timezone", "UTC")
    store.set_setting("leech_threshold", 2)  # leeches happen in short histories too
    cards = store.card_ids()
    now, answers = T0, []
    for action, n, which, gap in actions:
        now += timedelta(days=gap, minutes=1)
        cid = cards[which % len(cards)]
        if action == "answer":
            answers.append(answering.answer(store, cid, n, now).review_id)
        elif action == "undo" and answers:
            answering.undo(store, answers.pop(n % len(answers)), now)
        elif action == "suspend":
            store.set_suspended(cid, not store.card(cid).suspended)
        elif action == "bury":
            store.bury(cid, store.today(now))
        elif action == "edit":
            info = store.card(cid)
            term = store.term_model(info.term_id)
            store.update_term(info.term_id, Term(**{**term.model_dump(), "definition": term.definition + " (edited)"}),
                              now=now)
        assert_cache_is_the_fold(store)
    live = store.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    logged = store.db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]
    assert live == len(answers) and logged >= live  # undone rows stay in the log


def _months_of_history(path) -> None:
    """About three months of daily study, with re-drills, lapses and undos."""
    rng = random.Random(7)
    names = [f"term {i:02d}" for i in range(40)]
    deck = Deck(name="Months", description="Forty linked terms.", terms=[
        dict(term=n, definition=f"Definition number {i} of this test deck.",
             related=[names[(i + 1) % 40], names[(i + 7) % 40]], tags=["test"])
        for i, n in enumerate(names)
    ])
    with Store.open(path) as s:
        s.apply_deck(deck)
        s.set_setting("timezone", "UTC")
        from mlcards.session import ReviewSession

        start = utc(2026, 8, 1, 9)
        for day in range(90):
            moment = start + timedelta(days=day)
            session = ReviewSession(s, clock=lambda m=moment: m, limit=25)
            for _ in range(40):
                shown = session.next()
                if shown is None:
                    break
                session.answer(rng.choice([1, 3, 4, 4, 5, 5]))
                if rng.random() < 0.03:
                    assert session.undo() is not None  # the card is back on screen
                    session.answer(4)


def test_doctor_rebuild_changes_no_figure_on_months_of_history(tmp_path):
    path = tmp_path / "months.db"
    _months_of_history(path)
    before = [run_cli(*args, db=path).stdout for args in (["decks", "--json"], ["stats", "--json"],
                                                          ["stats", "--json", "--range", "all"])]
    with open_database(path) as s:
        assert s.count("reviews") > 1000
        assert s.db.execute("SELECT COUNT(*) FROM review_log WHERE undone_at IS NOT NULL").fetchone()[0] > 0
    rebuilt = run_cli("doctor", "--rebuild", db=path)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "0 cards differed" in rebuilt.stdout
    after = [run_cli(*args, db=path).stdout for args in (["decks", "--json"], ["stats", "--json"],
                                                         ["stats", "--json", "--range", "all"])]
    assert after == before and all(before)


def test_doctor_rebuild_repairs_a_damaged_cache(tmp_path):
    path = tmp_path / "d.db"
    with Store.open(path) as s:
        s.apply_deck(small_deck())
        s.set_setting("timezone", "UTC")
        cid = card_id(s, "alpha", "recall")
        answering.answer(s, cid, 4, T0)
        answering.answer(s, cid, 4, T0 + timedelta(days=1))
        good = s.card(cid).state
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cards SET interval = 999, due = '2030-01-01' WHERE id = ?", [cid])
    conn.commit()
    conn.close()
    result = run_cli("doctor", "--rebuild", db=path)
    assert result.returncode == 0 and "1 card differed" in result.stdout
    with open_database(path) as s:
        assert s.card(cid).state == good


def test_ids_are_stable_across_installs_and_renames(tmp_path):
    a, b = open_database(tmp_path / "laptop.db"), open_database(tmp_path / "desktop.db")
    try:
        ids = "SELECT c.uuid, t.uuid, d.uuid FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id"
        assert sorted(a.db.execute(ids).fetchall()) == sorted(b.db.execute(ids).fetchall())
        assert a.db.execute("SELECT COUNT(DISTINCT uuid), COUNT(*) FROM cards").fetchone()[0] == a.count("cards")
        term_id = a.db.execute("SELECT id FROM terms WHERE key = 'overfitting'").fetchone()[0]
        before = a.db.execute("SELECT uuid FROM terms WHERE id = ?", [term_id]).fetchone()[0]
        old = a.term_model(term_id)
        a.update_term(term_id, Term(**{**old.model_dump(), "term": "over-fitting to noise"}))
        assert a.db.execute("SELECT uuid FROM terms WHERE id = ?", [term_id]).fetchone()[0] == before
        r1 = answering.answer(a, card_id(a, "epoch", "recall"), 4, T0)
        r2 = answering.answer(a, card_id(a, "epoch", "reverse"), 4, T0)
        u = a.db.execute("SELECT uuid FROM review_log WHERE id IN (?, ?)", [r1.review_id, r2.review_id]).fetchall()
        assert len({x for (x,) in u}) == 2 and all(x for (x,) in u)
    finally:
        a.close()
        b.close()


def test_a_card_whose_cache_the_log_does_not_explain_gets_a_snapshot(tmp_path):
    """Migrating 0005 -> 0006: a schedule with no history (as Anki imports with progress arrive) is kept."""
    from sqlite_utils import Database

    from mlcards.store.schema import migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn)
    migrations.apply(db, stop_before="0006_log_is_the_truth")
    db.execute("INSERT INTO decks (id, name, created_at) VALUES (1, 'Tiny', 'x')")
    db.execute("INSERT INTO terms (id, deck_id, key, term, definition, created_at, updated_at) "
               "VALUES (1, 1, 'alpha', 'alpha', 'First.', 'x', 'x')")
    db.execute("INSERT INTO cards (id, term_id, kind, repetitions, easiness_centi, interval, due, created_at) "
               "VALUES (1, 1, 'recall', 4, 230, 40, '2026-03-01', 'x')")  # a schedule with no log
    db.execute("INSERT INTO cards (id, term_id, kind, created_at) VALUES (2, 1, 'reverse', 'x')")  # new, no log
    conn.close()
    with Store.open(path) as s:
        assert s.db.execute("SELECT card_id FROM card_snapshots").fetchall() == [(1,)]
        assert s.card(1).state.interval == 40
        assert_cache_is_the_fold(s)
        answering.answer(s, 1, 4, utc(2026, 3, 1, 12))
        assert s.card(1).state.interval == 92  # ceil(40 x 2.30): the snapshot is where the fold starts
        assert_cache_is_the_fold(s)


def test_the_scheduler_is_a_per_deck_setting(tmp_path):
    path = tmp_path / "s.db"
    with Store.open(path) as s:
        s.apply_deck(small_deck())
        s.apply_deck(small_deck("Other"))
        s.set_setting("timezone", "UTC")
        answering.answer(s, card_id(s, "alpha", "recall", deck="Tiny"), 4, T0)
    shown = run_cli("settings", "--deck", "Tiny", db=path)
    assert shown.returncode == 0 and shown.stdout.splitlines()[:3] == [
        'scheduler = "sm2"', "new_per_day = null", "reviews_per_day = null"]
    limited = run_cli("settings", "--deck", "Tiny", "new_per_day", "5", db=path)
    assert limited.returncode == 0 and limited.stdout.strip() == "new_per_day = 5 for Tiny"
    assert run_cli("settings", "--deck", "Tiny", "new_per_day", db=path).stdout.strip() == "5"
    bad_retention = run_cli("settings", "--deck", "Tiny", "desired_retention", "0.99", db=path)
    assert bad_retention.returncode == 1 and bad_retention.stderr.startswith(
        "error: setting 'desired_retention' must be a number between 0.70 and 0.97")
    switched = run_cli("settings", "--deck", "Tiny", "scheduler", "sm2", db=path)
    assert switched.returncode == 0 and "18 cards rebuilt from the review log" in switched.stdout
    bad = run_cli("settings", "--deck", "Tiny", "scheduler", "leitner", db=path)
    assert bad.returncode == 1 and bad.stderr.strip() == "error: unknown scheduler 'leitner'; known: sm2, fsrs"
    unknown = run_cli("settings", "--deck", "Nope", db=path)
    assert unknown.returncode == 1 and "no deck named 'Nope'" in unknown.stderr
    with open_database(path) as s:
        assert s.count("reviews") == 1 and s.card(card_id(s, "alpha", "recall", deck="Tiny")).state.interval == 1
