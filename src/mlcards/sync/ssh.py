"""``mlcards sync ssh://host/path``: the shared folder lives on another machine reachable by SSH.

rsync over SSH is the transport: the remote folder's event files are copied into a local cache
folder (only added to, never deleted), the sync runs on the cache like on any folder, and this
device's own folder is copied back. As everywhere, each machine writes only its own folder, so two
machines syncing with the same remote at once never overwrite each other's files; a file caught
mid-copy is read up to its last complete line and finished by the next sync.

``MLCARDS_SYNC_RSH`` replaces the remote shell (``ssh`` by default), e.g. ``ssh -p 2222``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mlcards.store import Store
from mlcards.sync import SyncError, SyncReport, sync

PREFIX = "ssh://"


def is_remote(folder: str) -> bool:
    return folder.startswith(PREFIX)


def _target(url: str) -> tuple[str, str]:
    """``ssh://[user@]host[:port]/path`` -> (rsync's ``[user@]host:path``, the port or '')."""
    parts = urlsplit(url)
    if not parts.hostname or not parts.path or parts.path == "/":
        raise SyncError(f"{url}: expected ssh://[user@]host/path/to/folder")
    host = (f"{parts.username}@" if parts.username else "") + parts.hostname
    path = unquote(parts.path)
    if path.startswith("/~/"):
        path = path[3:]  # ssh://host/~/Sync: relative to the remote home
    return f"{host}:{path.rstrip('/')}/", str(parts.port or "")


def cache_folder(url: str) -> Path:
    import platformdirs

    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return platformdirs.user_cache_path("mlcards", appauthor=False) / "sync" / key


def _rsync(args: list[str], what: str) -> None:
    rsync = shutil.which("rsync")
    if rsync is None:
        raise SyncError("rsync is not installed; install it (and ssh), or sync through a shared folder")
    try:
        done = subprocess.run([rsync, *args], capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise SyncError(f"{what} took more than 10 minutes; check the connection and try again") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"rsync exited {done.returncode}"])[-1]
        raise SyncError(f"{what} failed: {last}")


def sync_remote(store: Store, url: str) -> SyncReport:
    remote, port = _target(url)
    rsh = os.environ.get("MLCARDS_SYNC_RSH") or "ssh"
    if port:
        rsh += f" -p {port}"
    cache = cache_folder(url)
    cache.mkdir(parents=True, exist_ok=True)
    common = ["--recursive", "--times", "-e", rsh]
    # every device's event files, nothing else; never delete here what the remote lacks
    _rsync([*common, "--include=*/", "--include=*.jsonl", "--exclude=*", remote, f"{cache}/"],
           f"copying from {url}")
    report = sync(store, cache)
    me = store.sync_device().device_id
    if (cache / me).is_dir():
        _rsync([*common, f"--include=/{me}/", f"--include=/{me}/*.jsonl", "--exclude=*", f"{cache}/", remote],
               f"copying to {url}")
    report.folder = url
    return report
