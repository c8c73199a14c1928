"""Add, delete (into the trash), restore and rename terms and decks (mlcards.editing, issue 11)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mlcards import answering, editing, stats
from mlcards.errors import StoreError
from mlcards.models import Deck, Term
from mlcards.store import Store
from tests.conftest import small_deck, utc
from tests.core._support import card_id

NOW = utc(2026, 3, 2, 12)
LATER = utc(2026, 3, 3, 12)


def every_table(path_or_store: Path | Store) -> dict[str, list[tuple]]:
    """SELECT * of every table in a fixed order: what a delete + restore must give back. Left out: the
    trash itself, and sync's change log and clock (``sync_*``), which record the delete and the restore."""
    con = sqlite3.connect(path_or_store) if isinstance(path_or_store, Path) else path_or_store.db.conn
    tables = [n for (n,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'trash' "
        "AND name NOT LIKE 'sync_%' ORDER BY name"
    )]
    out = {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    if isinstance(path_or_store, Path):
        con.close()
    return out


def term_id(store: Store, name: str, deck: str = "Tiny") -> int:
    tid = store.term_id_in_deck(store.require_deck(deck), name.casefold())
    assert tid is not None, name
    return tid


@pytest.fixture
def busy(tmp_path: Path) -> Store:
    """Two decks with answers, a practice answer, a multiple-choice confusion, a deck setting, a snapshot."""
    s = Store.open(tmp_path / "c.db")
    s.set_setting("timezone", "UTC")
    s.apply_deck(small_deck())
    s.apply_deck(small_deck("Other"))
    for term, grade in (("alpha", 4), ("beta", 2), ("gamma", 5)):
        answering.answer(s, card_id(s, term, "recall", "Tiny"), grade, NOW)
    answering.answer(s, card_id(s, "alpha", "reverse", "Tiny"), 3, LATER)
    # an answer elsewhere that names alpha as the option chosen: the delete blanks it, the restore puts it back
    answering.answer(s, card_id(s, "beta", "reverse", "Tiny"), 1, NOW,
                     chosen_term_id=term_id(s, "alpha"), key_term_id=term_id(s, "beta"))
    answering.answer(s, card_id(s, "alpha", "recall", "Other"), 4, NOW)
    answering.practice(s, card_id(s, "alpha", "related", "Tiny"), 5, LATER)
    s.set_deck_setting(s.require_deck("Tiny"), "new_per_day", 7)
    with s.transaction():
        s.db.execute(
            "INSERT INTO card_snapshots (card_id, repetitions, easiness_centi, interval, due, lapses, leech, "
            "after_review_id, taken_at) VALUES (?, 2, 260, 6, '2026-03-08', 0, 0, 0, '2026-03-01T00:00:00Z')",
            [card_id(s, "delta", "recall", "Tiny")],
        )
        s.db.execute("UPDATE cards SET repetitions = 2, easiness_centi = 260, interval = 6, due = '2026-03-08' "
                     "WHERE id = ?", [card_id(s, "delta", "recall", "Tiny")])
    yield s
    s.close()


def test_delete_terms_then_restore_gives_back_every_row(busy):
    before = every_table(busy)
    summary = stats.summary(busy, LATER).as_json()
    alpha = term_id(busy, "alpha")
    trash_id = editing.delete_terms(busy, [alpha, term_id(busy, "delta")], now=LATER)

    assert busy.term_id_in_deck(busy.require_deck("Tiny"), "alpha") is None
    assert busy.db.execute("SELECT COUNT(*) FROM cards WHERE term_id = ?", [alpha]).fetchone()[0] == 0
    assert busy.db.execute("SELECT COUNT(*) FROM links WHERE term_id = ? OR other_id = ?", [alpha, alpha]).fetchone()[0] == 0
    assert busy.db.execute("SELECT COUNT(*) FROM practice_log").fetchone()[0] == 0
    assert busy.db.execute("SELECT COUNT(*) FROM card_snapshots").fetchone()[0] == 0
    # beta's multiple-choice answer lost its reference to alpha (ON DELETE SET NULL)
    assert busy.db.execute("SELECT COUNT(*) FROM review_log WHERE chosen_term_id IS NOT NULL").fetchone()[0] == 0
    assert every_table(busy) != before
    # the other deck's alpha is untouched
    assert busy.term_id_in_deck(busy.require_deck("Other"), "alpha") is not None

    entries = editing.trash(busy)
    assert [(e.id, e.what, e.label) for e in entries] == [(trash_id, "terms", "2 terms (Tiny)")]

    assert editing.restore(busy, now=LATER) == "2 terms (Tiny)"
    assert every_table(busy) == before
    assert stats.summary(busy, LATER).as_json() == summary
    assert editing.trash(busy) == []
    assert editing.trash(busy, include_restored=True)[0].restored_at is not None
    with pytest.raises(StoreError, match="nothing to undelete"):
        editing.restore(busy)
    with pytest.raises(StoreError, match="already restored"):
        editing.restore(busy, trash_id)


def test_a_review_log_survives_the_round_trip_even_when_its_ids_were_reused(busy):
    alpha_reverse = card_id(busy, "alpha", "reverse", "Tiny")
    log_before = [r[1:] for r in busy.db.execute(
        "SELECT id, uuid, grade, study_day FROM review_log WHERE card_id = ? ORDER BY id", [alpha_reverse])]
    top_log = busy.db.execute("SELECT max(id) FROM review_log").fetchone()[0]
    editing.delete_terms(busy, [term_id(busy, "alpha", "Other")], now=LATER)  # holds the log's last row
    editing.delete_terms(busy, [term_id(busy, "alpha")], now=LATER)
    # new rows take the freed ids: a term, its cards, and an answer
    editing.add_term(busy, "Other", Term(term="omega", definition="Last letter."), now=LATER)
    answering.answer(busy, card_id(busy, "omega", "recall", "Other"), 4, LATER)
    assert busy.db.execute("SELECT max(id) FROM review_log").fetchone()[0] == top_log  # reused

    editing.restore(busy, now=LATER)  # Tiny's alpha
    editing.restore(busy, now=LATER)  # Other's alpha
    restored = card_id(busy, "alpha", "reverse", "Tiny")
    assert [r[1:] for r in busy.db.execute(
        "SELECT id, uuid, grade, study_day FROM review_log WHERE card_id = ? ORDER BY id", [restored])] == log_before
    other_alpha = card_id(busy, "alpha", "recall", "Other")
    assert busy.db.execute("SELECT COUNT(*) FROM reviews WHERE card_id = ?", [other_alpha]).fetchone()[0] == 1
    # every card's cached schedule is still the fold of its log (and snapshot)
    assert answering.rebuild(busy) == 0


def test_delete_deck_then_restore(busy):
    before = every_table(busy)
    tiny = busy.require_deck("Tiny")
    terms, cards, answers = busy.deck_counts(tiny)
    assert (terms, answers) == (6, 5)
    trash_id = editing.delete_deck(busy, tiny, now=LATER)
    assert busy.deck_names() == ["Other"]
    assert busy.db.execute("SELECT COUNT(*) FROM deck_settings").fetchone()[0] == 0
    assert busy.db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == 1  # Other's answer
    assert editing.trash(busy)[0].label == f"deck 'Tiny' (6 terms, {cards} cards)"

    busy.apply_deck(Deck(name="tiny", terms=[Term(term="x", definition="y")]))
    with pytest.raises(StoreError, match="a deck named 'Tiny' exists now"):
        editing.restore(busy, trash_id)
    editing.delete_deck(busy, busy.require_deck("tiny"))
    assert editing.restore(busy, trash_id) == f"deck 'Tiny' (6 terms, {cards} cards)"
    assert every_table(busy) == before
    assert busy.deck_settings(tiny).new_per_day == 7


def test_restoring_terms_refuses_a_name_taken_since_and_a_deck_gone_since(busy):
    trash_id = editing.delete_terms(busy, [term_id(busy, "beta")])
    editing.add_term(busy, "Tiny", Term(term="Beta", definition="Taken again."))
    with pytest.raises(StoreError, match="its deck has a term 'Beta' now"):
        editing.restore(busy, trash_id)
    editing.delete_deck(busy, busy.require_deck("Tiny"))
    with pytest.raises(StoreError, match="the deck 'Tiny' these terms were in is gone"):
        editing.restore(busy, trash_id)
    editing.restore(busy)  # the deck (the latest batch)
    editing.delete_terms(busy, [term_id(busy, "Beta")])  # the new Beta
    editing.restore(busy, trash_id)
    assert busy.term_model(term_id(busy, "beta")).definition == "Second letter."


def test_rename_term_keeps_identity_and_links_follow(busy):
    alpha = term_id(busy, "alpha")
    uuid = busy.db.execute("SELECT uuid FROM terms WHERE id = ?", [alpha]).fetchone()[0]
    cards = busy.db.execute("SELECT id, uuid, due FROM cards WHERE term_id = ? ORDER BY id", [alpha]).fetchall()
    editing.rename_term(busy, alpha, "Alpha prime")
    assert busy.db.execute("SELECT uuid, key, term FROM terms WHERE id = ?", [alpha]).fetchone() == (
        uuid, "alpha prime", "Alpha prime")
    assert busy.db.execute("SELECT id, uuid, due FROM cards WHERE term_id = ? ORDER BY id", [alpha]).fetchall() == cards
    assert "Alpha prime" in busy.term_model(term_id(busy, "beta")).related
    with pytest.raises(StoreError, match="already has a term 'gamma'"):
        editing.rename_term(busy, alpha, "GAMMA")
    with pytest.raises(StoreError, match="cannot rename"):
        editing.rename_term(busy, alpha, "   ")


def test_rename_deck_refuses_a_clash_ignoring_case(busy):
    tiny = busy.require_deck("Tiny")
    uuid = busy.deck_uuid_of(tiny)
    with pytest.raises(StoreError, match="a deck named 'Other' exists already"):
        editing.rename_deck(busy, tiny, "other")
    editing.rename_deck(busy, tiny, "Greek letters")
    assert busy.deck_name(tiny) == "Greek letters" and busy.deck_uuid_of(tiny) == uuid
    editing.rename_deck(busy, tiny, "GREEK letters")  # its own name in other case: fine
    assert busy.deck_name(tiny) == "GREEK letters"


def test_add_term_creates_cards_as_an_import_would_and_refuses_a_duplicate(busy):
    added = editing.add_term_report(busy, "Tiny", Term(term="eta", definition="Seventh letter.", related=["zeta"]))
    assert not added.created_deck and added.deck == "Tiny"
    kinds = sorted(c.kind.value for c in busy.cards_of_term(added.term_id))
    assert kinds == ["recall", "related", "reverse"]
    assert [t.term for t in busy.term_neighbours(added.term_id)] == ["zeta"]
    with pytest.raises(StoreError, match="already has a term 'eta'"):
        editing.add_term(busy, "tiny", Term(term="ETA", definition="Again."))
    made = editing.add_term_report(busy, "Brand new", Term(term="one", definition="The first."))
    assert made.created_deck and made.cards == 2
    assert "Brand new" in busy.deck_names()


def test_delete_and_restore_in_two_processes(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "two.db"
    with Store.open(db) as s:
        s.apply_deck(small_deck())
        answering.answer(s, card_id(s, "alpha", "recall"), 4, NOW)
        before = every_table(s)
    code = (
        "import sys; from mlcards import editing; from mlcards.store import Store\n"
        "s = Store.open(sys.argv[1])\n"
        "print(editing.delete_deck(s, s.require_deck('Tiny')) if sys.argv[2] == 'rm' else editing.restore(s))\n"
    )
    for step in ("rm", "undo"):
        r = subprocess.run([sys.executable, "-c", code, str(db), step], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        if step == "rm":
            with Store.open(db) as s:
                assert s.deck_names() == []
    assert every_table(db) == before
