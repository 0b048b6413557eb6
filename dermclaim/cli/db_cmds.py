"""`dermclaim db upgrade`: bring a store's schema up to date (Alembic revisions).

Thin adapter over `reconcile.store.migrate.upgrade`; a SQLite store is copied first and the
copy's path printed.
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from dermclaim.cli import main
from dermclaim.cli._common import DB_OPTION, user_errors


@main.group("db")
def db_group() -> None:
    """The store itself: schema version and upgrades.

    \b
    Example:
      dermclaim db upgrade --db sqlite:///dermclaim.db
    """


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
