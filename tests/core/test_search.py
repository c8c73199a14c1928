"""Browse's search syntax: the parser (mlcards.search) and the store's SQL for each operator, on a real file."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlcards.errors import StoreError
from mlcards.models import Deck
from mlcards.search import (
    EVERYTHING,
    And,
    CardIs,
    DeckIs,
    Not,
    Or,
    Prop,
    SearchError,
    StateIs,
    TagIs,
    Text,
    parse,
)
from mlcards.store import Store

TODAY = date(2026, 11, 30)
TODAY_NOW = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)


# --- the parser ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("", EVERYTHING),
        ("   ", EVERYTHING),
        ("neuron", Text("neuron")),
        ('"weighted sum"', Text("weighted sum")),
        ('"say \\"hi\\""', Text('say "hi"')),
        ("a b", And((Text("a"), Text("b")))),
        ("a and b", And((Text("a"), Text("b")))),
        ("a or b", Or((Text("a"), Text("b")))),
        ("a OR b c", Or((Text("a"), And((Text("b"), Text("c")))))),
        ("(a or b) c", And((Or((Text("a"), Text("b"))), Text("c")))),
        ("-a", Not(Text("a"))),
        ("--a", Not(Not(Text("a")))),
        ('-"a b"', Not(Text("a b"))),
        ("-(a or b)", Not(Or((Text("a"), Text("b"))))),
        ("well-known", Text("well-known")),
        ("deck:Neural", DeckIs("Neural")),
        ('deck:"Neural Nets"', DeckIs("Neural Nets")),
        ("DECK:neu*", DeckIs("neu*")),
        ('"deck:Neural Nets"', Text("deck:Neural Nets")),  # a quoted phrase is text
        ("tag:basics", TagIs("basics")),
        ("card:Reverse", CardIs("Reverse")),
        ("tag:none", TagIs(None)),
        ('tag:"none"', TagIs("none")),
        ("-tag:basics", Not(TagIs("basics"))),
        ("is:new", StateIs("new")),
        ("is:DUE", StateIs("due")),
        ("is:learn is:review", And((StateIs("learn"), StateIs("review")))),
        ("is:suspended or is:buried or is:leech",
         Or((StateIs("suspended"), StateIs("buried"), StateIs("leech")))),
        ("prop:ivl>30", Prop("ivl", ">", Decimal(30))),
        ("prop:ivl<=5", Prop("ivl", "<=", Decimal(5))),
        ("prop:ease<2", Prop("ease", "<", Decimal(2))),
        ("prop:ease>=2.35", Prop("ease", ">=", Decimal("2.35"))),
        ("prop:due<=3", Prop("due", "<=", Decimal(3))),
        ("prop:due=-1", Prop("due", "=", Decimal(-1))),
        ("prop:lapses>2", Prop("lapses", ">", Decimal(2))),
        ("prop:lapses!=0", Prop("lapses", "!=", Decimal(0))),
        ("prop:reps=0", Prop("reps", "=", Decimal(0))),
    ],
)
def test_parse(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prop:ivl>>3", "“>3” is not a number"),
        ("prop:ivl", "needs a comparison"),
        ("prop:ivl>", "is not a number"),
        ("prop:ivl>1.5", "ivl takes a whole number"),
        ("prop:ease<two", "is not a number"),
        ("prop:ease<nan", "is not a number"),
        ("prop:size>3", "unknown “prop:size”"),
        ("prop:ivl>1e12", "too large"),
        ("is:fresh", "unknown “is:fresh”"),
        ("deck:", "needs a value"),
        ('deck:""', "needs a name"),
        ("tag:", "needs a value"),
        ('card:""', "needs a kind"),
        ("colour:red", "unknown field “colour:”"),
        (":x", "nothing before “:”"),
        ('"open', "never closed"),
        ("(a", "never closed"),
        ("a)", "unexpected “)”"),
        ("()", "nothing before “)”"),
        ("-", "nothing after “-”"),
        ("a - b", "nothing after “-”"),
        ("a or", "nothing after “or”"),
        ("or a", "nothing before “or”"),
        ("and a", "nothing before “and”"),
        ('""', "empty quotes"),
        ("(" * 60 + "a" + ")" * 60, "too many nested"),
    ],
)
def test_a_bad_search_is_one_line_naming_the_problem(text, message):
    with pytest.raises(SearchError) as caught:
        parse(text)
    assert message in caught.value.message
    assert "\n" not in caught.value.message


SYNTAX = st.sampled_from(
    ["a", "b", " ", "  ", "-", '"', "(", ")", ":", "*", "or", "and", "deck:", "tag:", "card:", "is:", "prop:", "ivl",
     "ease", "due", "<", ">", "=", "!", "<=", "3", "-1", ".5", "new", "none", "\\", "é", "\t", "%", "_"]
)


@given(st.text())
def test_arbitrary_text_raises_nothing_but_search_error(text):
    try:
        parse(text)
    except SearchError:
        pass


@given(st.lists(SYNTAX, max_size=25).map("".join))
def test_syntax_soup_raises_nothing_but_search_error(text):
    try:
        parse(text)
    except SearchError:
        pass


# --- the store: each operator's rows, on a real SQLite file with hand-built schedules ------------------

def _decks() -> list[Deck]:
    nn = Deck(name="Neural Nets", description="", terms=[
        dict(term="neuron", definition="A unit that sums weighted inputs.", related=["weight"], tags=["basics"]),
        dict(term="weight", definition="A learned number.", related=["neuron"], tags=["basics", "params::learned"]),
        dict(term="bias", definition="A learned constant 100% of the time_.", tags=["params"]),
        dict(term="dropout", definition="Zeroes random units while training.", explanation="Fights overfitting."),
    ])
    stats = Deck(name="Stats Basics", description="", terms=[
        dict(term="mean", definition="The average of the values.", tags=["stats"]),
        dict(term="variance", definition="The mean squared distance from the mean.", tags=["stats", "Spread"]),
    ])
    child = Deck(name="Stats Basics::Tests", description="", terms=[
        dict(term="t-test", definition="Compares two means.", tags=[]),
    ])
    return [nn, stats, child]


SCHEDULES = {
    # (term, kind): repetitions, easiness_centi, interval, due (days from TODAY), lapses, suspended, leech, buried (days)
    ("neuron", "recall"): (3, 260, 40, 10, 0, 0, 0, None),
    ("neuron", "reverse"): (1, 250, 1, 0, 0, 0, 0, None),  # due today
    ("weight", "recall"): (0, 170, 1, -2, 3, 0, 1, None),  # learning, overdue, a leech with 3 lapses
    ("weight", "reverse"): (2, 190, 6, 3, 1, 1, 0, None),  # suspended
    ("bias", "recall"): (4, 300, 31, -1, 0, 0, 0, 1),  # overdue but buried until tomorrow
    ("bias", "reverse"): (0, 250, 0, None, 0, 0, 0, 1),  # new, buried
    ("mean", "recall"): (2, 200, 5, 5, 2, 0, 0, 0),  # buried_until today: no longer buried
    ("variance", "recall"): (5, 230, 30, 30, 0, 0, 0, None),
}


@pytest.fixture(scope="module")
def browse_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "search.db"
    store = Store.open(path)
    for deck in _decks():
        store.apply_deck(deck)
    with store.transaction():
        for (term, kind), (reps, ease, ivl, due, lapses, susp, leech, buried) in SCHEDULES.items():
            day = lambda n: None if n is None else (TODAY + timedelta(days=n)).isoformat()  # noqa: E731
            n = store.db.execute(
                "UPDATE cards SET repetitions = ?, easiness_centi = ?, interval = ?, due = ?, lapses = ?, "
                "suspended = ?, leech = ?, buried_until = ? WHERE kind = ? AND term_id = "
                "(SELECT id FROM terms WHERE term = ?)",
                [reps, ease, ivl, day(due), lapses, susp, leech, day(buried), kind, term],
            ).rowcount
            assert n == 1, (term, kind)
    store.close()
    return path


@pytest.fixture
def bstore(browse_db):
    store = Store.open(browse_db)
    yield store
    store.close()


def names(store: Store, search: str) -> set[tuple[str, str]]:
    rows = store.browse_page(TODAY, search, limit=1000)
    assert store.browse_count(TODAY, search) == len(rows)
    return {(r.term, r.kind) for r in rows}


def cards_where(path, sql: str, params=()) -> set[tuple[str, str]]:
    """The oracle: the same question asked of the file in plain SQL."""
    con = sqlite3.connect(path)
    try:
        return set(con.execute(
            "SELECT t.term, c.kind FROM cards c JOIN terms t ON t.id = c.term_id JOIN decks d ON d.id = t.deck_id "
            f"WHERE {sql}", params))
    finally:
        con.close()


ALL = "1"
T = TODAY.isoformat()


@pytest.mark.parametrize(
    ("search", "sql"),
    [
        ("", ALL),
        ("neuron", "t.term LIKE '%neuron%' OR t.definition LIKE '%neuron%'"),
        ("NEURON", "t.term LIKE '%neuron%' OR t.definition LIKE '%neuron%'"),
        ("overfitting", "t.term = 'dropout'"),  # the explanation counts
        ('"weighted inputs"', "t.term = 'neuron'"),
        ("100%", "t.term = 'bias'"),  # % and _ are literal
        ("time_", "t.term = 'bias'"),
        ("me*n", "t.term IN ('mean', 'variance', 't-test')"),  # * is a wildcard ("means", "mean squared")
        ("learned number", "t.term = 'weight'"),
        ("deck:neural*", "d.name = 'Neural Nets'"),
        ('deck:"neural nets"', "d.name = 'Neural Nets'"),
        ("deck:neural", "0"),  # the whole name, unless a wildcard says otherwise
        ('deck:"Stats Basics"', "d.name LIKE 'Stats Basics%'"),  # and its sub-decks (Anki's ::)
        ('deck:"Stats Basics::Tests"', "d.name = 'Stats Basics::Tests'"),
        ("-deck:neural*", "d.name != 'Neural Nets'"),
        ("tag:basics", "t.term IN ('neuron', 'weight')"),
        ("tag:BASICS", "t.term IN ('neuron', 'weight')"),
        ("tag:params", "t.term IN ('weight', 'bias')"),  # params::learned is below params
        ("tag:params::learned", "t.term = 'weight'"),
        ("tag:spread", "t.term = 'variance'"),
        ("tag:sta*", "t.term IN ('mean', 'variance')"),
        ("tag:none", "t.term IN ('dropout', 't-test')"),
        ("-tag:basics", "t.term NOT IN ('neuron', 'weight')"),
        ("is:new", "c.due IS NULL"),
        ("is:learn", "c.due IS NOT NULL AND c.repetitions = 0"),
        ("is:review", "c.due IS NOT NULL AND c.repetitions > 0"),
        ("is:due", f"c.due <= '{T}' AND c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= '{T}')"),
        ("is:suspended", "c.suspended = 1"),
        ("is:buried", f"c.buried_until > '{T}'"),
        ("-is:buried", f"c.buried_until IS NULL OR c.buried_until <= '{T}'"),
        ("is:leech", "c.leech = 1"),
        ("prop:ivl>30", "c.due IS NOT NULL AND c.interval > 30"),
        ("prop:ivl>=30", "c.due IS NOT NULL AND c.interval >= 30"),
        ("prop:ivl<=5", "c.due IS NOT NULL AND c.interval <= 5"),
        ("prop:ivl=1", "c.due IS NOT NULL AND c.interval = 1"),
        ("prop:ivl!=1", "c.due IS NOT NULL AND c.interval != 1"),
        ("-prop:ivl<=5", "NOT (c.due IS NOT NULL AND c.interval <= 5)"),
        ("prop:ease<2", "c.due IS NOT NULL AND c.easiness_centi < 200"),
        ("prop:ease>=2.3", "c.due IS NOT NULL AND c.easiness_centi >= 230"),
        ("prop:ease=1.9", "c.due IS NOT NULL AND c.easiness_centi = 190"),
        ("prop:due<=3", f"c.due <= '{(TODAY + timedelta(days=3)).isoformat()}'"),
        ("prop:due=0", f"c.due = '{T}'"),
        ("prop:due<0", f"c.due < '{T}'"),
        ("prop:due>=10", f"c.due >= '{(TODAY + timedelta(days=10)).isoformat()}'"),
        ("prop:due>99999999", "0"),  # past the last date: nothing, no overflow
        ("prop:lapses>2", "c.lapses > 2"),
        ("prop:lapses>=1", "c.lapses >= 1"),
        ("prop:reps=0", "c.repetitions = 0"),
        ("is:due or is:suspended", f"(c.due <= '{T}' AND c.suspended = 0 AND (c.buried_until IS NULL "
                                   f"OR c.buried_until <= '{T}')) OR c.suspended = 1"),
        ("tag:basics -is:new", "t.term IN ('neuron', 'weight') AND c.due IS NOT NULL"),
        ("deck:neural* (is:leech or prop:ivl>30) card:recall", "t.term IN ('weight', 'neuron', 'bias') AND c.kind = 'recall'"),
        ("recall", "0"),  # plain words are the term's text, not the card's kind
        ("card:rev*", "c.kind = 'reverse'"),
        ("-card:recall", "c.kind != 'recall'"),
        ("-(tag:basics or tag:stats)", "t.term IN ('bias', 'dropout', 't-test')"),
    ],
)
def test_each_operator_finds_exactly_its_cards(bstore, browse_db, search, sql):
    expected = cards_where(browse_db, sql)
    assert names(bstore, search) == expected
    if search:  # a negation takes exactly the rest, never losing a card to a NULL
        everything = cards_where(browse_db, ALL)
        assert names(bstore, f"-({search})") == everything - expected


def test_the_state_column_shows_buried_cards(bstore):
    rows = {(r.term, r.kind): r for r in bstore.browse_page(TODAY, "", limit=1000)}
    assert rows[("bias", "recall")].state == "buried"
    assert rows[("bias", "recall")].buried_until == TODAY + timedelta(days=1)
    assert rows[("bias", "reverse")].state == "buried"
    assert rows[("mean", "recall")].state == "scheduled"  # buried until today: back already
    assert rows[("weight", "recall")].state == "leech"
    assert rows[("weight", "reverse")].state == "suspended"
    assert rows[("neuron", "reverse")].state == "due"
    assert rows[("neuron", "recall")].deck == "Neural Nets"


SORTS = {
    "term": lambda r: (r.term.casefold(),),
    "deck": lambda r: (r.deck.casefold(),),
    "due": lambda r: (r.due is None, r.due or date.max),
    "interval": lambda r: (r.interval,),
    "easiness": lambda r: (r.easiness,),
    "lapses": lambda r: (r.lapses,),
    "card": lambda r: ({"recall": 0, "reverse": 1, "related": 2}[r.kind],),
}


@pytest.mark.parametrize("sort", sorted(SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_in_every_sort_tile_the_result_and_the_far_half_matches(bstore, sort, descending):
    total = bstore.browse_count(TODAY, "")
    whole = bstore.browse_page(TODAY, "", sort=sort, descending=descending, limit=1000)
    keys = [SORTS[sort](r) for r in whole]
    assert keys == sorted(keys, reverse=descending)
    for size in (1, 3, 7):
        # pages read from the front, and pages read from the back (total given), are the same rows
        paged = [r for off in range(0, total, size)
                 for r in bstore.browse_page(TODAY, "", sort=sort, descending=descending, offset=off, limit=size,
                                             total=total)]
        assert [r.card_id for r in paged] == [r.card_id for r in whole]
    for i in (0, 5, total - 1):
        assert bstore.browse_rank(TODAY, "", whole[i].card_id, sort=sort, descending=descending) == i


def test_rank_of_a_card_outside_the_search_is_none(bstore):
    neuron = next(r for r in bstore.browse_page(TODAY, "neuron", limit=10) if r.kind == "recall")
    assert bstore.browse_rank(TODAY, "deck:stats*", neuron.card_id) is None
    assert bstore.browse_rank(TODAY, "tag:basics", neuron.card_id) is not None


def test_the_old_browse_call_still_reads_text_as_a_search(bstore):
    assert {(r.term, r.kind) for r in bstore.browse(TODAY, "is:leech")} == {("weight", "recall")}


def test_a_huge_search_is_a_search_error_not_a_crash(bstore):
    with pytest.raises(SearchError):
        bstore.browse_count(TODAY, " ".join(["x"] * 1200))  # beyond SQLite's expression depth


def test_bulk_actions_change_only_the_given_cards_in_one_transaction(tmp_path):
    path = tmp_path / "bulk.db"
    store = Store.open(path)
    try:
        for deck in _decks():
            store.apply_deck(deck)
        ids = {(r.term, r.kind): r.card_id for r in store.browse_page(TODAY, "", limit=1000)}
        two = [ids[("neuron", "recall")], ids[("mean", "recall")]]
        assert store.toggle_suspended(two) == (True, 2)
        assert names(store, "is:suspended") == {("neuron", "recall"), ("mean", "recall")}
        assert store.toggle_suspended([*two, ids[("bias", "recall")]]) == (True, 1)  # not all suspended: suspend
        assert store.toggle_suspended(two + [ids[("bias", "recall")]]) == (False, 3)  # all were: unsuspend
        assert names(store, "is:suspended") == set()

        assert store.toggle_buried(two, TODAY) == (True, 2)
        assert names(store, "is:buried") == {("neuron", "recall"), ("mean", "recall")}
        assert store.toggle_buried(two, TODAY) == (False, 2)  # all buried: unbury
        assert names(store, "is:buried") == set()

        assert store.add_tag(two + [ids[("neuron", "reverse")]], "week::3", TODAY_NOW) == 2  # two terms
        assert names(store, "tag:week::3") == cards_where(path, "t.term IN ('neuron', 'mean')")
        assert store.add_tag(two, "WEEK::3", TODAY_NOW) == 0  # kept once, any case
        with pytest.raises(StoreError, match="one word"):
            store.add_tag(two, "two words", TODAY_NOW)
        assert store.terms_of_cards(two + [ids[("neuron", "reverse")]]) == sorted(
            {store.browse_rows(TODAY, [i])[0].term_id for i in two})
    finally:
        store.close()

    # another connection sees it all committed
    assert cards_where(path, "t.tags LIKE '%week::3%'") == {
        (t, k) for (t, k) in cards_where(path, "t.term IN ('neuron', 'mean')")
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(SYNTAX, max_size=20).map("".join))
def test_any_search_that_parses_runs_on_the_store(bstore, text):
    try:
        node = parse(text)
    except SearchError:
        return
    total = bstore.browse_count(TODAY, node)
    assert len(bstore.browse_page(TODAY, node, limit=1000)) == total
    assert bstore.browse_count(TODAY, Not(node)) == bstore.browse_count(TODAY, "") - total
