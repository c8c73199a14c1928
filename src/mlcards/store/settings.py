"""The settings repository: values validated by ``mlcards.settings``, stored as JSON, cached per connection."""

from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from typing import Any

from mlcards import studyday
from mlcards.errors import StoreError
from mlcards.settings import DEFAULT_DECK_SETTINGS, DEFAULT_SETTINGS, DeckSettings, check_deck_setting, check_setting
from mlcards.store.connection import Connection


class SettingsMixin(Connection):
    def settings(self) -> dict[str, Any]:
        if self._settings is None:
            values = dict(DEFAULT_SETTINGS)
            for key, raw in self.db.execute("SELECT key, value FROM settings"):
                if key not in values:
                    continue  # a setting from a newer mlcards, or hand-added: doctor reports it
                try:
                    values[key] = check_setting(key, json.loads(raw))
                except (ValueError, TypeError, StoreError):
                    raise StoreError(
                        f"setting {key!r} holds an invalid value ({str(raw)[:40]!r}); reset it with "
                        f"`mlcards settings {key} {json.dumps(DEFAULT_SETTINGS[key])}`",
                        path=self.path,
                    ) from None
            self._settings = values
        return dict(self._settings)

    def setting(self, key: str) -> Any:
        return self.settings()[key]

    def set_setting(self, key: str, value: Any) -> Any:
        """Validate and store a setting; returns the stored value."""
        value = check_setting(key, value)
        with self.transaction():
            self.db.execute(
                "INSERT INTO settings (key, value, modified_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, modified_at = excluded.modified_at",
                [key, json.dumps(value), studyday.to_utc_text(studyday.now())],
            )
        self._settings = None
        return value

    # --- a deck's own settings ------------------------------------------------------------------------

    def deck_settings(self, deck_id: int) -> DeckSettings:
        """The deck's own settings (defaults for any it has not set)."""
        values = dict(DEFAULT_DECK_SETTINGS)
        for key, raw in self.db.execute("SELECT key, value FROM deck_settings WHERE deck_id = ?", [deck_id]):
            if key not in values:
                continue
            try:
                values[key] = check_deck_setting(key, json.loads(raw))
            except (ValueError, TypeError, StoreError):
                raise StoreError(
                    f"deck setting {key!r} holds an invalid value ({str(raw)[:40]!r}); reset it with "
                    f"`mlcards settings --deck NAME {key} default`",
                    path=self.path,
                ) from None
        return DeckSettings(**values)

    def set_deck_setting(self, deck_id: int, key: str, value: Any) -> Any:
        """Validate and store one of a deck's settings (``None`` or ``"default"``: back to the default)."""
        if isinstance(value, str) and value.strip().lower() == "default":
            value = None
        if value is None:
            check_deck_setting(key, DEFAULT_DECK_SETTINGS.get(key))
            with self.transaction():
                self.db.execute("DELETE FROM deck_settings WHERE deck_id = ? AND key = ?", [deck_id, key])
            return DEFAULT_DECK_SETTINGS[key]
        value = check_deck_setting(key, value)
        with self.transaction():
            self.db.execute(
                "INSERT INTO deck_settings (deck_id, key, value, modified_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(deck_id, key) DO UPDATE SET value = excluded.value, modified_at = excluded.modified_at",
                [deck_id, key, json.dumps(value), studyday.to_utc_text(studyday.now())],
            )
        return value

    def deck_limits(self) -> dict[int, tuple[int | None, int | None]]:
        """deck id -> (new per day, reviews per day) for the decks that set a limit of their own."""
        out: dict[int, tuple[int | None, int | None]] = {}
        for deck_id, key, raw in self.db.execute(
            "SELECT deck_id, key, value FROM deck_settings WHERE key IN ('new_per_day', 'reviews_per_day')"
        ):
            new, rev = out.get(deck_id, (None, None))
            value = json.loads(raw)
            value = value if isinstance(value, int) and not isinstance(value, bool) else None
            out[deck_id] = (value, rev) if key == "new_per_day" else (new, value)
        return out

    def tz(self) -> tzinfo | None:
        name = self.setting("timezone")
        if not name:
            return None
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)

    def today(self, now: datetime | None = None) -> date:
        """The current study day (rollover hour and time zone from the settings)."""
        return studyday.study_day(now or studyday.now(), self.setting("rollover_hour"), self.tz())

