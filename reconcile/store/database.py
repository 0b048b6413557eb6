"""Opening the store: a sqlmodel engine from a URL (SQLite file by default, PostgreSQL by URL).

`DERMCLAIM_DB` or `--db` chooses the URL; without either the store is the SQLite file
`dermclaim.db` in the working directory. A brand-new store is built at the schema's head
revision on first use; a store behind it is refused until `dermclaim db upgrade`
(`reconcile.store.migrate`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from reconcile.errors import StoreError
from reconcile.store import migrate

DEFAULT_URL = "sqlite:///dermclaim.db"

# SQLite has no DECIMAL type: SQLAlchemy stores Numeric as text-affinity numbers and converts
# back to Decimal on read. Its warning about that is expected here, not a problem.
warnings.filterwarnings("ignore", message=".*does \\*not\\* support Decimal objects natively.*")


def resolve_url(url: str | None = None) -> str:
    url = url or os.environ.get("DERMCLAIM_DB") or DEFAULT_URL
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """An engine for the URL, its store at the schema's head (built when brand-new). Raises
    StoreError with the URL's scheme (never its password) when the store cannot be opened,
    or names `dermclaim db upgrade` when the store is behind."""
    resolved = resolve_url(url)
    if resolved in _ENGINES:
        return _ENGINES[resolved]
    engine = new_engine(resolved)
    try:
        migrate.prepare(engine, url_hint=_safe(url) if url else "")
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(f"cannot open database {_safe(resolved)}: {exc.orig}") from None
    except StoreError:
        engine.dispose()
        raise
    _ENGINES[resolved] = engine
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session whose work commits together at the end, or rolls back on any error."""
    engine = get_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def new_engine(url: str | None = None) -> Engine:
    """An engine for the URL with the store's pragmas, and NO schema check or creation
    (for `dermclaim db upgrade`, which must open a store that is behind)."""
    resolved = resolve_url(url)
    try:
        engine = create_engine(resolved)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"cannot use database URL {_safe(resolved)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def dispose_all() -> None:
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
