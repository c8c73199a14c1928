"""Our exports imported by real Anki (the ``anki`` package from PyPI: Anki's own Rust importer).

Skipped when ``anki`` is not installed (it is not a dependency of mlcards). To run it:
``pip install anki`` into the test environment, then ``pytest tests/exporters/test_real_anki.py``.
Each import uses Anki's defaults, as File > Import does when the user just clicks Import.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from mlcards.exporters import export_deck
from mlcards.models import Deck

anki_collection = pytest.importorskip("anki.collection")

DECK = Deck(
    name="ML::Real Anki check",
    description="Checked by Anki itself.",
    terms=[
        dict(
            term="learning rate",
            definition="Step size.\nSecond line with <b>no markup</b> & an ampersand.",
            explanation='How far each update moves, in "quotes", with a, comma.',
            example="lr = 0.01; a | pipe",
            related=["gradient descent"],
            tags=["optimization", "training"],
        ),
        dict(term="gradient descent", definition="Follow the negative gradient.", related=["learning rate"], tags=["optimization"]),
        dict(term="#hashtag term", definition="Starts with a hash.", tags=["odd"]),
        dict(term="Réseau 神经网络", definition="Non-ASCII works."),
    ],
)


def fresh_collection(tmp_path: Path, name: str):
    folder = tmp_path / name
    folder.mkdir()
    return anki_collection.Collection(str(folder / "collection.anki2"))


def import_package(col, path: Path):
    req = anki_collection.ImportAnkiPackageRequest(
        package_path=str(path), options=anki_collection.ImportAnkiPackageOptions()
    )
    return col.import_anki_package(req).log


def test_anki_imports_and_updates_our_apkg(tmp_path: Path):
    first = tmp_path / "deck.apkg"
    export_deck(DECK, first, now=datetime(2025, 1, 1, tzinfo=timezone.utc))
    col = fresh_collection(tmp_path, "apkg")
    try:
        log = import_package(col, first)
        assert len(log.new) == 4
        assert "ML::Real Anki check" in [d.name for d in col.decks.all_names_and_ids()]
        assert col.card_count() == 8
        nid = col.find_notes('"Term:learning rate"')[0]
        note = col.get_note(nid)
        assert note.note_type()["name"] == "mlcards term"
        assert note["Definition"] == "Step size.<br>Second line with &lt;b&gt;no markup&lt;/b&gt; &amp; an ampersand."
        assert note["Related"] == "gradient descent"
        assert sorted(note.tags) == ["optimization", "training"]
        cards = {c.template()["name"]: c for c in note.cards()}
        assert set(cards) == {"Recall", "Reverse"}
        assert "learning rate" in cards["Recall"].question() and "Step size." not in cards["Recall"].question()
        assert "Step size." in cards["Recall"].answer() and "lr = 0.01" in cards["Recall"].answer()
        assert "Step size." in cards["Reverse"].question() and "learning rate" not in cards["Reverse"].question()

        # Exported again later with a changed definition: Anki updates the note, no duplicates.
        edited = DECK.model_copy(
            update={"terms": [DECK.terms[0].model_copy(update={"definition": "Changed."}), *DECK.terms[1:]]}
        )
        second = tmp_path / "deck2.apkg"
        export_deck(edited, second, now=datetime(2025, 2, 1, tzinfo=timezone.utc))
        log = import_package(col, second)
        assert len(log.new) == 0 and len(log.updated) == 4
        assert col.note_count() == 4
        assert col.get_note(nid)["Definition"] == "Changed."
    finally:
        col.close()


@pytest.mark.parametrize("suffix", [".tsv", ".csv"])
def test_anki_imports_our_text_file_without_questions(tmp_path: Path, suffix: str):
    path = tmp_path / f"deck{suffix}"
    export_deck(DECK, path)
    col = fresh_collection(tmp_path, suffix.strip("."))
    try:
        metadata = col.get_csv_metadata(str(path), None)  # what the import dialog starts with
        assert list(metadata.column_labels) == ["Front", "Back", "Explanation", "Example", "Related", "Tags", "Deck"]
        assert metadata.deck_column == 7 and metadata.tags_column == 6 and not metadata.is_html
        assert col.models.get(metadata.global_notetype.id)["name"] == "Basic (and reversed card)"
        assert list(metadata.global_notetype.field_columns) == [1, 2]
        log = col.import_csv(anki_collection.ImportCsvRequest(path=str(path), metadata=metadata)).log
        assert len(log.new) == 4
        assert "ML::Real Anki check" in [d.name for d in col.decks.all_names_and_ids()]
        fronts = sorted(col.get_note(n)["Front"] for n in col.find_notes(""))
        assert fronts == sorted(["learning rate", "gradient descent", "#hashtag term", "Réseau 神经网络"])
        note = col.get_note(col.find_notes('"Front:learning rate"')[0])
        assert note["Back"] == "Step size.<br>Second line with &lt;b&gt;no markup&lt;/b&gt; &amp; an ampersand."
        assert sorted(note.tags) == ["optimization", "training"]
        assert col.card_count() == 8
    finally:
        col.close()


@pytest.mark.parametrize("legacy", [False, True], ids=["current-anki21b", "legacy-anki21"])
def test_our_importer_reads_a_package_exported_by_anki(tmp_path: Path, legacy: bool):
    """Anki writes the package (Basic notes, HTML, tags, one review); our importer reads it back."""
    from mlcards import importers

    col = fresh_collection(tmp_path, "source")
    try:
        did = col.decks.id("From Anki")
        basic = col.models.by_name("Basic")
        for front, back in [("overfitting", "Fits noise.<br>Second <b>line</b> &amp; more"), ("dropout", "Zero units.")]:
            note = col.new_note(basic)
            note["Front"], note["Back"] = front, back
            note.tags = ["ml", "regularization"]
            col.add_note(note, did)
        card = col.get_card(col.find_cards('"Front:overfitting"')[0])
        card.start_timer()
        col.sched.answerCard(card, 3)
        out = tmp_path / "from-anki.apkg"
        col.export_anki_package(
            out_path=str(out),
            options=anki_collection.ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=legacy),
            limit=anki_collection.DeckIdLimit(deck_id=did),
        )
    finally:
        col.close()
    parsed = importers.load(out)
    assert [d.name for d in parsed.decks] == ["From Anki"]
    terms = {t.term: t for t in parsed.decks[0].terms}
    assert set(terms) == {"overfitting", "dropout"}
    assert terms["overfitting"].definition == "Fits noise.\nSecond line & more"
    assert list(terms["dropout"].tags) == ["ml", "regularization"]
    assert len(parsed.history) == 1


# --- the phone, through Anki: progress out, answers back --------------------------------------------


def test_progress_round_trip_through_real_anki(tmp_path: Path):
    """mlcards -> .apkg with progress -> Anki (same due days, intervals, review counts) -> 5 answers in
    Anki's scheduler -> Anki's export -> ``mlcards import --with-history`` -> the same review count and
    states on both sides; importing again changes nothing."""
    from datetime import timedelta

    from mlcards import anki_progress, answering, studyday
    from mlcards.database import open_database
    from mlcards.exporters import apkg
    from tests.conftest import run_cli, small_deck

    db_file = tmp_path / "ml.db"
    store = open_database(db_file, install_bundled=False)  # the machine's time zone, as Anki's
    store.apply_deck(small_deck())
    now = studyday.now()
    day = timedelta(days=1)

    def cid(term: str, kind: str) -> int:
        return store.db.execute(
            "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE t.key = ? AND c.kind = ?", [term, kind]
        ).fetchone()[0]

    for term, kind, answers in [
        ("alpha", "recall", [(8, 4), (7, 4)]),  # reps 2, 6 days: due yesterday
        ("alpha", "reverse", [(2, 4)]),  # due yesterday
        ("beta", "recall", [(1, 5)]),  # due today
        ("beta", "reverse", [(20, 4), (19, 3)]),  # long overdue
        ("gamma", "recall", [(3, 4)]),  # suspended below
        ("delta", "recall", [(1, 4), (1, 1)]),  # an answer and a re-drill the same day
    ]:
        for days_ago, grade in answers:
            answering.answer(store, cid(term, kind), grade, now - days_ago * day + timedelta(seconds=len(term)))
    store.set_suspended(cid("gamma", "recall"), True)
    store.bury(cid("zeta", "recall"), store.today(now))  # buried by the user until tomorrow
    out = tmp_path / "progress.apkg"
    anki_progress.export_apkg(store, "Tiny", out, with_progress=True, now=now)
    today = store.today(now)

    def ours() -> dict[tuple[str, int], dict]:
        """(note GUID, Anki template ord) -> our card's state and live answers."""
        rows = store.db.execute(
            "SELECT t.uuid, c.kind, c.id, c.repetitions, c.easiness_centi, c.interval, c.due, c.lapses, c.suspended, "
            "(SELECT COUNT(*) FROM reviews r WHERE r.card_id = c.id) FROM cards c JOIN terms t ON t.id = c.term_id "
            "WHERE c.kind IN ('recall', 'reverse')"
        ).fetchall()
        return {
            (apkg.note_guid_for_uuid(u), 0 if kind == "recall" else 1): dict(
                id=i, reps=reps, ease=ease, interval=ivl, due=due, lapses=lapses, suspended=bool(susp), answers=n)
            for u, kind, i, reps, ease, ivl, due, lapses, susp, n in rows
        }

    def theirs(col) -> dict[tuple[str, int], object]:
        return {(col.get_note(c.nid).guid, c.ord): c for c in (col.get_card(i) for i in col.find_cards("deck:Tiny"))}

    col = fresh_collection(tmp_path, "phone")
    try:
        req = anki_collection.ImportAnkiPackageRequest(
            package_path=str(out), options=anki_collection.ImportAnkiPackageOptions(with_scheduling=True)
        )
        assert len(col.import_anki_package(req).log.new) == 6
        mine, cards = ours(), theirs(col)
        assert set(cards) == set(mine) and len(cards) == 12
        from datetime import date

        for key, card in cards.items():
            me = mine[key]
            answers = col.db.scalar("SELECT COUNT(*) FROM revlog WHERE cid = ?", card.id)
            assert (card.reps, answers) == (me["answers"], me["answers"]), key
            if me["due"] is None:
                buried = key[0] == apkg.note_guid_for_uuid(
                    store.db.execute("SELECT uuid FROM terms WHERE key = 'zeta'").fetchone()[0]) and key[1] == 0
                assert (card.type, card.queue) == (0, -3 if buried else 0), key
                continue
            due_in = (date.fromisoformat(me["due"]) - today).days
            assert (card.type, card.due - col.sched.today) == (2, due_in), key  # the same due day
            assert (card.ivl, card.factor, card.lapses) == (me["interval"], me["ease"] * 10, me["lapses"]), key
            assert card.queue == (-1 if me["suspended"] else 2), key
        total_before = col.db.scalar("SELECT COUNT(*) FROM revlog")

        # five answers on the phone: four due reviews (Good, Again, Easy, Hard) and a new card (Easy)
        g = {t: apkg.note_guid_for_uuid(store.db.execute("SELECT uuid FROM terms WHERE key = ?", [t]).fetchone()[0])
             for t in ("alpha", "beta", "epsilon")}
        for (guid, ord_), ease in [((g["alpha"], 0), 3), ((g["alpha"], 1), 1), ((g["beta"], 0), 4),
                                   ((g["beta"], 1), 2), ((g["epsilon"], 0), 4)]:
            card = theirs(col)[(guid, ord_)]
            card.start_timer()
            col.sched.answerCard(card, ease)
        assert col.db.scalar("SELECT COUNT(*) FROM revlog") == total_before + 5
        back = tmp_path / "from-phone.apkg"
        col.export_anki_package(
            out_path=str(back),
            options=anki_collection.ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False),
            limit=anki_collection.DeckIdLimit(deck_id=col.decks.id_for_name("Tiny")),
        )
        phone_cards = theirs(col)
        phone_answers = {k: col.db.scalar("SELECT COUNT(*) FROM revlog WHERE cid = ?", c.id) for k, c in phone_cards.items()}
        phone_state = {k: (c.type != 0, c.queue == -1, c.lapses) for k, c in phone_cards.items()}
        whole = tmp_path / "phone.colpkg"  # the whole collection, as a backup: read the same way
        col.export_collection_package(str(whole), include_media=False, legacy=False)
    finally:
        col.close()
    store.close()
    from mlcards import importers

    def answers_in(path: Path) -> set[tuple[str, int, int]]:
        return {(e.guid, e.card_ord, e.revlog_id) for e in importers.load(path).history}

    assert answers_in(whole) == answers_in(back) and len(answers_in(back)) == sum(phone_answers.values())

    r = run_cli("import", str(back), "--with-history", db=db_file)
    assert r.returncode == 0, r.stderr
    assert "counted 5 answers given in Anki as reviews (9 already here, 0 without a matching card); " \
        "5 card schedules refolded" in r.stdout

    store = open_database(db_file, install_bundled=False)
    try:
        mine = ours()
        # every answer counted once, on both sides; the same cards studied, suspended and lapsed
        assert {k: v["answers"] for k, v in mine.items()} == phone_answers
        assert {k: (v["due"] is not None, v["suspended"], v["lapses"]) for k, v in mine.items()} == phone_state
        sources = {s for (s,) in store.db.execute("SELECT DISTINCT source FROM reviews")}
        assert sources == {"review"}
        cards_after = [store.card_schedule(c).schedule for c in store.card_ids()]
        count = store.db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]
    finally:
        store.close()

    r = run_cli("import", str(back), "--with-history", db=db_file)  # again: nothing changes
    assert r.returncode == 0, r.stderr
    assert "counted 0 answers given in Anki as reviews (14 already here" in r.stdout
    store = open_database(db_file, install_bundled=False)
    try:
        assert store.db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == count
        assert [store.card_schedule(c).schedule for c in store.card_ids()] == cards_after
    finally:
        store.close()
