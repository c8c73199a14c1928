"""Several real mlcards processes on one database file at the same time: nothing is ever lost.

1. The full-screen app answers cards under a pseudo-terminal while other processes list decks, read
   stats, import a deck, review in line mode and run the ``sqlite3`` shell (a count and a WAL
   checkpoint) on the same file; then the app is killed with SIGKILL. Every answer the app
   acknowledged (it rendered the next card after the grade) must be in the log exactly once.
2. Two line-mode reviews at about five answers a second each, an import during a review and a review
   during an import: all finish and every answer is logged.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.process._proc import (
    SQLITE3_SHELL,
    Piped,
    PlainDriver,
    Terminal,
    TimedOut,
    bundled_term_count,
    cards_per_deck,
    copy_db,
    db_args,
    decks_json,
    duplicate_answers,
    integrity,
    mlcards_argv,
    plain_acknowledged,
    query,
    reviews_per_deck,
    run,
    sqlite3_shell,
    write_deck,
)

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX processes, signals and a pseudo-terminal"),
]

GLOSSARY = "ML Glossary"


def fresh_db(tmp_path: Path, template: Path) -> Path:
    """A copy of the session's ``mlcards init`` database (many new cards a day, time zone UTC)."""
    return copy_db(template, tmp_path / "shared.db")


def expected_cards(deck_file: Path) -> int:
    """Cards a deck file makes in a database of its own (computed in memory, no file involved)."""
    from mlcards.importers import deckfile
    from mlcards.store import Store

    with Store.memory() as s:
        s.apply_deck(deckfile.read_deck(deck_file))
        return s.count("cards")


class TuiReviewer:
    """Drives the app's review screen from a thread: space, then 4, card after card.

    ``sent`` counts grades written to the terminal; ``acknowledged`` those after which the app
    rendered the next card (the status line's answered count went up and a new front is shown).
    """

    FRONT = "space reveals"  # a recall or reverse card's front
    CHOICE = "to choose"  # a multiple-choice front: "press 1-4 to choose"
    BACK = "Accept"  # the footer's space binding once the answer is shown

    def __init__(self, term: Terminal, max_answers: int, pace: float = 0.03):
        self.term, self.max_answers, self.pace = term, max_answers, pace
        self.sent = 0
        self.acknowledged = 0
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self, since: int) -> None:
        self.since = since
        self.thread.start()

    def _run(self) -> None:
        t = self.term
        try:
            front, _ = t.wait_for([self.FRONT, self.CHOICE], self.since, 60)
            while not self.stop.is_set() and self.sent < self.max_answers:
                pos = t.send(" " if front == 0 else "1")
                t.wait_for(self.BACK, pos, 30)
                time.sleep(self.pace)  # pacing only
                pos = t.send("4")
                self.sent += 1
                t.wait_for(f"{self.sent} answered", pos, 30)
                front, _ = t.wait_for([self.FRONT, self.CHOICE], pos, 30)
                self.acknowledged += 1
                time.sleep(self.pace)
        except (TimedOut, OSError) as e:  # OSError: the pty is gone once the app is killed
            if not self.stop.is_set():  # after the kill a wait or a write is expected to fail
                self.error = e


def test_app_answers_survive_other_processes_and_kill_9(tmp_path, env, template_db):
    db = fresh_db(tmp_path, template_db)
    plain_deck = write_deck(tmp_path / "plain.json", "Plain", 300)
    run(db_args(db, "import", str(plain_deck)), env)
    extra = write_deck(tmp_path / "extra.json", "Extra", 8)
    extra_cards = expected_cards(extra)
    before = cards_per_deck(db)
    assert before[GLOSSARY] > 0 and before["Plain"] == expected_cards(plain_deck)

    term = Terminal([*mlcards_argv(), "--db", str(db)], env, size=(100, 30))
    reviewer = TuiReviewer(term, max_answers=bundled_term_count() - 10)
    plain_saved = 0
    others = 0
    try:
        term.wait_for("Coming up", 0, 60)  # the dashboard: raw mode is on, keys are not lost
        reviewer.start(term.send("r"))
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline or reviewer.acknowledged < 15:
            assert reviewer.error is None, reviewer.error
            assert time.monotonic() < deadline + 30, "the app answered too few cards"
            assert reviewer.thread.is_alive(), "the app's reviewer stopped early"
            decks = json.loads(run(db_args(db, "decks", "--json"), env).stdout)
            assert {d["name"] for d in decks} >= {GLOSSARY, "Plain"}
            stats = json.loads(run(db_args(db, "stats", "--json"), env).stdout)
            assert isinstance(stats, dict)
            run(db_args(db, "import", str(extra)), env)
            r = run(db_args(db, "review", "--plain", "--deck", "Plain", "--limit", "5"), env, input="\n4\n" * 5)
            saved = plain_acknowledged(r.stdout)
            assert saved == 5, r.stdout[-2000:]
            plain_saved += saved
            if SQLITE3_SHELL:
                out = sqlite3_shell(db, "SELECT count(*) FROM reviews;\nPRAGMA wal_checkpoint;\n").stdout.split()
                assert out and out[0].isdigit(), out
            others += 1
    finally:
        reviewer.stop.set()
        term.kill9()  # mid-session: a grade may be in flight
        reviewer.thread.join(30)
    assert reviewer.error is None, reviewer.error
    screen = term.screen_text()
    assert "Traceback" not in screen, screen[-3000:]
    print(f"app: {reviewer.sent} grades sent, {reviewer.acknowledged} acknowledged; "
          f"{others} rounds of other commands, {plain_saved} line-mode answers")

    assert integrity(db) == "ok"
    logged = reviews_per_deck(db)
    app_rows = logged.get(GLOSSARY, 0)
    assert reviewer.acknowledged <= app_rows <= reviewer.sent, (
        f"the app acknowledged {reviewer.acknowledged} answers (sent {reviewer.sent}); the log has {app_rows}"
    )
    assert duplicate_answers(db, GLOSSARY) == []
    assert logged.get("Plain", 0) == plain_saved
    after = cards_per_deck(db)
    assert after == {**before, "Extra": extra_cards}
    # and the file is still a healthy mlcards database for the next command
    assert decks_json(db, env)[GLOSSARY]["cards"] == before[GLOSSARY]


def test_two_line_mode_reviews_and_imports_at_once(tmp_path, env, template_db):
    db = fresh_db(tmp_path, template_db)
    big = write_deck(tmp_path / "big.json", "Big", 5000)
    big2 = write_deck(tmp_path / "big2.json", "Big Two", 5000)
    per_reviewer = 30

    def reviewer() -> tuple[Piped, PlainDriver]:
        p = Piped(db_args(db, "review", "--plain"), env)
        return p, PlainDriver(p, pace=0.1)  # two lines per answer, 0.1 s apart: about five answers a second

    procs = [reviewer(), reviewer()]
    errors: list[BaseException] = []

    def drive(d: PlainDriver, n: int) -> None:
        try:
            d.answer(n)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=drive, args=(d, per_reviewer), daemon=True) for _, d in procs]
    for t in threads:
        t.start()

    # an import while both reviews run
    while min(d.sent for _, d in procs) < 8 and all(t.is_alive() for t in threads):
        time.sleep(0.05)  # pacing the check; the reviewers' progress is what is awaited
    imp = Piped(db_args(db, "import", str(big)), env)
    assert imp.wait(60) == 0, imp.stderr()
    assert "imported Big: 5000 added" in imp.stdout(), imp.stdout()
    reviews_during_first_import = [d.sent for _, d in procs]

    # a review during an import: a third review, ready at its first card, answers for as long as the
    # import runs (it parses, then writes its 5,000 terms in one transaction), then two more
    third = Piped(db_args(db, "review", "--plain", "--deck", "Big"), env)
    third.wait_for("answer ", 0, 60)
    third_driver = PlainDriver(third, pace=0.02)
    imp2 = Piped(db_args(db, "import", str(big2)), env)
    while imp2.running() and third_driver.sent < 300:
        third_driver.step()
    answered_during_import = third_driver.sent
    third_driver.answer(2)
    assert third_driver.stop() == 0, third.stderr()
    assert imp2.wait(60) == 0, imp2.stderr()
    assert "imported Big Two: 5000 added" in imp2.stdout(), imp2.stdout()
    assert answered_during_import >= 1

    for t in threads:
        t.join(120)
    assert not errors, errors
    codes = [d.stop() for _, d in procs]
    for (p, d), code in zip(procs, codes):
        assert code == 0 and "Traceback" not in p.stderr(), p.stderr()
        assert d.sent == per_reviewer, p.stdout()[-2000:]
        assert plain_acknowledged(p.stdout()) == d.sent, p.stdout()[-2000:]
    assert plain_acknowledged(third.stdout()) == third_driver.sent
    print(f"reviews while importing: {reviews_during_first_import}; "
          f"answers given while the second import ran: {answered_during_import}")

    assert integrity(db) == "ok"
    sent = sum(d.sent for _, d in procs) + third_driver.sent
    assert query(db, "SELECT COUNT(*) FROM reviews")[0][0] == sent
    assert reviews_per_deck(db).get("Big", 0) == third_driver.sent
    decks = decks_json(db, env)
    assert decks["Big"]["terms"] == decks["Big Two"]["terms"] == 5000
    assert decks["Big"]["cards"] == decks["Big Two"]["cards"] == expected_cards(big)
