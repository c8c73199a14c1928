"""Browse's search syntax (Anki's, the parts that map onto our cards): text -> a small tree.

    neuron                 term, definition, explanation or tags contain "neuron" (* is a wildcard)
    "weighted sum"         a phrase, spaces included
    deck:"Neural Nets"     the deck's name (case-insensitive; * is a wildcard: deck:neural*)
    tag:basics             a tag (tag:basics also matches basics::more; tag:none: no tags)
    card:reverse           the card's kind: recall, reverse, related, contrast, cloze
    is:new is:learn is:review is:due is:suspended is:buried is:leech
    prop:ivl>30 prop:ease<2 prop:lapses>=2 prop:reps=0 prop:due<=3 (days from today; -1 is yesterday)
    -term                  not (any term: -tag:x, -is:new, -(a or b))
    a b                    both; ``a or b`` either; parentheses group

The store turns the tree into parameterised SQL (``store.cards``); nothing here knows SQL.
``parse`` raises only ``SearchError``, whose message fits on one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Union

from mlcards.errors import MlcardsError


class SearchError(MlcardsError):
    """A search that cannot be read; the message says what and where."""


@dataclass(frozen=True)
class Text:
    """Term, definition, explanation or tags contain ``text`` (``*`` matches anything)."""

    text: str


@dataclass(frozen=True)
class DeckIs:
    """The deck's name matches ``pattern`` (case-insensitive, ``*`` matches anything)."""

    pattern: str


@dataclass(frozen=True)
class TagIs:
    """One of the term's tags matches ``pattern`` (or a tag below it, ``pattern::…``); ``None``: no tags."""

    pattern: str | None


@dataclass(frozen=True)
class CardIs:
    """The card's kind matches ``pattern`` (recall, reverse, related, contrast, cloze; ``*`` matches anything)."""

    pattern: str


@dataclass(frozen=True)
class StateIs:
    """``is:<state>``: one of ``IS_VALUES``."""

    state: str


@dataclass(frozen=True)
class Prop:
    """``prop:<name><op><value>``: a number of the card's schedule compared with ``value``."""

    name: str
    op: str
    value: Decimal


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Union[Text, DeckIs, TagIs, CardIs, StateIs, Prop, Not, And, Or]

EVERYTHING = And(())
"""The empty search: every card."""

IS_VALUES: dict[str, str] = {
    "new": "never studied",
    "learn": "studied, but failed last time (in learning again)",
    "review": "studied and passed (the rest of the studied cards)",
    "due": "due today or overdue, not suspended or buried",
    "suspended": "suspended",
    "buried": "buried until a later day",
    "leech": "marked a leech",
}

PROPS: dict[str, str] = {
    "ivl": "interval in days (studied cards)",
    "ease": "easiness, e.g. 2.5 (studied cards)",
    "due": "days from today to the due date (studied cards; 0 is today, -1 yesterday)",
    "lapses": "times forgotten after being learnt",
    "reps": "successful reviews in a row",
}
INTEGER_PROPS = frozenset({"ivl", "due", "lapses", "reps"})
OPERATORS = ("<=", ">=", "!=", "=", "<", ">")
FIELDS = ("deck", "tag", "card", "is", "prop")
SPECIAL = '()"'


def parse(text: str) -> Node:
    """The search ``text`` as a tree; raise ``SearchError`` if it cannot be read."""
    tokens = _tokens(text)
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.peek() is not None:
        tok = parser.peek()
        assert tok is not None
        raise SearchError(f"unexpected {tok.show()} at column {tok.column}")
    return node


# --- tokens ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "(", ")", "-"
    text: str
    column: int  # 1-based, for messages
    field: str | None = None  # field:"quoted value" keeps the field here

    def show(self) -> str:
        return f"“{self.text}”" if self.kind in ("word", "phrase") else f"“{self.kind}”"


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            tokens.append(_Token(ch, ch, i + 1))
            i += 1
            continue
        if ch == "-" and (i + 1 < n and not text[i + 1].isspace()):
            tokens.append(_Token("-", "-", i + 1))
            i += 1
            continue
        if ch == "-":
            raise SearchError(f"nothing after “-” at column {i + 1} (write -word to leave out cards with that word)")
        if ch == '"':
            value, i = _quoted(text, i)
            tokens.append(_Token("phrase", value, i))
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in SPECIAL:
            i += 1
        word = text[start:i]
        if i < n and text[i] == '"' and word.endswith(":"):  # field:"a quoted value"
            value, i = _quoted(text, i)
            tokens.append(_Token("word", value, start + 1, field=word[:-1]))
            continue
        tokens.append(_Token("word", word, start + 1))
    return tokens


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The phrase opened by the quote at ``i`` (``\\"`` is a quote inside it) and the index after it."""
    out: list[str] = []
    j = i + 1
    while j < len(text):
        ch = text[j]
        if ch == "\\" and j + 1 < len(text) and text[j + 1] in '"\\':
            out.append(text[j + 1])
            j += 2
            continue
        if ch == '"':
            return "".join(out), j + 1
        out.append(ch)
        j += 1
    raise SearchError(f"the quote at column {i + 1} is never closed")


# --- grammar: or_expr := and_expr ("or" and_expr)* ; and_expr := unary+ ; unary := "-" unary | atom ----

class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.at = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        tok = self.tokens[self.at]
        self.at += 1
        return tok

    @staticmethod
    def _is_keyword(tok: _Token | None, word: str) -> bool:
        return tok is not None and tok.kind == "word" and tok.field is None and tok.text.lower() == word

    def expression(self, depth: int = 0) -> Node:
        if depth > 50:
            raise SearchError("too many nested parentheses")
        first = self.conjunction(depth)
        options = [first]
        while self._is_keyword(self.peek(), "or"):
            tok = self.take()
            if self.peek() is None or self.peek().kind == ")":  # type: ignore[union-attr]
                raise SearchError(f"nothing after “or” at column {tok.column}")
            options.append(self.conjunction(depth))
        return options[0] if len(options) == 1 else Or(tuple(options))

    def conjunction(self, depth: int) -> Node:
        nodes: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind == ")" or self._is_keyword(tok, "or"):
                break
            if self._is_keyword(tok, "and"):
                self.take()
                if not nodes:
                    raise SearchError(f"nothing before “and” at column {tok.column}")
                nxt = self.peek()
                if nxt is None or nxt.kind == ")" or self._is_keyword(nxt, "or"):
                    raise SearchError(f"nothing after “and” at column {tok.column}")
                continue
            nodes.append(self.unary(depth))
        if not nodes:
            tok = self.peek()
            if tok is None and self.at == 0:
                return EVERYTHING
            if tok is not None and tok.kind == ")":
                raise SearchError(f"nothing before “)” at column {tok.column}")
            if tok is not None:
                raise SearchError(f"nothing before “or” at column {tok.column}")
            raise SearchError("the search ends too soon")
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self, depth: int) -> Node:
        tok = self.take()
        if tok.kind == "-":
            nxt = self.peek()
            if nxt is None or nxt.kind == ")":
                raise SearchError(f"nothing after “-” at column {tok.column}")
            if depth > 50:
                raise SearchError("too many “-” in a row")
            return Not(self.unary(depth + 1))
        if tok.kind == "(":
            if self.peek() is None:
                raise SearchError(f"the parenthesis at column {tok.column} is never closed")
            inner = self.expression(depth + 1)
            close = self.peek()
            if close is None or close.kind != ")":
                raise SearchError(f"the parenthesis at column {tok.column} is never closed")
            self.take()
            return inner
        if tok.kind == ")":
            raise SearchError(f"unexpected “)” at column {tok.column}")
        if tok.kind == "phrase":
            if not tok.text.strip():
                raise SearchError(f"empty quotes at column {tok.column}")
            return Text(tok.text)
        return _atom(tok)


def _atom(tok: _Token) -> Node:
    if tok.field is not None:
        field, value, quoted = tok.field, tok.text, True
    elif ":" in tok.text:
        field, value = tok.text.split(":", 1)
        quoted = False
    else:
        return Text(tok.text)
    name = field.lower()
    where = f"at column {tok.column}"
    if name not in FIELDS:
        if not field:
            raise SearchError(f"nothing before “:” {where} (quote text that holds a colon: \"{tok.text}\")")
        raise SearchError(
            f"unknown field “{field}:” {where}: use deck:, tag:, card:, is: or prop: (quote text with a colon)"
        )
    if not value and not quoted:
        raise SearchError(f"“{field}:” needs a value {where}, e.g. {_EXAMPLES[name]}")
    if name == "deck":
        if not value.strip():
            raise SearchError(f"“deck:” needs a name {where}")
        return DeckIs(value)
    if name == "tag":
        if not value.strip():
            raise SearchError(f"“tag:” needs a tag {where}")
        return TagIs(None if value.lower() == "none" and not quoted else value)
    if name == "card":
        if not value.strip():
            raise SearchError(f"“card:” needs a kind {where}, e.g. card:reverse")
        return CardIs(value)
    if name == "is":
        state = value.lower()
        if state not in IS_VALUES:
            raise SearchError(f"unknown “is:{value}” {where}: use one of {', '.join('is:' + v for v in IS_VALUES)}")
        return StateIs(state)
    return _prop(value, where)


_EXAMPLES = {"deck": 'deck:"Neural Nets"', "tag": "tag:basics", "card": "card:reverse", "is": "is:due", "prop": "prop:ivl>30"}


def _prop(value: str, where: str) -> Prop:
    name_end = 0
    while name_end < len(value) and value[name_end].isalpha():
        name_end += 1
    name, rest = value[:name_end].lower(), value[name_end:]
    if name not in PROPS:
        raise SearchError(f"unknown “prop:{value[:name_end]}” {where}: use one of {', '.join(PROPS)}")
    op = next((o for o in OPERATORS if rest.startswith(o)), None)
    if op is None:
        raise SearchError(f"“prop:{name}” needs a comparison {where}, e.g. prop:{name}>=3 (one of {' '.join(OPERATORS)})")
    number = rest[len(op):]
    try:
        amount = Decimal(number)
        if not amount.is_finite() or number.strip() != number or not number or number[0] not in "+-0123456789.":
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise SearchError(f"“prop:{value}” {where}: “{number}” is not a number") from None
    if abs(amount) > 10**9:
        raise SearchError(f"“prop:{value}” {where}: the number is too large")
    if name in INTEGER_PROPS and amount != amount.to_integral_value():
        raise SearchError(f"“prop:{value}” {where}: {name} takes a whole number")
    return Prop(name, op, amount)
