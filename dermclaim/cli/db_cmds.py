"""`dermclaim db upgrade`: bring a store's schema up to date (Alembic revisions);
`dermclaim db info`: where the store is, its schema revision and what it holds.

Thin adapter over `reconcile.store.migrate.upgrade`; a SQLite store is copied first and the
copy's path printed.
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from dermclaim.cli import main
from dermclaim.cli._common import DB_OPTION, EXIT_BAD_INPUT, CliError, user_errors


@main.group("db")
def db_group() -> None:
    """The store itself: where it is, schema version and upgrades.

    \b
    Example:
      dermclaim db info
      dermclaim db upgrade --db sqlite:///dermclaim.db
    """


@db_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print the store's description as JSON.")
@DB_OPTION
def info_cmd(as_json: bool, db: str | None) -> None:
    """Which store the commands use (its full path, or its URL without the password), its
    schema revision against this dermclaim's, and how many rows it holds. Never creates a
    store; a store behind this dermclaim is described (then `dermclaim db upgrade`).

    \b
    Example:
      dermclaim db info
      DERMCLAIM_DB=postgresql+psycopg://biller@db/claims dermclaim db info --json
    """
    import json

    from reconcile.errors import StoreError
    from reconcile.store.info import COUNTED, store_info

    try:
        info = store_info(db)
    except StoreError as exc:
        raise CliError(str(exc), EXIT_BAD_INPUT) from None
    if as_json:
        click.echo(json.dumps({
            "store": info.url, "backend": info.backend, "schema_revision": info.revision,
            "schema_head": info.head, "up_to_date": info.up_to_date,
            "counts": info.counts, "denials_by_status": info.denials_by_status}, indent=2))
        return
    state = "up to date" if info.up_to_date else f"behind: this dermclaim needs {info.head} " \
        "(run `dermclaim db upgrade`)"
    click.echo(f"store: {info.url} ({info.backend})")
    click.echo(f"schema revision: {info.revision} ({state})")
    for table, what in COUNTED.items():
        if table in info.counts:
            click.echo(f"  {what}: {info.counts[table]:,}")
    if info.denials_by_status:
        click.echo("  denials by status: " + ", ".join(
            f"{k} {v:,}" for k, v in info.denials_by_status.items()))


@db_group.command("upgrade")
@DB_OPTION
def upgrade_cmd(db: str | None) -> None:
    """Upgrade the store to this dermclaim's schema (a SQLite store is backed up first).

    A store written by dermclaim 0.1.0 (no schema version recorded) is recognised and
    upgraded in place; nothing is lost. Running it on an up-to-date store changes nothing.

    \b
    Example:
      dermclaim db upgrade
      dermclaim db upgrade --db postgresql+psycopg://user@host/dermclaim
    """
    from reconcile.errors import StoreError
    from reconcile.store import migrate
    from reconcile.store.database import new_engine, resolve_url

    with user_errors():
        url = resolve_url(db)
        path = _sqlite_file(url)
        if path is not None and not path.is_file():
            raise StoreError(f"{path}: no such store; nothing to upgrade")
        engine = new_engine(url)
        try:
            res = migrate.upgrade(engine, path)
        finally:
            engine.dispose()
    if res.backup is not None:
        click.echo(f"backup: {res.backup}")
    if res.before == res.after:
        click.echo(f"store already at schema revision {res.after}; nothing to do")
    elif res.before is None:
        click.echo(f"new store created at schema revision {res.after}")
    else:
        click.echo(f"store upgraded from schema revision {res.before} to {res.after}")
    for note in res.notes:
        click.echo(note)


def _sqlite_file(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)
