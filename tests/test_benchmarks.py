"""CI runs the benchmark script at its tiny size, only to keep it working (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_tiny_benchmark_runs_and_prints_json():
    r = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--tiny"],
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
