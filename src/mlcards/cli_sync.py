"""The ``sync`` command: share one history between machines through a folder (``mlcards.sync``).

Registered by ``mlcards.cli`` (``add_commands`` and ``COMMANDS``); the helpers of ``mlcards.cli``
are imported when the command runs, so the two modules do not import each other at load time.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from mlcards.errors import MlcardsError
from mlcards.text import json_text


def add_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("sync", "share reviews and edits with your other machines through a folder "
                        "(Syncthing, Dropbox, a git repository, a USB stick): send this machine's changes, "
                        "apply the others'")
    p.add_argument("folder", nargs="?", metavar="DIR",
                   help="the shared folder, or ssh://[user@]host/path for one on another machine (rsync over "
                        "SSH); default with --status: the one used last")
    p.add_argument("--status", action="store_true",
                   help="show this machine's id, what it has not sent yet, and per other machine what was "
                        "read and what is waiting; change nothing")
    p.add_argument("--new-device", action="store_true",
                   help="give this database a device id of its own first (it was copied from another machine)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def cmd_sync(args: argparse.Namespace) -> int:
    from mlcards import sync
    from mlcards.cli_io import _err, _open, _out
    from mlcards.sync import ssh

    if args.status:
        with _open(args) as store:
            folder = ssh.cache_folder(args.folder) if args.folder and ssh.is_remote(args.folder) else args.folder
            info = sync.status(store, folder)
        if args.json:
            _out(json_text(info))
            return 0
        _out(f"this machine: {info['device']}")
        _out(f"folder: {info['folder'] or 'none yet'}")
        _out(f"last sync: {info['last_sync_at'] or 'never'}")
        _out(f"changes not sent yet: {info['unsent']}")
        if not info["peers"]:
            _out("no other machine seen yet")
        for peer in info["peers"]:
            waiting = "unknown (folder not found)" if peer["waiting"] is None else str(peer["waiting"])
            _out(f"  {peer['device']}: read up to change {peer['last_seq']}, waiting in the folder {waiting}, "
                 f"held back {peer['pending']}, last read {peer['synced_at'] or 'never'}")
        return 0
    if args.folder is None:
        raise MlcardsError("give the shared folder: mlcards sync DIR")
    with _open(args) as store:
        if args.new_device:
            _err(f"this database is now device {sync.new_device(store)}")
        if ssh.is_remote(args.folder):
            report = ssh.sync_remote(store, args.folder)
        else:
            report = sync.sync(store, args.folder)
    for problem in report.problems:
        _err(f"warning: {problem}")
    if args.json:
        _out(json_text(report.as_json()))
    else:
        _out(f"received {report.received} changes ({report.reviews} answers, {report.undos} undos, "
             f"{report.changes} edits, {report.deletes} deletes); sent {report.sent}"
             + (f"; {report.pending} waiting for changes not arrived yet" if report.pending else ""))
    if report.refused:
        _err("error: part of the folder was written by a newer mlcards; upgrade mlcards on this machine")
        return 1
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"sync": cmd_sync}
