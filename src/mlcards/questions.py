"""Multiple-choice questions with exactly one defensible answer (issue 10, section 3).

Pure and deterministic given a seed: no I/O, no clock. A ``QuestionGraph`` holds one deck's terms
(term, definition, explanation, example, aliases, tags), its undirected link graph and its typed
relations (is_a, part_of, contrasts_with, used_for, same_as), plus a small TF-IDF index of the
definitions. ``QuestionGraph.question`` builds one question about a term.

Question styles (``MCQuestion.style``):

- ``define``: a definition is shown; which term does it describe? Never offers a hypernym, hyponym or
  synonym of the subject (is_a/same_as, either direction, within two steps), nor a term named in the
  shown text, nor a term whose definition is nearly the same (a synonym the deck forgot to link,
  unless the two are declared contrasts_with), nor a linked sibling (same hypernym and a direct link:
  random forest for bagging, AdamW for Adam, likely an unrecorded sub-kind), nor, for a term that has
  hyponyms (a category), any term linked to it (data augmentation for regularization).
  The rest are ranked by confusability (TF-IDF cosine of definitions plus graph closeness), the
  strongest first.
- ``example``: the subject's example is shown (its name masked); which term does it illustrate?
  Wrong options are at graph distance >= 3, not named in the example, ranked by confusability.
- ``link``: which of these is related to X? One neighbour; wrong options are *far* terms.
- ``not_related``: which of these is NOT related to X? Three neighbours and one far term (the key).
- ``is_a``: which of these is a kind of P? A hyponym of P; wrong options are far from P.
- ``odd_one_out``: three of these are kinds of P; which one is not? Three hyponyms and one far term.
- ``contrast``: two commonly confused terms (contrasts_with, or a pair the learner confused twice);
  one definition is shown, the two terms are the options (the documented two-option form).
- ``cloze``: a term named in the subject's definition is blanked out; options are that term and far
  terms.

A *far* term (the only kind of wrong option a relation question uses) is at graph distance >= 3 from
every anchor of the question, shares no tag with any, is not named in their definition, explanation
or example, and does not name them in its own.

Every question is checked before it is returned: distinct labels, no wrong option named in the
stem, and no word-overlap giveaway (only the key sharing a content word with the stem). The shown
definition or example has the subject's own words masked.
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

MAX_CHOICES = 4
MIN_CHOICES = 2
FAR = 3
"""Wrong options of relation questions are at least this many links away from the question's anchors."""
TAXONOMY_STEPS = 2
SYNONYM_COSINE = 0.6
"""Two definitions this similar may describe the same thing: never one as the other's distractor."""
FAR_COSINE = 0.3
"""A far term whose definition is this close to the anchor's may be a missing link: not used."""
BLANK = "_____"
MASK = "___"

RELATION_STYLES = ("link", "not_related", "is_a", "odd_one_out", "contrast", "cloze", "example")
"""Styles a related-concept card rotates through (``define`` only when its term supports none)."""
IDENTIFY_STYLES = frozenset({"define", "example", "contrast"})
"""Styles whose key is the term being identified: a wrong choice there is a confusion of two terms."""

TYPED_RELATIONS = ("is_a", "part_of", "contrasts_with", "used_for", "same_as")

_STOP = frozenset(
    """a an the and or of to in on for with by from as at is are was were be been being it its this that
    these those which who whom what when where how why than then so such not no nor but if into onto
    over under about after before between each every any all some more most less least much many one
    two three four five six seven eight nine ten can could may might must shall should will would do
    does did done has have had having per via also only very same other another their there they them
    his her our your you we he she us i me my mine up down out off own just yet both either neither
    whose while whether use used uses using usually often typically given gives give make makes made
    instead rather without within across through during based like lets let term terms""".split()
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> set[str]:
    """Lower-case stemmed words of three letters or more that carry meaning (stop words left out)."""
    out = set()
    for m in _WORD.finditer(text.casefold()):
        w = m.group(0)
        if len(w) >= 3 and w not in _STOP and not w.isdigit():
            out.add(_stem(w))
    return out


def _tokens(text: str) -> list[str]:
    return [_stem(w) for w in (m.group(0) for m in _WORD.finditer(text.casefold())) if len(w) >= 2 and w not in _STOP]


def mask_words(text: str, words: set[str]) -> str:
    """``text`` with every word whose stem is in ``words`` replaced by ``___``."""
    if not words:
        return text
    return _WORD.sub(lambda m: MASK if _stem(m.group(0).casefold()) in words else m.group(0), text)


def _name_pattern(name: str) -> re.Pattern[str] | None:
    name = " ".join(name.split())
    if len(name) < 2:
        return None
    body = r"[\s-]+".join(re.escape(p) for p in name.split(" "))
    flags = 0 if (name.isupper() and len(name) <= 5) else re.IGNORECASE  # "AUC", "ML": exact case
    return re.compile(rf"(?<![\w-]){body}(?:s|es)?(?![\w-])", flags)


def _has_pattern(name: str) -> bool:
    """Whether ``_name_pattern(name)`` gives a pattern (without compiling it)."""
    return len(" ".join(name.split())) >= 2


class _Patterns(dict[int, list[re.Pattern[str]]]):
    """Each term's name patterns, compiled the first time they are asked for."""

    def __init__(self, terms: Mapping[int, Entry]):
        super().__init__()
        self._terms = terms

    def __missing__(self, tid: int) -> list[re.Pattern[str]]:
        got = self[tid] = [p for p in (_name_pattern(n) for n in self._terms[tid].names) if p is not None]
        return got


@dataclass(frozen=True)
class Entry:
    """The generator's view of one term."""

    id: int
    term: str
    definition: str
    key: str = ""
    explanation: str | None = None
    example: str | None = None
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)

    @property
    def texts(self) -> str:
        return "\n".join(t for t in (self.definition, self.explanation, self.example) if t)


def entry_of(tid: int, brief: object) -> Entry:
    """An ``Entry`` from anything with ``term`` and ``definition`` (and optionally the rest)."""
    if isinstance(brief, Entry):
        return brief
    g = getattr
    return Entry(
        id=tid,
        term=g(brief, "term"),
        definition=g(brief, "definition"),
        key=g(brief, "key", "") or "",
        explanation=g(brief, "explanation", None),
        example=g(brief, "example", None),
        aliases=tuple(g(brief, "aliases", ()) or ()),
        tags=tuple(g(brief, "tags", ()) or ()),
    )


@dataclass(frozen=True)
class MCQuestion:
    """A multiple-choice question: ``choices[answer]`` is the right one."""

    style: str
    prompt: str
    choices: tuple[str, ...]
    answer: int
    subject_id: int  # the term the card belongs to
    choice_ids: tuple[int, ...] = ()
    about_ids: tuple[int, ...] = ()
    """The terms a relation question is about (wrong options are far from each)."""
    stem: str = ""
    """The variable text the learner reads (definition, example, names): checked for giveaways."""

    def is_correct(self, index: int) -> bool:
        return index == self.answer

    @property
    def key_id(self) -> int:
        return self.choice_ids[self.answer]

    @property
    def identifies(self) -> bool:
        """Whether the key is the term being identified (so a wrong pick confuses two terms)."""
        return self.style in IDENTIFY_STYLES

    def chosen_id(self, index: int | None) -> int | None:
        if index is None or not 0 <= index < len(self.choice_ids):
            return None
        return self.choice_ids[index]


class QuestionGraph:
    """One deck's terms, links and typed relations, ready to ask questions about."""

    def __init__(
        self,
        terms: Mapping[int, object],
        adj: Mapping[int, Iterable[int]] | None = None,
        typed: Mapping[str, Iterable[tuple[int, int]]] | None = None,
    ):
        self.terms: dict[int, Entry] = {tid: entry_of(tid, b) for tid, b in terms.items()}
        ids = self.terms
        self.adj: dict[int, set[int]] = {tid: set() for tid in ids}

        def link(a: int, b: int) -> None:
            if a in ids and b in ids and a != b:
                self.adj[a].add(b)
                self.adj[b].add(a)

        for a, ns in (adj or {}).items():
            for b in ns:
                link(a, b)
        self.parents: dict[int, set[int]] = {tid: set() for tid in ids}
        self.children: dict[int, set[int]] = {tid: set() for tid in ids}
        self.same: dict[int, set[int]] = {tid: set() for tid in ids}
        self.contrasts: dict[int, set[int]] = {tid: set() for tid in ids}
        for rel, pairs in (typed or {}).items():
            for a, b in pairs:
                if a not in ids or b not in ids or a == b:
                    continue
                link(a, b)
                if rel == "is_a":
                    self.parents[a].add(b)
                    self.children[b].add(a)
                elif rel == "same_as":
                    self.same[a].add(b)
                    self.same[b].add(a)
                elif rel == "contrasts_with":
                    self.contrasts[a].add(b)
                    self.contrasts[b].add(a)
        self._patterns = _Patterns(ids)  # compiled on first use: a deck of 10,000 terms asks about a few
        self._first_words = {
            tid: {w.casefold() for n in e.names for w in _WORD.findall(n)[:1]} for tid, e in ids.items()
        }
        self._name_index, self._tokenless = self._index_names()
        self._text_index: dict[str, set[int]] | None = None  # word -> terms whose texts have it (built on demand)
        self._namers: dict[int, frozenset[int]] = {}
        self._dist: dict[int, dict[int, int]] = {}
        self._near: dict[int, dict[int, int]] = {}
        self._named: dict[str, frozenset[int]] = {}
        self._vectors = self._tfidf({tid: e.definition for tid, e in ids.items()})
        self._example_vectors = self._tfidf({tid: e.example or "" for tid, e in ids.items()}, like=self._idf)
        self._tags = {tid: {t.casefold() for t in e.tags} for tid, e in ids.items()}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for tid, v in self._vectors.items():
            for w, x in v.items():
                self._postings.setdefault(w, []).append((tid, x))
        self._sims: dict[int, dict[int, float]] = {}
        self._far: dict[int, frozenset[int]] = {}
        self._named_texts: dict[int, frozenset[int]] = {}
        self._labels = {tid: e.term.casefold() for tid, e in ids.items()}

    # --- text ----------------------------------------------------------------------------------------

    def _tfidf(self, docs: Mapping[int, str], like: dict[str, float] | None = None) -> dict[int, dict[str, float]]:
        toks = {tid: _tokens(text) for tid, text in docs.items()}
        if like is None:
            df: dict[str, int] = {}
            for ws in toks.values():
                for w in set(ws):
                    df[w] = df.get(w, 0) + 1
            n = max(1, len(docs))
            self._idf = like = {w: math.log(n / c) for w, c in df.items()}
        out = {}
        for tid, ws in toks.items():
            v: dict[str, float] = {}
            for w in ws:
                weight = like.get(w, 0.0)
                if weight > 0:
                    v[w] = v.get(w, 0.0) + weight
            norm = math.sqrt(sum(x * x for x in v.values()))
            out[tid] = {w: x / norm for w, x in v.items()} if norm else {}
        return out

    def similarities(self, a: int) -> dict[int, float]:
        """TF-IDF cosine of ``a``'s definition with every other (terms with nothing in common left out)."""
        got = self._sims.get(a)
        if got is None:
            got = {}
            for w, x in self._vectors[a].items():
                for b, y in self._postings.get(w, ()):
                    got[b] = got.get(b, 0.0) + x * y
            self._sims[a] = got
        return got

    def similarity(self, a: int, b: int) -> float:
        """TF-IDF cosine of two definitions (0 to 1)."""
        return self.similarities(a).get(b, 0.0)

    def _example_similarity(self, a: int, b: int) -> float:
        va, vb = self._example_vectors[a], self._vectors[b]
        return sum(x * vb.get(w, 0.0) for w, x in va.items())

    def _index_names(self) -> tuple[dict[str, list[tuple[int, frozenset[str]]]], set[int]]:
        """Each name under its rarest word: a name can only appear in a text holding all of its words.

        Returns the index and the terms with a name that has a pattern but no word (matched the slow way).
        """
        names: list[tuple[int, frozenset[str]]] = []
        tokenless: set[int] = set()
        freq: dict[str, int] = {}
        for tid, e in self.terms.items():
            for n in e.names:
                if not _has_pattern(n):
                    continue
                words = frozenset(_WORD.findall(n.casefold()))
                if not words:
                    tokenless.add(tid)
                    continue
                names.append((tid, words))
                for w in words:
                    freq[w] = freq.get(w, 0) + 1
        index: dict[str, list[tuple[int, frozenset[str]]]] = {}
        for tid, words in names:
            index.setdefault(min(words, key=lambda w: (freq[w], w)), []).append((tid, words))
        return index, tokenless

    @staticmethod
    def _text_words(text: str) -> set[str]:
        """The words of ``text`` a name may match: each word, and without a plural ``s`` / ``es``."""
        words: set[str] = set()
        for w in _WORD.findall(text.casefold()):
            words.update((w, w[:-1], w[:-2]) if w.endswith("s") else (w,))
        return words

    def named_in(self, text: str) -> frozenset[int]:
        """Terms whose name or an alias appears in ``text`` (whole words, plural allowed).

        Only the terms with a name whose every word is in ``text`` are tried (a name's pattern cannot
        match otherwise): found through the name index, so a text costs its words, not the deck's size.
        """
        got = self._named.get(text)
        if got is None:
            words = self._text_words(text)
            candidates = {tid for w in words for tid, need in self._name_index.get(w, ()) if need <= words}
            candidates |= self._tokenless
            got = frozenset(
                tid
                for tid in candidates
                if self._first_words[tid] & words and any(p.search(text) for p in self._patterns[tid])
            )
            self._named[text] = got
        return got

    def namers(self, tid: int) -> frozenset[int]:
        """Terms whose definition, explanation or example names ``tid`` (``tid in named_in_texts(t)``)."""
        got = self._namers.get(tid)
        if got is None:
            if self._text_index is None:
                self._text_index = {}
                for t, e in self.terms.items():
                    for w in self._text_words(e.texts):
                        self._text_index.setdefault(w, set()).add(t)
            index = self._text_index
            candidates: set[int] = set()
            if tid in self._tokenless:
                candidates = set(self.terms)
            else:
                for n in self.terms[tid].names:
                    words = sorted(set(_WORD.findall(n.casefold())), key=lambda w: len(index.get(w, ())))
                    if not words or not _has_pattern(n):
                        continue
                    have = set(index.get(words[0], ()))
                    for w in words[1:]:
                        have &= index.get(w, set())
                    candidates |= have
            got = self._namers[tid] = frozenset(t for t in candidates if tid in self.named_in_texts(t))
        return got

    def names_any(self, tid: int, text: str) -> bool:
        return any(p.search(text) for p in self._patterns[tid])

    def own_words(self, tid: int) -> set[str]:
        e = self.terms[tid]
        return set().union(*(content_words(n) for n in e.names))

    # --- graph ---------------------------------------------------------------------------------------

    def distances(self, tid: int) -> dict[int, int]:
        got = self._dist.get(tid)
        if got is None:
            got = {tid: 0}
            todo = deque([tid])
            while todo:
                a = todo.popleft()
                for b in self.adj[a]:
                    if b not in got:
                        got[b] = got[a] + 1
                        todo.append(b)
            self._dist[tid] = got
        return got

    def distance(self, a: int, b: int) -> float:
        return self.distances(a).get(b, math.inf)

    def near(self, tid: int) -> dict[int, int]:
        """``distances(tid)`` up to ``FAR`` links only: what far terms and lure ranking look at (a term
        further away counts like an unlinked one), without walking the whole of a big deck's graph."""
        got = self._near.get(tid)
        if got is None:
            got = {tid: 0}
            frontier = [tid]
            for depth in range(1, FAR + 1):
                nxt = []
                for a in frontier:
                    for b in self.adj[a]:
                        if b not in got:
                            got[b] = depth
                            nxt.append(b)
                frontier = nxt
            self._near[tid] = got
        return got

    def _walk(self, tid: int, step: Mapping[int, set[int]]) -> set[int]:
        seen, frontier = {tid}, {tid}
        for _ in range(TAXONOMY_STEPS):
            frontier = {n for f in frontier for n in step[f] | self.same[f]} - seen
            seen |= frontier
        return seen - {tid}

    def hypernyms(self, tid: int) -> set[int]:
        return self._walk(tid, self.parents)

    def hyponyms(self, tid: int) -> set[int]:
        return self._walk(tid, self.children)

    def synonyms(self, tid: int) -> set[int]:
        return self._walk(tid, {t: set() for t in self.terms})

    def taxonomy(self, tid: int) -> set[int]:
        """Hypernyms, hyponyms and synonyms within two steps: never a distractor for ``tid``."""
        return self.hypernyms(tid) | self.hyponyms(tid)

    def named_in_texts(self, tid: int) -> frozenset[int]:
        """Terms named in ``tid``'s definition, explanation or example."""
        got = self._named_texts.get(tid)
        if got is None:
            got = self._named_texts[tid] = self.named_in(self.terms[tid].texts)
        return got

    def far_from(self, anchor: int) -> frozenset[int]:
        """Every term far from ``anchor``: distance >= 3, no shared tag, neither names the other,
        definitions not alike."""
        got = self._far.get(anchor)
        if got is None:
            dist = self.near(anchor)
            tags = self._tags[anchor]
            named = self.named_in_texts(anchor)
            namers = self.namers(anchor)  # the terms with ``anchor in self.named_in_texts(t)``, from an index
            sims = self.similarities(anchor)
            got = frozenset(
                t
                for t in self.terms
                if dist.get(t, FAR) >= FAR
                and not (tags & self._tags[t])
                and t not in named
                and t not in namers
                and sims.get(t, 0.0) < FAR_COSINE
            )
            self._far[anchor] = got
        return got

    def is_far(self, cand: int, anchors: Iterable[int]) -> bool:
        return all(cand in self.far_from(a) for a in anchors)

    def far_terms(self, anchors: Iterable[int], rng: random.Random, exclude: Iterable[int] = ()) -> list[int]:
        anchors = tuple(anchors)
        pool = set.intersection(*(set(self.far_from(a)) for a in anchors)) if anchors else set(self.terms)
        pool -= set(exclude) | set(anchors)
        out = sorted(pool)
        rng.shuffle(out)
        return out

    # --- questions -----------------------------------------------------------------------------------

    def styles_for(self, subject: int) -> list[str]:
        """The relation styles a term's related card rotates through, in its own stable order."""
        order = list(RELATION_STYLES)
        random.Random(f"styles:{subject}").shuffle(order)
        return order

    def question(self, subject: int, seed: object, *, turn: int | None = None) -> MCQuestion | None:
        """A question about ``subject`` for its related card, or None when the deck cannot give one.

        With ``turn`` (the card's review count) it rotates through the relation styles the term
        supports, in the term's own stable order; without, it starts at a seeded style. ``define`` is
        the fallback when the term supports no relation style.
        """
        if subject not in self.terms:
            return None
        rng = random.Random(str(seed))
        if turn is None:
            order = self.styles_for(subject)
            start = rng.randrange(len(order))
            for style in order[start:] + order[:start]:
                q = self.build(style, subject, random.Random(f"{seed}:{style}"))
                if q is not None:
                    return q
        else:  # rotate through the styles this term supports: a different one at each review
            built = [q for s in self.styles_for(subject) if (q := self.build(s, subject, random.Random(f"{seed}:{s}")))]
            if built:
                return built[turn % len(built)]
        if not self.adj[subject]:
            return None
        return self.build("define", subject, rng)

    def supported(self, subject: int, seed: object = 0) -> list[str]:
        return [s for s in (*RELATION_STYLES, "define") if self.build(s, subject, random.Random(str(seed))) is not None]

    def build(self, style: str, subject: int, rng: random.Random) -> MCQuestion | None:
        builder: Callable[[int, random.Random], MCQuestion | None] = getattr(self, f"_q_{style}")
        return builder(subject, rng)

    # each builder returns a checked question or None

    def _ranked_lures(self, subject: int, shown: str, exclude: set[int], *, min_distance: int, by_example: bool) -> list[int]:
        named = self.named_in(shown)
        own_named = self.named_in(self.terms[subject].definition)
        dist = self.near(subject)  # distances past FAR score and filter like no link
        sims = self.similarities(subject)
        parents = self.hypernyms(subject)
        category = bool(self.children[subject])
        scored = []
        for t in self.terms:
            if t in exclude or t == subject or t in named or self._labels[t] == self._labels[subject]:
                continue
            d = dist.get(t)  # None: not linked at all
            if d is not None and d < min_distance:
                continue
            cos = sims.get(t, 0.0)
            contrast = t in self.contrasts[subject]  # declared confusable, so not the same thing
            if (cos >= SYNONYM_COSINE and not contrast) or t in own_named:
                continue
            if d == 1 and not contrast and (category or parents & self.hypernyms(t)):
                # a linked sibling (random forest for bagging, AdamW for Adam), or a term linked to a
                # category (data augmentation for regularization): maybe an unrecorded sub-kind
                continue

            if subject in self.named_in(self.terms[t].definition):
                continue  # its definition leans on the subject: too close to call
            score = cos + (self._example_similarity(subject, t) if by_example else 0.0)
            score += {1: 0.25, 2: 0.15, 3: 0.05}.get(d, 0.0) if d is not None else 0.0
            score += 0.1 * bool(self._tags[subject] & self._tags[t])
            scored.append((-score, t))
        scored.sort()
        return [t for _, t in scored]

    def _q_define(self, subject: int, rng: random.Random) -> MCQuestion | None:
        e = self.terms[subject]
        shown = mask_words(e.definition, self.own_words(subject))
        lures = self._ranked_lures(subject, e.definition, self.taxonomy(subject), min_distance=1, by_example=False)
        return self._finish("define", "Which term does this describe?", shown, subject, subject, lures, rng,
                            min_choices=MIN_CHOICES)

    def _q_example(self, subject: int, rng: random.Random) -> MCQuestion | None:
        e = self.terms[subject]
        if not e.example:
            return None
        shown = mask_words(e.example, self.own_words(subject))
        if shown.count(MASK) * 4 > len(_WORD.findall(shown)):
            return None  # mostly masked: nothing left to recognise
        exclude = self.taxonomy(subject) | self.named_in(e.example)
        lures = self._ranked_lures(subject, e.example, exclude, min_distance=FAR, by_example=True)
        return self._finish("example", "Which term does this scenario illustrate?", shown, subject, subject, lures, rng,
                            min_choices=MAX_CHOICES)

    def _q_link(self, subject: int, rng: random.Random) -> MCQuestion | None:
        neighbours = sorted(self.adj[subject])
        rng.shuffle(neighbours)
        name = self.terms[subject].term
        for key in neighbours[:4]:
            far = self.far_terms([subject, key], rng)
            q = self._finish("link", f"Which of these is related to “{name}”?", name, subject, key, far, rng,
                             about=(subject,), min_choices=MAX_CHOICES)
            if q is not None:
                return q
        return None

    def _q_not_related(self, subject: int, rng: random.Random) -> MCQuestion | None:
        neighbours = sorted(self.adj[subject])
        if len(neighbours) < MAX_CHOICES - 1:
            return None
        rng.shuffle(neighbours)
        chosen = self._distinct(neighbours, {self._labels[subject]})[: MAX_CHOICES - 1]
        if len(chosen) < MAX_CHOICES - 1:
            return None
        name = self.terms[subject].term
        for key in self.far_terms([subject], rng, exclude=chosen)[:4]:
            q = self._finish("not_related", f"Which of these is NOT related to “{name}”?", name, subject, key, chosen,
                             rng, about=(subject,), min_choices=MAX_CHOICES, ranked=True)
            if q is not None:
                return q
        return None

    def _q_is_a(self, subject: int, rng: random.Random) -> MCQuestion | None:
        pairs = [(p, subject) for p in sorted(self.parents[subject])]
        pairs += [(subject, c) for c in sorted(self.children[subject])]
        rng.shuffle(pairs)
        for parent, key in pairs[:4]:
            kinds = self.hyponyms(parent) | self.synonyms(parent)
            far = [t for t in self.far_terms([parent], rng, exclude=kinds) if t not in kinds]
            pname = self.terms[parent].term
            q = self._finish("is_a", f"Which of these is a kind of “{pname}”?", pname, subject, key, far, rng,
                             about=(parent,), min_choices=MAX_CHOICES)
            if q is not None:
                return q
        return None

    def _q_odd_one_out(self, subject: int, rng: random.Random) -> MCQuestion | None:
        groups = []
        for parent in sorted(self.parents[subject]):
            others = sorted(self.hyponyms(parent) - {subject} - self.hypernyms(subject))
            if len(others) >= 2:
                groups.append((parent, [subject], others))
        kids = sorted(self.hyponyms(subject))
        if len(kids) >= 3:
            groups.append((subject, [], kids))
        rng.shuffle(groups)
        for parent, fixed, others in groups[:3]:
            rng.shuffle(others)
            members = self._distinct(fixed + others, {self._labels[parent]})[: MAX_CHOICES - 1]
            if len(members) < MAX_CHOICES - 1:
                continue
            kinds = self.hyponyms(parent) | self.synonyms(parent)
            pname = self.terms[parent].term
            for key in [t for t in self.far_terms([parent, *members], rng, exclude=kinds) if t not in kinds][:4]:
                q = self._finish("odd_one_out", f"Three of these are kinds of “{pname}”. Which one is not?", pname,
                                 subject, key, members, rng, about=(parent, *members), min_choices=MAX_CHOICES,
                                 ranked=True)
                if q is not None:
                    return q
        return None

    def _q_contrast(self, subject: int, rng: random.Random) -> MCQuestion | None:
        partners = sorted(self.contrasts[subject])
        rng.shuffle(partners)
        for other in partners:
            q = self.contrast(subject, other, rng)
            if q is not None:
                return q
        return None

    def contrast(self, a: int, b: int, rng: random.Random | object) -> MCQuestion | None:
        """The two-option question for a confusable pair: one definition shown, which of the two is it?"""
        if a not in self.terms or b not in self.terms or self._labels[a] == self._labels[b]:
            return None
        if not isinstance(rng, random.Random):
            rng = random.Random(str(rng))
        order = [a, b]
        rng.shuffle(order)
        for key in order:
            other = b if key == a else a
            e = self.terms[key]
            if self.names_any(other, e.definition):
                continue
            shown = mask_words(e.definition, self.own_words(key))
            q = self._finish("contrast", "Often confused: which of the two does this describe?", shown, a, key, [other],
                             rng, min_choices=2)
            if q is not None:
                return q
        return None

    def _q_cloze(self, subject: int, rng: random.Random) -> MCQuestion | None:
        e = self.terms[subject]
        mentioned = [t for t in self.named_in(e.definition) if t != subject and len(self.terms[t].term) >= 4]
        if not mentioned:
            return None
        near = self.adj[subject]
        mentioned.sort(key=lambda t: (t not in near, -len(self.terms[t].term), t))
        name = self.terms[subject].term
        for key in mentioned[:3]:
            # blank out every mention of the key (and of terms its name contains or that contain it)
            blanked = e.definition
            for p in self._patterns[key]:
                blanked = p.sub(BLANK, blanked)
            if BLANK not in blanked or self.names_any(key, blanked):
                continue
            far = self.far_terms([subject, key], rng)
            q = self._finish("cloze", f"Complete the definition of “{name}”:", f"{name}\n{blanked}", subject, key, far,
                             rng, about=(subject, key), min_choices=MAX_CHOICES, shown_text=blanked)
            if q is not None:
                return q
        return None

    # --- assembling and checking ---------------------------------------------------------------------

    def _distinct(self, ids: Iterable[int], taken: set[str]) -> list[int]:
        out = []
        for t in ids:
            label = self._labels[t]
            if label not in taken:
                taken.add(label)
                out.append(t)
        return out

    def _finish(
        self,
        style: str,
        frame: str,
        stem: str,
        subject: int,
        key: int,
        wrong: list[int],
        rng: random.Random,
        *,
        about: tuple[int, ...] = (),
        min_choices: int,
        ranked: bool = False,
        shown_text: str | None = None,
    ) -> MCQuestion | None:
        """Pick up to three wrong options from ``wrong`` (in order) that keep the question fair."""
        text = shown_text if shown_text is not None else stem
        prompt = frame if style in ("link", "not_related", "is_a", "odd_one_out") else f"{frame}\n\n{text}"
        stem_words = content_words(stem)
        key_shares = bool(content_words(self.terms[key].term) & stem_words)
        taken = {self._labels[key]}
        picked: list[int] = []
        for t in wrong:
            if len(picked) == MAX_CHOICES - 1:
                break
            if t == key or self._labels[t] in taken or self.names_any(t, prompt):
                if ranked:
                    return None  # the given options are the question: one unusable spoils it
                continue
            taken.add(self._labels[t])
            picked.append(t)
        if ranked and len(picked) < len(wrong):
            return None
        if key_shares and not any(content_words(self.terms[t].term) & stem_words for t in picked):
            # only the key would share a word with the stem: swap in a lure that does, if any is usable
            sharing = next((t for t in wrong if t not in picked and self._labels[t] not in taken
                            and t != key and not self.names_any(t, prompt)
                            and content_words(self.terms[t].term) & stem_words), None)
            if sharing is None or ranked:
                return None
            picked[-1:] = [sharing] if picked else [sharing]
        if len(picked) + 1 < min_choices:
            return None
        ids = [key, *picked]
        rng.shuffle(ids)
        return MCQuestion(
            style=style,
            prompt=prompt,
            choices=tuple(self.terms[i].term for i in ids),
            answer=ids.index(key),
            subject_id=subject,
            choice_ids=tuple(ids),
            about_ids=about,
            stem=stem,
        )


def giveaway(q: MCQuestion, terms: Mapping[int, Entry]) -> bool:
    """True when only the key shares a content word with the stem (a word-overlap giveaway)."""
    words = content_words(q.stem)
    sharers = [i for i, tid in enumerate(q.choice_ids) if content_words(terms[tid].term) & words]
    return sharers == [q.answer]
