"""The question generator over the whole bundled deck: every related card, several seeds.

The deck is read straight from ``decks/*.toml`` (whatever it holds: the old format with ``related``
only, or the new one with aliases and typed relations), and every check below recomputes what it
needs (distances, the is_a/same_as taxonomy, names in the stem) on its own instead of trusting the
generator's bookkeeping.
"""

from __future__ import annotations

import math
import os
import random
import re
import tomllib
from collections import Counter, deque
from pathlib import Path

import pytest

from mlcards.questions import MAX_CHOICES, RELATION_STYLES, Entry, QuestionGraph, content_words
from mlcards.text import term_key

REPO = Path(__file__).resolve().parents[2]
# MLCARDS_QUESTION_DECKS="my-decks/*.toml" checks other files (several files make one deck)
_OVERRIDE = os.environ.get("MLCARDS_QUESTION_DECKS")
DECKS = [tuple(sorted(REPO.glob(_OVERRIDE)))] if _OVERRIDE else [(p,) for p in sorted((REPO / "decks").glob("*.toml"))]
SEEDS = 4
TYPED = ("is_a", "part_of", "contrasts_with", "used_for", "same_as")


class Deck:
    def __init__(self, paths: tuple[Path, ...]):
        rows = [r for path in paths for r in tomllib.loads(path.read_text(encoding="utf-8"))["terms"]]
        self.ids: dict[str, int] = {}
        for r in rows:
            self.ids.setdefault(term_key(r["term"]), len(self.ids))
        self.terms: dict[int, Entry] = {}
        self.adj: dict[int, set[int]] = {i: set() for i in self.ids.values()}
        self.typed: dict[str, list[tuple[int, int]]] = {rel: [] for rel in TYPED}
        for r in rows:
            i = self.ids[term_key(r["term"])]
            self.terms[i] = Entry(i, r["term"], r["definition"], term_key(r["term"]), r.get("explanation"),
                                  r.get("example"), tuple(r.get("aliases", ())), tuple(r.get("tags", ())))
            for rel in ("related", *TYPED):
                for name in r.get(rel, ()):
                    j = self.ids.get(term_key(name))
                    if j is None or j == i:
                        continue
                    self.adj[i].add(j)
                    self.adj[j].add(i)
                    if rel != "related":
                        self.typed[rel].append((i, j))

    def dist(self, a: int) -> dict[int, int]:
        seen = {a: 0}
        todo = deque([a])
        while todo:
            x = todo.popleft()
            for y in self.adj[x]:
                if y not in seen:
                    seen[y] = seen[x] + 1
                    todo.append(y)
        return seen

    def taxonomy(self, a: int) -> set[int]:
        """Hypernyms, hyponyms and synonyms of ``a`` within two steps (is_a, same_as)."""
        up = {x: set() for x in self.terms}
        down = {x: set() for x in self.terms}
        for x, y in self.typed["is_a"]:
            up[x].add(y)
            down[y].add(x)
        for x, y in self.typed["same_as"]:
            for m in (up, down):
                m[x].add(y)
                m[y].add(x)
        out = set()
        for m in (up, down):
            frontier = {a}
            for _ in range(2):
                frontier = {n for f in frontier for n in m[f]}
                out |= frontier
        return out - {a}

    def named(self, tid: int, text: str) -> bool:
        e = self.terms[tid]
        for name in (e.term, *e.aliases):
            body = r"[\s-]+".join(re.escape(p) for p in name.split())
            flags = 0 if name.isupper() and len(name) <= 5 else re.IGNORECASE
            if re.search(rf"(?<![\w-]){body}(?:s|es)?(?![\w-])", text, flags):
                return True
        return False


def words(text: str) -> set[str]:
    """Content words (the generator's stop-word list and plural folding define what "shares a word" means)."""
    return content_words(text)


def related_subjects(deck: Deck) -> list[int]:
    return [t for t in deck.terms if deck.adj[t]]


@pytest.fixture(scope="module", params=DECKS, ids=lambda ps: "+".join(p.name for p in ps))
def generated(request):
    deck = Deck(request.param)
    graph = QuestionGraph(deck.terms, deck.adj, deck.typed)
    questions = []
    for subject in related_subjects(deck):
        for seed in range(SEEDS):
            questions.append((subject, graph.question(subject, f"{subject}:{seed}", turn=seed)))
    # the describe question ("which term does this describe?") for every term too: the quiz and
    # small decks fall back on it
    defines = [(s, graph.build("define", s, random.Random(s))) for s in related_subjects(deck)]
    return deck, graph, questions, defines


def test_every_related_card_gets_a_question(generated):
    deck, _, questions, defines = generated
    assert all(q is not None for _, q in defines)
    missing = [deck.terms[s].term for s, q in questions if q is None]
    assert not missing


def test_counts_per_style(generated, capsys):
    deck, _, questions, _ = generated
    counts = Counter(q.style for _, q in questions if q is not None)
    with capsys.disabled():
        print(f"\n{len(questions)} questions over {len(related_subjects(deck))} related cards x {SEEDS} seeds:",
              dict(sorted(counts.items())))
    assert set(counts) <= {*RELATION_STYLES, "define"}
    assert counts["link"] + counts["not_related"] > 0
    if any(deck.typed["is_a"]):
        assert counts["is_a"] > 0 and counts["odd_one_out"] > 0
    if any(deck.typed["contrasts_with"]):
        assert counts["contrast"] > 0
    # a related card rotates: most cards show more than one style over the seeds
    styles: dict[int, set[str]] = {}
    for s, q in questions:
        styles.setdefault(s, set()).add(q.style)
    assert sum(len(v) > 1 for v in styles.values()) >= 0.6 * len(styles)


def test_options_keys_and_distractors(generated):
    deck, graph, questions, defines = generated
    problems: list[str] = []
    dists: dict[int, dict[int, int]] = {}

    def d(a: int, b: int) -> float:
        if a not in dists:
            dists[a] = deck.dist(a)
        return dists[a].get(b, math.inf)

    for subject, q in questions + defines:
        if q is None:
            continue
        label = f"{q.style} {deck.terms[subject].term!r}: {q.choices}"
        n = len(q.choices)
        expected = 2 if q.style == "contrast" else MAX_CHOICES
        if n != expected or len({c.casefold() for c in q.choices}) != n or len(set(q.choice_ids)) != n:
            problems.append(f"{label}: {n} options, not {expected} distinct")
            continue
        if not 0 <= q.answer < n or [deck.terms[i].term for i in q.choice_ids] != list(q.choices):
            problems.append(f"{label}: the key or the ids are off")
            continue
        key = q.choice_ids[q.answer]
        wrong = [i for i in q.choice_ids if i != key]
        # exactly one keyed: the key is right, every other option is provably wrong
        if q.style in ("define", "example"):
            ok = key == subject
        elif q.style == "contrast":
            ok = key in (subject, *graph.contrasts[subject]) and set(q.choice_ids) - {key} <= {subject,
                                                                                               *graph.contrasts[subject]}
        elif q.style == "link":
            ok = key in deck.adj[subject] and all(d(subject, w) >= 3 for w in wrong)
        elif q.style == "not_related":
            ok = d(subject, key) >= 3 and all(w in deck.adj[subject] for w in wrong)
        elif q.style == "is_a":
            parent = q.about_ids[0]
            kinds = deck.taxonomy(parent)
            ok = key in kinds and all(d(parent, w) >= 3 and w not in kinds for w in wrong)
        elif q.style == "odd_one_out":
            parent = q.about_ids[0]
            kinds = deck.taxonomy(parent)
            ok = d(parent, key) >= 3 and key not in kinds and all(w in kinds for w in wrong)
            ok = ok and all(d(m, key) >= 3 for m in wrong)
        elif q.style == "cloze":
            ok = deck.named(key, deck.terms[subject].definition) and all(d(subject, w) >= 3 for w in wrong)
            ok = ok and not any(deck.named(w, deck.terms[subject].definition) for w in wrong)
        else:
            ok = False
        if not ok:
            problems.append(f"{label}: key {deck.terms[key].term!r} is not the one defensible answer")
        # no distractor named in the stem
        for w in wrong:
            if deck.named(w, q.prompt):
                problems.append(f"{label}: {deck.terms[w].term!r} is named in the stem")
        # describe-like questions: no hypernym, hyponym or synonym of the subject among the distractors
        if q.style in ("define", "example"):
            bad = deck.taxonomy(subject) & set(wrong)
            if bad:
                problems.append(f"{label}: {[deck.terms[b].term for b in bad]} are in its taxonomy")
        # no word-overlap giveaway: the key alone sharing a content word with the stem
        stem = words(q.stem)
        sharers = [i for i in q.choice_ids if words(deck.terms[i].term) & stem]
        if sharers == [key]:
            problems.append(f"{label}: only the key shares a word with the stem")
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"


def test_relation_questions_use_far_wrong_options_only(generated):
    """Wrong options of link/cloze/is_a questions share no tag with the anchor and are not named in its texts."""
    deck, _, questions, _ = generated
    for _, q in questions:
        if q is None or q.style not in ("link", "cloze", "is_a"):
            continue
        key = q.choice_ids[q.answer]
        anchor = q.about_ids[0]
        a = deck.terms[anchor]
        text = "\n".join(t for t in (a.definition, a.explanation, a.example) if t)
        for w in q.choice_ids:
            if w == key:
                continue
            assert not set(a.tags) & set(deck.terms[w].tags), (q.style, a.term, deck.terms[w].term)
            assert not deck.named(w, text), (q.style, a.term, deck.terms[w].term)


def test_deterministic(generated):
    deck, graph, questions, _ = generated
    again = QuestionGraph(deck.terms, deck.adj, deck.typed)
    step = max(1, len(questions) // 60)
    for n in range(0, len(questions), step):
        subject, q = questions[n]
        seed = n % SEEDS
        assert again.question(subject, f"{subject}:{seed}", turn=seed) == q
