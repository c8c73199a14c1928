"""Issue 14's targets: which figure of ``run.py``'s JSON each one reads, the table and its Markdown."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import datetime, timezone
from typing import Any

# (what, JSON key of the figure, the statistic shown, target, unit). A target of None: the issue names the figure
# and no number for it; the row is printed as "measured" only.
TARGETS: list[tuple[str, str, str, float | None, str]] = [
    ("cold start to the first card, bundled deck, fresh database", "cold_start_bundled_ms", "median", 400, "ms"),
    ("cold start to the first card, bundled deck, second launch", "cold_start_bundled_again_ms", "median", 400, "ms"),
    ("cold start to the first card, benchmark database", "cold_start_benchdb_ms", "median", 600, "ms"),
    ("answer: commit + next card (in process)", "answer_next_p99_ms", "p99", 10, "ms"),
    ("grade key to the next card rendered (app, worst of keys 0-5)", "keys_grade_p99_ms", "p99", 10, "ms"),
    ("every key of review, browse, search, sort, edit, stats (worst)", "keys_screens_worst_p99_ms", "p99", 50,
     "ms"),
    ("the same, without the keys that open or leave a screen (worst)", "keys_in_screen_worst_p99_ms", "p99", 50,
     "ms"),
    ("today's queue (todays_queue, all decks)", "todays_queue_ms", "median", None, "ms"),
    ("dashboard counts (deck_summaries)", "deck_summaries_ms", "median", None, "ms"),
    ("import of a 10,000-term deck file (mlcards import, whole process)", "deck_import_ms", "median", None, "ms"),
    ("import of the 10,000-note Anki text file (mlcards import, whole process)", "race_import_mlcards_ms",
     "median", None, "ms"),
    ("stats --json (whole process)", "cli_stats_json_ms", "median", 200, "ms"),
    ("stats screen: open (s)", "keys_stats_open_p99_ms", "p99", 200, "ms"),
    ("stats screen: range and deck (r, d; worst)", "keys_stats_change_p99_ms", "p99", 200, "ms"),
    ("sync of 10,000 new events: push (mlcards sync, whole process)", "sync_push_ms", "median", None, "ms"),
    ("sync of 10,000 new events: pull on the other database", "sync_pull_ms", "median", None, "ms"),
    ("peak RSS, a review session in the app (headless)", "peak_rss_review_tui_mb", "one run", 120, "MB"),
    ("peak RSS, stats --json", "peak_rss_stats_json_mb", "one run", 120, "MB"),
    ("mlcards --help", "cli_help_ms", "median", 150, "ms"),
    ("mlcards decks (benchmark database)", "cli_decks_ms", "median", 150, "ms"),
    ("Anki race: import ratio (mlcards / Anki)", "race_import_ratio", "median", 0.5, "x"),
    ("Anki race: answer ratio (mlcards / Anki)", "race_answer_ratio", "median", 0.5, "x"),
]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"


def _p95(figures: dict[str, Any], key: str) -> float | None:
    """The p95 next to a median figure (``name_ms`` -> ``name_p95_ms``), when there is one."""
    if not key.endswith("_ms") or "_p9" in key:
        return None
    value = figures.get(key[:-3] + "_p95_ms")
    return value if isinstance(value, (int, float)) else None


def rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for what, key, stat, target, unit in TARGETS:
        value = figures.get(key)
        value = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if value is None:
            verdict = "not run"
        elif target is None:
            verdict = "no target"
        else:
            verdict = "met" if value <= target else "missed"
        p95 = _p95(figures, key)
        measured = _fmt(value, unit) + (f" (p95 {_fmt(p95, unit)})" if p95 is not None and value is not None else "")
        worst_key = figures.get(key.replace("_p99_ms", "_key")) if key.endswith("worst_p99_ms") else None
        if worst_key and value is not None:
            measured += f" ({worst_key})"
        out.append({"figure": what, "key": key, "statistic": stat, "target": target, "unit": unit,
                    "measured": value, "shown": measured,
                    "target_shown": "-" if target is None else f"<= {_fmt(target, unit)}", "verdict": verdict})
    return out


def table(figures: dict[str, Any]) -> str:
    r = rows(figures)
    w = max(len(x["figure"]) for x in r)
    m = max(len(x["shown"]) for x in r)
    lines = [f"TARGETS ({figures.get('size')}: {figures.get('cards', 0):,} cards, {figures.get('reviews', 0):,} reviews; "
             f"whole processes after python -m compileall -q {figures.get('compiled', 'the package')})",
             f"{'figure':<{w}}  {'stat':<7}  {'target':<10}  {'measured':<{m}}  result"]
    for x in r:
        lines.append(f"{x['figure']:<{w}}  {x['statistic']:<7}  {x['target_shown']:<10}  {x['shown']:<{m}}  {x['verdict']}")
    met = sum(1 for x in r if x["verdict"] == "met")
    missed = sum(1 for x in r if x["verdict"] == "missed")
    lines.append(f"{met} met, {missed} missed, {len(r) - met - missed} without a target or not run")
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "os": f"{platform.system()} {platform.release()}",
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def markdown(figures: dict[str, Any]) -> str:
    m = figures.get("machine") or machine()
    head = [
        f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, Python {m['python']}, SQLite {m['sqlite']} "
        f"({m['os']}); commit {figures.get('commit') or '?'}; load average {figures.get('load_average', '?')}.",
        f"Benchmark database: {figures.get('cards', 0):,} cards, {figures.get('reviews', 0):,} reviews "
        f"(`{figures.get('size')}` size). Whole processes run after `python -m compileall -q` on the package.",
        "",
        "| figure | statistic | target | measured | result |",
        "| --- | --- | --- | --- | --- |",
    ]
    body = [f"| {x['figure']} | {x['statistic']} | {x['target_shown']} | {x['shown']} | "
            f"{'**missed**' if x['verdict'] == 'missed' else x['verdict']} |" for x in rows(figures)]
    return "\n".join(head + body) + "\n"
