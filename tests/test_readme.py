"""The README's console examples are what the commands print today (cog --check).

Every example is a cog block (`tests/readme_run.py`); when a command's output changes, this
test fails until the README is regenerated with `.venv/bin/cog -I . -r README.md`. The
first set-up command is checked for the files it names."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_readme_examples_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    cogapp = pytest.importorskip("cogapp", reason="cogapp is in the test extras")
    monkeypatch.chdir(ROOT)
    status = cogapp.Cog().main(["cog", "-I", str(ROOT), "--check", str(README)])
    assert status == 0, ("README.md examples are stale: regenerate with "
                         "`.venv/bin/cog -I . -r README.md` and review the diff")


def test_every_sample_file_the_readme_names_exists() -> None:
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"\bsamples/[\w./*-]+", text))
    missing = []
    for name in sorted(named):
        name = name.rstrip(".")
        if "*" in name:
            if not list(ROOT.glob(name)):
                missing.append(name)
        elif not (ROOT / name).exists():
            missing.append(name)
    assert not missing, f"README names sample files that do not exist: {missing}"


def test_setup_commands_fix_the_clock() -> None:
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)\n```", text, re.S)
    assert first is not None
    words = shlex.split(first.group(1))
    assert "--now" in words, "the first set-up command must fix its clock (claims --now)"
