"""Snapshots of the review screen with a long back (a term as long as the bundled deck's longest) at
100x30 and 80x24: after the reveal the front, the question and the check marks stay on screen while
the back scrolls under them; the interval preview, four-button mode, the summary before leaving and
the day-one note.

Regenerate with ``pytest tests/tui/test_snapshots_review.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

import pytest

from mlcards.models import Deck
from mlcards.tui.app import make_app
from tests.tui._support import answer_before, at_day, card_id, clock, keep_only, make_db, settle

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])

NAIVE_BAYES = dict(  # copied from the bundled deck, so these snapshots do not follow its edits
    term="naive Bayes",
    aliases=["naive Bayes classifier"],
    definition="A probabilistic classifier that scores each class by its prior probability times the product of "
    "per-input likelihoods given that class, treating the inputs as independent once the class is known, and "
    "predicts the highest-scoring class.",
    explanation="The rule follows from Bayes' theorem: the posterior is proportional to prior times likelihood, and "
    "the independence assumption factorizes the likelihood into one term per input. The assumption is almost always "
    "false, hence the name, yet the ranking of classes is often good enough, especially for text. It trains in one "
    "counting pass; in practice it sums log-probabilities to avoid underflow and uses smoothing so that one unseen "
    "word cannot zero out a class.",
    example="P(spam) = 0.4, P('free' | spam) = 0.3, P('win' | spam) = 0.2; P(not spam) = 0.6, P('free' | not spam) "
    "= 0.05, P('win' | not spam) = 0.02. Spam scores 0.4 x 0.3 x 0.2 = 0.024 and not spam 0.6 x 0.05 x 0.02 = "
    "0.0006, so the email is classified as spam, with posterior 0.024 / 0.0246, about 0.98.",
    related=["Bayes' theorem", "prior", "likelihood"],
    tags=["classic-ml", "math"],
)


def long_deck() -> Deck:
    return Deck(
        name="Classic ML",
        description="One long term and its neighbours, for the review snapshots.",
        terms=[
            NAIVE_BAYES,
            dict(term="Bayes' theorem", definition="The posterior is the prior times the likelihood, normalised.",
                 related=["naive Bayes", "prior"]),
            dict(term="prior", definition="What is believed about a quantity before the data is seen.",
                 related=["likelihood", "Bayes' theorem"]),
            dict(term="likelihood", definition="How probable the data is under each value of the parameters.",
                 related=["prior", "naive Bayes"]),
            dict(term="logistic regression", definition="A linear model of the log-odds of a class.",
                 related=["naive Bayes"]),
        ],
    )


@pytest.fixture
def long_db(tmp_path):
    return make_db(tmp_path / "long.db", long_deck())


async def reveal(pilot):
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    await pilot.press("space")
    await settle(pilot)


@SIZES
def test_long_back_keeps_the_front_in_view(snap_compare, long_db, fake_time, size):
    """naive Bayes revealed: prompt and term pinned at the top, the back scrolled to its start, previews."""
    assert snap_compare(make_app(long_db, clock=clock), run_before=reveal, terminal_size=size)


@SIZES
def test_long_back_scrolled_keeps_the_front(snap_compare, long_db, fake_time, size):
    """The back scrolled to its end (pagedown twice): the front has not moved."""

    async def scrolled(pilot):
        await reveal(pilot)
        await pilot.press("pagedown", "pagedown")
        await settle(pilot)

    assert snap_compare(make_app(long_db, clock=clock), run_before=scrolled, terminal_size=size)


@SIZES
def test_multiple_choice_marks_stay_in_view(snap_compare, tmp_path, fake_time, size):
    """A related card with a long scenario answered wrongly: the choices with ✓ and ✗ stay on screen."""
    db = make_db(tmp_path / "mc.db", long_deck())
    [related] = keep_only(db, ("naive Bayes", "related"))
    answer_before(db, related, 5, at_day(29))  # due today, one repetition: previews of 1 and 6 days

    async def wrong(pilot):
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = pilot.app.screen
        await pilot.press(str((screen.shown.question.answer + 1) % len(screen.shown.question.choices) + 1))
        await settle(pilot)

    assert snap_compare(make_app(db, clock=clock), run_before=wrong, terminal_size=size)


@SIZES
def test_four_button_grade_bar(snap_compare, tmp_path, fake_time, size):
    db = make_db(tmp_path / "four.db", long_deck(), settings={"answer_buttons": 4})
    answer_before(db, card_id(db, "naive Bayes", "recall"), 5, at_day(29))
    assert snap_compare(make_app(db, clock=clock), run_before=reveal, terminal_size=size)


@SIZES
def test_summary_before_leaving_and_the_next_due_date(snap_compare, long_db, fake_time, size):
    """One answer, then q: the summary with 'q again to leave', and the next due date beside the progress bar."""

    async def leave(pilot):
        await reveal(pilot)
        await pilot.press("4", "q")
        await settle(pilot)

    assert snap_compare(make_app(long_db, clock=clock), run_before=leave, terminal_size=size)


@SIZES
def test_day_one_summary_note(snap_compare, long_db, fake_time, size):
    async def day_one(pilot):
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        while pilot.app.screen.phase != "done":
            await pilot.press("space", "5")
            await settle(pilot)

    assert snap_compare(make_app(long_db, clock=clock), run_before=day_one, terminal_size=size)
