"""Typed answers that know the neighbourhood (issue 10 section 2): aliases, confusable terms, typos."""

from __future__ import annotations

import sqlite3

import pytest
from rapidfuzz import fuzz

from mlcards import answers
from mlcards.answers import judge_typed
from mlcards.models import Deck
from mlcards.store import Store
from tests.conftest import run_cli

DECK = Deck(
    name="Confusables",
    terms=[
        dict(term="overfitting", definition="Fitting the noise of the training set.", contrasts_with=["underfitting"]),
        dict(term="underfitting", definition="Too simple to capture the pattern.", related=["type I error"]),
        dict(term="type I error", aliases=["false positive"], definition="Rejecting a true null hypothesis.",
             contrasts_with=["type II error"]),
        dict(term="type II error", aliases=["false negative"], definition="Keeping a false null hypothesis.",
             related=["L1 regularization"]),
        dict(term="L1 regularization", aliases=["lasso"], definition="Penalty on the sum of absolute weights.",
             contrasts_with=["L2 regularization"]),
        dict(term="L2 regularization", aliases=["ridge", "weight decay"], definition="Penalty on squared weights.",
             related=["encoder"]),
        dict(term="encoder", definition="Maps the input to a representation.", contrasts_with=["decoder"]),
        dict(term="decoder", definition="Maps a representation to the output.", related=["gradient descent"]),
        dict(term="gradient descent", definition="Repeated steps against the slope.",
             related=["stochastic gradient descent"]),
        dict(term="stochastic gradient descent", aliases=["SGD"], definition="Steps on one example at a time.",
             related=["standardization"]),
        dict(term="standardization", aliases=["z-score normalization", "z-score"],
             definition="Subtract the mean, divide by the spread.", related=["Fréchet inception distance"]),
        dict(term="Fréchet inception distance", aliases=["FID"], definition="Distance between image feature sets.",
             related=["overfitting"]),
        dict(term="k-nearest neighbors", aliases=["k-nearest neighbours", "kNN"], definition="Vote of the closest.",
             related=["overfitting"]),
    ],
)
ALIASES = {t.term: tuple(t.aliases) for t in DECK.terms}


def judge(typed: str, expected: str) -> answers.TypedVerdict:
    others = [(t, a) for t, a in ALIASES.items() if t != expected]
    return judge_typed(typed, expected, ALIASES[expected], others)


# --- confusable pairs: a different term of the deck is wrong, whatever its similarity -------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("underfitting", "overfitting"),
        ("overfitting", "underfitting"),
        ("type I error", "type II error"),
        ("type II error", "type I error"),
        ("L1 regularization", "L2 regularization"),
        ("L2 regularization", "L1 regularization"),
        ("encoder", "decoder"),
        ("decoder", "encoder"),
    ],
)
def test_another_term_of_the_deck_is_wrong(typed, expected):
    v = judge(typed, expected)
    assert v.grade == 1 and v.other == typed
    assert v.reason == f"you typed {typed!r}, a different term"
    assert v.score < 100  # the similarity is still reported; it does not decide


def test_the_confusables_would_pass_as_typos_without_the_deck():
    """What the neighbourhood changes: alone, these are close enough for a 3 or a 4."""
    assert judge_typed("underfitting", "overfitting").grade == 3
    assert judge_typed("encoder", "decoder").grade == 3


def test_a_misspelled_other_term_is_named_too():
    v = judge("underfiting", "overfitting")
    assert v.grade == 1 and v.other == "underfitting"
    assert v.reason == "'underfiting' is closest to 'underfitting', a different term"


def test_another_terms_alias_is_wrong_and_named_with_its_term():
    v = judge("ridge", "L1 regularization")
    assert v.grade == 1 and v.other == "L2 regularization"
    assert v.reason == "you typed 'ridge' ('L2 regularization'), a different term"
    v = judge("false positive", "type II error")
    assert v.grade == 1 and v.other == "type I error"


def test_a_containing_term_is_a_different_term():
    assert judge("gradient descent", "stochastic gradient descent").other == "gradient descent"
    assert judge("stochastic gradient descent", "gradient descent").other == "stochastic gradient descent"


# --- numbers, roman numerals and letters are never typos ---------------------------------------------


@pytest.mark.parametrize(
    "typed, expected, differs",
    [
        ("L3 regularization", "L2 regularization", ("3", "2")),
        ("type III error", "type II error", ("iii", "ii")),
        ("type error", "type II error", ("nothing", "ii")),
        ("k-farthest neighbors", "k-nearest neighbors", None),  # a word, not a distinguishing token
    ],
)
def test_a_distinguishing_token_is_never_a_typo(typed, expected, differs):
    v = judge_typed(typed, expected)  # no other term involved
    if differs is None:
        assert v.grade >= 2 and v.reason == ""
    else:
        assert v.grade == 1 and v.other is None
        assert v.reason == f"{differs[0]!r} where the answer has {differs[1]!r}: that names a different thing, not a typo"


def test_roman_and_arabic_numerals_are_the_same_answer():
    assert judge("type 2 error", "type II error").grade == 5
    assert judge("L 2 regularization", "L2 regularization").grade == 5


# --- aliases, accents, hyphens, spacing ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected, matched",
    [
        ("SGD", "stochastic gradient descent", "SGD"),
        ("sgd", "stochastic gradient descent", "SGD"),
        ("z-score", "standardization", "z-score"),
        ("Z score", "standardization", "z-score"),
        ("zscore normalization", "standardization", "z-score normalization"),
        ("weight decay", "L2 regularization", "weight decay"),
        ("k-nearest neighbours", "k-nearest neighbors", "k-nearest neighbours"),
        ("KNN", "k-nearest neighbors", "kNN"),
        ("frechet inception distance", "Fréchet inception distance", "Fréchet inception distance"),
        ("FRÉCHET-INCEPTION_DISTANCE", "Fréchet inception distance", "Fréchet inception distance"),
        ("k nearest neighbors", "k-nearest neighbors", "k-nearest neighbors"),
        ("  Stochastic-Gradient   Descent! ", "stochastic gradient descent", "stochastic gradient descent"),
        ("the encoder", "encoder", "encoder"),
    ],
)
def test_the_term_or_any_alias_passes_ignoring_case_accents_hyphens_and_spacing(typed, expected, matched):
    v = judge(typed, expected)
    assert v.grade == 5 and v.exact and v.matched == matched and v.other is None
    assert v.diff == [("same", matched)]


def test_a_typo_in_an_alias_is_compared_with_the_alias():
    v = judge("weight decy", "L2 regularization")
    assert v.grade == 4 and v.matched == "weight decay" and v.marked() == "weight dec[+a+]y"


# --- typos and the diff ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected, grade, marked",
    [
        ("gradeint descent", "gradient descent", 4, "grad[+i+]e[-i-]nt descent"),
        ("decoderr", "decoder", 4, "decoder[-r-]"),
        ("stochastic gradiant descnt", "stochastic gradient descent", 4, "stochastic gradi[-a-][+e+]nt desc[+e+]nt"),
        ("standardisation", "standardization", 4, "standardi[-s-][+z+]ation"),
        ("grad descent", "gradient descent", 3, "grad[+ient+] descent"),
    ],
)
def test_typos_still_pass_and_the_diff_reads_without_colour(typed, expected, grade, marked):
    v = judge(typed, expected)
    assert v.grade == grade and v.other is None and v.reason == ""
    assert v.marked() == marked
    assert "[bold" not in v.marked() and "\x1b" not in v.marked()


def test_nothing_typed_is_0_and_nonsense_is_1():
    assert judge("   ", "overfitting").grade == 0
    v = judge("banana", "overfitting")
    assert v.grade == 1 and v.other is None


# --- the thresholds: exact grades at boundary similarities -------------------------------------------


@pytest.mark.parametrize(
    "typed, expected, score, grade",
    [
        ("qwertyuiox", "qwertyuiop", 90.0, 4),  # one substitution in 10 letters: exactly 90
        ("qwezzyuiopasdfghjkl", "qwertyuiopasdfghjkl", 100 * (1 - 4 / 38), 3),  # 89.47: just below 90
        ("qwez", "qwer", 75.0, 3),  # exactly 75
        ("qwzrtyuxopz", "qwertyuiopa", 100 * (1 - 6 / 22), 2),  # 72.7: below 75
        ("qz", "qw", 50.0, 2),  # exactly 50
    ],
)
def test_grade_boundaries(typed, expected, score, grade):
    assert fuzz.ratio(typed, expected) == pytest.approx(score)
    v = judge_typed(typed, expected)
    assert v.score == pytest.approx(score) and v.grade == grade


def test_just_below_50_is_1():
    typed, expected = "qzzzzyuio", "qwertyuio"  # 4 of 9 letters replaced: 55.6
    score = fuzz.ratio(typed, expected)
    assert score == pytest.approx(100 * (1 - 8 / 18))  # 55.6
    assert judge_typed(typed, expected).grade == 2
    typed = "qzzzzzuio"  # 5 substitutions: 44.4
    assert fuzz.ratio(typed, expected) == pytest.approx(100 * (1 - 10 / 18))
    assert judge_typed(typed, expected).grade == 1


def test_the_grade_floors_are_the_documented_ones():
    assert answers.GRADE_FLOORS == ((100.0, 5), (90.0, 4), (75.0, 3), (50.0, 2))


# --- the store side: names per deck, read once per session ------------------------------------------


def test_answer_names_reads_each_deck_once_and_leaves_the_card_out(monkeypatch):
    store = Store.memory()
    store.apply_deck(DECK)
    calls = []
    real = store.answer_names
    monkeypatch.setattr(store, "answer_names", lambda deck_id: calls.append(deck_id) or real(deck_id))

    from mlcards.session import ReviewSession

    session = ReviewSession(store, limit=0)
    names = session.answer_names
    assert session.answer_names is names  # one per session
    cards = {c.term: c for c in (store.cards_of_term(tid)[1] for tid, *_ in real(store.deck_id("Confusables")))}
    over = cards["overfitting"]
    assert over.kind.value == "reverse" and over.aliases == ()
    v = names.judge("underfitting", over)
    assert v.grade == 1 and v.other == "underfitting"
    assert names.judge("SGD", cards["stochastic gradient descent"]).grade == 5
    assert names.judge("overfitting", over).grade == 5  # the card's own term is not an "other"
    assert len(calls) == 1
    names.forget()
    names.judge("x", over)
    assert len(calls) == 2


# --- plain mode, end to end ------------------------------------------------------------------------------


def test_plain_review_names_the_confusable_and_suggests_1(tmp_path):
    db = tmp_path / "c.db"
    with Store.open(db) as s:
        s.apply_deck(DECK)
        s.set_setting("timezone", "UTC")
        s.db.execute("UPDATE cards SET suspended = 1 WHERE kind != 'reverse'")
    # overfitting: 'underfitting' typed, the suggestion (1) accepted; underfitting: a typo, 4 accepted
    r = run_cli("review", "--plain", "--limit", "2", input="underfitting\n\nunderfiting\n\n", db=db)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Fitting the noise of the training set." in out
    assert "you typed 'underfitting': 78% match" in out
    assert "compared with 'overfitting': [-und-][+ov+]erfitting" in out
    assert "you typed 'underfitting', a different term: suggested grade 1" in out
    assert "grade 0-5 [1]>" in out and "grade 0-5 [4]>" in out
    assert "compared with 'underfitting': underfit[+t+]ing" in out
    assert "\x1b" not in out and "[bold" not in out
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT t.term, c.kind, r.grade FROM reviews r JOIN cards c ON c.id = r.card_id "
        "JOIN terms t ON t.id = c.term_id ORDER BY r.id"
    ).fetchall()
    con.close()
    assert rows[:2] == [("overfitting", "reverse", 1), ("underfitting", "reverse", 4)]
