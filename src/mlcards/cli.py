"""The ``mlcards`` command: parse arguments, open the store, call the core, print.

Textual is imported only when the full-screen app opens. Expected failures print one line,
``error: <file>[:<line>]: <message>``, and exit 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from mlcards import __version__
from mlcards.errors import MlcardsError, StoreError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _db_option(parser: argparse.ArgumentParser, default) -> None:
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

    def command(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        _db_option(p, argparse.SUPPRESS)
        return p

    p = command("init", "create the database (with the bundled ML glossary unless --empty)")
    p.add_argument("--empty", action="store_true", help="create it without the bundled deck")

    p = command("import", "import deck files (JSON, TOML, YAML) in one all-or-nothing transaction")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--deck", metavar="NAME", help="import into this deck instead of the file's own name")
    p.add_argument("--dry-run", action="store_true", help="show what would change and write nothing")

    p = command("export", "export a deck to a file; the format comes from the extension")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--deck", metavar="NAME", required=True)

    p = command("decks", "list decks with their term, card, new and due counts")
    p.add_argument("--json", action="store_true", help="print a JSON list")

    p = command("review", "review today's cards (full screen, or --plain line mode)")
    p.add_argument("--plain", action="store_true", help="line mode for pipes, scripts and screen readers")
    p.add_argument("--deck", metavar="NAME")
    p.add_argument("--limit", type=_nonneg, metavar="N", help="at most N distinct cards")
    p.add_argument("--new-limit", type=_nonneg, metavar="N", help="today's new-card limit, for this session")
    p.add_argument("--review-limit", type=_nonneg, metavar="N", help="today's review limit, for this session")

    command("schema", "print the deck-file JSON Schema")

    p = command("settings", "show or change a setting (new_per_day, reviews_per_day, rollover_hour, ...)")
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")
    return parser


def _nonneg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must not be negative")
    return value


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _open(args, *, install_bundled: bool = True):
    from mlcards.store import Store

    return Store.open(args.db, install_bundled=install_bundled)


# --- commands ------------------------------------------------------------------------------------


def cmd_init(args) -> int:
    from mlcards.store import Store, default_db_path

    path = Path(args.db).expanduser() if args.db else default_db_path()
    if path.exists():
        raise StoreError("a database already exists here; nothing to do", path=path)
    with Store.open(path, install_bundled=not args.empty) as store:
        summaries = store.deck_summaries()
    what = "empty" if not summaries else ", ".join(f"{s.name} ({s.terms} terms, {s.cards} cards)" for s in summaries)
    _out(f"created {path}: {what}")
    return 0


def cmd_import(args) -> int:
    from mlcards import importers

    batches = [(p, importers.load(p, deck_name=args.deck)) for p in args.paths]  # parse all before writing
    with _open(args) as store:
        reports = []
        with store.transaction():
            for _path, parsed in batches:
                for deck in parsed.decks:
                    reports.append(store.apply_deck(deck, mode=parsed.mode, dry_run=args.dry_run))
    for _path, parsed in batches:
        for notice in parsed.notices:
            _out(f"note: {notice}")
    for r in reports:
        _out(("would import " if args.dry_run else "imported ") + r.summary())
        if args.dry_run or r.missing:
            for label, items in (("added", r.added), ("updated", r.updated), ("missing", r.missing)):
                if items and (args.dry_run or label == "missing"):
                    shown = ", ".join(items[:20]) + (f", ... ({len(items) - 20} more)" if len(items) > 20 else "")
                    _out(f"  {label}: {shown}")
    if args.dry_run:
        _out("dry run: nothing was written")
    return 0


def cmd_export(args) -> int:
    from mlcards.exporters import deckfile

    path = Path(args.path)
    if path.suffix.lower() not in deckfile.EXTENSIONS:
        raise MlcardsError(f"cannot export to {path.suffix or 'a file without extension'}; use .json, .toml or .yaml", path=path)
    with _open(args) as store:
        deck = store.export_deck(args.deck)
    try:
        deckfile.write(deck, path)
    except OSError as e:
        raise MlcardsError(f"cannot write: {e.strerror}", path=path) from None
    _out(f"exported {deck.name} ({len(deck.terms)} terms) to {path}")
    return 0


def cmd_decks(args) -> int:
    with _open(args) as store:
        summaries = store.deck_summaries()
    if args.json:
        _out(json.dumps([s.as_json() for s in summaries], ensure_ascii=False))
        return 0
    if not summaries:
        _out("no decks yet: mlcards import PATH")
        return 0
    from mlcards.text import one_line

    width = max(len(one_line(s.name)) for s in summaries)
    _out(f"{'deck':<{width}}  {'terms':>6}  {'cards':>6}  {'new':>6}  {'due':>6}")
    for s in summaries:
        _out(f"{one_line(s.name):<{width}}  {s.terms:>6}  {s.cards:>6}  {s.new:>6}  {s.due:>6}")
    return 0


def cmd_schema(args) -> int:
    from mlcards.models import Deck

    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mlcards deck file"
    _out(json.dumps(schema, indent=2))
    return 0


def cmd_settings(args) -> int:
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
        store.set_setting(args.key, args.value)
        _out(f"{args.key} = {json.dumps(store.setting(args.key))}")
    return 0


def cmd_review(args) -> int:
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
        )


def run_tui(args, start: str = "home") -> int:
    with _open(args) as store:
        path = store.path
    from mlcards.tui.app import run  # Textual loads only here

    run(path, start=start, deck=getattr(args, "deck", None))
    return 0


COMMANDS: dict[str, Callable] = {
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "decks": cmd_decks,
    "review": cmd_review,
    "schema": cmd_schema,
    "settings": cmd_settings,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return run_tui(args)
        return COMMANDS[args.command](args)
    except MlcardsError as e:
        from mlcards.text import one_line

        sys.stderr.write(f"error: {one_line(str(e))}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
