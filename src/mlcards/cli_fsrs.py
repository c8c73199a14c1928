"""The FSRS commands: ``optimize`` (fit a deck's FSRS-6 parameters), ``evaluate`` (which scheduler
predicts this learner better) and ``simulate`` (what each desired retention costs).

Registered by ``mlcards.cli`` (``add_commands`` and ``COMMANDS``); the helpers of ``mlcards.cli``
are imported when a command runs, so the two modules do not import each other at load time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mlcards.errors import MlcardsError
from mlcards.text import json_text

if TYPE_CHECKING:
    from mlcards.fsrs_eval import Evaluation, Review
    from mlcards.store import Store

MODEL_NAMES = {"sm2": "SM-2", "fsrs6_default": "FSRS-6 (defaults)", "fsrs6_fitted": "FSRS-6 (fitted)"}


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if not 1 <= value <= 3650:
        raise argparse.ArgumentTypeError(f"days must be 1-3650, got {value}")
    return value


def add_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Add optimize, evaluate and simulate with ``mlcards.cli``'s ``command`` factory."""
    p = command("optimize", "fit FSRS-6 parameters to a deck's review log and keep them as its fsrs_parameters")
    p.add_argument("--deck", metavar="NAME", help="the deck (default: every deck with reviews)")
    p = command(
        "evaluate",
        "judge SM-2, FSRS-6 defaults and FSRS-6 fitted on a review log (time-split: fit on earlier reviews, "
        "judge later ones): log loss, RMSE(bins), AUC",
    )
    p.add_argument("--deck", metavar="NAME", help="only this deck's reviews (default: all)")
    p.add_argument("--log", metavar="CSV", help="judge a CSV log in py-fsrs's layout instead "
                   "(card_id,review_time,review_rating,...; ratings 1-4; times read in UTC, day rollover 04:00)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = command("simulate", "simulate a deck's workload and what is remembered at desired retention 0.70-0.95, "
                            "and with SM-2, from each card's memory state")
    p.add_argument("--deck", metavar="NAME", help="the deck (needed when there are several)")
    p.add_argument("--days", type=_positive, default=365, metavar="N", help="days to simulate (default 365)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _progress(text: str) -> None:
    from mlcards.text import safe_line

    sys.stderr.write(safe_line(f"... {text}") + "\n")
    sys.stderr.flush()


def _deck_ids(store: Store, name: str | None) -> list[tuple[int, str]]:
    if name is not None:
        return [(store.require_deck(name), name)]
    return [(did, n) for n in store.deck_names() if (did := store.deck_id(n)) is not None]


def _store_reviews(store: Store, deck_id: int | None) -> list[Review]:
    from mlcards.fsrs_eval import reviews_from_rows

    return reviews_from_rows(store.review_log_rows(deck_id))


def cmd_optimize(args: argparse.Namespace) -> int:
    from mlcards import answering, fsrs_eval
    from mlcards.cli_io import _open, _out

    with _open(args) as store:
        decks = _deck_ids(store, args.deck)
        told = False
        for deck_id, name in decks:
            reviews = _store_reviews(store, deck_id)
            usable = fsrs_eval.review_count(reviews)
            if usable < fsrs_eval.MIN_REVIEWS_TO_FIT:
                if args.deck is not None or reviews:
                    _out(f"{name}: {usable} reviews to fit on, fewer than the {fsrs_eval.MIN_REVIEWS_TO_FIT} "
                         "a fit needs; it keeps the FSRS-6 defaults")
                    told = True
                continue
            told = True
            started = time.monotonic()
            _progress(f"{name}: fitting FSRS-6 on {usable} reviews")
            parameters = fsrs_eval.optimize(reviews)
            assert parameters is not None
            store.set_deck_setting(deck_id, "fsrs_parameters", [round(p, 4) for p in parameters])
            refolded = ""
            if store.deck_scheduler(deck_id) == "fsrs":
                n = answering.switch_scheduler(store, deck_id, "fsrs")
                refolded = f"; {n} {'card' if n == 1 else 'cards'} rebuilt with them"
            _out(f"{name}: FSRS-6 fitted on {usable} reviews in {time.monotonic() - started:.1f} s, "
                 f"kept as its fsrs_parameters{refolded}")
        if not told:
            _out(f"no deck has reviews to fit on yet (a fit needs about {fsrs_eval.MIN_REVIEWS_TO_FIT}); "
                 "the FSRS-6 defaults stay")
    return 0


def _evaluation_text(ev: Evaluation) -> list[str]:
    lines = [f"{ev.reviews} reviews of {ev.cards} cards; {ev.samples} to predict (a card's first review of a "
             f"day, after its first day); judged: the later {ev.judged}, each model fitted only on earlier ones",
             f"{'model':<20} {'log loss':>9} {'RMSE(bins)':>11} {'AUC':>6}"]
    for key, s in ev.models.items():
        auc = "-" if s.auc is None else f"{s.auc:.3f}"
        lines.append(f"{MODEL_NAMES.get(key, key):<20} {s.log_loss:>9.4f} {s.rmse_bins:>11.4f} {auc:>6}")
    lines.append("lower log loss and RMSE are better; higher AUC is better")
    return lines


def cmd_evaluate(args: argparse.Namespace) -> int:
    from mlcards import fsrs_eval
    from mlcards.cli_io import _open, _out

    if args.log is not None:
        if args.deck is not None:
            raise MlcardsError("--log judges a CSV file; leave out --deck")
        path = Path(args.log).expanduser()
        if not path.is_file():
            raise MlcardsError("no such file; give the path of a CSV review log", path=path)
        reviews = fsrs_eval.read_csv(path)
    else:
        with _open(args) as store:
            reviews = _store_reviews(store, store.require_deck(args.deck) if args.deck else None)
    ev = fsrs_eval.evaluate(reviews, progress=_progress)
    if args.json:
        _out(json_text(ev.as_json()))
    else:
        for line in _evaluation_text(ev):
            _out(line)
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from mlcards import simulate
    from mlcards.cli_io import _open, _out

    with _open(args) as store:
        if args.deck is None:
            names = [n for n in store.deck_names() if (did := store.deck_id(n)) and store.card_ids(did)]
            if len(names) != 1:
                raise MlcardsError(f"which deck? add --deck NAME (decks: {', '.join(store.deck_names())})")
            args.deck = names[0]
        deck_id = store.require_deck(args.deck)
        result = simulate.simulate_deck(store, deck_id, days=args.days, progress=_progress)
    if args.json:
        _out(json_text({"deck": args.deck, **result.as_json()}))
        return 0
    _out(f"{args.deck}: {result.cards} cards ({result.new_cards} new, {result.new_per_day} a day), "
         f"{result.days} days simulated")
    _out(f"{'scheduler':<18} {'reviews/day':>11} {'minutes/day':>11} {'remembered':>10}")
    for o in result.outcomes:
        j = o.as_json()
        label = "SM-2" if o.desired_retention is None else f"FSRS-6 at {o.desired_retention:.2f}"
        _out(f"{label:<18} {j['reviews_per_day']:>11} {j['minutes_per_day']:>11} {j['remembered_at_end']:>10}")
    _out("reviews: every answer (new cards, reviews and same-day re-drills); "
         "remembered: the expected number of cards recalled on the last day")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "optimize": cmd_optimize,
    "evaluate": cmd_evaluate,
    "simulate": cmd_simulate,
}
