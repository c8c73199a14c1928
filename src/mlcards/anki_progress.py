"""The phone, through Anki: progress out to an Anki package, and the answers given in Anki back in.

Out (``mlcards export DECK out.apkg --with-progress``): the deck's notes carry GUIDs derived from
their terms' UUIDs, and its cards their schedules and live review log (``exporters.apkg_progress``
says how each field maps), so Anki or AnkiDroid continues where mlcards left off.

Back (``mlcards import phone.apkg --with-history``, or Anki's ``collection.anki2``): a revlog entry
of a note whose GUID is one of this database's terms is an answer to that term's card, and counts
as a real review (source ``review``):

- Answers mlcards exported come back too: an entry within ``OWN_ANSWER_WINDOW_MS`` after one of the
  card's own answers (undone ones included) is that answer, and is skipped.
- An answer from Anki gets a UUID derived from the card's UUID and Anki's revlog id, so importing
  the same package (or a later one holding the same answers) again adds nothing.
- The card's answers are folded in time order, whoever gave them: when mlcards also answered the
  card after the export, both count, each in its place (the first answer of a study day moves the
  schedule, a later one that day is a re-drill), and the card's cache is refolded
  (``answering.refold``). A leech made by an answer in Anki is suspended, as in mlcards.
- Entries of notes that did not come from mlcards stay Anki history for statistics only
  (``imports.import_history``, source ``anki``), as before.

The grade of an Anki answer: Again 1, Hard 3, Good 4, Easy 5 (``imports.ANKI_GRADES``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from mlcards import answering, identity, schedulers, studyday
from mlcards.exporters import apkg
from mlcards.exporters.apkg_progress import OWN_ANSWER_WINDOW_MS, DeckProgress
from mlcards.importers import AnkiReview
from mlcards.schedulers.fold import HISTORY_SOURCES, CardSchedule, Step, step
from mlcards.schedulers.fsrs import FSRSScheduler, FSRSState
from mlcards.store.anki import LoggedMarks, TimedLogEntry
from mlcards.store.rows import ReviewRow

if TYPE_CHECKING:
    from mlcards.store import Store

REVIEW_SOURCE = "review"
ANKI_GRADES = {1: 1, 2: 3, 3: 4, 4: 5}
"""Anki's buttons as grades (the same as ``imports.ANKI_GRADES``)."""


@dataclass(frozen=True)
class ApkgExport:
    deck: str
    terms: int
    cards: int
    """Cards whose schedule was written (0 without progress)."""
    answers: int
    """Answers written to the package's review log."""


def export_apkg(
    store: Store, deck_name: str, path: str | Path, *, with_progress: bool = False, now: datetime | None = None
) -> ApkgExport:
    """Write the deck as an .apkg whose GUIDs come from its terms' UUIDs; ``with_progress``: with its
    cards' schedules and review log."""
    now = now or studyday.now()
    deck_id = store.require_deck(deck_name)
    deck = store.export_deck(deck_name)
    uuids = store.term_uuids_in_order(deck_id)
    progress = None
    if with_progress:
        progress = DeckProgress(
            store.card_progress(deck_id), today=store.today(now), rollover_hour=store.setting("rollover_hour"),
            tz=store.tz(),
        )
    apkg.write(deck, Path(path), now=now, term_uuids=uuids, progress=progress)
    cards = len(progress.cards) if progress else 0
    answers = sum(len(c.reviews) for c in progress.cards) if progress else 0
    return ApkgExport(deck.name, len(deck.terms), cards, answers)


# --- back from Anki -------------------------------------------------------------------------------------


@dataclass
class AnswersImport:
    """What ``import_answers`` did with the entries of mlcards' own notes."""

    added: int = 0
    """Answers given in Anki, now in the log as reviews."""
    already: int = 0
    """Answers already in the log (imported before, or exported by mlcards in the first place)."""
    unmatched: int = 0
    """Answers to a card this database does not have (a note of ours, but not that card)."""
    cards: int = 0
    """Cards refolded."""


def answer_uuid(card_uuid: str, revlog_id: int) -> str:
    """The review-log UUID of an answer given in Anki: the same for the same answer, every import."""
    return str(uuid.uuid5(identity.NAMESPACE, f"anki-revlog:{card_uuid}:{revlog_id}"))


@dataclass(frozen=True)
class _Matched:
    entry: AnkiReview
    card_id: int
    card_uuid: str


def split_history(store: Store, entries: Iterable[AnkiReview]) -> tuple[list[_Matched], list[AnkiReview], int]:
    """(entries of this database's notes with their cards, the other entries, entries of ours without a card)."""
    index = store.anki_card_index()
    term_of_guid = {apkg.note_guid_for_uuid(term): term for term, _kind, _ord in index}
    ours: list[_Matched] = []
    foreign: list[AnkiReview] = []
    unmatched = 0
    for e in entries:
        term = term_of_guid.get(e.guid) if e.guid else None
        if term is None:
            foreign.append(e)
            continue
        key = (term, "cloze", e.card_ord + 1) if e.card_kind == "cloze" else (term, e.card_kind, None)
        card = index.get(key)
        if card is None:
            unmatched += 1
            continue
        ours.append(_Matched(e, card[0], card[1]))
    return ours, foreign, unmatched


def import_answers(store: Store, matched: Iterable[_Matched], *, unmatched: int = 0) -> AnswersImport:
    """Append the answers given in Anki to the log as reviews and refold their cards (in, or joining, one
    transaction)."""
    report = AnswersImport(unmatched=unmatched)
    by_card: dict[int, list[tuple[str, AnkiReview]]] = {}
    seen: set[str] = set()
    marks_of: dict[int, LoggedMarks] = {}
    with store.transaction():
        for m in matched:
            rid = m.entry.revlog_id
            u = answer_uuid(m.card_uuid, rid)
            marks = marks_of.get(m.card_id)
            if marks is None:
                marks = marks_of[m.card_id] = store.logged_marks(m.card_id)
            own = any(0 <= rid - at < OWN_ANSWER_WINDOW_MS for at in marks.moments_ms)
            if u in seen or u in marks.uuids or own or ANKI_GRADES.get(m.entry.ease) is None:
                report.already += 1
                continue
            seen.add(u)
            by_card.setdefault(m.card_id, []).append((u, m.entry))
        for card_id, new in by_card.items():
            rows = _fold_in(store, card_id, new)
            store.insert_reviews_with_uuids(rows)
            answering.refold(store, card_id)
            if any(r.leeched for _, r in rows):
                store.set_suspended(card_id, True)
            report.added += len(rows)
            report.cards += 1
    return report


def _fold_in(store: Store, card_id: int, new: list[tuple[str, AnkiReview]]) -> list[tuple[str, ReviewRow]]:
    """The log rows for ``new`` answers, each folded in its place among the card's live answers by moment."""
    current = store.card_schedule(card_id)
    # the deck's own scheduler and settings (an FSRS deck's retention and parameters), as answering folds
    scheduler = schedulers.for_deck(current.scheduler, store.deck_settings(store.card_deck_id(card_id)), card_id)
    rollover, tz, threshold = store.setting("rollover_hour"), store.tz(), store.setting("leech_threshold")
    logged: list[tuple[str, int, TimedLogEntry | None, _New | None]] = [
        (e.reviewed_at, 0, e, None) for e in store.timed_log(card_id)
    ]
    for u, entry in new:
        moment = datetime.fromtimestamp(entry.revlog_id / 1000, tz=timezone.utc)
        logged.append((studyday.to_utc_text(moment), 1, None, _New(u, entry, moment)))
    logged.sort(key=lambda item: (item[0], item[1]))  # by moment; an answer already here first
    schedule = store.snapshot(card_id) or CardSchedule(scheduler.initial())
    if isinstance(scheduler, FSRSScheduler):  # a snapshot starts from its SM-2 ease and interval (answering.refold)
        schedule = replace(schedule, state=scheduler.adopt(schedule.state))
    answered: set[date] = set()
    rows: list[tuple[str, ReviewRow]] = []
    for at, _tag, old, fresh in logged:
        if old is not None:
            if old.source in HISTORY_SOURCES:
                answered.add(old.study_day)
                continue
            done = step(scheduler, schedule, old.grade, old.study_day,
                        answered_today=old.study_day in answered, leeched=old.leeched)
            answered.add(old.study_day)
        else:
            assert fresh is not None
            day = studyday.study_day(fresh.moment, rollover, tz)
            grade = ANKI_GRADES[fresh.entry.ease]
            done = step(scheduler, schedule, grade, day, answered_today=day in answered, leech_threshold=threshold)
            answered.add(day)
            rows.append((fresh.uuid, _row(card_id, at, fresh, day, grade, done, tz)))
        schedule = done.after
    return rows


@dataclass(frozen=True)
class _New:
    uuid: str
    entry: AnkiReview
    moment: datetime


def _row(card_id: int, at: str, fresh: _New, day: date, grade: int, done: Step, tz: tzinfo | None) -> ReviewRow:
    before, after = done.before.state, done.after.state
    return ReviewRow(
        card_id=card_id, reviewed_at=at, utc_offset_min=studyday.utc_offset_minutes(fresh.moment, tz),
        study_day=day.isoformat(), grade=grade, kind=str(done.kind), reps_before=before.repetitions,
        reps_after=after.repetitions, ease_before=before.easiness_centi, ease_after=after.easiness_centi,
        interval_before=before.interval, interval_after=after.interval,
        due_before=before.due.isoformat() if before.due else None,
        due_after=after.due.isoformat() if after.due else None,
        lapse=done.lapse, leeched=done.leeched, duration_ms=fresh.entry.duration_ms, source=REVIEW_SOURCE,
        # the FSRS memory after the answer, as store.record_answer logs it (None on SM-2)
        stability_after=after.stability if isinstance(after, FSRSState) else None,
        difficulty_after=after.difficulty if isinstance(after, FSRSState) else None,
    )
