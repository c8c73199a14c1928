"""``export --with-progress`` (schedules and the review log in Anki's columns) and the way back
(``import --with-history``: answers given in Anki to our cards count as reviews, once, in time order).

Real SQLite files throughout; the package is read with sqlite3 exactly as Anki would find it. The
round trip through real Anki is in test_real_anki.py.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mlcards import anki_progress, answering, imports
from mlcards.database import open_database
from mlcards.exporters import apkg
from mlcards.exporters.apkg_progress import ANKI_EASE
from mlcards.models import Term
from mlcards.schedulers.sm2 import SM2State
from mlcards.store import Store
from tests.conftest import run_cli, small_deck
from tests.core._support import card_id

NOW = datetime(2025, 3, 10, 12, tzinfo=timezone.utc)  # study day 2025-03-10 (UTC, rollover 4 am)
DAY = timedelta(days=1)


@pytest.fixture
def db(tmp_path: Path):
    store = open_database(tmp_path / "ml.db", install_bundled=False)
    store.set_setting("timezone", "UTC")
    store.set_setting("rollover_hour", 4)
    store.apply_deck(small_deck())
    yield store
    store.close()


def collection(path: Path, tmp_path: Path) -> sqlite3.Connection:
    """The package's collection, as Anki's importer reads it."""
    with zipfile.ZipFile(path) as zf:
        data = zf.read("collection.anki2")
    out = tmp_path / f"{path.stem}.anki2"
    out.write_bytes(data)
    return sqlite3.connect(out)


def anki_cards(conn: sqlite3.Connection) -> dict[tuple[str, int], dict]:
    """(note GUID, template ord) -> the card's scheduling columns."""
    rows = conn.execute(
        "SELECT n.guid, c.ord, c.id, c.type, c.queue, c.due, c.ivl, c.factor, c.reps, c.lapses, c.left "
        "FROM cards c JOIN notes n ON n.id = c.nid"
    ).fetchall()
    keys = ("id", "type", "queue", "due", "ivl", "factor", "reps", "lapses", "left")
    return {(r[0], r[1]): dict(zip(keys, r[2:])) for r in rows}


def guid(store: Store, term: str) -> str:
    u = store.db.execute("SELECT uuid FROM terms WHERE key = ?", [term]).fetchone()[0]
    return apkg.note_guid_for_uuid(u)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_grades_map_to_anki_buttons():
    assert ANKI_EASE == {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}


def test_schedules_and_log_land_in_ankis_columns(db: Store, tmp_path: Path):
    ar, av = card_id(db, "alpha", "recall"), card_id(db, "alpha", "reverse")
    br, bv = card_id(db, "beta", "recall"), card_id(db, "beta", "reverse")
    answering.answer(db, ar, 4, NOW - 10 * DAY)  # study day 02-28
    answering.answer(db, ar, 5, NOW - 4 * DAY)  # reps 2, interval 6, due 03-12, ease 2.6
    answering.answer(db, av, 4, NOW - 10 * DAY + timedelta(minutes=5), duration_ms=7000)
    answering.answer(db, av, 1, NOW - 3 * DAY)  # a lapse: interval 1, due 03-08 (overdue), ease 1.96
    answering.answer(db, av, 4, NOW - 3 * DAY + timedelta(hours=1))  # a re-drill the same day
    answering.answer(db, br, 4, NOW - 2 * DAY)
    db.set_suspended(br, True)
    answering.answer(db, bv, 4, NOW - DAY)
    db.bury(bv, date(2025, 3, 10))
    out = tmp_path / "out.apkg"
    done = anki_progress.export_apkg(db, "Tiny", out, with_progress=True, now=NOW)
    assert (done.terms, done.cards, done.answers) == (6, 12, 7)

    conn = collection(out, tmp_path)
    crt, conf = conn.execute("SELECT crt, conf FROM col").fetchone()
    # the creation day is the earliest answer's study day (02-28), at the rollover hour
    assert crt == int(datetime(2025, 2, 28, 4, tzinfo=timezone.utc).timestamp())
    conf = json.loads(conf)
    assert (conf["schedVer"], conf["rollover"], conf["creationOffset"]) == (2, 4, 0)
    cards = anki_cards(conn)
    a, b, g = guid(db, "alpha"), guid(db, "beta"), guid(db, "gamma")
    common = {"left": 0}
    assert {k: v for k, v in cards[(a, 0)].items() if k != "id"} == {
        "type": 2, "queue": 2, "due": 12, "ivl": 6, "factor": 2600, "reps": 2, "lapses": 0, **common}
    assert {k: v for k, v in cards[(a, 1)].items() if k != "id"} == {
        "type": 2, "queue": 2, "due": 8, "ivl": 1, "factor": 1960, "reps": 3, "lapses": 1, **common}
    assert (cards[(b, 0)]["type"], cards[(b, 0)]["queue"]) == (2, -1)  # suspended
    assert (cards[(b, 1)]["type"], cards[(b, 1)]["queue"]) == (2, -3)  # buried by the user
    assert cards[(b, 1)]["due"] == (date(2025, 3, 10) - date(2025, 2, 28)).days
    assert {k: v for k, v in cards[(g, 0)].items() if k != "id"} == {
        "type": 0, "queue": 0, "due": 2, "ivl": 0, "factor": 0, "reps": 0, "lapses": 0, **common}  # new, 3rd term

    log = conn.execute(
        "SELECT id, ease, ivl, lastIvl, factor, time, type, usn FROM revlog WHERE cid = ? ORDER BY id",
        [cards[(a, 1)]["id"]],
    ).fetchall()
    assert log == [
        (ms(NOW - 10 * DAY + timedelta(minutes=5)), 3, 1, 0, 2500, 7000, 0, -1),  # first answer: learn
        (ms(NOW - 3 * DAY), 1, 1, 1, 1960, 0, 1, -1),  # a scheduled review, failed
        (ms(NOW - 3 * DAY + timedelta(hours=1)), 3, 1, 1, 1960, 0, 2, -1),  # the re-drill: relearn
    ]
    assert conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == 7
    apkg.check_package(out, expect_notes=6, expect_deck="Tiny")


def test_answers_in_one_millisecond_get_distinct_revlog_ids(db: Store, tmp_path: Path):
    for term in ("alpha", "beta"):
        answering.answer(db, card_id(db, term, "recall"), 4, NOW - DAY)
    out = tmp_path / "out.apkg"
    anki_progress.export_apkg(db, "Tiny", out, with_progress=True, now=NOW)
    ids = [r[0] for r in collection(out, tmp_path).execute("SELECT id FROM revlog ORDER BY id")]
    assert ids == [ms(NOW - DAY), ms(NOW - DAY) + 1]


def test_without_progress_cards_stay_new_and_the_log_stays_home(db: Store, tmp_path: Path):
    answering.answer(db, card_id(db, "alpha", "recall"), 4, NOW - DAY)
    out = tmp_path / "out.apkg"
    anki_progress.export_apkg(db, "Tiny", out, now=NOW)
    conn = collection(out, tmp_path)
    assert conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == 0
    assert {r[0] for r in conn.execute("SELECT type FROM cards")} == {0}


def test_a_renamed_term_keeps_its_note_guid(db: Store, tmp_path: Path):
    first = tmp_path / "a.apkg"
    anki_progress.export_apkg(db, "Tiny", first, now=NOW)
    before = guid(db, "alpha")
    term_id = db.db.execute("SELECT id FROM terms WHERE key = 'alpha'").fetchone()[0]
    db.update_term(term_id, Term(term="alpha prime", definition="First letter.", related=["beta", "gamma"]))
    second = tmp_path / "b.apkg"
    anki_progress.export_apkg(db, "Tiny", second, now=NOW)
    conn = collection(second, tmp_path)
    fields = dict(conn.execute("SELECT guid, flds FROM notes").fetchall())
    assert fields[before].split("\x1f")[0] == "alpha prime"
    assert set(fields) == {r[0] for r in collection(first, tmp_path).execute("SELECT guid FROM notes")}


# --- back from the phone -----------------------------------------------------------------------------


def rewrite_package(exported: Path, out: Path, tmp_path: Path, edit) -> Path:
    """``exported`` with its collection changed by ``edit(conn)``, zipped again as ``out``."""
    conn = collection(exported, tmp_path)
    edit(conn)
    conn.commit()
    db_file = Path(conn.execute("PRAGMA database_list").fetchone()[2])
    conn.close()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("collection.anki2", db_file.read_bytes())
        zf.writestr("media", "{}")
    return out


def phone_package(exported: Path, out: Path, tmp_path: Path, answers: list[tuple[str, int, datetime, int]]) -> Path:
    """``exported`` as Anki would give it back after these answers: (note GUID, card ord, moment, ease)."""

    def answer(conn: sqlite3.Connection) -> None:
        sql = "SELECT n.guid, c.ord, c.id FROM cards c JOIN notes n ON n.id = c.nid"
        cards = {(g, o): cid for g, o, cid in conn.execute(sql)}
        for g, o, moment, ease in answers:
            conn.execute(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                "VALUES (?, ?, 0, ?, 1, 0, 2500, 4200, 1)",
                [ms(moment), cards[(g, o)], ease],
            )

    return rewrite_package(exported, out, tmp_path, answer)


def schedule(store: Store, cid: int) -> tuple[SM2State, int]:
    s = store.card_schedule(cid).schedule
    return s.state, s.lapses


def test_answers_from_the_phone_count_once_in_time_order(db: Store, tmp_path: Path):
    ar, gr = card_id(db, "alpha", "recall"), card_id(db, "gamma", "recall")
    answering.answer(db, ar, 4, NOW - 10 * DAY)
    answering.answer(db, ar, 5, NOW - 4 * DAY)  # reps 2, interval 6, due 03-12, ease 2.6
    exported = tmp_path / "out.apkg"
    anki_progress.export_apkg(db, "Tiny", exported, with_progress=True, now=NOW)
    # after the export, mlcards answers alpha on 03-12 (Easy) ...
    answering.answer(db, ar, 5, NOW + 2 * DAY)
    # ... and the phone had answered it on 03-11 (Good), and gamma (new) twice on 03-11 (Again, Good)
    phone = phone_package(exported, tmp_path / "phone.apkg", tmp_path, [
        (guid(db, "alpha"), 0, NOW + DAY, 3),
        (guid(db, "gamma"), 0, NOW + DAY + timedelta(minutes=1), 1),
        (guid(db, "gamma"), 0, NOW + DAY + timedelta(minutes=10), 3),
    ])
    result = imports.apply(db, imports.plan([phone]), with_history=True)
    assert result.history_lines() == [
        "counted 3 answers given in Anki as reviews (2 already here, 0 without a matching card); "
        "2 card schedules refolded"
    ]
    # alpha: 03-11 Good on (reps 2, 6 days, 2.6) -> 16 days; then mlcards' Easy on 03-12 -> ceil(16 x 2.6) = 42
    assert schedule(db, ar) == (SM2State(4, 270, 42, date(2025, 3, 12) + 42 * DAY), 0)
    rows = db.reviews_of_card(ar)
    assert [(r.source, r.grade, r.kind) for r in sorted(rows, key=lambda r: r.reviewed_at)] == [
        ("review", 4, "new"), ("review", 5, "review"), ("review", 4, "review"), ("review", 5, "review")]
    phone_row = next(r for r in rows if r.reviewed_at == NOW + DAY)
    assert (phone_row.interval_before, phone_row.interval_after, phone_row.duration_ms) == (6, 16, 4200)
    uuid = db.db.execute("SELECT uuid FROM review_log WHERE card_id = ? AND reviewed_at = ?",
                         [ar, "2025-03-11T12:00:00.000Z"]).fetchone()[0]
    card_uuid = db.db.execute("SELECT uuid FROM cards WHERE id = ?", [ar]).fetchone()[0]
    assert uuid == anki_progress.answer_uuid(card_uuid, ms(NOW + DAY))
    # gamma: Again then Good on one study day: the first answer schedules, the second is a re-drill
    assert schedule(db, gr) == (SM2State(0, 196, 1, date(2025, 3, 12)), 0)
    assert [r.kind for r in db.reviews_of_card(gr)] == ["new", "redrill"]

    # importing the same package again, or the whole log as the phone holds it later, adds nothing
    cards_before = [schedule(db, c) for c in db.card_ids()]
    count = db.db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]
    again = imports.apply(db, imports.plan([phone]), with_history=True)
    assert again.history_lines() == [
        "counted 0 answers given in Anki as reviews (5 already here, 0 without a matching card); "
        "0 card schedules refolded"
    ]
    assert db.db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == count
    assert [schedule(db, c) for c in db.card_ids()] == cards_before
    # and the refold from the log alone agrees with the cache
    assert answering.rebuild(db) == 0


def test_an_answer_undone_in_mlcards_does_not_come_back_from_anki(db: Store, tmp_path: Path):
    ar = card_id(db, "alpha", "recall")
    first = answering.answer(db, ar, 4, NOW - DAY)
    exported = tmp_path / "out.apkg"
    anki_progress.export_apkg(db, "Tiny", exported, with_progress=True, now=NOW)
    answering.undo(db, first.review_id, NOW)
    result = imports.apply(db, imports.plan([exported]), with_history=True)
    assert result.history[0].answers is not None and result.history[0].answers.already == 1
    assert db.reviews_of_card(ar) == [] and schedule(db, ar)[0].is_new


def test_history_of_notes_not_from_mlcards_stays_statistics(db: Store, tmp_path: Path):
    """A package whose GUIDs are not ours: the old behaviour (source 'anki', schedules unchanged)."""
    exported = tmp_path / "out.apkg"
    anki_progress.export_apkg(db, "Tiny", exported, now=NOW)

    def foreign_note(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE notes SET guid = 'foreign' || id")
        sql = "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE c.ord = 0 ORDER BY n.id"
        cid = conn.execute(sql).fetchone()[0]
        conn.execute("INSERT INTO revlog VALUES (?, ?, 0, 3, 1, 0, 2500, 1000, 0)", [ms(NOW + DAY), cid])

    foreign = rewrite_package(exported, tmp_path / "foreign.apkg", tmp_path, foreign_note)
    imports.apply(db, imports.plan([foreign]), with_history=True)
    ar = card_id(db, "alpha", "recall")
    assert [r.source for r in db.reviews_of_card(ar)] == ["anki"]
    assert schedule(db, ar)[0].is_new


def test_cli_round_trip_and_a_bare_collection_file(db: Store, tmp_path: Path):
    answering.answer(db, card_id(db, "alpha", "recall"), 4, NOW - DAY)
    path = Path(db.db.execute("PRAGMA database_list").fetchone()[2])
    out = tmp_path / "phone.apkg"
    r = run_cli("export", str(out), "--deck", "Tiny", "--with-progress", db=path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"exported Tiny (6 terms) to {out} (Anki package, with 12 card schedules and 1 answers)"
    r = run_cli("export", str(tmp_path / "deck.json"), "--deck", "Tiny", "--with-progress", db=path)
    assert r.returncode == 1 and r.stderr.startswith("error: ") and "ending in .apkg" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1

    # the phone's collection file itself (collection.anki2), after one answer there
    conn = collection(out, tmp_path)
    cid = conn.execute("SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ? AND c.ord = 1",
                       [guid(db, "alpha")]).fetchone()[0]
    conn.execute("INSERT INTO revlog VALUES (?, ?, 0, 4, 4, 0, 2500, 1000, 0)", [ms(NOW + DAY), cid])
    conn.commit()
    bare = tmp_path / "collection.anki2"
    bare.write_bytes(Path(conn.execute("PRAGMA database_list").fetchone()[2]).read_bytes())
    conn.close()
    r = run_cli("import", str(bare), "--with-history", db=path)
    assert r.returncode == 0, r.stderr
    assert "counted 1 answers given in Anki as reviews (1 already here, 0 without a matching card); " \
        "1 card schedules refolded" in r.stdout
    av = card_id(db, "alpha", "reverse")
    assert [(x.source, x.grade) for x in db.reviews_of_card(av)] == [("review", 5)]
    assert schedule(db, av)[0] == SM2State(1, 260, 1, date(2025, 3, 12))


def test_a_leech_made_on_the_phone_is_suspended(db: Store, tmp_path: Path):
    db.set_setting("leech_threshold", 2)
    ar = card_id(db, "alpha", "recall")
    answering.answer(db, ar, 4, NOW - 2 * DAY)
    exported = tmp_path / "out.apkg"
    anki_progress.export_apkg(db, "Tiny", exported, with_progress=True, now=NOW)
    a = guid(db, "alpha")
    # Again on 03-11, Good on 03-12 (learned again), Again on 03-13: the second lapse makes a leech
    phone = phone_package(exported, tmp_path / "phone.apkg", tmp_path, [
        (a, 0, NOW + DAY, 1), (a, 0, NOW + 2 * DAY, 3), (a, 0, NOW + 3 * DAY, 1)])
    imports.apply(db, imports.plan([phone]), with_history=True)
    card = db.card(ar)
    assert (card.lapses, card.leech, card.suspended) == (2, True, True)
    assert [r.leeched for r in db.reviews_of_card(ar)] == [False, False, False, True]
