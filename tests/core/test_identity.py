"""Stable ids: the fast version-5 UUIDs are exactly what ``uuid.uuid5`` computes (they are synced and
exported, so one changed character would split a card's history across two identities)."""

from __future__ import annotations

import uuid

import pytest

from mlcards import identity
from mlcards.text import term_key


@pytest.mark.parametrize("name", ["Machine Learning", "Café  au lait", "naïve Bayes", "日本語", "x" * 300, ""])
def test_deck_and_term_uuids_match_uuid5(name: str) -> None:
    deck = identity.deck_uuid(name)
    assert deck == str(uuid.uuid5(identity.NAMESPACE, "deck:" + term_key(name)))
    term = identity.term_uuid(deck, term_key(name))
    assert term == str(uuid.uuid5(uuid.UUID(deck), "term:" + term_key(name)))
    assert uuid.UUID(term).version == 5 and uuid.UUID(term).variant == uuid.RFC_4122


def test_card_uuids_match_uuid5_for_every_kind_and_any_spelling_of_the_term_id() -> None:
    term = str(uuid.uuid4())
    for kind, pair, ordinal in [("recall", None, None), ("contrast", str(uuid.uuid4()), None), ("cloze", None, 3)]:
        name = f"card:{kind}" + (f":{pair}" if pair else "") + (f":{ordinal}" if ordinal is not None else "")
        expected = str(uuid.uuid5(uuid.UUID(term), name))
        for spelling in (term, term.upper(), "{" + term + "}", "urn:uuid:" + term, term.replace("-", "")):
            assert identity.card_uuid(spelling, kind, pair, ordinal) == expected
    with pytest.raises(ValueError):
        identity.card_uuid("not-a-uuid", "recall")


def test_review_uuids_are_random_version_4_ids() -> None:
    ids = {identity.review_uuid() for _ in range(1000)}
    assert len(ids) == 1000
    for text in list(ids)[:50]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert identity.NAMESPACE == uuid.UUID("6f1c2a4e-9d0b-5c61-8e53-1b7f0d2c9a41")
