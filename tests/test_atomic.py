"""Output files are written whole, with ordinary permissions, or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from edi.atomic import write_atomically


def test_written_with_umask_permissions_not_mkstemp_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = write_atomically(tmp_path / "report.html", "<p>ok</p>")
    finally:
        os.umask(old)
    assert out.read_text() == "<p>ok</p>"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


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
