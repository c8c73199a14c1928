"""Deck text is data: markup shows literally, control characters never reach the terminal, and
nothing in a deck can run an action (``[@click=app.quit]``) or crash a screen (``[/]``)."""

from __future__ import annotations

import sqlite3

from mlcards.models import Deck
from mlcards.tui.screens.browse import BrowseScreen
from mlcards.tui.screens.review import ReviewScreen
from mlcards.tui.screens.term import TermScreen
from mlcards.tui.widgets.cardtable import CardTable
from tests.tui._support import (
    SIZE,
    card_id,
    card_row,
    make_db,
    screen_segments,
    screen_text,
    settle,
    squash,
    static_text,
    term_id,
)

BOLD = "[bold]x[/bold]"
CLICK = "[@click=app.quit]y[/]"
CLOSE = "[/]"


def markup_db(tmp_path):
    deck = Deck(
        name="Markup [red]deck[/red]",
        terms=[
            dict(term=BOLD, definition=CLICK, explanation="placeholder", related=[CLOSE, "plain"]),
            dict(term=CLOSE, definition=f"Closes {CLOSE} nothing [b].", related=["plain"]),
            dict(term="plain", definition="An ordinary term.", related=[BOLD]),
        ],
    )
    db = make_db(tmp_path / "markup.db", deck)
    # text written by something other than mlcards' importers: control characters in the database
    con = sqlite3.connect(db)
    with con:
        con.execute(
            "UPDATE terms SET explanation = ? WHERE key = ?",
            ("esc:\x1b[2Jcleared\x07 bell\x1b]0;title\x07 osc \u202eevil", BOLD),
        )
    con.close()
    return db


def no_control(app) -> None:
    for text in screen_segments(app):
        assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in text), repr(text)


async def test_markup_and_control_characters_in_review(tmp_path, app_for):
    db = markup_db(tmp_path)
    app = app_for(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "Markup [red]deck[/red]" in screen_text(app)  # the deck name on the dashboard
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert static_text(app, "#front") == BOLD
        assert BOLD in screen_text(app)
        assert "Markup [red]deck[/red]" in static_text(app, "#status")
        await pilot.press("space")
        await settle(pilot)
        text = screen_text(app)
        assert CLICK in text
        assert "esc:[2Jcleared bell]0;title osc evil" in squash(static_text(app, "#back"))
        no_control(app)

        # clicking the would-be link does nothing
        back = screen.query_one("#back")
        line = next(i for i, s in enumerate(back.render_lines(back.region.reset_offset)) if CLICK in s.text)
        await pilot.click("#back", offset=(4, line))
        await settle(pilot)
        assert app.is_running and app.screen is screen

        await pilot.press("5")
        await settle(pilot)
        assert static_text(app, "#front") == CLOSE
        # suspending, burying and undoing announce the term in a toast: literally, without crashing
        await pilot.press("s")
        await settle(pilot)
        assert card_row(db, card_id(db, CLOSE, "recall"))["suspended"] == 1
        assert f"Suspended this recall card of “{CLOSE}”" in squash(screen_text(app))
        await pilot.press("minus")  # buries "plain"
        await pilot.press("u", "u", "u")  # takes back the bury, the suspend, then the answer to BOLD
        await settle(pilot)
        assert f"Undone: the answer to “{BOLD}”" in squash(screen_text(app))
        assert app.is_running and app.screen is screen
        no_control(app)


async def test_markup_in_browse_term_and_quiz(tmp_path, app_for):
    db = markup_db(tmp_path)
    app = app_for(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        table = screen.query_one("#cards", CardTable)
        terms = [table.row_at(i).term for i in range(table.total)]
        assert BOLD in terms and CLOSE in terms
        assert BOLD in screen_text(app) and CLOSE in screen_text(app)
        table.move_cursor(terms.index(CLOSE))
        await pilot.press("s")  # toast names the term
        await settle(pilot)
        assert f"Suspended the recall card of “{CLOSE}”" in squash(screen_text(app))
        await pilot.press("minus")
        await settle(pilot)
        assert any(n.message == f"Buried the recall card of “{CLOSE}” until tomorrow." and not n.markup for n in app._notifications)
        assert app.is_running

        table.move_cursor(terms.index(BOLD))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TermScreen) and app.screen.term_id == term_id(db, BOLD)
        text = squash(static_text(app, "#term-text"))
        assert text.startswith(f"{BOLD} Markup [red]deck[/red]") and CLICK in text
        assert "esc:[2Jcleared" in text
        assert CLICK in screen_text(app)
        no_control(app)
        await pilot.press("escape", "escape")
        await settle(pilot)

        # the quiz: prompt, choices and concept map
        await pilot.press("z", "enter")
        await settle(pilot)
        quiz = app.screen
        q = quiz.question
        assert q is not None
        await pilot.press(str(q.answer + 1))
        await settle(pilot)
        shown = screen_text(app)
        for choice in q.choices:
            assert choice in shown
        cmap = static_text(app, "#quiz-map")
        subject = {term_id(db, t): t for t in (BOLD, CLOSE, "plain")}[q.subject_id]
        assert cmap.startswith(subject)
        no_control(app)
        assert app.is_running


# --- issue 8, section 4: deck names and file names never reach the terminal as control bytes ---------

HOSTILE = "\x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07 \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ csi\x9b2J nel\x85 \u202eevil\u2066iso\u2069"
NAME_BYTES = "\x1b[31m\x9b\u202e\x07"


def terminal_safe(app) -> None:
    """No C0 (but newline), DEL, C1 or bidi control anywhere in what the screen would write."""
    for text in screen_segments(app):
        bad = [c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F
               or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069]
        assert not bad, repr(text)


async def test_quiz_deck_name_renders_without_control_characters(tmp_path, app_for):
    from mlcards.text import one_line
    from mlcards.tui.screens.quiz import QuizPickScreen, QuizScreen
    from tests.tui._support import nn_deck

    db = make_db(tmp_path / "hostile.db", nn_deck("Plain"))
    con = sqlite3.connect(db)  # a hand-edited database: the importers' cleaning never saw this name
    with con:
        con.execute("UPDATE decks SET name = ? WHERE name = 'Plain'", (f"Deck {HOSTILE}",))
    con.close()
    app = app_for(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        terminal_safe(app)
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, QuizPickScreen) and app.screen.deck == f"Deck {HOSTILE}"
        from textual.widgets import OptionList

        first = app.screen.query_one("#quiz-options", OptionList).get_option_at_index(0).prompt
        assert str(first) == f"▶ Whole deck: {one_line('Deck ' + HOSTILE)} (6 questions)"
        assert "Whole deck: Deck [31mred[0m ]52;c;aGk=" in screen_text(app)  # inert printable tails only
        terminal_safe(app)
        await pilot.press("enter")  # quiz the whole (hostile-named) deck
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.question is not None
        terminal_safe(app)
        await pilot.press(str(quiz.question.answer + 1))
        await settle(pilot)
        terminal_safe(app)
        assert app.is_running


async def test_import_screen_shows_file_names_and_headers_escaped(db, app_for, tmp_path, monkeypatch):
    import json

    from textual.widgets import Input

    from mlcards.tui.screens.importer import DeckTree, ImportScreen

    monkeypatch.chdir(tmp_path)
    named = tmp_path / f"deck{NAME_BYTES}.json"
    named.write_text(json.dumps({"name": "Optics", "terms": [
        {"term": "lens", "definition": "Bends light.", "related": ["prism"]},
        {"term": "prism", "definition": "Splits light.", "related": ["lens"]},
    ]}), encoding="utf-8")
    anki = tmp_path / f"notes{NAME_BYTES}.tsv"
    anki.write_text(f"#separator:Tab\n#columns:Front\tBack\tEvil {HOSTILE}\nlens\tBends light.\tx\n", encoding="utf-8")
    shown_name = "deck\\x1b[31m\\x9b\\u202e\\x07.json"
    app = app_for(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        tree = screen.query_one("#import-tree", DeckTree)
        labels = [str(node.label) for node in tree.root.children]
        assert labels == [shown_name, "notes\\x1b[31m\\x9b\\u202e\\x07.tsv"]  # visible, inert
        terminal_safe(app)
        await pilot.press("down", "enter")  # the escaped label still opens the real file
        await settle(pilot)
        assert screen.query_one("#import-path", Input).value == str(tmp_path / shown_name)
        preview = static_text(app, "#import-preview")
        assert preview.startswith(f"What will change\n{shown_name} · deck file")
        assert "2 added: lens, prism" in preview
        terminal_safe(app)
        await pilot.press("down", "enter")  # the Anki file: its hostile header is reported, escaped
        await settle(pilot)
        preview = squash(static_text(app, "#import-preview"))
        assert "columns ignored" in preview and "Evil \\x1b[31mred" in preview and "\\u202eevil" in preview
        terminal_safe(app)
        assert app.is_running
