"""Packages exported by real Anki (the ``anki`` package from PyPI), read by our importer.

Skipped when ``anki`` is not installed. A collection is made with Anki's own API (a subdeck, tags,
HTML, a cloze note, a picture, answered cards), exported as a current package (``collection.anki21b``
plus Anki's placeholder ``collection.anki2``) and as a legacy one, then parsed and imported.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from mlcards.errors import DeckError
from mlcards.importers import apkg, load
from mlcards.imports import import_history
from mlcards.store import Store
from tests.importers._support import zip_members

anki_collection = pytest.importorskip("anki.collection")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("real-anki")
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    try:
        did = col.decks.id("ML::Basics")
        reversed_type = col.models.by_name("Basic (and reversed card)")
        epoch = col.new_note(reversed_type)
        epoch["Front"], epoch["Back"] = "epoch", "One pass<br>over the data &amp; labels"
        epoch.tags = ["ml", "core"]
        col.add_note(epoch, did)
        batch = col.new_note(col.models.by_name("Basic"))
        batch["Front"], batch["Back"] = "<b>batch</b>", "A group of examples"
        col.add_note(batch, did)
        cloze = col.new_note(col.models.by_name("Cloze"))
        cloze["Text"] = "{{c1::Adam}} is an optimizer"
        col.add_note(cloze, did)
        (folder / "chart.png").write_bytes(b"\x89PNG fake")
        name = col.media.add_file(str(folder / "chart.png"))
        chart = col.new_note(col.models.by_name("Basic"))
        chart["Front"], chart["Back"] = "loss curve", f'<img src="{name}"> loss per epoch'
        col.add_note(chart, did)

        answers = []
        for cid, ease in ((col.card_ids_of_note(epoch.id)[0], 3), (col.card_ids_of_note(epoch.id)[1], 4),
                          (col.card_ids_of_note(batch.id)[0], 1)):
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, ease)
            answers.append((card.ord, ease))
        revlog = col.db.all("SELECT id, ease, ivl, lastIvl, factor, type FROM revlog ORDER BY id")
        out = {}
        for legacy in (False, True):
            path = folder / ("legacy.apkg" if legacy else "current.apkg")
            col.export_anki_package(
                out_path=str(path),
                options=anki_collection.ExportAnkiPackageOptions(
                    with_scheduling=True, with_deck_configs=False, with_media=True, legacy=legacy
                ),
                limit=anki_collection.DeckIdLimit(did),
            )
            out["legacy" if legacy else "current"] = path
        out["revlog"] = revlog
        return out
    finally:
        col.close()


@pytest.mark.parametrize("kind", ["current", "legacy"])
def test_real_anki_package(exported: dict, kind: str) -> None:
    path = exported[kind]
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
    assert ("collection.anki21b" in names) == (kind == "current")
    assert "collection.anki2" in names  # the placeholder for old clients, never read
    result = apkg.parse(path)
    assert [d.name for d in result.decks] == ["ML::Basics"]
    terms = {t.term: t for t in result.decks[0].terms}
    assert list(terms) == ["epoch", "batch", "Adam", "loss curve"]  # the cloze note is a cloze term
    assert terms["epoch"].definition == "One pass\nover the data & labels"
    assert sorted(terms["epoch"].tags) == ["core", "ml"]
    assert terms["loss curve"].definition == "loss per epoch"
    assert f"{path.name}: 1 media file ignored (mlcards shows text only)" in result.notices
    assert terms["Adam"].cloze == "{{c1::Adam}} is an optimizer"
    assert not any("cloze" in n for n in result.notices)
    history = [(h.term, h.card_kind, h.ease) for h in result.history]
    assert history == [("epoch", "recall", 3), ("epoch", "reverse", 4), ("batch", "recall", 1)]
    assert [int(h.reviewed_at.timestamp() * 1000) for h in result.history] == [r[0] for r in exported["revlog"]]
    assert [(h.interval, h.last_interval, h.factor, h.anki_type) for h in result.history] == [
        tuple(r[2:]) for r in exported["revlog"]
    ]


def test_real_anki_package_into_a_database_with_history(exported: dict, tmp_path: Path) -> None:
    parsed = load(exported["current"], deck_name="From Anki")
    with Store.open(tmp_path / "cards.db") as store:
        with store.transaction():
            for deck in parsed.decks:
                store.apply_deck(deck, mode=parsed.mode)
            report = import_history(store, parsed.history)
        assert (report.added, report.unmatched) == (3, 0)
        rows = list(store.db.query("SELECT grade, kind, source FROM reviews ORDER BY reviewed_at"))
        assert [(r["grade"], r["kind"]) for r in rows] == [(4, "new"), (5, "new"), (1, "new")]
        assert store.db.execute("SELECT COUNT(*) FROM cards WHERE due IS NOT NULL").fetchone()[0] == 0


def test_real_anki_placeholder_alone_is_refused(exported: dict, tmp_path: Path) -> None:
    with zipfile.ZipFile(exported["current"]) as zf:
        stub = zip_members(tmp_path / "stub.apkg", {"collection.anki2": zf.read("collection.anki2")})
    with pytest.raises(DeckError, match="placeholder"):
        apkg.parse(stub)
