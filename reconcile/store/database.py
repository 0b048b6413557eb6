"""Opening the store: a sqlmodel engine from a URL (SQLite file by default, PostgreSQL by URL).

`DERMCLAIM_DB` or `--db` chooses the URL; without either the store is the SQLite file
`dermclaim.db` in the working directory. A brand-new store is built at the schema's head
revision on first use by a command that writes (a command that only reads says there is
no store instead: `get_engine(url, create=False)`); a store behind it is refused until
`dermclaim db upgrade` (`reconcile.store.migrate`).

Checked before use: the URL names SQLite or PostgreSQL and its driver is installed; an
SQLite file is an SQLite database (not some other file); a new SQLite store is created
readable by its owner only. Waiting is bounded: a second writer on SQLite waits for the
lock (busy timeout) and PostgreSQL waits for row locks up to $DERMCLAIM_LOCK_TIMEOUT
seconds (default 60), then says plainly that another run holds the store; PostgreSQL
connects within $DERMCLAIM_CONNECT_TIMEOUT (10 s) and a statement runs at most
$DERMCLAIM_STATEMENT_TIMEOUT (600 s), so a server that never answers cannot hang a
command. A store file the user can only read is opened read-only (reading commands work).
"""

from __future__ import annotations

import os
import sqlite3
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from edi.atomic import create_private
from reconcile.errors import StoreError, hide_passwords
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


class NoStore(StoreError):
    """A reading command found no store (nothing sent or loaded there yet)."""


def _seconds(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


def lock_timeout() -> float:
    """How long a writer waits for another run's lock ($DERMCLAIM_LOCK_TIMEOUT s)."""
    return _seconds("DERMCLAIM_LOCK_TIMEOUT", 60)


def describe_error(exc: BaseException) -> str:
    """A store failure in one plain sentence (a lock held by another run named as such)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    low = text.lower()
    if "database is locked" in low or "lock timeout" in low or "database table is locked" in low:
        return (f"another dermclaim run is writing to the store (waited {lock_timeout():g} s "
                "for it): try again when it has finished")
    if "readonly database" in low or "read-only" in low:
        return "the store is read-only for you: only commands that read it can run"
    if "statement timeout" in low:
        return "the store did not answer in time (statement timeout)"
    return text


def get_engine(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine for the URL, its store at the schema's head (built when brand-new, unless
    `create` is False: then NoStore says there is none). Raises StoreError with the URL's
    scheme (never its password) when the store cannot be opened, or names `dermclaim db
    upgrade` when the store is behind."""
    resolved = resolve_url(url)
    if resolved in _ENGINES:
        return _ENGINES[resolved]
    path = check_url(resolved)
    if path is not None and not path.exists():
        if not create:
            raise NoStore(f"no store at {path}: nothing has been sent or loaded there yet "
                          "(run `dermclaim claims` or `dermclaim remit load` first, or name "
                          "the store with --db or DERMCLAIM_DB)")
        try:
            create_private(path)
        except OSError as exc:
            raise StoreError(f"cannot create the store {path}: {exc.strerror}") from None
    engine = new_engine(resolved)
    try:
        if not create:
            with engine.connect() as conn:
                if migrate.state(conn).empty:
                    raise NoStore(f"the store {_safe(resolved)} is empty: nothing has been "
                                  "sent or loaded there yet")
        migrate.prepare(engine, url_hint=_safe(url) if url else "")
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise StoreError(f"cannot open database {_safe(resolved)}: "
                         f"{describe_error(exc)}") from None
    except StoreError:
        engine.dispose()
        raise
    _ENGINES[resolved] = engine
    return engine


def check_url(url: str) -> Path | None:
    """Refuse a URL dermclaim cannot use before anything connects; the SQLite file's path
    (None for PostgreSQL or an in-memory store)."""
    try:
        u = make_url(url)
    except ArgumentError:
        raise StoreError(f"cannot use database URL {_safe(url)}: not a URL such as "
                         "sqlite:///dermclaim.db or postgresql+psycopg://user@host/db") from None
    backend = u.get_backend_name()
    if backend == "postgresql":
        driver = u.drivername.partition("+")[2] or "psycopg2"
        try:
            __import__({"psycopg": "psycopg", "psycopg2": "psycopg2"}.get(driver, driver))
        except ImportError:
            raise StoreError(f"cannot use database URL {_safe(url)}: its driver {driver} is "
                             "not installed (dermclaim ships psycopg: use "
                             "postgresql+psycopg://...)") from None
        return None
    if backend != "sqlite":
        raise StoreError(f"cannot use database URL {_safe(url)}: dermclaim stores are SQLite "
                         "files (sqlite:///dermclaim.db) or PostgreSQL "
                         "(postgresql+psycopg://user@host/db)")
    name = u.database or ""
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a store file")
    if path.is_file():
        try:
            with path.open("rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the store: {exc.strerror}") from None
        if head and head != b"SQLite format 3\x00":
            raise StoreError(f"{path}: is not a dermclaim store (not an SQLite database "
                             "file); name the store with --db or DERMCLAIM_DB")
    return path


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.OperationalError:  # a read-only store: reading needs neither
        pass
    cur.close()


def _postgres_timeouts(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    statement = int(_seconds("DERMCLAIM_STATEMENT_TIMEOUT", 600) * 1000)
    lock = int(lock_timeout() * 1000)
    with dbapi_conn.cursor() as cur:
        cur.execute(f"SET statement_timeout = {statement}")
        cur.execute(f"SET lock_timeout = {lock}")
    dbapi_conn.commit()  # a SET inside a rolled-back transaction would be undone


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


def write_lock(session: Session) -> None:
    """Take the store's write lock now, before reading what a change depends on, so the
    check and the write are one step: SQLite BEGIN IMMEDIATE (a second writer waits, then
    reads what the first committed); on PostgreSQL the caller reads its rows FOR UPDATE.
    Call it first in a session (SQLite cannot upgrade a transaction already begun)."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def new_engine(url: str | None = None) -> Engine:
    """An engine for the URL with the store's pragmas, and NO schema check or creation
    (for `dermclaim db upgrade`, which must open a store that is behind)."""
    resolved = resolve_url(url)
    check_url(resolved)
    backend = make_url(resolved).get_backend_name()
    connect_args: dict[str, object] = {}
    if backend == "sqlite":
        connect_args["timeout"] = lock_timeout()  # the busy timeout: wait for a writer
        path = check_url(resolved)
        if path is not None and path.is_file() and not os.access(path, os.W_OK):
            resolved = f"sqlite:///file:{path}?mode=ro&uri=true"  # read-only store
    elif backend == "postgresql":
        connect_args["connect_timeout"] = max(1, int(_seconds("DERMCLAIM_CONNECT_TIMEOUT", 10)))
    try:
        engine = create_engine(resolved, connect_args=connect_args)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"cannot use database URL {_safe(resolved)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_timeouts)
    return engine


def dispose_all() -> None:
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    return hide_passwords(url)
