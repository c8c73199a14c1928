"""The atomic writer sweeps the named temporary file a killed export left beside its destination."""

from __future__ import annotations

from pathlib import Path

from mlcards.exporters.atomic import atomic_write


def test_the_next_export_removes_a_copy_left_by_a_killed_replace_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    out.write_bytes(b"old")
    left = tmp_path / ".deck.apkg.0a1b2c3d.tmp"  # what a SIGKILL between link and rename leaves
    left.write_bytes(b"new, complete")
    others = [tmp_path / ".other.apkg.0a1b2c3d.tmp", tmp_path / ".deck.apkg.notours.tmp", tmp_path / "notes.txt"]
    for p in others:
        p.write_text("keep")
    atomic_write(out, lambda tmp: Path(tmp).write_bytes(b"newest"))
    assert out.read_bytes() == b"newest"
    assert not left.exists()
    assert all(p.exists() for p in others)
