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
    keymap: dict[str, str] = Field(default_factory=dict)
    """binding id -> keys, e.g. {"review.reveal": "space,j"}; ids are listed in the README"""

    @field_validator("new_per_day", "reviews_per_day", "rollover_hour", "leech_threshold", mode="before")
    @classmethod
    def _check_whole_number(cls, value: Any, info: ValidationInfo) -> int:
        key = str(info.field_name)
        lo, hi = BOUNDS.get(key, WHOLE_NUMBER_BOUNDS)
        return _whole_number(key, value, lo, hi)

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


def from_values(values: dict[str, Any]) -> Settings:
    """A ``Settings`` from already checked values (the defaults for any left out)."""
    return Settings.model_validate(values)
