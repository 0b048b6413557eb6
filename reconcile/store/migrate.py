"""The store's schema version: Alembic revisions under `reconcile/store/migrations/`.

The one module through which Alembic enters. A brand-new store is built by running every
revision up to the head. A store written by dermclaim 0.1.0 (today's tables, no
`alembic_version` table) is recognised as the baseline revision. A store behind the head is
refused by every command (`check`) until `dermclaim db upgrade` (`upgrade`) brings it up to
date, on SQLite after a backup copy of the file.

Adding a revision: a new file in `migrations/versions/` whose `down_revision` is the current
head (tests/test_migrations.py checks there is one head and that the models match).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

from attrs import frozen
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from edi.atomic import OWNER_ONLY, create_private
from reconcile.errors import StoreError, StoreUnusable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001_baseline"
# The tables dermclaim 0.1.0 created (revision 0001_baseline): a store holding them without
# alembic_version is that release's store.
BASELINE_TABLES = frozenset({
    "control_counter", "interchange", "submitted_claim", "submitted_line", "remit_file",
    "remit_transaction", "remit_claim", "remit_line", "remit_adjustment",
    "remit_provider_adjustment", "remit_finding", "denial"})
UPGRADE_HINT = "run `dermclaim db upgrade{db}` (SQLite: a backup copy is made first)"


@frozen
class SchemaState:
    current: str | None  # revision the store is at; None = empty store
    head: str
    versioned: bool  # has an alembic_version table

    @property
    def empty(self) -> bool:
        return self.current is None

    @property
    def behind(self) -> bool:
        return self.current is not None and self.current != self.head


@frozen
class UpgradeResult:
    before: str | None
    after: str
    backup: Path | None  # the SQLite copy made first
    notes: tuple[str, ...] = ()  # what the revisions did beyond the schema (de-duplication)


def target_metadata() -> MetaData:
    """Every table model, registered."""
    from sqlmodel import SQLModel

    import reconcile.store.ack_models  # noqa: F401
    import reconcile.store.denial_models  # noqa: F401
    import reconcile.store.models  # noqa: F401
    import reconcile.store.remit_models  # noqa: F401
    import reconcile.store.underpayment_models  # noqa: F401
    import reconcile.store.void_models  # noqa: F401

    return SQLModel.metadata


def _config(connection: Connection | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _script():  # type: ignore[no-untyped-def]
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def heads() -> tuple[str, ...]:
    return tuple(_script().get_heads())


def head() -> str:
    found = heads()
    if len(found) != 1:
        raise StoreError(f"the store's migrations have {len(found)} heads {found}; expected one")
    return found[0]


def known_revisions() -> set[str]:
    return {s.revision for s in _script().walk_revisions()}


def state(connection: Connection) -> SchemaState:
    """Where the store stands against the migrations' head."""
    from alembic.migration import MigrationContext

    tables = set(inspect(connection).get_table_names())
    top = head()
    if "alembic_version" in tables:
        current = MigrationContext.configure(connection).get_current_revision()
        return SchemaState(current, top, True)
    ours = tables & BASELINE_TABLES
    if not ours:
        return SchemaState(None, top, False)
    if ours != BASELINE_TABLES:
        missing = ", ".join(sorted(BASELINE_TABLES - ours))
        raise StoreError(f"the store has some dermclaim tables but not all (missing {missing});"
                         " it was not written by a dermclaim release this version can upgrade")
    return SchemaState(BASELINE, top, False)


def prepare(engine: Engine, url_hint: str = "") -> SchemaState:
    """Make a brand-new store at the head; refuse a store that is behind (or ahead)."""
    with engine.connect() as conn:
        st = state(conn)
    if st.empty:
        _run_upgrade(engine, "head")
        with engine.connect() as conn:
            return state(conn)
    check(st, url_hint)
    return st


def check(st: SchemaState, url_hint: str = "") -> None:
    db = f" --db {url_hint}" if url_hint else ""
    if st.current is not None and st.current not in known_revisions():
        raise StoreError(f"the store is at schema revision {st.current}, which this dermclaim "
                         "does not know: it was written by a newer dermclaim; use that version")
    if st.behind:
        raise StoreError(f"the store is at schema revision {st.current}, this dermclaim needs "
                         f"{st.head}: " + UPGRADE_HINT.format(db=db))


def upgrade(engine: Engine, sqlite_path: Path | None = None) -> UpgradeResult:
    """Bring the store to the head. A SQLite file is copied first (its path is returned).
    Everything happens in one transaction: a store written before revisions existed is
    completed to the baseline (`PRE_BASELINE_COLUMNS`), stamped and upgraded together, so
    a failure leaves it exactly as it was (never stamped and half-upgraded)."""
    with engine.connect() as conn:
        st = state(conn)
    if st.current is not None and st.current not in known_revisions():
        check(st)
    if sqlite_path is not None:
        owner_only(sqlite_path)
    backup = None
    if st.current is not None and st.current != st.head and sqlite_path is not None:
        backup = backup_sqlite(sqlite_path, st.current)
    notes: list[str] = []
    if st.current != st.head:
        notes = _run_upgrade(engine, "head",
                             unversioned=st.current is not None and not st.versioned)
    return UpgradeResult(st.current, st.head, backup, tuple(notes))


# Columns of the baseline (0.1.0) tables that the landings before 0.1.0 had not added yet:
# a store they wrote gets them (empty) before it is stamped as the baseline. Found by
# upgrading a store each landing wrote (tests/fixtures/old_stores).
PRE_BASELINE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "denial": (("corrected_in", "INTEGER"),),  # added by 5a18808 (`dermclaim correct`)
}


def _complete_baseline(conn: Connection) -> list[str]:
    """Add the baseline columns a pre-0.1.0 store lacks; what was added."""
    added = []
    for table, columns in PRE_BASELINE_COLUMNS.items():
        have = {c["name"] for c in inspect(conn).get_columns(table)}
        for name, sql_type in columns:
            if name not in have:
                conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {sql_type}')
                added.append(f"{table}.{name}")
    return added


def backup_sqlite(path: Path, revision: str) -> Path:
    """A consistent copy of the SQLite store (the backup API: WAL content included)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{revision}.{stamp}.bak")
    try:
        create_private(target)  # patient data: owner-only before a byte is copied
    except OSError as exc:
        raise StoreError(f"cannot back up {path} to {target}: {exc.strerror}; store not "
                         "upgraded") from None
    try:
        src = sqlite3.connect(str(path))
        try:
            dst = sqlite3.connect(str(target))
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise StoreError(f"cannot back up {path} to {target}: {exc}; store not upgraded") from None
    return target


def owner_only(path: Path) -> None:
    """A store written by a release that left it to the umask (0644): the file it is (or a
    symlink names) and its journal files made readable by their owner only."""
    real = Path(os.path.realpath(path))
    for f in (real, *(real.with_name(real.name + s) for s in ("-wal", "-shm", "-journal"))):
        try:
            if f.is_file() and stat.S_IMODE(f.stat().st_mode) & 0o077:
                f.chmod(OWNER_ONLY)
        except OSError:
            pass  # not the owner: the upgrade itself says what it cannot do


def _run_upgrade(engine: Engine, target: str, *, unversioned: bool = False) -> list[str]:
    """Run the revisions up to `target` in one transaction (an unversioned 0.1.0-or-older
    store completed and stamped first, in the same transaction); what the revisions
    reported. On SQLite, foreign keys are off meanwhile (a revision may rebuild a
    referenced table: batch mode's copy-and-move) and checked before the commit."""
    from alembic import command

    sqlite = engine.dialect.name == "sqlite"
    notes: list[str] = []
    try:
        with engine.connect() as conn:
            if sqlite:  # a PRAGMA that only takes effect outside a transaction
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            try:
                with conn.begin():
                    if sqlite:  # the driver begins only before DML: DDL would autocommit
                        conn.exec_driver_sql("BEGIN IMMEDIATE")
                    if unversioned:
                        added = _complete_baseline(conn)
                        if added:
                            notes.append("store written before dermclaim 0.1.0: added "
                                         + ", ".join(added))
                        command.stamp(_config(conn), BASELINE)
                    cfg = _config(conn)
                    command.upgrade(cfg, target)
                    notes.extend(cfg.attributes.get("report", []))
                    if sqlite:
                        bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if bad:
                            raise StoreUnusable(f"schema upgrade would leave {len(bad)} rows "
                                             "whose references are missing; store left as "
                                             "it was")
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    conn.commit()
    except SQLAlchemyError as exc:
        from reconcile.store.database import as_store_error

        err = as_store_error(exc, "schema upgrade failed, the store is left as it was: ")
        # whatever the cause, the store cannot be used until it is upgraded
        raise (err if isinstance(err, StoreUnusable) else StoreUnusable(str(err))) from None
    return notes


def _stamp(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.stamp(_config(conn), revision)
