"""Alembic environment: runs on the connection `reconcile.store.migrate` hands over.

`render_as_batch` lets a revision alter columns on SQLite (copy-and-move tables). Run from
the alembic CLI too: `alembic -x url=sqlite:///dermclaim.db ...` with a config naming this
folder as script_location.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from reconcile.store.migrate import target_metadata

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata(),
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url")
    if not url:
        raise SystemExit("alembic: no store URL (-x url=... or sqlalchemy.url)")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
