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


PHI = "Ruth Okafor DOB 1948-06-14 MBI 1EG4TE5MK73"
URL = "postgresql+psycopg://roleak:S3cretPW-xyz@db.example/claims"


def test_crash_log_keeps_the_command_name_and_no_value(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21 reproduction: `--note <patient>` and `--db <url with password>` were written
    into the log as "command words". Every argument, option value and environment value
    carries patient data or the password; none may reach the log (nor stderr's password)."""
    logs = tmp_path / "logs"
    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(logs))
    monkeypatch.setenv("DERMCLAIM_DB", URL)
    monkeypatch.setenv("DERMCLAIM_NOTE", PHI)
    group = click.Group("leak-test")

    @group.command("go")
    @click.argument("words", nargs=-1)
    @click.option("--note")
    @click.option("--db")
    def _go(words: tuple[str, ...], note: str, db: str) -> None:
        raise RuntimeError(f"{note} {db} {os.environ['DERMCLAIM_DB']}")

    main.add_command(group)
    try:
        result = CliRunner().invoke(main, [
            "leak-test", "go", PHI, URL, f"--note={PHI}", "--db", URL, "Okafor", "S3cretPW-xyz"])
    finally:
        main.commands.pop("leak-test")
    assert result.exit_code == EXIT_BUG
    assert "S3cretPW" not in result.output and "Okafor" not in result.output
    [log] = list(logs.iterdir())
    text = log.read_text()
    assert "command: dermclaim leak-test go\n" in text
    assert "RuntimeError" in text and "_go" in text
    for value in ("Okafor", "1948-06-14", "1EG4TE5MK73", "S3cretPW", "roleak", "db.example",
                  "--note", "--db"):
        assert value not in text, value


def test_passwords_are_hidden_in_user_messages(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["denials", "--db", "mysql://roleak:S3c@ret@db.example/x"])
    assert result.exit_code != 0
    assert "S3c" not in result.output and "ret@" not in result.output
    assert "mysql://roleak:***@db.example/x" in result.stderr
