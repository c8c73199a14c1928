"""Text hygiene shared by every layer: deck text is data, never markup or control sequences."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0 controls except tab and newline, DEL, C1 controls, and the bidi embedding/override/isolate
# characters that can make text display differently from what it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Normalise newlines, drop control characters, NFC-normalise and strip the ends."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    if value.isascii():  # NFC leaves ASCII as it is (the common case, and a hot path of every import)
        return value.strip()
    return unicodedata.normalize("NFC", value).strip()


def one_line(value: str) -> str:
    """Clean text folded onto one line (for table cells, status lines and error messages)."""
    return _SPACES.sub(" ", clean_text(value)).strip()


def term_key(term: str) -> str:
    """The identity of a term inside a deck: case-, accent-form- and whitespace-insensitive."""
    return _SPACES.sub(" ", clean_text(term).casefold()).strip()  # clean_text has NFC-normalised it


# --- the terminal edge ----------------------------------------------------------------------------
# What is written to a terminal (CLI stdout/stderr, the app's screens) goes through ``safe`` (or
# ``safe_line``); CLI JSON goes through ``json_text``. Text from the store is clean already; these
# catch what is not: file names, paths, column headers, command-line arguments, hand-edited databases.

# Every Cc character (C0, DEL, C1 including U+009B CSI and U+0085 NEL), the bidi marks, embeddings,
# overrides and isolates, the line/paragraph separators, the interlinear annotation marks, and lone
# surrogates (undecodable bytes of a file name, which would otherwise be written back as raw bytes).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\ud800-\udfff]"
)
_UNSAFE_KEEP_LAYOUT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe(text: object) -> str:
    """Text that cannot drive a terminal: control characters shown as visible escapes.

    Newlines and tabs stay (a CRLF or lone CR becomes a newline); every other C0 control, DEL,
    C1 control (U+0080-U+009F), bidi control and lone surrogate becomes ``\\x1b``/``\\u202e``, so
    an escape sequence, OSC 52/8, a bell or a reordering override shows as inert text.
    """
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE_KEEP_LAYOUT.sub(_visible, text)


def safe_line(text: object) -> str:
    """``safe`` on one line (messages, status lines, table cells): whitespace runs become one space."""
    text = str(text).replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return re.sub(" {2,}", " ", _UNSAFE.sub(_visible, text)).strip()


def json_text(obj: object, **kwargs: Any) -> str:
    """``json.dumps`` for the terminal: readable non-ASCII, but every character ``safe`` would escape
    written as ``\\uXXXX``, so the output is valid JSON that loads back to exactly ``obj``."""
    import json

    text = json.dumps(obj, ensure_ascii=False, **kwargs)  # escapes C0 in strings; layout is \n and spaces
    return _UNSAFE_KEEP_LAYOUT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
