"""Plain review across simulated study days (issue 2, "Done when"): due counts follow SM-2 and the 4 AM rollover.

A subprocess cannot be frozen, so this drives ``run_plain_review`` (and ``cli.main`` for ``decks``)
in-process under freezegun, with StringIO for stdin and stdout. The store's time zone is set to
America/New_York so the results never depend on the machine's zone; the run crosses the 9 March
2025 DST change.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from mlcards import cli
from mlcards.database import open_database
from mlcards.plain import run_plain_review
from mlcards.store import Store
from tests.conftest import small_deck

NY = ZoneInfo("America/New_York")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "days.db"
    with Store.open(path) as s:
        s.apply_deck(small_deck())
        s.set_setting("timezone", "America/New_York")
        s.set_setting("new_per_day", 3)
    return path


def review(db: Path, when: datetime, answers: str, **limits) -> list[str]:
    """One plain session at ``when`` (local New York time) fed ``answers``; returns the output lines."""
    out = io.StringIO()
    with freeze_time(when), open_database(db) as s:
        rc = run_plain_review(s, stdin=io.StringIO(answers), stdout=out, **limits)
    assert rc == 0
    return out.getvalue().splitlines()


def due_counts(db: Path, when: datetime, capsys) -> dict:
    """``mlcards decks --json`` as the user would see it at ``when``."""
    capsys.readouterr()
    with freeze_time(when):
        assert cli.main(["decks", "--json", "--db", str(db)]) == 0
    (deck,) = json.loads(capsys.readouterr().out)
    return {"new": deck["unseen"], "due": deck["due"]}  # never-studied cards; reviews due today


def schedule(db: Path) -> dict[str, tuple[int, int, str | None]]:
    """term -> (repetitions, interval, due) of its recall card."""
    with open_database(db) as s:
        rows = s.db.execute(
            "SELECT t.term, c.repetitions, c.interval, c.due FROM cards c JOIN terms t ON t.id = c.term_id "
            "WHERE c.kind = 'recall' AND c.due IS NOT NULL ORDER BY t.position"
        ).fetchall()
    return {term: (reps, interval, due) for term, reps, interval, due in rows}


def test_several_study_days(db, capsys):
    # --- day 1, Mon 3 March, 10:00: three new cards; gamma is hard (3) and must be re-drilled ---
    out = review(db, local(2025, 3, 3, 10), "\n4\n\n4\n\n3\n")  # then end of input
    assert out[0] == "Mon 03 Mar 2025: 3 cards to review. Type q to stop."
    assert any("saved 3" in line and "it comes back later this session" in line for line in out)
    assert out[-1].startswith("Session: 3 cards, 3 answers")
    assert "1 left for today" in out[-1] and "Next due: 2025-03-04 (3 cards)" in out[-1]
    assert schedule(db) == {"alpha": (1, 1, "2025-03-04"), "beta": (1, 1, "2025-03-04"), "gamma": (1, 1, "2025-03-04")}
    assert due_counts(db, local(2025, 3, 3, 23), capsys) == {"new": 15, "due": 0}

    # --- 01:00 on Tue 4 March still belongs to Monday: only gamma's re-drill, no new cards ---
    out = review(db, local(2025, 3, 4, 1, 0), "\n5\n")
    assert out[0] == "Mon 03 Mar 2025: 1 card to review. Type q to stop."
    assert any("re-drill" in line and "gamma" not in line for line in out)
    assert "  gamma" in out
    assert any("re-drill logged; schedule unchanged" in line for line in out)
    assert schedule(db)["gamma"] == (1, 1, "2025-03-04")  # the re-drill moved nothing
    assert due_counts(db, local(2025, 3, 4, 3, 59), capsys) == {"new": 15, "due": 0}

    # --- day 2, Tue 4 March from 04:00: the three are due; grade them, no new cards today ---
    assert due_counts(db, local(2025, 3, 4, 4, 0), capsys) == {"new": 15, "due": 3}
    out = review(db, local(2025, 3, 4, 8, 30), "\n4\n\n5\n\n4\n", new_limit=0)
    assert out[0] == "Tue 04 Mar 2025: 3 cards to review. Type q to stop."
    assert sum("next review 2025-03-10 (in 6 days)" in line for line in out) == 3
    assert schedule(db) == {"alpha": (2, 6, "2025-03-10"), "beta": (2, 6, "2025-03-10"), "gamma": (2, 6, "2025-03-10")}

    # --- days 3 to 7: nothing due (the DST change on Sunday 9 March changes nothing) ---
    for day in range(5, 10):
        assert due_counts(db, local(2025, 3, day, 12), capsys) == {"new": 15, "due": 0}
        out = review(db, local(2025, 3, day, 12), "", new_limit=0)
        assert out[0] == "Nothing to review today."
        assert "Next due: 2025-03-10 (3 cards)" in out[-1]
    # 01:00 EDT on Mon 10 March is still Sunday's study day
    assert due_counts(db, local(2025, 3, 10, 1, 0), capsys) == {"new": 15, "due": 0}

    # --- day 8, Mon 10 March 04:00 EDT: due again, 6 days after day 2 ---
    assert due_counts(db, local(2025, 3, 10, 4, 0), capsys) == {"new": 15, "due": 3}
    out = review(db, local(2025, 3, 10, 7), "\n5\n\n4\n\n2\n\n5\n", new_limit=0)
    assert out[0] == "Mon 10 Mar 2025: 3 cards to review. Type q to stop."
    sched = schedule(db)
    # alpha: EF 2.5 -> 5 -> 2.6; interval ceil(6 x 2.5) = 15 (the EF from before the answer)
    assert sched["alpha"] == (3, 15, "2025-03-25")
    # beta: graded 5 on day 2 (EF 2.6), now 4: ceil(6 x 2.6) = 16
    assert sched["beta"] == (3, 16, "2025-03-26")
    # gamma lapsed (2): back to 1 day; its re-drill (5) did not change that
    assert sched["gamma"] == (0, 1, "2025-03-11")
    assert out[-1].startswith("Session: 3 cards, 4 answers")
    assert "Next due: 2025-03-11 (1 card)" in out[-1]

    # --- the log: UTC timestamps with the offset in force (EST before, EDT after the change) ---
    with open_database(db) as s:
        rows = s.db.execute("SELECT study_day, utc_offset_min, kind FROM reviews ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["2025-03-03"] * 4 + ["2025-03-04"] * 3 + ["2025-03-10"] * 4
    assert {r[1] for r in rows[:7]} == {-300} and {r[1] for r in rows[7:]} == {-240}
    assert [r[2] for r in rows].count("redrill") == 2


def test_new_limit_per_day_resets_at_4_am(db, capsys):
    out = review(db, local(2025, 6, 2, 22), "\n4\n" * 10)
    assert "3 cards to review" in out[0]
    assert review(db, local(2025, 6, 3, 3, 59), "\n4\n" * 10)[0] == "Nothing to review today."
    out = review(db, local(2025, 6, 3, 4, 0), "\n4\n" * 10)
    # the 3 learned yesterday are due, and 3 more new terms
    assert "6 cards to review" in out[0]
    assert due_counts(db, local(2025, 6, 3, 12), capsys) == {"new": 12, "due": 0}
    assert schedule(db)["alpha"] == (2, 6, "2025-06-09")
    assert schedule(db)["delta"] == (1, 1, "2025-06-04")


def test_plain_review_via_cli_main_under_freezegun(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n5\nq\n"))
    with freeze_time(local(2025, 1, 6, 9)):
        assert cli.main(["review", "--plain", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Mon 06 Jan 2025: 3 cards to review.")
    assert "next review 2025-01-07 (in 1 day)" in out
    assert out.rstrip().splitlines()[-1].startswith("Session: 1 card, 1 answer")
    with open_database(db) as s:
        (row,) = s.db.execute("SELECT reviewed_at, utc_offset_min, study_day FROM reviews").fetchall()
    assert row == ("2025-01-06T14:00:00.000Z", -300, "2025-01-06")
    assert date.fromisoformat(row[2]) == date(2025, 1, 6)
