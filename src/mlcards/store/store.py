"""``Store``: the mlcards database, composed from one repository per aggregate over one connection."""

from __future__ import annotations

from mlcards.store.anki import AnkiQueries
from mlcards.store.cards import CardRepo
from mlcards.store.connection import Connection
from mlcards.store.custom import CustomStudyQueries
from mlcards.store.decks import DeckRepo
from mlcards.store.editing import EditingRepo
from mlcards.store.reviews import ReviewLog
from mlcards.store.settings import SettingsMixin
from mlcards.store.stats import StatsQueries
from mlcards.store.sync import SyncRepo


class Store(SyncRepo, AnkiQueries, ReviewLog, CardRepo, DeckRepo, EditingRepo, StatsQueries, CustomStudyQueries, SettingsMixin, Connection):
    """The mlcards database. Open with ``Store.open(path)`` or ``Store.memory()`` for tests.

    - ``Connection``: opening, WAL, migrations, transactions (``connection.py``)
    - ``SettingsMixin``: settings, the time zone and today's study day (``settings.py``)
    - ``DeckRepo``: decks and terms, the related-term graph (``decks.py``)
    - ``CardRepo``: cards, today's queue inputs, browse, suspend and bury (``cards.py``)
    - ``ReviewLog``: answers, undo, the log's rows, appending rows logged elsewhere (``reviews.py``)
    - ``AnkiQueries``: the Anki round trip's reads and writes (``anki.py``)
    - ``StatsQueries``: the SQL behind ``mlcards.stats`` (``stats.py``)
    """
