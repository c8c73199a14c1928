"""Glossary pages (.txt): pure parser tests, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcards.errors import DeckError
from mlcards.importers import glossary
from mlcards.models import Deck
from tests.importers._support import FIXTURES


def one_deck(path: Path) -> Deck:
    """The one deck ``glossary.parse`` returns (in its 'enrich' mode)."""
    parsed = glossary.parse(path)
    assert len(parsed.decks) == 1 and parsed.mode == "enrich" and not parsed.history
    return parsed.decks[0]


def terms_by_key(deck: Deck) -> dict:
    return {t.key: t for t in deck.terms}


def write(tmp_path: Path, text: str, name: str = "page.txt", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


PAGE = """What is a confusion matrix?
A table that counts a classifier's predictions against the true labels.
confusion matrix explained in plain English
A table that counts a classifier's predictions against the true labels. Each row is a true class and each column a predicted one, so the diagonal holds the correct answers.
Example
For spam filtering: 90 spam caught, 10 spam missed, 5 good mails flagged, 895 good mails passed.
People also read
- false positive
A case the model labels positive although it is negative.
- accuracy
The share of all predictions that are correct.
"""


def test_fixture_file_with_bom_crlf_trailing_spaces_and_two_pages() -> None:
    deck = one_deck(FIXTURES / "ml-pages.txt")
    assert deck.name == "ml-pages"
    t = terms_by_key(deck)
    assert [x.term for x in deck.terms] == [
        "dropout", "overfitting", "ensemble", "Neuron", "embedding", "vector", "naïve Bayes",
    ]
    dropout = t["dropout"]
    assert dropout.definition == (
        "A regularization technique that randomly switches off a share of a layer's units during each training step."
    )
    # the explanation's leading repeat of the definition is gone, the trailing pointer too, the paragraph break kept
    assert dropout.explanation.startswith("Because no unit can count on its neighbours being present")
    assert "A regularization technique" not in dropout.explanation
    assert dropout.explanation.endswith("without relying on one star.")
    assert "See Regularization Notes" not in dropout.explanation
    assert "\n\nThink of a rowing crew" in dropout.explanation
    assert dropout.example == "With a dropout rate of 0.5, roughly half of the hidden activations are zeroed on every mini-batch."
    # related entries: their own short definition, linked back to the main term
    assert t["overfitting"].definition == "When a model memorizes its training examples so closely that it does poorly on new data."
    assert t["overfitting"].related == ["dropout"]
    assert t["overfitting"].explanation is None
    # dropout is listed under the embeddings page too: one term, linked both ways, definition kept
    assert dropout.related == ["overfitting", "ensemble", "Neuron", "embedding"]
    assert t["embedding"].related == ["vector", "naïve Bayes", "dropout"]
    # non-ASCII text survives
    assert "« café »" in t["embedding"].explanation and "≈" in t["embedding"].explanation
    assert all("\r" not in (x.explanation or "") + x.definition for x in deck.terms)


def test_plural_heading_made_singular_by_the_explained_line() -> None:
    deck = one_deck(FIXTURES / "ml-pages.txt")
    assert "embedding" in terms_by_key(deck)
    assert "embeddings" not in terms_by_key(deck)


def test_plural_heading_made_singular_by_the_page_text(tmp_path: Path) -> None:
    text = (
        "What are hyperparameters?\n"
        "Settings chosen before training rather than learned from data.\n"
        "hyperparameters explained in plain English\n"
        "A hyperparameter such as the batch size is picked by you, not by gradient descent.\n"
    )
    deck = one_deck(write(tmp_path, text))
    assert [t.term for t in deck.terms] == ["hyperparameter"]


def test_plural_heading_kept_without_support(tmp_path: Path) -> None:
    text = (
        "What are logits?\n"
        "Raw, unnormalized scores a classifier outputs before softmax.\n"
        "logits explained in plain English\n"
        "They can be any real numbers; softmax turns them into probabilities.\n"
    )
    deck = one_deck(write(tmp_path, text))
    assert [t.term for t in deck.terms] == ["logits"]


@pytest.mark.parametrize(
    ("heading", "explained", "term"),
    [
        ("What is an autoencoder?", "autoencoder", "autoencoder"),
        ("What is a confusion matrix?", "confusion matrix", "confusion matrix"),
        ("What is PyTorch?", "PyTorch", "PyTorch"),
        ("what is the vanishing gradient problem?", "vanishing gradient problem", "vanishing gradient problem"),
        ("What are batches?", "batch", "batch"),
        ("What are categories?", "category", "category"),
    ],
)
def test_heading_forms(tmp_path: Path, heading: str, explained: str, term: str) -> None:
    text = f"{heading}\nSome definition.\n{explained} explained in plain English\nMore words.\n"
    assert one_deck(write(tmp_path, text)).terms[0].term == term


def test_one_page_gives_main_and_related_terms(tmp_path: Path) -> None:
    deck = one_deck(write(tmp_path, PAGE, "metrics.txt"))
    assert deck.name == "metrics"
    t = terms_by_key(deck)
    assert set(t) == {"confusion matrix", "false positive", "accuracy"}
    main = t["confusion matrix"]
    assert main.explanation == "Each row is a true class and each column a predicted one, so the diagonal holds the correct answers."
    assert main.example.startswith("For spam filtering")
    assert main.related == ["false positive", "accuracy"]
    assert t["accuracy"].definition == "The share of all predictions that are correct."
    assert t["accuracy"].related == ["confusion matrix"]
    assert deck.graph()["confusion matrix"] == {"false positive", "accuracy"}


def test_page_for_a_term_met_earlier_as_related_enriches_it(tmp_path: Path) -> None:
    second = (
        "\n\nWhat is accuracy?\n"
        "The share of all predictions that are correct.\n"
        "Accuracy explained in plain English\n"
        "It is easy to read but misleading when one class is rare.\n"
        "Example\n"
        "A model that always says 'not fraud' scores 99.9% when 0.1% of cases are fraud.\n"
        "People also read\n"
        "- precision\n"
        "The share of predicted positives that are truly positive.\n"
    )
    deck = one_deck(write(tmp_path, PAGE + second))
    keys = [t.key for t in deck.terms]
    assert keys == ["confusion matrix", "false positive", "accuracy", "precision"]  # position of first mention
    acc = terms_by_key(deck)["accuracy"]
    assert acc.explanation == "It is easy to read but misleading when one class is rare."
    assert acc.example.startswith("A model that always says")
    assert acc.related == ["confusion matrix", "precision"]


def test_multi_line_definition_and_blank_lines_everywhere(tmp_path: Path) -> None:
    text = (
        "\n\n   \nWhat is gradient clipping?\n\n"
        "Capping gradients during backpropagation\n"
        "so that one huge step cannot wreck training.\n\n"
        "gradient clipping explained in plain English\n\n\n"
        "First paragraph.\n\n\n\nSecond paragraph.   \n\n"
        "Example\n\n"
        "Clip the global norm to 1.0.\n\n"
        "People also read\n\n"
        "- exploding gradient\n\n"
        "Gradients that grow so large that updates overflow.\n"
    )
    t = one_deck(write(tmp_path, text)).terms
    assert t[0].definition == "Capping gradients during backpropagation\nso that one huge step cannot wreck training."
    assert t[0].explanation == "First paragraph.\n\nSecond paragraph."
    assert t[0].example == "Clip the global norm to 1.0."
    assert t[1].term == "exploding gradient"


def test_old_mac_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, PAGE.replace("\n", "\r"))
    assert len(one_deck(path).terms) == 3


def test_explanation_that_only_repeats_the_definition_is_empty(tmp_path: Path) -> None:
    text = "What is a tensor?\nA multi-dimensional array.\ntensor explained in plain English\nA multi-dimensional   array.\n"
    assert one_deck(write(tmp_path, text)).terms[0].explanation is None


def test_pointer_only_dropped_at_the_end(tmp_path: Path) -> None:
    text = (
        "What is a kernel?\nA similarity function.\nkernel explained in plain English\n"
        "Pick one --- see the docs for more information. Then more text follows here.\n"
    )
    expl = one_deck(write(tmp_path, text)).terms[0].explanation
    assert expl == "Pick one --- see the docs for more information. Then more text follows here."


def test_no_page_is_an_error_on_line_1(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as e:
        one_deck(write(tmp_path, "just some notes\nwithout any heading\n"))
    assert e.value.line == 1
    assert "What is" in e.value.message


def test_missing_definition_names_the_line(tmp_path: Path) -> None:
    text = "What is a tensor?\ntensor explained in plain English\nAn array.\n"
    with pytest.raises(DeckError) as e:
        one_deck(write(tmp_path, text))
    assert e.value.line == 2
    assert "no definition" in e.value.message
    assert str(e.value).startswith(str(tmp_path / "page.txt") + ":2: ")


def test_related_term_without_definition_names_its_line(tmp_path: Path) -> None:
    text = PAGE.rstrip("\n") + "\n- recall\n"
    with pytest.raises(DeckError) as e:
        one_deck(write(tmp_path, text))
    assert e.value.line == text.count("\n")
    assert "'recall' has no definition" in e.value.message


def test_text_after_people_also_read_must_be_a_list(tmp_path: Path) -> None:
    text = "What is a tensor?\nAn array.\ntensor explained in plain English\nMore.\nPeople also read\nstray sentence\n"
    with pytest.raises(DeckError) as e:
        one_deck(write(tmp_path, text))
    assert e.value.line == 6


def test_too_long_term_is_an_error_with_line(tmp_path: Path) -> None:
    text = PAGE + "- " + "x" * 600 + "\nA definition.\n"
    with pytest.raises(DeckError) as e:
        one_deck(write(tmp_path, text))
    assert e.value.line == PAGE.count("\n") + 1


def test_sniff() -> None:
    assert glossary.sniff(PAGE)
    assert not glossary.sniff("What is a tensor?\nAn array.\n")  # no 'explained in plain English' line
    assert not glossary.sniff("front\tback\nWhat is X?\tY\n")
