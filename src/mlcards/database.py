"""Opening the user's database: the one place that decides what a new database starts with.

``open_database`` is what the CLI and the app use: ``Store.open`` with the bundled decks as the seed
of a database that was never set up (the schema and the decks commit together, so an interrupted
``init`` is finished by the next command). ``Store.open`` and ``Store.memory`` alone give an empty one.
"""

from __future__ import annotations

from pathlib import Path

from mlcards.store import Store


def _install_bundled(store: Store) -> None:
    """The seed: the bundled decks (the importers load only when a database is new)."""
    from mlcards import imports

    imports.install_bundled(store)


def open_database(path: str | Path | None = None, *, install_bundled: bool = True) -> Store:
    """Open (creating if needed) the database at ``path`` (default: ``$MLCARDS_DB`` or the data folder)."""
    return Store.open(path, seed=_install_bundled if install_bundled else None)


def memory_database(*, install_bundled: bool = True) -> Store:
    """An in-memory database, with the bundled decks unless told otherwise (for tests and tools)."""
    return Store.memory(seed=_install_bundled if install_bundled else None)
