"""The related-concept quiz: pick a term or a deck, answers recorded on related cards, concept map shown."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from mlcards.cards import build_question
from mlcards.models import Deck
from mlcards.store import Store
from mlcards.tui.screens.home import HomeScreen
from mlcards.tui.screens.quiz import QuizPickScreen, QuizScreen
from tests.tui._support import (
    SIZE,
    card_id,
    make_db,
    nn_deck,
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


async def test_quiz_on_a_term_records_answers_on_related_cards(db, app_for, fake_time):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        pick = app.screen
        assert isinstance(pick, QuizPickScreen)
        options = pick.query_one("#quiz-options", OptionList)
        assert "Whole deck: Neural Nets" in str(options.get_option_at_index(0).prompt)
        assert options.option_count == 7  # the deck line and six terms
        assert pick.query_one("#quiz-filter", Input).has_focus
        await pilot.press(*"neur")
        await settle(pilot)
        assert options.option_count == 2
        assert str(options.get_option_at_index(1).prompt).startswith("neuron — ")
        await pilot.press("enter")
        await settle(pilot)

        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        neuron = term_id(db, "neuron")
        # the term, then its neighbours
        assert quiz.subjects[0] == neuron
        assert sorted(quiz.subjects[1:]) == sorted(term_id(db, t) for t in ("weight", "bias", "activation"))
        q = quiz.question
        assert q == expected_question(db, neuron, "42")  # seeded: the (fake) time_ns
        assert "question 1 of 4 · 0 right" in static_text(app, "#quiz-status")
        assert static_text(app, "#quiz-feedback") == f"press 1-{len(q.choices)}"
        assert not quiz.query_one("#quiz-map").display

        await pilot.press(str(q.answer + 1))
        await settle(pilot)
        feedback = squash(static_text(app, "#quiz-feedback"))
        assert feedback == "Right. Recorded grade 5 (perfect) on this related card: next review Tue 01 Dec."
        # the concept map: the term, its definition, its related terms with their definitions
        cmap = squash(static_text(app, "#quiz-map"))
        assert cmap.startswith(f"neuron {DEFINITIONS['neuron']} Related:")
        for n in ("weight", "bias", "activation"):
            assert f"{n} — {DEFINITIONS[n]}" in cmap
        assert "Related:" in screen_text(app)  # scrolled into view, not only present
        related = card_id(db, "neuron", "related")
        [r] = reviews(db)
        assert (r["card_id"], r["grade"], r["source"], r["kind"], r["duration_ms"]) == (related, 5, "quiz", "new", 0)
        assert schedule(db, related)[:4] == (1, 260, 1, "2026-12-01")

        await pilot.press("2" if q.answer != 1 else "1")  # already answered: choosing again does nothing
        await settle(pilot)
        assert len(reviews(db)) == 1

        await pilot.press("space")
        await settle(pilot)
        q2 = quiz.question
        subject2 = quiz.subjects[1]
        assert q2.subject_id == subject2
        assert "question 2 of 4 · 1 right" in static_text(app, "#quiz-status")
        wrong = next(i for i in range(len(q2.choices)) if i != q2.answer)
        fake_time.advance(3)
        await pilot.press(str(wrong + 1))
        await settle(pilot)
        assert static_text(app, "#quiz-feedback").startswith("Not quite. Recorded grade 1 (wrong·knew)")
        r2 = reviews(db)[-1]
        with Store.open(db) as store:
            assert r2["card_id"] == store.related_card(subject2)
        assert (r2["grade"], r2["source"], r2["duration_ms"]) == (1, "quiz", 3000)

        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)

        # the same term again today: recorded, but the schedule is kept (a re-drill)
        before = schedule(db, related)
        await pilot.press("z", *"neuron", "enter")
        await settle(pilot)
        q = app.screen.question
        await pilot.press(str(q.answer + 1))
        await settle(pilot)
        assert "already reviewed today, schedule kept" in squash(static_text(app, "#quiz-feedback"))
        assert reviews(db)[-1]["kind"] == "redrill" and schedule(db, related) == before


async def test_whole_deck_quiz_to_the_end(db, app_for, fake_time):
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z", "enter")  # the first line: the highlighted deck
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.deck == "Neural Nets"
        assert len(quiz.subjects) == 6
        right = 0
        for i in range(6):
            q = quiz.question
            choice = q.answer if i % 2 == 0 else (q.answer + 1) % len(q.choices)
            right += choice == q.answer
            await pilot.press(str(choice + 1), "space")
        await settle(pilot)
        assert "Quiz complete" in static_text(app, "#quiz-status")
        assert squash(static_text(app, "#quiz-summary")).startswith(f"Session summary 6 cards · 6 answers · {right / 6:.0%} right · 0 re-drills")
    log = reviews(db)
    assert len(log) == 6 and {r["source"] for r in log} == {"quiz"}
    assert [r["grade"] for r in log] == [5, 1] * 3
    assert len({r["card_id"] for r in log}) == 6


async def test_quiz_without_related_terms_says_so(tmp_path, app_for):
    deck = Deck(name="Flat", terms=[dict(term="one", definition="The first."), dict(term="two", definition="The second.")])
    db = make_db(tmp_path / "flat.db", deck)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z", "enter")
        await settle(pilot)
        assert "No related-concept questions here" in static_text(app, "#quiz-prompt")
        await pilot.press("1", "space")  # nothing to answer: no crash, nothing recorded
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert reviews(db) == []


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
        assert "Recorded grade 5" in shown and "Related:" in shown and "└─ activation" in shown
        await pilot.press("space")  # the next question starts at the top again
        await settle(pilot)
        assert "question 2 of 4" in screen_text(app)
        assert app.screen.query_one("#quiz-card").scroll_y == 0
