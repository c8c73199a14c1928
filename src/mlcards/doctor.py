"""``mlcards doctor``: check a database file without changing it.

Checks, in order: the file (exists, is SQLite), SQLite's ``PRAGMA integrity_check``, the schema
(mlcards' migrations table, no migration newer than this mlcards, every table present),
``PRAGMA foreign_key_check``, orphan rows (terms without a deck, cards without a term, reviews
without a card, links to a missing term) and the stored settings (JSON that ``_check_setting``
accepts, unknown keys). Every check catches SQLite's errors and reports them: a damaged file gives
failed checks, never a traceback.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlcards.backup import MIGRATIONS_TABLE, REQUIRED_TABLES

SHOWN = 5
"""How many offending rows a check names before summarising the rest."""


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "problems": self.problems}

    def line(self) -> str:
        from mlcards.text import one_line

        return f"{'ok' if self.ok else 'PROBLEM':<7}  {self.name}: {one_line(self.detail)}"


@dataclass
class Report:
    path: Path
    checks: list[Check]

    @property
    def healthy(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_json(self) -> dict[str, object]:
        return {"path": str(self.path), "healthy": self.healthy, "checks": [c.as_json() for c in self.checks]}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _shown(items: list[str]) -> str:
    text = ", ".join(items[:SHOWN])
    return text + (f", ... ({len(items) - SHOWN} more)" if len(items) > SHOWN else "")


def _guard(name: str, fn: Callable[[], Check]) -> Check:
    try:
        return fn()
    except sqlite3.Error as e:
        return Check(name, False, f"cannot check: {e}", [str(e)])


def check(path: str | Path) -> Report:
    """Run every check on the database at ``path`` (opened read-only)."""
    path = Path(path).expanduser()
    if not path.exists():
        return Report(path, [Check("file", False, "no database here", ["missing"])])
    if path.is_dir():
        return Report(path, [Check("file", False, "is a folder, not a database file", ["folder"])])
    from urllib.parse import quote

    try:
        con = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as e:
        return Report(path, [Check("file", False, f"cannot open it: {e}", [str(e)])])
    try:
        try:
            con.execute("PRAGMA schema_version").fetchone()
        except sqlite3.Error as e:
            text = "not an SQLite database" if "not a database" in str(e) else f"cannot read it: {e}"
            return Report(path, [Check("file", False, text, [str(e)])])
        size = path.stat().st_size
        checks = [Check("file", True, f"SQLite database, {size / 1e6:.1f} MB")]

        def tables() -> set[str]:  # read per check: a damaged schema fails each check that needs it
            return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}

        checks.append(_guard("integrity", lambda: _integrity(con)))
        checks.append(_guard("schema", lambda: _schema(con, tables())))
        checks.append(_guard("foreign keys", lambda: _foreign_keys(con)))
        checks.append(_guard("orphans", lambda: _orphans(con, tables())))
        checks.append(_guard("settings", lambda: _settings(con, tables())))
        return Report(path, checks)
    finally:
        con.close()


def _integrity(con: sqlite3.Connection) -> Check:
    rows = [str(r[0]) for r in con.execute("PRAGMA integrity_check(100)")]
    if rows == ["ok"]:
        return Check("integrity", True, "ok")
    return Check("integrity", False, f"{_plural(len(rows), 'problem')}: {_shown(rows)}", rows)


def _schema(con: sqlite3.Connection, tables: set[str]) -> Check:
    from mlcards.store.schema import MIGRATION_NAMES, migrations

    known = sorted(MIGRATION_NAMES)
    problems = []
    applied: list[str] = []
    if MIGRATIONS_TABLE not in tables:
        problems.append("no migrations table (not an mlcards database, or never set up)")
    else:
        applied = [
            r[0]
            for r in con.execute(
                f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", [migrations.name]
            )
        ]
        newer = [n for n in applied if n not in known]
        if newer:
            problems.append(f"written by a newer mlcards (migration {', '.join(newer)}); upgrade mlcards")
        if not applied:
            problems.append("no mlcards migrations recorded")
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        problems.append(f"missing {'table' if len(missing) == 1 else 'tables'} {', '.join(missing)}")
    if problems:
        return Check("schema", False, "; ".join(problems), problems)
    pending = [n for n in known if n not in applied]
    version = applied[-1] if applied else "none"
    detail = f"version {version}, every table present"
    if pending:
        detail += f"; {_plural(len(pending), 'migration')} pending (applied by the next mlcards command)"
    return Check("schema", True, detail)


def _foreign_keys(con: sqlite3.Connection) -> Check:
    rows = con.execute("PRAGMA foreign_key_check").fetchall()
    if not rows:
        return Check("foreign keys", True, "ok")
    problems = [f"{table} row {rowid} -> missing {parent}" for table, rowid, parent, _fk in rows]
    return Check("foreign keys", False, f"{_plural(len(rows), 'row')} pointing nowhere: {_shown(problems)}", problems)


ORPHAN_QUERIES = [
    # (label, tables needed, SQL returning one description per orphan row)
    ("term without a deck", ("terms", "decks"),
     ("SELECT 'term ' || t.id || ' (' || t.term || ') -> deck ' || t.deck_id FROM terms t "
      "WHERE NOT EXISTS (SELECT 1 FROM decks d WHERE d.id = t.deck_id) ORDER BY t.id")),
    ("card without a term", ("cards", "terms"),
     ("SELECT 'card ' || c.id || ' -> term ' || c.term_id FROM cards c "
      "WHERE NOT EXISTS (SELECT 1 FROM terms t WHERE t.id = c.term_id) ORDER BY c.id")),
    ("review without a card", ("review_log", "cards"),
     ("SELECT 'review ' || r.id || ' -> card ' || r.card_id FROM review_log r "
      "WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.id = r.card_id) ORDER BY r.id")),
    ("link to a missing term", ("links", "terms"),
     ("SELECT 'link ' || l.term_id || ' -> ' || l.other_id FROM links l "
      "WHERE NOT EXISTS (SELECT 1 FROM terms t WHERE t.id = l.term_id) "
      "OR NOT EXISTS (SELECT 1 FROM terms t WHERE t.id = l.other_id) ORDER BY l.term_id, l.other_id")),
]


def _orphans(con: sqlite3.Connection, tables: set[str]) -> Check:
    problems, parts, skipped = [], [], []
    for label, needed, sql in ORPHAN_QUERIES:
        missing = [t for t in needed if t not in tables]
        if missing:
            skipped.append(f"{label.split()[0]}s (table {', '.join(missing)} missing)")
            continue
        found = [str(r[0]) for r in con.execute(sql)]
        if found:
            word, rest = label.split(" ", 1)
            parts.append(f"{_plural(len(found), word)} {rest} ({_shown(found)})")
            problems += found
    if skipped:
        problems += [f"cannot check {s}" for s in skipped]
        parts.append(f"cannot check {', '.join(skipped)}")
    if not parts:
        return Check("orphans", True, "none")
    return Check("orphans", False, "; ".join(parts), problems)


def _settings(con: sqlite3.Connection, tables: set[str]) -> Check:
    from mlcards.errors import StoreError
    from mlcards.store import DEFAULT_SETTINGS, _check_setting

    if "settings" not in tables:
        return Check("settings", False, "cannot check: table settings missing", ["table settings missing"])
    rows = con.execute("SELECT key, value FROM settings ORDER BY key").fetchall()
    problems = []
    for key, text in rows:
        if key not in DEFAULT_SETTINGS:
            problems.append(f"unknown setting {key!r}")
            continue
        try:
            value = json.loads(text)
        except (TypeError, ValueError):
            problems.append(f"{key}: stored value {str(text)[:40]!r} is not JSON")
            continue
        try:
            checked = _check_setting(key, value)
        except StoreError as e:
            problems.append(f"{key}: {e.message}")
            continue
        if checked != value or type(checked) is not type(value):
            problems.append(f"{key}: stored as {value!r}, should be {checked!r}")
    if problems:
        return Check("settings", False, f"{_plural(len(problems), 'problem')}: {'; '.join(problems)}", problems)
    return Check("settings", True, f"{_plural(len(rows), 'stored setting')}, all valid")
