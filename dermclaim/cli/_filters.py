"""The denial filters every reporting command shares: the same words everywhere
(`--status`, `--payer`, `--cause`, `--code`, `--since/--until`), and only known values: a
value is matched without regard to case against what exists (the statuses, the companion
guides and the payers in the store, the classifier's causes, the codes denied), and an
unknown one is exit 2 with "did you mean ..." and the list, never an empty answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
            click.option("--status", metavar="STATUS", default=None,
                         help=f"Only denials with this status: {', '.join(STATUS_CHOICES)} "
                              f"(default: {default_help})."),
            click.option("--payer", metavar="NAME", default=None,
                         help="Only this payer (guide name, or the 835's payer name)."),
            click.option("--cause", metavar="CAUSE", default=None,
                         help="Only this denial cause (bundling, missing_25 ...)."),
            click.option("--code", metavar="CODE", default=None,
                         help="Only this procedure code (one the store has seen denied)."),
            click.option("--since", metavar="DATE", default=None,
                         help="Only denials received (remittance date) on or after YYYY-MM-DD."),
            click.option("--until", metavar="DATE", default=None,
                         help="Only denials received on or before YYYY-MM-DD."),
        ]):
            f = opt(f)
        return f
    return wrap


def filters_from(status: str | None, payer: str | None, cause: str | None, code: str | None,
                 since: str | None, until: str | None, db: str | None = None) -> Any:
    """The Filters for these option values, each word checked against the known values
    (`db`: the store whose payers and codes are known; read only when a filter needs it)."""
    from dermclaim.cli._common import reading_store
    from reconcile.denials.classify import CAUSES
    from reconcile.reports.analytics import Filters

    since_date, until_date = parse_date("--since", since), parse_date("--until", until)
    status = known("--status", status, STATUS_CHOICES)
    cause = known("--cause", cause, CAUSES)
    reading_store(db)  # the options first, then the store: no store is exit 2 as well
    if payer is not None:
        from reconcile.store.vocabulary import denial_payers

        payer = known("--payer", payer, [*guide_names(), *denial_payers(db)])
    if code is not None:
        from reconcile.store.vocabulary import known_codes

        code = known("--code", code, known_codes(db))
    return Filters.of(status, payer=payer, cause=cause, code=code, since=since_date,
                      until=until_date)


def guide_names() -> list[str]:
    from companion_guides import guide_names as names

    return list(names())


LISTED = 40  # values listed in an "unknown value" message; the rest are counted


def known(option: str, value: str | None, values: Iterable[str]) -> str | None:
    """The known value `value` names, matched without regard to case; an unknown one is
    exit 2 naming the closest values and the list."""
    if value is None:
        return None
    by_lower: dict[str, str] = {}
    for v in sorted(set(values), key=str.lower):
        by_lower.setdefault(v.lower(), v)
    hit = by_lower.get(value.strip().lower())
    if hit is not None:
        return hit
    import difflib  # only for an unknown value

    close = difflib.get_close_matches(value.strip().lower(), list(by_lower), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(by_lower[c] for c in close)}? " if close else ""
    names = list(by_lower.values())
    if not names:
        listing = "none yet (the store has none)"
    elif len(names) > LISTED:
        listing = ", ".join(names[:LISTED]) + f" and {len(names) - LISTED} more"
    else:
        listing = ", ".join(names)
    raise CliError(f"{option} {value!r} is not known: {hint}known values: {listing}",
                   EXIT_BAD_INPUT)
