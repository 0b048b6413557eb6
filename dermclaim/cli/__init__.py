"""The `dermclaim` command line: a thin adapter over coding, edi and reconcile.

Each command module registers itself on `main` (or on the `remit` group) when imported.
"""

from __future__ import annotations

import importlib

import click

from dermclaim import __version__
from dermclaim.cli._crash import SafeGroup


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dermclaim")
def main() -> None:
    """Dermatology claims: code encounters, write 837P files, reconcile 835 remittances.

    \b
    Example:
      dermclaim code samples/encounters/01-em25-biopsies.json
      dermclaim claims samples/encounters/*.json --practice samples/practice.toml -o out.837
      dermclaim remit load samples/remit.835 && dermclaim denials --by cause
    """


@main.group()
def remit() -> None:
    """Payer 835 remittances: show a file, load files into the store.

    \b
    Example:
      dermclaim remit show samples/remit.835
      dermclaim remit load samples/remit.835
    """


# One module per concern; each adds its commands to `main` or `remit` when imported.
_COMMAND_MODULES = ("code_cmd", "submit_cmds", "remit_cmds", "reconcile_cmds", "db_cmds",
                    "ack_cmds", "denial_cmds")

for _name in _COMMAND_MODULES:
    try:
        importlib.import_module(f"dermclaim.cli.{_name}")
    except ModuleNotFoundError as _exc:  # a command module not written yet
        if _exc.name != f"dermclaim.cli.{_name}":
            raise
