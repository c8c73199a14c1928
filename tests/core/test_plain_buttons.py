"""``mlcards review --plain`` in four-button mode (setting answer_buttons = 4): Again/Hard/Good/Easy on
1-4, logged as grades 1/3/4/5, Enter accepting the button that stands for the suggested grade."""

from __future__ import annotations

import sqlite3

from mlcards.store import Store
from tests.conftest import run_cli, small_deck


def test_plain_review_with_four_buttons_logs_1_3_4_5(tmp_path):
    db = tmp_path / "four.db"
    with Store.open(db) as store:
        store.set_setting("timezone", "UTC")
        store.set_setting("answer_buttons", 4)
        store.apply_deck(small_deck())
    # each card: Enter reveals, then a button; the last one accepts the suggestion (4: Good)
    r = run_cli("review", "--plain", "--limit", "5", input="\n1\n\n2\n\n3\n\n4\n\n\n", db=db)
    assert r.returncode == 0, r.stderr
    assert "1 Again, 2 Hard, 3 Good, 4 Easy [3]> " in r.stdout
    con = sqlite3.connect(db)
    grades = [g for g, in con.execute("SELECT grade FROM reviews ORDER BY id")]
    con.close()
    assert grades[:5] == [1, 3, 4, 5, 4]


def test_plain_review_refuses_a_button_that_is_not_one(tmp_path):
    db = tmp_path / "four.db"
    with Store.open(db) as store:
        store.set_setting("answer_buttons", 4)
        store.apply_deck(small_deck())
    r = run_cli("review", "--plain", "--limit", "1", input="\n5\n2\n", db=db)
    assert r.returncode == 0, r.stderr
    assert "a button is a number from 1 to 4: 1 Again, 2 Hard, 3 Good, 4 Easy" in r.stdout
    con = sqlite3.connect(db)
    assert [g for g, in con.execute("SELECT grade FROM reviews")] == [3]
    con.close()
