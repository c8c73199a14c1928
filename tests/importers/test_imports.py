"""The one import use case (``mlcards.imports``): parse all, merge decks met twice, preview, apply."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import genanki
import pytest

from mlcards import imports
from mlcards.errors import DeckError
from mlcards.importers import merge_decks
from mlcards.models import Deck, Term
from mlcards.store import Store
from tests.importers._support import FIXTURES, add_revlog, card_ids, genanki_model, legacy_package, write_collection


def terms(deck: Deck) -> dict[str, Term]:
    return {t.key: t for t in deck.terms}


def deck_terms(store: Store, deck: str) -> dict[str, dict]:
    rows = store.db.execute(
        "SELECT t.key, t.definition, t.explanation, t.example FROM terms t JOIN decks d ON d.id = t.deck_id WHERE d.name = ?",
        [deck],
    ).fetchall()
    return {key: {"definition": d, "explanation": x, "example": e} for key, d, x, e in rows}


# --- merging: glossary pages (enrich) meeting a term twice -------------------------------------------


def test_enrich_merge_keeps_what_is_known_and_adds_what_is_new() -> None:
    full = Deck(name="A", terms=[Term(term="overfitting", definition="Memorizes.", explanation="Learns noise.",
                                      example="A deep tree.", related=["dropout"], tags=["eval"])])
    mention = Deck(name="B", terms=[Term(term="Overfitting", definition="Too close a fit.", related=["Dropout", "bias"],
                                         tags=["eval", "ml"])])
    t = terms(merge_decks([full, mention], "ML", "enrich"))["overfitting"]
    assert t.definition == "Too close a fit."  # the later text where it says something
    assert t.explanation == "Learns noise." and t.example == "A deep tree."  # kept: the later one says nothing
    assert t.related == ["dropout", "bias"]  # united, by key
    assert t.tags == ["eval", "ml"]
    replaced = terms(merge_decks([full, mention], "ML", "replace"))["overfitting"]
    assert replaced.explanation is None and replaced.related == ["Dropout", "bias"]  # 'replace' mirrors the later file


def test_pages_in_two_files_into_one_deck_are_merged_by_enriching(tmp_path: Path) -> None:
    # the full page first, then a file that mentions the term only under "People also read": one
    # deck, merged before it is applied, and the related-only mention does not wipe the explanation
    plan = imports.plan([FIXTURES / "overfitting-page.txt", FIXTURES / "ml-pages.txt"], deck_name="ML")
    assert [(d.deck.name, d.mode) for d in plan.decks] == [("ML", "enrich")]
    overfitting = terms(plan.decks[0].deck)["overfitting"]
    assert overfitting.explanation is not None and overfitting.explanation.startswith("It has learned the noise")
    assert overfitting.example is not None and overfitting.example.startswith("A decision tree grown")

    with Store.open(tmp_path / "cards.db") as store:
        result = imports.apply(store, plan)
        assert [r.deck for r in result.decks] == ["ML"]
        stored = deck_terms(store, "ML")
    assert stored["overfitting"]["explanation"].startswith("It has learned the noise")
    assert stored["dropout"]["explanation"].startswith("Because no unit")


def test_decks_met_in_several_files_are_one_deck(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "ML.md", tmp_path / "b" / "ML.md"
    for path, text in ((a, "## Epoch\nOne pass.\n\n## Batch\nA group.\n"), (b, "## epoch\nOne full pass.\n")):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    plan = imports.plan([a, b])
    assert len(plan.decks) == 1 and plan.decks[0].mode == "replace"
    assert {k: t.definition for k, t in terms(plan.decks[0].deck).items()} == {"epoch": "One full pass.", "batch": "A group."}


# --- all or nothing, preview, progress ---------------------------------------------------------------


def test_a_file_that_does_not_parse_stops_the_import_before_anything_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "X", "terms": [}', encoding="utf-8")
    with pytest.raises(DeckError) as err:
        imports.plan([FIXTURES / "optimization.md", bad])
    assert err.value.line == 1 and "bad.json" in str(err.value)


def test_preview_writes_nothing_and_apply_reports_progress(store: Store) -> None:
    plan = imports.plan([FIXTURES / "optimization.md", FIXTURES / "evaluation.tsv"])
    preview = imports.preview(store, plan)
    assert preview.dry_run and all(r.created for r in preview.decks)
    assert store.deck_names() == []

    seen: list[tuple[int, int]] = []
    result = imports.apply(store, plan, progress=lambda done, total: seen.append((done, total)))
    assert not result.dry_run and [r.added for r in result.decks] == [r.added for r in preview.decks]
    assert sorted(store.deck_names()) == sorted(r.deck for r in result.decks)
    assert seen[-1] == (plan.terms, plan.terms)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # never goes back


def test_a_failure_while_applying_rolls_everything_back(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = imports.plan([FIXTURES / "optimization.md", FIXTURES / "evaluation.tsv"])
    real = Store.apply_deck
    calls = 0

    def second_fails(self: Store, deck: Deck, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk on fire")
        return real(self, deck, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "apply_deck", second_fails)
    with pytest.raises(RuntimeError):
        imports.apply(store, plan)
    assert store.deck_names() == []


# --- the Anki review log --------------------------------------------------------------------------------


def package_with_history(tmp_path: Path) -> Path:
    deck = genanki.Deck(1_800_000_000, "Imported")
    deck.add_note(genanki.Note(model=genanki_model(), fields=["gradient", "Direction of steepest ascent."]))
    db = write_collection(tmp_path / "c.anki2", [deck])
    ids = card_ids(db)
    t0 = int(datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp() * 1000)
    add_revlog(db, [(t0, ids[("gradient", 0)], 3, 1, 0, 2500, 5000, 0),
                    (t0 + 86_400_000, ids[("gradient", 1)], 4, 3, 0, 2500, 5000, 0),
                    (t0 + 2 * 86_400_000, 999_999, 3, 1, 0, 2500, 5000, 1)])  # a card not in the package
    return legacy_package(tmp_path / "g.apkg", db)


def test_history_only_when_asked(tmp_path: Path, store: Store) -> None:
    plan = imports.plan([package_with_history(tmp_path)])
    assert plan.history_entries == 2  # the revlog row of an unknown card is not an entry of any note

    without = imports.apply(store, plan)
    assert without.history_added == 0 and without.history_left == 2
    assert store.count("reviews") == 0
    assert without.notes() == [
        "note: g.apkg: 2 Anki review-log entries not imported (add --with-history to bring them over)"
    ]

    with_history = imports.apply(store, plan, with_history=True)
    assert with_history.history_added == 2 and with_history.history_left == 0
    assert store.count("reviews") == 2
    assert with_history.notes() == []
    assert with_history.history_lines() == [
        "imported 2 Anki review-log entries (0 already here, 0 without a matching card); card schedules unchanged"
    ]
    again = imports.apply(store, plan, with_history=True)  # the same answers are never imported twice
    assert again.history_added == 0 and again.history_left == 2 and store.count("reviews") == 2


def test_preview_with_history_says_what_it_would_bring(tmp_path: Path, store: Store) -> None:
    plan = imports.plan([package_with_history(tmp_path)])
    result = imports.preview(store, plan, with_history=True)
    assert result.notes() == ["would bring over up to 2 Anki review-log entries from g.apkg"]
    assert store.count("reviews") == 0 and store.deck_names() == []
