"""The user's settings: every setting with its default, bounds and validation, in plain Python.

``mlcards`` stores only what the user changed (``Store.set_setting``); ``check_setting`` turns a
value typed on the command line or read back from the database into the setting's type, or raises
a one-line ``StoreError`` saying what a valid value looks like.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from mlcards import studyday
from mlcards.errors import StoreError

WHOLE_NUMBER_BOUNDS = (0, 100_000)
"""Bounds of a whole-number setting without bounds of its own."""

BOUNDS: dict[str, tuple[int, int]] = {"rollover_hour": (0, 23), "leech_threshold": (1, 1000)}
"""Whole-number settings with bounds of their own (inclusive)."""


def _whole_number(key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"setting {key!r} must be a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"setting {key!r} must be between {lo} and {hi}, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    """Every setting with its default (bounds: ``BOUNDS``); the messages are the ones the CLI prints."""

    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = studyday.DEFAULT_ROLLOVER_HOUR
    timezone: str = ""  # IANA name; empty means the system's local zone
    leech_threshold: int = 8
    theme: str = "textual-dark"
    """the app's colour theme (any Textual theme name; the command palette's choice is saved here)"""
    answer_buttons: int = 6
    """6: grade 0-5 (SM-2's scale); 4: Again/Hard/Good/Easy on keys 1-4, logged as grades 1/3/4/5"""
    keymap: dict[str, str] = field(default_factory=dict)
    """binding id -> keys, e.g. {"review.reveal": "space,j"}; ids are listed in the README"""
    sync_folder: str = ""
    """the shared folder (or ssh://host/path) the app syncs with; empty: the app never syncs by itself"""
    sync_on_start_quit: bool = False
    """sync with sync_folder when the app starts and when it quits"""


# --- each setting's check: the value typed or stored, as its type, or ValueError saying what is valid ---

def _check_buttons(value: Any) -> int:
    if isinstance(value, str) and value.strip() in ("4", "6"):
        value = int(value)
    if value not in (4, 6) or isinstance(value, bool):
        raise ValueError(f"setting 'answer_buttons' must be 4 (Again/Hard/Good/Easy) or 6 (grades 0-5), got {value!r}")
    return int(value)

def _check_theme(value: Any) -> str:
    text = str(value)
    if not text or len(text) > 60 or not all(c.isalnum() or c in "-_" for c in text):
        raise ValueError(f"setting 'theme' must be a theme name such as textual-dark, got {value!r}")
    return text

def _check_timezone(value: Any) -> str:
    if value:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Paris") from None
    return str(value) if value else ""

def _check_sync_folder(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if any(c in text for c in "\n\r\0") or len(text) > 1000:
        raise ValueError(f"setting 'sync_folder' must be one folder path or ssh://host/path, got {value!r}")
    return text

def _check_sync_on_start_quit(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "on", "yes", "1", "false", "off", "no", "0"):
        return value.strip().lower() in ("true", "on", "yes", "1")
    if not isinstance(value, bool):
        raise ValueError(f"setting 'sync_on_start_quit' must be on or off, got {value!r}")
    return value

def _check_keymap(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError('setting \'keymap\' must be a JSON object such as {"review.reveal": "j"}') from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError('setting \'keymap\' must map binding ids to keys, e.g. {"review.reveal": "j"}')
    from mlcards.keys import BINDING_IDS

    unknown = sorted(k for k in value if k not in BINDING_IDS)
    if unknown:
        raise ValueError(f"setting 'keymap': unknown binding id {unknown[0]!r}; known: {', '.join(sorted(BINDING_IDS))}")
    return dict(value)


def _whole_number_setting(key: str) -> Callable[[Any], int]:
    lo, hi = BOUNDS.get(key, WHOLE_NUMBER_BOUNDS)
    return lambda value: _whole_number(key, value, lo, hi)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    **{key: _whole_number_setting(key) for key in ("new_per_day", "reviews_per_day", "rollover_hour", "leech_threshold")},
    "timezone": _check_timezone,
    "theme": _check_theme,
    "answer_buttons": _check_buttons,
    "keymap": _check_keymap,
    "sync_folder": _check_sync_folder,
    "sync_on_start_quit": _check_sync_on_start_quit,
}


SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Settings))

DEFAULT_SETTINGS: dict[str, Any] = asdict(Settings())
"""Every setting with its default; ``mlcards`` stores only what the user changed."""


def _checked(checks: dict[str, Callable[[Any], Any]], key: str, value: Any) -> Any:
    try:
        return checks[key](value)
    except ValueError as e:
        raise StoreError(str(e)) from None


def check_setting(key: str, value: Any) -> Any:
    """``value`` as setting ``key``'s type (a whole number given as text becomes an int, a keymap given
    as JSON text a dict), or a ``StoreError`` saying what is wrong."""
    if key not in DEFAULT_SETTINGS:
        raise StoreError(f"unknown setting {key!r}; known: {', '.join(sorted(DEFAULT_SETTINGS))}")
    return _checked(_CHECKS, key, value)


@dataclass(frozen=True)
class DeckSettings:
    """Settings a deck has of its own (``mlcards settings --deck NAME KEY VALUE``); None: the global value.

    The scheduler itself is the deck's ``scheduler`` column (switching it refolds the cards).
    """

    new_per_day: int | None = None
    """this deck's new cards per day (None: only the global limit applies)"""
    reviews_per_day: int | None = None
    """this deck's reviews per day (None: only the global limit applies)"""
    desired_retention: float = 0.90
    """FSRS: the recall probability at which a card falls due"""
    maximum_interval: int = 36500
    """FSRS: the longest interval in days"""
    fuzz: bool = False
    """FSRS: spread due dates a little, as Anki does (SM-2 is never fuzzed: its exactness is promised)"""
    fsrs_parameters: list[float] | None = None
    """FSRS: parameters fitted by ``mlcards optimize`` (None: FSRS-6 defaults)"""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_limit(key: str) -> Callable[[Any], int | None]:
    def check(value: Any) -> int | None:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "default")):
            return None
        lo, hi = WHOLE_NUMBER_BOUNDS
        return _whole_number(key, value, lo, hi)

    return check


def _check_max_interval(value: Any) -> int:
    return _whole_number("maximum_interval", value, 1, 36500)


def _check_retention(value: Any) -> float:
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not 0.70 <= number <= 0.97:
        raise ValueError(
            f"setting 'desired_retention' must be a number between 0.70 and 0.97, got {value!r} "
            "(0.90 means cards fall due when recall drops to 90%)"
        )
    return number


def _check_fuzz(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "on", "yes", "1", "false", "off", "no", "0"):
        return value.strip().lower() in ("true", "on", "yes", "1")
    if not isinstance(value, bool):
        raise ValueError(f"setting 'fuzz' must be on or off, got {value!r}")
    return value


def _check_parameters(value: Any) -> list[float] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError("setting 'fsrs_parameters' must be a JSON list of numbers") from None
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        raise ValueError("setting 'fsrs_parameters' must be a JSON list of numbers")
    return [float(v) for v in value]


_DECK_CHECKS: dict[str, Callable[[Any], Any]] = {
    "new_per_day": _check_limit("new_per_day"),
    "reviews_per_day": _check_limit("reviews_per_day"),
    "desired_retention": _check_retention,
    "maximum_interval": _check_max_interval,
    "fuzz": _check_fuzz,
    "fsrs_parameters": _check_parameters,
}

DECK_SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(DeckSettings))

DEFAULT_DECK_SETTINGS: dict[str, Any] = DeckSettings().as_dict()


def check_deck_setting(key: str, value: Any) -> Any:
    """``value`` as deck setting ``key``'s type, or a one-line ``StoreError``."""
    if key not in DEFAULT_DECK_SETTINGS:
        known = ", ".join(sorted(("scheduler", *DEFAULT_DECK_SETTINGS)))
        raise StoreError(f"unknown deck setting {key!r}; known: {known}")
    return _checked(_DECK_CHECKS, key, value)
