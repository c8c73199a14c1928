"""Aliases and typed relations (issue 10 section 1): the model, deck files, the store, Anki exports."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlcards.errors import DeckError, StoreError
from mlcards.exporters import ankitext, apkg
from mlcards.exporters import deckfile as writer
from mlcards.importers import deckfile
from mlcards.models import Deck, Term
from mlcards.records import RELATION_KINDS
from mlcards.store import MIGRATION_NAMES, Store
from mlcards.store.schema import migrations


def rich_deck(name: str = "Rich") -> Deck:
    return Deck(
        name=name,
        terms=[
            dict(term="stochastic gradient descent", aliases=["SGD"], definition="Steps on one example at a time.",
                 is_a=["optimizer"], contrasts_with=["batch gradient descent"], related=["learning rate"]),
            dict(term="optimizer", definition="The update rule.", used_for=["training"]),
            dict(term="batch gradient descent", aliases=["full-batch gradient descent"],
                 definition="Steps on the whole set."),
            dict(term="learning rate", aliases=["step size", "lr"], definition="How far each step goes."),
            dict(term="training", definition="Fitting the parameters.", same_as=["fitting"]),
            dict(term="fitting", definition="Another word for it.", part_of=["training"]),
        ],
    )


# --- the model ----------------------------------------------------------------------------------------


def test_term_cleans_aliases_and_typed_relations():
    t = Term(
        term="stochastic gradient descent",
        aliases=[" SGD ", "sgd", "\u200b", "S.G.D."],
        definition="x",
        is_a=["optimizer", "Optimizer ", "Stochastic  Gradient Descent"],
        part_of=["training\nloop"],
        contrasts_with=["batch gradient descent"],
    )
    assert t.aliases == ["SGD", "S.G.D."]  # cleaned, duplicates and invisible-only names dropped
    assert t.is_a == ["optimizer"]  # no duplicate, no self-link
    assert t.part_of == ["training loop"]
    assert t.same_as == [] and t.used_for == []
    assert t.relations == {"is_a": ["optimizer"], "part_of": ["training loop"], "contrasts_with": ["batch gradient descent"]}
    assert t.links() == ["optimizer", "training loop", "batch gradient descent"]


def test_an_alias_that_is_the_term_itself_is_refused():
    with pytest.raises(ValidationError, match="alias 'lstm' is the term itself"):
        Term(term="LSTM", aliases=["lstm"], definition="x")


@pytest.mark.parametrize(
    "second, message",
    [
        (dict(term="SGD", definition="y"), "terms[0] ('stochastic gradient descent'): aliases: alias 'SGD' is already the term 'SGD'"),
        (dict(term="other", aliases=["sgd"], definition="y"),
         "terms[1] ('other'): aliases: alias 'sgd' is already an alias of 'stochastic gradient descent'"),
    ],
)
def test_deck_refuses_an_alias_naming_another_term(second, message):
    first = dict(term="stochastic gradient descent", aliases=["SGD"], definition="x")
    with pytest.raises(ValidationError) as e:
        Deck(name="d", terms=[first, second])
    assert message in str(e.value)


def test_graph_is_the_union_of_related_and_typed_links():
    graph = rich_deck().graph()
    assert graph["stochastic gradient descent"] == {"optimizer", "batch gradient descent", "learning rate"}
    assert graph["optimizer"] == {"stochastic gradient descent", "training"}
    assert graph["fitting"] == {"training"}


def test_schema_lists_the_new_fields():
    props = Deck.model_json_schema()["$defs"]["Term"]["properties"]
    for field in ("aliases", *RELATION_KINDS):
        assert props[field]["type"] == "array" and props[field]["items"]["type"] == "string"


# --- deck files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".toml", ".yaml"])
def test_deck_files_read_and_write_aliases_and_relations(tmp_path, suffix):
    deck = rich_deck()
    p = tmp_path / ("rich" + suffix)
    writer.write(deck, p)
    first = p.read_bytes()
    assert deckfile.read_deck(p) == deck
    writer.write(deckfile.read_deck(p), p)
    assert p.read_bytes() == first
    data = writer.to_data(deck)["terms"]
    assert data[0]["aliases"] == ["SGD"] and data[0]["is_a"] == ["optimizer"]
    assert "aliases" not in data[1] and "is_a" not in data[1] and "same_as" not in data[0]  # empty lists omitted
    assert data[1]["related"] == [] and "tags" in data[1]  # the old fields are written as before


def test_deck_file_alias_clash_names_the_line(tmp_path):
    p = tmp_path / "clash.toml"
    p.write_text(
        'name = "d"\n\n[[terms]]\nterm = "SGD"\ndefinition = "x"\n\n'
        '[[terms]]\nterm = "stochastic gradient descent"\naliases = ["SGD"]\ndefinition = "y"\n'
    )
    with pytest.raises(DeckError) as e:
        deckfile.read_deck(p)
    assert e.value.line == 8
    assert "alias 'SGD' is already the term 'SGD'" in e.value.message


def test_unknown_field_message_lists_the_new_fields(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"name": "d", "terms": [{"term": "a", "definition": "b", "synonyms": ["c"]}]}))
    with pytest.raises(DeckError, match="aliases.*is_a, part_of, contrasts_with, same_as, used_for"):
        deckfile.read_deck(p)


# --- the store -----------------------------------------------------------------------------------------


def ids(store: Store) -> dict[str, int]:
    return {r[1]: r[0] for r in store.db.execute("SELECT id, term FROM terms")}


def test_migration_0004_is_known_and_adds_the_columns():
    assert "0004_aliases_relations" in MIGRATION_NAMES
    store = Store.memory()
    cols = {c.name: c for c in store.db["terms"].columns}
    assert cols["aliases"].default_value == "'[]'" and cols["relations"].default_value == "'{}'"


def test_migration_0004_upgrades_an_0003_database(tmp_path):
    store = Store.memory()
    store.apply_deck(Deck(name="Old", terms=[dict(term="a", definition="x", related=["b"]), dict(term="b", definition="y")]))
    for (name,) in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        store.db.execute(f"DROP TRIGGER {name}")  # sync's triggers (0009) name the columns an 0003 database lacks
    store.db.execute("ALTER TABLE terms DROP COLUMN aliases")
    store.db.execute("ALTER TABLE terms DROP COLUMN relations")
    store.db.execute(f"DELETE FROM {migrations.migrations_table} WHERE name = '0004_aliases_relations'")
    store.migrate()
    deck = store.export_deck("Old")
    assert deck.terms[0].aliases == [] and deck.terms[0].relations == {}
    assert deck.terms[0].related == ["b"]


def test_store_keeps_aliases_relations_and_links_their_union():
    store = Store.memory()
    store.apply_deck(rich_deck())
    assert store.export_deck("Rich") == rich_deck()
    i = ids(store)
    deck_id = store.deck_id("Rich")
    _, adj = store.deck_graph(deck_id)
    sgd = i["stochastic gradient descent"]
    assert adj[sgd] == {i["optimizer"], i["batch gradient descent"], i["learning rate"]}
    assert adj[i["optimizer"]] == {sgd, i["training"]}  # undirected
    assert adj[i["fitting"]] == {i["training"]}
    # every term with a link has a related-concept card
    assert store.related_card(i["fitting"]) is not None and store.related_card(i["batch gradient descent"]) is not None
    edges = set(store.term_relations(deck_id))
    assert edges == {
        (sgd, i["learning rate"], "related"),
        (sgd, i["optimizer"], "is_a"),
        (sgd, i["batch gradient descent"], "contrasts_with"),
        (i["optimizer"], i["training"], "used_for"),
        (i["training"], i["fitting"], "same_as"),
        (i["fitting"], i["training"], "part_of"),
    }
    card = store.cards_of_term(sgd)[0]
    assert card.aliases == ("SGD",)
    assert card.relations == (("is_a", ("optimizer",)), ("contrasts_with", ("batch gradient descent",)))
    model = store.term_model(sgd)
    assert model.aliases == ["SGD"] and model.is_a == ["optimizer"]
    assert store.answer_names(deck_id)[3] == (i["learning rate"], "learning rate", ("step size", "lr"))


def test_reimport_is_unchanged_and_enrich_merges_aliases_and_relations():
    store = Store.memory()
    store.apply_deck(rich_deck())
    again = store.apply_deck(rich_deck())
    assert again.updated == [] and len(again.unchanged) == 6
    more = Deck(name="Rich", terms=[dict(term="stochastic gradient descent", aliases=["online gradient descent", "sgd"],
                                         definition="Steps on one example at a time.", is_a=["gradient descent"])])
    report = store.apply_deck(more, mode="enrich")
    assert report.updated == ["stochastic gradient descent"]
    t = store.export_deck("Rich").terms[0]
    assert t.aliases == ["SGD", "online gradient descent"]
    assert t.is_a == ["optimizer", "gradient descent"] and t.contrasts_with == ["batch gradient descent"]
    # replace mode makes the term match the file again
    store.apply_deck(rich_deck())
    assert store.export_deck("Rich") == rich_deck()


def test_an_alias_naming_a_kept_term_is_refused():
    store = Store.memory()
    store.apply_deck(Deck(name="D", terms=[dict(term="SGD", definition="old entry")]))
    with pytest.raises(StoreError, match="term 'stochastic gradient descent': alias 'SGD' is already the term 'SGD'"):
        store.apply_deck(Deck(name="D", terms=[dict(term="stochastic gradient descent", aliases=["SGD"], definition="x")]))
    assert store.export_deck("D").terms[0].term == "SGD"  # nothing written


def test_rename_updates_typed_relations_and_refuses_alias_clashes():
    store = Store.memory()
    store.apply_deck(rich_deck())
    i = ids(store)
    old = store.term_model(i["optimizer"])
    store.update_term(i["optimizer"], old.model_copy(update={"term": "optimization algorithm"}))
    sgd = store.term_model(i["stochastic gradient descent"])
    assert sgd.is_a == ["optimization algorithm"] and sgd.aliases == ["SGD"]
    assert (i["stochastic gradient descent"], i["optimizer"], "is_a") in store.term_relations(store.deck_id("Rich"))
    store.update_term(i["fitting"], store.term_model(i["fitting"]).model_copy(update={"term": "model fitting"}))
    assert store.term_model(i["training"]).same_as == ["model fitting"]
    lr = store.term_model(i["learning rate"])
    with pytest.raises(StoreError, match="alias 'SGD' is already an alias of 'stochastic gradient descent'"):
        store.update_term(i["learning rate"], Term(**{**lr.model_dump(), "aliases": ["SGD"]}))


# --- Anki exports -------------------------------------------------------------------------------------


def test_anki_text_gets_an_aliases_column_only_when_needed():
    text = ankitext.dumps(rich_deck(), ".tsv")
    head = [line for line in text.splitlines() if line.startswith("#columns:")][0]
    assert head.endswith("\tDeck\tAliases")
    rows = [line for line in text.splitlines() if not line.startswith("#")]
    assert rows[0].split("\t")[-1] == "SGD" and rows[3].split("\t")[-1] == "step size, lr"
    plain = Deck(name="Plain", terms=[dict(term="a", definition="b")])
    assert "Aliases" not in ankitext.dumps(plain, ".tsv")


def test_anki_text_round_trip_keeps_aliases(tmp_path):
    from mlcards import importers

    p = tmp_path / "rich.tsv"
    ankitext.write(rich_deck(), p)
    (deck,) = importers.load(p).decks
    assert [t.aliases for t in deck.terms] == [t.aliases for t in rich_deck().terms]
    assert [t.definition for t in deck.terms] == [t.definition for t in rich_deck().terms]


def test_apkg_shows_aliases_on_the_back_and_keeps_guids(tmp_path: Path):
    deck = rich_deck()
    p = tmp_path / "rich.apkg"
    apkg.write(deck, p)
    plain = deck.model_copy(update={"terms": [t.model_copy(update={"aliases": []}) for t in deck.terms]})
    assert [apkg.note_guid(deck.name, t) for t in deck.terms] == [apkg.note_guid(plain.name, t) for t in plain.terms]
    with zipfile.ZipFile(p) as zf:
        (tmp_path / "c.anki2").write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "c.anki2")
    model = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])[str(apkg.MODEL_ID)]
    assert [f["name"] for f in model["flds"]][-1] == "Aliases"
    for tmpl in model["tmpls"]:
        assert "Aliases" not in tmpl["qfmt"] and "Also:" in tmpl["afmt"]
    fields = [r[0].split("\x1f") for r in conn.execute("SELECT flds FROM notes ORDER BY id")]
    assert fields[0][-1] == "SGD" and fields[1][-1] == ""
    guids = {r[0] for r in conn.execute("SELECT guid FROM notes")}
    assert guids == {apkg.note_guid(deck.name, t) for t in deck.terms}
    conn.close()
    from mlcards import importers

    (back,) = importers.load(p).decks
    assert [t.aliases for t in back.terms] == [t.aliases for t in deck.terms]
    assert [t.explanation for t in back.terms] == [t.explanation for t in deck.terms]
