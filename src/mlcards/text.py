"""Text hygiene shared by every layer: deck text is data, never markup or control sequences."""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab and newline, DEL, C1 controls, and the bidi embedding/override/isolate
# characters that can make text display differently from what it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Normalise newlines, drop control characters, NFC-normalise and strip the ends."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return unicodedata.normalize("NFC", value).strip()


def one_line(value: str) -> str:
    """Clean text folded onto one line (for table cells, status lines and error messages)."""
    return _SPACES.sub(" ", clean_text(value)).strip()


def term_key(term: str) -> str:
    """The identity of a term inside a deck: case-, accent-form- and whitespace-insensitive."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", clean_text(term)).casefold()).strip()
