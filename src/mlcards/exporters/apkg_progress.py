"""Card schedules and the review log written into an Anki package (``mlcards export --with-progress``).

genanki writes notes and new cards only, so the scheduling columns and the ``revlog`` table of the
package's collection (the legacy schema 11 that genanki creates, which every Anki and AnkiDroid
imports) are filled in here, after genanki has written its rows. What the columns mean is taken
from Anki's own source (rslib/src/card/mod.rs, rslib/src/revlog/mod.rs, rslib/src/scheduler/timing.rs,
rslib/src/import_export/package/apkg/import/cards.rs):

- ``cards.type`` 0 new, 1 learning, 2 review, 3 relearning; ``cards.queue`` 0 new, 1 learning,
  2 review, 3 day-learning, -1 suspended, -2 buried by the scheduler (siblings), -3 buried by the user.
- ``cards.due``: a new card's position; a review card's due day counted in days since the
  collection's creation (``col.crt``), as Anki's "today" (``days_elapsed``) counts them.
- ``cards.ivl`` days, ``cards.factor`` the ease in permille (2500 = 2.5), ``cards.reps`` every
  answer, ``cards.lapses``, ``cards.left`` the learning steps still to do (0: none).
- ``revlog``: ``id`` the answer's moment in epoch milliseconds (Anki's primary key), ``cid``,
  ``usn`` -1, ``ease`` the button (1 Again, 2 Hard, 3 Good, 4 Easy), ``ivl``/``lastIvl`` days,
  ``factor`` permille, ``time`` milliseconds taken, ``type`` 0 learn, 1 review, 2 relearn.

The mapping from mlcards:

- A card never answered stays new (type 0, queue 0, due = its position in the deck).
- Any other card is a review card (type 2, queue 2) due on its mlcards due day, with mlcards'
  interval, easiness x 1000 as its factor, its live answers as ``reps`` and its lapses. mlcards has
  no intraday learning steps (a failed card is simply due the next day, SM-2's interval 1), so no
  card is exported as learning; a failed card is a review card with a one-day interval.
- A suspended card (a leech included) is queue -1; a card buried by the user past today is queue -3
  (Anki unburies it at its next day rollover, as mlcards does).
- Grades: 0-2 -> 1 Again, 3 -> 2 Hard, 4 -> 3 Good, 5 -> 4 Easy. A log row's revlog type: 0 for a
  card's first answer and the same-day re-drills of a card not yet learned, 1 for a scheduled
  review, 2 for a re-drill of a card that had been learned.
- The collection's creation day is the earliest of today, the earliest due day and the earliest
  answer's study day (so no due day is negative), at this database's rollover hour, with its
  ``rollover`` and ``creationOffset`` (minutes west of UTC) in ``col.conf`` and ``schedVer`` 2, so
  Anki counts days exactly as mlcards does. Anki's importer shifts review due days by the
  difference between the package's "today" and the collection's, keeping the due dates.
- Revlog ids must be unique: two answers in the same millisecond get consecutive ids (the import
  side recognises an exported answer within a second of its moment).

Only recall, reverse and cloze cards exist in Anki; mlcards' related and contrast cards are not
exported. Anki keeps the schedule of cards it already has when a package is imported again
(notes are updated, cards are not): a schedule travels to Anki with the first import of a card.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from mlcards import studyday

ANKI_EASE = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}
"""Our 0-5 grade as Anki's button: 0-2 Again, 3 Hard, 4 Good, 5 Easy."""

TYPE_NEW, TYPE_REVIEW = 0, 2
QUEUE_NEW, QUEUE_REVIEW, QUEUE_SUSPENDED, QUEUE_USER_BURIED = 0, 2, -1, -3
REVLOG_LEARN, REVLOG_REVIEW, REVLOG_RELEARN = 0, 1, 2
MAX_ANSWER_MS = 3_600_000
"""A longer answer time is logged as this (an hour): Anki keeps the time in a 32-bit column."""
OWN_ANSWER_WINDOW_MS = 1000
"""An Anki revlog id within this many milliseconds after one of a card's own answers is that answer."""


@dataclass(frozen=True)
class ProgressReview:
    """One live answer of a card's log, as the package's revlog carries it."""

    reviewed_at: datetime
    grade: int
    kind: str
    """new, review or redrill (mlcards' log kinds)."""
    interval_before: int
    interval_after: int
    ease_after_centi: int
    duration_ms: int | None


@dataclass(frozen=True)
class CardProgress:
    """A card's schedule and log, keyed by its term's UUID, its kind and (cloze) its deletion index."""

    term_uuid: str
    kind: str
    ordinal: int | None
    repetitions: int
    easiness_centi: int
    interval: int
    due: date | None
    lapses: int
    suspended: bool
    buried_until: date | None
    reviews: tuple[ProgressReview, ...] = ()


@dataclass(frozen=True)
class DeckProgress:
    """Everything ``--with-progress`` writes: the cards, and how this database counts days."""

    cards: tuple[CardProgress, ...]
    today: date
    rollover_hour: int
    tz: tzinfo | None = None
    by_key: dict[tuple[str, str, int | None], CardProgress] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_key.update({(c.term_uuid, c.kind, c.ordinal): c for c in self.cards})


def template_kind(ord_: int, cloze: bool) -> tuple[str, int | None]:
    """An Anki card's template ordinal as mlcards' card kind (and cloze deletion index)."""
    if cloze:
        return "cloze", ord_ + 1
    return ("recall", None) if ord_ == 0 else ("reverse", None) if ord_ == 1 else (f"template {ord_}", None)


def creation_day(progress: DeckProgress) -> date:
    days = [progress.today]
    for card in progress.cards:
        if card.due is not None:
            days.append(card.due)
        for r in card.reviews:
            days.append(studyday.study_day(r.reviewed_at, progress.rollover_hour, progress.tz))
    return min(days)


def revlog_type(kind: str, learned_before: bool) -> int:
    if kind == "review":
        return REVLOG_REVIEW
    if kind == "redrill" and learned_before:
        return REVLOG_RELEARN
    return REVLOG_LEARN


def write_progress(
    conn: sqlite3.Connection, progress: DeckProgress, guid_term: Mapping[str, str], cloze_models: Iterable[int],
    *, now: datetime,
) -> int:
    """Fill the scheduling columns and ``revlog`` of a genanki-written collection; returns the revlog rows.

    ``guid_term``: note GUID -> the term UUID it was made from.
    """
    crt_day = creation_day(progress)
    crt = studyday.day_start(crt_day, progress.rollover_hour, progress.tz)
    offset_west = -studyday.utc_offset_minutes(crt, progress.tz)
    row = conn.execute("SELECT conf FROM col").fetchone()
    conf = json.loads(row[0] or "{}")
    conf.update({"schedVer": 2, "rollover": progress.rollover_hour, "creationOffset": offset_west})
    mod_s, mod_ms = int(now.timestamp()), int(now.timestamp() * 1000)
    conn.execute("UPDATE col SET crt = ?, conf = ?, mod = ?", (int(crt.timestamp()), json.dumps(conf), mod_ms))

    clozes = set(cloze_models)
    taken: set[int] = set()
    log_rows: list[tuple[int, int, int, int, int, int, int, int, int]] = []
    cards = conn.execute("SELECT c.id, c.ord, n.guid, n.mid FROM cards c JOIN notes n ON n.id = c.nid").fetchall()
    for cid, ord_, guid, mid in cards:
        term = guid_term.get(str(guid))
        if term is None:
            continue
        kind, ordinal = template_kind(int(ord_), int(mid) in clozes)
        card = progress.by_key.get((term, kind, ordinal))
        if card is None:
            continue
        reviews = sorted(card.reviews, key=lambda r: r.reviewed_at)
        if card.due is None:
            ctype, queue, due, ivl, factor = TYPE_NEW, QUEUE_NEW, None, 0, 0
        else:
            ctype, queue = TYPE_REVIEW, QUEUE_REVIEW
            due, ivl, factor = (card.due - crt_day).days, max(1, card.interval), card.easiness_centi * 10
        if card.suspended:
            queue = QUEUE_SUSPENDED
        elif card.buried_until is not None and card.buried_until > progress.today:
            queue = QUEUE_USER_BURIED
        conn.execute(
            "UPDATE cards SET type = ?, queue = ?, due = COALESCE(?, due), ivl = ?, factor = ?, reps = ?, "
            "lapses = ?, left = 0, mod = ?, usn = -1 WHERE id = ?",
            (ctype, queue, due, ivl, factor, len(reviews), card.lapses, mod_s, cid),
        )
        learned = False
        for r in reviews:
            rid = int(r.reviewed_at.timestamp() * 1000)
            while rid in taken:
                rid += 1
            taken.add(rid)
            log_rows.append((
                rid, int(cid), ANKI_EASE[r.grade], r.interval_after, r.interval_before, r.ease_after_centi * 10,
                min(max(r.duration_ms or 0, 0), MAX_ANSWER_MS), revlog_type(r.kind, learned), -1,
            ))
            learned = learned or (r.kind != "redrill" and r.grade >= 3) or r.interval_before > 0
    conn.executemany(
        "INSERT INTO revlog (id, cid, ease, ivl, lastIvl, factor, time, type, usn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        log_rows,
    )
    return len(log_rows)


def day_of_due(crt_day: date, due: int) -> date:
    """A review card's due day from its ``due`` column (days since the collection's creation day)."""
    return crt_day + timedelta(days=due)
