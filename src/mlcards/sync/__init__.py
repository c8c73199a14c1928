"""Sync between machines through a folder: every device writes its own events, reads everyone else's.

``sync(store, folder)``: read every other device's new events from ``folder/<device>/*.jsonl``
(``mlcards.sync.format``), apply them in one transaction (``mlcards.sync.apply``), then write this
device's new events to a new file of its own folder. Running it again changes nothing; an
interruption at any moment leaves either nothing or a whole step done, and the next sync finishes.
``status(store, folder)``: what each device last sent, and what is waiting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcards.errors import MlcardsError
from mlcards.store import Store
from mlcards.sync import format as fmt
from mlcards.sync.apply import apply_events


class SyncError(MlcardsError):
    """A sync that cannot start (no such folder)."""


@dataclass
class SyncReport:
    device: str
    folder: str
    received: int = 0
    reviews: int = 0
    undos: int = 0
    practice: int = 0
    changes: int = 0
    deletes: int = 0
    kept: int = 0
    refolded: int = 0
    sent: int = 0
    files: list[str] = field(default_factory=list)
    pending: int = 0
    problems: list[str] = field(default_factory=list)
    refused: bool = False

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def _folder(folder: str | Path) -> Path:
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise SyncError(f"{path}: no such folder; create it (or mount the shared folder) first")
    return path


def sync(store: Store, folder: str | Path) -> SyncReport:
    path = _folder(folder)
    me = store.sync_device()
    report = SyncReport(device=me.device_id, folder=str(path))
    peers = store.sync_peers()
    _check_own_folder(store, path)
    reads = []
    for device_dir in fmt.device_folders(path):
        if device_dir.name == me.device_id:
            continue
        peer = peers.get(device_dir.name)
        read = fmt.read_peer(device_dir, peer.last_seq if peer else 0, peer.last_file if peer else None)
        report.problems += read.problems
        report.refused = report.refused or read.refused
        reads.append(read)
    with store.transaction():
        store.sync_set_applying(True)
        events = store.sync_pending() + [e for r in reads for e in r.events]
        applied = apply_events(store, events)
        store.sync_set_pending(applied.pending)
        for read in reads:
            peer = peers.get(read.device)
            if read.events:
                store.sync_set_peer(read.device, read.events[-1].seq, read.last_file, len(read.events))
            elif peer is None or read.last_file != peer.last_file:
                store.sync_set_peer(read.device, peer.last_seq if peer else 0, read.last_file, 0)
        store.sync_set_applying(False)
    report.received = sum(len(r.events) for r in reads)
    report.reviews, report.undos, report.practice = applied.reviews, applied.undos, applied.practice
    report.changes, report.deletes, report.kept = applied.changes, applied.deletes, applied.kept
    report.refolded = len(applied.cards)
    report.pending = len(applied.pending)
    report.problems += applied.problems
    # this device's events (including any a kept delete sent again), after what was written before
    me = store.sync_device()
    events = store.sync_events_after(me.sent_seq, limit=10**9)
    if events:
        written = fmt.write_events(path / me.device_id, events)
        report.files = [p.name for p in written]
        store.sync_mark_sent(events[-1].seq, fmt.file_number(written[-1]))
        report.sent = len(events)
    store.sync_mark_done(str(path))
    return report


COPY_FIX = ("another database writes to this machine's folder under the same device id (a copy of this "
            "database?); on the copy, run `mlcards sync --new-device DIR` once")


def _check_own_folder(store: Store, path: Path) -> None:
    """Files in this device's folder that it did not record writing: left by a sync killed between
    writing a file and recording it (its events are this device's own: recorded as sent now), or
    written by a copy of this database that has the same device id (refused: it needs an id of its own)."""
    me = store.sync_device()
    try:
        found = fmt.own_files_after(path / me.device_id, me.last_file)
    except fmt.LineError:
        raise SyncError(COPY_FIX) from None
    for file, events in found:
        for event in events:
            if store.sync_event_at(event.seq) != (event.hlc, event.kind, event.entity):
                raise SyncError(COPY_FIX)
        seq = max((e.seq for e in events), default=0)
        store.sync_mark_sent(seq, fmt.file_number(file))


def new_device(store: Store) -> str:
    """Give this database a device id of its own (it is a copy of another machine's); returns it.
    Everything it holds is sent again under the new id (applying it twice changes nothing)."""
    import uuid

    device = str(uuid.uuid4())
    store.sync_new_device(device)
    return device


def status(store: Store, folder: str | Path | None = None) -> dict[str, Any]:
    """This device's unsent events and last sync; per other device, what was read and what waits."""
    me = store.sync_device()
    where = folder if folder is not None else me.last_folder
    path = Path(where).expanduser() if where else None
    peers = store.sync_peers()
    pending = store.sync_pending()
    devices = {d: None for d in peers}
    if path is not None and path.is_dir():
        devices.update({p.name: None for p in fmt.device_folders(path) if p.name != me.device_id})
    rows = []
    for device in sorted(devices):
        peer = peers.get(device)
        last = peer.last_seq if peer else 0
        waiting = None
        if path is not None and (path / device).is_dir():
            waiting = fmt.count_waiting(path / device, last)
        rows.append({
            "device": device,
            "last_seq": last,
            "received": peer.received if peer else 0,
            "synced_at": peer.synced_at if peer else None,
            "waiting": waiting,
            "pending": sum(1 for e in pending if e.device == device),
        })
    return {
        "device": me.device_id,
        "folder": str(path) if path else None,
        "last_sync_at": me.last_sync_at,
        "events": me.last_seq,
        "sent": me.sent_seq,
        "unsent": me.last_seq - me.sent_seq,
        "peers": rows,
    }
