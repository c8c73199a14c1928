"""QuestionGraph's indexes give what a scan of every term gives (they only make big decks fast).

``named_in`` tries only the terms whose names' words are all in the text; ``namers`` finds the terms
whose texts name a term through a word index; ``near`` walks the link graph only up to ``FAR`` links.
Each is checked here against the plain definition on the bundled deck and on a synthetic deck built
to trip them (shared first words, plurals, hyphens, aliases, short upper-case names).
"""

from __future__ import annotations

import random
import re

import pytest

from mlcards.questions import FAR, Entry, QuestionGraph
from tests.core.test_questions import DECKS, Deck


def rule(entry: Entry) -> list[re.Pattern[str]]:
    """The rule, written out: a name or alias as whole words (parts joined by spaces or hyphens), plural allowed."""
    out = []
    for name in entry.names:
        name = " ".join(name.split())
        if len(name) < 2:
            continue
        body = r"[\s-]+".join(re.escape(p) for p in name.split(" "))
        flags = 0 if name.isupper() and len(name) <= 5 else re.IGNORECASE
        out.append(re.compile(rf"(?<![\w-]){body}(?:s|es)?(?![\w-])", flags))
    return out


def appears(entry: Entry, text: str) -> bool:
    return any(p.search(text) for p in rule(entry))


def synthetic() -> tuple[dict[int, Entry], dict[int, set[int]]]:
    rng = random.Random(11)
    heads = ["term", "gradient", "learning", "neural", "k-means", "ReLU", "AUC", "batch"]
    tails = ["rate", "descent", "network", "model", "norm", "clipping", "score", "process"]
    names = sorted({f"{rng.choice(heads)} {rng.choice(tails)}" for _ in range(200)} | set(heads) | set(tails))
    terms: dict[int, Entry] = {}
    for i, name in enumerate(names):
        others = rng.sample(names, 3)
        text = f"Like {others[0]}s, unlike the {others[1].upper()}; see {others[2].replace(' ', '-')}."
        aliases = (name.replace(" ", "-"),) if i % 5 == 0 else ()
        terms[i] = Entry(i, name, text, example=f"A {name} example." if i % 3 == 0 else None, aliases=aliases)
    adj = {i: {j for j in (i - 1, i + 1, i + 7) if j in terms} for i in terms}
    return terms, adj


def graphs():
    for paths in DECKS:
        deck = Deck(paths)
        yield pytest.param(QuestionGraph(deck.terms, deck.adj, deck.typed), id="+".join(p.name for p in paths))
    terms, adj = synthetic()
    yield pytest.param(QuestionGraph(terms, adj), id="synthetic")


@pytest.mark.parametrize("graph", list(graphs()))
def test_named_in_finds_exactly_the_terms_named(graph):
    rules = {tid: rule(e) for tid, e in graph.terms.items()}
    texts = [e.texts for e in graph.terms.values()][::4]  # a quarter of the deck: the reference scan is slow
    texts += ["Gradients descend; k-means, ReLUs and AUC (not auc).", "", "term-rate terms rates"]
    for text in texts:
        expected = {tid for tid, ps in rules.items() if any(p.search(text) for p in ps)}
        assert graph.named_in(text) == expected, text


@pytest.mark.parametrize("graph", list(graphs()))
def test_namers_are_the_terms_whose_texts_name_it(graph):
    named = {t: graph.named_in_texts(t) for t in graph.terms}
    for tid in graph.terms:
        assert graph.namers(tid) == {t for t in graph.terms if tid in named[t]}, graph.terms[tid].term


@pytest.mark.parametrize("graph", list(graphs()))
def test_near_is_distances_cut_at_far(graph):
    for tid in list(graph.terms)[:200]:
        assert graph.near(tid) == {t: d for t, d in graph.distances(tid).items() if d <= FAR}


def test_far_from_on_a_deck_where_every_name_shares_its_first_word():
    """The shape that made the first question of a 13,000-term deck take minutes: every name starts with
    "term" and every definition says "term". Far terms are still the ones the definition gives."""
    terms = {i: Entry(i, f"term {i}", f"Definition of term {i}, unlike term {(i * 7) % 300}.") for i in range(300)}
    adj = {i: {j for j in (i - 1, i + 1, i - 5, i + 5) if 0 <= j < 300} for i in terms}
    graph = QuestionGraph(terms, adj)
    for anchor in (0, 42, 299):
        dist = graph.distances(anchor)
        expected = {
            t for t in terms
            if dist.get(t, FAR) >= FAR and not appears(terms[t], terms[anchor].texts)
            and not appears(terms[anchor], terms[t].texts) and graph.similarities(anchor).get(t, 0.0) < 0.3
        }
        assert graph.far_from(anchor) == expected
    assert graph.question(42, "seed", turn=0) is not None
