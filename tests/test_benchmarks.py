"""CI runs the benchmark script at its tiny size, only to keep it working (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from tests.conftest import REPO


def _key_names() -> list[str]:
    spec = importlib.util.spec_from_file_location("bench_keys", REPO / "benchmarks" / "keys.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return list(module.KEY_NAMES)


def test_tiny_benchmark_runs_and_prints_json(tmp_path):
    keys_json = tmp_path / "keys.json"
    r = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--tiny", "--keys-out", str(keys_json)],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )
    assert r.returncode == 0, r.stderr
    figures = json.loads(r.stdout.strip().splitlines()[-1])
    assert figures["size"] == "tiny"
    assert figures["cards"] > 1000 and figures["reviews"] > 10000
    assert figures["cli_imports_textual"] is False  # lean start-up: the CLI core never loads Textual
    assert figures["answers_timed"] > 0 and figures["tui_answers_timed"] > 0
    assert figures["import_rows"] == 1000
    for key in ("stats_summary_ms", "answer_next_median_ms", "import_total_ms", "tui_reveal_grade_next_handler_median_ms"):
        assert figures[key] > 0
    # the key-latency benchmark ran on the same database: an entry for every key it knows
    assert figures["keys_json"] == str(keys_json)
    report = json.loads(keys_json.read_text(encoding="utf-8"))
    assert report["benchmark"] == "keys" and report["size"] == "tiny" and report["errors"] == {}
    names = _key_names()
    assert len(names) > 40 and set(names) <= set(report["keys"])
    for name in names:  # timed, or it says why not (a screen changed so that the key no longer applies)
        entry = report["keys"][name]
        assert (entry["count"] >= 1 and entry["max_ms"] > 0) or entry["skipped"], (name, entry)
    assert figures["keys_timed"] == sum(1 for k in names if report["keys"][k]["count"])
    # the race against Anki's engine (the test extra brings anki): both sides did the work, ratio printed
    assert figures["peak_rss_stats_json_mb"] > 10 and figures["peak_rss_review_plain_mb"] > 10
    race = json.loads((tmp_path / "anki-race.json").read_text(encoding="utf-8"))
    assert race["anki_installed"] is True and race["notes"] == 500 and race["answers"] == 100
    assert race["answer"]["mlcards_answers_logged"] == 100 and race["answer"]["anki_answers_logged"] == 100
    assert race["import"]["anki_cards"] == 1000 and race["import"]["mlcards_cards"] >= 1000
    for name in ("import", "answer"):
        side = race[name]
        assert side["ratio"] == side["mlcards_ms"] / side["anki_ms"] and figures[f"race_{name}_ratio"] == side["ratio"]
    assert "mlcards ms" in r.stdout and "Anki ms" in r.stdout  # the race's table is printed

