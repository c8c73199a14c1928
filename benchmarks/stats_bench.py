"""Time every ``mlcards.stats`` figure on a large synthetic database (best of N runs).

    python benchmarks/stats_bench.py                 # 100,002 cards, ~1,000,000 reviews, temp file
    python benchmarks/stats_bench.py /tmp/big.db     # build once into this file, reuse it afterwards
    python benchmarks/stats_bench.py --tiny          # 1,002 cards, ~10,000 reviews (CI)

The database is built straight into the tables (executemany in one transaction) through a schema made
by ``Store.open``, so every migration and index is there. The history is simulated with SM-2 itself:
33,334 terms x 3 cards in four decks, cards introduced over two years (more of them lately), answered when due (sometimes
late), failures re-drilled the same day, leeches suspended; about one in ten cards is never studied.
"Today" is the last study day of the history. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from mlcards import stats
from mlcards.store import Store

FULL = {"terms": 33_334, "days": 730, "target_reviews": 1_000_000}
TINY = {"terms": 334, "days": 730, "target_reviews": 10_000}
DECK_SHARES = (0.4, 0.3, 0.2, 0.1)
KINDS = ("recall", "reverse", "related")


def _grade(rng: random.Random, reps: int, interval: int, fail: float) -> int:
    p_fail = fail * (1.6 if reps == 0 else 1.0 if interval < 21 else 0.6)
    if rng.random() < p_fail:
        return rng.choice((0, 1, 2, 2))
    return rng.choices((3, 4, 5), (2, 5, 3))[0]


def simulate(terms: int, days: int, fail: float, seed: int = 7):
    """Cards (one tuple per card) and reviews (one tuple per answer) for ``terms`` x 3 cards."""
    rng = random.Random(seed)
    cards, reviews = [], []
    for card_id in range(1, terms * 3 + 1):
        reps, ease, interval, due, lapses, leech, suspended = 0, 250, 0, None, 0, 0, 0
        roll = rng.random()
        if roll >= 0.10:  # studied
            day = int(days * (1 - rng.random() ** 1.5))  # a growing collection: more cards added lately
            day = min(day, days - 1)
            while day < days:
                g = _grade(rng, reps, interval, fail)
                kind = "new" if due is None else "review"
                before = (reps, ease, interval, due)
                lapse = reps >= 1 and g < 3
                if g >= 3:
                    interval = 1 if reps == 0 else 6 if reps == 1 else -((-interval * ease) // 100)
                    reps += 1
                else:
                    interval, reps = 1, 0
                interval = max(1, min(interval, 36_500))
                d = 5 - g
                ease = max(130, ease + 10 - d * (8 + d * 2))
                due = day + interval
                lapses += lapse
                leeched = lapse and lapses >= 8
                secs = rng.randrange(8 * 3600, 22 * 3600)
                reviews.append((day, secs, card_id, g, kind, *before, reps, ease, interval, due, int(lapse),
                                int(leeched), rng.randrange(1500, 20000)))
                if leeched:
                    leech = suspended = 1
                    break
                while g < 4:  # SM-2 step 7: repeat until the answer is 4 or 5
                    g = rng.choices((2, 3, 4, 5), (1, 2, 5, 3))[0]
                    secs += rng.randrange(30, 600)
                    reviews.append((day, secs, card_id, g, "redrill", reps, ease, interval, due, reps, ease,
                                    interval, due, 0, 0, rng.randrange(1000, 10000)))
                late = 0 if rng.random() < 0.8 else rng.randrange(1, 6)
                day = due + late
            if rng.random() < 0.01:
                suspended = 1
        cards.append((card_id, reps, ease, interval, due, lapses, suspended, leech))
    return cards, reviews


def build(path: Path, size: dict) -> None:
    started = time.perf_counter()
    days = size["days"]
    fail = 0.12
    for _ in range(8):  # tune the failure rate until the log is about the target size
        cards, reviews = simulate(size["terms"], days, fail)
        ratio = len(reviews) / size["target_reviews"]
        if 0.995 <= ratio <= 1.05:
            break
        fail = min(0.6, max(0.02, fail / ratio ** 1.5))
    last = date.today()
    first = last - timedelta(days=days - 1)

    def iso(d):
        return None if d is None else (first + timedelta(days=d)).isoformat()

    store = Store.open(path)
    store.set_setting("timezone", "UTC")
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = OFF")
    stamp = f"{first.isoformat()}T00:00:00.000Z"
    with conn:
        n_terms = size["terms"]
        bounds, acc = [], 0
        for i, share in enumerate(DECK_SHARES):
            count = round(n_terms * share) if i < len(DECK_SHARES) - 1 else n_terms - acc
            bounds.append((acc + 1, acc + count))
            acc += count
        conn.executemany(
            "INSERT INTO decks (id, name, description, created_at) VALUES (?, ?, '', ?)",
            [(i + 1, f"Deck {chr(65 + i)}", stamp) for i in range(len(bounds))],
        )
        deck_of = {}
        term_rows, link_rows = [], []
        for deck_id, (lo, hi) in enumerate(bounds, 1):
            for tid in range(lo, hi + 1):
                deck_of[tid] = deck_id
                nbrs = [o for o in (tid - 5, tid - 1, tid + 1, tid + 5) if lo <= o <= hi]
                related = json.dumps([f"term {o}" for o in nbrs if o > tid])
                term_rows.append((tid, deck_id, f"term {tid}", f"term {tid}", f"Definition of term {tid}.",
                                  related, tid - lo, stamp, stamp))
                link_rows.extend((tid, o) for o in nbrs)
        conn.executemany(
            "INSERT INTO terms (id, deck_id, key, term, definition, related, position, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            term_rows,
        )
        conn.executemany("INSERT INTO links (term_id, other_id) VALUES (?, ?)", link_rows)
        conn.executemany(
            "INSERT INTO cards (id, term_id, kind, repetitions, easiness_centi, interval, due, lapses, suspended,"
            " leech, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(cid, (cid - 1) // 3 + 1, KINDS[(cid - 1) % 3], reps, ease, ivl, iso(due), lapses, susp, leech, stamp)
             for cid, reps, ease, ivl, due, lapses, susp, leech in cards],
        )
        reviews.sort(key=lambda r: (r[0], r[1]))

        def rows():
            for (day, secs, cid, g, kind, rb, eb, ib, db, ra, ea, ia, da, lapse, leeched, ms) in reviews:
                d = first + timedelta(days=day)
                h, rem = divmod(min(secs, 86_399), 3600)
                at = f"{d.isoformat()}T{h:02d}:{rem // 60:02d}:{rem % 60:02d}.000Z"
                yield (cid, at, 0, d.isoformat(), g, kind, rb, ra, eb, ea, ib, ia, iso(db), iso(da), lapse, leeched, ms)

        conn.executemany(
            """INSERT INTO review_log (card_id, reviewed_at, utc_offset_min, study_day, grade, kind, reps_before,
                reps_after, ease_before, ease_after, interval_before, interval_after, due_before, due_after,
                lapse, leeched, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows(),
        )
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    print(f"built {path} in {time.perf_counter() - started:.1f} s "
          f"({len(cards):,} cards, {len(reviews):,} reviews, failure rate {fail:.3f})", file=sys.stderr)


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", help="database file (built if missing, reused if present)")
    ap.add_argument("--tiny", action="store_true", help="1,002 cards and ~10,000 reviews (for CI)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure; the best is kept (default 5)")
    args = ap.parse_args(argv)
    size = TINY if args.tiny else FULL
    tmp = None
    if args.path:
        path = Path(args.path)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="mlcards-bench-")
        path = Path(tmp.name) / "stats.db"
    if not path.exists():
        build(path, size)
    try:
        store = Store.open(path)
        n_cards, n_reviews = store.count("cards"), store.count("reviews")
        today = date.fromisoformat(store.db.execute("SELECT MAX(study_day) FROM reviews").fetchone()[0])
        deck = store.deck_names()[1]
        did = store.require_deck(deck)
        cases = {
            "today": lambda: stats.today(store, today),
            "reviews_total": lambda: stats.reviews_total(store),
            "activity 30": lambda: stats.activity(store, today, "30"),
            "activity 365": lambda: stats.activity(store, today, "365"),
            "activity all": lambda: stats.activity(store, today, "all"),
            "heatmap": lambda: stats.heatmap(store, today),
            "streaks": lambda: stats.streaks(store, today),
            "retention 30": lambda: stats.retention(store, today, "30"),
            "retention all": lambda: stats.retention(store, today, "all"),
            "retention_ranges": lambda: stats.retention_ranges(store, today),
            "card_states": lambda: stats.card_states(store),
            "forecast": lambda: stats.forecast(store, today),
            "histograms": lambda: stats.histograms(store),
            "deck_figures": lambda: stats.deck_figures(store),
            "hardest_terms": lambda: stats.hardest_terms(store),
            "cluster_accuracy 30": lambda: stats.cluster_accuracy(store, today, "30"),
            "cluster_accuracy all": lambda: stats.cluster_accuracy(store, today, "all"),
            "summary 30": lambda: stats.summary(store, today_day=today, range="30"),
            "summary 30, one connection": lambda: stats.summary(store, today_day=today, range="30", parallel=False),
            "summary 365": lambda: stats.summary(store, today_day=today, range="365"),
            "summary all": lambda: stats.summary(store, today_day=today, range="all"),
            "deck: today": lambda: stats.today(store, today, deck_id=did),
            "deck: reviews_total": lambda: stats.reviews_total(store, deck_id=did),
            "deck: streaks": lambda: stats.streaks(store, today, deck_id=did),
            "deck: retention_ranges": lambda: stats.retention_ranges(store, today, deck_id=did),
            "deck: card_states": lambda: stats.card_states(store, deck_id=did),
            "deck: activity 365": lambda: stats.activity(store, today, "365", deck_id=did),
            "deck: histograms": lambda: stats.histograms(store, deck_id=did),
            "deck: hardest_terms": lambda: stats.hardest_terms(store, deck_id=did),
            "deck: cluster_accuracy 30": lambda: stats.cluster_accuracy(store, today, "30", deck_id=did),
            "deck: forecast": lambda: stats.forecast(store, today, deck_id=did),
            "deck: summary 30": lambda: stats.summary(store, today_day=today, deck=deck, range="30"),
            "deck: summary 30, one connection": lambda: stats.summary(store, today_day=today, deck=deck, range="30",
                                                                      parallel=False),
            "deck: summary all": lambda: stats.summary(store, today_day=today, deck=deck, range="all"),
        }
        timings = {name: best_of(fn, args.repeat) for name, fn in cases.items()}
        print(f"{n_cards:,} cards, {n_reviews:,} reviews, today {today}, deck filter {deck!r}; best of {args.repeat}")
        width = max(map(len, timings))
        print(f"{'figure':<{width}}  {'ms':>8}")
        for name, ms in timings.items():
            print(f"{name:<{width}}  {ms:8.1f}")
        print(json.dumps({"benchmark": "stats", "cards": n_cards, "reviews": n_reviews, "repeat": args.repeat,
                          "ms": {k: round(v, 2) for k, v in timings.items()}}))
        store.close()
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
