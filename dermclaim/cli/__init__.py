"""The `dermclaim` command line: a thin adapter over coding, edi and reconcile.

Each command lives in a module of this package and registers itself on `main` (or on the
`remit` group) with `@main.command(...)` when imported. Modules are imported only when one
of their commands runs (`LazyGroup`), so `--help` and every command load only what they
need: the tables below say which module defines each command.
"""

from __future__ import annotations

import click

from dermclaim import __version__
from dermclaim.cli._crash import SafeGroup
from dermclaim.cli._exits import EXIT_EPILOG
from dermclaim.cli._lazy import LazyGroup, Row

# command name -> (module(s) in dermclaim/cli that define it, one line for `dermclaim --help`).
# A new command: define it in its module, add its row here (tests/test_cli_lazy.py checks
# that every row's module defines its command and every command has a row).
COMMANDS: dict[str, Row] = {
    "code": ("code_cmd", "Code an encounter file into claim lines with modifiers, units and "
             "findings."),
    # ack_cmds adds `claims status` to the command submit_cmds defines
    "claims": (("submit_cmds", "ack_cmds"), "Code encounters and write them as one 837P, "
               "validated and recorded in the store."),
    "validate": ("submit_cmds", "Check an 837P or 835 against its implementation guide "
                 "(pyx12) and our own checks."),
    "denials": ("denial_cmds", "Denied lines with cause, CARC/RARC evidence, amount and "
                "action, or totals by a key."),
    "worklist": ("report_cmds", "Write the appeal worklist: one row per denied line, "
                 "nearest appeal deadline first."),
    "report": ("report_cmds", "Write the denial report: totals, charts by "
               "cause/payer/code/month, top worklist rows."),
    "correct": ("correct_cmds", "Correct fixable denials by the payer's route: "
                "replacement claims, or a Medicare reopening request / new claim."),
    "db": ("db_cmds", "The store itself: where it is, what it holds, schema version and "
           "upgrades."),
    "appeal": ("appeal_cmds", "Write appeal letters for denials (HTML and text), one per claim "
               "and level; --sent marks them appealed."),
    "denial": ("denial_cmds", "One denial: show it (line, evidence, history) or move its "
               "status."),
    "ack": ("ack_cmds", "Acknowledgments of what was sent: 999 (syntax) and 277CA (each "
            "claim)."),
    "underpayments": ("underpayment_cmds", "Posted lines allowed less (or more) than the "
                      "contract or the Medicare fee schedule says, with the basis."),
    "underpayment": ("underpayment_cmds", "One underpaid line: show it, move its status, "
                     "write its payment-dispute letter."),
    "rejections": ("ack_cmds", "Claims rejected by a 999 or a 277CA (never adjudicated, so "
                   "never denials)."),
    "secondary": ("secondary_cmds", "Bill the balance a posted primary 835 leaves to the next "
                  "payer (crossovers followed, not re-sent)."),
}
REMIT_COMMANDS: dict[str, Row] = {
    "show": ("remit_cmds", "Show an 835 remittance: payments, claims, lines, adjustments, "
             "PLB and findings."),
    "load": ("remit_cmds", "Load 835 files into the store: matched to what was sent, "
             "denials classified."),
    "payments": ("void_cmds", "List the payments posted, with the id `remit void` takes."),
    "void": ("void_cmds", "Remove a posted payment and everything it posted (recorded)."),
}


class MainGroup(LazyGroup, SafeGroup):
    """Lazy command loading, and the last-resort error handler of `_crash`. Bare
    `dermclaim` prints the help and exits 0 (asking for help is not an error)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args:
            click.echo(ctx.get_help())
            ctx.exit(0)
        return super().parse_args(ctx, args)


@click.group(cls=MainGroup, lazy=COMMANDS, epilog=EXIT_EPILOG,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dermclaim")
def main() -> None:
    """Dermatology claims: code encounters, write 837P files, reconcile 835 remittances.

    \b
    Example:
      dermclaim code samples/encounters/01-em25-biopsies.json
      dermclaim claims samples/encounters/*.json --practice samples/practice.toml -o out.837
      dermclaim remit load samples/remit.835 && dermclaim denials --by cause
    """


@main.group(cls=LazyGroup, lazy=REMIT_COMMANDS, epilog=EXIT_EPILOG)
def remit() -> None:
    """Payer 835 remittances: show a file, load files into the store.

    \b
    Example:
      dermclaim remit show samples/remit.835
      dermclaim remit load samples/remit.835
    """
