"""Output files are written whole, readable by their owner only, or not at all."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from edi.atomic import create_private, put_in_place, stage, write_atomically


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_written_readable_by_the_owner_only_whatever_the_umask(tmp_path: Path,
                                                              umask: int) -> None:
    old = os.umask(umask)
    try:
        out = write_atomically(tmp_path / "report.html", "<p>ok</p>")
        store = tmp_path / "dermclaim.db"
        assert create_private(store) and not create_private(store)
    finally:
        os.umask(old)
    assert out.read_text() == "<p>ok</p>"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    left = tmp_path / f".w.csv.{gone.pid}-0badc0de.tmp"
    left.write_text("half")
    foreign = tmp_path / ".w.csv.notours.tmp"
    foreign.write_text("kept")
    write_atomically(tmp_path / "w.csv", "a,b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".w.csv.notours.tmp", "w.csv"]


def test_staged_data_is_whole_before_it_is_put_in_place(tmp_path: Path) -> None:
    target = tmp_path / "c.837"
    target.write_text("previous")
    tmp = stage(target, b"ISA*new~")
    assert target.read_text() == "previous" and tmp.read_bytes() == b"ISA*new~"
    assert tmp.name.startswith(".c.837.") and stat.S_IMODE(tmp.stat().st_mode) == 0o600
    put_in_place(tmp, target)
    assert target.read_bytes() == b"ISA*new~" and not tmp.exists()


def test_failure_keeps_the_previous_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "w.csv"
    target.write_text("before")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "naïve", encoding="ascii")
    assert target.read_text() == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["w.csv"]


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as err:
        write_atomically(tmp_path / "nope" / "x.txt", "x")
    assert err.value.filename == str(tmp_path / "nope")


def test_bytes_are_written_as_is(tmp_path: Path) -> None:
    out = write_atomically(tmp_path / "a.837", b"ISA*~\n")
    assert out.read_bytes() == b"ISA*~\n"
