"""``mlcards stats`` as a subprocess on a file database, and the module's hygiene."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest

from mlcards import studyday
from mlcards.store import Store
from tests.conftest import REPO, run_cli
from tests.stats._support import done_when


@pytest.fixture
def done_when_db(db_path):
    """The issue's two-day history ending at the real "now", with the rollover hour set 12 hours
    away from the current UTC hour so the CLI run cannot cross it."""
    now = studyday.now()
    with Store.open(db_path) as store:
        store.set_setting("timezone", "UTC")
        store.set_setting("rollover_hour", (now.hour + 12) % 24)
        done_when(store, now - timedelta(days=1, minutes=10), now - timedelta(minutes=10))
        today = store.today(now)
    return db_path, today


def test_stats_json(done_when_db):
    db, today = done_when_db
    result = run_cli("stats", "--json", db=db)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1  # one object on one line
    j = json.loads(result.stdout)
    assert j["today"] == today.isoformat()
    assert (j["reviews_today"], j["reviews_total"], j["streak_days"], j["longest_streak"]) == (5, 9, 2, 2)
    assert j["retention_30d"] == 0.75
    assert len(j["forecast"]) == 30
    assert j["forecast"][0] == {"date": today.isoformat(), "due": 0}
    assert j["forecast"][1] == {"date": (today + timedelta(days=1)).isoformat(), "due": 1}
    assert j["forecast"][6] == {"date": (today + timedelta(days=6)).isoformat(), "due": 3}
    assert sum(f["due"] for f in j["forecast"]) == 4
    assert {k: j["cards"][k] for k in ("new", "learning", "young", "mature", "suspended", "leech")} == {
        "new": 4, "learning": 1, "young": 3, "mature": 0, "suspended": 0, "leech": 0,
    }
    assert j["decks"][0]["name"] == "Four" and j["decks"][0]["young"] == 3
    for key in ("today_detail", "retention", "retention_by_range", "reviews_per_day", "heatmap", "easiness",
                "intervals", "hardest_terms", "related_accuracy", "clusters"):
        assert key in j


def test_stats_text_deck_and_range(done_when_db):
    db, _today = done_when_db
    result = run_cli("stats", "--deck", "four", "--range", "all", db=db)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "mlcards stats: Four, study day" in out
    assert "today      5 answers on 4 cards (0 new, 4 review, 1 re-drill)" in out
    assert "streak     2 days (longest 2)" in out
    assert "retention  75.0% (3/4) last 30 days" in out
    assert "cards      4 new, 1 learning, 3 young, 0 mature, 0 suspended (0 leeches), 8 in all" in out
    assert "due        today 0, tomorrow 1, next 7 days 4, next 30 days 4" in out
    assert "term 3 (Four): 1 lapse, easiness 2.18" in out
    j = json.loads(run_cli("stats", "--json", "--range", "7", "--deck", "Four", db=db).stdout)
    assert (j["deck"], j["range"], len(j["reviews_per_day"])) == ("Four", "7", 7)


def test_stats_unknown_deck_is_one_line_error(done_when_db):
    db, _ = done_when_db
    result = run_cli("stats", "--deck", "Nope", db=db)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "error: no deck named 'Nope'; decks: 'Four'\n"
    bad = run_cli("stats", "--range", "14", db=db)
    assert bad.returncode == 2 and bad.stderr.startswith("error: argument --range")


def test_stats_on_a_new_database(db_path):
    result = run_cli("stats", "--json", db=db_path)
    assert result.returncode == 0, result.stderr
    j = json.loads(result.stdout)
    assert (j["reviews_total"], j["streak_days"], j["retention_30d"]) == (0, 0, None)
    assert j["cards"]["new"] == j["cards"]["total"] > 0  # the bundled glossary, all new


def test_deck_text_is_cleaned_in_the_text_face(db_path):
    from mlcards.models import Deck

    with Store.open(db_path) as store:
        store.apply_deck(Deck(name="Evil\x1b[31m deck", terms=[dict(term="x", definition="y")]))
        store.db.execute("UPDATE decks SET name = ? WHERE id = 1", ["Evil\x1b[31m\u202e deck"])
        store.db.conn.commit()
    out = run_cli("stats", db=db_path).stdout
    assert "\x1b" not in out and "\u202e" not in out and "Evil[31m deck" in out


def test_core_does_not_import_textual():
    code = "import sys, mlcards.stats; assert 'textual' not in sys.modules, 'textual imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)


def test_benchmark_runs_tiny(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "stats_bench.py"), str(tmp_path / "b.db"), "--tiny", "--repeat", "1"],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["benchmark"] == "stats" and line["cards"] == 1002
    assert 9_000 <= line["reviews"] <= 12_000
    assert {"summary 30", "retention_ranges", "deck: summary 30"} <= set(line["ms"])
    with Store.open(tmp_path / "b.db") as store:  # a valid, fully migrated database
        assert store.count("reviews") == line["reviews"]
        assert len(store.deck_names()) == 4

