"""Answering: one service for the review screen, the quiz and plain mode.

grade -> the deck's scheduler (through the fold's ``step``) -> one store transaction that writes the
review-log row and the card's cached schedule together. The store only writes what it is given; the
rules live here and in ``mlcards.schedulers``. Undo marks a log row undone (never deletes it) and
refolds the card from what is left of its log.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mlcards import schedulers, studyday
from mlcards.errors import StoreError
from mlcards.records import AnswerResult
from mlcards.schedulers.base import Scheduler
from mlcards.schedulers.fold import replay, step
from mlcards.schedulers.sm2 import check_quality
from mlcards.store import Store

if TYPE_CHECKING:
    from mlcards.settings import DeckSettings

CONFUSED_TWICE = 2
"""A pair of terms mixed up this many times on multiple choice gets a contrast card of its own."""


def answer(
    store: Store,
    card_id: int,
    grade: int,
    now: datetime | None = None,
    *,
    duration_ms: int | None = None,
    source: str = "review",
    chosen_term_id: int | None = None,
    key_term_id: int | None = None,
) -> AnswerResult:
    """Grade a card and log it, in one committed transaction; returns what the answer did.

    The first answer of a study day runs the deck's scheduler; a later answer the same day is a
    re-drill (logged, schedule kept). A changed time zone or rollover hour can make "today" fall
    before a study day this card was already answered on: that day still counts, so a card is never
    scheduled twice in one study day. On multiple choice, ``chosen_term_id`` is the term picked and
    ``key_term_id`` the right one's (when the question asked to identify a term): a pair confused
    ``CONFUSED_TWICE`` times, either way round, gets a contrast card.
    """
    check_quality(grade)
    now = now or studyday.now()
    with store.transaction():
        current, last = store.answer_basis(card_id)  # the schedule and the latest study day answered
        day = store.today(now)
        # answered on ``day`` already exactly when its latest answered day is ``day`` or later
        answered_today = last is not None and last >= day
        if last is not None and last > day:
            day = last
        done = step(
            _scheduler(store, current.scheduler, card_id),
            current.schedule,
            grade,
            day,
            answered_today=answered_today,
            leech_threshold=store.setting("leech_threshold"),
        )
        review_id = store.record_answer(
            card_id, done, grade=grade, now=now, day=day, duration_ms=duration_ms, source=source,
            chosen_term_id=chosen_term_id, key_term_id=key_term_id,
        )
        if chosen_term_id is not None and key_term_id is not None and chosen_term_id != key_term_id:
            if store.pair_confusions(key_term_id, chosen_term_id) >= CONFUSED_TWICE:
                store.add_contrast_card(key_term_id, chosen_term_id, now)
    return AnswerResult(
        review_id, card_id, grade, done.kind, done.before.state, done.after.state, day, done.lapse, done.leeched
    )


def practice(
    store: Store,
    card_id: int,
    grade: int,
    now: datetime | None = None,
    *,
    duration_ms: int | None = None,
    source: str = "practice",
    chosen_term_id: int | None = None,
    key_term_id: int | None = None,
) -> int:
    """Log a practice answer (the quiz, custom study): shown in stats, never moving a schedule.

    It goes to ``practice_log``, which the fold never reads: the card's due date, ease, the daily
    limits and the sibling rule are exactly as if the answer had not been given. Returns its id.
    """
    check_quality(grade)
    now = now or studyday.now()
    return store.record_practice(
        card_id, grade=grade, now=now, day=store.today(now), duration_ms=duration_ms, source=source,
        chosen_term_id=chosen_term_id, key_term_id=key_term_id,
    )


def undo(store: Store, review_id: int, now: datetime | None = None) -> int:
    """Take back one answer: mark its log row undone and refold the card. Returns the card id.

    Any answer can be taken back, not only a card's latest: the schedule is recomputed from the
    answers that remain. A contrast card that this answer created goes again if it was never answered.
    """
    now = now or studyday.now()
    with store.transaction():
        row = store.live_review(review_id)
        if row is None:
            raise StoreError(f"no answer with id {review_id} to undo")
        store.mark_undone(review_id, now)
        refold(store, row.card_id, unsuspend_leech=row.leeched)
        chosen, key = row.chosen_term_id, row.key_term_id
        if chosen is not None and key is not None and chosen != key:
            if store.pair_confusions(key, chosen) < CONFUSED_TWICE:
                store.drop_unanswered_contrast_card(key, chosen)
    return row.card_id


def _scheduler(store: Store, name: str, card_id: int, settings: DeckSettings | None = None) -> Scheduler[Any]:
    """The card's deck's scheduler with the deck's settings (FSRS's retention, parameters, fuzz)."""
    if name == schedulers.DEFAULT:
        return schedulers.get(name)
    return schedulers.for_deck(name, settings or store.deck_settings(store.card_deck_id(card_id)), card_id)


def refold(
    store: Store, card_id: int, *, unsuspend_leech: bool = False, settings: DeckSettings | None = None
) -> None:
    """Recompute a card's cached schedule from its snapshot (if any) and its live log.

    On FSRS, a snapshot (a schedule that arrived without its history) starts from its SM-2 ease and
    interval. ``settings``: the deck's, when the caller already has them.
    """
    current = store.card_schedule(card_id)
    scheduler = _scheduler(store, current.scheduler, card_id, settings)
    start = store.snapshot(card_id)
    if start is not None and current.scheduler == "fsrs":
        from mlcards.schedulers.fsrs import FSRSScheduler

        assert isinstance(scheduler, FSRSScheduler)
        start = replace(start, state=scheduler.adopt(start.state))
    schedule = replay(scheduler, store.log_entries(card_id), start)
    store.write_schedule(card_id, schedule, unsuspend=unsuspend_leech and current.schedule.leech and not schedule.leech)


def rebuild(store: Store) -> int:
    """Refold every card from its log (``mlcards doctor --rebuild``); returns how many changed."""
    changed = 0
    with store.transaction():
        for card_id in store.card_ids():
            before = store.card_schedule(card_id)
            refold(store, card_id)
            if store.card_schedule(card_id).schedule != before.schedule:
                changed += 1
    return changed



FSRS_SETTINGS = frozenset({"desired_retention", "maximum_interval", "fuzz", "fsrs_parameters"})
"""Deck settings the FSRS fold depends on: changing one refolds an FSRS deck's cards."""


def set_deck_setting(store: Store, deck_id: int, key: str, value: object) -> object:
    """Store one of a deck's settings; on an FSRS deck, a setting its schedule depends on refolds the
    deck's cards at once (so the cache stays the fold, and ``doctor --rebuild`` changes nothing).

    Returns the value stored (as ``store.set_deck_setting``). SM-2 decks are never refolded: SM-2
    reads none of these settings.
    """
    with store.transaction():
        stored = store.set_deck_setting(deck_id, key, value)
        if key in FSRS_SETTINGS and store.deck_scheduler(deck_id) == "fsrs":
            settings = store.deck_settings(deck_id)
            for card_id in store.card_ids(deck_id):
                refold(store, card_id, settings=settings)
    return stored


def switch_scheduler(store: Store, deck_id: int, name: str) -> int:
    """Make a deck use scheduler ``name`` and refold its cards through it (the log is untouched).

    Returns how many cards were refolded. Switching back refolds again, so a switch is undone by
    switching back.
    """
    try:
        schedulers.get(name)
    except ValueError as e:
        raise StoreError(str(e)) from None
    with store.transaction():
        store.set_deck_scheduler(deck_id, name)
        settings = store.deck_settings(deck_id)
        cards = store.card_ids(deck_id)
        for card_id in cards:
            refold(store, card_id, settings=settings)
    return len(cards)
