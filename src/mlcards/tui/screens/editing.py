"""What the dashboard and the term view do to add, rename, delete and undelete (through ``mlcards.editing``).

Each function opens the right modal on ``screen`` and, once it is answered, writes through the
app's store and calls ``done()`` so the screen can show the change. Deletes go to the trash; the
dashboard's ``u`` puts the latest one back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from mlcards import editing
from mlcards.errors import MlcardsError
from mlcards.text import one_line
from mlcards.tui.base import MlcardsAppBase
from mlcards.wording import plural

UNDO_ON_DASHBOARD = "press u on the dashboard to undo"


def _app(screen: Screen[Any]) -> MlcardsAppBase:
    app = screen.app
    assert isinstance(app, MlcardsAppBase)
    return app


def add_term(screen: Screen[Any], deck: str | None, done: Callable[[], None]) -> None:
    """The add form, with ``deck`` preselected."""
    from mlcards.tui.screens.edit import AddTermScreen

    _app(screen).push_screen(AddTermScreen(deck), lambda saved: done() if saved else None)


def rename_deck(screen: Screen[Any], deck: str, done: Callable[[], None]) -> None:
    app = _app(screen)
    deck_id = app.store.require_deck(deck)

    def check(new: str) -> None:
        editing.rename_deck(app.store, deck_id, new)

    def finished(new: str | None) -> None:
        if new is not None:
            app.notify(f"Renamed the deck to {one_line(app.store.deck_name(deck_id))}.", timeout=3, markup=False)
            done()

    from mlcards.tui.screens.confirm import PromptScreen

    app.push_screen(PromptScreen(f"Rename deck {one_line(deck)!r} to:", deck, check=check), finished)


def delete_deck(screen: Screen[Any], deck: str, done: Callable[[], None], *, on_dashboard: bool = True) -> None:
    """Ask (naming the deck and what goes with it), delete into the trash, say how to undo."""
    app = _app(screen)
    deck_id = app.store.require_deck(deck)
    terms, cards, answers = app.store.deck_counts(deck_id)
    body = (
        f"{plural(terms, 'term')}, {plural(cards, 'card')} and {plural(answers, 'answer')} in the review log "
        "go to the trash with it. You can put it back afterwards (u on the dashboard, or mlcards undelete)."
    )

    def finished(yes: bool | None) -> None:
        if not yes:
            return
        trash_id = editing.delete_deck(app.store, deck_id)
        label = app.store.trash_payload(trash_id)[0].label
        undo = "press u to undo" if on_dashboard else UNDO_ON_DASHBOARD
        app.notify(f"Deleted {label}; {undo}.", timeout=6, markup=False)
        done()

    from mlcards.tui.screens.confirm import ConfirmScreen

    app.push_screen(ConfirmScreen(f"Delete deck {one_line(deck)!r}?", body), finished)


def rename_term(screen: Screen[Any], term_id: int, done: Callable[[], None]) -> None:
    app = _app(screen)
    old = app.store.term_model(term_id).term

    def check(new: str) -> None:
        editing.rename_term(app.store, term_id, new)

    def finished(new: str | None) -> None:
        if new is not None:
            app.notify(f"Renamed to {one_line(app.store.term_model(term_id).term)}; its cards and history stay.",
                       timeout=3, markup=False)
            done()

    from mlcards.tui.screens.confirm import PromptScreen

    app.push_screen(PromptScreen(f"Rename {one_line(old)!r} to:", old, check=check), finished)


def delete_term(screen: Screen[Any], term_id: int, done: Callable[[], None]) -> None:
    """Ask (naming the term, its deck and its cards), delete into the trash, say how to undo."""
    app = _app(screen)
    store = app.store
    term = store.term_model(term_id).term
    deck = store.term_deck(term_id)
    cards = store.cards_of_term(term_id)
    answers = sum(c.reviews for c in cards)
    body = (
        f"Its {plural(len(cards), 'card')} and {plural(answers, 'answer')} in the review log go to the trash "
        "with it. You can put it back afterwards (u on the dashboard, or mlcards undelete)."
    )

    def finished(yes: bool | None) -> None:
        if not yes:
            return
        trash_id = editing.delete_terms(store, [term_id])
        label = store.trash_payload(trash_id)[0].label
        app.notify(f"Deleted {label}; {UNDO_ON_DASHBOARD}.", timeout=6, markup=False)
        done()

    from mlcards.tui.screens.confirm import ConfirmScreen

    app.push_screen(ConfirmScreen(f"Delete {one_line(term)!r} from {one_line(deck)}?", body), finished)


def undelete(screen: Screen[Any], done: Callable[[], None]) -> None:
    """Put the latest delete back (or say why not)."""
    app = _app(screen)
    try:
        label = editing.restore(app.store)
    except MlcardsError as e:
        app.notify(str(e), timeout=5, markup=False, severity="warning")
        return
    app.notify(f"Restored {label}.", timeout=3, markup=False)
    done()

