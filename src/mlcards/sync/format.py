"""The sync folder's files: ``DIR/<device_id>/NNNNNN.jsonl``, one folder per device, written only by it.

Each line is one event, a JSON object: the format version ``v``, the ``device`` that made it, its
``seq`` (1, 2, 3 ... per device, never reused), ``hlc`` (its hybrid-logical-clock stamp), ``kind``,
``entity`` (the uuid, or setting key, it is about), ``data``, and ``sum``: the first 16 hex digits of
the SHA-256 of the line's other fields written canonically (sorted keys, no spaces). A file is
written whole under a temporary name and renamed, so a reader sees it complete, or a transport that
copies it byte by byte shows it cut short: a last line without its newline is not read yet.

Reading never applies part of a damaged file: a line that is not JSON, fails its sum or names another
device stops that device's reading at the start of its file (reported; later files wait behind it).
A line of a newer format version is refused (upgrade mlcards on this machine).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcards.store.copy import fsync_dir
from mlcards.store.sync import SyncEvent

VERSION = 1
"""The format version this mlcards writes and reads."""

FILE_NAME = re.compile(r"^(\d{6,})\.jsonl$")
DEVICE_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
EVENTS_PER_FILE = 5000


def _canonical(obj: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def checksum(obj: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(obj).encode("utf-8")).hexdigest()[:16]


def encode(event: SyncEvent) -> str:
    """One event as one line (without its newline)."""
    obj: dict[str, Any] = {"v": VERSION, "device": event.device, "seq": event.seq, "hlc": event.hlc,
                           "kind": event.kind, "entity": event.entity, "data": event.data}
    obj["sum"] = checksum(obj)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class LineError(ValueError):
    """A line that cannot be trusted: ``newer`` when it comes from a newer format version."""

    def __init__(self, message: str, *, newer: bool = False):
        super().__init__(message)
        self.newer = newer


def decode(line: str, device: str) -> SyncEvent:
    try:
        obj = json.loads(line)
    except ValueError:
        raise LineError("not a JSON line") from None
    if not isinstance(obj, dict):
        raise LineError("not an event")
    version = obj.get("v")
    if isinstance(version, int) and version > VERSION:
        raise LineError(f"written in sync format {version} by a newer mlcards (this one reads {VERSION}); "
                        "upgrade mlcards here", newer=True)
    claimed = obj.pop("sum", None)
    if version != VERSION or claimed != checksum(obj):
        raise LineError("its checksum does not match (damaged in transit, or not an mlcards sync file)")
    if obj.get("device") != device:
        raise LineError("it belongs to another device's folder")
    try:
        event = SyncEvent(device, int(obj["seq"]), int(obj["hlc"]), str(obj["kind"]), str(obj["entity"]),
                          dict(obj["data"]))
    except (KeyError, TypeError, ValueError):
        raise LineError("an event with missing fields") from None
    return event


@dataclass
class PeerRead:
    """What reading one device's folder gave: events after ``after`` in order, and what stopped it."""

    device: str
    events: list[SyncEvent] = field(default_factory=list)
    last_file: str | None = None
    problems: list[str] = field(default_factory=list)
    refused: bool = False
    """A newer format version: nothing beyond it can be read by this mlcards."""
    torn: int = 0
    """Files whose last line was incomplete (still being copied): read up to their last complete line."""


def device_folders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and DEVICE_DIR.match(p.name))


def event_files(device_dir: Path) -> list[Path]:
    files = [p for p in device_dir.iterdir() if p.is_file() and FILE_NAME.match(p.name)]
    return sorted(files, key=lambda p: int(FILE_NAME.match(p.name).group(1)))  # type: ignore[union-attr]


def read_peer(device_dir: Path, after: int, last_file: str | None) -> PeerRead:
    """The events of one device with ``seq > after``, stopping at a gap, a damaged file or a newer format."""
    device = device_dir.name
    read = PeerRead(device, last_file=last_file)
    expected = after + 1
    start = int(FILE_NAME.match(last_file).group(1)) if last_file and FILE_NAME.match(last_file) else 0  # type: ignore[union-attr]
    for path in event_files(device_dir):
        number = int(FILE_NAME.match(path.name).group(1))  # type: ignore[union-attr]
        if number < start:
            continue
        try:
            raw = path.read_bytes()
        except OSError as e:
            read.problems.append(f"{device[:8]}/{path.name}: cannot read it ({e.strerror}); skipped")
            return read
        text = raw.decode("utf-8", errors="replace")
        lines = text.split("\n")
        complete, tail = lines[:-1], lines[-1]
        if tail:
            read.torn += 1
        events: list[SyncEvent] = []
        for index, line in enumerate(complete, 1):
            if not line.strip():
                continue
            try:
                events.append(decode(line, device))
            except LineError as e:
                read.refused = e.newer
                read.problems.append(f"{device[:8]}/{path.name} line {index}: {e}; the file was not applied")
                return read
        for event in events:
            if event.seq < expected:
                continue  # written twice (a sync interrupted after writing its file): already read
            if event.seq > expected:
                read.problems.append(
                    f"{device[:8]}: events {expected}-{event.seq - 1} have not arrived yet; waiting for them"
                )
                return read
            read.events.append(event)
            expected += 1
        if not tail:
            read.last_file = path.name
        else:
            return read  # the rest of this file (and any later one) is still being copied
    return read


def file_number(path: Path) -> int:
    match = FILE_NAME.match(path.name)
    return int(match.group(1)) if match else 0


def own_files_after(device_dir: Path, number: int) -> list[tuple[Path, list[SyncEvent]]]:
    """This device's files numbered above ``number`` with their complete lines (a check that no copy of
    this database writes under the same id). A line that cannot be read raises ``LineError``."""
    if not device_dir.is_dir():
        return []
    out = []
    for path in event_files(device_dir):
        if file_number(path) <= number:
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")[:-1]
        out.append((path, [decode(line, device_dir.name) for line in lines if line.strip()]))
    return out


def write_events(device_dir: Path, events: Iterable[SyncEvent]) -> list[Path]:
    """Write events to new numbered files (complete under a temporary name, then renamed and synced)."""
    device_dir.mkdir(parents=True, exist_ok=True)
    for stale in device_dir.glob(".*.jsonl.tmp"):
        stale.unlink(missing_ok=True)  # an earlier sync stopped while writing it
    existing = [int(FILE_NAME.match(p.name).group(1)) for p in event_files(device_dir)]  # type: ignore[union-attr]
    number = max(existing, default=0) + 1
    written: list[Path] = []
    batch: list[str] = []

    def flush() -> None:
        nonlocal number
        target = device_dir / f"{number:06d}.jsonl"
        tmp = device_dir / f".{number:06d}.jsonl.tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(line + "\n" for line in batch))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        fsync_dir(device_dir)
        written.append(target)
        number += 1
        batch.clear()

    for event in events:
        batch.append(encode(event))
        if len(batch) >= EVENTS_PER_FILE:
            flush()
    if batch:
        flush()
    return written


def count_waiting(device_dir: Path, after: int) -> int:
    """How many complete, valid lines of a device's files have ``seq > after`` (for ``--status``)."""
    read = read_peer(device_dir, after, None)
    return len(read.events)
