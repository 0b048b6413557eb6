"""How a command that prints a list prints it: `--format table|csv|json|ndjson` (`--json` is
`--format json`) and `--limit N`, the same for `denials`, `claims status`, `rejections` and
`worklist`.

The JSON conventions (every `--json`): snake_case keys, money as strings with two decimals
("85.00"), dates as ISO text ("2026-03-31"), null for nothing. A list prints as an array of
its rows (ndjson: one row object a line); a command that acts prints one object with
`items` (what it did, one per file or claim), `totals` and, where it has them, `findings`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

__all__ = ["FORMATS", "emit_list", "list_options"]

FORMATS = ("table", "csv", "json", "ndjson")
F = TypeVar("F", bound=Callable[..., Any])


def list_options(f: F) -> F:
    f = click.option("--limit", metavar="N", type=click.IntRange(min=0), default=None,
                     help="Print only the first N rows (the count left out goes to "
                          "stderr).")(f)
    f = click.option("--json", "as_json", is_flag=True, help="Same as --format json.")(f)
    return click.option("--format", "fmt", type=click.Choice(FORMATS, case_sensitive=False),
                        default=None, help="table (default), csv, json (an array of rows) "
                                           "or ndjson (one JSON row a line).")(f)


def chosen(fmt: str | None, as_json: bool) -> str:
    if as_json and fmt not in (None, "json"):
        from dermclaim.cli._common import EXIT_BAD_INPUT, CliError

        raise CliError(f"--json and --format {fmt} disagree: give one", EXIT_BAD_INPUT)
    return "json" if as_json else (fmt or "table").lower()


def emit_list(rows: Sequence[Any], items: Callable[[Sequence[Any]], list[dict[str, Any]]],
              table: Callable[[Sequence[Any]], str], fmt: str | None, as_json: bool,
              limit: int | None, noun: str = "row", columns: Sequence[str] = ()) -> None:
    """Print `rows` (their first `limit`) as the format asks: `items` turns rows into JSON
    objects (also the CSV cells), `table` into the terminal table; `columns`: the CSV
    header when there is no row to take it from."""
    from dermclaim.cli._text import plural

    kind = chosen(fmt, as_json)
    shown = list(rows if limit is None else rows[:limit])
    if limit is not None and len(rows) > limit:
        click.echo(f"showing {limit} of {plural(len(rows), noun)} (--limit)", err=True)
    if kind == "table":
        click.echo(table(shown))
    elif kind == "json":
        click.echo(json.dumps(items(shown), indent=2, ensure_ascii=False))
    elif kind == "ndjson":
        for item in items(shown):
            click.echo(json.dumps(item, ensure_ascii=False))
    else:
        from reconcile.reports.csv_export import csv_text

        objects = items(shown)
        header = list(objects[0]) if objects else list(columns)
        cells = [{k: _cell(v) for k, v in o.items()} for o in objects]
        click.echo(csv_text(header, cells), nl=False)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
