"""The bundled deck ships inside the wheel and works from a non-editable install in another folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

from tests.conftest import REPO


def test_wheel_carries_the_bundled_deck_and_works_from_elsewhere(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr
    [wheel] = list(wheels.glob("mlcards-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "mlcards/decks/ml-glossary.toml" in names
    assert "mlcards/tui/mlcards.tcss" in names

    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=600,
    )
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # only the installed copy on the path (dependencies come from this environment's site-packages)
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    env.pop("MLCARDS_DB", None)
    code = (
        "import mlcards, mlcards.bundled as b, sys; "
        f"assert mlcards.__file__.startswith({str(site)!r}), mlcards.__file__; "
        "print(b.decks_dir())"
    )
    where = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(site))  # the packaged decks, not the repository's
    decks = subprocess.run(
        [sys.executable, "-m", "mlcards", "decks", "--json", "--db", str(tmp_path / "new.db")],
        cwd=elsewhere, env=env, capture_output=True, text=True,
    )
    assert decks.returncode == 0, decks.stderr
    [deck] = json.loads(decks.stdout)
    assert deck["name"] == "ML Glossary" and deck["terms"] >= 150
