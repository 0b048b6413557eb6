"""Writing remittances into the store: bulk inserts, reversals, correction marks.

Called by `reconcile.remit.load` inside the one session (transaction) that holds a whole file, so
everything here commits with the file or not at all. Rows are plain dicts keyed by column.

Bulk inserts hand out the new ids before inserting, so no backend has to return them row by
row: SQLite from max(id) (safe: the file's transaction already holds SQLite's single write
lock), PostgreSQL from the table's own sequence; PostgreSQL rows then go in through COPY,
SQLite rows through one DBAPI executemany of pre-built tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from reconcile.store.database import session_scope
from reconcile.store.remit_models import (
    BalanceFinding,
    Denial,
    RemitAdjustment,
    RemitClaim,
    RemitFile,
    RemitLine,
    RemitProviderAdjustment,
    RemitTransaction,
)

Row = dict[str, Any]
BATCH_ROWS = 1000
IN_CHUNK = 500  # values of one IN list


def file_loaded(session: Session, sha256: str) -> bool:
    return session.exec(select(RemitFile.id).where(RemitFile.sha256 == sha256)).first() is not None


def add_file(session: Session, sha256: str, file_name: str, size: int) -> int:
    """The file's row; its first write also takes SQLite's write lock for the whole load,
    which is what makes handing out ids from max(id) afterwards safe."""
    row = RemitFile(sha256=sha256, file_name=file_name, size_bytes=size,
                    loaded_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def set_file_counts(session: Session, file_id: int, transactions: int, claims: int,
                    lines: int) -> None:
    t = _t(RemitFile)
    session.connection().execute(sa.update(t).where(t.c.id == file_id).values(
        transaction_count=transactions, claim_count=claims, line_count=lines))


def add_transaction(session: Session, row: Row) -> int:
    return _insert(session, RemitTransaction, [row])[0]


def add_claims(session: Session, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
               ) -> list[int]:
    """Claim payment rows (values in the order of `columns`); their new ids in order."""
    return _insert_rows(session, RemitClaim, columns, rows)


def add_lines(session: Session, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
              ) -> list[int]:
    return _insert_rows(session, RemitLine, columns, rows)


def add_adjustments(session: Session, columns: Sequence[str],
                    rows: Sequence[tuple[Any, ...]]) -> None:
    _insert_rows(session, RemitAdjustment, columns, rows, returning=False)


def add_denials(session: Session, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    _insert_rows(session, Denial, columns, rows, returning=False)


def add_provider_adjustments(session: Session, rows: list[Row]) -> None:
    _insert(session, RemitProviderAdjustment, rows, returning=False)


def add_findings(session: Session, rows: list[Row]) -> None:
    _insert(session, BalanceFinding, rows, returning=False)


def supersede_earlier(session: Session,
                      reversals: Sequence[tuple[int, str, str, str]]) -> None:
    """Reversals (CLP02 = 22) take back the earlier adjudications of the same claim: for
    each (reversal row id, CLP01, CLP07, patient), the earlier rows that are not reversals,
    of that CLP01, and of that CLP07 and patient when the payer sent them, are marked
    superseded with their denials. Set-based: one read of the candidate rows by CLP01 per
    chunk, one update of the claims and one of their denials (two updates a reversal made
    a 50,000-claim load's 1,250 reversals cost 1.6 s)."""
    if not reversals:
        return
    rc = _t(RemitClaim).c
    conn = session.connection()
    by_pcn: dict[str, list[tuple[int, str, str]]] = {}
    for row_id, pcn, icn, patient in reversals:
        by_pcn.setdefault(pcn, []).append((row_id, icn, patient))
    taken: set[int] = set()
    pcns = sorted(by_pcn)
    for start in range(0, len(pcns), IN_CHUNK):
        for cid, pcn, icn, patient in conn.execute(
                sa.select(rc.id, rc.patient_control_number, rc.payer_claim_number,
                          rc.patient_id)
                .where(rc.patient_control_number.in_(pcns[start:start + IN_CHUNK]),
                       rc.is_reversal.is_(False))):
            if any(cid < row_id and (not r_icn or icn == r_icn)
                   and (not r_patient or patient == r_patient)
                   for row_id, r_icn, r_patient in by_pcn[pcn]):
                taken.add(cid)
    ids = sorted(taken)
    dc = _t(Denial).c
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start:start + IN_CHUNK]
        conn.execute(sa.update(_t(RemitClaim)).where(rc.id.in_(chunk)).values(superseded=True))
        conn.execute(sa.update(_t(Denial)).where(dc.claim_row_id.in_(chunk))
                     .values(superseded=True))


def refresh_statistics(session: Session) -> None:
    """PostgreSQL: ANALYZE the tables a load fills, so that the queries after it (the load's
    totals, the reports) are planned on their real sizes and values. Right after a bulk
    load PostgreSQL has no statistics yet and read the 50,000 claims' lines and
    adjustments chunk by chunk with plans for a small table (totals 19 s instead of a few).
    Nothing on SQLite (its plans come from the indexes; tests/test_load_queries.py)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    for table in (RemitClaim, RemitLine, RemitAdjustment, Denial):
        conn.execute(sa.text(f'ANALYZE "{_t(table).name}"'))


def mark_corrected(url: str | None, denial_ids: Sequence[int], interchange: int) -> None:
    """Record that a replacement claim (ISA13 `interchange`) answered these denials."""
    if not denial_ids:
        return
    with session_scope(url) as s:
        mark_corrected_in(s, denial_ids, interchange)


def mark_corrected_in(session: Session, denial_ids: Sequence[int], interchange: int) -> None:
    """`mark_corrected` inside the caller's transaction (the submission's)."""
    if not denial_ids:
        return
    t = _t(Denial)
    session.connection().execute(sa.update(t).where(t.c.id.in_(list(denial_ids)))
                                 .values(corrected_in=interchange))


def _t(model: Any) -> sa.Table:
    table: sa.Table = model.__table__
    return table


def _insert(session: Session, model: Any, rows: list[Row], returning: bool = True) -> list[int]:
    """Rows given as dicts (a column missing from a row takes its default)."""
    if not rows:
        return []
    names = list(rows[0])
    defaults = _defaults(_t(model))
    return _insert_rows(session, model, names,
                        [tuple(r.get(n, defaults.get(n)) for n in names) for r in rows],
                        returning)


def _insert_rows(session: Session, model: Any, names: Sequence[str],
                 rows: Sequence[tuple[Any, ...]], returning: bool = True) -> list[int]:
    """Insert rows given as tuples of values in the order of `names`; the new ids when
    `returning`. The rows are turned into columns once (no dict per row)."""
    if not rows:
        return []
    conn = session.connection()
    table = _t(model)
    ids: list[int] = []
    dialect = conn.dialect.name
    if returning:
        if dialect == "sqlite":
            start = conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
            ids = list(range(start + 1, start + 1 + len(rows)))
        elif dialect == "postgresql":
            ids = list(conn.execute(sa.text(
                "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                {"t": table.name, "n": len(rows)}).scalars())
    given: dict[str, Sequence[Any]] = dict(zip(names, zip(*rows, strict=True), strict=True))
    if ids:
        given["id"] = ids
    if dialect == "postgresql":
        _copy(conn, table, given, len(rows))
        return ids
    if dialect == "sqlite" and (ids or not returning):
        _executemany(conn, table, given, len(rows))
        return ids
    dicts = [dict(zip(given, values, strict=True)) for values in zip(*given.values(), strict=True)]
    for i in range(0, len(dicts), BATCH_ROWS):
        chunk = dicts[i:i + BATCH_ROWS]
        if returning and not ids:  # another backend: let it return the ids
            stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids.extend(conn.execute(stmt, chunk).scalars().all())
        else:
            conn.execute(sa.insert(table), chunk)
    return ids


def _defaults(table: sa.Table) -> dict[str, Any]:
    return {c.name: getattr(c.default, "arg", None) for c in table.columns
            if c.default is not None and getattr(c.default, "is_scalar", False)}


def _columns(table: sa.Table, given: dict[str, Sequence[Any]], n: int
             ) -> list[tuple[sa.Column[Any], Sequence[Any]]]:
    """The columns the rows fill, plus those with a scalar default (applied here: COPY and
    the DBAPI's executemany skip SQLAlchemy's defaults), each with its n values."""
    defaults = _defaults(table)
    out: list[tuple[sa.Column[Any], Sequence[Any]]] = []
    for c in table.columns:
        if c.name in given:
            out.append((c, given[c.name]))
        elif c.name in defaults:
            out.append((c, [defaults[c.name]] * n))
    return out


def _copy(conn: sa.Connection, table: sa.Table, given: dict[str, Sequence[Any]],
          n: int) -> None:
    """PostgreSQL COPY FROM STDIN of the rows, inside the connection's transaction."""
    cols = _columns(table, given, n)
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        names = ", ".join(f'"{c.name}"' for c, _ in cols)
        with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in zip(*(values for _, values in cols), strict=True):
                copy.write_row(row)


def _executemany(conn: sa.Connection, table: sa.Table, given: dict[str, Sequence[Any]],
                 n: int) -> None:
    """SQLite: one executemany of pre-built tuples on the connection's own DBAPI cursor
    (so inside the file's transaction). SQLAlchemy's executemany builds and processes a
    parameter dict per row (about 60 % of a load); here each column's bind processor
    (Money to integer cents, dates to text...) is looked up once and applied in a loop."""
    cols = _columns(table, given, n)
    dialect = conn.dialect
    values: list[Sequence[Any]] = []
    for c, column in cols:
        process = c.type.dialect_impl(dialect).bind_processor(dialect)
        values.append(column if process is None else
                      [None if v is None else process(v) for v in column])
    names = ", ".join(f'"{c.name}"' for c, _ in cols)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(cols))})'
    raw = conn.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.executemany(sql, zip(*values, strict=True))
    finally:
        cursor.close()
