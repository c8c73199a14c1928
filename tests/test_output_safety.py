"""Issue 8, section 4: the terminal is never reached by deck text or file names.

Hostile text (ANSI colours, OSC 52 clipboard writes, OSC 8 hyperlinks, BEL, the one-byte C1 CSI
U+009B, NEL U+0085, bidi overrides and isolates) goes into deck names, terms, definitions, tags, file
names and an Anki column header. It is imported with the real CLI, and also written straight into a
database file with ``sqlite3`` (a hand-edited database: the importers' cleaning is bypassed, so only
the output edges stand between it and the terminal). Then every command runs, failing ones too, and
every byte of stdout and stderr is scanned.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mlcards import answering
from mlcards.store import Store
from mlcards.text import json_text, safe, safe_line
from tests.conftest import small_deck

ESC_RED = "\x1b[31mred\x1b[0m"
OSC52 = "\x1b]52;c;aGVsbG8gd29ybGQ=\x07"
OSC8 = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
BEL = "\x07"
CSI = "\x9b2J"
NEL = "\x85"
BIDI = "\u202eevil\u2066iso\u2069"
HOSTILE = f"{ESC_RED} {OSC52} {OSC8} bell{BEL} csi{CSI} nel{NEL} {BIDI} del\x7f"
SHORT = "\x1b[31m\x9b\u202e\x07"  # for file names (kept short; every kind of byte once)

# the bytes a terminal acts on: C0 except \t \n, DEL; and the UTF-8 forms of C1 and the bidi controls
FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")
FORBIDDEN_CHARS = re.compile("[\x80-\x9f\u202a-\u202e\u2066-\u2069]")

NOW = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)


def unsafe_in(data: bytes) -> list[str]:
    """What in ``data`` could drive a terminal (empty when clean)."""
    found = [f"byte {m.group()!r} at {m.start()}" for m in FORBIDDEN_BYTES.finditer(data)]
    try:
        text = data.decode("utf-8")  # strict: a raw 0x9b (or any stray byte) fails here
    except UnicodeDecodeError as e:
        return [*found, f"not UTF-8: {e}"]
    found += [f"U+{ord(m.group()):04X} at {m.start()}" for m in FORBIDDEN_CHARS.finditer(text)]
    return found


def run(*args, db: Path | None = None, input: bytes | None = None, cwd: Path | None = None):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("MLCARDS_DB", None)
    cmd = [sys.executable, "-m", "mlcards", *map(str, args)]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(cmd, input=input, capture_output=True, env=env, cwd=cwd, timeout=120)


def assert_clean(r, what: str) -> None:
    assert "Traceback" not in r.stderr.decode("utf-8", "replace"), (what, r.stderr)
    for name, data in (("stdout", r.stdout), ("stderr", r.stderr)):
        problems = unsafe_in(data)
        assert not problems, (what, name, problems[:5], data[:400])


# --- hostile files -----------------------------------------------------------------------------------


def hostile_deck(name: str) -> dict:
    terms = []
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    for i, w in enumerate(words):
        terms.append(dict(
            term=f"{w} {HOSTILE}" if i < 2 else w,
            definition=f"Definition of {w}: {HOSTILE}",
            explanation=f"Explained {OSC52}{OSC8}",
            example=f"e.g. {CSI}{BIDI}",
            related=[words[(i + 1) % 6], words[(i + 2) % 6]],
            tags=[f"tag{ESC_RED}", "plain"],
        ))
    return {"name": name, "description": HOSTILE, "terms": terms}


def write_files(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    deck = folder / "deck.json"
    deck.write_text(json.dumps(hostile_deck(f"Hostile {HOSTILE}")), encoding="utf-8")
    files["deck"] = deck
    # the file NAME carries the bytes (Linux allows every byte but / and NUL)
    named = folder / f"named{SHORT}.json"
    try:
        named.write_text(json.dumps(hostile_deck("Named")), encoding="utf-8")
        files["named"] = named
    except OSError:  # a file system that refuses such names
        pass
    # an undecodable byte in the name (arrives as a surrogate; must not go back out as a raw 0x9b)
    if sys.platform.startswith("linux"):
        raw = folder / os.fsdecode(b"raw\x9b\x1b[7m.tsv")
        try:
            raw.write_text("front\tback\nomega\tLast letter.\n", encoding="utf-8")
            files["raw"] = raw
        except OSError:
            pass
    # an Anki text file with a hostile column header (reported as "columns ignored")
    anki = folder / f"anki{SHORT}.tsv"
    try:
        anki.touch()
    except OSError:
        anki = folder / "anki.tsv"
    anki.write_text(
        f"#separator:Tab\n#columns:Front\tBack\tEvil {OSC52}{CSI}{BIDI} header\n"
        f"theta\tEighth letter. {ESC_RED}\tx\niota\tNinth letter.\ty\n",
        encoding="utf-8",
    )
    files["anki"] = anki
    return files


def importable(files: dict[str, Path]) -> list[Path]:
    """The files an import accepts (a name that is not UTF-8 cannot name a deck: its import fails)."""
    return [p for k, p in files.items() if k != "raw"]


HAND_NAME = f"Hand {HOSTILE}"


def hand_edit(db: Path) -> None:
    """Write hostile text straight into the database, past every importer and model."""
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE decks SET name = ?, description = ? WHERE name = 'Plain'", (HAND_NAME, HOSTILE))
        for (tid, term) in con.execute("SELECT id, term FROM terms").fetchall():
            con.execute(
                "UPDATE terms SET term = ?, definition = ?, explanation = ?, example = ?, tags = ? WHERE id = ?",
                (f"{term} {HOSTILE}", f"Def {HOSTILE}", f"Expl {OSC52}", f"Ex {CSI}",
                 json.dumps([f"tag{ESC_RED}", f"t{CSI}"]), tid),
            )
    con.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    files = write_files(base / "in")
    out = base / "out"
    out.mkdir()

    imported = base / "imported.db"
    Store.open(imported).close()
    r = run("import", *importable(files), db=imported)
    assert_clean(r, "import")
    assert r.returncode == 0, r.stderr

    hand = base / "hand.db"
    with Store.open(hand) as store:
        store.apply_deck(small_deck("Plain"))
        # some history, so stats lists hardest terms and clusters
        for row in store.db.query("SELECT id FROM cards ORDER BY id LIMIT 6"):
            answering.answer(store, row["id"], 5, datetime(2026, 2, 20, 12, tzinfo=timezone.utc))
            answering.answer(store, row["id"], 1, datetime(2026, 2, 28, 12, tzinfo=timezone.utc))
    hand_edit(hand)
    return {"base": base, "files": files, "out": out, "imported": imported, "hand": hand}


def names(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT name FROM decks ORDER BY id")]
    finally:
        con.close()


def commands(w, db: Path) -> list[tuple[str, list, bytes | None]]:
    """Every command, succeeding and failing, as (label, argv, stdin)."""
    out = w["out"] / db.stem
    out.mkdir(exist_ok=True)
    deck = names(db)[0]
    files = w["files"]
    cmds = [
        ("decks", ["decks"], None),
        ("decks --json", ["decks", "--json"], None),
        ("stats", ["stats", "--range", "all"], None),
        ("stats --json", ["stats", "--json", "--range", "all"], None),
        ("stats --deck", ["stats", "--deck", deck], None),
        ("stats --deck --json", ["stats", "--deck", deck, "--json"], None),
        ("settings", ["settings"], None),
        ("settings key", ["settings", "timezone"], None),
        ("settings unknown key", ["settings", f"nope{SHORT}"], None),
        ("settings bad value", ["settings", "new_per_day", f"ten{SHORT}"], None),
        ("schema", ["schema"], None),
    ]
    for ext in (".json", ".toml", ".yaml", ".tsv", ".csv", ".apkg"):
        cmds.append((f"export {ext}", ["export", out / f"deck{ext}", "--deck", deck], None))
        cmds.append((f"export {ext} to a hostile name", ["export", out / f"x{SHORT}{ext}", "--deck", deck], None))
    cmds += [
        ("export --reviews", ["export", "--reviews", out / "reviews.csv"], None),
        ("export --reviews to a hostile name", ["export", "--reviews", out / f"r{SHORT}.csv"], None),
        ("export --reviews --deck", ["export", "--reviews", out / "reviews2.csv", "--deck", deck], None),
        ("export: unknown deck", ["export", out / "n.json", "--deck", f"missing{SHORT}"], None),
        ("export: bad extension", ["export", out / f"bad{SHORT}.exe", "--deck", deck], None),
        ("export: missing folder", ["export", out / f"no{SHORT}" / "d.json", "--deck", deck], None),
        ("export: a folder", ["export", out, "--deck", deck], None),
        ("export: no deck", ["export", out / f"z{SHORT}.json"], None),
        ("export --reviews: bad extension", ["export", "--reviews", out / f"r{SHORT}.tsv"], None),
        ("import --dry-run", ["import", "--dry-run", *importable(files)], None),
        ("import --dry-run --deck", ["import", "--dry-run", "--deck", f"Into {HOSTILE}", files["anki"]], None),
        ("import: missing file", ["import", w["base"] / f"missing{SHORT}.json"], None),
        ("import: unknown format", ["import", w["base"] / f"what{SHORT}.exe"], None),
        ("review --plain", ["review", "--plain"], b"\n4\n1\n2\nalpha\n3\n\n0\n" * 6 + b"q\n"),
        ("review --plain --deck", ["review", "--plain", "--deck", deck], f"{HOSTILE}\n5\n\n\n".encode() * 3),
        ("review: unknown deck", ["review", "--plain", "--deck", f"missing {HOSTILE}"], None),
        ("init over a database", ["init"], None),
        ("usage error", ["decks", f"extra{SHORT}"], None),
        ("usage error: bad number", ["review", "--plain", "--limit", f"x{SHORT}"], None),
        ("usage error: bad choice", ["stats", "--range", f"7{SHORT}"], None),
    ]
    raw = files.get("raw")
    if raw is not None:
        cmds.append(("import --dry-run of an undecodable name", ["import", "--dry-run", raw], None))
        cmds.append(("export to an undecodable name", ["export", out / os.fsdecode(b"e\x9b.json"), "--deck", deck], None))
    return cmds


@pytest.mark.parametrize("which", ["imported", "hand"])
def test_every_command_keeps_the_terminal_clean(world, which):
    db = world[which]
    ran = []
    for label, argv, stdin in commands(world, db):
        r = run(*argv, db=None if argv == ["schema"] else db, input=stdin)  # schema reads no database
        assert_clean(r, f"{which}: {label}")
        ran.append((label, r.returncode))
    codes = dict(ran)
    # the succeeding commands succeeded (so their output was really scanned) ...
    for label in ("decks", "decks --json", "stats", "stats --json", "stats --deck", "settings",
                  "export .json", "export .apkg", "export .tsv to a hostile name", "export --reviews",
                  "import --dry-run", "review --plain", "schema"):
        assert codes[label] == 0, (which, label, ran)
    # ... and the failing ones failed with one message each
    for label in ("settings unknown key", "export: unknown deck", "export: bad extension", "export: missing folder",
                  "import: missing file", "import: unknown format", "review: unknown deck", "init over a database"):
        assert codes[label] == 1, (which, label, ran)
    for label in ("usage error", "usage error: bad number", "usage error: bad choice"):
        assert codes[label] == 2, (which, label, ran)


def test_file_names_and_headers_are_shown_escaped(world):
    files = world["files"]
    r = run("import", "--dry-run", files["anki"], db=world["imported"])
    assert r.returncode == 0
    out = r.stdout.decode()
    assert "columns ignored" in out
    assert "Evil \\x1b]52;c;" in out and "\\x9b" in out and "\\u202e" in out  # visible, inert
    r = run("import", world["base"] / f"missing{SHORT}.json", db=world["imported"])
    err = r.stderr.decode()
    assert r.returncode == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert "missing\\x1b[31m\\x9b\\u202e\\x07.json" in err
    if "raw" in files:
        r = run("import", "--dry-run", files["raw"], db=world["imported"])
        assert "raw\\x9b\\x1b[7m.tsv" in (r.stdout + r.stderr).decode()


def strings(obj) -> set[str]:
    if isinstance(obj, str):
        return {obj}
    if isinstance(obj, dict):
        return set().union(*map(strings, obj.values())) if obj else set()
    if isinstance(obj, list):
        return set().union(*map(strings, obj)) if obj else set()
    return set()


def test_decks_json_escapes_and_round_trips(world):
    db = world["hand"]
    r = run("decks", "--json", db=db)
    assert r.returncode == 0 and not unsafe_in(r.stdout)
    raw = r.stdout.decode()
    assert "\\u009b" in raw and "\\u001b" in raw and "\\u202e" in raw and "\\u0085" in raw
    assert [d["name"] for d in json.loads(raw)] == names(db) == [HAND_NAME]
    r = run("stats", "--json", "--range", "all", db=db)
    assert r.returncode == 0 and not unsafe_in(r.stdout)
    data = json.loads(r.stdout)
    assert HAND_NAME in strings(data)  # the raw text, intact after loading
    assert "\\u009b" in r.stdout.decode()


def test_imported_text_is_stored_clean(world):
    """The other line of defence: what the importers store holds no control characters at all."""
    con = sqlite3.connect(world["imported"])
    try:
        rows = con.execute("SELECT name || description FROM decks UNION ALL "
                           "SELECT term || definition || coalesce(explanation, '') || coalesce(example, '') || tags "
                           "FROM terms").fetchall()
    finally:
        con.close()
    assert rows and all(not FORBIDDEN_CHARS.search(t) and not re.search("[\x00-\x08\x0b-\x1f\x7f]", t) for (t,) in rows)


# --- the functions themselves --------------------------------------------------------------------


EVERY_UNSAFE = "".join(chr(c) for c in [*range(0, 9), *range(0x0B, 0x20), *range(0x7F, 0xA0),
                                         0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F),
                                         *range(0x2066, 0x206A), 0xDC9B])


def test_safe_escapes_every_control_and_keeps_text():
    ordinary = "Ünïcode ok: 日本語, emoji 🧠‍🔬, quotes “x” — [bold]markup[/bold] \\x1b stays"
    assert safe(ordinary) == ordinary and safe_line(ordinary) == ordinary
    assert safe("two\nlines\tand a tab") == "two\nlines\tand a tab"
    assert safe("crlf\r\nand cr\rend") == "crlf\nand cr\nend"
    assert safe_line("two\nlines\tand  a\r\ntab ") == "two lines and a tab"
    for text in (safe(EVERY_UNSAFE), safe_line(EVERY_UNSAFE), safe_line(HOSTILE)):
        assert not unsafe_in(text.encode("utf-8")) and text.isascii()
    assert safe(ESC_RED) == "\\x1b[31mred\\x1b[0m"
    assert safe(CSI) == "\\x9b2J" and safe(BIDI) == "\\u202eevil\\u2066iso\\u2069"
    assert safe("\udc9b") == "\\x9b"  # an undecodable file-name byte shows as the byte


def test_json_text_is_valid_escaped_and_equal():
    obj = {"name": HOSTILE + EVERY_UNSAFE, "n": [1, 2.5, None, True], "ü": "日本語 🧠"}
    for kwargs in ({}, {"indent": 2}):
        text = json_text(obj, **kwargs)
        assert json.loads(text) == obj
        assert not unsafe_in(text.encode("utf-8"))
        assert "\\u009b" in text and "\\u202e" in text and "\\u0085" in text and "\\u007f" in text
        assert "日本語 🧠" in text and '"ü"' in text  # readable where harmless
