"""Checking a typed answer at 100k cards (issue 11: 0.37-0.53 s before): ``AnswerNames.judge``, what the
review screen's typed-answer handler and plain review call, on the reverse cards of the largest deck.

    python benchmarks/typed_answer.py PATH   # a database built by benchmarks/stats_bench.py PATH

Prints the median and the worst time per kind of answer (exact, a typo, something unrelated, nothing),
and the one-off read of the deck's names (the review screen does it in a worker when a reverse card shows).
"""

from __future__ import annotations

import statistics
import sys
import time

from mlcards.answers import AnswerNames
from mlcards.store import Store


def main(path: str) -> None:
    store = Store.open(path)
    deck_id, terms = store.db.execute(
        "SELECT deck_id, COUNT(*) FROM terms GROUP BY deck_id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
    ids = [r[0] for r in store.db.execute(
        "SELECT c.id FROM cards c JOIN terms t ON t.id = c.term_id WHERE c.kind = 'reverse' AND t.deck_id = ? "
        "ORDER BY c.id LIMIT 40", [deck_id])]
    cards = [store.card(i) for i in ids]
    names = AnswerNames(store)
    started = time.perf_counter()
    names.load(deck_id, store)
    print(f"{terms:,} terms in the deck; reading and indexing its names once: {(time.perf_counter() - started) * 1000:.0f} ms")
    kinds = {
        "exact": lambda term: term,
        "typo": lambda term: term[:-1] + ("q" if not term.endswith("q") else "z"),
        "wrong": lambda term: "something else entirely",
        "empty": lambda term: "",
    }
    for label, make in kinds.items():
        times = []
        for card in cards:
            started = time.perf_counter()
            names.judge(make(card.term), card)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{label:6} median {statistics.median(times):7.2f} ms   max {max(times):7.2f} ms   (n={len(times)})")


if __name__ == "__main__":
    main(sys.argv[1])
