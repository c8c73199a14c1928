"""The bundled ML glossary (issue 2, section 3)."""

from __future__ import annotations

import re

import pytest

from mlcards import bundled
from mlcards.database import memory_database
from mlcards.importers import deckfile
from mlcards.models import Deck
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
    return [deckfile.read_deck(p) for p in files]


@pytest.fixture(scope="module")
def terms(decks):
    return [t for d in decks for t in d.terms]


def test_bundled_files_exist_and_parse(decks):
    assert bundled.decks_dir().is_dir()
    for p in bundled.deck_files():
        assert p.suffix in bundled.DECK_SUFFIXES
    assert all(d.name and d.description for d in decks)


CLUSTERS = {
    "foundations", "optimization", "losses-metrics", "data", "generalization", "neural-networks", "vision",
    "sequence-models", "nlp-llm", "generative", "classic-ml", "unsupervised", "math", "reinforcement-learning",
    "responsible-ai", "mlops", "recsys",
}
"""Issue 10's topic clusters: every term's first tag names one."""

ISSUE_10_TERMS = [
    "Adam", "AdamW", "RMSProp", "learning rate schedule", "saddle point", "mixed precision training",
    "true positive", "true negative", "false positive", "false negative", "specificity", "mean absolute error",
    "root mean squared error", "R-squared", "hinge loss", "Huber loss", "PR AUC", "calibration", "BLEU", "ROUGE",
    "A/B test", "k-fold cross-validation", "stratified split", "elastic net", "label smoothing", "double descent",
    "perceptron", "multilayer perceptron", "GELU", "leaky ReLU", "He initialization", "Xavier initialization",
    "convolutional filter", "stride", "padding", "pooling", "receptive field", "intersection over union",
    "semantic segmentation", "query, key and value", "multi-head attention", "causal attention",
    "encoder-decoder architecture", "GRU", "backpropagation through time", "prompt engineering",
    "in-context learning", "chain-of-thought prompting", "instruction tuning", "RLHF", "DPO", "LoRA",
    "retrieval-augmented generation", "greedy decoding", "beam search", "top-k sampling", "top-p sampling",
    "KV cache", "mixture of experts", "scaling laws", "Gini impurity", "information gain", "boosting",
    "support vector machine", "DBSCAN", "Gaussian mixture model", "expectation-maximization", "t-SNE", "UMAP",
    "singular value decomposition", "Bellman equation", "temporal-difference learning", "policy gradient",
    "proximal policy optimization", "deep Q-network", "multi-armed bandit", "equalized odds",
    "equality of opportunity", "SHAP", "LIME", "differential privacy", "recommender system",
]


def test_at_least_450_terms_in_the_issue_10_clusters(terms):
    assert len(terms) >= 450
    assert {t.tags[0] for t in terms} == CLUSTERS
    assert all(t.tags[0] in CLUSTERS for t in terms)
    keys = {t.key for t in terms}
    assert [n for n in ISSUE_10_TERMS if term_key(n) not in keys] == []


def test_aliases_and_typed_relations_are_used(terms):
    by_key = {t.key: t for t in terms}
    assert "SGD" in by_key["stochastic gradient descent"].aliases
    assert any(term_key(a) == "type i error" for a in by_key["false positive"].aliases)
    assert sum(1 for t in terms if t.aliases) >= 150
    for kind in ("is_a", "part_of", "contrasts_with", "used_for"):
        assert sum(len(getattr(t, kind)) for t in terms) >= 40, kind
    assert "overfitting" in {term_key(n) for n in by_key["underfitting"].links()} | {
        t.key for t in terms if "underfitting" in {term_key(n) for n in t.links()}}


def test_the_link_graph_is_one_island(decks):
    for d in decks:
        g = d.graph()
        start = next(iter(g))
        seen, todo = {start}, [start]
        while todo:
            for n in g[todo.pop()] - seen:
                seen.add(n)
                todo.append(n)
        assert seen == set(g), sorted(set(g) - seen)[:20]


def test_definitions_never_name_their_term_or_an_alias(terms):
    def norm(text: str) -> str:
        return " " + re.sub(r"[^a-z0-9]+", " ", text.casefold()) + " "

    bad = [(t.term, n) for t in terms for n in (t.term, *t.aliases) if norm(n) in norm(t.definition)]
    assert bad == []


BRITISH = re.compile(r"(optimis|regularis|normalis|generalis|minimis|initialis|tokenis|neighbour|behaviour|colour|"
                     r"modelling|labelled|labelling|centre)", re.I)


def test_one_spelling_us_throughout(terms):
    fields = ("term", "definition", "explanation", "example")
    assert [(t.term, f) for t in terms for f in fields if BRITISH.search(getattr(t, f) or "")] == []


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


def test_every_link_resolves_within_its_deck(decks):
    for d in decks:
        keys = {t.key for t in d.terms}
        dangling = [(t.term, r) for t in d.terms for r in t.links() if term_key(r) not in keys]
        assert dangling == []


def test_every_term_has_two_to_six_links(terms):
    few = [t.term for t in terms if not 2 <= len(t.links()) <= 6]
    assert few == []


def test_no_self_links(terms):
    assert [t.term for t in terms if t.key in {term_key(r) for r in t.links()}] == []


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
    s = memory_database()
    try:
        summaries = s.deck_summaries()
        assert [x.name for x in summaries] == [d.name for d in decks]
        for summary, d in zip(summaries, decks):
            assert summary.terms == len(d.terms)
            # recall + reverse + related for every term (all have neighbours)
            assert summary.cards == 3 * len(d.terms)
            assert summary.unseen == summary.cards and summary.due == 0 and summary.new == 20
        # the bundled deck round-trips through the store unchanged
        for d in decks:
            assert s.export_deck(d.name) == d
    finally:
        s.close()
