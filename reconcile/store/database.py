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

import errno
import os
import re
import secrets
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
from reconcile.errors import (
    StoreError,
    StoreFull,
    StoreLocked,
    StorePermission,
    StoreReadOnly,
    StoreUnreachable,
    StoreUnusable,
    hide_passwords,
)
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


# PostgreSQL SQLSTATE classes and codes -> the kind of fault (PostgreSQL docs, appendix A)
_PG_STATES: tuple[tuple[str, type[StoreUnusable]], ...] = (
    ("42501", StoreReadOnly),  # insufficient_privilege: a SELECT-only role writing
    ("25006", StoreReadOnly),  # read_only_sql_transaction: a hot standby, a read-only session
    ("53", StoreFull),  # insufficient resources: disk_full, out_of_memory, too_many_connections
    ("58030", StoreFull),  # io_error
    ("55P03", StoreLocked), ("40P01", StoreLocked),  # lock_not_available, deadlock_detected
    ("57014", StoreUnreachable),  # query_canceled: the statement timeout
    ("57P", StoreUnreachable), ("08", StoreUnreachable),  # shut down; connection exceptions
    ("3D000", StoreUnreachable),  # invalid_catalog_name: no such database
    ("28", StorePermission),  # invalid authorization: wrong password, role refused
)
# SQLite (and driver) message fragments -> the kind of fault
_TEXTS: tuple[tuple[str, type[StoreUnusable]], ...] = (
    ("readonly database", StoreReadOnly), ("read-only", StoreReadOnly),
    ("database or disk is full", StoreFull), ("no space left", StoreFull),
    ("disk i/o error", StoreFull),
    ("database is locked", StoreLocked), ("database table is locked", StoreLocked),
    ("lock timeout", StoreLocked),
    ("unable to open database file", StorePermission), ("permission denied", StorePermission),
    # a login refused: before the connection texts, which the same message carries
    ("authentication failed", StorePermission), ("no pg_hba.conf entry", StorePermission),
    ('" does not exist', StorePermission),  # role "x" (a database "x": below, unreachable)
    ("statement timeout", StoreUnreachable), ("could not connect", StoreUnreachable),
    ("connection refused", StoreUnreachable), ("connection failed", StoreUnreachable),
    ("server closed the connection", StoreUnreachable), ("timeout expired", StoreUnreachable),
)


def _driver_errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [DBAPIError, sqlite3.Error]
    try:
        import psycopg
    except ImportError:
        return tuple(found)
    return (*found, psycopg.Error)


DB_ERRORS = _driver_errors()


def _fault_kind(exc: BaseException) -> type[StoreUnusable] | None:
    orig = getattr(exc, "orig", None) or exc
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state:  # the server said what it is: a state not listed is no store fault
        return next((kind for prefix, kind in _PG_STATES if str(state).startswith(prefix)),
                    None)
    low = str(orig).lower()
    if re.search(r'database ".*" does not exist', low):
        return StoreUnreachable
    return next((kind for text, kind in _TEXTS if text in low), None)


def describe_error(exc: BaseException) -> str:
    """A store failure in one plain sentence (a lock held by another run named as such)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    kind = _fault_kind(exc)
    if kind is StoreLocked:
        return (f"another dermclaim run is writing to the store (waited {lock_timeout():g} s "
                "for it): try again when it has finished")
    if kind is StoreReadOnly:
        return "the store is read-only for you: only commands that read it can run"
    if kind is StoreFull:
        return ("the store's disk is full (or failing): nothing was written; free some space "
                "and run the command again")
    if kind is StorePermission and "unable to open database file" in text.lower():
        return ("the store's file or its folder cannot be written by you (SQLite keeps its "
                "journal beside the store): only commands that read it can run")
    if kind is StoreUnreachable and "timeout" in text.lower() and "connect" not in text.lower():
        return "the store did not answer in time (statement timeout)"
    return hide_passwords(text)


def store_fault(exc: BaseException, url: str | None = None) -> StoreUnusable | None:
    """The typed error for a database exception that makes the store unusable for this
    command (read-only, permission, full, locked, unreachable), or None for any other (a
    constraint, a bug). Its message is one sentence naming the store, never a password."""
    kind = _fault_kind(exc)
    if kind is None:
        return None
    where = f"{_safe(resolve_url(url))}: " if kind is not StoreLocked else ""
    return kind(f"{where}{describe_error(exc)}")


def as_store_error(exc: BaseException, prefix: str = "") -> StoreError:
    """`exc` as the StoreError a user sees: typed (exit 2) when it makes the store unusable,
    plain otherwise; `prefix` says what was being done."""
    kind = _fault_kind(exc) or StoreError
    return kind(f"{prefix}{describe_error(exc)}")


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
        _build_new_store(path)
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
        kind = _fault_kind(exc) or StoreUnusable
        raise kind(f"cannot open database {_safe(resolved)}: {describe_error(exc)}") from None
    except StoreError:
        engine.dispose()
        raise
    _ENGINES[resolved] = engine
    return engine


def _os_fault(exc: OSError) -> type[StoreUnusable]:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreFull
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorePermission
    return StoreUnusable


def _build_new_store(path: Path) -> None:
    """Build a new SQLite store whole or not at all: in a hidden owner-only file beside it,
    every revision run, then linked into place (never over a store another run has just
    built: that one is used). Through a symlink, the file the link names is built, 0600
    like any store. A failure (a full disk) leaves no store and no temporary behind."""
    target = Path(os.path.realpath(path))
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.building")
    try:
        create_private(tmp)
        engine = new_engine(f"sqlite:///{tmp}")
        try:
            migrate.prepare(engine)
        finally:
            engine.dispose()
        try:
            os.link(tmp, target)  # fails if a store appeared meanwhile: keep that one
        except FileExistsError:
            pass
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
                raise
            if not target.exists():  # a file system without hard links
                os.replace(tmp, target)
    except OSError as exc:
        raise _os_fault(exc)(f"cannot create the store {path}: {exc.strerror or exc}; "
                             "nothing was created") from None
    except DB_ERRORS as exc:
        raise as_store_error(exc, f"cannot create the store {path}: ") from None
    except StoreError as exc:
        raise type(exc)(f"cannot create the store {path}: {exc}; nothing was created"
                        ) from None
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


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
        except DB_ERRORS as exc:  # raw driver errors too (bulk inserts use the cursor)
            session.rollback()
            typed = store_fault(exc, url)
            if typed is None:
                raise
            raise typed from None
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
