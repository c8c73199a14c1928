"""The deck-file schema (pydantic v2) and the small value types the core passes around.

``Deck`` and ``Term`` are both the in-memory model and the on-disk schema: JSON, TOML and YAML deck
files map straight onto them, and ``mlcards schema`` prints their JSON Schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from mlcards.records import LINK_FIELDS, RELATION_KINDS, TERM_FIELDS, name_clash, related_graph
from mlcards.text import clean_text, one_line, term_key

MAX_FIELD_CHARS = 20_000
"""Longest text accepted in any one field (a definition, an explanation...)."""


# Characters that show nothing: zero-width spaces and joiners, format controls, fillers, variation
# selectors. A term made only of these (and spaces) looks empty, so it counts as empty.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_VISIBLE = re.compile(rf"[^\s{_INVISIBLE}]")


def _valid_unicode(value: str) -> str:
    """Refuse lone surrogates (``"\\ud800"`` in JSON): they are not text and cannot be stored."""
    if value.isascii():  # nothing to check (most deck text): no encoding pass
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(
            f"holds {value[e.start]!r}, a lone surrogate (half of a UTF-16 pair), which is not valid text"
        ) from None
    return value


def _required_text(value: Any) -> Any:
    if isinstance(value, str):
        value = clean_text(_valid_unicode(value))
        if not value:
            raise ValueError("must not be empty")
        if not _VISIBLE.search(value):
            raise ValueError("must not be empty (it holds only invisible characters, such as zero-width spaces)")
    return value


def _optional_text(value: Any) -> Any:
    if isinstance(value, str):
        value = clean_text(_valid_unicode(value))
        return value if _VISIBLE.search(value) else None
    return value


def _line_text(value: Any) -> Any:
    return one_line(_valid_unicode(value)) if isinstance(value, str) else value


RequiredText = Annotated[str, BeforeValidator(_required_text), Field(max_length=MAX_FIELD_CHARS)]
TermText = Annotated[
    str,
    BeforeValidator(_line_text),
    BeforeValidator(_required_text),
    Field(max_length=500),
]
OptionalText = Annotated[
    # the length limit applies to the text only: blank text becomes None, which has no length
    Annotated[str, Field(max_length=MAX_FIELD_CHARS)] | None,
    BeforeValidator(_optional_text),
    Field(default=None),
]


def _unique(values: list[str], key: Callable[[str], str] = lambda v: v) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        k = key(v)
        if k and k not in seen:
            seen.add(k)
            out.append(v)
    return out


def _clean_names(value: list[str], me: str) -> list[str]:
    """Term names, each on one line, no duplicates (ignoring case and spacing), no link to ``me``."""
    return _unique([_line_text(v) for v in value if term_key(v) != me], key=term_key)


class Term(BaseModel):
    """One glossary entry; it becomes a recall, a reverse and (if it has neighbours) a related card."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    term: TermText = Field(description="The term itself, e.g. 'learning rate'.")
    aliases: list[str] = Field(
        default_factory=list,
        description="Other names a learner may type for the term: acronyms, synonyms (e.g. 'SGD').",
    )
    definition: RequiredText = Field(description="One-sentence definition.")
    explanation: OptionalText = Field(description="Plain-English explanation (2-4 sentences).")
    example: OptionalText = Field(description="A concrete example.")
    related: list[str] = Field(
        default_factory=list, description="Names of related terms (links are undirected)."
    )
    is_a: list[str] = Field(
        default_factory=list, description="Terms this one is a kind of (hypernyms): 'Adam' is_a 'optimizer'."
    )
    part_of: list[str] = Field(default_factory=list, description="Terms this one is a component of.")
    contrasts_with: list[str] = Field(
        default_factory=list, description="Terms commonly confused with, or opposite to, this one (symmetric)."
    )
    same_as: list[str] = Field(
        default_factory=list, description="Terms meaning the same thing under another entry (symmetric)."
    )
    used_for: list[str] = Field(default_factory=list, description="Terms this one is used for, or mitigates.")
    tags: list[str] = Field(default_factory=list, description="Topic tags (no spaces).")
    cloze: OptionalText = Field(
        default=None,
        description="An Anki cloze note's text ('{{c1::answer}}', '{{c1::answer::hint}}', c2, ...): the term "
        "gets one cloze card per index instead of reverse and related cards.",
    )

    @field_validator("aliases")
    @classmethod
    def _clean_aliases(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not value:
            return value
        names = [_line_text(v) for v in value]
        names = [v for v in names if isinstance(v, str) and _VISIBLE.search(v)]
        me = info.data.get("term")
        for v in names:
            if isinstance(me, str) and term_key(v) == term_key(me):
                raise ValueError(f"alias {v!r} is the term itself; list only other names")
        return _unique(names, key=term_key)

    @field_validator(*LINK_FIELDS)
    @classmethod
    def _clean_related(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not value:  # most lists are empty: skip computing the term's key for each of them
            return value
        return _clean_names(value, term_key(info.data.get("term", "")))  # a term never links to itself

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str]) -> list[str]:
        if not value:
            return value
        return _unique(["_".join(_line_text(v).split()) for v in value])

    @field_validator("cloze")
    @classmethod
    def _check_cloze(cls, value: str | None) -> str | None:
        if value is not None:
            from mlcards import cloze

            parsed = cloze.parse(value)
            if parsed.problems:
                raise ValueError(parsed.problems[0])
            if not parsed.indexes():
                raise ValueError("holds no cloze deletion ('{{c1::answer}}')")
        return value

    @cached_property
    def key(self) -> str:
        """The term's identity in its deck (``term_key``), computed once: imports ask for it often."""
        return term_key(self.term)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Term:
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("key", None)  # the cached key belongs to the old term text
        return copy

    @property
    def relations(self) -> dict[str, list[str]]:
        """The typed links that are not empty, kind -> names, in ``RELATION_KINDS`` order."""
        return {k: list(getattr(self, k)) for k in RELATION_KINDS if getattr(self, k)}

    def links(self) -> list[str]:
        """Every linked name (related and typed), first mention kept."""
        return _unique([n for f in LINK_FIELDS for n in getattr(self, f)], key=term_key)


class Deck(BaseModel):
    """A named list of terms: the unit of import and export."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    name: Annotated[str, BeforeValidator(_line_text)] = Field(
        min_length=1, max_length=200, description="Deck name; unique in a database."
    )
    description: Annotated[str, BeforeValidator(lambda v: clean_text(_valid_unicode(v)) if isinstance(v, str) else v)] = ""
    terms: list[Term] = Field(default_factory=list)

    @model_validator(mode="after")
    def _no_duplicate_terms(self) -> "Deck":
        first: dict[str, int] = {}
        for i, t in enumerate(self.terms):
            k = t.key
            if k in first:
                raise ValueError(
                    f"terms[{i}] ({t.term!r}): term: duplicate of terms[{first[k]}] "
                    f"({self.terms[first[k]].term!r}); terms must be unique ignoring case and spacing"
                )
            first[k] = i
        clash = name_clash([(t.term, t.aliases) for t in self.terms])
        if clash is not None:
            i, message = clash
            raise ValueError(f"terms[{i}] ({self.terms[i].term!r}): aliases: {message}")
        return self

    def graph(self) -> dict[str, set[str]]:
        """Undirected link graph over term keys (related and every typed relation); dangling links ignored."""
        return related_graph((t.key, [term_key(r) for r in t.links()]) for t in self.terms)


def describe_validation_error(err: ValidationError, data: Any = None) -> tuple[str, int | None]:
    """One readable line for the first problem in ``err``, plus the index of the term it concerns.

    ``terms[3] ('batch size'): definition: must not be empty``
    """
    e = err.errors(include_url=False)[0]
    loc = list(e.get("loc", ()))
    msg = e.get("msg", "invalid")
    msg = msg.removeprefix("Value error, ")
    parts: list[str] = []
    item: int | None = None
    if len(loc) >= 2 and loc[0] == "terms" and isinstance(loc[1], int):
        item = loc[1]
        label = f"terms[{item}]"
        try:
            name = data["terms"][item].get("term")
            if isinstance(name, str) and name.strip():
                label += f" ({one_line(name)!r})"
        except Exception:  # noqa: BLE001 - a best-effort label only
            pass
        parts.append(label)
        loc = loc[2:]
    if loc:
        parts.append(".".join(str(p) for p in loc))
    if e.get("type") == "missing":
        msg = "is required"
    elif e.get("type") == "extra_forbidden":
        msg = f"is not a deck field (allowed: {', '.join(TERM_FIELDS)})"
        if not parts or not parts[0].startswith("terms["):
            msg = "is not a deck field (allowed: name, description, terms)"
    if msg.startswith("terms["):  # our own model-level message already names the item
        return msg, _item_from_message(msg)
    return (": ".join(parts + [msg]) if parts else msg), item


def _item_from_message(msg: str) -> int | None:
    try:
        return int(msg[len("terms[") : msg.index("]")])
    except ValueError:
        return None
