"""Where the bundled decks live: inside the wheel (``mlcards/decks``) or, from a source checkout, ``decks/``."""

from __future__ import annotations

from pathlib import Path

DECK_SUFFIXES = (".toml", ".json", ".yaml", ".yml")


def decks_dir() -> Path:
    """The folder of bundled deck files (packaged copy first, then the repository's ``decks/``)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "decks", here.parent.parent / "decks"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled decks folder is missing from this installation")


def deck_files() -> list[Path]:
    """Bundled deck files, sorted by name."""
    return sorted(p for p in decks_dir().iterdir() if p.suffix.lower() in DECK_SUFFIXES)
