"""The last-resort handler: an unexpected exception is one line, a bug, and a private log."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dermclaim.cli import main
from dermclaim.cli._crash import EXIT_BUG

SECRET = "OKAFOR RUTH 19640212"


@pytest.fixture
def boom() -> Iterator[None]:
    """A command that fails the way a bug does, with patient data in the exception."""

    @main.command("boom-test")
    @click.argument("file", type=click.Path())
    def _boom(file: str) -> None:
        try:
            {}["x"]
        except KeyError:
            raise ValueError(f"cannot use {SECRET}") from None

    yield
    main.commands.pop("boom-test")


def test_unexpected_exception_is_one_line_with_a_private_log(
    boom: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = tmp_path / "logs"
    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(logs))
    encounter = tmp_path / "visit.json"
    encounter.write_text("{}")
    old = os.umask(0)  # the most permissive umask: the handler must set the modes itself
    try:
        result = CliRunner().invoke(main, ["boom-test", str(encounter)])
    finally:
        os.umask(old)
    assert result.exit_code == EXIT_BUG
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Traceback" not in result.output
    assert str(encounter) in lines[0] and "bug" in lines[0]
    assert SECRET not in result.output and "OKAFOR" not in result.stderr
    [log] = list(logs.iterdir())
    assert str(log) in lines[0]
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    text = log.read_text()
    assert "Traceback" in text and "ValueError" in text and "_boom" in text
    assert "OKAFOR" not in text and str(encounter) not in text


def test_user_errors_are_not_reported_as_bugs(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(tmp_path / "logs"))
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = CliRunner().invoke(main, ["code", str(bad)])
    assert result.exit_code == 2
    assert "bug" not in result.output
    assert not (tmp_path / "logs").exists()
