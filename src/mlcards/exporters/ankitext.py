"""Write a Deck as an Anki text file (``.tsv`` tab-separated, ``.csv`` comma-separated).

The file starts with the headers Anki 2.1.54+ reads (docs.ankiweb.net, Importing > Text Files >
File Headers), so File > Import needs no choices::

    #separator:tab
    #html:false
    #notetype:Basic (and reversed card)
    #deck:<deck name>
    #columns:Front<TAB>Back<TAB>Explanation<TAB>Example<TAB>Related<TAB>Tags<TAB>Deck
    #deck column:7
    #tags column:6

Why these choices (checked against Anki's importer, rslib ``import_export/text/csv``):

- ``#notetype:`` and ``#deck:`` only *preset* a note type or deck that already exists; otherwise
  Anki falls back to the last-used ones. "Basic (and reversed card)" ships with every (English)
  collection, and its cards match ours (term -> definition, and the reverse).
- Anki maps columns to fields *by name* when ``#columns:`` is given; a field no column names stays
  empty. So the first two columns are called Front and Back, the field names of that note type.
  Explanation, Example and Related have no field there and are skipped by Anki (the ``.apkg``
  export carries every field); our own importer reads all of them back by name.
- A deck whose terms have aliases gets one more column, ``Aliases`` (names joined with ", "), after
  Deck: Anki skips it like Explanation (its Back field is the reversed card's front, so the other
  names cannot go there without giving the answer away); the ``.apkg`` export shows them on the back.
  A deck without aliases is written exactly as before.
- Cloze terms: a text file has one note type, so a cloze term is a Basic row like any other (its term
  and its filled-in definition), and a deck with cloze terms gets a last column, ``Cloze``, holding
  the ``{{c1::...}}`` text: Anki skips it (the ``.apkg`` export makes real cloze notes), our importer
  reads it back, so the term is a cloze term again.
- ``#deck column:`` makes Anki create the deck when it does not exist yet (``#deck:`` alone would
  drop the notes into the current deck); ``#deck:`` stays for readers that only know that header.
- ``#html:false``: our text is plain, so Anki escapes ``<``, ``>`` and ``&`` itself (and turns line
  breaks inside quoted fields into ``<br>``; checked with Anki 26.9's importer).

Fields are quoted RFC-4180 style when they contain the separator, a double quote (doubled inside),
a line break, or start with ``#`` (a row starting with ``#`` would be read as a comment). Related
terms are joined with ", "; tags with spaces (Anki's tag separator). UTF-8 without a BOM (a BOM
would hide the first header from Anki). Re-importing into Anki updates notes with the same first
field (term) and note type instead of duplicating them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mlcards.exporters.atomic import atomic_write
from mlcards.models import Deck, Term

SEPARATORS = {".tsv": "\t", ".csv": ","}
SEPARATOR_NAMES = {"\t": "tab", ",": "comma"}
EXTENSIONS = tuple(SEPARATORS)
NOTETYPE = "Basic (and reversed card)"
COLUMNS = ("Front", "Back", "Explanation", "Example", "Related", "Tags", "Deck")
TAGS_COLUMN = COLUMNS.index("Tags") + 1
DECK_COLUMN = COLUMNS.index("Deck") + 1
RELATED_JOIN = ", "
ALIASES_COLUMN = "Aliases"
"""The eighth column, written only when some term has aliases."""
CLOZE_COLUMN = "Cloze"
"""The last column, written only when some term is a cloze term."""


def quote(field: str, separator: str) -> str:
    """One field, quoted only when it has to be (separator, quote, line break, leading '#')."""
    if (
        separator in field
        or '"' in field
        or "\n" in field
        or "\r" in field
        or field.startswith("#")
    ):
        return '"' + field.replace('"', '""') + '"'
    return field


def row(fields: list[str], separator: str) -> str:
    return separator.join(quote(f, separator) for f in fields) + "\n"


def term_fields(term: Term, deck_name: str, *, aliases: bool = False, cloze: bool = False) -> list[str]:
    fields = [
        term.term,
        term.definition,
        term.explanation or "",
        term.example or "",
        RELATED_JOIN.join(term.related),
        " ".join(tag for tag in ("_".join(t.split()) for t in term.tags) if tag),
        deck_name,
    ]
    if aliases:
        fields.append(RELATED_JOIN.join(term.aliases))
    if cloze:
        fields.append(term.cloze or "")
    return fields


def has_aliases(deck: Deck) -> bool:
    return any(t.aliases for t in deck.terms)


def has_cloze(deck: Deck) -> bool:
    return any(t.cloze for t in deck.terms)


def header(deck: Deck, separator: str) -> str:
    lines = [
        f"#separator:{SEPARATOR_NAMES[separator]}",
        "#html:false",
        f"#notetype:{NOTETYPE}",
        f"#deck:{deck.name}",
        "#columns:" + row(
            [*COLUMNS, *([ALIASES_COLUMN] if has_aliases(deck) else []), *([CLOZE_COLUMN] if has_cloze(deck) else [])],
            separator,
        ).rstrip("\n"),
        f"#deck column:{DECK_COLUMN}",
        f"#tags column:{TAGS_COLUMN}",
    ]
    return "\n".join(lines) + "\n"


def dumps(deck: Deck, suffix: str) -> str:
    separator = SEPARATORS.get(suffix.lower())
    if separator is None:
        raise ValueError(f"not an Anki text extension: {suffix}")
    aliases, cloze = has_aliases(deck), has_cloze(deck)
    return header(deck, separator) + "".join(
        row(term_fields(t, deck.name, aliases=aliases, cloze=cloze), separator) for t in deck.terms
    )


def write(deck: Deck, path: Path, *, now: datetime | None = None) -> None:  # noqa: ARG001 - uniform signature
    path = Path(path)
    text = dumps(deck, path.suffix)
    atomic_write(path, lambda tmp: tmp.write_bytes(text.encode("utf-8")))
