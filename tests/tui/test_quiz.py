"""The related-concept quiz: practice by default (no schedule moves), "count it" only on due cards,
the picker's number is the number asked, the end lists the misses."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from mlcards.cards import build_question
from mlcards.models import Deck
from mlcards.session import ReviewSession
from mlcards.store import Store
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.quiz import QuizPickScreen, QuizScreen
from tests.tui._support import (
    SIZE,
    TODAY,
    answer_before,
    at_day,
    card_id,
    clock,
    make_db,
    nn_deck,
    query,
    reviews,
    schedule,
    screen_text,
    settle,
    squash,
    static_text,
    term_id,
)

DEFINITIONS = {t.term: t.definition for t in nn_deck().terms}


def expected_question(db, subject: int, seed: str):
    with Store.open(db) as store:
        terms, adj = store.deck_graph(store.deck_id("Neural Nets"))
    return build_question(subject, terms, adj, seed=f"quiz:{seed}:{subject}")


def practice(db) -> list[dict]:
    return query(db, "SELECT * FROM practice_log ORDER BY id")


def day_state(db) -> tuple:
    """Everything the schedule and today's queue are made of, read through a second connection."""
    with Store.open(db) as store:
        session = ReviewSession(store, clock=clock)
        return (
            session.new_count, session.due_count, list(session.main), list(session.redrill),
            store.done_today(TODAY), store.redrill_cards(TODAY),
            query(db, "SELECT id, due, interval, easiness_centi, repetitions, lapses, buried_until FROM cards ORDER BY id"),
            len(reviews(db)),
        )


async def finish(pilot, quiz: QuizScreen, *, wrong: bool | None = None) -> list[bool]:
    """Answer every question (all wrong, all right, or alternating when ``wrong`` is None)."""
    rights = []
    i = 0
    while quiz.question is not None:
        q = quiz.question
        miss = (i % 2 == 1) if wrong is None else wrong
        choice = (q.answer + 1) % len(q.choices) if miss else q.answer
        rights.append(not miss)
        await pilot.press(str(choice + 1))
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        i += 1
    return rights


async def test_quiz_on_a_term_is_practice(db, app_for, fake_time):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        pick = app.screen
        assert isinstance(pick, QuizPickScreen)
        options = pick.query_one("#quiz-options", OptionList)
        assert str(options.get_option_at_index(0).prompt) == "▶ Whole deck: Neural Nets (6 questions)"
        assert options.option_count == 7  # the deck line and six terms
        assert pick.query_one("#quiz-filter", Input).has_focus
        assert "Answers are practice" in static_text(app, "#quiz-count")
        await pilot.press(*"neur")
        await settle(pilot)
        assert options.option_count == 2
        assert str(options.get_option_at_index(1).prompt).startswith("neuron — ")
        await pilot.press("enter")
        await settle(pilot)

        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and not quiz.count
        neuron = term_id(db, "neuron")
        assert quiz.subjects[0] == neuron  # the term, then its neighbours
        assert sorted(quiz.subjects[1:]) == sorted(term_id(db, t) for t in ("weight", "bias", "activation"))
        q = quiz.question
        assert q == expected_question(db, neuron, "42")  # seeded: the (fake) time_ns
        assert "question 1 of 4 · 0 right · practice" in static_text(app, "#quiz-status")
        assert static_text(app, "#quiz-feedback") == f"press 1-{len(q.choices)}"

        related = card_id(db, "neuron", "related")
        before = schedule(db, related)
        await pilot.press(str(q.answer + 1))
        await settle(pilot)
        feedback = squash(static_text(app, "#quiz-feedback"))
        assert feedback == "Right. Practice, grade 5 (perfect): the schedule did not change."
        cmap = squash(static_text(app, "#quiz-map"))
        assert cmap.startswith(f"neuron {DEFINITIONS['neuron']} Related:")
        assert "Related:" in screen_text(app)  # scrolled into view, not only present
        assert reviews(db) == [] and schedule(db, related) == before
        [p] = practice(db)
        assert (p["card_id"], p["grade"], p["source"], p["duration_ms"], p["study_day"]) == (related, 5, "quiz", 0, "2026-11-30")

        await pilot.press("2" if q.answer != 1 else "1")  # already answered: choosing again does nothing
        await settle(pilot)
        assert len(practice(db)) == 1

        await pilot.press("space")
        await settle(pilot)
        q2 = quiz.question
        assert q2.subject_id == quiz.subjects[1]
        assert "question 2 of 4 · 1 right" in static_text(app, "#quiz-status")
        wrong = next(i for i in range(len(q2.choices)) if i != q2.answer)
        fake_time.advance(3)
        await pilot.press(str(wrong + 1))
        await settle(pilot)
        assert squash(static_text(app, "#quiz-feedback")) == (
            "Not quite. Practice, grade 1 (wrong·knew): the schedule did not change.")
        p2 = practice(db)[-1]
        with Store.open(db) as store:
            assert p2["card_id"] == store.related_card(q2.subject_id)
            assert store.practice_counts(TODAY) == (2, 1)
        assert (p2["grade"], p2["duration_ms"], p2["chosen_term_id"]) == (1, 3000, q2.chosen_id(wrong))
        assert reviews(db) == []

        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_a_whole_quiz_leaves_the_schedule_and_today_alone(db, app_for, fake_time):
    # some history: scheduled related cards (which a counted wrong answer would reset to one day)
    for term in ("neuron", "weight"):
        answer_before(db, card_id(db, term, "related"), 5, at_day(20))
        answer_before(db, card_id(db, term, "related"), 5, at_day(21))
    answer_before(db, card_id(db, "bias", "related"), 5, at_day(29))  # due today
    before = day_state(db)
    assert before[0] > 0 and before[1] == 3  # new cards and three due cards waiting
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z", "enter")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.deck == "Neural Nets"
        assert len(quiz.items) == 6
        await finish(pilot, quiz, wrong=True)  # every answer wrong: a counted quiz would re-drill them all
        assert "Quiz complete" in static_text(app, "#quiz-status")
        assert "6 questions · 0 right · 6 missed · All practice: no schedule changed." in squash(static_text(app, "#quiz-missed"))
    assert day_state(db) == before
    with Store.open(db) as store:
        assert store.practice_counts(TODAY) == (6, 0)
        assert store.practice_counts(TODAY, store.deck_id("Neural Nets")) == (6, 0)
    assert {p["source"] for p in practice(db)} == {"quiz"}


async def test_count_it_counts_only_cards_due_today(db, app_for, fake_time):
    due = card_id(db, "neuron", "related")
    answer_before(db, due, 5, at_day(29))  # due today
    later = card_id(db, "bias", "related")
    answer_before(db, later, 5, at_day(28))
    answer_before(db, later, 5, at_day(29))  # next due in six days
    sibling = card_id(db, "weight", "related")
    answer_before(db, sibling, 5, at_day(29))  # due today, but its term's recall card is answered today
    answer_before(db, card_id(db, "weight", "recall"), 5, clock())
    frozen = {c: schedule(db, c) for c in (later, sibling)}
    logged = len(reviews(db))
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z", "ctrl+t")
        await settle(pilot)
        assert "☑ Count it: answers on cards due today count" in static_text(app, "#quiz-count")
        await pilot.press("enter")
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.count
        verdicts: dict[str, str] = {}
        while quiz.question is not None:
            item = quiz.item
            await pilot.press(str(quiz.question.answer + 1))
            await settle(pilot)
            verdicts[item.subject] = squash(static_text(app, "#quiz-feedback"))
            await pilot.press("space")
            await settle(pilot)
        shown = squash(static_text(app, "#quiz-missed"))
    assert verdicts["neuron"] == "Right. Counted, grade 5 (perfect): next review Sun 06 Dec."
    assert verdicts["bias"] == "Right. Not counted (it is not due until Sat 05 Dec): practice, grade 5 (perfect): the schedule did not change."
    assert verdicts["weight"].startswith("Right. Not counted (a card of this term was already answered today)")
    assert verdicts["loss"].startswith("Right. Not counted (it is a new card")
    new = reviews(db)[logged:]
    assert [(r["card_id"], r["source"], r["kind"]) for r in new] == [(due, "quiz", "review")]
    assert {c: schedule(db, c) for c in frozen} == frozen
    assert len(practice(db)) == 5 and due not in {p["card_id"] for p in practice(db)}
    assert "6 questions · 6 right · 0 missed · 1 answer counted on due cards, 5 practice." in shown


def stale_deck(n: int, stale: int, name: str = "t") -> tuple[Deck, Deck]:
    """``n`` terms in a ring, then the same deck with the links of ``stale`` terms removed: their
    related cards stay but give no question (as after a re-import)."""
    def terms(cut: int) -> list[dict]:
        return [dict(term=f"{name}{i:02}", definition=f"Definition number {i}.",
                     related=[f"{name}{(i + 1) % n:02}"] if i == 0 or i > cut else []) for i in range(n)]
    return Deck(name="Stale", terms=terms(0)), Deck(name="Stale", terms=terms(stale))


async def test_the_picker_promises_the_number_it_asks(tmp_path, app_for, fake_time):
    for n, promised in ((14, 10), (12, 9)):
        full, cut = stale_deck(n, 4)  # t02..t04 lose every link (t00 keeps t01's): three ask nothing
        db = make_db(tmp_path / f"stale{n}.db", full)
        with Store.open(db) as store:
            store.apply_deck(cut)
            assert len(store.quiz_subject_terms(TODAY, None, 10)) == 10  # ten subjects, but some ask nothing
        app = app_for(db)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            line = str(app.screen.query_one("#quiz-options", OptionList).get_option_at_index(0).prompt)
            assert line == f"▶ Whole deck: Stale ({promised} questions)"
            await pilot.press("enter")
            await settle(pilot)
            quiz = app.screen
            assert f"question 1 of {promised} " in static_text(app, "#quiz-status")
            rights = await finish(pilot, quiz)
            assert len(rights) == promised
            assert squash(static_text(app, "#quiz-missed")).startswith(f"{promised} questions · ")
        assert len(practice(db)) == promised


async def test_the_end_lists_what_was_missed(tmp_path, app_for, fake_time):
    full, _ = stale_deck(14, 0, name="a term with a name long enough to wrap at eighty columns ")
    db = make_db(tmp_path / "ring.db", full)
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("z", "enter")
        await settle(pilot)
        quiz = app.screen
        assert len(quiz.items) == 10
        expected = []
        for i, item in enumerate(list(quiz.items)):
            q = item.question
            choice = q.answer if i % 3 == 0 else (q.answer + 1) % len(q.choices)
            if choice != q.answer:
                expected.append(f"✗ {item.subject}: picked {q.choices[choice]} · right: {q.choices[q.answer]}")
            await pilot.press(str(choice + 1), "space")
            await settle(pilot)
        assert len(expected) == 6
        missed = squash(static_text(app, "#quiz-missed"))
        assert missed.startswith("10 questions · 4 right · 6 missed · All practice: no schedule changed. Missed ✗")
        for line in expected:
            assert squash(line) in missed
        assert squash(static_text(app, "#quiz-summary")).startswith("Session summary 10 cards · 10 answers · 40% right")
        scroller = quiz.query_one("#quiz-card")
        assert scroller.has_focus and scroller.scroll_y == 0 and scroller.max_scroll_y > 0  # taller than 80x24
        assert "Quiz complete" in screen_text(app)
        await pilot.press("end")
        await settle(pilot)
        assert squash(expected[-1]) in squash(screen_text(app))  # the last miss, scrolled into view


async def test_quiz_without_related_terms_says_so(tmp_path, app_for):
    deck = Deck(name="Flat", terms=[dict(term="one", definition="The first."), dict(term="two", definition="The second.")])
    db = make_db(tmp_path / "flat.db", deck)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        line = str(app.screen.query_one("#quiz-options", OptionList).get_option_at_index(0).prompt)
        assert line == "▶ Whole deck: Flat (no questions: its terms need related terms)"
        await pilot.press("enter")
        await settle(pilot)
        assert "No related-concept questions here" in static_text(app, "#quiz-prompt")
        await pilot.press("1", "space")  # nothing to answer: no crash, nothing recorded
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert reviews(db) == [] and practice(db) == []


async def test_the_concept_map_scrolls_into_view_on_a_small_terminal(tmp_path, app_for, fake_time):
    long = " ".join(["A long definition that wraps over several lines on an eighty-column terminal."] * 4)
    deck = nn_deck()
    deck = deck.model_copy(update={"terms": [t.model_copy(update={"definition": long}) for t in deck.terms]})
    db = make_db(tmp_path / "long.db", deck)
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(QuizScreen(term_id=term_id(db, "neuron"), seed="small"))
        await settle(pilot)
        await pilot.press(str(app.screen.question.answer + 1))
        await settle(pilot)
        shown = screen_text(app)
        assert "Practice, grade 5" in shown and "Related:" in shown and "└─ activation" in shown
        await pilot.press("space")  # the next question starts at the top again
        await settle(pilot)
        assert "question 2 of 4" in screen_text(app)
        assert app.screen.query_one("#quiz-card").scroll_y == 0
