"""Anki cloze notes (issue 10): the syntax, the importers, cloze cards, the deck file, migration 0007."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import genanki
import pytest
from pydantic import ValidationError

from mlcards import answering, cloze, identity
from mlcards.cards import back_sections, cloze_answer, front, prompt_label
from mlcards.errors import DeckError
from mlcards.exporters import ankitext as ankitext_export
from mlcards.exporters import apkg as apkg_export
from mlcards.exporters import deckfile as deckfile_export
from mlcards.importers import ankitext, apkg
from mlcards.importers import deckfile as deckfile_import
from mlcards.importers.common import ClozeProblem, cloze_term
from mlcards.models import Deck, Term
from mlcards.plain import run_plain_review
from mlcards.records import CardKind
from mlcards.store import Store
from tests.conftest import small_deck, utc

TEXT = "{{c1::Adam}} adapts the {{c2::learning rate::what}} per weight; {{c1::AdamW}} decouples decay"


def cloze_deck(name: str = "Cloze") -> Deck:
    return Deck(name=name, terms=[
        Term(term="weight decay", definition="Shrinking weights toward zero each step."),
        cloze_term(TEXT, extra="An optimizer.", tags=["opt"], taken={"weight decay"}, position=2),
    ])


# --- the syntax ---------------------------------------------------------------------------------------

def test_several_indexes_and_hints() -> None:
    assert cloze.indexes(TEXT) == [1, 2]
    assert cloze.answer(TEXT, 1) == "Adam / AdamW"
    assert cloze.answer(TEXT, 2) == "learning rate"
    assert cloze.fill(TEXT) == "Adam adapts the learning rate per weight; AdamW decouples decay"
    assert cloze.front(TEXT, 1) == "[...] adapts the learning rate per weight; [...] decouples decay"
    assert cloze.front(TEXT, 2) == "Adam adapts the [what] per weight; AdamW decouples decay"
    assert cloze.back(TEXT, 2) == "Adam adapts the «learning rate» per weight; AdamW decouples decay"


def test_braces_inside_a_deletion_nest() -> None:
    text = r"The softmax is {{c1::e^{x_i} / \sum_j e^{x_j}}} and {x} stays"
    assert cloze.answer(text, 1) == r"e^{x_i} / \sum_j e^{x_j}"
    assert cloze.front(text, 1) == "The softmax is [...] and {x} stays"
    nested = "{{c1::a {{c2::b}} c}} d"
    assert cloze.indexes(nested) == [1, 2]
    assert cloze.front(nested, 2) == "a [...] c d" and cloze.front(nested, 1) == "[...] d"
    assert cloze.answer(nested, 1) == "a b c"


def test_an_unclosed_deletion_is_kept_as_text_and_reported() -> None:
    parsed = cloze.parse("{{c1::Adam}} and {{c2::never closed")
    assert parsed.indexes() == [1]
    assert parsed.problems and "never closed" in parsed.problems[0]
    assert cloze.fill("{{c1::Adam}} and {{c2::never closed") == "Adam and {{c2::never closed"
    with pytest.raises(ClozeProblem, match="never closed"):
        cloze_term("{{c1::oops", extra=None, tags=[], taken=set(), position=1)
    with pytest.raises(ValidationError):
        Term(term="x", definition="y", cloze="no deletion here")


def test_a_cloze_term_and_a_name_clash() -> None:
    t = cloze_term(TEXT, extra=None, tags=["a"], taken=set(), position=4)
    assert (t.term, t.definition, t.cloze, t.tags) == ("Adam / AdamW", cloze.fill(TEXT), TEXT, ["a"])
    clash = cloze_term("{{c1::Adam}} is fast", extra=None, tags=[], taken={"adam"}, position=4)
    assert clash.term == "Adam (cloze 4)"


# --- importers ----------------------------------------------------------------------------------------

def test_anki_text_file_with_notetype_cloze(tmp_path: Path) -> None:
    path = tmp_path / "cloze.txt"
    path.write_text(
        "#separator:tab\n#html:true\n#notetype:Cloze\n#deck:ML\n#tags:ml\n"
        "{{c1::Adam}} is an <b>optimizer</b>; {{c2::SGD::plain}} is another\tBack extra\n"
        "The {{c1::learning rate}} sets the step size\t\n",
        encoding="utf-8",
    )
    parsed = ankitext.parse(path)
    assert parsed.notices == []
    (deck,) = parsed.decks
    adam, lr = deck.terms
    assert (adam.term, adam.definition, adam.explanation) == ("Adam", "Adam is an optimizer; SGD is another", "Back extra")
    assert adam.cloze == "{{c1::Adam}} is an optimizer; {{c2::SGD::plain}} is another" and adam.tags == ["ml"]
    assert (lr.term, lr.explanation) == ("learning rate", None)


def test_anki_text_cloze_row_without_deletion_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("#notetype:Cloze\n#separator:tab\nno deletion at all\textra\n", encoding="utf-8")
    with pytest.raises(DeckError, match="without any deletion") as e:
        ankitext.parse(path)
    assert e.value.line == 3


def test_apkg_cloze_notes_become_cloze_cards(tmp_path: Path) -> None:
    deck = genanki.Deck(2_059_400_200, "Optim")
    deck.add_note(genanki.Note(model=genanki.CLOZE_MODEL, fields=[TEXT.replace(";", "<br>;"), "see <i>paper</i>"]))
    deck.add_note(genanki.Note(model=genanki.CLOZE_MODEL, fields=["{{c1::fine}} but {{c2::broken", ""]))
    path = tmp_path / "optim.apkg"
    genanki.Package(deck).write_to_file(str(path))
    parsed = apkg.parse(path)
    (d,) = parsed.decks
    (t,) = d.terms
    assert (t.term, t.explanation) == ("Adam / AdamW", "see paper")
    assert any("never closed" in n for n in parsed.notices)  # the unclosed one is skipped with a notice

    store = Store.memory()
    store.apply_deck(d)
    cards = [store.card(cid) for cid in store.card_ids()]
    assert [(c.kind, c.ordinal) for c in cards] == [(CardKind.RECALL, None), (CardKind.CLOZE, 1), (CardKind.CLOZE, 2)]
    c1, c2 = cards[1], cards[2]
    assert front(c1).startswith("[...] adapts the learning rate") and "[...] decouples" in front(c1)
    assert "[what]" in front(c2) and "Adam adapts" in front(c2)
    assert back_sections(c2)[0] == ("Answer", cloze.back(t.cloze or "", 2))
    assert cloze_answer(c1) == "Adam / AdamW" and prompt_label(c1) == "Fill in the blank"
    term_uuid = store.db.execute("SELECT uuid FROM terms").fetchone()[0]
    uuids = [r[0] for r in store.db.execute("SELECT uuid FROM cards WHERE kind = 'cloze' ORDER BY ordinal")]
    assert uuids == [identity.card_uuid(term_uuid, "cloze", ordinal=n) for n in (1, 2)]
    store.apply_deck(d)  # importing again adds nothing
    assert len(store.card_ids()) == 3


# --- exports and the deck file -----------------------------------------------------------------------

def test_deck_file_round_trip(tmp_path: Path) -> None:
    deck = cloze_deck()
    for suffix in (".json", ".toml", ".yaml"):
        path = tmp_path / f"d{suffix}"
        deckfile_export.write(deck, path)
        (back,) = deckfile_import.parse(path).decks
        assert back == deck
    plain = small_deck()
    assert "cloze" not in deckfile_export.dumps(plain, ".json")  # omitted when None: old files unchanged
    assert "cloze" in Deck.model_json_schema()["$defs"]["Term"]["properties"]


def test_store_round_trip_and_exports(tmp_path: Path) -> None:
    store = Store.memory()
    store.apply_deck(cloze_deck())
    exported = store.export_deck("Cloze")
    assert exported == cloze_deck()
    path = tmp_path / "c.apkg"
    apkg_export.write(exported, path)
    summary = apkg_export.check_package(path, expect_notes=2)
    assert summary.cards == 2 + 2  # basic: recall + reverse; cloze: one card per index
    (again,) = apkg.parse(path).decks
    assert again.terms[1].cloze == TEXT
    tsv = tmp_path / "c.tsv"
    ankitext_export.write(exported, tsv)
    assert "\tCloze\n" in tsv.read_text(encoding="utf-8").splitlines(keepends=True)[4]
    (from_text,) = ankitext.parse(tsv).decks
    assert from_text.terms[1].cloze == TEXT and from_text.terms[0].cloze is None


# --- migration 0006 -> 0007 --------------------------------------------------------------------------

def test_migration_0007_keeps_reviews_and_foreign_keys(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from mlcards.store.schema import migrations

    with Store.memory() as s:
        s.apply_deck(small_deck())
        s.set_setting("timezone", "UTC")
        ids = s.card_ids()
        for i, cid in enumerate(ids[:5]):
            answering.answer(s, cid, 4, utc(2026, 2, 2, 12, i))
        before_log = s.db.execute("SELECT * FROM review_log ORDER BY id").fetchall()
        before_cards = s.db.execute("SELECT * FROM cards ORDER BY id").fetchall()
        tables = {}
        for table in ("decks", "terms", "links", "cards", "review_log", "card_snapshots", "settings"):  # 0006's tables
            cols = [r[1] for r in s.db.execute(f"PRAGMA table_info({table})").fetchall() if r[1] not in ("ordinal", "cloze", "stability", "difficulty", "stability_after", "difficulty_after")]
            tables[table] = (cols, s.db.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall())
    # take the file back to schema 0006: rebuild it from migrations up to 0006 with the same rows
    old = tmp_path / "v6.db"
    conn = sqlite3.connect(old, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    db = Database(conn)
    migrations.apply(db, stop_before="0007_cloze")
    for table, (cols, rows) in tables.items():
        conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    conn.execute("INSERT INTO card_snapshots (card_id, repetitions, easiness_centi, interval, due, lapses, leech, "
                 "taken_at) VALUES (?, 1, 250, 1, '2026-02-03', 0, 0, 'x')", [ids[-1]])
    conn.close()

    with Store.open(old) as s:
        assert s.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert s.db.execute("SELECT * FROM review_log ORDER BY id").fetchall() == before_log
        assert s.count("reviews") == 5
        cards = s.db.execute("SELECT * FROM cards ORDER BY id").fetchall()
        assert cards == before_cards
        assert s.db.execute("SELECT card_id FROM card_snapshots").fetchall() == [(ids[-1],)]
        names = {r[0] for r in s.db.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'view')")}
        assert {"reviews", "cards_identity", "cards_due", "reviews_card", "review_log_uuid", "cards_uuid"} <= names
        s.apply_deck(cloze_deck())
        assert s.db.execute("SELECT COUNT(*) FROM cards WHERE kind = 'cloze'").fetchone()[0] == 2
        answering.undo(s, s.db.execute("SELECT MAX(id) FROM review_log").fetchone()[0], utc(2026, 2, 3, 12))
        assert s.count("reviews") == 4  # the view still reads the live log
        s.db.execute("DELETE FROM terms WHERE key = 'alpha'")  # cascades through cards into the log
        assert s.db.execute("PRAGMA foreign_key_check").fetchall() == []


# --- plain review --------------------------------------------------------------------------------------

def test_plain_review_of_cloze_cards() -> None:
    other = "Weight decay is what {{c1::AdamW}} decouples from the gradient step"
    with Store.memory() as s:
        s.apply_deck(Deck(name="Cloze", terms=[
            cloze_term(TEXT, extra="Two optimizers.", tags=[], taken=set(), position=1),
            cloze_term(other, extra=None, tags=[], taken={"adam / adamw"}, position=2),
        ]))
        s.set_setting("timezone", "UTC")
        for card in [s.card(cid) for cid in s.card_ids()]:
            if card.kind is not CardKind.CLOZE or card.ordinal == 1 and card.term == "Adam / AdamW":
                s.set_suspended(card.id, True)  # one card per term a day: leave the two to review today
        out = io.StringIO()
        # TEXT's c2 typed right (grade kept as suggested); the other's c1 typed wrong, then graded 1
        run_plain_review(s, stdin=io.StringIO("learning rate\n\nmomentum\n1\n"), stdout=out)
        text = out.getvalue()
        assert text.count("Fill in the blank") == 3  # the wrong one comes back as a re-drill
        assert "Adam adapts the [what] per weight; AdamW decouples decay" in text
        assert "Answer: Adam adapts the «learning rate» per weight; AdamW decouples decay" in text
        assert "In plain English: Two optimizers." in text
        assert "you typed 'learning rate': 100% match" in text
        assert "Weight decay is what [...] decouples" in text and "you typed 'momentum'" in text
        grades = [g for (g,) in s.db.execute("SELECT grade FROM reviews ORDER BY id")]
        assert grades == [5, 1]
