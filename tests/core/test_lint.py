"""``mlcards lint``: each rule on a small crafted deck file, the CLI as a subprocess, the bundled deck."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlcards import bundled, lint

HEAD = 'name = "Lint"\n'


def entry(term: str, definition: str, **fields) -> str:
    lines = ["", "[[terms]]", f"term = {json.dumps(term)}", f"definition = {json.dumps(definition)}"]
    for key, value in fields.items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


# a connected, clean base: every rule test adds to it
BASE = [
    entry("alpha", "The first letter of the Greek list.", related=["beta"]),
    entry("beta", "The second letter of the Greek list, after the opening one.", related=["gamma"]),
    entry("gamma", "Third of the sequence, used for photons too.", is_a=["alpha"]),
]


def findings(tmp_path: Path, *extra: str, suffix: str = ".toml") -> list[lint.Finding]:
    p = tmp_path / ("deck" + suffix)
    p.write_text(HEAD + "".join(BASE) + "".join(extra), encoding="utf-8")
    return lint.lint_path(p)


def rules(found) -> list[tuple[str, str, str]]:
    return [(f.term, f.severity, f.rule) for f in found]


def test_a_clean_deck_has_no_findings(tmp_path):
    assert findings(tmp_path) == []


def test_dangling_links_in_related_and_typed_fields(tmp_path):
    found = findings(tmp_path, entry("delta", "Fourth one.", related=["alpha", "omega"], part_of=["greek alphabet"]))
    assert rules(found) == [("delta", "error", "dangling")] * 2
    assert found[0].line == 18 and "related names 'omega', which is not a term" in found[0].message
    assert "part_of names 'greek alphabet'" in found[1].message


def test_a_link_to_an_alias_says_which_term(tmp_path):
    found = findings(tmp_path, entry("delta", "Fourth one.", aliases=["D"], related=["alpha"]),
                     entry("epsilon", "Fifth one.", related=["d"]))
    assert rules(found) == [("epsilon", "error", "dangling"), ("epsilon", "error", "island")]
    assert "related names 'd', which is not a term of this deck (it is an alias of 'delta': link the term)" in found[0].message


def test_is_a_cycles_are_errors_one_way_symmetric_links_are_fine(tmp_path):
    found = findings(tmp_path, entry("delta", "Fourth one.", is_a=["epsilon"]),
                     entry("epsilon", "Fifth one.", is_a=["delta"], contrasts_with=["alpha"]))
    assert rules(found) == [("delta", "error", "cycle")]
    assert "is_a links go round in a circle: delta -> epsilon -> delta" in found[0].message


def test_the_same_pair_under_two_kinds_is_a_warning(tmp_path):
    found = findings(tmp_path, entry("delta", "Fourth one.", related=["alpha"], is_a=["alpha"]))
    assert rules(found) == [("delta", "warning", "double link")]


def test_islands_are_reported_beyond_the_largest_component(tmp_path):
    found = findings(tmp_path, entry("delta", "Fourth one.", related=["epsilon"]), entry("epsilon", "Fifth one."),
                     entry("zeta", "Sixth one."))
    assert rules(found) == [("delta", "error", "island"), ("zeta", "error", "island")]
    assert "an island of 2 terms not linked to the rest of the deck: delta, epsilon" in found[0].message
    assert "has no link to any other term" in found[1].message


@pytest.mark.parametrize(
    "term, fields, definition, message",
    [
        ("dropout", {}, "Dropout switches units off at random.", "contains its term 'dropout'"),
        ("stochastic gradient descent", {"aliases": ["SGD"]}, "Like GD but noisier; SGD for short.",
         "contains its alias 'SGD'"),
        ("LSTM", {}, "A long short-term memory cell keeps a state.", "spells out 'LSTM': 'long short term memory'"),
        ("LSTM", {"aliases": ["long short-term memory"]}, "A Long Short-Term Memory cell keeps a state.",
         "contains its alias 'long short-term memory'"),
        ("RLHF", {}, "Reinforcement learning from human feedback tunes a model.",
         "spells out 'RLHF': 'Reinforcement learning from human feedback'"),
        ("principal component analysis", {"aliases": ["PCA"]}, "PCA rotates the axes.", "contains its alias 'PCA'"),
        ("co-adaptation", {}, "Units that co adapt: Co-Adaptation.", "contains its term 'co-adaptation'"),
    ],
)
def test_give_away_definitions(tmp_path, term, fields, definition, message):
    found = findings(tmp_path, entry(term, definition, related=["alpha"], **fields))
    give = [f for f in found if f.rule == "give-away"]
    assert len(give) == 1 and give[0].severity == "error" and message in give[0].message, found


def test_acronym_words_that_do_not_spell_it_out_are_fine(tmp_path):
    found = findings(tmp_path, entry("GAN", "Two nets: one generates a new sample, the other judges it.", related=["alpha"]))
    assert found == []


def test_duplicate_and_near_duplicate_definitions(tmp_path):
    found = findings(
        tmp_path,
        entry("delta", "The first letter of the Greek list!", related=["alpha"]),
        entry("epsilon", "Counts the positives that the model found correctly among all.", related=["alpha"]),
        entry("zeta", "Counts the positives the model found correctly among all of them.", related=["alpha"]),
    )
    assert rules(found) == [("delta", "error", "duplicate definition"), ("zeta", "warning", "duplicate definition")]
    assert "the same definition as 'alpha'" in found[0].message
    assert "nearly the same as 'epsilon''s" in found[1].message


def test_blank_fields_and_invisible_characters(tmp_path):
    found = findings(tmp_path, entry("del\u200bta", "Fourth\u00ad one \u202egoes here.", explanation="  ",
                                     related=["alpha", " "]))
    by_rule = {(f.rule, f.message.split(":")[0]) for f in found}
    assert ("invisible", "term") in by_rule and ("invisible", "definition") in by_rule
    assert ("empty", "explanation is empty once cleaned (it is dropped)") in by_rule
    assert ("empty", "related[1] is empty once cleaned (it is dropped)") in by_rule
    messages = " ".join(f.message for f in found)
    assert "U+200B (zero-width space)" in messages and "U+00AD (soft hyphen)" in messages and "U+202E" in messages
    assert all(f.severity == ("error" if f.rule == "invisible" else "warning") for f in found)


def test_british_spellings_are_warnings_but_aliases_may_keep_them(tmp_path):
    found = findings(tmp_path, entry("k-nearest neighbors", "Votes among the closest labelled points.",
                                     aliases=["k-nearest neighbours"], explanation="Normalise features first.",
                                     related=["alpha"]))
    assert rules(found) == [("k-nearest neighbors", "warning", "spelling")] * 2
    assert {f.message.split(": ")[1] for f in found} == {"'labelled' (the deck uses US spelling)",
                                                           "'Normalise' (the deck uses US spelling)"}


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_lines_in_json_and_yaml(tmp_path, suffix):
    from mlcards.exporters import deckfile as writer
    from mlcards.models import Deck

    deck = Deck(name="L", terms=[dict(term="a", definition="first", related=["b"]), dict(term="b", definition="second"),
                                 dict(term="c", definition="third")])
    p = tmp_path / ("d" + suffix)
    writer.write(deck, p)
    (found,) = lint.lint_path(p)
    lines = p.read_text().splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if '"c"' in line or "term: c" in line)
    assert found.term == "c" and found.rule == "island"
    assert found.line in (expected, expected - 1)  # JSON: the object's "{" line; YAML: its "- term: c" line


def test_a_file_that_does_not_load_is_one_error(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(HEAD + '\n[[terms]]\nterm = "a"\ndefinition = ""\n')
    (found,) = lint.lint_path(p)
    assert found.severity == "error" and found.rule == "load" and found.line == 5


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlcards", "lint", *args], capture_output=True, text=True, timeout=60)


def test_cli_lines_summary_and_exit_codes(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(HEAD + "".join(BASE) + entry("delta", "Fourth one.", related=["omega"]))
    warn = tmp_path / "warn.toml"
    warn.write_text(HEAD + "".join(BASE) + entry("delta", "Fourth colour.", related=["alpha"]))
    r = run_cli(str(bad))
    assert r.returncode == 1, r.stderr
    assert r.stdout.splitlines() == [
        f"{bad}:18: term 'delta': error: related names 'omega', which is not a term of this deck",
        f"{bad}:18: term 'delta': error: has no link to any other term (the deck's links must be connected)",
        "1 file checked: 2 errors, 0 warnings",
    ]
    r = run_cli(str(warn))
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == "1 file checked: 0 errors, 1 warning"
    r = run_cli("--json", str(bad), str(warn))
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert [(d["file"], d["line"], d["term"], d["severity"], d["rule"]) for d in data] == [
        (str(bad), 18, "delta", "error", "dangling"), (str(bad), 18, "delta", "error", "island"),
        (str(warn), 18, "delta", "warning", "spelling"),
    ]


def test_cli_on_a_missing_file_is_an_error(tmp_path):
    r = run_cli(str(tmp_path / "nope.toml"))
    assert r.returncode == 1 and "does not load" in r.stdout


def test_the_bundled_deck_lints_without_errors():
    found = [f for p in bundled.deck_files() for f in lint.lint_path(p)]
    errors = [f.text() for f in found if f.severity == "error"]
    assert errors == []
