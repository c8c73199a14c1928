"""The user's settings: one pydantic model with every setting, its default, bounds and validation.

``mlcards`` stores only what the user changed (``Store.set_setting``); ``check_setting`` turns a
value typed on the command line or read back from the database into the setting's type, or raises
a one-line ``StoreError`` saying what a valid value looks like.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

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


class Settings(BaseModel):
    """Every setting with its default (bounds: ``BOUNDS``); the messages are the ones the CLI prints."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = studyday.DEFAULT_ROLLOVER_HOUR
    timezone: str = ""  # IANA name; empty means the system's local zone
    leech_threshold: int = 8
    theme: str = "textual-dark"
    """the app's colour theme (any Textual theme name; the command palette's choice is saved here)"""
    answer_buttons: int = 6
    """6: grade 0-5 (SM-2's scale); 4: Again/Hard/Good/Easy on keys 1-4, logged as grades 1/3/4/5"""
    keymap: dict[str, str] = Field(default_factory=dict)
    """binding id -> keys, e.g. {"review.reveal": "space,j"}; ids are listed in the README"""
    sync_folder: str = ""
    """the shared folder (or ssh://host/path) the app syncs with; empty: the app never syncs by itself"""
    sync_on_start_quit: bool = False
    """sync with sync_folder when the app starts and when it quits"""

    @field_validator("new_per_day", "reviews_per_day", "rollover_hour", "leech_threshold", mode="before")
    @classmethod
    def _check_whole_number(cls, value: Any, info: ValidationInfo) -> int:
        key = str(info.field_name)
        lo, hi = BOUNDS.get(key, WHOLE_NUMBER_BOUNDS)
        return _whole_number(key, value, lo, hi)

    @field_validator("answer_buttons", mode="before")
    @classmethod
    def _check_buttons(cls, value: Any) -> int:
        if isinstance(value, str) and value.strip() in ("4", "6"):
            value = int(value)
        if value not in (4, 6) or isinstance(value, bool):
            raise ValueError(f"setting 'answer_buttons' must be 4 (Again/Hard/Good/Easy) or 6 (grades 0-5), got {value!r}")
        return int(value)

    @field_validator("theme", mode="before")
    @classmethod
    def _check_theme(cls, value: Any) -> str:
        text = str(value)
        if not text or len(text) > 60 or not all(c.isalnum() or c in "-_" for c in text):
            raise ValueError(f"setting 'theme' must be a theme name such as textual-dark, got {value!r}")
        return text

    @field_validator("timezone", mode="before")
    @classmethod
    def _check_timezone(cls, value: Any) -> str:
        if value:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(str(value))
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Paris") from None
        return str(value) if value else ""

    @field_validator("sync_folder", mode="before")
    @classmethod
    def _check_sync_folder(cls, value: Any) -> str:
        text = "" if value is None else str(value).strip()
        if any(c in text for c in "\n\r\0") or len(text) > 1000:
            raise ValueError(f"setting 'sync_folder' must be one folder path or ssh://host/path, got {value!r}")
        return text

    @field_validator("sync_on_start_quit", mode="before")
    @classmethod
    def _check_sync_on_start_quit(cls, value: Any) -> bool:
        if isinstance(value, str) and value.strip().lower() in ("true", "on", "yes", "1", "false", "off", "no", "0"):
            return value.strip().lower() in ("true", "on", "yes", "1")
        if not isinstance(value, bool):
            raise ValueError(f"setting 'sync_on_start_quit' must be on or off, got {value!r}")
        return value

    @field_validator("keymap", mode="before")
    @classmethod
    def _check_keymap(cls, value: Any) -> dict[str, str]:
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


SETTING_NAMES: tuple[str, ...] = tuple(Settings.model_fields)

DEFAULT_SETTINGS: dict[str, Any] = {name: getattr(Settings(), name) for name in SETTING_NAMES}
"""Every setting with its default; ``mlcards`` stores only what the user changed."""


def check_setting(key: str, value: Any) -> Any:
    """``value`` as setting ``key``'s type (a whole number given as text becomes an int, a keymap given
    as JSON text a dict), or a ``StoreError`` saying what is wrong."""
    if key not in DEFAULT_SETTINGS:
        raise StoreError(f"unknown setting {key!r}; known: {', '.join(sorted(DEFAULT_SETTINGS))}")
    try:
        checked = Settings.model_validate({key: value})
    except ValidationError as e:
        error = e.errors()[0]
        cause = (error.get("ctx") or {}).get("error")
        raise StoreError(str(cause) if cause is not None else error["msg"]) from None
    return getattr(checked, key)


class DeckSettings(BaseModel):
    """Settings a deck has of its own (``mlcards settings --deck NAME KEY VALUE``); None: the global value.

    The scheduler itself is the deck's ``scheduler`` column (switching it refolds the cards).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

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

    @field_validator("new_per_day", "reviews_per_day", mode="before")
    @classmethod
    def _check_limit(cls, value: Any, info: ValidationInfo) -> int | None:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "default")):
            return None
        lo, hi = WHOLE_NUMBER_BOUNDS
        return _whole_number(str(info.field_name), value, lo, hi)

    @field_validator("maximum_interval", mode="before")
    @classmethod
    def _check_max_interval(cls, value: Any) -> int:
        return _whole_number("maximum_interval", value, 1, 36500)

    @field_validator("desired_retention", mode="before")
    @classmethod
    def _check_retention(cls, value: Any) -> float:
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

    @field_validator("fuzz", mode="before")
    @classmethod
    def _check_fuzz(cls, value: Any) -> bool:
        if isinstance(value, str) and value.strip().lower() in ("true", "on", "yes", "1", "false", "off", "no", "0"):
            return value.strip().lower() in ("true", "on", "yes", "1")
        if not isinstance(value, bool):
            raise ValueError(f"setting 'fuzz' must be on or off, got {value!r}")
        return value

    @field_validator("fsrs_parameters", mode="before")
    @classmethod
    def _check_parameters(cls, value: Any) -> list[float] | None:
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


DECK_SETTING_NAMES: tuple[str, ...] = tuple(DeckSettings.model_fields)

DEFAULT_DECK_SETTINGS: dict[str, Any] = {name: getattr(DeckSettings(), name) for name in DECK_SETTING_NAMES}


def check_deck_setting(key: str, value: Any) -> Any:
    """``value`` as deck setting ``key``'s type, or a one-line ``StoreError``."""
    if key not in DEFAULT_DECK_SETTINGS:
        known = ", ".join(sorted(("scheduler", *DEFAULT_DECK_SETTINGS)))
        raise StoreError(f"unknown deck setting {key!r}; known: {known}")
    try:
        checked = DeckSettings.model_validate({key: value})
    except ValidationError as e:
        error = e.errors()[0]
        cause = (error.get("ctx") or {}).get("error")
        raise StoreError(str(cause) if cause is not None else error["msg"]) from None
    return getattr(checked, key)


def from_values(values: dict[str, Any]) -> Settings:
    """A ``Settings`` from already checked values (the defaults for any left out)."""
    return Settings.model_validate(values)
