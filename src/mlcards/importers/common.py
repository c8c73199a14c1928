"""Shared helpers for importers: safe reading with size limits and encoding checks; merging decks."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from mlcards.errors import DeckError
from mlcards.models import Deck, Term, describe_validation_error
from mlcards.text import term_key

MAX_TEXT_BYTES = 50 * 1024 * 1024
"""Largest text file an importer reads (50 MiB)."""


def validation_problem(err: ValidationError) -> str:
    """``field: what is wrong`` for the first problem pydantic found (for one-line import errors)."""
    first = err.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    msg = first.get("msg", "invalid").removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def check_file(path: Path, limit: int, *, what: str = "a file; give the deck file's path", noun: str = "file") -> int:
    """The size of ``path``, or a one-line DeckError: missing, unreadable, a folder, or over ``limit``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DeckError("no such file; check the path", path=path) from None
    except OSError as e:
        raise DeckError(f"cannot read: {e.strerror}", path=path) from None
    if path.is_dir():
        raise DeckError(f"is a folder, not {what}", path=path)
    if size > limit:
        raise DeckError(f"{noun} is {human_size(size)}; the limit is {human_size(limit)}", path=path)
    return size


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} bytes"


def read_text(path: Path, *, limit: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 text file (BOM allowed), refusing oversized or binary files with a one-line error."""
    path = Path(path)
    check_file(path, limit)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DeckError(f"cannot read: {e.strerror}", path=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DeckError("not UTF-8 text; save the file as UTF-8", path=path, line=line) from None
    if "\x00" in text:
        raise DeckError("looks like a binary file, not text", path=path)
    return text


def merge_decks(decks: list[Deck], name: str, mode: str = "replace") -> Deck:
    """One deck named ``name`` holding every term of ``decks`` in first-seen order.

    A term met again is updated as a re-import would update it: ``replace`` takes the later text,
    ``enrich`` keeps what is known and fills in what the later one adds.
    """
    terms: dict[str, Term] = {}
    for d in decks:
        for t in d.terms:
            old = terms.get(t.key)
            terms[t.key] = t if old is None else _combine(old, t, mode)
    description = next((d.description for d in decks if d.description), "")
    try:
        return Deck(name=name, description=description, terms=list(terms.values()))
    except ValidationError as e:
        message, _ = describe_validation_error(e, {"name": name})
        raise DeckError(f"--deck {name!r}: {message}") from None


def _combine(old: Term, new: Term, mode: str) -> Term:
    if mode == "replace":
        return new
    data = old.model_dump()
    for field_name in ("definition", "explanation", "example"):
        if getattr(new, field_name):
            data[field_name] = getattr(new, field_name)
    keys = {term_key(r) for r in old.related}
    data["related"] = [*old.related, *(r for r in new.related if term_key(r) not in keys)]
    data["tags"] = [*old.tags, *(t for t in new.tags if t not in old.tags)]
    return Term.model_validate(data)


class ClozeProblem(ValueError):
    """Why a cloze note cannot become a term (no deletion, an unclosed ``{{c1::``, a field too long)."""


def cloze_term(text: str, *, extra: str | None, tags: list[str], taken: set[str], position: int) -> Term:
    """The term an Anki cloze note becomes (``text`` already converted from HTML).

    ``term`` is the answer of the lowest deletion index (several occurrences joined with " / "); if a
    term of the deck (``taken``: their keys) already has that name, " (cloze N)" is appended, N being
    the note's ``position``. ``definition`` is the text with every deletion filled in, ``cloze`` the text
    itself, ``explanation`` the note's other fields (``extra``, Anki's Back Extra).
    """
    from mlcards import cloze
    from mlcards.text import clean_text, one_line

    text = clean_text(text)
    parsed = cloze.parse(text)
    if parsed.problems:
        raise ClozeProblem(parsed.problems[0])
    if not parsed.indexes():
        raise ClozeProblem("a cloze note without any deletion ('{{c1::answer}}')")
    name = one_line(cloze.term_for(text))
    if not name:
        raise ClozeProblem("its first deletion is empty")
    if term_key(name) in taken:
        name = f"{name} (cloze {position})"
    try:
        return Term(term=name, definition=cloze.fill(text), explanation=extra or None, example=None, cloze=text,
                    tags=tags)
    except ValidationError as e:
        raise ClozeProblem(validation_problem(e)) from None
