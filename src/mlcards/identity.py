"""Stable identities beside the integer rowids: what a later sync and an Anki round trip match on.

Decks, terms and cards get deterministic UUIDs (version 5) from their natural keys, so two machines
that each installed the bundled deck, or imported the same deck file, hold the same ids. A term keeps
the id it got when it was created, so renaming it keeps its identity. Review-log rows get random UUIDs
(version 4): every answer is its own event.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from mlcards.text import term_key

if TYPE_CHECKING:
    import uuid

_NAMESPACE_TEXT = "6f1c2a4e-9d0b-5c61-8e53-1b7f0d2c9a41"
"""mlcards' own namespace for version-5 ids (fixed forever: changing it would change every id)."""
_NAMESPACE_BYTES = bytes.fromhex(_NAMESPACE_TEXT.replace("-", ""))


def __getattr__(name: str) -> Any:
    """``NAMESPACE`` as a ``uuid.UUID``, built on first use (the uuid module costs start-up time)."""
    if name == "NAMESPACE":
        import uuid

        return uuid.UUID(_NAMESPACE_TEXT)
    raise AttributeError(name)


NAMESPACE: uuid.UUID


def _format(raw: bytearray, version: int) -> str:
    """16 bytes as a UUID of ``version`` (RFC 4122 variant), in its canonical text."""
    raw[6] = (raw[6] & 0x0F) | (version << 4)
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _uuid5(namespace: bytes, name: str) -> str:
    """``str(uuid.uuid5(UUID(bytes=namespace), name))`` without building UUID objects (an import makes
    one per term and card: this is its hot path). RFC 4122: SHA-1, version 5, the RFC variant."""
    from hashlib import sha1  # here, not at the top: ``mlcards decks`` never makes an id

    return _format(bytearray(sha1(namespace + name.encode("utf-8")).digest()[:16]), 5)


def _uuid_bytes(text: str) -> bytes:
    hexdigits = text.replace("-", "")
    if len(hexdigits) == 32:
        try:
            return bytes.fromhex(hexdigits)
        except ValueError:
            pass
    import uuid

    return uuid.UUID(text).bytes  # any other spelling uuid.UUID accepts (braces, urn:uuid:), or its error


def deck_uuid(name: str) -> str:
    return _uuid5(_NAMESPACE_BYTES, "deck:" + term_key(name))


def term_uuid(deck: str, key: str) -> str:
    """``deck`` is the deck's UUID, ``key`` the term's normalised name when it was created."""
    return _uuid5(_uuid_bytes(deck), "term:" + key)


def card_uuid(term: str, kind: str, pair_term: str | None = None, ordinal: int | None = None) -> str:
    """``term`` is the term's UUID; a contrast card also names the other term of its pair, a cloze card
    its deletion index (``card:cloze:2``)."""
    name = f"card:{kind}" + (f":{pair_term}" if pair_term else "") + (f":{ordinal}" if ordinal is not None else "")
    return _uuid5(_uuid_bytes(term), name)


def review_uuid() -> str:
    """A random (version 4) UUID, as ``str(uuid.uuid4())`` makes it: 16 bytes from ``os.urandom``."""
    return _format(bytearray(os.urandom(16)), 4)
