"""The one place counts and durations are worded (CLI, plain review, every screen)."""

from __future__ import annotations

import pytest

from mlcards.records import AnswerResult, CardState, ReviewKind
from mlcards.wording import duration, noun, plural


def test_plural():
    assert plural(1, "card") == "1 card"
    assert plural(0, "card") == "0 cards"
    assert plural(2, "re-drill") == "2 re-drills"
    assert plural(2, "leech", "leeches") == "2 leeches" and plural(1, "leech", "leeches") == "1 leech"
    assert noun(3, "day") == "days" and noun(1, "day") == "day"


@pytest.mark.parametrize(
    "seconds, text",
    [(0, "0s"), (0.4, "0s"), (9.6, "10s"), (59, "59s"), (60, "1m 00s"), (65, "1m 05s"), (3599, "59m 59s"),
     (3600, "1h 00m"), (7380, "2h 03m"), (-3, "0s")],
)
def test_duration(seconds, text):
    assert duration(seconds) == text
    assert duration(ms=int(seconds * 1000)) == text


def test_duration_takes_one_unit():
    with pytest.raises(TypeError):
        duration(1, ms=1000)
    with pytest.raises(TypeError):
        duration()


def test_enums_are_the_stored_strings():
    assert [k.value for k in ReviewKind] == ["new", "review", "redrill", "practice"]
    assert ReviewKind.REDRILL == "redrill" and f"{CardState.LEECH}" == "leech"
    assert {s.value for s in CardState} == {"new", "learning", "due", "scheduled", "suspended", "leech", "buried"}


def test_an_answer_result_kind_is_a_review_kind():
    from datetime import date

    from mlcards.schedulers.sm2 import SM2State

    state = SM2State()
    result = AnswerResult(1, 1, 5, "redrill", state, state, date(2025, 1, 1))  # type: ignore[arg-type]
    assert result.kind is ReviewKind.REDRILL
