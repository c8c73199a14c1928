"""Hostile input is refused in bounded time and memory (issue 8, section 3).

Two parts:

- Each file of the generated corpus (``tests/importers/hostile.py``) goes through the real CLI in a
  subprocess: exit status 1, one ``error: `` line naming the file, no traceback, the database
  unchanged and nothing left in the temp folder or the child's system temp dir. (Time and memory
  are measured by ``benchmarks/hostile.py``, not asserted here.)
- In-process checks of the rewritten matchers on 50 KB of padding: they assert behaviour only; a
  super-linear matcher would make them take minutes instead of milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mlcards.errors import DeckError
from mlcards.importers import _html, glossary, load, markdown
from tests.conftest import REPO
from tests.importers.hostile import write_corpus

PAD = " " * 50_000


# --- the corpus, through the CLI -----------------------------------------------------------------


class _Setup:
    def __init__(self, root: Path):
        self.root = root
        self.corpus_dir = root / "corpus"
        self.corpus = write_corpus(self.corpus_dir)
        self.work = root / "work"  # the database and nothing else
        self.work.mkdir()
        self.db = self.work / "x.db"
        self.child_tmp = root / "child-tmp"  # TMPDIR of every child: must stay empty
        self.child_tmp.mkdir()
        self.env = {**os.environ, "PYTHONIOENCODING": "utf-8", "TMPDIR": str(self.child_tmp)}
        self.env.pop("MLCARDS_DB", None)
        self.cli("init", check=True)
        self.decks_before = self.cli("decks", "--json", check=True).stdout
        self.state = self.db_state()
        self.listing = self.files()

    def cli(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "mlcards", "--db", str(self.db), *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=self.env, cwd=REPO, timeout=120, check=check)

    def db_state(self) -> tuple[str, dict[str, int]]:
        digest = hashlib.sha256(self.db.read_bytes()).hexdigest()
        conn = sqlite3.connect(f"{self.db.as_uri()}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            conn.close()
        return digest, counts

    def files(self) -> set[str]:
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*")}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> _Setup:
    return _Setup(tmp_path_factory.mktemp("hostile"))


def corpus_names() -> list[str]:
    """Every corpus file name, without writing the corpus (the groups list their files by name)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        small = [name for name, _ in write_corpus(Path(tmp), groups=["yaml", "json", "toml", "markdown", "glossary", "ankitext"])]
    return small + APKG_NAMES


APKG_NAMES = [
    "apkg-zip-bomb.apkg",
    "apkg-zip-bomb-lying.apkg",
    "apkg-media-bomb.apkg",
    "apkg-zstd-bomb.apkg",
    "apkg-zstd-bomb-sqlite-header.apkg",
    "apkg-zstd-window.apkg",
    "apkg-zstd-garbage.apkg",
    "apkg-bzip2.apkg",
    "apkg-lzma.apkg",
    "apkg-many-members.apkg",
    "apkg-not-sqlite.apkg",
    "apkg-truncated.apkg",
    "apkg-trigger.apkg",
    "apkg-view-notes.apkg",
    "apkg-view-cards.apkg",
    "apkg-extra-view.apkg",
    "apkg-generated-column.apkg",
    "apkg-virtual-table.apkg",
    "apkg-missing-column.apkg",
    "apkg-text-ids.apkg",
    "apkg-text-card-ids.apkg",
    "apkg-bigint-ids.apkg",
    "apkg-float-ids.apkg",
    "apkg-deep-models.apkg",
    "apkg-bigint-models.apkg",
    "apkg-models-not-object.apkg",
    "apkg-revlog-text.apkg",
    "apkg-invisible-term.apkg",
    "apkg-many-p.apkg",
    "apkg-huge-field.apkg",
]


def test_the_apkg_list_matches_the_corpus(setup: _Setup) -> None:
    assert sorted(n for n, _ in setup.corpus if n.endswith(".apkg")) == sorted(APKG_NAMES)


@pytest.mark.process
@pytest.mark.parametrize("name", corpus_names())
def test_hostile_file_is_refused_cleanly(setup: _Setup, name: str) -> None:
    path = dict(setup.corpus)[name]
    r = setup.cli("import", str(path))
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"error: {path}"), lines[0]
    assert r.stdout == ""
    assert setup.db_state() == setup.state  # same bytes, same row counts
    assert setup.files() == setup.listing  # nothing new in the temp folder...
    assert list(setup.child_tmp.iterdir()) == []  # ...nor in the child's system temp dir


@pytest.mark.process
def test_database_unchanged_after_the_whole_corpus(setup: _Setup) -> None:
    for _name, path in setup.corpus[:5]:  # at least a few imports ran, even when run alone
        setup.cli("import", str(path))
    assert setup.cli("decks", "--json", check=True).stdout == setup.decks_before
    assert json.loads(setup.decks_before) is not None
    assert setup.db_state() == setup.state


# --- the matchers, on 50 KB of padding -----------------------------------------------------------


def test_markdown_headings_padded_with_spaces() -> None:
    assert markdown.heading(f"## a{PAD}b") == (2, f"a{PAD}b")
    assert markdown.heading(f"## x{PAD}") == (2, "x")
    assert markdown.heading(f"## {PAD}#{PAD}x") == (2, f"#{PAD}x")
    assert markdown.heading(f"# {PAD}x{PAD}#{PAD}") == (1, "x")
    assert markdown.heading(f"### {PAD}x{PAD}#") == (3, "x")
    assert markdown.heading("#" * 50_000 + " x") is None
    assert markdown.heading(f"{PAD}## x") is None  # more than three spaces: not a heading


def test_markdown_links_in_a_related_line() -> None:
    value = "[" * 50_000 + "](" * 50_000 + "[[" * 50_000 + " [[a]], [b](u)"
    related = markdown._split_list(value)
    assert related[-1] == "b" and "a" in related[-2]


def test_glossary_lines_padded_with_spaces() -> None:
    assert glossary._heading(f"What is {PAD}x") is None  # no question mark
    assert glossary._heading(f"What{PAD}is{PAD}a thing{PAD}?") == ("is", "a thing")
    assert glossary._heading(f"what are x{PAD}?{PAD}y") is None
    assert glossary._explained(f"x{PAD}explained{PAD}in{PAD}plain{PAD}english{PAD}:") == "x"
    assert glossary._explained(f"x{PAD}explained{PAD}in{PAD}plain{PAD}x") is None
    assert glossary._is_example(f"Example{PAD}:{PAD}")
    assert not glossary._is_example(f"Example{PAD}:{PAD}x")
    assert glossary._is_also_read(f"people{PAD}also{PAD}read{PAD}")
    assert glossary._item(f"- a{PAD}b{PAD}") == f"a{PAD}b"
    assert glossary._item(f"-{PAD}") is None


def test_glossary_pointer_and_repeat_on_long_lines() -> None:
    noisy = "x -- see " + "-- see " * 20_000 + "-" * 50_000 + PAD + "x"
    assert glossary._drop_pointer(noisy) == noisy
    assert glossary._drop_pointer("More. --- See The Course for more information.").strip() == "More."
    words = "a " * 20_000
    assert glossary._drop_repeat(words + "tail", words) == "tail"
    assert glossary._drop_repeat(words + "tail", words + "b") == words + "tail"
    assert not glossary._whole_phrase("thing " * 8_000, "thing " * 10_000)  # longer than any term


def test_html_many_blocks_and_broken_markup() -> None:
    assert _html.html_to_text("<p> " * 50_000 + "x") == "x"
    assert _html.html_to_text("<li> <br> " * 25_000).splitlines().count("-") == 25_000
    assert _html.html_to_text("<a " * 20_000) == ("<a " * 20_000).strip()
    assert _html.html_to_text("<!--" * 20_000 + "x").endswith("x")
    assert _html.html_to_text("</" * 20_000) == "</" * 20_000
    assert _html.html_to_text("[sound:" * 20_000 + "[sound:a.mp3]x") == "[sound:" * 20_000 + "x"
    assert _html.html_to_text('<b>bold</b> <img src="a.jpg"> <!-- c --> &amp; <i>x') == "bold & x"


def test_one_column_csv_with_many_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("\n" * 50_000 + "word\n" + f"what is{PAD}x\n", encoding="utf-8")
    with pytest.raises(DeckError, match="need at least two columns"):
        load(path)
