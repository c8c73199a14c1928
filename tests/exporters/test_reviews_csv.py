"""The review-log CSV: one row per answer, times in UTC and in the stored local offset, exact easiness."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from mlcards import answering
from mlcards.errors import StoreError
from mlcards.exporters import reviews
from mlcards.models import Deck
from mlcards.store import Store
from tests.conftest import small_deck, utc


def card_id(store: Store, term: str, kind: str = "recall", deck: str = "Tiny") -> int:
    return store.db.execute(
        "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id "
        "WHERE t.term = ? AND c.kind = ? AND d.name = ?",
        [term, kind, deck],
    ).fetchone()[0]


def read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


@pytest.fixture
def ny_store(tiny_store: Store) -> Store:
    tiny_store.set_setting("timezone", "America/New_York")
    return tiny_store


def test_rows_match_answers_with_local_offsets(ny_store: Store, tmp_path: Path):
    alpha, beta = card_id(ny_store, "alpha"), card_id(ny_store, "beta", "reverse")
    # 09:30 in New York (winter, -05:00): a new card graded 3 -> EF 2.50 - 0.14 = 2.36, interval 1.
    answering.answer(ny_store, alpha, 3, utc(2025, 1, 15, 14, 30), duration_ms=4200)
    # Same study day again: a re-drill, logged but the schedule does not move; no duration known.
    answering.answer(ny_store, alpha, 5, utc(2025, 1, 15, 15, 0, 5))
    # 03:30 local on the 16th is still study day the 15th (rollover 4 AM); grade 0 -> EF 1.70.
    answering.answer(ny_store, beta, 0, utc(2025, 1, 16, 8, 30), duration_ms=61000)
    # Summer (-04:00), 23:15 local on June 30: second review, grade 5 -> interval 6, EF 2.46.
    answering.answer(ny_store, alpha, 5, utc(2025, 7, 1, 3, 15, 0), duration_ms=1500)

    out = tmp_path / "log.csv"
    assert reviews.write(ny_store, out) == 4
    rows = read_csv(out)
    assert list(rows[0].keys()) == list(reviews.COLUMNS)
    assert [r["card_id"] for r in rows] == [str(alpha), str(alpha), str(beta), str(alpha)]
    assert [int(r["review_id"]) for r in rows] == sorted(int(r["review_id"]) for r in rows)

    first, redrill, night, summer = rows
    assert first == {
        "review_id": first["review_id"],
        "card_id": str(alpha),
        "deck": "Tiny",
        "term": "alpha",
        "card_kind": "recall",
        "reviewed_at_utc": "2025-01-15T14:30:00.000Z",
        "reviewed_at_local": "2025-01-15T09:30:00.000-05:00",
        "study_day": "2025-01-15",
        "grade": "3",
        "kind": "new",
        "interval_before": "0",
        "interval_after": "1",
        "easiness_before": "2.50",
        "easiness_after": "2.36",
        "due_after": "2025-01-16",
        "duration_ms": "4200",
    }
    assert (redrill["kind"], redrill["grade"], redrill["reviewed_at_local"]) == ("redrill", "5", "2025-01-15T10:00:05.000-05:00")
    assert (redrill["interval_before"], redrill["interval_after"]) == ("1", "1")
    assert (redrill["easiness_before"], redrill["easiness_after"], redrill["due_after"]) == ("2.36", "2.36", "2025-01-16")
    assert redrill["duration_ms"] == ""

    assert night["card_kind"] == "reverse" and night["term"] == "beta"
    assert night["reviewed_at_local"] == "2025-01-16T03:30:00.000-05:00"
    assert night["study_day"] == "2025-01-15"
    assert (night["easiness_after"], night["interval_after"], night["due_after"]) == ("1.70", "1", "2025-01-16")

    assert summer["reviewed_at_utc"] == "2025-07-01T03:15:00.000Z"
    assert summer["reviewed_at_local"] == "2025-06-30T23:15:00.000-04:00"
    assert summer["study_day"] == "2025-06-30"
    assert (summer["kind"], summer["interval_before"], summer["interval_after"]) == ("review", "1", "6")
    assert (summer["easiness_before"], summer["easiness_after"], summer["due_after"]) == ("2.36", "2.46", "2025-07-06")


def test_utc_store_renders_zero_offset(tiny_store: Store, tmp_path: Path):
    tiny_store.set_setting("timezone", "UTC")
    answering.answer(tiny_store, card_id(tiny_store, "gamma"), 4, utc(2025, 3, 2, 12, 0, 0, 123000))
    [row] = read_csv(_written(tiny_store, tmp_path))
    assert row["reviewed_at_utc"] == "2025-03-02T12:00:00.123Z"
    assert row["reviewed_at_local"] == "2025-03-02T12:00:00.123+00:00"


def test_half_hour_offset(tiny_store: Store, tmp_path: Path):
    tiny_store.set_setting("timezone", "Asia/Kolkata")  # +05:30, no DST
    answering.answer(tiny_store, card_id(tiny_store, "gamma"), 4, utc(2025, 3, 2, 20, 0))
    [row] = read_csv(_written(tiny_store, tmp_path))
    assert row["reviewed_at_local"] == "2025-03-03T01:30:00.000+05:30"
    assert row["study_day"] == "2025-03-02"  # 01:30 is before the 4 AM rollover


def _written(store: Store, tmp_path: Path, **kw) -> Path:
    out = tmp_path / "log.csv"
    reviews.write(store, out, **kw)
    return out


def test_deck_filter_and_formula_injection(ny_store: Store, tmp_path: Path):
    ny_store.apply_deck(
        Deck(
            name="=HYPERLINK(\"http://x\")",
            terms=[
                dict(term="+plus", definition="d"),
                dict(term="-minus", definition="d"),
                dict(term="@at", definition="d"),
                dict(term="plain, with \"quotes\" and ünïcode", definition="d"),
            ],
        )
    )
    evil = "=HYPERLINK(\"http://x\")"
    for i, term in enumerate(["+plus", "-minus", "@at", "plain, with \"quotes\" and ünïcode"]):
        answering.answer(ny_store, card_id(ny_store, term, deck=evil), 4, utc(2025, 2, 1, 12, i))
    answering.answer(ny_store, card_id(ny_store, "alpha"), 4, utc(2025, 2, 1, 13, 0))

    everything = read_csv(_written(ny_store, tmp_path))
    assert len(everything) == 5
    only = read_csv(_written(ny_store, tmp_path, deck=evil))
    assert len(only) == 4
    assert {r["deck"] for r in only} == {"'" + evil}
    assert [r["term"] for r in only] == ["'+plus", "'-minus", "'@at", "plain, with \"quotes\" and ünïcode"]
    tiny_only = read_csv(_written(ny_store, tmp_path, deck="tiny"))  # deck names are case-insensitive
    assert [(r["deck"], r["term"]) for r in tiny_only] == [("Tiny", "alpha")]
    # Generated cells are never touched: times with a negative offset do not start with '-'.
    assert all(not r["reviewed_at_local"].startswith("'") for r in everything)


def test_guard_cell():
    assert reviews.guard_cell("=1+1") == "'=1+1"
    assert reviews.guard_cell("+1") == "'+1"
    assert reviews.guard_cell("-1") == "'-1"
    assert reviews.guard_cell("@SUM(A1)") == "'@SUM(A1)"
    assert reviews.guard_cell("\t=1") == "'\t=1"
    assert reviews.guard_cell("a=1") == "a=1"
    assert reviews.guard_cell("") == ""


@pytest.mark.parametrize("centi, text", [(250, "2.50"), (236, "2.36"), (130, "1.30"), (1000, "10.00"), (305, "3.05")])
def test_easiness_text_is_exact(centi: int, text: str):
    assert reviews.easiness_text(centi) == text


def test_empty_log_writes_header_only(store: Store, tmp_path: Path):
    out = tmp_path / "log.csv"
    assert reviews.write(store, out) == 0
    assert out.read_bytes() == (",".join(reviews.COLUMNS) + "\r\n").encode()


def test_unknown_deck_writes_nothing(tiny_store: Store, tmp_path: Path):
    out = tmp_path / "log.csv"
    with pytest.raises(StoreError, match="no deck named 'nope'"):
        reviews.write(tiny_store, out, deck="nope")
    assert list(tmp_path.iterdir()) == []


def test_review_log_rows_store_query(ny_store: Store):
    cid = card_id(ny_store, "delta", "reverse")
    answering.answer(ny_store, cid, 2, utc(2025, 1, 10, 12, 0), duration_ms=10)
    [row] = list(ny_store.review_log_rows())
    assert row.card_id == cid and row.term == "delta" and row.card_kind == "reverse"
    assert (row.ease_before, row.ease_after) == (Decimal("2.50"), Decimal("2.18"))
    assert row.utc_offset_min == -300 and row.source == "review"
    other = ny_store.apply_deck(small_deck("Other"))
    assert other.created
    assert list(ny_store.review_log_rows(ny_store.deck_id("Other"))) == []
