"""``mlcards sync ssh://host/path``: rsync over a remote shell. The "remote" here is this machine: a
stand-in for ssh runs the command rsync asks for locally, so the real rsync protocol is exercised."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from mlcards import answering
from mlcards.store import Store
from tests.conftest import run_cli
from tests.core._support import card_id
from tests.sync._support import at, live_log, make_devices, schedules

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="needs rsync")


def _fake_ssh(tmp_path: Path) -> Path:
    script = tmp_path / "fake-ssh"
    script.write_text('#!/bin/sh\n# ssh [options] host command...: run the command here\nshift\nexec sh -c "$*"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_two_machines_sync_through_a_folder_reached_by_ssh(tmp_path):
    (a, b), _ = make_devices(tmp_path, 2)
    answering.answer(a, card_id(a, "alpha", "recall"), 4, at(0))
    answering.answer(b, card_id(b, "beta", "recall"), 2, at(1, 1))
    paths = [a.path, b.path]
    a.close()
    b.close()
    remote = tmp_path / "remote"
    remote.mkdir()
    url = f"ssh://localhost{remote}"
    envs = [{"MLCARDS_SYNC_RSH": str(_fake_ssh(tmp_path)), "XDG_CACHE_HOME": str(tmp_path / f"cache{i}")}
            for i in range(2)]
    for i in (0, 1, 0):
        r = run_cli("sync", url, db=paths[i], env=envs[i])
        assert r.returncode == 0 and r.stderr == "", r.stderr
    a, b = Store.open(paths[0]), Store.open(paths[1])
    assert len(live_log(a)) == 2 and live_log(a) == live_log(b) and schedules(a) == schedules(b)
    assert sorted(p.name for p in remote.iterdir()) == sorted([a.sync_device().device_id, b.sync_device().device_id])
    status = run_cli("sync", "--status", url, db=paths[1], env=envs[1])
    assert "changes not sent yet: 0" in status.stdout
    a.close()
    b.close()


def test_an_unreachable_host_is_one_line(tmp_path):
    (a,), _ = make_devices(tmp_path, 1)
    path = a.path
    a.close()
    failing = tmp_path / "no-ssh"
    failing.write_text("#!/bin/sh\necho 'ssh: connect to host nowhere port 22: Connection refused' >&2\nexit 255\n")
    failing.chmod(0o755)
    r = run_cli("sync", "ssh://nowhere/srv/mlcards", db=path,
                env={"MLCARDS_SYNC_RSH": str(failing), "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert r.returncode == 1 and r.stderr.startswith("error: copying from ssh://nowhere/srv/mlcards failed")
    assert len(r.stderr.strip().splitlines()) == 1
