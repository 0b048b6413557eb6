"""A click group whose commands are loaded when they run, not when the program starts.

Importing every command module at start-up imports the coding engine, the 835 reader, the
store, pyx12... just to print `--help`. A `LazyGroup` is given a table of command name ->
(module or modules, one-line summary): `--help` lists the summaries without importing anything, and
running a command imports its module, which registers the command on the group as usual
(`@main.command(...)`).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from dermclaim.cli._exits import EXIT_EPILOG

__all__ = ["LazyGroup", "Row", "modules"]

PACKAGE = "dermclaim.cli"
Row = tuple[str | tuple[str, ...], str]  # (module, or modules in load order; summary)


def modules(row: Row) -> tuple[str, ...]:
    return (row[0],) if isinstance(row[0], str) else row[0]


class LazyGroup(click.Group):
    def __init__(self, *args: Any, lazy: Mapping[str, Row] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, Row] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:  # every module of the row: `validate` may have loaded
            for module in modules(self.lazy[cmd_name]):  # `claims` without `claims status`
                importlib.import_module(f"{PACKAGE}.{module}")
        return with_exit_table(super().get_command(ctx, cmd_name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The Commands section of --help, from the table for commands not loaded yet."""
        names = [n for n in self.list_commands(ctx)
                 if n in self.lazy or not self.commands[n].hidden]
        if not names:
            return
        rows = []
        for name in names:
            # the summary in full (wrapped, never cut with "..."): from the table when the
            # command is not loaded, else the command's own short help or first sentence
            if name in self.lazy:
                rows.append((name, self.lazy[name][1]))
            else:
                rows.append((name, self.commands[name].get_short_help_str(10_000)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def with_exit_table(cmd: click.Command | None) -> click.Command | None:
    """Every command's --help ends with the exit-code table (sub-commands included)."""
    if cmd is not None and not cmd.epilog:
        cmd.epilog = EXIT_EPILOG
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            with_exit_table(sub)
    return cmd
