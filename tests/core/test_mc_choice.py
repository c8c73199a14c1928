"""Multiple-choice answers record the option chosen; a pair confused twice becomes a contrast card."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from mlcards import answering, stats
from mlcards.records import CardKind
from mlcards.session import ReviewSession, deck_question_graph, question_for
from mlcards.store import MIGRATION_NAMES, Store
from mlcards.store.schema import migrations

NOON = datetime(2025, 3, 3, 12, 0, tzinfo=timezone.utc)


def ids(store: Store) -> dict[str, int]:
    return {row[1]: row[0] for row in store.db.execute("SELECT id, term FROM terms")}


def related_card(store: Store, term_id: int) -> int:
    return store.related_card(term_id)


def test_migration_keeps_cards_and_reviews(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    from sqlite_utils import Database

    db = Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db, stop_before="0005_mc_choice")
    old = Store(db)
    # the schema of 0004, written as that version wrote it (today's apply_deck writes later columns)
    old.db.execute("INSERT INTO decks (id, name, created_at) VALUES (1, 'Tiny', 'x')")
    for tid, key in ((1, "alpha"), (2, "beta")):
        old.db.execute("INSERT INTO terms (id, deck_id, key, term, definition, created_at, updated_at) "
                       "VALUES (?, 1, ?, ?, 'd', 'x', 'x')", [tid, key, key])
        for kind in ("recall", "reverse"):
            old.db.execute("INSERT INTO cards (term_id, kind, created_at) VALUES (?, ?, 'x')", [tid, kind])
    card = old.db.execute("SELECT id FROM cards ORDER BY id LIMIT 1").fetchone()[0]
    old.db.execute(
        """INSERT INTO reviews (card_id, reviewed_at, utc_offset_min, study_day, grade, kind, reps_before,
           reps_after, ease_before, ease_after, interval_before, interval_after) VALUES
           (?, '2025-01-01T10:00:00Z', 0, '2025-01-01', 4, 'new', 0, 1, 250, 250, 0, 1)""",
        [card],
    )
    counts = [old.count("cards"), old.count("reviews")]
    conn.close()
    with Store.open(path) as s:
        assert {m.name for m in migrations.applied(s.db)} == MIGRATION_NAMES
        assert [s.count("cards"), s.count("reviews")] == counts
        cols = {r[1] for r in s.db.execute("PRAGMA table_info(reviews)")}
        assert {"chosen_term_id", "key_term_id"} <= cols
        assert "pair_term_id" in {r[1] for r in s.db.execute("PRAGMA table_info(cards)")}
        assert s.db.execute("PRAGMA foreign_key_check").fetchall() == []
        # the card identity still holds: a second recall card for a term is ignored
        term = s.db.execute("SELECT term_id FROM cards WHERE id = ?", [card]).fetchone()[0]
        s.db.execute("INSERT OR IGNORE INTO cards (term_id, kind, created_at) VALUES (?, 'recall', 'x')", [term])
        assert s.count("cards") == counts[0]
        # reviews still cascade from their card
        with s.transaction():
            s.db.execute("DELETE FROM cards WHERE id = ?", [card])
        assert s.count("reviews") == 0


def test_a_pair_confused_twice_becomes_a_contrast_card(tiny):
    t = ids(tiny)
    alpha, beta = t["alpha"], t["beta"]
    card = related_card(tiny, alpha)
    answering.answer(tiny, card, 1, NOON, chosen_term_id=beta, key_term_id=alpha)
    assert tiny.contrast_cards() == []
    assert stats.confused_pairs(tiny) == []
    # the other way round counts for the same pair
    second = answering.answer(tiny, related_card(tiny, beta), 1, NOON + timedelta(minutes=1), chosen_term_id=alpha,
                         key_term_id=beta)
    [contrast] = tiny.contrast_cards()
    assert contrast.kind is CardKind.CONTRAST and {contrast.term_id, contrast.pair_term_id} == {alpha, beta}
    assert contrast.is_new
    [pair] = stats.confused_pairs(tiny)
    assert {pair.term, pair.other} == {"alpha", "beta"} and pair.times == 2
    summary = stats.summary(tiny, now=NOON + timedelta(minutes=2), parallel=False)
    assert summary.as_json()["confused_pairs"] == [pair.as_json()]
    # a third confusion does not make a second card; a right answer is not a confusion
    answering.answer(tiny, card, 1, NOON + timedelta(minutes=3), chosen_term_id=beta, key_term_id=alpha)
    answering.answer(tiny, card, 5, NOON + timedelta(minutes=4), chosen_term_id=alpha, key_term_id=alpha)
    assert len(tiny.contrast_cards()) == 1
    assert stats.confused_pairs(tiny)[0].times == 3
    # undo back below two confusions takes the (unanswered) contrast card away again
    for review in tiny.db.execute("SELECT id FROM reviews ORDER BY id DESC").fetchall():
        rid = review[0]
        if rid == second.review_id:
            break
        answering.undo(tiny, rid)
    answering.undo(tiny, second.review_id)
    assert tiny.contrast_cards() == []


def test_the_contrast_card_asks_which_of_the_two(tiny):
    t = ids(tiny)
    answering.answer(tiny, related_card(tiny, t["gamma"]), 1, NOON, chosen_term_id=t["delta"], key_term_id=t["gamma"])
    answering.answer(tiny, related_card(tiny, t["gamma"]), 1, NOON, chosen_term_id=t["delta"], key_term_id=t["gamma"])
    [card] = tiny.contrast_cards()
    graph = deck_question_graph(tiny, card.deck_id)
    q = question_for(graph, card)
    assert q.style == "contrast" and set(q.choices) == {"gamma", "delta"}
    assert q.choice_ids[q.answer] in (t["gamma"], t["delta"])
    assert q.prompt.endswith(tiny.db.execute("SELECT definition FROM terms WHERE id = ?",
                                             [q.choice_ids[q.answer]]).fetchone()[0])
    # scheduled like any card (one card of a term a day, so it comes once its siblings are done)
    kinds = []
    for day in range(1, 15):
        session = ReviewSession(tiny, clock=lambda day=day: NOON + timedelta(days=day))
        while (shown := session.next()) is not None:
            kinds.append(shown.card.kind)
            if shown.card.kind is CardKind.CONTRAST:
                assert shown.question is not None and len(shown.question.choices) == 2
            session.answer(5, choice=shown.question.answer if shown.question else None)
        if CardKind.CONTRAST in kinds:
            break
    assert CardKind.CONTRAST in kinds


def test_session_records_the_chosen_option(tiny):
    found = False
    for day in range(15):
        session = ReviewSession(tiny, clock=lambda day=day: NOON + timedelta(days=day))
        while not found and (shown := session.next()) is not None:
            if shown.question is None:
                session.answer(5)
                continue
            q = shown.question
            wrong = next(i for i in range(len(q.choices)) if i != q.answer)
            result = session.answer(1, choice=wrong)
            row = tiny.db.execute("SELECT chosen_term_id, key_term_id FROM reviews WHERE id = ?",
                                  [result.review_id]).fetchone()
            assert row[0] == q.choice_ids[wrong]
            assert row[1] == (q.choice_ids[q.answer] if q.identifies else None)
            found = True
        if found:
            break
    assert found, "no multiple-choice card in the tiny deck"
    # a card that is not multiple choice logs no choice
    plain = tiny.db.execute(
        "SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE c.kind != 'related' "
        "AND r.chosen_term_id IS NOT NULL"
    ).fetchone()[0]
    assert plain == 0


def test_stats_text_names_the_most_confused_pairs(tiny):
    from mlcards.cli import _stats_text

    t = ids(tiny)
    for minute in range(2):
        answering.answer(tiny, related_card(tiny, t["alpha"]), 1, NOON + timedelta(minutes=minute),
                    chosen_term_id=t["zeta"], key_term_id=t["alpha"])
    lines = _stats_text(stats.summary(tiny, now=NOON + timedelta(minutes=5), parallel=False))
    [line] = [x for x in lines if x.startswith("confused")]
    assert line == "confused   most confused pairs: alpha / zeta (2x)"
