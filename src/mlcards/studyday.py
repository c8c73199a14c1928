"""The study day: the one place that reads the clock.

"Today" is the local date shifted back by the rollover hour (default 4 AM, as in Anki), so a session
at 1 AM still belongs to the previous day. Reviews store a UTC timestamp plus the UTC offset in force
at the time; due dates are plain dates, so a time-zone change or a DST shift never moves them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

DEFAULT_ROLLOVER_HOUR = 4


def now() -> datetime:
    """The current instant, timezone-aware in UTC. Everything else takes ``now`` as an argument."""
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got naive {moment!r}")
    return moment


def local(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """``moment`` in ``tz`` (the system's local zone when None)."""
    return _aware(moment).astimezone(tz)


def study_day(moment: datetime, rollover_hour: int = DEFAULT_ROLLOVER_HOUR, tz: tzinfo | None = None) -> date:
    """The study day an instant belongs to: local date of ``moment - rollover_hour``."""
    if not 0 <= rollover_hour <= 23:
        raise ValueError(f"rollover hour must be 0..23, got {rollover_hour}")
    return (local(moment, tz) - timedelta(hours=rollover_hour)).date()


def utc_offset_minutes(moment: datetime, tz: tzinfo | None = None) -> int:
    """The local UTC offset at ``moment``, in whole minutes (e.g. -300 for New York in winter)."""
    offset = local(moment, tz).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def day_start(day: date, rollover_hour: int = DEFAULT_ROLLOVER_HOUR, tz: tzinfo | None = None) -> datetime:
    """The instant (aware, UTC) at which study day ``day`` begins."""
    naive = datetime(day.year, day.month, day.day, rollover_hour)
    if tz is None:
        # Interpret in the system's local zone; ``astimezone`` on a naive datetime assumes local time.
        return naive.astimezone().astimezone(timezone.utc)
    return naive.replace(tzinfo=tz).astimezone(timezone.utc)


def to_utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, millisecond precision: sorts as text."""
    return _aware(moment).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def from_utc_text(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
