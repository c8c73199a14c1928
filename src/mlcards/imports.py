"""The one import use case, shared by ``mlcards import`` and the app's import screen.

1. ``plan(paths)`` parses every file first (all or nothing: a file that does not parse raises its
   one-line ``DeckError`` before anything is written), then groups decks met in several files (or
   several files imported into one ``--deck``) and merges each group into one deck.
2. ``preview(store, plan)`` says what applying it would change, writing nothing.
3. ``apply(store, plan, with_history=...)`` applies every deck in one transaction and, when asked,
   the Anki review log that packages carry: answers to cards that mlcards exported count as reviews
   and refold their cards (``mlcards.anki_progress``); other Anki history feeds statistics only.

Both return an ``ImportResult`` that the CLI prints and the app shows. Nothing here draws or prints.

Also here: ``import_history`` (Anki's review log mapped onto review-log rows; the store only inserts
them) and ``install_bundled`` (the decks a new database starts with).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from mlcards import studyday
from mlcards.importers import AnkiReview, Mode, Parsed, load, merge_decks
from mlcards.models import Deck
from mlcards.records import ImportReport
from mlcards.schedulers.sm2 import INITIAL_EASINESS_CENTI
from mlcards.store.rows import ReviewIndex, ReviewRow
from mlcards.text import term_key

if TYPE_CHECKING:
    from mlcards.anki_progress import AnswersImport
    from mlcards.store import Store

Progress = Callable[[int, int], None]
"""``progress(done, total)``: work done so far out of the whole import (terms, then history entries)."""

CLI_HISTORY_HINT = "add --with-history to bring them over"


@dataclass(frozen=True)
class SourceFile:
    """One parsed file of an import."""

    path: Path
    parsed: Parsed

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class PlannedDeck:
    """A deck to apply: every file's part of it merged, with the update mode of the first file naming it."""

    deck: Deck
    mode: Mode


@dataclass(frozen=True)
class Plan:
    files: list[SourceFile]
    decks: list[PlannedDeck]

    @property
    def history_entries(self) -> int:
        """How many review-log entries the files carry (Anki packages)."""
        return sum(len(f.parsed.history) for f in self.files)

    @property
    def terms(self) -> int:
        return sum(len(d.deck.terms) for d in self.decks)


def plan(paths: Sequence[str | Path], *, deck_name: str | None = None) -> Plan:
    """Parse every file (raising the first ``DeckError``), then merge decks met more than once."""
    files = [SourceFile(Path(p), load(p, deck_name=deck_name)) for p in paths]
    grouped: dict[str, tuple[Mode, list[Deck]]] = {}
    for f in files:
        for deck in f.parsed.decks:
            grouped.setdefault(deck.name.casefold(), (f.parsed.mode, []))[1].append(deck)
    decks = [
        PlannedDeck(ds[0] if len(ds) == 1 else merge_decks(ds, ds[0].name, mode), mode) for mode, ds in grouped.values()
    ]
    return Plan(files=files, decks=decks)


@dataclass(frozen=True)
class HistoryOutcome:
    """The review log of one file: brought over (``result``), or left in the file (``result`` None)."""

    file: SourceFile
    result: HistoryImport | None = None
    answers: AnswersImport | None = None
    """Entries of notes exported by mlcards: counted as reviews (``mlcards.anki_progress``)."""

    @property
    def entries(self) -> int:
        return len(self.file.parsed.history)


@dataclass
class ImportResult:
    """What an import changed (or, for a preview, would change)."""

    plan: Plan
    dry_run: bool
    with_history: bool
    decks: list[ImportReport] = field(default_factory=list)
    history: list[HistoryOutcome] = field(default_factory=list)
    """One per file carrying a review log."""

    @property
    def history_added(self) -> int:
        return sum(
            (h.result.added if h.result is not None else 0) + (h.answers.added if h.answers else 0) for h in self.history
        )

    @property
    def history_left(self) -> int:
        """Entries not brought over: the whole log when not asked for, else those skipped (duplicates, no card)."""
        return sum(
            h.entries - (h.result.added if h.result is not None else 0) - (h.answers.added if h.answers else 0)
            for h in self.history
        )

    def notes(self, *, history_hint: str = CLI_HISTORY_HINT) -> list[str]:
        """Per-file lines: the parsers' notices, and what happens to each file's review log."""
        out: list[str] = []
        for f in self.plan.files:
            out += [f"note: {n}" for n in f.parsed.notices]
            entries = len(f.parsed.history)
            if entries and not self.with_history:
                out.append(f"note: {f.name}: {entries} Anki review-log entries not imported ({history_hint})")
            elif entries and self.dry_run:
                out.append(f"would bring over up to {entries} Anki review-log entries from {f.name}")
        return out

    def history_lines(self) -> list[str]:
        """One line per review log brought over (and one for the answers to cards mlcards exported)."""
        out = []
        for h in self.history:
            a = h.answers
            if a is not None and (a.added or a.already or a.unmatched):
                out.append(
                    f"counted {a.added} answers given in Anki as reviews ({a.already} already here, "
                    f"{a.unmatched} without a matching card); {a.cards} card schedules refolded"
                )
            r = h.result
            if r is not None and (a is None or r.added or r.duplicates or r.unmatched):
                out.append(
                    f"imported {r.added} Anki review-log entries ({r.duplicates} already here, "
                    f"{r.unmatched} without a matching card); card schedules unchanged"
                )
        return out


def preview(store: Store, plan: Plan, *, with_history: bool = False) -> ImportResult:
    """What applying ``plan`` would change; nothing is written (and no write lock is taken).

    ``with_history`` only changes what the notes say about the review logs (``--dry-run --with-history``).
    """
    result = ImportResult(plan=plan, dry_run=True, with_history=with_history)
    result.decks = [store.apply_deck(d.deck, mode=d.mode, dry_run=True) for d in plan.decks]
    result.history = [HistoryOutcome(f) for f in plan.files if f.parsed.history]
    return result


def apply(store: Store, plan: Plan, *, with_history: bool = False, progress: Progress | None = None) -> ImportResult:
    """Apply every deck of ``plan`` (and, ``with_history``, its review logs) in one transaction."""
    result = ImportResult(plan=plan, dry_run=False, with_history=with_history)
    logs = [f for f in plan.files if f.parsed.history]
    total = max(1, plan.terms + (sum(len(f.parsed.history) for f in logs) if with_history else 0))
    done = 0

    def deck_progress(deck_done: int, _deck_total: int) -> None:
        if progress is not None:
            progress(done + deck_done, total)

    with store.transaction():
        for d in plan.decks:
            result.decks.append(store.apply_deck(d.deck, mode=d.mode, progress=deck_progress))
            done += len(d.deck.terms)
        for f in logs:
            if with_history:  # answers to cards mlcards exported count as reviews; the rest is history
                from mlcards import anki_progress  # only .apkg files with history need the schedulers

                ours, foreign, unmatched = anki_progress.split_history(store, f.parsed.history)
                answers = anki_progress.import_answers(store, ours, unmatched=unmatched)
                history = import_history(store, [e for e in foreign if e.card_kind != "cloze"])
                history.unmatched += sum(1 for e in foreign if e.card_kind == "cloze")
                outcome = HistoryOutcome(f, history, answers)
            else:
                outcome = HistoryOutcome(f)
            result.history.append(outcome)
            if with_history:
                done += outcome.entries
                if progress is not None:
                    progress(done, total)
    if progress is not None:
        progress(total, total)
    return result


# --- the decks a new database starts with ------------------------------------------------------------


def install_bundled(store: Store) -> list[ImportReport]:
    """Apply the bundled deck files (in, or joining, one transaction)."""
    from mlcards import bundled
    from mlcards.importers import deckfile

    with store.transaction():
        return [store.apply_deck(deckfile.read_deck(path)) for path in bundled.deck_files()]


# --- another program's review log (Anki's revlog) ------------------------------------------------------

ANKI_GRADES = {1: 1, 2: 3, 3: 4, 4: 5}
"""Anki's buttons as SM-2 grades: Again -> 1, Hard -> 3, Good -> 4, Easy -> 5."""

ANKI_SOURCE = "anki"


@dataclass
class HistoryImport:
    """What ``import_history`` added: rows, already-present answers, entries with no card here."""

    added: int = 0
    duplicates: int = 0
    unmatched: int = 0


def import_history(store: Store, entries: Iterable[AnkiReview], *, dry_run: bool = False) -> HistoryImport:
    """Add review-log rows for Anki answers (``AnkiReview`` entries) to ``store``'s log.

    Each entry names its deck, term and card kind ('recall' for Anki's card 1, 'reverse' for card
    2); entries whose card does not exist here are counted as unmatched. Rows get
    ``source = 'anki'``, the grade from ``ANKI_GRADES``, the study day and UTC offset from this
    database's rollover hour and time zone, kind 'new' for a card's first review (nothing
    earlier in the log), 'redrill' for a later answer on a study day that already has one (Anki's
    learning steps), else 'review', intervals from Anki's ``lastIvl``/``ivl`` (learning steps,
    which Anki logs in seconds, count as 0 days), easiness from Anki's factor (permille ->
    hundredths), repetitions counted along the imported log, and a lapse when a review card
    was failed. The same Anki answer is never imported twice.

    Cards' schedules are left exactly as they are: the history feeds statistics only. Runs in
    (or joins) one transaction.
    """
    rollover, tz = store.setting("rollover_hour"), store.tz()
    report = HistoryImport()
    indexes: dict[str, ReviewIndex | None] = {}
    imported: set[tuple[int, str]] = set()
    answered: set[tuple[int, str]] = set()  # (card, study day) pairs that already have an answer
    state: dict[int, tuple[int, int, str | None]] = {}  # card -> (reps, ease, due) after its last entry
    rows: list[ReviewRow] = []
    for e in sorted(entries, key=lambda e: e.reviewed_at):
        deck_key = e.deck.casefold()
        if deck_key not in indexes:
            deck_id = store.deck_id(e.deck)
            index = None if deck_id is None else store.review_index(deck_id, ANKI_SOURCE)
            indexes[deck_key] = index
            if index is not None:
                imported |= index.from_source
                answered |= index.answered_days
        index = indexes[deck_key]
        card_id = index.cards.get((term_key(e.term), e.card_kind)) if index is not None else None
        grade = ANKI_GRADES.get(e.ease)
        if index is None or card_id is None or grade is None:
            report.unmatched += 1
            continue
        moment = e.reviewed_at
        at = studyday.to_utc_text(moment)
        day = studyday.study_day(moment, rollover, tz)
        reps, ease, due = state.get(card_id, (0, INITIAL_EASINESS_CENTI, None))
        first = card_id not in state and (card_id not in index.earliest or at < index.earliest[card_id])
        ease_after = e.factor // 10 if e.factor > 0 else ease
        reps_after = 0 if grade < 3 else reps + 1
        interval_before, interval_after = max(e.last_interval, 0), max(e.interval, 0)
        due_after = (day + timedelta(days=interval_after)).isoformat()
        state[card_id] = (reps_after, ease_after, due_after)
        if (card_id, at) in imported:
            report.duplicates += 1
            continue
        imported.add((card_id, at))
        # a later answer on the same study day is a re-drill, exactly as answering logs it
        kind = "new" if first else "redrill" if (card_id, day.isoformat()) in answered else "review"
        answered.add((card_id, day.isoformat()))
        rows.append(
            ReviewRow(
                card_id=card_id, reviewed_at=at, utc_offset_min=studyday.utc_offset_minutes(moment, tz),
                study_day=day.isoformat(), grade=grade, kind=kind, reps_before=reps, reps_after=reps_after,
                ease_before=ease, ease_after=ease_after, interval_before=interval_before,
                interval_after=interval_after, due_before=due, due_after=due_after,
                lapse=kind != "redrill" and e.anki_type == 1 and grade < 3, leeched=False,
                duration_ms=e.duration_ms, source=ANKI_SOURCE,
            )
        )
    report.added = len(rows)
    if not dry_run:
        store.insert_reviews(rows)
    return report
