"""The denial filters every reporting command shares: the same words everywhere
(`--status`, `--payer`, `--cause`, `--code`, `--since/--until`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from dermclaim.cli._common import EXIT_BAD_INPUT, CliError

STATUS_CHOICES = ("open", "corrected", "appealed", "overturned", "upheld", "written_off",
                  "superseded", "all")


def parse_date(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{option} {value!r}: not a date, use YYYY-MM-DD", EXIT_BAD_INPUT) from None


DEFAULT_STATUS_HELP = "open work: open, appealed, upheld; 'all' for every status"


def filter_options(default_help: str = DEFAULT_STATUS_HELP) -> Callable[..., Any]:
    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        for opt in reversed([
            click.option("--status", type=click.Choice(STATUS_CHOICES), default=None,
                         help=f"Only denials with this status (default: {default_help})."),
            click.option("--payer", default=None, help="Only this payer (guide name)."),
            click.option("--cause", default=None, help="Only this denial cause."),
            click.option("--code", default=None, help="Only this procedure code."),
            click.option("--since", metavar="DATE", default=None,
                         help="Only denials received (remittance date) on or after YYYY-MM-DD."),
            click.option("--until", metavar="DATE", default=None,
                         help="Only denials received on or before YYYY-MM-DD."),
        ]):
            f = opt(f)
        return f
    return wrap


def filters_from(status: str | None, payer: str | None, cause: str | None, code: str | None,
                 since: str | None, until: str | None) -> Any:
    from reconcile.reports.analytics import Filters

    return Filters.of(status, payer=payer, cause=cause, code=code,
                      since=parse_date("--since", since), until=parse_date("--until", until))
