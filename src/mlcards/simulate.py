"""What each desired retention costs: a seeded simulation of the deck's learner (Anki's "help me decide").

The simulated learner is FSRS-6 with the deck's parameters (fitted by ``mlcards optimize``, else the
defaults), starting from each card's real memory state: its log replayed through FSRS, whatever
scheduler the deck uses. Each day the learner answers the cards that fall due (recalled with the
model's probability; a recalled card is Hard, Good or Easy in Anki's default proportions) and up to
the day's new cards; a card answered Again or Hard is re-drilled the same day until Good, as mlcards
does (FSRS's memory sees the re-drill; the interval stays the one the first answer gave).

The policies: FSRS-6 at desired retention 0.70, 0.75, ... 0.95, and mlcards' exact SM-2 (from each
card's SM-2 schedule) on the same learner. Figures: reviews and minutes per day, and the cards
remembered at the end (the sum of every card's recall probability on the last day). Seconds per
answer are Anki's simulator defaults. No review limit is applied; new cards follow the deck's limit.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import fsrs_rs_python as fsrs

from mlcards import fsrs_eval, schedulers
from mlcards.schedulers import sm2
from mlcards.schedulers.fold import replay
from mlcards.schedulers.fsrs import DEFAULT_PARAMETERS, FSRSScheduler, FSRSState, retrievability
from mlcards.store import Store

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
SM2_GRADE = {AGAIN: 1, HARD: 3, GOOD: 4, EASY: 5}
"""The 0-5 grade a simulated FSRS rating is given as (mlcards' four-button mapping)."""

_DEFAULTS = fsrs.default_simulator_config()
FIRST_RATING = tuple(_DEFAULTS.first_rating_prob)
"""Anki's default proportions of Again, Hard, Good, Easy on a new card."""
RECALLED_RATING = tuple(_DEFAULTS.review_rating_prob)
"""... and of Hard, Good, Easy on a recalled review."""
LEARN_COST = tuple(_DEFAULTS.state_rating_costs[0])
REVIEW_COST = tuple(_DEFAULTS.state_rating_costs[1])
RELEARN_COST = tuple(_DEFAULTS.state_rating_costs[2])
"""Seconds per answer (Again, Hard, Good, Easy) for a new card, a review and a re-drill."""


@dataclass(frozen=True, slots=True)
class SimCard:
    """A card as the simulation starts it; days count from today (0), the past negative."""

    stability: float | None = None
    difficulty: float | None = None
    last: int | None = None
    due: int | None = None
    """the due day on FSRS (at the deck's retention)"""
    sm2: sm2.SM2State = field(default_factory=sm2.SM2State)
    """the card's SM-2 schedule (due dates in real days)"""


@dataclass
class Outcome:
    """One policy's result."""

    policy: str
    desired_retention: float | None
    reviews_per_day: list[int]
    seconds_per_day: list[float]
    remembered: float

    def as_json(self) -> dict[str, Any]:
        days = len(self.reviews_per_day) or 1
        return {
            "policy": self.policy,
            "desired_retention": self.desired_retention,
            "reviews": sum(self.reviews_per_day),
            "reviews_per_day": round(sum(self.reviews_per_day) / days, 1),
            "minutes_per_day": round(sum(self.seconds_per_day) / days / 60, 1),
            "remembered_at_end": round(self.remembered, 1),
            "daily_reviews": self.reviews_per_day,
        }


@dataclass
class Simulation:
    cards: int
    new_cards: int
    days: int
    new_per_day: int
    parameters: list[float]
    outcomes: list[Outcome]

    def as_json(self) -> dict[str, Any]:
        return {"cards": self.cards, "new_cards": self.new_cards, "days": self.days, "new_per_day": self.new_per_day,
                "outcomes": [o.as_json() for o in self.outcomes]}


def _pick(rng: random.Random, weights: Sequence[float], values: Sequence[int]) -> int:
    return rng.choices(values, weights=weights)[0]


def run(
    cards: Sequence[SimCard],
    parameters: Sequence[float] = DEFAULT_PARAMETERS,
    *,
    days: int = 365,
    new_per_day: int = 20,
    maximum_interval: int = 36500,
    retentions: Sequence[float] = RETENTIONS,
    seed: int = 12,
    today: date | None = None,
    with_sm2: bool = True,
) -> list[Outcome]:
    """Every FSRS retention, then SM-2, over the same learner (the same seed for each policy)."""
    outcomes = [_run_policy(cards, parameters, r, days, new_per_day, maximum_interval, seed, today)
                for r in retentions]
    if with_sm2:
        outcomes.append(_run_policy(cards, parameters, None, days, new_per_day, maximum_interval, seed, today))
    return outcomes


def _run_policy(cards: Sequence[SimCard], parameters: Sequence[float], retention: float | None, days: int,
                new_per_day: int, maximum_interval: int, seed: int, today: date | None) -> Outcome:
    rng = random.Random(seed)
    model = fsrs.FSRS(list(parameters))
    base = today or date(2000, 1, 1)
    scheduling_retention = retention if retention is not None else 0.9
    # per card: memory (stability, difficulty), last day, due day, SM-2 state
    memory: list[fsrs.MemoryState | None] = []
    last: list[int] = []
    due: list[int | None] = []
    states: list[sm2.SM2State] = []
    for c in cards:
        memory.append(fsrs.MemoryState(c.stability, c.difficulty) if c.stability and c.difficulty else None)
        last.append(c.last if c.last is not None else 0)
        states.append(c.sm2)
        if retention is None:
            due.append(None if c.sm2.due is None else (c.sm2.due - base).days)
        elif memory[-1] is None:
            due.append(None)
        else:
            elapsed_to_due = model.next_interval(c.stability, retention, GOOD)  # due anew at this retention
            due.append(int(last[-1] + max(1, min(round(elapsed_to_due), maximum_interval))))
    new = [i for i, m in enumerate(memory) if m is None]
    new.reverse()
    agenda: dict[int, list[int]] = {}
    for i, d in enumerate(due):
        if d is not None and memory[i] is not None:
            agenda.setdefault(max(0, d), []).append(i)
    reviews_per_day, seconds_per_day = [], []

    def interval_after(i: int, item: fsrs.ItemState, rating: int, day: int) -> int:
        if retention is None:
            states[i] = sm2.review(states[i], SM2_GRADE[rating], base + timedelta(days=day))
            return states[i].interval
        return max(1, min(round(item.interval), maximum_interval))

    for day in range(days):
        count, seconds = 0, 0.0
        for i in sorted(agenda.pop(day, [])):
            m = memory[i]
            assert m is not None
            elapsed = day - last[i]
            recalled = rng.random() < retrievability(parameters, elapsed, m.stability)
            rating = _pick(rng, RECALLED_RATING, (HARD, GOOD, EASY)) if recalled else AGAIN
            nxt = model.next_states(m, scheduling_retention, elapsed)
            item = (nxt.again, nxt.hard, nxt.good, nxt.easy)[rating - 1]
            interval = interval_after(i, item, rating, day)
            mem = item.memory
            count += 1
            seconds += REVIEW_COST[rating - 1]
            if rating < GOOD:  # re-drilled the same day until Good
                mem = model.next_states(mem, scheduling_retention, 0).good.memory
                count += 1
                seconds += RELEARN_COST[GOOD - 1]
            memory[i], last[i], due[i] = mem, day, day + interval
            agenda.setdefault(day + interval, []).append(i)
        for _ in range(min(new_per_day, len(new))):
            i = new.pop()
            rating = _pick(rng, FIRST_RATING, (AGAIN, HARD, GOOD, EASY))
            nxt = model.next_states(None, scheduling_retention, 0)
            item = (nxt.again, nxt.hard, nxt.good, nxt.easy)[rating - 1]
            interval = interval_after(i, item, rating, day)
            mem = item.memory
            count += 1
            seconds += LEARN_COST[rating - 1]
            if rating < GOOD:
                mem = model.next_states(mem, scheduling_retention, 0).good.memory
                count += 1
                seconds += LEARN_COST[GOOD - 1]
            memory[i], last[i], due[i] = mem, day, day + interval
            agenda.setdefault(day + interval, []).append(i)
        reviews_per_day.append(count)
        seconds_per_day.append(seconds)
    remembered = sum(retrievability(parameters, days - last[i], m.stability) for i, m in enumerate(memory)
                     if m is not None)
    name = "sm2" if retention is None else f"fsrs@{retention:.2f}"
    return Outcome(name, retention, reviews_per_day, seconds_per_day, remembered)


def deck_cards(store: Store, deck_id: int, now: datetime | None = None) -> tuple[list[SimCard], list[float]]:
    """Every card of the deck with its FSRS memory state and SM-2 schedule from its log; the parameters.

    Days count from the study day of ``now`` (default: the clock).
    """
    settings = store.deck_settings(deck_id)
    today = store.today(now)
    sm2_scheduler = schedulers.get("sm2")
    cards = []
    for cid in store.card_ids(deck_id):
        entries = store.log_entries(cid)
        snapshot = store.snapshot(cid)
        scheduler = schedulers.for_deck("fsrs", settings, cid)
        assert isinstance(scheduler, FSRSScheduler)
        start = snapshot
        if start is not None:
            start = replace(start, state=scheduler.adopt(start.state))
        f = replay(scheduler, entries, start).state
        s = replay(sm2_scheduler, entries, snapshot).state
        if not isinstance(f, FSRSState) or f.stability is None or f.due is None:
            cards.append(SimCard(sm2=s))
            continue
        last = (f.due - today).days - f.interval
        cards.append(SimCard(f.stability, f.difficulty, last, (f.due - today).days, s))
    return cards, list(settings.fsrs_parameters or DEFAULT_PARAMETERS)


def simulate_deck(store: Store, deck_id: int, *, days: int = 365, seed: int = 12, now: datetime | None = None,
                  progress: Callable[[str], None] | None = None) -> Simulation:
    """The deck's "help me decide" table (see the module's note)."""
    settings = store.deck_settings(deck_id)
    if progress:
        progress("replaying the log")
    cards, parameters = deck_cards(store, deck_id, now)
    new_limit = settings.new_per_day if settings.new_per_day is not None else int(store.setting("new_per_day"))
    if progress:
        progress(f"simulating {len(cards)} cards for {days} days")
    outcomes = run(cards, parameters, days=days, new_per_day=new_limit, maximum_interval=settings.maximum_interval,
                   seed=seed, today=store.today(now))
    return Simulation(len(cards), sum(1 for c in cards if c.stability is None), days, new_limit, parameters, outcomes)


def forecast(store: Store, deck_id: int, *, days: int = 30, seed: int = 12, now: datetime | None = None) -> list[int]:
    """Reviews per day over the next ``days`` at the deck's own desired retention (new cards included)."""
    settings = store.deck_settings(deck_id)
    cards, parameters = deck_cards(store, deck_id, now)
    new_limit = settings.new_per_day if settings.new_per_day is not None else int(store.setting("new_per_day"))
    (outcome,) = run(cards, parameters, days=days, new_per_day=new_limit, maximum_interval=settings.maximum_interval,
                     retentions=(settings.desired_retention,), seed=seed, today=store.today(now), with_sm2=False)
    return outcome.reviews_per_day


def workload(store: Store, deck_id: int, desired_retention: float, *, days: int = 365,
             now: datetime | None = None) -> tuple[float, float]:
    """(answers per day, minutes per day) over ``days`` if the deck used FSRS-6 at ``desired_retention``:
    the figure the settings screen shows next to the retention field."""
    settings = store.deck_settings(deck_id)
    cards, parameters = deck_cards(store, deck_id, now)
    new_limit = settings.new_per_day if settings.new_per_day is not None else int(store.setting("new_per_day"))
    (outcome,) = run(cards, parameters, days=days, new_per_day=new_limit, maximum_interval=settings.maximum_interval,
                     retentions=(desired_retention,), today=store.today(now), with_sm2=False)
    j = outcome.as_json()
    return float(j["reviews_per_day"]), float(j["minutes_per_day"])


@dataclass(frozen=True)
class DeckFigures:
    """What the stats screen shows of FSRS for one deck."""

    deck: str
    scheduler: str
    desired_retention: float
    fitted: bool
    """whether the deck has parameters of its own (``mlcards optimize``)"""
    calibration: list[fsrs_eval.CalibrationBin]
    forecast: list[int]
    """answers per day for the next 30 days at the deck's desired retention"""
    decide: Simulation
    """the "help me decide" table over a year"""


def deck_figures(store: Store, deck_id: int, *, now: datetime | None = None, days: int = 365) -> DeckFigures:
    """Calibration of the deck's FSRS-6 parameters on its log, the forecast and the decide table."""
    settings = store.deck_settings(deck_id)
    name = store.deck_name(deck_id)
    reviews = fsrs_eval.reviews_from_rows(store.review_log_rows(deck_id))
    chart = fsrs_eval.calibration_of(reviews, settings.fsrs_parameters)
    table = simulate_deck(store, deck_id, days=days, now=now)
    return DeckFigures(name, store.deck_scheduler(deck_id), settings.desired_retention,
                       settings.fsrs_parameters is not None, chart, forecast(store, deck_id, now=now), table)


__all__ = ["workload", "DeckFigures", "deck_figures", "forecast", "RETENTIONS", "SimCard", "Outcome", "Simulation", "run", "deck_cards", "simulate_deck"]
