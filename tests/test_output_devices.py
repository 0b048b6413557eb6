"""Outputs go only to regular files or stdout (issue 21): as root, `report -o /dev/null`
or `worklist -o /dev/stdout` replaced the device with a 0600 regular file of patient data.
A device or pipe is now written through as a stream and stays what it is; a file of /proc
or /sys is refused, with nothing replaced."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dermclaim.cli import main
from edi.atomic import stage, write_atomically

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _run(*args: str, code: int = 0) -> Result:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output and "bug" not in r.output
    return r


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(tmp_path / "logs"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _run("remit", "load", str(SAMPLES / "remit.835"), "--db", url)
    return url


def test_dev_null_stays_a_device(store: str) -> None:
    before = os.stat("/dev/null")
    _run("report", "-o", "/dev/null", "--db", store)
    _run("worklist", "-o", "/dev/null", "--db", store)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode)


def test_a_pipe_is_written_through(store: str, tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read)
    reader.start()
    _run("worklist", "-o", str(fifo), "--db", store)
    reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert got and got[0].startswith(b'"denial_id"')
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_system_files_and_sockets_are_refused(tmp_path: Path) -> None:
    proc = Path("/proc/self/comm")
    if not proc.exists():
        pytest.skip("no /proc here")
    before = proc.read_text()
    with pytest.raises(OSError, match="not a regular file"):
        write_atomically(proc, "x\n")
    assert proc.read_text() == before
    import socket

    sock_path = tmp_path / "s.sock"
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(sock_path))
    try:
        with pytest.raises(OSError, match="not a regular file"):
            write_atomically(sock_path, "x")
        with pytest.raises(OSError, match="not a regular file"):
            stage("/dev/null", b"letters never go to a device")
    finally:
        srv.close()
    assert stat.S_ISSOCK(sock_path.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["s.sock"]
