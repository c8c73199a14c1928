"""The ``mlcards`` command: parse arguments, open the store, call the core, print.

Textual is imported only when the full-screen app opens. Expected failures print one line,
``error: <file>[:<line>]: <message>``, and exit 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from mlcards import __version__, cli_fsrs, cli_sync
from mlcards.cli_io import _after, _db_path, _err, _open, _out
from mlcards.errors import MlcardsError, StoreError
from mlcards.text import json_text

if TYPE_CHECKING:  # the command loads the store and the stats only when it needs them
    from mlcards.imports import Plan
    from mlcards.stats.data import Ratio, Summary
    from mlcards.store import Store


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        from mlcards.text import safe_line

        self.exit(2, f"error: {safe_line(message)} (see {self.prog} --help)\n")


def _db_option(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="database file (default: $MLCARDS_DB, else mlcards.db in the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlcards", description="Spaced-repetition flashcards for machine-learning terms.")
    parser.add_argument("--version", action="version", version=f"mlcards {__version__}")
    _db_option(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, *, db: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if db:
            _db_option(p, argparse.SUPPRESS)
        return p

    p = command("init", "create the database (with the bundled ML glossary unless --empty)")
    p.add_argument("--empty", action="store_true", help="create it without the bundled deck")

    p = command(
        "import",
        "import decks (deck files, glossary pages, Markdown, Anki text files and packages) "
        "in one all-or-nothing transaction",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--deck", metavar="NAME", help="import into this deck instead of the file's own name")
    p.add_argument("--dry-run", action="store_true", help="show what would change and write nothing")
    p.add_argument(
        "--with-history",
        action="store_true",
        help="also bring an Anki package's review log over: answers to cards exported by mlcards count as "
        "reviews; other Anki history feeds stats only",
    )

    p = command(
        "export",
        "export a deck (.json, .toml, .yaml, .tsv/.csv Anki text, .apkg Anki package) or, with --reviews, "
        "the review log (.csv); the format comes from the extension",
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--deck", metavar="NAME", help="the deck to export (with --reviews: only this deck's answers)")
    p.add_argument("--reviews", action="store_true", help="export the review log as CSV, one row per answer")
    p.add_argument(
        "--with-progress",
        action="store_true",
        help="(.apkg) include the cards' schedules and review log, so Anki continues where mlcards left off",
    )

    p = command("decks", "list decks with their term, card, new and due counts")
    p.add_argument("--json", action="store_true", help="print a JSON list")

    p = command("review", "review today's cards (full screen, or --plain line mode)")
    p.add_argument("--plain", action="store_true", help="line mode for pipes, scripts and screen readers")
    p.add_argument("--deck", metavar="NAME", help="only this deck's cards (default: every deck)")
    p.add_argument("--limit", type=_nonneg, metavar="N", help="at most N distinct cards")
    p.add_argument("--new-limit", type=_nonneg, metavar="N", help="today's new-card limit, for this session")
    p.add_argument("--review-limit", type=_nonneg, metavar="N", help="today's review limit, for this session")

    command("schema", "print the deck-file JSON Schema", db=False)

    p = command("lint", "check deck files (.json/.toml/.yaml): links, islands, give-away definitions, duplicates, "
                        "invisible characters, spelling; exit 1 on any error")
    p.add_argument("paths", nargs="+", metavar="DECKFILE")
    p.add_argument("--json", action="store_true", help="print a JSON list of findings")

    p = command("stats", "progress figures: today, streaks, true retention, card states, forecast, decks")
    p.add_argument("--deck", metavar="NAME", help="only this deck")
    p.add_argument("--range", choices=("7", "30", "90", "365", "all"), default="30",
                   help="days covered by the range figures (default 30)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = command("settings", "show or change a setting (new_per_day, reviews_per_day, rollover_hour, ...); "
                "with --deck, a deck's own settings (scheduler)")
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")
    p.add_argument("--deck", metavar="NAME", help="show or change this deck's settings instead (scheduler)")

    p = command("backup", "write a consistent copy of the database (safe while mlcards runs) to PATH, "
                          "by default into the backups folder beside the database")
    p.add_argument("path", nargs="?", metavar="PATH", help="a file, or a folder to write into")
    p = command("restore", "replace the database with a backup file, after checking it "
                           "(the current database is backed up first)")
    p.add_argument("path", metavar="PATH")
    p = command("add", "add a term to a deck (the deck is created if it does not exist)")
    p.add_argument("term", metavar="TERM")
    p.add_argument("definition", metavar="DEFINITION")
    p.add_argument("--deck", metavar="NAME", required=True, help="the deck to add it to")
    p.add_argument("--explanation", metavar="TEXT", help="a plain-English explanation")
    p.add_argument("--example", metavar="TEXT", help="a concrete example")
    p.add_argument("--related", metavar="A,B", help="related terms, comma-separated")
    p.add_argument("--tags", metavar="X,Y", help="tags, comma-separated")

    p = command("rm", "delete a term (with TERM) or a whole deck, with its cards and their history; "
                      "undo with mlcards undelete")
    p.add_argument("term", nargs="?", metavar="TERM", help="the term to delete (leave out to delete the deck)")
    p.add_argument("--deck", metavar="NAME", required=True, help="the deck (deleted whole when no TERM is given)")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")

    p = command("undelete", "put back what a delete removed (default: the latest delete)")
    p.add_argument("id", nargs="?", type=_nonneg, metavar="ID", help="a batch from mlcards trash")

    p = command("trash", "list deleted terms and decks that mlcards undelete can put back")
    p.add_argument("--all", action="store_true", help="also list batches already put back")

    p = command("rename", "rename a term (TERM NEW --deck NAME) or a deck (--deck OLD NEW); "
                          "cards and their history stay")
    p.add_argument("names", nargs="+", metavar="NAME", help="TERM NEW, or NEW with --deck OLD")
    p.add_argument("--deck", metavar="NAME", required=True, help="the term's deck, or the deck to rename")

    p = command("doctor", "check the database: integrity, foreign keys, orphan rows, settings, schema version")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--rebuild", action="store_true",
                   help="first recompute every card's schedule from the review log (the log is the truth)")
    cli_fsrs.add_commands(command)  # optimize, evaluate, simulate
    cli_sync.add_commands(command)  # sync
    return parser


def _nonneg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must not be negative")
    return value


class _SafeStream:
    """A text stream that sanitises what is written (the ``review --plain`` transcript)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        from mlcards.text import safe

        return self.stream.write(safe(text))

    def flush(self) -> None:
        self.stream.flush()


def _db_exists(args: argparse.Namespace) -> bool:
    from mlcards.store import default_db_path

    path = Path(args.db).expanduser() if args.db else default_db_path()
    return path.exists()


def _memory_store() -> Store:
    """What a dry run compares against when the database does not exist yet: nothing."""
    from mlcards.store import Store

    return Store.memory()


def _refuse_database_as_target(args: argparse.Namespace, target: Path) -> None:
    """An export must never write over the database (or its WAL/shared-memory files)."""
    db = _db_path(args)
    names = {db.name, db.name + "-wal", db.name + "-shm", db.name + "-journal"}
    try:
        same = target.exists() and db.exists() and target.samefile(db)
    except OSError:
        same = False
    if same or (target.name in names and target.resolve().parent == db.resolve().parent):
        raise MlcardsError("this is the database itself; export to another file", path=target)


# --- commands ------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from mlcards.database import open_database
    from mlcards.store import Store, default_db_path

    path = Path(args.db).expanduser() if args.db else default_db_path()
    if path.exists() and not path.is_dir():
        with Store.connect(path) as probe:  # an init that was interrupted left a file that is not set up
            if probe.is_set_up():
                raise StoreError("a database already exists here; nothing to do", path=path)
    with open_database(path, install_bundled=not args.empty) as store:
        summaries = store.deck_summaries()
    what = "empty" if not summaries else ", ".join(f"{s.name} ({s.terms} terms, {s.cards} cards)" for s in summaries)
    _out(f"created {path}: {what}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from mlcards import imports

    plan = _import_plan(args)  # every file parsed before anything is written
    store = _open(args) if not (args.dry_run and not _db_exists(args)) else _memory_store()
    with store:
        if args.dry_run:
            result = imports.preview(store, plan, with_history=args.with_history)
        else:
            result = imports.apply(store, plan, with_history=args.with_history)
    for line in result.notes():
        _out(line)
    for r in result.decks:
        _out(("would import " if args.dry_run else "imported ") + r.summary())
        if args.dry_run or r.missing:
            for label, items in (("added", r.added), ("updated", r.updated), ("missing", r.missing)):
                if items and (args.dry_run or label == "missing"):
                    shown = ", ".join(items[:20]) + (f", ... ({len(items) - 20} more)" if len(items) > 20 else "")
                    _out(f"  {label}: {shown}")
    for line in result.history_lines():
        _out(line)
    if args.dry_run:
        _out("dry run: nothing was written")
    return 0


def _import_plan(args: argparse.Namespace) -> Plan:
    """Every file parsed; when any does not parse, each bad file is reported (one line each) and nothing imported."""
    from mlcards import imports
    from mlcards.errors import DeckError
    from mlcards.importers import load

    try:
        return imports.plan(args.paths, deck_name=args.deck)
    except DeckError as first:
        errors: list[MlcardsError] = []
        for path in args.paths:
            try:
                load(path, deck_name=args.deck)
            except MlcardsError as e:
                errors.append(e)
        if len(errors) <= 1:
            raise first from None
        for bad in errors[:-1]:
            _err(f"error: {bad}")
        raise MlcardsError(f"{errors[-1]} ({len(errors)} files could not be read; nothing was imported)") from None


def cmd_export(args: argparse.Namespace) -> int:
    from mlcards import exporters

    path = Path(args.path)
    _refuse_database_as_target(args, path)
    if args.reviews:
        if path.suffix.lower() not in exporters.REVIEW_LOG_EXTENSIONS:
            raise MlcardsError(
                f"cannot export the review log to {path.suffix or 'a file without extension'}; supported: .csv",
                path=path,
            )
        exporters.check_destination(path)
        from mlcards.exporters import reviews

        with _open(args) as store:
            count = reviews.write(store, path, deck=args.deck)
        _out(f"exported {count} review{'' if count == 1 else 's'} to {path}")
        return 0
    fmt = exporters.deck_format_for(path)  # unknown extension: one line listing the supported ones
    if not args.deck:
        raise MlcardsError("which deck? add --deck NAME (or --reviews to export the review log)", path=path)
    if args.with_progress and path.suffix.lower() != ".apkg":
        raise MlcardsError("--with-progress needs an Anki package; give a path ending in .apkg", path=path)
    exporters.check_destination(path)
    if path.suffix.lower() == ".apkg":  # GUIDs from the terms' UUIDs (and, asked, the progress)
        from mlcards import anki_progress

        with _open(args) as store:
            done = anki_progress.export_apkg(store, args.deck, path, with_progress=args.with_progress)
        extra = f", with {done.cards} card schedules and {done.answers} answers" if args.with_progress else ""
        _out(f"exported {done.deck} ({done.terms} terms) to {path} ({fmt.name}{extra})")
        return 0
    with _open(args) as store:
        deck = store.export_deck(args.deck)
    exporters.export_deck(deck, path)
    _out(f"exported {deck.name} ({len(deck.terms)} terms) to {path} ({fmt.name})")
    return 0


def cmd_decks(args: argparse.Namespace) -> int:
    with _open(args) as store:
        summaries = store.deck_summaries()
    if args.json:
        _out(json_text([s.as_json() for s in summaries]))
        return 0
    if not summaries:
        _out("no decks yet: mlcards import PATH")
        return 0
    from mlcards.text import one_line

    width = max(len(one_line(s.name)) for s in summaries)
    _out(f"{'deck':<{width}}  {'terms':>6}  {'cards':>6}  {'new':>6}  {'learn':>6}  {'due':>6}")
    for s in summaries:
        _out(f"{one_line(s.name):<{width}}  {s.terms:>6}  {s.cards:>6}  {s.new:>6}  {s.learning:>6}  {s.due:>6}")
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    from mlcards import lint

    findings = lint.lint_paths(args.paths)
    if args.json:
        _out(json_text([f.as_json() for f in findings], indent=2))
    else:
        for f in findings:
            _out(f.text())
        _out(lint.summary(findings, len(args.paths)))
    return 1 if any(f.severity == "error" for f in findings) else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from mlcards.models import Deck

    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mlcards deck file"
    _out(json.dumps(schema, indent=2))
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    if args.deck is not None:
        return _deck_settings(args)
    with _open(args) as store:
        if args.key is None:
            for key, value in store.settings().items():
                _out(f"{key} = {json.dumps(value)}")
            return 0
        if args.value is None:
            if args.key not in store.settings():
                raise StoreError(f"unknown setting {args.key!r}; known: {', '.join(sorted(store.settings()))}")
            _out(json.dumps(store.setting(args.key)))
            return 0
        value = store.set_setting(args.key, args.value)
        _out(f"{args.key} = {json.dumps(value)}")
    return 0


def _deck_settings(args: argparse.Namespace) -> int:
    """``settings --deck NAME [KEY [VALUE]]``: the settings a deck has of its own.

    ``scheduler`` switches the deck's scheduler (refolding its cards); the others are values such as
    the deck's own new and review limits (``default`` drops the deck's value).
    """
    from mlcards import answering
    from mlcards.settings import DECK_SETTING_NAMES, check_deck_setting

    with _open(args) as store:
        deck_id = store.require_deck(args.deck)
        if args.key is None:
            _out(f"scheduler = {json.dumps(store.deck_scheduler(deck_id))}")
            for key, value in store.deck_settings(deck_id).as_dict().items():
                _out(f"{key} = {json.dumps(value)}")
            return 0
        if args.key != "scheduler":
            if args.key not in DECK_SETTING_NAMES:
                check_deck_setting(args.key, None)  # refused: names the known deck settings
            if args.value is None:
                _out(json.dumps(getattr(store.deck_settings(deck_id), args.key)))
                return 0
            value = answering.set_deck_setting(store, deck_id, args.key, args.value)  # refolds an FSRS deck
            _out(f"{args.key} = {json.dumps(value)} for {args.deck}")
            return 0
        if args.value is None:
            _out(json.dumps(store.deck_scheduler(deck_id)))
            return 0
        changed = answering.switch_scheduler(store, deck_id, args.value)
        _out(f"scheduler = {json.dumps(args.value)} for {args.deck} "
             f"({changed} {'card' if changed == 1 else 'cards'} rebuilt from the review log)")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    if not args.plain:
        return run_tui(args, start="review")
    from mlcards.plain import run_plain_review

    with _open(args) as store:
        return run_plain_review(
            store,
            deck=args.deck,
            limit=args.limit,
            new_limit=args.new_limit,
            review_limit=args.review_limit,
            stdout=_SafeStream(sys.stdout),
        )


def cmd_stats(args: argparse.Namespace) -> int:
    from mlcards import stats

    with _open(args) as store:
        summary = stats.summary(store, deck=args.deck, range=args.range)
    if args.json:
        _out(json_text(summary.as_json()))
    else:
        for line in _stats_text(summary):
            _out(line)
    return 0


def _stats_text(s: Summary) -> list[str]:
    """The readable face of ``stats.Summary`` (deck and term text folded to one clean line)."""
    from mlcards.text import one_line
    from mlcards.wording import duration, plural

    def pct(rate: float | None) -> str:
        return "-" if rate is None else f"{rate * 100:.1f}%"

    def ratio(r: Ratio) -> str:
        return f"{pct(r.rate)} ({r.passed}/{r.answers})" if r.answers else "no data"

    span = "all time" if s.range == "all" else f"last {s.range} days"
    d, st, c = s.day, s.streaks, s.cards
    lines = [
        f"mlcards stats: {one_line(s.deck) if s.deck else 'all decks'}, study day {s.today:%a %d %b %Y}",
        f"today      {plural(d.answers, 'answer')} on {plural(d.cards, 'card')} ({d.new} new, {d.review} review, {d.redrill} re-drill), "
        f"{pct(d.accuracy)} correct, {duration(ms=d.time_ms)}",
        f"total      {plural(s.reviews_total, 'answer')} on {plural(st.days_studied, 'study day')}",
        f"streak     {plural(st.current, 'day')} (longest {st.longest})"
        + ("" if st.studied_today or not st.current else ", nothing answered yet today"),
        f"retention  {ratio(s.retention_30d.total)} last 30 days; young {ratio(s.retention_30d.young)}, "
        f"mature {ratio(s.retention_30d.mature)}",
        "           " + ", ".join(f"{'all time' if k == 'all' else k + ' days'} {pct(r.rate)}"
                                  for k, r in s.retention_by_range.items()),
        f"cards      {c.new} new, {c.learning} learning, {c.young} young, {c.mature} mature, "
        f"{c.suspended} suspended ({plural(c.leech, 'leech', 'leeches')}), {c.total} in all",
    ]
    due = [f.due for f in s.forecast]
    lines.append(f"due        today {due[0]}, tomorrow {due[1]}, next 7 days {sum(due[:7])}, "
                 f"next {len(due)} days {sum(due)}")
    answered = sum(x.reviews for x in s.reviews_per_day)
    days = sum(1 for x in s.reviews_per_day if x.reviews)
    lines.append(f"activity   {plural(answered, 'answer')}, {days} of {plural(len(s.reviews_per_day), 'day')} studied ({span})")
    lines.append(f"related    {ratio(s.related)} on related-concept questions, {span}")
    if s.confused_pairs:
        lines.append("confused   most confused pairs: " + ", ".join(
            f"{one_line(p.term)} / {one_line(p.other)} ({p.times}x)" for p in s.confused_pairs))
    if s.decks:
        w = max(4, *(len(one_line(x.name)) for x in s.decks))
        lines += ["", f"{'deck':<{w}}  {'terms':>6} {'cards':>6} {'new':>6} {'learn':>6} {'young':>6} "
                      f"{'mature':>6} {'susp':>6} {'mature%':>8}"]
        for x in s.decks:
            t = x.states
            lines.append(f"{one_line(x.name):<{w}}  {x.terms:>6} {x.cards:>6} {t.new:>6} {t.learning:>6} "
                         f"{t.young:>6} {t.mature:>6} {t.suspended:>6} {pct(x.mature_share):>8}")
    if s.hardest_terms:
        lines += ["", "hardest terms (lapses, lowest easiness)"]
        for h in s.hardest_terms:
            lines.append(f"  {one_line(h.term)} ({one_line(h.deck)}): {plural(h.lapses, 'lapse')}, "
                         f"easiness {h.easiness:.2f}" + (", leech" if h.leech else ""))
    if s.clusters:
        lines += ["", f"weakest related-concept clusters ({span})"]
        for k in s.clusters:
            lines.append(f"  {one_line(k.term)} and {k.size - 1} linked ({one_line(k.deck)}): "
                         f"{pct(k.rate)} ({k.passed}/{k.answers})")
    return lines


def run_tui(args: argparse.Namespace, start: str = "home") -> int:
    with _open(args) as store:
        path = store.path
    assert path is not None  # a store opened from a file (only an in-memory store has no path)
    from mlcards.tui.app import run  # Textual loads only here

    return run(path, start=start, deck=getattr(args, "deck", None))


# --- backups and repair ----------------------------------------------------------------------------


def _database_path(args: argparse.Namespace) -> Path:
    from mlcards.store import default_db_path

    return Path(args.db).expanduser() if getattr(args, "db", None) else default_db_path()


def cmd_backup(args: argparse.Namespace) -> int:
    from mlcards import backup

    db = _database_path(args)
    dest = backup.manual_backup(db, args.path)
    _out(f"backed up {db} to {dest}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from mlcards import backup

    db = _database_path(args)
    result = backup.restore(db, args.path)
    counts = ", ".join(f"{n} {w}{'' if n == 1 else 's'}" for n, w in
                       ((result.info.decks, "deck"), (result.info.cards, "card"), (result.info.reviews, "review")))
    _out(f"restored {db} from {args.path} ({counts})")
    if result.previous is not None:
        _out(f"the database as it was before is saved in {result.previous}")
    from mlcards.store import Store

    try:  # a backup from an older mlcards is upgraded now (with its own pre-migration copy), not mid-session
        Store.open(db).close()
    except MlcardsError as e:
        _err(f"note: the restored database will be upgraded when next opened: {e}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from mlcards import doctor

    if args.rebuild:
        from mlcards import answering

        with _open(args) as store:
            changed = answering.rebuild(store)
        if not args.json:
            _out(f"rebuilt   every card's schedule from the review log: {changed} "
                 f"{'card differed' if changed == 1 else 'cards differed'} from the cache")
    report = doctor.check(_database_path(args))
    if args.json:
        _out(json_text(report.as_json()))
    else:
        for c in report.checks:
            _out(c.line())
    return 0 if report.healthy else 1


# --- adding, deleting, renaming ---------------------------------------------------------------------


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def cmd_add(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from mlcards import editing
    from mlcards.models import Term, describe_validation_error
    from mlcards.text import one_line
    from mlcards.wording import plural

    data = {
        "term": args.term, "definition": args.definition, "explanation": args.explanation,
        "example": args.example, "related": _names(args.related), "tags": _names(args.tags),
    }
    try:
        term = Term.model_validate(data)
    except ValidationError as e:
        raise MlcardsError(f"cannot add this term: {describe_validation_error(e, data)[0]}") from None
    with _open(args) as store:
        added = editing.add_term_report(store, args.deck, term)
    if added.created_deck:
        _out(f"created deck {one_line(added.deck)}")
    _out(f"added {one_line(term.term)!r} to {one_line(added.deck)} ({plural(added.cards, 'card')})")
    return 0


def _confirm(question: str, args: argparse.Namespace) -> None:
    """Ask ``question [y/N]`` on a terminal; without one, only ``--yes`` goes ahead."""
    from mlcards.text import safe_line

    if args.yes:
        return
    if not sys.stdin.isatty():
        raise MlcardsError(f"{question[:-1]}: add --yes to confirm (stdin is not a terminal)")
    sys.stdout.write(safe_line(question) + " [y/N] ")
    sys.stdout.flush()
    reply = sys.stdin.readline().strip().lower()
    if reply not in ("y", "yes"):
        raise MlcardsError("nothing was deleted")


def cmd_rm(args: argparse.Namespace) -> int:
    from mlcards import editing
    from mlcards.text import one_line, term_key
    from mlcards.wording import plural

    with _open(args) as store:
        deck_id = store.require_deck(args.deck)
        deck = store.deck_name(deck_id)
        if args.term is None:
            terms, cards, answers = store.deck_counts(deck_id)
            _confirm(f"Delete deck {one_line(deck)!r} with {plural(terms, 'term')}, {plural(cards, 'card')} "
                     f"and {plural(answers, 'answer')}?", args)
            trash_id = editing.delete_deck(store, deck_id)
        else:
            term_id = store.term_id_in_deck(deck_id, term_key(args.term))
            if term_id is None:
                raise MlcardsError(f"deck {one_line(deck)!r} has no term {one_line(args.term)!r}")
            name = store.term_model(term_id).term
            of_term = store.cards_of_term(term_id)
            _confirm(f"Delete {one_line(name)!r} from {one_line(deck)} with {plural(len(of_term), 'card')} "
                     f"and {plural(sum(c.reviews for c in of_term), 'answer')}?", args)
            trash_id = editing.delete_terms(store, [term_id])
        label = store.trash_payload(trash_id)[0].label
    _out(f"deleted {label}; undo with: {editing.UNDO_HINT}")  # the latest batch: no id needed
    return 0


def cmd_undelete(args: argparse.Namespace) -> int:
    from mlcards import editing

    with _open(args) as store:
        label = editing.restore(store, args.id)
    _out(f"restored {label}")
    return 0


def cmd_trash(args: argparse.Namespace) -> int:
    from mlcards import editing
    from mlcards.text import one_line

    with _open(args) as store:
        entries = editing.trash(store, include_restored=args.all)
    if not entries:
        _out("the trash is empty" if args.all else "nothing to undelete")
        return 0
    width = max(2, *(len(str(e.id)) for e in entries))
    _out(f"{'id':>{width}}  {'deleted (UTC)':<20}  what")
    for e in entries:
        when = e.deleted_at.replace("T", " ")[:19]
        done = f"  (restored {e.restored_at.replace('T', ' ')[:16]})" if e.restored_at else ""
        _out(f"{e.id:>{width}}  {when:<20}  {one_line(e.label)}{done}")
    _out("put one back with: mlcards undelete ID")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    from mlcards import editing
    from mlcards.text import one_line, term_key

    if len(args.names) > 2:
        raise MlcardsError("rename takes TERM NEW --deck NAME, or --deck OLD NEW")
    with _open(args) as store:
        deck_id = store.require_deck(args.deck)
        deck = store.deck_name(deck_id)
        if len(args.names) == 1:
            editing.rename_deck(store, deck_id, args.names[0])
            _out(f"renamed deck {one_line(deck)!r} to {one_line(store.deck_name(deck_id))!r}")
            return 0
        old, new = args.names
        term_id = store.term_id_in_deck(deck_id, term_key(old))
        if term_id is None:
            raise MlcardsError(f"deck {one_line(deck)!r} has no term {one_line(old)!r}")
        before = store.term_model(term_id).term
        editing.rename_term(store, term_id, new)
        _out(f"renamed {one_line(before)!r} to {one_line(store.term_model(term_id).term)!r} in {one_line(deck)}; "
             "its cards and their history stay")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "decks": cmd_decks,
    "review": cmd_review,
    "schema": cmd_schema,
    "lint": cmd_lint,
    "settings": cmd_settings,
    "stats": cmd_stats,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "doctor": cmd_doctor,
    "add": cmd_add,
    "rm": cmd_rm,
    "undelete": cmd_undelete,
    "trash": cmd_trash,
    "rename": cmd_rename,
    **cli_fsrs.COMMANDS,
    **cli_sync.COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return run_tui(args)
        return _after(COMMANDS[args.command](args))
    except MlcardsError as e:
        _err(f"error: {e}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except sqlite3.Error as e:  # a damaged, locked, read-only or full database: one line, no traceback
        from mlcards.store import _db_error

        _err(f"error: {_db_error(e, _db_path(args))}")
        return 1
    except OSError as e:  # a file system failure outside SQLite (full disk, permissions, long names)
        where = f"{e.filename}: " if e.filename else ""
        _err(f"error: {where}{e.strerror or e}; check the path, its permissions and the free space")
        return 1
    except Exception as e:  # a bug: one line and a log file, never a bare traceback
        _err(f"error: mlcards stopped on an unexpected error ({type(e).__name__}: {e}){_crash_log(e)}")
        return 1


def _crash_log(error: BaseException) -> str:
    """Write the traceback of an unexpected error to a log file; returns '; details in PATH' or ''."""
    import os
    import tempfile
    import traceback
    from datetime import datetime

    import platformdirs

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for folder in (platformdirs.user_log_path("mlcards", appauthor=False), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"mlcards-crash-{stamp}-{os.getpid()}.log"
            path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
            return f"; details in {path}"
        except OSError:
            continue
    return ""


if __name__ == "__main__":
    raise SystemExit(main())
