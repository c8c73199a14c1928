"""The deck model (issue 2, section 2): validation that names the item and the field, text hygiene."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from mlcards.models import Deck, Term, describe_validation_error
from mlcards.text import clean_text, one_line, term_key


def deck_data(*terms, name="D", **extra):
    return {"name": name, "description": "", "terms": list(terms), **extra}


def refuse(data) -> str:
    """Validate ``data`` as a Deck, expect a refusal, and return the one-line message."""
    with pytest.raises(ValidationError) as info:
        Deck.model_validate(data)
    message, _item = describe_validation_error(info.value, data)
    assert "\n" not in message
    return message


OK = {"term": "alpha", "definition": "First."}


def test_minimal_deck():
    d = Deck.model_validate(deck_data(OK))
    t = d.terms[0]
    assert (t.term, t.definition, t.explanation, t.example, t.related, t.tags) == ("alpha", "First.", None, None, [], [])
    assert d.description == ""


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", "\x00\x07"])
def test_empty_definition_refused_naming_item_and_field(bad):
    msg = refuse(deck_data(OK, {"term": "beta", "definition": bad}))
    assert msg.startswith("terms[1] ('beta'): definition:")
    assert "empty" in msg


@pytest.mark.parametrize("bad", ["", "  ", "\u202e"])
def test_empty_term_refused(bad):
    msg = refuse(deck_data(OK, {"term": bad, "definition": "x"}))
    assert msg.startswith("terms[1]")
    assert "term:" in msg and "empty" in msg


@pytest.mark.parametrize("dup", ["alpha", "ALPHA", " Alpha ", "alpha\u00a0", "ALPHA"])
def test_duplicate_terms_case_and_whitespace_insensitive(dup):
    msg = refuse(deck_data(OK, {"term": "other", "definition": "x"}, {"term": dup, "definition": "y"}))
    assert msg.startswith("terms[2]")
    assert "term: duplicate of terms[0] ('alpha')" in msg


def test_duplicate_with_inner_whitespace():
    msg = refuse(deck_data({"term": "learning rate", "definition": "a"}, {"term": "Learning   Rate", "definition": "b"}))
    assert "terms[1]" in msg and "duplicate of terms[0]" in msg


@pytest.mark.parametrize(
    "term, field",
    [
        ({"term": 5, "definition": "x"}, "term"),
        ({"term": "b", "definition": 3.5}, "definition"),
        ({"term": "b", "definition": "x", "related": "alpha"}, "related"),
        ({"term": "b", "definition": "x", "related": [1]}, "related"),
        ({"term": "b", "definition": "x", "tags": "greek"}, "tags"),
        ({"term": "b", "definition": "x", "explanation": ["x"]}, "explanation"),
        ({"term": "b", "definition": "x", "example": {"a": 1}}, "example"),
        ({"term": ["b"], "definition": "x"}, "term"),
    ],
)
def test_wrong_types_refused_naming_item_and_field(term, field):
    msg = refuse(deck_data(OK, term))
    assert msg.startswith("terms[1]")
    assert f": {field}" in msg


def test_missing_required_fields():
    assert refuse(deck_data(OK, {"definition": "x"})) == "terms[1]: term: is required"
    assert refuse(deck_data({"term": "x"})) == "terms[0] ('x'): definition: is required"
    assert refuse({"terms": []}) == "name: is required"


def test_unknown_fields_refused():
    msg = refuse(deck_data({**OK, "colour": "red"}))
    assert msg.startswith("terms[0] ('alpha'): colour:")
    assert "not a deck field" in msg
    msg = refuse(deck_data(OK, author="me"))
    assert msg.startswith("author:") and "name, description, terms" in msg


def test_deck_level_type_errors():
    assert refuse({"name": "", "terms": []}).startswith("name:")
    assert refuse({"name": 3, "terms": []}).startswith("name:")
    assert refuse({"name": "D", "terms": {"term": "a"}}).startswith("terms:")
    assert refuse({"name": "D", "terms": ["alpha"]}).startswith("terms[0]")


def test_numbers_are_not_coerced_to_text():
    # strict: a YAML/TOML number where text belongs is a mistake, not a term named "1"
    with pytest.raises(ValidationError):
        Term.model_validate({"term": 1, "definition": "one"})


def test_control_characters_stripped():
    t = Term(
        term="lo\x1b[31mss\x07",
        definition="A \x1b]0;pwned\x07number\x00 to\u202e minimise.",
        explanation="Line one.\r\nLine two.\x7f",
        example="\x9b2J x",
    )
    for text in (t.term, t.definition, t.explanation, t.example):
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text)
        assert "\x7f" not in text and "\x9b" not in text and "\u202e" not in text
    assert t.term == "lo[31mss"
    assert t.explanation == "Line one.\nLine two."


def test_whitespace_normalised():
    t = Term(term="  learning \n  rate ", definition="  x  ", related=["  batch   size "], tags=["deep learning", "nn"])
    assert t.term == "learning rate"
    assert t.definition == "x"
    assert t.related == ["batch size"]
    assert t.tags == ["deep_learning", "nn"]


def test_empty_optional_text_becomes_none():
    t = Term(term="a", definition="b", explanation="   ", example="\x00")
    assert t.explanation is None and t.example is None


def test_self_links_and_duplicate_links_dropped():
    t = Term(term="Alpha", definition="x", related=["alpha", "beta", " BETA ", "ALPHA", "gamma", ""])
    assert t.related == ["beta", "gamma"]


def test_duplicate_tags_dropped():
    assert Term(term="a", definition="b", tags=["x", "x", "y"]).tags == ["x", "y"]


def test_models_are_frozen():
    d = Deck.model_validate(deck_data(OK))
    with pytest.raises(ValidationError):
        d.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        d.terms[0].term = "x"  # type: ignore[misc]


def test_field_length_limits():
    assert "term" in refuse(deck_data({"term": "x" * 501, "definition": "d"}))
    assert "definition" in refuse(deck_data({"term": "x", "definition": "d" * 20_001}))


def test_graph_is_undirected_and_ignores_dangling_links():
    d = Deck.model_validate(
        deck_data(
            {"term": "a", "definition": "x", "related": ["B", "nowhere"]},
            {"term": "b", "definition": "x"},
            {"term": "c", "definition": "x", "related": ["a"]},
            {"term": "d", "definition": "x"},
        )
    )
    g = d.graph()
    assert g == {"a": {"b", "c"}, "b": {"a"}, "c": {"a"}, "d": set()}


def test_term_key():
    assert term_key("  Learning\tRATE ") == "learning rate"
    assert term_key("Straße") == term_key("STRASSE")
    assert term_key("e\u0301") == term_key("\u00e9")  # NFC
    assert Term(term="Batch  Size", definition="x").key == "batch size"


def test_clean_text_and_one_line():
    assert clean_text("\r\na\x1b\r\nb\t\n") == "a\nb"
    assert one_line(" a \n\n b\tc ") == "a b c"


def test_json_schema_has_the_fields():
    schema = Deck.model_json_schema()
    json.dumps(schema)  # serialisable
    assert set(schema["properties"]) == {"name", "description", "terms"}
    assert "name" in schema["required"]
    term = schema["$defs"]["Term"]
    assert set(term["properties"]) == {
        "term", "aliases", "definition", "explanation", "example", "related",
        "is_a", "part_of", "contrasts_with", "same_as", "used_for", "tags", "cloze",
    }
    for field in ("aliases", "is_a", "part_of", "contrasts_with", "same_as", "used_for"):
        assert term["properties"][field]["type"] == "array"
        assert term["properties"][field]["items"]["type"] == "string"
        assert term["properties"][field].get("description")
    assert set(term["required"]) == {"term", "definition"}
    assert term["additionalProperties"] is False
    assert term["properties"]["related"]["type"] == "array"
    assert term["properties"]["related"]["items"]["type"] == "string"
    assert term["properties"]["term"]["type"] == "string"
    assert term["properties"]["definition"].get("description")


def test_json_schema_validates_real_deck_data():
    import jsonschema

    schema = Deck.model_json_schema()
    jsonschema.validate(deck_data(OK, {"term": "b", "definition": "y", "related": ["alpha"]}), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(deck_data({"term": "b"}), schema)
