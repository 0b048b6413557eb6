"""Commands load when they run: the tables of dermclaim/cli/__init__.py are complete and
true, and `--help` imports none of the heavy packages."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from coding.icd10_index import icd10_index
from dermclaim.cli import COMMANDS, REMIT_COMMANDS, main, remit
from dermclaim.cli._lazy import modules

SAMPLE = str(Path(__file__).resolve().parent.parent / "samples" / "encounters"
             / "01-em25-biopsies.json")

ROWS = [(main, name, modules(row)[0]) for name, row in COMMANDS.items()] + \
       [(remit, name, modules(row)[0]) for name, row in REMIT_COMMANDS.items()]


@pytest.mark.parametrize(("group", "name", "module"), ROWS,
                         ids=[f"{g.name}-{n}" for g, n, _ in ROWS])
def test_each_row_names_the_module_that_defines_the_command(
        group: click.Group, name: str, module: str) -> None:
    importlib.import_module(f"dermclaim.cli.{module}")
    assert name in group.commands


def test_every_command_has_a_row() -> None:
    for row in [*COMMANDS.values(), *REMIT_COMMANDS.values()]:
        for module in modules(row):
            importlib.import_module(f"dermclaim.cli.{module}")
    assert set(main.commands) - {"remit"} - {n for n in main.commands
                                             if n.endswith("-test")} <= set(COMMANDS)
    assert set(remit.commands) <= set(REMIT_COMMANDS)


def _modules_after(args: list[str]) -> set[str]:
    """The top-level modules one command imports, run in an empty folder with no
    $DERMCLAIM_DB: a store beside it (the README's first command makes one) would rightly
    be read by `code` for the patient's history."""
    code = ("import json, sys\nfrom dermclaim.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    env = {k: v for k, v in os.environ.items() if k != "DERMCLAIM_DB"}
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH", "")]))
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, cwd=folder, env=env)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_loads_no_command_module() -> None:
    loaded = _modules_after(["--help"])
    assert not loaded & {"coding", "edi", "reconcile", "sqlalchemy", "sqlmodel", "pyx12",
                         "simple_icd_10_cm", "lxml"}


def test_code_loads_neither_the_store_nor_pyx12() -> None:
    icd10_index()  # the index cached (as after any first run)
    loaded = _modules_after(["code", SAMPLE])
    assert "coding" in loaded
    assert not loaded & {"sqlalchemy", "sqlmodel", "pyx12", "simple_icd_10_cm"}
    # start-up (issue 24): what only stdin or a spilling batch needs is not imported
    assert not loaded & {"tempfile", "shutil", "pickle"}


def test_help_lists_every_command_with_its_summary() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in [*COMMANDS, "remit"]:
        assert f"\n  {name} " in result.output
    result = CliRunner().invoke(main, ["remit", "--help"])
    for name in REMIT_COMMANDS:
        assert f"\n  {name} " in result.output


def test_an_unknown_command_is_still_refused() -> None:
    result = CliRunner().invoke(main, ["nosuch"])
    assert result.exit_code == 2
    assert "No such command" in result.output
