"""optimize, evaluate and simulate on a real database through the real CLI; the switch on the CLI."""

from __future__ import annotations

import json
import random
import shutil
from datetime import timedelta
from pathlib import Path

import fsrs_rs_python as fsrs
import pytest

from mlcards import answering, schedulers
from mlcards.models import Deck
from mlcards.schedulers.fold import replay
from mlcards.schedulers.fsrs import retrievability
from mlcards.store import Store
from tests.conftest import run_cli, small_deck, utc
from tests.core._support import all_cards
from tests.fsrs._synthetic import TRUE_PARAMETERS

START = utc(2026, 1, 5, 9)


def _study(path: Path, *, terms: int = 40, days: int = 130, seed: int = 8) -> None:
    """A deck studied daily on SM-2 by a learner whose memory is FSRS-6 (forgotten cards re-drilled)."""
    rng = random.Random(seed)
    model = fsrs.FSRS(TRUE_PARAMETERS)
    deck = Deck(name="Big", description="Many terms.", terms=[
        dict(term=f"term {i:02d}", definition=f"Definition number {i} of the big deck.") for i in range(terms)])
    with Store.open(path) as s:
        s.apply_deck(deck)
        s.apply_deck(small_deck())
        s.set_setting("timezone", "UTC")
        deck_id = s.require_deck("Big")
        cards = s.card_ids(deck_id)
        memory: dict[int, fsrs.MemoryState] = {}
        last: dict[int, int] = {}
        with s.transaction():
            for day in range(days):
                now = START + timedelta(days=day)
                today = s.today(now)
                fresh = [c for c in cards if c not in memory][:8]
                due = [c for c in memory if (d := s.card_schedule(c).schedule.state.due) is not None and d <= today]
                for cid in due + fresh:
                    m = memory.get(cid)
                    if m is None:
                        grade = rng.choice([1, 4, 4, 5])
                        nxt = model.next_states(None, 0.9, 0)
                    else:
                        recalled = rng.random() < retrievability(TRUE_PARAMETERS, day - last[cid], m.stability)
                        grade = rng.choice([3, 4, 4, 4, 5]) if recalled else 1
                        nxt = model.next_states(m, 0.9, day - last[cid])
                    rating = 1 if grade <= 2 else grade - 1
                    m = (nxt.again, nxt.hard, nxt.good, nxt.easy)[rating - 1].memory
                    answering.answer(s, cid, grade, now)
                    if grade < 4:
                        answering.answer(s, cid, 4, now + timedelta(minutes=10))
                        m = model.next_states(m, 0.9, 0).good.memory
                    memory[cid], last[cid] = m, day


@pytest.fixture(scope="module")
def studied(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fsrs") / "studied.db"
    _study(path)
    return path


@pytest.fixture
def db(studied: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "cards.db"
    shutil.copy(studied, copy)
    return copy


def test_optimize_fits_and_keeps_the_parameters_and_says_when_there_are_too_few(db: Path) -> None:
    few = run_cli("optimize", "--deck", "Tiny", db=db)
    assert few.returncode == 0, few.stderr
    assert "Tiny: 0 reviews to fit on, fewer than the 400 a fit needs; it keeps the FSRS-6 defaults" in few.stdout
    fitted = run_cli("optimize", "--deck", "Big", db=db)
    assert fitted.returncode == 0, fitted.stderr
    assert fitted.stdout.startswith("Big: FSRS-6 fitted on ") and "kept as its fsrs_parameters" in fitted.stdout
    assert "fitting FSRS-6 on" in fitted.stderr  # the progress line
    with Store.open(db) as s:
        big, tiny = s.require_deck("Big"), s.require_deck("Tiny")
        parameters = s.deck_settings(big).fsrs_parameters
        assert s.deck_settings(tiny).fsrs_parameters is None
    assert parameters is not None and len(parameters) == 21 and parameters != [round(p, 4) for p in
                                                                                  fsrs.DEFAULT_PARAMETERS]


def test_switching_on_the_cli_then_optimizing_rebuilds_with_the_fitted_parameters(db: Path) -> None:
    with Store.open(db) as s:
        sm2_rows = all_cards(s)
    on = run_cli("settings", "--deck", "Big", "scheduler", "fsrs", db=db)
    assert on.returncode == 0 and "80 cards rebuilt from the review log" in on.stdout, on.stdout + on.stderr
    optimized = run_cli("optimize", "--deck", "Big", db=db)
    assert optimized.returncode == 0 and "80 cards rebuilt with them" in optimized.stdout
    with Store.open(db) as s:
        deck = s.require_deck("Big")
        settings = s.deck_settings(deck)
        assert settings.fsrs_parameters is not None
        for cid in s.card_ids(deck):  # the cache is the fold with the fitted parameters
            folded = replay(schedulers.for_deck("fsrs", settings, cid), s.log_entries(cid), s.snapshot(cid))
            assert s.card_schedule(cid).schedule == folded
    back = run_cli("settings", "--deck", "Big", "scheduler", "sm2", db=db)
    assert back.returncode == 0
    with Store.open(db) as s:
        assert all_cards(s) == sm2_rows


def test_evaluate_a_deck_from_the_database(db: Path) -> None:
    done = run_cli("evaluate", "--deck", "Big", "--json", db=db)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    models = out["models"]
    assert set(models) == {"sm2", "fsrs6_default", "fsrs6_fitted"} and out["judged"] > 300
    assert all(0 < m["log_loss"] < 1 and 0 <= m["rmse_bins"] < 0.5 for m in models.values())
    with Store.open(db) as s:  # every live answer of the deck, none of the other deck's
        assert out["reviews"] == s.db.execute(
            "SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id JOIN terms t ON t.id = c.term_id "
            "JOIN decks d ON d.id = t.deck_id WHERE d.name = 'Big'").fetchone()[0]
    nope = run_cli("evaluate", "--deck", "Nope", db=db)
    assert nope.returncode == 1 and "no deck named 'Nope'" in nope.stderr


def test_simulate_prices_each_retention_and_sm2_on_the_same_learner(db: Path) -> None:
    done = run_cli("simulate", "--deck", "Big", "--days", "90", "--json", db=db)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["deck"] == "Big" and out["days"] == 90 and out["cards"] == 80
    outcomes = {o["policy"]: o for o in out["outcomes"]}
    assert list(outcomes) == ["fsrs@0.70", "fsrs@0.75", "fsrs@0.80", "fsrs@0.85", "fsrs@0.90", "fsrs@0.95", "sm2"]
    fsrs_runs = [o for o in out["outcomes"] if o["desired_retention"] is not None]
    assert fsrs_runs[0]["reviews"] < fsrs_runs[-1]["reviews"]  # more retention costs more reviews
    assert fsrs_runs[0]["remembered_at_end"] < fsrs_runs[-1]["remembered_at_end"]  # ... and keeps more
    assert all(len(o["daily_reviews"]) == 90 for o in out["outcomes"])
    assert outcomes["fsrs@0.95"]["minutes_per_day"] > outcomes["fsrs@0.70"]["minutes_per_day"]
    assert outcomes["sm2"]["reviews"] > 0
    again = run_cli("simulate", "--deck", "Big", "--days", "90", "--json", db=db)
    assert json.loads(again.stdout) == out  # seeded: the same table every time
    text = run_cli("simulate", "--deck", "Big", "--days", "30", db=db)
    assert text.returncode == 0 and "FSRS-6 at 0.90" in text.stdout and "SM-2" in text.stdout
    which = run_cli("simulate", db=db)
    assert which.returncode == 1 and which.stderr.startswith("error: which deck? add --deck NAME")
    bad = run_cli("simulate", "--deck", "Big", "--days", "0", db=db)
    assert bad.returncode == 2


def test_the_forecast_at_the_decks_retention_is_the_simulations_first_days(db: Path) -> None:
    from mlcards import simulate

    with Store.open(db) as s:
        deck = s.require_deck("Big")
        s.set_deck_setting(deck, "desired_retention", 0.85)
        ahead = simulate.forecast(s, deck, days=30)
        table = simulate.simulate_deck(s, deck, days=90)
    (at_85,) = [o for o in table.outcomes if o.policy == "fsrs@0.85"]
    assert len(ahead) == 30 and ahead == at_85.reviews_per_day[:30]


def test_the_workload_next_to_the_retention_field_is_that_row_of_the_table(db: Path) -> None:
    from mlcards import simulate

    with Store.open(db) as s:
        deck = s.require_deck("Big")
        now = utc(2026, 6, 1, 12)
        table = {o.policy: o.as_json() for o in simulate.simulate_deck(s, deck, now=now).outcomes}
        assert simulate.workload(s, deck, 0.80, now=now) == (
            table["fsrs@0.80"]["reviews_per_day"], table["fsrs@0.80"]["minutes_per_day"])
        assert simulate.workload(s, deck, 0.95, now=now)[0] > simulate.workload(s, deck, 0.70, now=now)[0]


def test_optimize_on_a_database_without_reviews_says_so(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    with Store.open(db) as s:
        s.apply_deck(small_deck())
    done = run_cli("optimize", db=db)
    assert done.returncode == 0 and done.stdout.strip() == (
        "no deck has reviews to fit on yet (a fit needs about 400); the FSRS-6 defaults stay")
