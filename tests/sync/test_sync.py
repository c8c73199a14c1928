"""Sync between machines (issue 13): databases on real files syncing through one folder."""

from __future__ import annotations

import json
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlcards import answering, editing
from mlcards.errors import MlcardsError
from mlcards.models import Term
from mlcards.store import Store
from mlcards.sync import format as fmt
from mlcards.sync import status, sync
from tests.core._support import card_id
from tests.sync._support import at, converge, live_log, make_devices, schedules, state, terms


def later() -> None:
    """Let the wall clock move on: what follows is later than what came before by the devices' clocks
    (two writes in the same millisecond on two machines are concurrent, ordered by device id)."""
    time.sleep(0.005)


def close(stores: list[Store]) -> None:
    for s in stores:
        s.close()


def test_two_machines_answering_different_cards_the_same_day_agree_whatever_the_order(tmp_path):
    results = []
    for order in ([0, 1, 0], [1, 0, 1]):
        (a, b), folder = make_devices(tmp_path / "".join(map(str, order)), 2)
        ra = answering.answer(a, card_id(a, "alpha", "recall"), 4, at(0, 0))
        answering.answer(a, card_id(a, "beta", "recall"), 2, at(1, 0))
        answering.answer(b, card_id(b, "gamma", "recall"), 5, at(2, 1))
        answering.answer(b, card_id(b, "alpha", "recall"), 1, at(3, 1))  # the same card, later that day
        for i in order:
            sync((a, b)[i], folder)
        now = at(60)
        assert state(a, now) == state(b, now)
        log = live_log(a)
        assert len(log) == 4  # every answer counted once
        # alpha was answered on both machines the same day: the earlier answer (a's) ran the scheduler
        alpha = a.card_schedule(card_id(a, "alpha", "recall")).schedule
        assert alpha.state.interval == 1 and alpha.state.repetitions == 1
        assert ra.after.interval == alpha.state.interval
        results.append([(c, g, k) for _, c, _, _, g, k, _ in log])
        close([a, b])
    assert sorted(results[0]) == sorted(results[1])


def test_sync_again_changes_nothing_and_writes_no_file(tmp_path):
    (a, b), folder = make_devices(tmp_path, 2)
    answering.answer(a, card_id(a, "alpha", "recall"), 4, at(0))
    converge([a, b], folder)
    before = (state(a, at(9)), state(b, at(9)))
    files = sorted(p.name for p in folder.rglob("*.jsonl"))
    for s in (a, b, b, a):
        report = sync(s, folder)
        assert report.received == 0 and report.sent == 0
    assert (state(a, at(9)), state(b, at(9))) == before
    assert sorted(p.name for p in folder.rglob("*.jsonl")) == files
    close([a, b])


def test_edits_are_last_writer_wins_per_field_and_a_rename_keeps_identity(tmp_path):
    (a, b), folder = make_devices(tmp_path, 2)
    converge([a, b], folder)
    alpha_a, alpha_b = a.term_id_in_deck(a.deck_id("Tiny"), "alpha"), b.term_id_in_deck(b.deck_id("Tiny"), "alpha")
    cid = card_id(a, "alpha", "recall")
    answering.answer(a, cid, 4, at(0))
    a.update_term(alpha_a, a.term_model(alpha_a).model_copy(update={"definition": "from a"}))
    b.update_term(alpha_b, b.term_model(alpha_b).model_copy(update={"example": "from b"}))
    editing.rename_term(b, alpha_b, "Alpha prime")
    converge([a, b], folder)
    assert terms(a) == terms(b)
    model = a.term_model(alpha_a)
    assert (model.term, model.definition, model.example) == ("Alpha prime", "from a", "from b")
    # the renamed term is the same term: its card kept its answer, and beta's link followed the rename
    assert len(a.reviews_of_card(cid)) == 1
    assert "Alpha prime" in a.term_model(a.term_id_in_deck(a.deck_id("Tiny"), "beta")).related
    # two edits of one field: the later one wins on both
    b.update_term(alpha_b, b.term_model(alpha_b).model_copy(update={"definition": "b first"}))
    later()
    a.update_term(alpha_a, a.term_model(alpha_a).model_copy(update={"definition": "a later"}))
    converge([b, a], folder)
    assert a.term_model(alpha_a).definition == b.term_model(alpha_b).definition == "a later"
    close([a, b])


def test_a_delete_wins_only_over_older_edits(tmp_path):
    (a, b), folder = make_devices(tmp_path, 2)
    converge([a, b], folder)
    deck_a, deck_b = a.deck_id("Tiny"), b.deck_id("Tiny")
    answering.answer(b, card_id(b, "zeta", "recall"), 4, at(0, 1))
    # a deletes zeta; b then edits it (later): zeta stays everywhere, with b's answer
    editing.delete_terms(a, [a.term_id_in_deck(deck_a, "zeta")])
    later()
    zeta_b = b.term_id_in_deck(deck_b, "zeta")
    b.update_term(zeta_b, b.term_model(zeta_b).model_copy(update={"definition": "kept"}))
    converge([a, b], folder)
    assert terms(a) == terms(b)
    zeta_a = a.term_id_in_deck(deck_a, "zeta")
    assert zeta_a is not None and a.term_model(zeta_a).definition == "kept"
    assert live_log(a) == live_log(b) and len(live_log(a)) == 1
    # b edits epsilon, then a deletes it (later): gone everywhere
    eps_b = b.term_id_in_deck(deck_b, "epsilon")
    b.update_term(eps_b, b.term_model(eps_b).model_copy(update={"definition": "edited first"}))
    later()
    editing.delete_terms(a, [a.term_id_in_deck(deck_a, "epsilon")])
    converge([a, b], folder)
    assert a.term_id_in_deck(deck_a, "epsilon") is None and b.term_id_in_deck(deck_b, "epsilon") is None
    assert terms(a) == terms(b) and schedules(a) == schedules(b)
    close([a, b])


def test_undelete_brings_a_term_back_with_its_answers_on_the_other_machine(tmp_path):
    (a, b), folder = make_devices(tmp_path, 2)
    answering.answer(a, card_id(a, "delta", "recall"), 4, at(0))
    converge([a, b], folder)
    editing.delete_terms(a, [a.term_id_in_deck(a.deck_id("Tiny"), "delta")])
    converge([a, b], folder)
    assert b.term_id_in_deck(b.deck_id("Tiny"), "delta") is None and live_log(b) == []
    editing.restore(a)
    converge([a, b], folder)
    assert len(live_log(b)) == 1 and state(a, at(5)) == state(b, at(5))
    close([a, b])


def test_suspend_bury_settings_and_scheduler_travel(tmp_path):
    (a, b), folder = make_devices(tmp_path, 2)
    converge([a, b], folder)
    a.set_suspended(card_id(a, "beta", "recall"), True)
    b.bury(card_id(b, "gamma", "recall"), at(0).date())
    a.set_setting("new_per_day", 7)
    a.set_setting("theme", "textual-light")  # one machine's own setting: not sent
    answering.switch_scheduler(b, b.deck_id("Tiny"), "fsrs")
    converge([a, b], folder)
    assert schedules(a) == schedules(b)
    assert b.setting("new_per_day") == 7 and b.setting("theme") != "textual-light"
    assert a.deck_scheduler(a.deck_id("Tiny")) == "fsrs"
    close([a, b])


OPS = st.lists(
    st.tuples(
        st.sampled_from(["answer", "answer", "answer", "undo", "edit", "rename", "delete", "undelete", "suspend",
                         "bury", "setting", "deck", "sync", "sync"]),
        st.integers(0, 2),  # device
        st.integers(0, 30),  # which card or term
        st.integers(0, 5),  # grade
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, devices=st.sampled_from([2, 3]))
def test_random_interleavings_converge_with_every_answer_counted_once(tmp_path_factory, ops, devices):
    tmp = tmp_path_factory.mktemp("mesh")
    stores, folder = make_devices(tmp, devices)
    made: dict[str, str] = {}  # answer uuid -> card uuid
    minute = 0
    for op, dev, pick, grade in ops:
        s = stores[dev % devices]
        minute += 97  # about 1.6 hours: answers fall on several study days
        now = at(minute, dev)
        card_ids = s.card_ids()
        term_ids = [r[0] for r in s.db.execute("SELECT id FROM terms ORDER BY id")]
        if op == "answer" and card_ids:
            rid = answering.answer(s, card_ids[pick % len(card_ids)], grade, now).review_id
            made.update(s.db.execute(
                "SELECT r.uuid, c.uuid FROM review_log r JOIN cards c ON c.id = r.card_id WHERE r.id = ?", [rid]
            ).fetchall())
        elif op == "undo":
            row = s.db.execute("SELECT id FROM reviews ORDER BY id DESC LIMIT 1").fetchone()
            if row:
                answering.undo(s, row[0], now)
        elif op == "edit" and term_ids:
            tid = term_ids[pick % len(term_ids)]
            s.update_term(tid, s.term_model(tid).model_copy(update={"definition": f"def {minute}"}))
        elif op == "rename" and term_ids:
            editing.rename_term(s, term_ids[pick % len(term_ids)], f"name {minute}")
        elif op == "delete" and len(term_ids) > 1:
            editing.delete_terms(s, [term_ids[pick % len(term_ids)]], now)
        elif op == "suspend" and card_ids:
            cid = card_ids[pick % len(card_ids)]
            s.set_suspended(cid, not s.card(cid).suspended)
        elif op == "undelete" and s.db.execute("SELECT 1 FROM trash WHERE restored_at IS NULL").fetchone():
            try:
                editing.restore(s, now=now)
            except MlcardsError:
                pass  # a term has taken its name since: refused, as it would be for the user
        elif op == "bury" and card_ids:
            s.bury(card_ids[pick % len(card_ids)], s.today(now))
        elif op == "setting":
            s.set_setting("new_per_day", grade + pick)
        elif op == "deck" and s.deck_names():
            editing.rename_deck(s, s.deck_id(s.deck_names()[0]), f"Deck {minute}")
        elif op == "sync":
            sync(s, folder)
    converge(stores, folder, rounds=3)
    now = at(minute + 60)
    first = state(stores[0], now)
    for s in stores[1:]:
        assert state(s, now) == first
    # no answer lost: every answer made anywhere is in every log, unless its term was deleted for good
    live_cards = {r[0] for r in stores[0].db.execute("SELECT uuid FROM cards")}
    logged = {r[0]: r[1] for r in stores[0].db.execute(
        "SELECT r.uuid, c.uuid FROM review_log r JOIN cards c ON c.id = r.card_id")}
    assert set(logged) <= set(made)
    assert {u for u, c in made.items() if c in live_cards} <= set(logged)
    # the schedule is the fold of the merged log: a rebuild changes nothing
    for s in stores:
        assert answering.rebuild(s) == 0
    # and syncing again changes nothing
    for s in stores:
        assert sync(s, folder).sent == 0
    assert state(stores[-1], now) == first
    close(stores)


# --- the files ---------------------------------------------------------------------------------------


def _one_device_folder(tmp_path: Path) -> tuple[Store, Store, Path, Path]:
    (a, b), folder = make_devices(tmp_path, 2)
    converge([a, b], folder)
    answering.answer(a, card_id(a, "alpha", "recall"), 4, at(0))
    answering.answer(a, card_id(a, "beta", "recall"), 3, at(1))
    sync(a, folder)
    files = fmt.event_files(folder / a.sync_device().device_id)
    return a, b, folder, files[-1]


def test_a_torn_last_line_is_read_up_to_its_last_complete_line(tmp_path):
    a, b, folder, last = _one_device_folder(tmp_path)
    whole = last.read_bytes()
    lines = whole.split(b"\n")
    last.write_bytes(b"\n".join(lines[:-2]) + b"\n" + lines[-2][: len(lines[-2]) // 2])  # the last event cut
    report = sync(b, folder)
    assert report.reviews == 1 and not report.problems
    last.write_bytes(whole)  # the transport finishes the copy
    report = sync(b, folder)
    assert report.reviews == 1
    assert live_log(a) == live_log(b) and schedules(a) == schedules(b)
    close([a, b])


def test_a_corrupt_line_is_reported_and_its_file_not_applied(tmp_path, capsys):
    a, b, folder, last = _one_device_folder(tmp_path)
    whole = last.read_text(encoding="utf-8")
    lines = whole.splitlines(keepends=True)
    lines[0] = lines[0].replace('"grade":4', '"grade":5')  # the sum no longer matches
    last.write_text("".join(lines), encoding="utf-8")
    report = sync(b, folder)
    assert report.reviews == 0 and len(report.problems) == 1 and "checksum" in report.problems[0]
    assert live_log(b) == []
    last.write_text(whole, encoding="utf-8")  # repaired (the transport copies it again)
    assert sync(b, folder).reviews == 2
    close([a, b])


def test_a_foreign_file_is_reported_and_skipped(tmp_path):
    a, b, folder, last = _one_device_folder(tmp_path)
    a_dir = folder / a.sync_device().device_id
    # a well-formed line that names another device, in a's folder (copied there by mistake)
    obj = {"v": fmt.VERSION, "device": b.sync_device().device_id, "seq": 10_000, "hlc": 1, "kind": "review",
           "entity": "x", "data": {}}
    obj["sum"] = fmt.checksum(obj)
    (a_dir / "000001.jsonl").rename(a_dir / "000000.jsonl")
    (a_dir / "000001.jsonl").write_text(json.dumps(obj) + "\n", encoding="utf-8")
    (a_dir / "notes.txt").write_text("not an event file: ignored\n", encoding="utf-8")
    c = Store.open(tmp_path / "c.db")
    report = sync(c, folder)
    assert len(report.problems) == 1 and "another device" in report.problems[0]
    assert live_log(c) == []  # nothing of a's folder from the foreign file on
    close([a, b, c])


def test_a_file_from_a_newer_format_is_refused_by_the_cli(tmp_path):
    from tests.conftest import run_cli

    a, b, folder, last = _one_device_folder(tmp_path)
    obj = {"v": fmt.VERSION + 1, "device": a.sync_device().device_id, "seq": 10_000, "hlc": 1, "kind": "new",
           "entity": "x", "data": {}}
    obj["sum"] = fmt.checksum(obj)
    (last.parent / "900000.jsonl").write_text(json.dumps(obj) + "\n", encoding="utf-8")
    b_path = b.path
    close([a, b])
    result = run_cli("sync", str(folder), db=b_path)
    assert result.returncode == 1
    assert "newer mlcards" in result.stderr and "Traceback" not in result.stderr
    status_json = json.loads(run_cli("sync", "--status", "--json", db=b_path).stdout)
    assert status_json["peers"][0]["last_seq"] > 0


def test_status_shows_what_waits(tmp_path):
    from tests.conftest import run_cli

    (a, b), folder = make_devices(tmp_path, 2)
    answering.answer(a, card_id(a, "alpha", "recall"), 4, at(0))
    sync(a, folder)
    info = status(b, folder)
    assert info["unsent"] > 0 and info["peers"][0]["waiting"] > 0
    sync(b, folder)
    info = status(b)
    assert info["unsent"] == 0 and info["peers"][0]["waiting"] == 0 and info["peers"][0]["received"] > 0
    b_path = b.path
    close([a, b])
    out = run_cli("sync", "--status", db=b_path)
    assert out.returncode == 0 and "changes not sent yet: 0" in out.stdout
    missing = run_cli("sync", str(tmp_path / "nowhere"), db=b_path)
    assert missing.returncode == 1 and missing.stderr.startswith("error: ")


def test_an_answer_whose_card_has_not_arrived_waits_for_it(tmp_path):
    """c answers a term a created; b reads c's file before a's has arrived."""
    (a, b, c), folder = make_devices(tmp_path, 3)
    converge([a, b, c], folder)
    editing.add_term(a, "Tiny", Term(term="omega", definition="Last letter."))
    sync(a, folder)
    sync(c, folder)
    answering.answer(c, card_id(c, "omega", "recall"), 4, at(0, 2))
    sync(c, folder)
    a_dir = folder / a.sync_device().device_id
    hidden = tmp_path / "in-transit"
    a_dir.rename(hidden)
    report = sync(b, folder)
    assert report.pending == 1 and live_log(b) == []
    hidden.rename(a_dir)
    converge([a, b, c], folder)
    assert len(live_log(b)) == 1 and state(a, at(9)) == state(b, at(9)) == state(c, at(9))
    close([a, b, c])


def test_an_existing_history_is_sent_on_the_first_sync(tmp_path):
    """A database that predates sync: migration 0009 records what it already holds."""
    (a,), folder = make_devices(tmp_path, 1)
    answering.answer(a, card_id(a, "alpha", "recall"), 4, at(0))
    baseline = a.db.execute("SELECT COUNT(*) FROM sync_events WHERE kind = 'review'").fetchone()[0]
    assert baseline == 1
    b = Store.open(tmp_path / "fresh.db")
    sync(a, folder)
    sync(b, folder)
    assert live_log(b) == live_log(a) and schedules(a) == schedules(b)
    close([a, b])


def test_the_clock_moves_past_what_it_has_seen(tmp_path):
    (a, b), folder = make_devices(tmp_path, 2)
    a.db.execute("UPDATE sync_device SET hlc = hlc + 3600000000")  # a's clock runs an hour ahead (µs)
    a_id = a.term_id_in_deck(a.deck_id("Tiny"), "alpha")
    a.update_term(a_id, a.term_model(a_id).model_copy(update={"definition": "a, ahead"}))
    converge([a, b], folder)
    b_id = b.term_id_in_deck(b.deck_id("Tiny"), "alpha")
    b.update_term(b_id, b.term_model(b_id).model_copy(update={"definition": "b, after reading a"}))
    converge([a, b], folder)
    assert a.term_model(a_id).definition == "b, after reading a"
    close([a, b])


def test_a_copied_database_is_told_to_take_an_id_of_its_own(tmp_path):
    import shutil

    from mlcards.sync import SyncError, new_device

    (a,), folder = make_devices(tmp_path, 1)
    answering.answer(a, card_id(a, "alpha", "recall"), 4, at(0))
    sync(a, folder)
    a.close()
    shutil.copyfile(tmp_path / "device0.db", tmp_path / "copy.db")
    a, copy = Store.open(tmp_path / "device0.db"), Store.open(tmp_path / "copy.db")
    answering.answer(a, card_id(a, "beta", "recall"), 4, at(1))
    answering.answer(copy, card_id(copy, "gamma", "recall"), 3, at(2, 1))
    sync(a, folder)
    try:
        sync(copy, folder)
    except SyncError as e:
        assert "--new-device" in str(e)
    else:
        raise AssertionError("the copy wrote under the original's id")
    new_device(copy)
    converge([a, copy], folder)
    assert live_log(a) == live_log(copy) and len(live_log(a)) == 3
    assert schedules(a) == schedules(copy)
    close([a, copy])


def test_a_file_written_by_a_killed_sync_is_recognised_as_its_own(tmp_path):
    (a, b), folder = make_devices(tmp_path, 2)
    sync(a, folder)
    answering.answer(a, card_id(a, "alpha", "recall"), 4, at(0))
    me = a.sync_device()
    fmt.write_events(folder / me.device_id, a.sync_events_after(me.sent_seq, 100))  # written, not recorded
    report = sync(a, folder)
    assert report.sent == 0 and not report.problems
    sync(b, folder)
    assert live_log(a) == live_log(b)
    close([a, b])
