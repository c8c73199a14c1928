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
