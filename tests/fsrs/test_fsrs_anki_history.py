"""Answers given in Anki to an FSRS deck's cards fold as answers given in mlcards do: through the deck's
own FSRS settings (here a desired retention of 0.80), with the FSRS memory logged on each row, so the
card equals a doctor rebuild and a twin database where the same answers were given in mlcards."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from mlcards import anki_progress, answering, imports
from mlcards.database import open_database
from mlcards.store import Store
from tests.conftest import small_deck
from tests.core._support import card_id
from tests.exporters.test_apkg_progress import DAY, NOW, guid, phone_package

LOG_COLUMNS = ("grade", "kind", "reps_after", "interval_after", "due_after", "stability_after", "difficulty_after")
CARD_COLUMNS = ("repetitions", "easiness_centi", "interval", "due", "lapses", "leech", "suspended", "stability",
                "difficulty")


def fsrs_db(path: Path) -> Store:
    store = open_database(path, install_bundled=False)
    store.set_setting("timezone", "UTC")
    store.set_setting("rollover_hour", 4)
    store.apply_deck(small_deck())
    deck = store.require_deck("Tiny")
    answering.switch_scheduler(store, deck, "fsrs")
    answering.set_deck_setting(store, deck, "desired_retention", 0.8)
    return store


def card(store: Store, cid: int) -> tuple:
    return store.db.execute(f"SELECT {', '.join(CARD_COLUMNS)} FROM cards WHERE id = ?", [cid]).fetchone()


def log(store: Store, cid: int) -> list[tuple]:
    return store.db.execute(f"SELECT {', '.join(LOG_COLUMNS)} FROM review_log WHERE card_id = ? "
                            "ORDER BY reviewed_at", [cid]).fetchall()


def test_an_fsrs_cards_answers_from_anki_fold_with_the_decks_settings(tmp_path: Path) -> None:
    db, twin = fsrs_db(tmp_path / "ml.db"), fsrs_db(tmp_path / "twin.db")
    try:
        ar, gr = card_id(db, "alpha", "recall"), card_id(db, "gamma", "recall")
        tar, tgr = card_id(twin, "alpha", "recall"), card_id(twin, "gamma", "recall")
        for store, cid in ((db, ar), (twin, tar)):
            answering.answer(store, cid, 4, NOW - 10 * DAY)
            answering.answer(store, cid, 5, NOW - 4 * DAY)
        exported = tmp_path / "out.apkg"
        anki_progress.export_apkg(db, "Tiny", exported, with_progress=True, now=NOW)
        answering.answer(db, ar, 5, NOW + 2 * DAY)  # after the export, in mlcards
        phone = phone_package(exported, tmp_path / "phone.apkg", tmp_path, [  # Anki: Good, and Again then Good
            (guid(db, "alpha"), 0, NOW + DAY, 3),
            (guid(db, "gamma"), 0, NOW + DAY + timedelta(minutes=1), 1),
            (guid(db, "gamma"), 0, NOW + DAY + timedelta(minutes=10), 3),
        ])
        result = imports.apply(db, imports.plan([phone]), with_history=True)
        assert result.history_lines()[0].startswith("counted 3 answers given in Anki as reviews")
        # the twin is given the same answers in mlcards, in time order (Anki's Good is 4, Again 1)
        answering.answer(twin, tar, 4, NOW + DAY)
        answering.answer(twin, tgr, 1, NOW + DAY + timedelta(minutes=1))
        answering.answer(twin, tgr, 4, NOW + DAY + timedelta(minutes=10))
        answering.answer(twin, tar, 5, NOW + 2 * DAY)

        for cid, tcid in ((ar, tar), (gr, tgr)):
            # every row but alpha's last (logged in mlcards before the phone's answer came in, so its columns
            # say what that answer did then; the card's cache is refolded): the phone's rows are folded with
            # the deck's retention and carry the FSRS memory, as answering logs them
            rows = log(db, cid)[:3]
            assert rows == log(twin, tcid)[:3] and len(rows) == (3 if cid == ar else 2)
            assert all(r[-2] is not None and r[-1] is not None for r in rows if r[1] != "redrill")
            assert card(db, cid) == card(twin, tcid) and card(db, cid)[-2] is not None
        before = {cid: card(db, cid) for cid in db.card_ids()}
        assert answering.rebuild(db) == 0  # doctor --rebuild changes nothing
        assert {cid: card(db, cid) for cid in db.card_ids()} == before
    finally:
        db.close()
        twin.close()
