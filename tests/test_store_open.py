"""Opening the store: URLs checked before use, a clear sentence instead of a traceback, no
empty store created by a command that only reads, read-only stores readable, owner-only
files, and no hang on a server that accepts and never answers."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dermclaim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _no_traceback(r: Result) -> None:
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://biller:secret@db.example/claims",
     "cannot use database URL mysql://biller:***@db.example/claims: dermclaim stores are "
     "SQLite files (sqlite:///dermclaim.db) or PostgreSQL (postgresql+psycopg://user@host/db)"),
    ("postgresql+psycopg2://biller:secret@127.0.0.1/claims",
     "cannot use database URL postgresql+psycopg2://biller:***@127.0.0.1/claims: its driver "
     "psycopg2 is not installed (dermclaim ships psycopg: use postgresql+psycopg://...)"),
    ("not a url", "cannot use database URL not a url: not a URL such as sqlite:///"),
])
def test_a_url_dermclaim_cannot_use_is_named(url: str, message: str) -> None:
    r = run("denials", "--db", url)
    _no_traceback(r)
    assert r.exit_code == 2 and message in r.output  # the store is unusable
    assert "secret" not in r.output


def test_a_file_that_is_not_a_store_is_named(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_text("shopping list\n")
    for args in (["denials"], ["remit", "load", str(SAMPLES / "remit.835")]):
        r = run(*args, "--db", f"sqlite:///{other}")
        _no_traceback(r)
        assert r.exit_code == 2
        assert f"{other}: is not a dermclaim store (not an SQLite database file)" in r.output
    assert other.read_text() == "shopping list\n"


@pytest.mark.parametrize("command", [["denials"], ["worklist", "-o", "w.csv"],
                                     ["report", "-o", "r.html"], ["claims", "status"],
                                     ["rejections"]])
def test_a_reading_command_says_there_is_no_store_and_creates_none(
        tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = run(*command, "--db", f"sqlite:///{tmp_path / 'dermclaim.db'}")
    _no_traceback(r)
    assert r.exit_code == 2
    assert f"no store at {tmp_path / 'dermclaim.db'}: nothing has been sent or loaded there " \
           "yet" in r.output
    assert list(tmp_path.iterdir()) == []


def test_a_new_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "dermclaim.db"
        r = run("remit", "load", str(SAMPLES / "remit.835"), "--db", f"sqlite:///{db}")
    finally:
        os.umask(old)
    assert r.exit_code in (0, 1), r.output
    for f in tmp_path.iterdir():  # the store and its -wal / -shm companions
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name


def test_a_read_only_store_can_be_read_and_refuses_writes_plainly(tmp_path: Path) -> None:
    db = tmp_path / "dermclaim.db"
    assert run("remit", "load", str(SAMPLES / "remit.835"), "--db",
               f"sqlite:///{db}").exit_code in (0, 1)
    from reconcile.store.database import dispose_all

    dispose_all()
    ro = f"sqlite:///file:{db}?mode=ro&uri=true"  # as SQLite opens a file you cannot write
    r = run("denials", "--by", "cause", "--db", ro)
    _no_traceback(r)
    assert r.exit_code == 0 and "bundling" in r.output
    other = tmp_path / "other.835"
    other.write_bytes((SAMPLES / "remit.835").read_bytes() + b"\n")  # other bytes: a new file
    r = run("remit", "load", str(other), "--db", ro)
    _no_traceback(r)
    assert r.exit_code == 2  # the store is unusable for writing (issue 21), not a finding
    assert "the store is read-only for you: only commands that read it can run" in r.output


def test_a_server_that_never_answers_does_not_hang(tmp_path: Path) -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(srv.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    port = srv.getsockname()[1]
    try:
        r = subprocess.run(
            [sys.executable, "-m", "dermclaim", "denials", "--db",
             f"postgresql+psycopg://biller:secret@127.0.0.1:{port}/claims"],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
            env={**os.environ, "DERMCLAIM_CONNECT_TIMEOUT": "1"})
    finally:
        srv.close()
        for c in held:
            c.close()
    assert r.returncode == 2, r.stderr  # the store unreachable: unusable (issue 21)
    assert "cannot open database postgresql+psycopg://biller:***@127.0.0.1:" in r.stderr
    assert "timeout" in r.stderr and "Traceback" not in r.stderr
