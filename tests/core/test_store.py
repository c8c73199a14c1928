"""The SQLite store (issue 2, section 7): migrations, card identity, one transaction per answer, undo."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from mlcards import answering, studyday
from mlcards import store as store_mod
from mlcards.database import open_database
from mlcards.errors import StoreError
from mlcards.models import Deck
from mlcards.schedulers import sm2
from mlcards.schedulers.sm2 import SM2State
from mlcards.store import Store
from mlcards.store import schema as schema_mod
from tests.conftest import small_deck, utc
from tests.core._support import BERLIN, all_cards, all_reviews, at, card_id, card_row

T0 = utc(2025, 5, 1, 12)  # a noon in UTC: study day 2025-05-01


def edited(deck: Deck, **changes) -> Deck:
    data = deck.model_dump()
    for t in data["terms"]:
        if t["term"] in changes:
            t.update(changes[t["term"]])
    return Deck.model_validate(data)


# --- migrations and connection set-up -------------------------------------------------------------


def test_migration_creates_tables_and_records_itself(store):
    assert {"decks", "terms", "links", "cards", "review_log", "card_snapshots", "settings"} <= set(store.db.table_names())
    assert "reviews" in store.db.view_names()  # the live log: rows not undone
    applied = [r["name"] for r in store.db.query("SELECT name FROM _sqlite_migrations WHERE migration_set = 'mlcards'")]
    assert applied == sorted(store_mod.MIGRATION_NAMES)  # every migration, in order
    assert applied[0] == "0001_initial"
    assert schema_mod.migrations.pending(store.db) == []


def test_reopening_a_file_db_does_not_rerun_migrations(db_path):
    with Store.open(db_path) as s:
        s.apply_deck(small_deck())
        before = list(s.db.query("SELECT * FROM _sqlite_migrations"))
    with Store.open(db_path) as s:
        assert list(s.db.query("SELECT * FROM _sqlite_migrations")) == before
        assert s.count("terms") == 6  # data survived: the schema was not recreated


def test_db_with_unknown_newer_migration_is_refused(db_path):
    with Store.open(db_path) as s:
        s.db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('mlcards', '9999_future', 'x')"
        )
        s.db.conn.commit()
    with pytest.raises(StoreError, match="newer mlcards") as info:
        open_database(db_path)
    assert str(db_path) in str(info.value)


def test_file_db_uses_wal_foreign_keys_and_busy_timeout(db_path):
    with Store.open(db_path) as s:
        assert s.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s.db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.IntegrityError):
            s.db.execute("INSERT INTO cards (term_id, kind, created_at) VALUES (999, 'recall', 'x')")
    fresh = sqlite3.connect(db_path)
    try:
        assert fresh.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent in the file
    finally:
        fresh.close()


def test_memory_db_enforces_foreign_keys(store):
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_non_sqlite_file_refused_and_left_alone(tmp_path):
    p = tmp_path / "notes.db"
    p.write_text("just some notes\n")
    with pytest.raises(StoreError, match="not an SQLite database") as info:
        open_database(p)
    assert str(p) in str(info.value)
    assert p.read_text() == "just some notes\n"


def test_folder_refused(tmp_path):
    with pytest.raises(StoreError, match="folder"):
        open_database(tmp_path)


def test_open_creates_parent_folders_and_installs_bundled_once(tmp_path):
    p = tmp_path / "a" / "b" / "cards.db"
    with open_database(p) as s:
        n_terms = s.count("terms")
        assert n_terms >= 150
        assert s.deck_names() == ["ML Glossary"]
    with open_database(p) as s:  # reopening installs nothing again
        assert s.count("terms") == n_terms


def test_open_empty(tmp_path):
    with Store.open(tmp_path / "e.db") as s:
        assert s.deck_names() == [] and s.count("cards") == 0


def test_default_path_honours_env(monkeypatch, tmp_path):
    target = tmp_path / "env" / "mine.db"
    monkeypatch.setenv("MLCARDS_DB", str(target))
    assert store_mod.default_db_path() == target
    with open_database() as s:
        assert s.path == target
    assert target.exists()
    monkeypatch.delenv("MLCARDS_DB")
    default = store_mod.default_db_path()
    assert default.name == "mlcards.db" and default != target
    assert "mlcards" in default.parent.parts[-1] or "mlcards" in str(default.parent)


# --- settings -------------------------------------------------------------------------------------


def test_settings_defaults(store):
    st = store.settings()
    assert st["new_per_day"] == 20
    assert st["reviews_per_day"] == 200
    assert st["rollover_hour"] == 4
    assert st["leech_threshold"] == 8


@pytest.mark.parametrize(
    "key, value",
    [
        ("nope", 1),
        ("new_per_day", "many"),
        ("new_per_day", -1),
        ("new_per_day", True),
        ("new_per_day", 2.5),
        ("reviews_per_day", None),
        ("rollover_hour", 24),
        ("rollover_hour", -1),
        ("leech_threshold", 0),
        ("timezone", "Nowhere/Land"),
    ],
)
def test_settings_validation(store, key, value):
    before = store.settings()
    with pytest.raises(StoreError):
        store.set_setting(key, value)
    assert store.settings() == before
    assert store.db.execute("SELECT COUNT(*) FROM settings").fetchone()[0] == 0


def test_settings_persist_and_text_numbers_are_accepted(db_path):
    with Store.open(db_path) as s:
        s.set_setting("new_per_day", "7")
        s.set_setting("timezone", "Europe/Berlin")
        assert s.setting("new_per_day") == 7
    with Store.open(db_path) as s:
        assert s.setting("new_per_day") == 7
        assert s.setting("timezone") == "Europe/Berlin"
        assert s.tz() == BERLIN


# --- applying decks -------------------------------------------------------------------------------


def test_first_import_report_and_cards(store):
    r = store.apply_deck(small_deck())
    assert r.created
    assert r.added == ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    assert r.updated == r.unchanged == r.missing == []
    assert r.cards_added == 18
    assert store.count("terms") == 6 and store.count("cards") == 18


def test_reimport_add_update_unchanged_missing(tiny):
    base = small_deck()
    data = base.model_dump()
    data["terms"] = [t for t in data["terms"] if t["term"] != "zeta"]
    data["terms"][0]["definition"] = "The first letter of the Greek alphabet."
    data["terms"].append({"term": "eta", "definition": "Seventh letter.", "related": ["zeta", "alpha"]})
    r = tiny.apply_deck(Deck.model_validate(data))
    assert not r.created
    assert r.added == ["eta"]
    assert r.updated == ["alpha"]
    assert r.unchanged == ["beta", "gamma", "delta", "epsilon"]
    assert r.missing == ["zeta"]
    assert r.cards_added == 3
    assert "1 added, 1 updated, 4 unchanged, 1 kept but missing from the file" in r.summary()
    # the missing term is kept, not deleted
    assert tiny.count("terms") == 7
    assert card_id(tiny, "zeta", "recall")


def test_dry_run_writes_nothing(tiny):
    before_cards, before_terms = all_cards(tiny), list(tiny.db.query("SELECT * FROM terms"))
    new = edited(small_deck(), alpha={"definition": "changed"})
    r = tiny.apply_deck(new, dry_run=True)
    assert r.updated == ["alpha"]
    assert all_cards(tiny) == before_cards
    assert list(tiny.db.query("SELECT * FROM terms")) == before_terms
    r2 = tiny.apply_deck(small_deck("Brand new"), dry_run=True)
    assert r2.created and len(r2.added) == 6
    assert tiny.deck_names() == ["Tiny"]


def test_reimport_keeps_schedule_and_history_while_updating_text(tiny):
    ids = [card_id(tiny, t, k) for t in ("alpha", "beta", "gamma") for k in ("recall", "reverse")]
    for day, (cid, grade) in enumerate(zip(ids, [5, 4, 3, 2, 1, 0])):
        answering.answer(tiny, cid, grade, T0 + timedelta(days=day))
    answering.answer(tiny, ids[0], 4, T0 + timedelta(days=1))
    cards_before, reviews_before = all_cards(tiny), all_reviews(tiny)
    assert len(reviews_before) == 7

    data = small_deck().model_dump()
    data["terms"].reverse()  # new order
    for t in data["terms"]:
        t["definition"] = t["definition"].upper()
        t["explanation"] = "New words."
    data["terms"][-1]["term"] = "  ALPHA "  # same identity: case and spacing do not matter
    r = tiny.apply_deck(Deck.model_validate(data))
    assert len(r.updated) == 6 and r.added == [] and r.missing == []
    assert r.cards_added == 0

    assert all_cards(tiny) == cards_before  # every id, schedule, lapse count unchanged
    assert all_reviews(tiny) == reviews_before
    card = tiny.card(ids[0])
    assert card.term == "ALPHA"
    assert card.definition == "FIRST LETTER."
    assert card.explanation == "New words."
    assert card.reviews == 2
    # the new order is the deck order now
    assert [t.term for t in tiny.export_deck("Tiny").terms][0] == "zeta"


def test_card_identity_is_deck_term_kind(store):
    store.apply_deck(small_deck("One"))
    store.apply_deck(small_deck("Two"))
    a1 = card_id(store, "alpha", "recall", deck="One")
    a2 = card_id(store, "alpha", "recall", deck="Two")
    assert a1 != a2
    answering.answer(store, a1, 5, T0)
    assert store.card(a2).is_new
    # the same text under another kind is another card
    assert card_id(store, "alpha", "reverse", deck="One") not in (a1, a2)
    # a deck name differing only in case is the same deck
    r = store.apply_deck(small_deck("one"))
    assert not r.created and r.unchanged and store.deck_names() == ["One", "Two"]


def test_renamed_term_is_a_new_card_and_the_old_one_is_kept(tiny):
    old = card_id(tiny, "alpha", "recall")
    answering.answer(tiny, old, 5, T0)
    data = small_deck().model_dump()
    data["terms"][0]["term"] = "alpha particle"
    for t in data["terms"]:
        t["related"] = ["alpha particle" if x == "alpha" else x for x in t["related"]]
    r = tiny.apply_deck(Deck.model_validate(data))
    assert r.added == ["alpha particle"] and r.missing == ["alpha"]
    assert tiny.card(old).state.repetitions == 1
    assert tiny.card(card_id(tiny, "alpha particle", "recall")).is_new


def test_related_card_only_for_terms_with_neighbours(store):
    d = Deck.model_validate(
        {
            "name": "G",
            "terms": [
                {"term": "a", "definition": "x", "related": ["b"]},
                {"term": "b", "definition": "x"},  # linked from a: undirected, so it has a neighbour
                {"term": "lonely", "definition": "x"},
                {"term": "dangling", "definition": "x", "related": ["not in the deck"]},
            ],
        }
    )
    r = store.apply_deck(d)
    kinds = {
        row["key"]: sorted(row["kinds"].split(","))
        for row in store.db.query(
            "SELECT t.key, group_concat(c.kind) AS kinds FROM terms t JOIN cards c ON c.term_id = t.id GROUP BY t.id"
        )
    }
    assert kinds == {
        "a": ["recall", "related", "reverse"],
        "b": ["recall", "related", "reverse"],
        "lonely": ["recall", "reverse"],
        "dangling": ["recall", "reverse"],
    }
    assert r.cards_added == 10
    # links are stored both ways
    a, b = (store.db.execute("SELECT id FROM terms WHERE key = ?", [k]).fetchone()[0] for k in "ab")
    assert sorted(store.db.execute("SELECT term_id, other_id FROM links").fetchall()) == sorted([(a, b), (b, a)])
    # a later import that links the lonely term gives it a related card
    data = d.model_dump()
    data["terms"][2]["related"] = ["a"]
    r2 = store.apply_deck(Deck.model_validate(data))
    assert r2.cards_added == 1 and r2.updated == ["lonely"]


def test_export_round_trips_the_model(tiny):
    assert tiny.export_deck("Tiny") == small_deck()
    with pytest.raises(StoreError, match="no deck named"):
        tiny.export_deck("Nope")


def test_deck_summaries_counts(tiny):
    a = card_id(tiny, "alpha", "recall")
    b = card_id(tiny, "beta", "recall")
    c = card_id(tiny, "gamma", "recall")
    answering.answer(tiny, a, 5, T0)  # due 05-02
    answering.answer(tiny, b, 5, T0)
    answering.answer(tiny, c, 5, T0)
    tiny.set_suspended(c, True)
    # new / due are today's queue (one card per term): three terms were answered today
    (s,) = tiny.deck_summaries(date(2025, 5, 1))
    assert (s.name, s.terms, s.cards, s.new, s.due, s.unseen, s.suspended) == ("Tiny", 6, 18, 3, 0, 15, 1)
    (s,) = tiny.deck_summaries(date(2025, 5, 2))  # alpha and beta due; gamma's card is suspended
    assert (s.new, s.learning, s.due, s.unseen) == (4, 0, 2, 15)
    assert s.as_json() == {"name": "Tiny", "terms": 6, "cards": 18, "new": 4, "learning": 0, "due": 2,
                           "unseen": 15, "suspended": 1}


# --- answering --------------------------------------------------------------------------------------


def test_answer_updates_card_and_logs_one_row(tiny):
    cid = card_id(tiny, "alpha", "recall")
    res = answering.answer(tiny, cid, 4, T0, duration_ms=1234)
    assert res.kind == "new" and res.study_day == date(2025, 5, 1)
    assert res.after.due == date(2025, 5, 2) and res.after.interval == 1
    row = card_row(tiny, cid)
    assert (row["repetitions"], row["easiness_centi"], row["interval"], row["due"]) == (1, 250, 1, "2025-05-02")
    (log,) = tiny.reviews_of_card(cid)
    assert log.id == res.review_id
    assert log.grade == 4 and log.kind == "new" and log.duration_ms == 1234
    assert studyday.to_utc_text(log.reviewed_at) == "2025-05-01T12:00:00.000Z" and log.utc_offset_min == 0
    assert (log.reps_before, log.reps_after, log.due_before, log.due_after) == (0, 1, None, date(2025, 5, 2))
    assert not tiny.db.conn.in_transaction  # committed before answer() returns


def test_answer_is_visible_to_a_fresh_connection_at_once(db_path):
    """Kill-safety: nothing is left for a later commit; another process sees both writes."""
    s = Store.open(db_path)
    s.apply_deck(small_deck())
    cid = card_id(s, "beta", "reverse")
    res = answering.answer(s, cid, 5, T0)
    fresh = sqlite3.connect(db_path)
    try:
        assert fresh.execute("SELECT repetitions, due FROM cards WHERE id = ?", [cid]).fetchone() == (1, "2025-05-02")
        assert fresh.execute("SELECT id, grade FROM reviews WHERE card_id = ?", [cid]).fetchall() == [(res.review_id, 5)]
    finally:
        fresh.close()
        s.close()


def test_answer_is_all_or_nothing(tiny):
    cid = card_id(tiny, "alpha", "recall")
    before = card_row(tiny, cid)
    tiny.db.execute("CREATE TRIGGER boom BEFORE INSERT ON review_log BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    with pytest.raises(sqlite3.DatabaseError):
        answering.answer(tiny, cid, 5, T0)
    assert card_row(tiny, cid) == before  # the card update was rolled back with the failed log row
    assert tiny.count("reviews") == 0
    assert not tiny.db.conn.in_transaction


@pytest.mark.parametrize("bad", [6, -1, 3.0, True, "4"])
def test_answer_refuses_bad_grades(tiny, bad):
    cid = card_id(tiny, "alpha", "recall")
    with pytest.raises(ValueError):
        answering.answer(tiny, cid, bad, T0)
    assert tiny.count("reviews") == 0


def test_answer_unknown_card(tiny):
    with pytest.raises(StoreError):
        answering.answer(tiny, 99_999, 4, T0)


def test_redrill_on_the_same_study_day_does_not_move_the_schedule(tiny):
    tiny.set_setting("timezone", "Europe/Berlin")
    cid = card_id(tiny, "alpha", "recall")
    first = answering.answer(tiny, cid, 2, at(BERLIN, 2025, 5, 1, 10))
    after_first = card_row(tiny, cid)
    r2 = answering.answer(tiny, cid, 3, at(BERLIN, 2025, 5, 1, 18))
    r3 = answering.answer(tiny, cid, 5, at(BERLIN, 2025, 5, 2, 3, 59))  # still study day 1 May
    assert first.kind == "new"
    assert r2.kind == r3.kind == "redrill"
    assert r2.before == r2.after == r3.after == first.after
    assert card_row(tiny, cid) == after_first
    logs = tiny.reviews_of_card(cid)
    assert [l.kind for l in logs] == ["new", "redrill", "redrill"]
    assert [l.grade for l in logs] == [2, 3, 5]
    # 04:00 is a new study day: SM-2 runs again
    r4 = answering.answer(tiny, cid, 5, at(BERLIN, 2025, 5, 2, 4, 0))
    assert r4.kind == "review" and r4.after.repetitions == 1 and r4.after.due == date(2025, 5, 3)
    assert r4.after.easiness_centi == first.after.easiness_centi + 10


def test_redrill_never_counts_a_lapse(tiny):
    cid = card_id(tiny, "alpha", "recall")
    answering.answer(tiny, cid, 5, T0)
    r = answering.answer(tiny, cid, 5, T0 + timedelta(days=1))
    assert r.kind == "review"
    lapse = answering.answer(tiny, cid, 1, T0 + timedelta(days=2))
    assert lapse.lapse and card_row(tiny, cid)["lapses"] == 1
    again = answering.answer(tiny, cid, 0, T0 + timedelta(days=2, hours=2))
    assert again.kind == "redrill" and not again.lapse
    assert card_row(tiny, cid)["lapses"] == 1


# --- undo -----------------------------------------------------------------------------------------


def test_undo_restores_the_exact_previous_state(tiny):
    cid = card_id(tiny, "gamma", "reverse")
    answering.answer(tiny, cid, 5, T0)
    answering.answer(tiny, cid, 5, T0 + timedelta(days=1))
    before = card_row(tiny, cid)
    logs_before = all_reviews(tiny)
    res = answering.answer(tiny, cid, 1, T0 + timedelta(days=9))  # a lapse
    assert card_row(tiny, cid) != before
    assert answering.undo(tiny, res.review_id) == cid
    assert card_row(tiny, cid) == before
    assert all_reviews(tiny) == logs_before
    assert not tiny.db.conn.in_transaction


def test_undo_a_new_card_makes_it_new_again(tiny):
    cid = card_id(tiny, "alpha", "recall")
    before = card_row(tiny, cid)
    res = answering.answer(tiny, cid, 3, T0)
    answering.undo(tiny, res.review_id)
    assert card_row(tiny, cid) == before
    assert tiny.card(cid).is_new
    assert tiny.count("reviews") == 0


def test_any_answer_can_be_undone_and_the_card_is_refolded(tiny):
    """Undo marks the row undone (a tombstone, never a delete) and refolds the card from what is left."""
    cid = card_id(tiny, "alpha", "recall")
    first = answering.answer(tiny, cid, 4, T0)
    second = answering.answer(tiny, cid, 5, T0 + timedelta(days=1))
    third = answering.answer(tiny, cid, 4, T0 + timedelta(days=7))
    answering.undo(tiny, second.review_id)  # not the latest
    assert tiny.count("reviews") == 2
    # the schedule is as if day 2's answer had never been given: 4 on T0, then 4 on day 7
    expected = sm2.review(sm2.review(SM2State(), 4, T0.date()), 4, (T0 + timedelta(days=7)).date())
    assert tiny.card(cid).state == expected
    tomb = tiny.db.execute("SELECT undone_at FROM review_log WHERE id = ?", [second.review_id]).fetchone()[0]
    assert tomb is not None  # still in the log, with the time it was taken back
    answering.undo(tiny, third.review_id)
    answering.undo(tiny, first.review_id)
    assert tiny.card(cid).is_new and tiny.count("reviews") == 0
    assert tiny.db.execute("SELECT COUNT(*) FROM review_log WHERE card_id = ?", [cid]).fetchone()[0] == 3
    with pytest.raises(StoreError):
        answering.undo(tiny, first.review_id)  # already undone


def test_leech_at_the_eighth_lapse_and_undo_unsuspends(tiny):
    cid = card_id(tiny, "delta", "recall")
    day = T0
    results = []
    for lapse_no in range(1, 9):
        answering.answer(tiny, cid, 4, day)  # learned (repetitions >= 1)
        day += timedelta(days=1)
        results.append(answering.answer(tiny, cid, 1, day))  # and forgotten: a lapse
        day += timedelta(days=1)
        row = card_row(tiny, cid)
        assert row["lapses"] == lapse_no
        if lapse_no < 8:
            assert (row["suspended"], row["leech"]) == (0, 0)
            assert not results[-1].leeched
    last = results[-1]
    assert last.lapse and last.leeched
    row = card_row(tiny, cid)
    assert (row["suspended"], row["leech"], row["lapses"]) == (1, 1, 8)
    assert tiny.reviews_of_card(cid)[-1].leeched
    assert cid not in [r.card_id for r in tiny.due_candidates(date(2030, 1, 1))]
    answering.undo(tiny, last.review_id)
    row = card_row(tiny, cid)
    assert (row["suspended"], row["leech"], row["lapses"]) == (0, 0, 7)


def test_leech_threshold_setting(tiny):
    tiny.set_setting("leech_threshold", 2)
    cid = card_id(tiny, "beta", "recall")
    day = T0
    out = []
    for _ in range(2):
        answering.answer(tiny, cid, 5, day)
        out.append(answering.answer(tiny, cid, 0, day + timedelta(days=1)))
        day += timedelta(days=2)
    assert [r.leeched for r in out] == [False, True]


def test_undo_of_a_manually_suspended_card_keeps_it_suspended(tiny):
    cid = card_id(tiny, "beta", "recall")
    res = answering.answer(tiny, cid, 5, T0)
    tiny.set_suspended(cid, True)
    answering.undo(tiny, res.review_id)
    assert card_row(tiny, cid)["suspended"] == 1


# --- queue inputs --------------------------------------------------------------------------------


def test_due_candidates_most_overdue_first(tiny):
    a, b, c = (card_id(tiny, t, "recall") for t in ("alpha", "beta", "gamma"))
    answering.answer(tiny, b, 4, T0)  # due 05-02
    answering.answer(tiny, c, 4, T0 - timedelta(days=5))  # due 04-27
    answering.answer(tiny, a, 4, T0 - timedelta(days=2))  # due 04-30
    rows = tiny.due_candidates(date(2025, 5, 10))
    assert [r.card_id for r in rows] == [c, a, b]
    assert [r.due for r in rows] == [date(2025, 4, 27), date(2025, 4, 30), date(2025, 5, 2)]
    assert [r.card_id for r in tiny.due_candidates(date(2025, 5, 1))] == [c, a]
    from mlcards import stats

    nxt = stats.next_due(tiny, date(2025, 5, 1))
    assert (nxt.day, nxt.due) == (date(2025, 5, 2), 1)


def test_new_candidates_skip_terms_answered_today(tiny):
    a = card_id(tiny, "alpha", "recall")
    answering.answer(tiny, a, 5, T0)
    today = date(2025, 5, 1)
    keys = {tiny.card(r.card_id).term for r in tiny.new_candidates(today)}
    assert "alpha" not in keys
    tomorrow = [tiny.card(r.card_id) for r in tiny.new_candidates(today + timedelta(days=1))]
    assert ("alpha", "reverse") in [(c.term, c.kind.value) for c in tomorrow]


def test_done_today_counts_distinct_new_and_review_cards(tiny):
    a, b = card_id(tiny, "alpha", "recall"), card_id(tiny, "beta", "recall")
    answering.answer(tiny, a, 2, T0)
    answering.answer(tiny, a, 5, T0)  # re-drill: not counted again
    answering.answer(tiny, b, 5, T0 - timedelta(days=1))
    answering.answer(tiny, b, 5, T0)  # a review today
    assert tiny.done_today(date(2025, 5, 1)) == (1, 1)
