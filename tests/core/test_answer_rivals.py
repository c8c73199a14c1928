"""Typed answers at any deck size: ``AnswerNames`` looks for rival terms in one rapidfuzz pass over the
deck (issue 11: 0.37-0.53 s per check at 100k cards), and its verdicts equal judging against every
other term of the deck, as ``judge_typed`` with all of them does."""

from __future__ import annotations

import random

from mlcards.answers import AnswerNames, judge_typed
from mlcards.records import CardKind
from mlcards.store import Store
from tests.core.test_typed_answers import DECK


def typed_variants(term: str, aliases: tuple[str, ...], rng: random.Random) -> list[str]:
    out = [term, term.upper(), f"the {term}", f"a {term}", term.replace("-", " "), term.replace(" ", ""), "", "x"]
    for name in (term, *aliases):
        for _ in range(4):
            chars = list(name)
            if chars:
                i = rng.randrange(len(chars))
                op = rng.choice(("drop", "swap", "add"))
                if op == "drop":
                    del chars[i]
                elif op == "swap" and i + 1 < len(chars):
                    chars[i], chars[i + 1] = chars[i + 1], chars[i]
                else:
                    chars.insert(i, rng.choice("aeiouxz12"))
            out.append("".join(chars))
    out += ["type 1 error", "type II", "L2", "l1 regularisation", "under fitting", "the decoder", "SGD", "fid"]
    return out


def test_verdicts_equal_judging_against_every_other_term(tmp_path):
    rng = random.Random(11)
    with Store.open(tmp_path / "c.db") as store:
        store.apply_deck(DECK)
        deck_id = store.require_deck(DECK.name)
        cards = [c for tid in [r[0] for r in store.answer_names(deck_id)] for c in store.cards_of_term(tid)
                 if c.kind is CardKind.RECALL]
        names = AnswerNames(store)
        checked = rivals_found = 0
        for card in cards:
            everyone = names.others(card)
            for typed in typed_variants(card.term, card.aliases, rng):
                want = judge_typed(typed, card.term, card.aliases, everyone)
                assert names.judge(typed, card) == want, (typed, card.term)
                checked += 1
                rivals_found += want.other is not None
                # the rivals are few: only terms the answer could pass for
                assert len(names.rivals(typed, card)) <= 3
        assert checked > 300 and rivals_found >= 10  # the rival rule was exercised, not only exact answers


def test_names_read_ahead_are_dropped_by_forget(tmp_path):
    with Store.open(tmp_path / "c.db") as store:
        store.apply_deck(DECK)
        deck_id = store.require_deck(DECK.name)
        names = AnswerNames(store)
        names.load(deck_id, store)
        assert deck_id in names._decks
        names.forget()
        assert names._decks == {}
