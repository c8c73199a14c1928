"""Question graphs are built once and reused: the app's cache keyed by the database's change state,
the quiz's ``graphs`` argument, and a review session's graphs built ahead on another connection."""

from __future__ import annotations

from datetime import datetime, timezone

from mlcards import custom, session
from mlcards.custom import GraphCache, change_state, graph_cache, quiz_items
from mlcards.session import ReviewSession
from mlcards.store import Store
from tests.conftest import small_deck

NOW = datetime(2025, 5, 1, 12, tzinfo=timezone.utc)


def file_store(tmp_path) -> Store:
    store = Store.open(tmp_path / "cards.db")
    store.set_setting("timezone", "UTC")
    store.apply_deck(small_deck())
    return store


def counting(monkeypatch, module) -> list[int]:
    """Record every deck graph ``module`` builds."""
    built: list[int] = []
    real = module.deck_question_graph

    def build(store, deck_id):
        built.append(deck_id)
        return real(store, deck_id)

    monkeypatch.setattr(module, "deck_question_graph", build)
    return built


def test_the_cache_keeps_graphs_while_the_state_is_the_same():
    cache = GraphCache()
    first = cache.graphs((1, 0))
    first[7] = "graph"  # type: ignore[assignment]
    assert cache.graphs((1, 0)) is first
    later = cache.graphs((1, 1))
    assert later == {} and later is not first
    assert cache.graphs((1, 0)) == {}  # an older state's graphs are gone, not brought back


def test_the_change_state_moves_with_this_connections_and_anothers_commits(tmp_path):
    store = file_store(tmp_path)
    state = change_state(store)
    assert change_state(store) == state  # reading changes nothing
    store.set_setting("theme", "textual-light")
    after_own = change_state(store)
    assert after_own != state
    with Store.open(tmp_path / "cards.db") as other:
        other.set_setting("theme", "nord")
    assert change_state(store) != after_own
    assert graph_cache(store) is graph_cache(store)


def test_quiz_items_reuse_the_graphs_they_are_given(tmp_path, monkeypatch):
    store = file_store(tmp_path)
    built = counting(monkeypatch, custom)
    today = store.today(NOW)
    graphs: dict = {}
    first = quiz_items(store, today, seed="s", graphs=graphs)
    deck = store.deck_id("Tiny")
    assert built == [deck] and set(graphs) == {deck}
    again = quiz_items(store, today, seed="s", graphs=graphs)
    assert built == [deck]  # not built a second time
    assert again == first and len(first) > 0
    quiz_items(store, today, seed="s")
    assert built == [deck, deck]  # without the argument each call builds its own


def test_a_review_session_uses_the_graphs_built_ahead_on_another_connection(tmp_path, monkeypatch):
    store = file_store(tmp_path)
    alpha = store.find_terms("alpha", store.deck_id("Tiny"), limit=1)[0].id
    related = store.related_card(alpha)
    assert related is not None
    s = ReviewSession(store, clock=lambda: NOW, practice="custom", cards=[related])
    with Store.open(tmp_path / "cards.db") as worker:
        s.build_graphs(worker)
    built = counting(monkeypatch, session)
    assert s.question_for(store.card(related)) is not None
    assert built == []  # the graph built ahead answered it


def test_graphs_read_before_the_decks_text_was_forgotten_are_dropped(tmp_path, monkeypatch):
    store = file_store(tmp_path)
    alpha = store.find_terms("alpha", store.deck_id("Tiny"), limit=1)[0].id
    s = ReviewSession(store, clock=lambda: NOW, practice="custom", cards=[store.related_card(alpha) or 0])
    real = session.deck_question_graph

    def build_then_edit(st, deck_id):
        graph = real(st, deck_id)
        s.forget_deck_text()  # a term was edited while the worker was reading
        return graph

    monkeypatch.setattr(session, "deck_question_graph", build_then_edit)
    with Store.open(tmp_path / "cards.db") as worker:
        s.build_graphs(worker)
    assert s._graphs == {}


def test_only_the_decks_of_queued_related_cards_are_built_ahead(tmp_path, monkeypatch):
    store = file_store(tmp_path)
    s = ReviewSession(store, deck="Tiny", clock=lambda: NOW)
    assert all(store.card(i).kind.value not in ("related", "contrast") for i in s.main)  # today's first cards
    built = counting(monkeypatch, session)
    with Store.open(tmp_path / "cards.db") as worker:
        s.build_graphs(worker)
    assert built == []
