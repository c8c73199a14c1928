"""Importing into a real database: glossary pages enrich terms and keep progress; Anki history import."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import genanki
import pytest

from mlcards import answering, studyday
from mlcards.importers import AnkiReview, load
from mlcards.imports import import_history
from mlcards.store import Store
from mlcards.text import term_key
from tests.importers._support import FIXTURES, add_revlog, card_ids, genanki_model, legacy_package, write_collection


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def card_id(store: Store, deck: str, term: str, kind: str) -> int:
    row = store.db.execute(
        """SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id
           WHERE d.name = ? AND t.key = ? AND c.kind = ?""",
        [deck, term_key(term), kind],
    ).fetchone()
    assert row is not None, (deck, term, kind)
    return row[0]


def import_file(store: Store, path: Path, deck: str | None = None) -> None:
    parsed = load(path, deck_name=deck)
    with store.transaction():
        for d in parsed.decks:
            store.apply_deck(d, mode=parsed.mode, now=utc(2024, 1, 1, 12))


@pytest.fixture
def file_store(tmp_path: Path):
    store = Store.open(tmp_path / "cards.db")
    yield store
    store.close()


def test_later_page_enriches_a_related_term_and_keeps_its_progress(file_store: Store) -> None:
    import_file(file_store, FIXTURES / "ml-pages.txt", deck="ML")
    cid = card_id(file_store, "ML", "overfitting", "recall")
    assert file_store.card(cid).explanation is None  # met only as a related entry so far
    answering.answer(file_store, cid, 4, now=utc(2024, 1, 2, 12))
    answering.answer(file_store, card_id(file_store, "ML", "dropout", "recall"), 5, now=utc(2024, 1, 2, 12, 5))
    before = file_store.card(cid)
    assert before.state.due is not None
    reviews_before = file_store.reviews_of_card(cid)

    import_file(file_store, FIXTURES / "overfitting-page.txt", deck="ML")

    after = file_store.card(cid)
    assert after.explanation.startswith("It has learned the noise in the sample")
    assert after.example.startswith("A decision tree grown")
    assert after.state == before.state  # schedule kept exactly
    assert after.lapses == before.lapses
    assert file_store.reviews_of_card(cid) == reviews_before  # history kept
    # the new page listed dropout only as a related entry: dropout keeps its own explanation and example
    dropout = file_store.card(card_id(file_store, "ML", "dropout", "recall"))
    assert dropout.explanation.startswith("Because no unit can count on its neighbours")
    assert dropout.example is not None
    assert dropout.state.repetitions == 1
    # the new relation is linked; old ones stay
    neighbours = {b.term for b in file_store.term_neighbours(after.term_id)}
    assert neighbours == {"dropout", "validation set"}
    assert "overfitting" in file_store.card(card_id(file_store, "ML", "validation set", "recall")).related
    assert file_store.count("reviews") == 2


def test_pages_in_several_files_in_one_import(file_store: Store) -> None:
    # both files into one deck in one transaction, the order of the files does not lose the explanation
    parsed = [load(FIXTURES / "overfitting-page.txt", deck_name="ML"), load(FIXTURES / "ml-pages.txt", deck_name="ML")]
    with file_store.transaction():
        for p in parsed:
            for d in p.decks:
                file_store.apply_deck(d, mode=p.mode)
    overfitting = file_store.card(card_id(file_store, "ML", "overfitting", "recall"))
    assert overfitting.explanation.startswith("It has learned the noise")  # not wiped by the related-only mention
    dropout = file_store.card(card_id(file_store, "ML", "dropout", "recall"))
    assert dropout.explanation.startswith("Because no unit")


# --- Anki review history ---------------------------------------------------------------------------


def review(term: str, at: datetime, ease: int, ivl: int = 1, last: int = 0, factor: int = 2500,
           kind: str = "recall", anki_type: int = 1, deck: str = "Anki") -> AnkiReview:
    return AnkiReview(deck=deck, term=term, card_kind=kind, reviewed_at=at, ease=ease, interval=ivl,
                      last_interval=last, factor=factor, duration_ms=4200, anki_type=anki_type)


@pytest.fixture
def anki_store(store: Store) -> Store:
    from mlcards.models import Deck

    store.apply_deck(Deck(name="Anki", terms=[
        {"term": "epoch", "definition": "One pass."}, {"term": "batch", "definition": "A group."},
    ]))
    store.set_setting("timezone", "America/New_York")
    return store


def test_history_rows_mapping(anki_store: Store) -> None:
    recall = card_id(anki_store, "Anki", "epoch", "recall")
    schedule_before = anki_store.card(recall).state
    entries = [
        review("epoch", utc(2024, 1, 15, 8, 0), 3, ivl=-600, last=0, factor=0, anki_type=0),  # 03:00 New York
        review("epoch", utc(2024, 1, 16, 15, 0), 4, ivl=4, last=-600, factor=2650, anki_type=0),
        review("epoch", utc(2024, 1, 20, 15, 0), 1, ivl=-600, last=4, factor=2450, anki_type=1),
        review("epoch", utc(2024, 1, 21, 15, 0), 2, ivl=2, last=-600, factor=2300, anki_type=2),
        review("EPOCH", utc(2024, 1, 16, 15, 5), 3, ivl=3, kind="reverse", anki_type=0),
    ]
    report = import_history(anki_store, entries)
    assert (report.added, report.duplicates, report.unmatched) == (5, 0, 0)
    rows = anki_store.reviews_of_card(recall)
    assert [r.grade for r in rows] == [4, 5, 1, 3]  # Good, Easy, Again, Hard
    assert [r.kind for r in rows] == ["new", "review", "review", "review"]
    assert all(r.source == "anki" and r.duration_ms == 4200 for r in rows)
    first = rows[0]
    assert studyday.to_utc_text(first.reviewed_at) == "2024-01-15T08:00:00.000Z"
    assert first.study_day == date(2024, 1, 14)  # 03:00 local is before the 4 AM rollover
    assert first.utc_offset_min == -300
    assert (first.interval_before, first.interval_after) == (0, 0)  # learning steps in seconds -> 0 days
    assert (first.ease_before, first.ease_after) == (Decimal("2.50"), Decimal("2.50"))  # factor 0: unchanged
    assert (first.reps_before, first.reps_after) == (0, 1)
    assert first.due_before is None and first.due_after == date(2024, 1, 14)
    second = rows[1]
    assert (second.ease_before, second.ease_after, second.interval_after) == (Decimal("2.50"), Decimal("2.65"), 4)
    assert second.due_before == date(2024, 1, 14) and second.due_after == date(2024, 1, 20)
    lapse = rows[2]
    assert lapse.lapse == 1 and (lapse.reps_before, lapse.reps_after) == (2, 0)
    assert rows[3].lapse == 0  # Hard on a relearning step is not a new lapse
    reverse = anki_store.reviews_of_card(card_id(anki_store, "Anki", "epoch", "reverse"))
    assert [(r.kind, r.grade) for r in reverse] == [("new", 4)]
    # statistics only: the card's schedule has not moved
    assert anki_store.card(recall).state == schedule_before
    assert anki_store.card(recall).lapses == 0


def test_history_import_is_idempotent_and_counts_unmatched(anki_store: Store) -> None:
    entries = [review("batch", utc(2024, 2, 1, 12), 3), review("unknown term", utc(2024, 2, 1, 13), 3),
               review("batch", utc(2024, 2, 2, 12), 3, deck="No such deck")]
    first = import_history(anki_store, entries)
    assert (first.added, first.duplicates, first.unmatched) == (1, 0, 2)
    entries.append(review("batch", utc(2024, 2, 5, 12), 4))
    second = import_history(anki_store, entries)
    assert (second.added, second.duplicates, second.unmatched) == (1, 1, 2)
    rows = anki_store.reviews_of_card(card_id(anki_store, "Anki", "batch", "recall"))
    assert [r.kind for r in rows] == ["new", "review"]


def test_history_after_own_answers_is_not_new(anki_store: Store) -> None:
    cid = card_id(anki_store, "Anki", "batch", "recall")
    answering.answer(anki_store, cid, 4, now=utc(2024, 1, 1, 12))
    import_history(anki_store, [review("batch", utc(2024, 3, 1, 12), 3)])
    assert [(r.source, r.kind) for r in anki_store.reviews_of_card(cid)] == [("review", "new"), ("anki", "review")]


def test_same_day_anki_steps_are_redrills_and_stay_out_of_retention(anki_store: Store) -> None:
    from mlcards import stats

    cid = card_id(anki_store, "Anki", "epoch", "recall")
    import_history(anki_store, [
        review("epoch", utc(2024, 5, 1, 14, 0), 1, ivl=-60, anki_type=0),   # learning steps, one study day
        review("epoch", utc(2024, 5, 1, 14, 2), 3, ivl=-600, anki_type=0),
        review("epoch", utc(2024, 5, 1, 14, 15), 3, ivl=1, anki_type=0),
        review("epoch", utc(2024, 5, 2, 14, 0), 1, ivl=-600, last=1, anki_type=1),  # next day: a lapse
        review("epoch", utc(2024, 5, 2, 14, 10), 3, ivl=1, last=-600, anki_type=2),  # relearning, same day
    ])
    rows = anki_store.reviews_of_card(cid)
    assert [r.kind for r in rows] == ["new", "redrill", "redrill", "review", "redrill"]
    assert [r.lapse for r in rows] == [False, False, False, True, False]
    ret = stats.retention(anki_store, date(2024, 5, 2), "7")
    assert (ret.total.answers, ret.total.passed) == (1, 0)  # only the first answer of 2 May counts


def test_history_dry_run_writes_nothing(anki_store: Store) -> None:
    report = import_history(anki_store, [review("batch", utc(2024, 2, 1, 12), 3)], dry_run=True)
    assert report.added == 1
    assert anki_store.count("reviews") == 0


def test_history_from_a_package(tmp_path: Path, store: Store) -> None:
    deck = genanki.Deck(1_800_000_000, "Imported")
    model = genanki_model()
    deck.add_note(genanki.Note(model=model, fields=["gradient", "Direction of steepest ascent."]))
    db = write_collection(tmp_path / "c.anki2", [deck])
    ids = card_ids(db)
    t0 = int(utc(2024, 5, 1, 12).timestamp() * 1000)
    add_revlog(db, [(t0, ids[("gradient", 0)], 3, 1, 0, 2500, 5000, 0),
                    (t0 + 86_400_000, ids[("gradient", 1)], 4, 3, 0, 2500, 5000, 0)])
    parsed = load(legacy_package(tmp_path / "g.apkg", db))
    with store.transaction():
        store.apply_deck(parsed.decks[0])
        report = import_history(store, parsed.history)
    assert report.added == 2
    assert [r.grade for r in store.reviews_of_card(card_id(store, "Imported", "gradient", "recall"))] == [4]
    assert [r.grade for r in store.reviews_of_card(card_id(store, "Imported", "gradient", "reverse"))] == [5]
    assert store.card(card_id(store, "Imported", "gradient", "recall")).is_new  # schedule untouched
    assert store.reviews_of_card(card_id(store, "Imported", "gradient", "reverse"))[0].due_after == (
        store.reviews_of_card(card_id(store, "Imported", "gradient", "reverse"))[0].study_day + timedelta(days=3)
    )
