"""mlcards against Anki's engine (PyPI ``anki``, Rust core), side by side, whole processes, same files.

    python benchmarks/anki_race.py            # 10,000 notes (20,000 cards) imported; 2,000 answers
    python benchmarks/anki_race.py --tiny     # 50 notes; 20 answers, one pair (keeps the script working in CI)

Two races, each run as pairs that alternate which engine goes first, so drift on the machine cancels:
- import: a ``#notetype:Basic (and reversed card)`` Anki text file into an empty collection
  (``mlcards import FILE --db DB`` against ``Collection.import_csv``);
- answers: N cards answered on a collection holding that import (``mlcards review --plain`` fed
  Enter + grade lines, against ``sched.getCard`` + ``sched.answerCard``). Both engines commit and fsync
  each answer (check with ``strace -c -e trace=fsync,fdatasync``).
The figure is the median wall time of each side and the ratio mlcards / Anki. Without ``anki``
installed (``pip install -e '.[bench]'``) the mlcards side still runs and the ratios are None.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ANKI_CREATE = "import sys; from anki.collection import Collection; Collection(sys.argv[1]).close()"

ANKI_IMPORT = """
import sys
from anki.collection import Collection, ImportCsvRequest
col = Collection(sys.argv[1])
meta = col.get_csv_metadata(path=sys.argv[2], delimiter=None)
col.import_csv(ImportCsvRequest(path=sys.argv[2], metadata=meta))
col.close()
"""

ANKI_SETUP = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
conf = col.decks.get_config(1)
conf["new"]["perDay"] = 9999  # Anki's maximum
conf["rev"]["perDay"] = 9999
col.decks.update_config(conf)
col.decks.select(col.decks.id_for_name("Race"))
col.close()
"""

ANKI_ANSWER = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
n, done = int(sys.argv[2]), 0
while done < n and (card := col.sched.getCard()) is not None:
    col.sched.answerCard(card, 3 if done % 5 else 1)  # Good, and Again every fifth card
    done += 1
print(done)
col.close()
"""


def anki_available() -> bool:
    return subprocess.run([sys.executable, "-c", "import anki.collection"], capture_output=True).returncode == 0


def write_notes(path: Path, notes: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("#separator:tab\n#html:false\n#notetype:Basic (and reversed card)\n#deck:Race\n"
                 "#columns:Front\tBack\tTags\n")
        for i in range(notes):
            fh.write(f"term {i}\tDefinition number {i}, with a comma.\ttag{i % 10}\n")


def grade_lines(answers: int) -> bytes:
    """Enter to reveal, then the grade: Good (4), and a lapse (2) every fifth card, as Anki's side does."""
    return "".join("\n" + ("4" if i % 5 else "2") + "\n" for i in range(answers)).encode()


def mlcards(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "mlcards", *args], input=stdin, capture_output=True, check=True)


def anki(script: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, check=True)


def timed(run) -> float:
    t = time.perf_counter()
    run()
    return (time.perf_counter() - t) * 1000


def race(pairs: int, prepare, ours, theirs) -> dict:
    """Alternate which side goes first; ``prepare`` resets both sides' files (not timed)."""
    a: list[float] = []
    b: list[float] = []
    for i in range(pairs):
        prepare()
        order = [(a, ours), (b, theirs)] if i % 2 == 0 else [(b, theirs), (a, ours)]
        for sink, run in order:
            if run is not None:
                sink.append(timed(run))
    ours_ms = statistics.median(a)
    theirs_ms = statistics.median(b) if b else None
    return {"mlcards_ms": ours_ms, "anki_ms": theirs_ms,
            "ratio": ours_ms / theirs_ms if theirs_ms else None, "runs": pairs}


def run(tiny: bool = False, pairs: int | None = None) -> dict:
    notes, answers = (50, 20) if tiny else (10_000, 2_000)
    pairs = pairs or (1 if tiny else 5)
    have_anki = anki_available()
    with tempfile.TemporaryDirectory(prefix="mlcards-race-") as tmp:
        work = Path(tmp)
        src = work / "notes.txt"
        write_notes(src, notes)
        ours_db, theirs_db = work / "race.db", work / "race.anki2"
        empty_ours, empty_theirs = work / "empty.db", work / "empty.anki2"
        mlcards("decks", "--db", str(empty_ours))  # creates the empty database, migrations included
        if have_anki:
            anki(ANKI_CREATE, str(empty_theirs))

        def fresh(ours_from: Path, theirs_from: Path) -> None:
            for p in work.glob("race.*"):
                shutil.rmtree(p) if p.is_dir() else p.unlink()
            shutil.copyfile(ours_from, ours_db)
            if have_anki:
                shutil.copyfile(theirs_from, theirs_db)

        imported = race(
            pairs, lambda: fresh(empty_ours, empty_theirs),
            lambda: mlcards("import", str(src), "--db", str(ours_db)),
            (lambda: anki(ANKI_IMPORT, str(theirs_db), str(src))) if have_anki else None,
        )
        # the answer race starts from the imported collections
        fresh(empty_ours, empty_theirs)
        mlcards("import", str(src), "--db", str(ours_db))
        shutil.copyfile(ours_db, work / "imported.db")
        if have_anki:
            anki(ANKI_IMPORT, str(theirs_db), str(src))
            anki(ANKI_SETUP, str(theirs_db))
            shutil.copyfile(theirs_db, work / "imported.anki2")
        lines = grade_lines(answers)
        answered = race(
            pairs, lambda: fresh(work / "imported.db", work / "imported.anki2"),
            lambda: mlcards("review", "--plain", "--db", str(ours_db), "--new-limit", "9999",
                            "--limit", str(answers), stdin=lines),
            (lambda: anki(ANKI_ANSWER, str(theirs_db), str(answers))) if have_anki else None,
        )
        # what the last timed runs did, read back from the files: the race did the work it claims
        answered["mlcards_answers_logged"] = count(ours_db, "SELECT COUNT(*) FROM reviews")
        answered["anki_answers_logged"] = count(theirs_db, "SELECT COUNT(*) FROM revlog") if have_anki else None
        fresh(empty_ours, empty_theirs)
        mlcards("import", str(src), "--db", str(ours_db))
        imported["mlcards_cards"] = count(ours_db, "SELECT COUNT(*) FROM cards")
        if have_anki:
            anki(ANKI_IMPORT, str(theirs_db), str(src))
            imported["anki_cards"] = count(theirs_db, "SELECT COUNT(*) FROM cards")
    return {"notes": notes, "cards": 2 * notes, "answers": answers, "anki_installed": have_anki,
            "import": imported, "answer": answered}


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def table(figures: dict) -> str:
    rows = [("import", f"{figures['notes']:,} notes, {figures['cards']:,} cards", figures["import"]),
            ("answer", f"{figures['answers']:,} answers via review --plain", figures["answer"])]
    out = [f"{'race':<8} {'work':<34} {'mlcards ms':>11} {'Anki ms':>9} {'ratio':>6}  target <= 0.50"]
    for name, work, r in rows:
        theirs = f"{r['anki_ms']:,.0f}" if r["anki_ms"] else "-"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        out.append(f"{name:<8} {work:<34} {r['mlcards_ms']:>11,.0f} {theirs:>9} {ratio:>6}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiny", action="store_true", help="small sizes, for CI")
    ap.add_argument("--pairs", type=int, default=None, help="alternating pairs per race (default 5; tiny 1)")
    ap.add_argument("--out", help="JSON file (default benchmarks/results/anki-race-<size>.json)")
    args = ap.parse_args(argv)
    figures = run(args.tiny, args.pairs)
    print(table(figures))
    out = Path(args.out) if args.out else Path(__file__).parent / "results" / \
        f"anki-race-{'tiny' if args.tiny else 'full'}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
