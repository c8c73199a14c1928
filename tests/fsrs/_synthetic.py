"""A synthetic learner: reviews generated from FSRS-6 with known parameters (seeded)."""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs_rs_python as fsrs

from mlcards.fsrs_eval import Review
from mlcards.schedulers.fsrs import retrievability

TRUE_PARAMETERS = [
    0.138, 0.727, 2.301, 6.14, 6.66, 0.713, 2.959, 0.023, 1.64, 0.147, 0.56,
    1.579, 0.029, 0.366, 1.8, 0.605, 1.873, 0.509, 0.084, 0.066, 0.277,
]
"""Not the defaults: a fit has to move to find them."""

START = datetime(2025, 1, 6, 9, tzinfo=timezone.utc)


def learner(cards: int = 600, days: int = 200, seed: int = 5, parameters: list[float] = TRUE_PARAMETERS,
            new_per_day: int = 10) -> list[Review]:
    """Reviews of a learner whose memory is FSRS-6 with ``parameters``, scheduled at a jittered retention.

    A forgotten card is re-drilled the same day until Good (as mlcards does), so histories hold
    same-day answers too.
    """
    rng = random.Random(seed)
    model = fsrs.FSRS(parameters)
    reviews: list[Review] = []
    memory: dict[int, fsrs.MemoryState] = {}
    due: dict[int, int] = {}
    last: dict[int, int] = {}
    introduced = 0

    def log(card: int, day: int, minute: int, rating: int) -> None:
        moment = START + timedelta(days=day, minutes=minute)
        reviews.append(Review(str(card), moment, moment.date(), rating, rating + 1))

    for day in range(days):
        minute = 0
        todo = [c for c, d in due.items() if d <= day]
        while introduced < cards and len(todo) < 60 and minute < new_per_day:
            todo.append(introduced)
            introduced += 1
            minute += 1
        for card in todo:
            minute += 1
            m = memory.get(card)
            if m is None:
                rating = rng.choices([1, 2, 3, 4], weights=[0.25, 0.1, 0.5, 0.15])[0]
                nxt = model.next_states(None, 0.9, 0)
            else:
                recalled = rng.random() < retrievability(parameters, day - last[card], m.stability)
                rating = rng.choices([2, 3, 4], weights=[0.15, 0.75, 0.1])[0] if recalled else 1
                nxt = model.next_states(m, 0.9, day - last[card])
            chosen = (nxt.again, nxt.hard, nxt.good, nxt.easy)[rating - 1]
            log(card, day, minute, rating)
            m = chosen.memory
            retention = rng.uniform(0.75, 0.95)
            interval = max(1, round(model.next_interval(m.stability, retention, 3)))
            if rating == 1:
                minute += 10
                log(card, day, minute, 3)
                m = model.next_states(m, 0.9, 0).good.memory
            memory[card], last[card], due[card] = m, day, day + interval
    return reviews


def write_csv(reviews: list[Review], path: Path, *, with_state: bool = True) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        header = ["card_id", "review_time", "review_rating"]
        if with_state:
            header += ["review_state", "review_duration"]
        w.writerow(header)
        for r in reviews:
            row = [r.card, r.moment.isoformat(), str(r.rating)]
            if with_state:
                row += ["2", "4000"]
            w.writerow(row)
    return path
