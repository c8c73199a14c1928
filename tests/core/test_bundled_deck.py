"""The bundled ML glossary (issue 2, section 3)."""

from __future__ import annotations

import re

import pytest

from mlcards import bundled
from mlcards.importers import deckfile
from mlcards.models import Deck
from mlcards.store import Store
from mlcards.text import term_key

REQUIRED = [
    "learning rate",
    "gradient descent",
    "gradient step",
    "hyperparameter",
    "weight",
    "bias",
    "loss",
    "activation function",
    "backpropagation",
    "batch",
    "batch normalization",
    "batch size",
    "Bayesian neural network",
    "co-adaptation",
    "convergence",
    "deep model",
    "depth",
    "hidden layer",
    "output layer",
    "embedding layer",
]


@pytest.fixture(scope="module")
def decks() -> list[Deck]:
    files = bundled.deck_files()
    assert files, "no bundled deck files found"
    return [deckfile.parse(p) for p in files]


@pytest.fixture(scope="module")
def terms(decks):
    return [t for d in decks for t in d.terms]


def test_bundled_files_exist_and_parse(decks):
    assert bundled.decks_dir().is_dir()
    for p in bundled.deck_files():
        assert p.suffix in bundled.DECK_SUFFIXES
    assert all(d.name and d.description for d in decks)


def test_at_least_150_terms(decks):
    assert sum(len(d.terms) for d in decks) >= 150


def test_required_terms_present(terms):
    keys = {t.key for t in terms}
    missing = [r for r in REQUIRED if term_key(r) not in keys]
    assert missing == []


def test_no_duplicates(decks):
    for d in decks:
        keys = [t.key for t in d.terms]
        assert len(keys) == len(set(keys))
        # the raw file's spelling too (the model would refuse a duplicate, this checks we did not dodge it)
        assert len({t.term for t in d.terms}) == len(d.terms)


def test_every_related_link_resolves_within_its_deck(decks):
    for d in decks:
        keys = {t.key for t in d.terms}
        dangling = [(t.term, r) for t in d.terms for r in t.related if term_key(r) not in keys]
        assert dangling == []


def test_every_term_has_at_least_two_related(terms):
    few = [t.term for t in terms if len(t.related) < 2]
    assert few == []


def test_no_self_links(terms):
    assert [t.term for t in terms if t.key in {term_key(r) for r in t.related}] == []


def test_no_empty_fields(terms):
    for t in terms:
        assert t.term.strip() and t.definition.strip(), t.term
        assert t.explanation and t.explanation.strip(), f"{t.term}: no explanation"
        assert t.example is None or t.example.strip()
        assert t.tags, f"{t.term}: no tags"
        assert all(tag.strip() and " " not in tag for tag in t.tags)
        assert all(r.strip() for r in t.related)


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def test_definitions_are_one_sentence_and_explanations_two_to_four(terms):
    bad_def = [t.term for t in terms if len(_SENTENCE_END.findall(t.definition)) != 1]
    bad_expl = [t.term for t in terms if not 2 <= len(_SENTENCE_END.findall(t.explanation or "")) <= 4]
    assert bad_def == []
    assert bad_expl == []


def test_definition_does_not_just_repeat_the_term(terms):
    assert [t.term for t in terms if term_key(t.definition).startswith(t.key + " is ")] == []


def test_graph_is_connected_enough_for_multiple_choice(decks):
    for d in decks:
        g = d.graph()
        assert all(len(nbrs) >= 2 for nbrs in g.values())


def test_installing_the_bundled_deck_gives_cards_for_every_term(decks):
    s = Store.memory(install_bundled=True)
    try:
        summaries = s.deck_summaries()
        assert [x.name for x in summaries] == [d.name for d in decks]
        for summary, d in zip(summaries, decks):
            assert summary.terms == len(d.terms)
            # recall + reverse + related for every term (all have neighbours)
            assert summary.cards == 3 * len(d.terms)
            assert summary.new == summary.cards and summary.due == 0
        # the bundled deck round-trips through the store unchanged
        for d in decks:
            assert s.export_deck(d.name) == d
    finally:
        s.close()
