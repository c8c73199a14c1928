"""Cards from terms (issue 2, section 4) and judging answers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcards import answers
from mlcards.cards import MAX_CHOICES, MIN_CHOICES, QuestionGraph, back_sections, build_question, front, prompt_label
from mlcards.records import CardKind
from mlcards.store import Store
from tests.conftest import small_deck
from tests.core._support import card_id


@dataclass(frozen=True)
class B:
    id: int
    term: str
    definition: str
    key: str


def graph(n: int, edges) -> tuple[dict[int, B], dict[int, set[int]]]:
    terms = {i: B(i, f"term {i}", f"definition {i}", f"term {i}") for i in range(n)}
    adj: dict[int, set[int]] = {i: set() for i in range(n)}
    for a, b in edges:
        if a != b:
            adj[a].add(b)
            adj[b].add(a)
    return terms, adj


def check(q, subject, terms, adj):
    """The invariants every question must satisfy."""
    assert MIN_CHOICES <= len(q.choices) <= MAX_CHOICES
    assert len(set(q.choices)) == len(q.choices)
    assert len(set(q.choice_ids)) == len(q.choice_ids) == len(q.choices)
    assert 0 <= q.answer < len(q.choices)
    assert q.subject_id == subject
    assert [terms[i].term for i in q.choice_ids] == list(q.choices)
    right = q.choice_ids[q.answer]
    assert q.is_correct(q.answer) and not any(q.is_correct(i) for i in range(len(q.choices)) if i != q.answer)
    dist = _distances(adj, subject)
    wrong = [i for i in q.choice_ids if i != right]
    if q.style == "define":
        assert right == subject
        assert terms[subject].definition in q.prompt
    elif q.style == "link":
        assert right in adj[subject]  # the right answer is related to the subject...
        assert subject not in q.choice_ids
        assert all(dist.get(w, 99) >= 3 for w in wrong)  # ...and every wrong choice is far from it
        assert terms[subject].term in q.prompt
    else:
        assert q.style == "not_related"  # the inverted form: three neighbours and one far term
        assert dist.get(right, 99) >= 3
        assert all(w in adj[subject] for w in wrong)
        assert terms[subject].term in q.prompt


def _distances(adj, start):
    seen, todo = {start: 0}, [start]
    while todo:
        a = todo.pop(0)
        for b in adj.get(a, ()):
            if b in adj and b not in seen:
                seen[b] = seen[a] + 1
                todo.append(b)
    return seen


# --- fronts and backs -------------------------------------------------------------------------------


@pytest.fixture
def tiny(tiny_store: Store) -> Store:
    return tiny_store


def test_recall_front_is_the_term_back_is_definition_explanation_example(tiny):
    c = tiny.card(card_id(tiny, "alpha", "recall"))
    assert c.kind is CardKind.RECALL
    assert front(c) == "alpha"
    assert prompt_label(c) == "What does this term mean?"
    assert back_sections(c) == [
        ("Definition", "First letter."),
        ("In plain English", "Comes first."),
        ("Example", "a"),
        ("Related", "beta, gamma"),
    ]


def test_reverse_front_is_the_definition_back_is_the_term(tiny):
    c = tiny.card(card_id(tiny, "alpha", "reverse"))
    assert front(c) == "First letter."
    assert "term" in prompt_label(c).lower()
    sections = back_sections(c)
    assert sections[0] == ("Term", "alpha")
    assert ("Definition", "First letter.") not in sections


def test_back_leaves_out_missing_parts(tiny):
    c = tiny.card(card_id(tiny, "zeta", "recall"))
    assert back_sections(c) == [("Definition", "Sixth letter.")]


def test_related_card_front(tiny):
    c = tiny.card(card_id(tiny, "zeta", "related"))
    assert front(c) == "zeta" and prompt_label(c) == "Related concepts"


# --- the multiple-choice question -------------------------------------------------------------------


def test_store_graph_is_undirected(tiny):
    deck_id = tiny.require_deck("Tiny")
    terms, adj = tiny.deck_graph(deck_id)
    by_term = {b.term: i for i, b in terms.items()}
    # zeta lists nothing, but epsilon lists zeta
    assert {terms[i].term for i in adj[by_term["zeta"]]} == {"epsilon"}
    assert by_term["zeta"] in adj[by_term["epsilon"]]
    for a, ns in adj.items():
        for b in ns:
            assert a in adj[b]


def test_deterministic_for_a_seed_and_varies_with_it():
    terms, adj = graph(8, [(0, 1), (0, 2), (0, 3), (1, 4), (2, 5), (3, 6), (6, 7)])
    q1 = build_question(0, terms, adj, seed="card-7:0")
    assert q1 == build_question(0, terms, adj, seed="card-7:0")
    seen = {build_question(0, terms, adj, seed=s) for s in range(40)}
    assert len({q.choices for q in seen}) > 3  # shuffled
    # only 7 is far (distance 3) from 0: the inverted "NOT related" form, keyed on it
    assert {q.style for q in seen} == {"not_related"}
    assert {q.choice_ids[q.answer] for q in seen} == {7}
    answers_at = {q.answer for q in seen}
    assert len(answers_at) >= 3  # the right answer is not always in the same place
    for q in seen:
        check(q, 0, terms, adj)


def test_with_enough_far_terms_both_relation_forms_and_rotation():
    # 0 has three neighbours; 10..15 are unreachable, so far
    terms, adj = graph(16, [(0, 1), (0, 2), (0, 3), (1, 4), (10, 11), (12, 13), (14, 15)])
    seen = [build_question(0, terms, adj, seed=s) for s in range(40)]
    assert {q.style for q in seen} == {"link", "not_related"}
    for q in seen:
        check(q, 0, terms, adj)
    rotated = [build_question(0, terms, adj, seed=f"9:{n}", turn=n).style for n in range(4)]
    assert len(set(rotated)) == 2 and rotated[0] != rotated[1]  # the card alternates between them


def test_old_link_form_with_second_degree_distractors_is_retired():
    """Wrong options of "which is related" are never second-degree neighbours any more."""
    terms, adj = graph(10, [(0, 1), (1, 2), (1, 3), (0, 4), (4, 5), (6, 7), (8, 9)])
    for seed in range(40):
        q = build_question(0, terms, adj, seed=seed)
        check(q, 0, terms, adj)
        if q.style == "link":
            assert not {2, 3, 5} & set(q.choice_ids)


def _define(subject, terms, adj, seed):
    import random

    return QuestionGraph(terms, adj).build("define", subject, random.Random(seed))


def test_define_wrong_choices_are_neighbours_first():
    # 0's neighbours 1..3, then far-away terms 4..9 that are unrelated
    terms, adj = graph(10, [(0, 1), (0, 2), (0, 3), (4, 5), (6, 7), (8, 9)])
    for seed in range(30):
        q = _define(0, terms, adj, seed)
        assert q.style == "define"
        assert set(q.choice_ids) == {0, 1, 2, 3}


def test_define_falls_back_to_second_degree_neighbours():
    terms, adj = graph(6, [(0, 1), (1, 2), (1, 3), (4, 5)])
    for seed in range(30):
        q = _define(0, terms, adj, seed)
        check(q, 0, terms, adj)
        assert set(q.choice_ids) == {0, 1, 2, 3}  # closer terms rank first


def test_define_never_offers_a_hypernym_hyponym_or_synonym():
    # 5, 6, 7 two links away (0 has a hyponym, so terms linked to it directly may be unrecorded kinds)
    terms, adj = graph(8, [(0, 1), (0, 2), (0, 3), (0, 4), (1, 5), (1, 6), (1, 7)])
    typed = {"is_a": [(0, 1), (1, 2), (3, 0)], "same_as": [(0, 4)]}
    import random

    g = QuestionGraph(terms, adj, typed)
    for seed in range(30):
        q = g.build("define", 0, random.Random(seed))
        assert set(q.choice_ids) == {0, 5, 6, 7}  # not 1, 2 (up), 3 (down), 4 (same)


def test_single_isolated_term_gives_no_question():
    terms, adj = graph(1, [])
    assert build_question(0, terms, adj, seed=1) is None


def test_isolated_term_in_a_bigger_deck_gives_no_question():
    terms, adj = graph(5, [(1, 2), (2, 3)])
    assert build_question(0, terms, adj, seed=1) is None


def test_unknown_subject_gives_no_question():
    terms, adj = graph(3, [(0, 1)])
    assert build_question(42, terms, adj, seed=1) is None


def test_a_pair_gives_two_choices():
    terms, adj = graph(2, [(0, 1)])
    for seed in range(20):
        q = build_question(0, terms, adj, seed=seed)
        assert q is not None and len(q.choices) == 2
        assert set(q.choices) == {"term 0", "term 1"}
        check(q, 0, terms, adj)


def test_three_terms_in_a_line():
    terms, adj = graph(3, [(0, 1), (1, 2)])
    for subject in range(3):
        for seed in range(20):
            q = build_question(subject, terms, adj, seed=seed)
            assert q is not None
            assert 2 <= len(q.choices) <= 3
            check(q, subject, terms, adj)


def test_no_duplicate_labels_even_if_two_terms_look_alike():
    terms, adj = graph(4, [(0, 1), (0, 2), (0, 3)])
    terms[2] = B(2, "TERM 1", "x", "term 1 again")  # same label as 1 ignoring case
    for seed in range(20):
        q = build_question(0, terms, adj, seed=seed)
        labels = [c.casefold() for c in q.choices]
        assert len(labels) == len(set(labels))


def test_links_to_terms_outside_the_map_are_ignored():
    terms, adj = graph(3, [(0, 1)])
    adj[0].add(99)
    for seed in range(10):
        q = build_question(0, terms, adj, seed=seed)
        assert 99 not in q.choice_ids


@st.composite
def random_graphs(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30))
    subject = draw(st.integers(0, n - 1))
    seed = draw(st.one_of(st.integers(), st.text(max_size=8)))
    return n, edges, subject, seed


@settings(max_examples=300, deadline=None)
@given(random_graphs())
def test_property_never_crashes_and_always_valid(g):
    n, edges, subject, seed = g
    terms, adj = graph(n, edges)
    q = build_question(subject, terms, adj, seed=seed)
    if not adj[subject]:
        assert q is None
    else:
        assert q is not None  # any term with a neighbour gets at least a 2-choice question
        check(q, subject, terms, adj)
        assert q == build_question(subject, terms, adj, seed=seed)


# --- judging answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("learning rate", "learning rate"),
        ("Learning Rate", "learning rate"),
        ("  LEARNING   rate ", "learning rate"),
        ("reseau neuronal", "Réseau neuronal"),
        ("RÉSEAU-NEURONAL", "réseau neuronal"),
        ("co adaptation", "co-adaptation"),
    ],
)
def test_judge_typed_exact_ignoring_case_accents_and_punctuation(typed, expected):
    v = answers.judge_typed(typed, expected)
    assert v.score == 100 and v.grade == 5 and v.exact


@pytest.mark.parametrize("typed", ["learnig rate", "learning rtae", "gradient decsent"])
def test_judge_typed_typo_suggests_4(typed):
    expected = "gradient descent" if typed.startswith("gradient") else "learning rate"
    v = answers.judge_typed(typed, expected)
    assert 90 <= v.score < 100 and v.grade == 4 and not v.exact


@pytest.mark.parametrize("typed, max_grade", [("banana", 1), ("dropout", 2), ("batch size", 2)])
def test_judge_typed_wrong_answer_is_low(typed, max_grade):
    v = answers.judge_typed(typed, "learning rate")
    assert v.grade <= max_grade and v.score < 75


def test_judge_typed_nothing_typed_is_0():
    v = answers.judge_typed("   ", "learning rate")
    assert v.score == 0 and v.grade == 0


def test_judge_typed_grades_fall_with_the_score():
    expected = "batch normalization"
    attempts = ["batch normalization", "batch normalisation", "batch normal", "batch", "x"]
    grades = [answers.judge_typed(a, expected).grade for a in attempts]
    assert grades == sorted(grades, reverse=True)
    assert grades[0] == 5 and grades[-1] == 1


def test_judge_typed_diff_marks_missing_and_extra():
    v = answers.judge_typed("lerning ratte", "learning rate")
    ops = {op for op, _ in v.diff}
    assert ops == {"same", "missing", "extra"}
    assert "".join(t for op, t in v.diff if op != "extra") == "learning rate"
    assert "".join(t for op, t in v.diff if op != "missing") == "lerning ratte"


def test_judge_typed_strips_control_characters():
    v = answers.judge_typed("learning\x1b[2J rate", "learning rate")
    assert "\x1b" not in v.typed


def test_fold():
    assert answers.fold("Réseau-Neuronal!") == "reseau neuronal"


@pytest.mark.parametrize(
    "correct, seconds, grade", [(True, 1.0, 5), (True, None, 5), (True, 8.0, 5), (True, 20.0, 4), (False, 1.0, 1), (False, None, 1)]
)
def test_suggest_mc_grade(correct, seconds, grade):
    assert answers.suggest_mc_grade(correct, seconds) == grade


def test_small_deck_fixture_relations_reach_the_questions(tiny):
    """Every related card of the tiny deck yields a valid question through the store's graph."""
    deck_id = tiny.require_deck("Tiny")
    terms, adj = tiny.deck_graph(deck_id)
    for t in small_deck().terms:
        subject = next(i for i, b in terms.items() if b.term == t.term)
        q = build_question(subject, terms, adj, seed=t.term)
        check(q, subject, terms, adj)
