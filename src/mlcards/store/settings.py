"""The settings repository: values validated by ``mlcards.settings``, stored as JSON, cached per connection."""

from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from typing import Any

from mlcards import studyday
from mlcards.errors import StoreError
from mlcards.settings import DEFAULT_SETTINGS, check_setting
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

    def tz(self) -> tzinfo | None:
        name = self.setting("timezone")
        if not name:
            return None
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)

    def today(self, now: datetime | None = None) -> date:
        """The current study day (rollover hour and time zone from the settings)."""
        return studyday.study_day(now or studyday.now(), self.setting("rollover_hour"), self.tz())

