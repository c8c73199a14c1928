"""``mlcards lint DECKFILE...``: check deck files for what a program can see is wrong.

Each file is checked as one deck. Findings are errors or warnings:

- **dangling** (error): a link (``related`` or a typed relation) names no term of the deck; a link
  naming another term's alias says which term it means.
- **cycle** (error): ``is_a`` (or ``part_of``) links that go round in a circle (A is_a B is_a A).
  One-way links are fine: symmetric relations (related, contrasts_with, same_as) need to be written
  on one side only, and the inverse of is_a/part_of/used_for is implied.
- **double link** (warning): the same pair linked under two kinds (say related and is_a).
- **island** (error): the link graph must be connected; every component beyond the largest is
  reported at its first term, with its terms (a term with no link at all is its own island).
- **give-away** (error): a definition that contains its term, one of its aliases, or spells out
  the expansion of an acronym term or alias (``LSTM``: "long short-term memory"), since the
  definition is the front of the reverse card.
- **duplicate definition** (error when equal ignoring case, accents and punctuation; warning when
  near: rapidfuzz ``token_set_ratio`` >= 90).
- **empty** (warning): a field or list item that is blank once cleaned (it is dropped on import).
- **invisible** (error): zero-width characters, word joiner, BOM, soft hyphen or bidi controls.
- **British spelling** (warning): optimise, regularisation, neighbour, behaviour, colour,
  modelling, labelled... in term, definition, explanation, example or description (aliases may
  keep an old spelling on purpose, so they are not checked).

A file that does not load (syntax, validation) gives one error at the line the importer names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mlcards.errors import MlcardsError
from mlcards.models import Deck, Term
from mlcards.records import LINK_FIELDS
from mlcards.text import term_key

NEAR_DUPLICATE = 90
"""rapidfuzz token_set_ratio at or above which two definitions are reported as near-duplicates."""

INVISIBLE = {
    "\u200b": "zero-width space", "\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner",
    "\u2060": "word joiner", "\ufeff": "byte order mark / zero-width no-break space", "\u00ad": "soft hyphen",
    "\u200e": "left-to-right mark", "\u200f": "right-to-left mark", "\u061c": "Arabic letter mark",
    **{chr(c): "bidi control" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}
_INVISIBLE_RE = re.compile("[" + "".join(INVISIBLE) + "]")

BRITISH = re.compile(
    r"\b\w*(?:optimis|regularis|normalis|generalis|minimis|maximis|initialis|standardis|tokenis|summaris|"
    r"categoris|visualis|organis|recognis|characteris|parameteris|quantis|vectoris|penalis|randomis|"
    r"neighbour|behaviour|colour|favour|modelling|modelled|labelled|labelling|travelled|centre|analys(?!is|es))\w*",
    re.IGNORECASE,
)
_STOP = {"of", "from", "and", "the", "to", "for", "with", "in", "on", "a", "an", "by", "at"}
TEXT_FIELDS = ("definition", "explanation", "example")
SPELLING_FIELDS = ("term", "definition", "explanation", "example")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    term: str | None
    severity: str  # 'error' | 'warning'
    rule: str
    message: str

    def text(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        who = f" term {self.term!r}:" if self.term else ""
        return f"{where}:{who} {self.severity}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def fold(text: str) -> str:
    """Case, accents, punctuation and spacing folded away: 'Short-Term' -> 'short term'."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


# --- loading -------------------------------------------------------------------------------------


def _term_lines(path: Path, text: str, count: int) -> list[int | None]:
    from mlcards.importers import deckfile

    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            tables = [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "[[terms]]"]
            return [tables[i] if i < len(tables) else None for i in range(count)]
        lines = deckfile._json_value_lines(text) if suffix == ".json" else deckfile._yaml_value_lines(text)
        return [lines.get(("terms", i)) for i in range(count)]
    except Exception:  # noqa: BLE001 - lines are a help; the findings stand without them
        return [None] * count


def _load(path: Path) -> tuple[Deck, Any, str]:
    from mlcards.importers import deckfile
    from mlcards.importers.common import read_text

    deck = deckfile.read_deck(path)  # raises DeckError with a line on any syntax or validation problem
    text = read_text(path)
    return deck, deckfile.LOADERS[path.suffix.lower()](path, text), text


# --- the checks ----------------------------------------------------------------------------------


def lint_deck(deck: Deck, file: str, raw: Any = None, lines: list[int | None] | None = None) -> list[Finding]:
    """Every finding for one deck (``raw``: the file's data before validation, for blank/invisible checks)."""
    terms = deck.terms
    lines = lines or [None] * len(terms)
    out: list[Finding] = []

    def add(i: int | None, severity: str, rule: str, message: str) -> None:
        out.append(Finding(file, lines[i] if i is not None else None, terms[i].term if i is not None else None,
                           severity, rule, message))

    index = {t.key: i for i, t in enumerate(terms)}
    alias_of = {term_key(a): t.term for t in terms for a in t.aliases}

    # links: dangling, double, cycles
    for i, t in enumerate(terms):
        kind_of: dict[str, str] = {}
        for field in LINK_FIELDS:
            for name in getattr(t, field):
                k = term_key(name)
                if k not in index:
                    hint = f" (it is an alias of {alias_of[k]!r}: link the term)" if k in alias_of else ""
                    add(i, "error", "dangling", f"{field} names {name!r}, which is not a term of this deck{hint}")
                elif k in kind_of and kind_of[k] != field:
                    add(i, "warning", "double link", f"{name!r} is linked both as {kind_of[k]} and as {field}")
                kind_of.setdefault(k, field)
    for kind in ("is_a", "part_of"):
        for cycle in _cycles({i: [index[term_key(n)] for n in getattr(t, kind) if term_key(n) in index]
                              for i, t in enumerate(terms)}):
            path = " -> ".join(terms[j].term for j in [*cycle, cycle[0]])
            add(cycle[0], "error", "cycle", f"{kind} links go round in a circle: {path}")

    # islands
    graph = deck.graph()
    components = _components([t.key for t in terms], graph)
    if len(components) > 1:
        components.sort(key=lambda c: (-len(c), min(index[k] for k in c)))
        for comp in components[1:]:
            members = sorted(comp, key=lambda k: index[k])
            first = index[members[0]]
            if len(members) == 1:
                add(first, "error", "island", "has no link to any other term (the deck's links must be connected)")
            else:
                listed = ", ".join(terms[index[k]].term for k in members)
                add(first, "error", "island",
                    f"an island of {len(members)} terms not linked to the rest of the deck: {listed}")

    # give-away definitions
    for i, t in enumerate(terms):
        definition = fold(t.definition)
        names = [t.term, *t.aliases]
        for name in names:
            if _contains(definition, fold(name)):
                what = "its term" if name == t.term else "its alias"
                add(i, "error", "give-away", f"the definition contains {what} {name!r}")
        for name in names:
            acronym = _acronym(name)
            if not acronym:
                continue
            spelled = _spelled_out(t.definition, acronym)
            if spelled and not any(_contains(fold(spelled), fold(n)) for n in names if _contains(definition, fold(n))):
                add(i, "error", "give-away", f"the definition spells out {name!r}: {spelled!r}")

    # duplicate definitions
    _duplicates(terms, add)

    # raw data: blank fields, invisible characters
    raw_terms = raw.get("terms") if isinstance(raw, dict) else None
    if isinstance(raw, dict):
        for key in ("name", "description"):
            for problem in _invisible(raw.get(key)):
                out.append(Finding(file, 1, None, "error", "invisible", f"deck {key}: {problem}"))
    if isinstance(raw_terms, list):
        for i, item in enumerate(raw_terms[: len(terms)]):
            if not isinstance(item, dict):
                continue
            for field, value in item.items():
                values = value if isinstance(value, list) else [value]
                for n, v in enumerate(values):
                    if not isinstance(v, str):
                        continue
                    label = f"{field}[{n}]" if isinstance(value, list) else field
                    for problem in _invisible(v):
                        add(i, "error", "invisible", f"{label}: {problem}")
                    if not _visible(v):
                        add(i, "warning", "empty", f"{label} is empty once cleaned (it is dropped)")

    # spelling
    for i, t in enumerate(terms):
        for field in SPELLING_FIELDS:
            value = getattr(t, field) or ""
            for word in sorted({m.group(0) for m in BRITISH.finditer(value)}):
                add(i, "warning", "spelling", f"British spelling in {field}: {word!r} (the deck uses US spelling)")
    if deck.description:
        for word in sorted({m.group(0) for m in BRITISH.finditer(deck.description)}):
            out.append(Finding(file, 1, None, "warning", "spelling", f"British spelling in the description: {word!r}"))

    out.sort(key=lambda f: (f.line or 0, f.severity != "error", f.rule))
    return out


def _visible(text: str) -> bool:
    from mlcards.models import _VISIBLE
    from mlcards.text import clean_text

    return bool(_VISIBLE.search(clean_text(text)))


def _invisible(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    found = sorted({m.group(0) for m in _INVISIBLE_RE.finditer(value)})
    return [f"holds an invisible character U+{ord(c):04X} ({INVISIBLE[c]}); delete it" for c in found]


def _acronym(name: str) -> str | None:
    """'LSTM' -> 'lstm', 't-SNE' -> None (mixed), 'GPT' -> 'gpt': an all-capitals word of 3+ letters."""
    letters = re.sub(r"[^A-Za-z]", "", name)
    if len(letters) >= 3 and letters.isupper() and " " not in name.strip():
        return letters.lower()
    return None


def _spelled_out(definition: str, acronym: str) -> str | None:
    """A run of words in ``definition`` whose initials spell ``acronym`` (small words may be skipped)."""
    words = re.findall(r"[A-Za-z0-9]+", unicodedata.normalize("NFKD", definition))
    n = len(acronym)
    for start in range(len(words)):
        if words[start][0].lower() != acronym[0]:
            continue
        got, j = 0, start
        while j < len(words) and got < n:
            w = words[j]
            if w.lower() in _STOP:  # small words are skipped, never counted ("from", "of", "a")
                pass
            elif w[0].lower() == acronym[got]:
                got += 1
            else:
                break
            j += 1
        if got == n:
            return " ".join(words[start:j])
    return None


def _duplicates(terms: list[Term], add: Callable[[int | None, str, str, str], None]) -> None:
    from rapidfuzz import fuzz, process

    folded = [fold(t.definition) for t in terms]
    seen: dict[str, int] = {}
    for i, d in enumerate(folded):
        if d in seen:
            add(i, "error", "duplicate definition", f"the same definition as {terms[seen[d]].term!r}")
        else:
            seen.setdefault(d, i)
    for i in range(len(terms) - 1):
        later = folded[i + 1 :]
        for _choice, score, k in process.extract(
            folded[i], later, scorer=fuzz.token_set_ratio, score_cutoff=NEAR_DUPLICATE, limit=None
        ):
            j = i + 1 + k
            if folded[i] != folded[j]:
                add(j, "warning", "duplicate definition",
                    f"the definition is nearly the same as {terms[i].term!r}'s ({score:.0f}% similar)")


def _components(keys: list[str], graph: dict[str, set[str]]) -> list[set[str]]:
    seen: set[str] = set()
    out = []
    for k in keys:
        if k in seen:
            continue
        comp, stack = set(), [k]
        while stack:
            x = stack.pop()
            if x in comp:
                continue
            comp.add(x)
            stack.extend(graph.get(x, ()))
        seen |= comp
        out.append(comp)
    return out


def _cycles(edges: dict[int, list[int]]) -> list[list[int]]:
    """One cycle per strongly connected group of nodes (iterative DFS; self-loops cannot occur)."""
    color: dict[int, int] = {}
    found: list[list[int]] = []
    reported: set[frozenset[int]] = set()
    for root in edges:
        if color.get(root):
            continue
        stack = [(root, iter(edges[root]))]
        path = [root]
        color[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                color[node] = 2
                continue
            state = color.get(nxt, 0)
            if state == 0:
                color[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, ()))))
                path.append(nxt)
            elif state == 1:
                cycle = path[path.index(nxt):]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    start = cycle.index(min(cycle))
                    found.append(cycle[start:] + cycle[:start])
    return found


# --- files ---------------------------------------------------------------------------------------


def lint_path(path: str | Path) -> list[Finding]:
    path = Path(path)
    try:
        deck, raw, text = _load(path)
    except MlcardsError as e:
        line = getattr(e, "line", None)
        message = getattr(e, "message", None) or str(e)
        return [Finding(str(path), line, None, "error", "load", f"does not load: {message}")]
    return lint_deck(deck, str(path), raw, _term_lines(path, text, len(deck.terms)))


def lint_paths(paths: Iterable[str | Path]) -> list[Finding]:
    return [f for p in paths for f in lint_path(p)]


def summary(findings: list[Finding], files: int) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    return (f"{files} file{'s' if files != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}")
