"""Exports are atomic: complete files or nothing, with one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcards import exporters
from mlcards.errors import MlcardsError
from mlcards.exporters import apkg
from tests.conftest import small_deck


def test_replaces_existing_file_in_one_step(tmp_path: Path):
    out = tmp_path / "deck.tsv"
    out.write_text("old contents", encoding="utf-8")
    exporters.export_deck(small_deck(), out)
    assert out.read_text(encoding="utf-8").startswith("#separator:tab\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.tsv"]


def test_failure_in_writer_keeps_old_file_and_leaves_no_temp(tmp_path: Path):
    out = tmp_path / "deck.json"
    out.write_text("precious", encoding="utf-8")

    def boom(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        exporters.atomic_write(out, boom)
    assert out.read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.json"]


def test_os_error_becomes_one_line(tmp_path: Path):
    out = tmp_path / "deck.csv"

    def fails(tmp: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(MlcardsError) as err:
        exporters.atomic_write(out, fails)
    assert str(err.value) == f"{out}: cannot write: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_missing_folder(tmp_path: Path):
    out = tmp_path / "nope" / "deck.apkg"
    with pytest.raises(MlcardsError, match="folder .* does not exist; create it first"):
        exporters.export_deck(small_deck(), out)
    assert list(tmp_path.iterdir()) == []


def test_folder_as_destination(tmp_path: Path):
    (tmp_path / "deck.apkg").mkdir()
    with pytest.raises(MlcardsError, match="is a folder"):
        exporters.export_deck(small_deck(), tmp_path / "deck.apkg")


@pytest.mark.parametrize("name", ["deck.xlsx", "deck", "deck.txt"])
def test_unknown_extension_lists_supported(tmp_path: Path, name: str):
    with pytest.raises(MlcardsError) as err:
        exporters.export_deck(small_deck(), tmp_path / name)
    assert "supported: .json, .toml, .yaml, .yml, .tsv, .csv, .apkg" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_failed_package_check_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "deck.apkg"

    def bad_check(path, **kw):
        assert Path(path).exists() and Path(path) != out  # checked while still a temporary file
        raise MlcardsError("package check failed: simulated", path=out)

    monkeypatch.setattr(apkg, "check_package", bad_check)
    with pytest.raises(MlcardsError, match="simulated"):
        exporters.export_deck(small_deck(), out)
    assert list(tmp_path.iterdir()) == []


def test_deck_files_written_with_lf_and_utf8(tmp_path: Path):
    deck = small_deck().model_copy(update={"description": "Ünïcode\nand two lines"})
    for ext in (".json", ".toml", ".yaml"):
        out = tmp_path / f"d{ext}"
        exporters.export_deck(deck, out)
        raw = out.read_bytes()
        assert b"\r\n" not in raw
        assert "Ünïcode".encode() in raw
