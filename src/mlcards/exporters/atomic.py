"""One atomic writer shared by every exporter.

The file is written next to its destination and put in place only when complete, so a failure never
leaves a half-written (or truncated) file behind, and an existing file is replaced in one step. Where
the system allows it (Linux ``O_TMPFILE``) the file is written without a name until it is complete,
so even a process killed outright (SIGKILL, power loss) leaves no temporary file in the folder
(replacing an existing file names it for the instant of the rename; the next export sweeps a copy a kill
left there); elsewhere a hidden named temporary file beside the destination is used and removed on failure.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from mlcards.errors import MlcardsError


def check_destination(path: Path) -> None:
    """Refuse, with one line, a destination that cannot be a file: a folder, or a missing parent folder."""
    path = Path(path)
    if path.is_dir():
        raise MlcardsError("is a folder; give a file path such as deck.apkg", path=path)
    folder = path.parent
    if not folder.exists():
        raise MlcardsError(f"folder {str(folder)!r} does not exist; create it first", path=path)
    if not folder.is_dir():
        raise MlcardsError(f"{str(folder)!r} is not a folder", path=path)


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a fresh temporary file beside ``path``, then rename it over ``path``.

    On any failure (including in ``write``) the temporary file is removed and ``path`` is left as it
    was. OS errors become one-line ``MlcardsError``s naming ``path``.
    """
    path = Path(path)
    check_destination(path)
    _sweep(path)
    fd = _unnamed_file(path.parent)
    if fd is not None:
        _write_unnamed(fd, path, write)
        return
    tmp = _temp_name(path)
    try:
        with open(tmp, "xb"):  # claim the name; created with the usual permissions (umask)
            pass
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        _discard(tmp)
        raise MlcardsError(f"cannot write: {e.strerror or e}", path=path) from None
    except BaseException:
        _discard(tmp)
        raise


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def _sweep(path: Path) -> None:
    """Remove what an export of ``path`` killed outright left: its named temporary file. Replacing an
    existing file needs a name for the moment between link and rename (no system call replaces a file
    with an unnamed one), so a SIGKILL in those microseconds leaves a complete, hidden copy; the next
    export of the same file removes it."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{8}}\.tmp")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if pattern.fullmatch(name):
            _discard(path.parent / name)


def _unnamed_file(folder: Path) -> int | None:
    """A file with no name yet in ``folder`` (Linux ``O_TMPFILE``), or None where that is not possible."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(folder, flag | os.O_RDWR, 0o666)  # the usual permissions (umask applies)
    except OSError:  # a file system without O_TMPFILE support: fall back to a named temporary file
        return None


def _write_unnamed(fd: int, path: Path, write: Callable[[Path], object]) -> None:
    """``write`` the unnamed file through its /proc path, then give it ``path`` in one step.

    Until the final link the file has no name: however the process ends, nothing is left behind.
    """
    handle = Path(f"/proc/self/fd/{fd}")
    folder = None
    try:
        write(handle)
        os.fsync(fd)
        # linkat(AT_SYMLINK_FOLLOW) names the file itself (os.link uses plain link() unless a dir_fd is given)
        folder = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:  # nothing there yet: the complete file appears under its name in one step
            os.link(handle, path.name, dst_dir_fd=folder, follow_symlinks=True)
            return
        except FileExistsError:
            pass
        tmp = _temp_name(path)  # replacing a file: named only for the moment of the rename
        os.link(handle, tmp.name, dst_dir_fd=folder, follow_symlinks=True)
        try:
            os.replace(tmp, path)
        except BaseException:
            _discard(tmp)
            raise
    except OSError as e:
        raise MlcardsError(f"cannot write: {e.strerror or e}", path=path) from None
    finally:
        os.close(fd)
        if folder is not None:
            os.close(folder)


def _discard(tmp: Path) -> None:
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    except OSError:  # best effort: the error being reported matters more
        pass
