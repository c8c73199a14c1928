"""The quiz picker's count is built in a worker and the quiz reuses it: Enter on the whole deck before
the questions are ready starts once they arrive (the UI thread never builds them), and the quiz asks
exactly the questions counted."""

from __future__ import annotations

import threading

from mlcards.tui.screens import quiz as quiz_module
from mlcards.tui.screens.quiz import QuizPickScreen, QuizScreen
from tests.tui._support import SIZE, settle


async def test_enter_before_the_count_starts_the_quiz_with_the_counted_questions(db, app_for, fake_time, monkeypatch):
    gate = threading.Event()
    ui_builds: list[str] = []
    real = quiz_module.quiz_items

    def gated(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            ui_builds.append("ui")
        else:
            gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(quiz_module, "quiz_items", gated)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z")
        for _ in range(50):  # the term list arrives; the count is held at the gate
            await pilot.pause(0.02)
            if isinstance(app.screen, QuizPickScreen) and app.screen.listed == "":
                break
        pick = app.screen
        assert isinstance(pick, QuizPickScreen) and pick.deck_items is None
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is pick and pick.starting  # waits for the worker, builds nothing here
        gate.set()
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert pick.deck_items and quiz.items is pick.deck_items
        assert quiz.question is not None
        assert ui_builds == []


async def test_a_quiz_on_one_term_reuses_the_graph_the_count_built(db, app_for, fake_time, monkeypatch):
    from mlcards import custom

    built: list[int] = []
    real = custom.deck_question_graph

    def counted(store, deck_id):
        built.append(deck_id)
        return real(store, deck_id)

    monkeypatch.setattr(custom, "deck_question_graph", counted)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert len(built) == 1  # the count's
        await pilot.press(*"neur")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen) and app.screen.question is not None
        assert len(built) == 1  # the quiz on "neuron" used the cached graph
