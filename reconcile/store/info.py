"""What a store holds, for `dermclaim db info`: where it is, its schema revision against this
dermclaim's, and how many rows its main tables have. Opens the store without creating it and
without the schema check (a store behind this dermclaim is described, not refused)."""

from __future__ import annotations

from attrs import frozen
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from reconcile.errors import StoreError
from reconcile.store import migrate
from reconcile.store.database import NoStore, check_url, describe_error, new_engine, resolve_url

__all__ = ["COUNTED", "StoreInfo", "store_info"]

# table -> what its rows are, in the order `db info` prints them
COUNTED = {
    "interchange": "837P files written",
    "submitted_claim": "claims sent",
    "ack_file": "999/277CA files loaded",
    "remit_file": "835 files loaded",
    "remit_claim": "claim payments",
    "denial": "denied lines",
}


@frozen
class StoreInfo:
    url: str  # the URL without its password (an SQLite file: its absolute path)
    backend: str  # sqlite or postgresql
    revision: str | None
    head: str
    counts: dict[str, int]
    denials_by_status: dict[str, int]

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        from pathlib import Path

        return str(Path(u.database).resolve())
    return u.render_as_string(hide_password=True)


def store_info(url: str | None = None) -> StoreInfo:
    resolved = resolve_url(url)
    path = check_url(resolved)
    shown = _shown(resolved)
    if path is not None and not path.exists():
        raise NoStore(f"no store at {shown}: nothing has been sent or loaded there yet")
    engine = new_engine(resolved)
    try:
        with engine.connect() as conn:
            st = migrate.state(conn)
            if st.empty:
                raise NoStore(f"the store {shown} is empty: nothing has been sent or loaded "
                              "there yet")
            tables = set(inspect(conn).get_table_names())
            counts = {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() or 0)
                      for t in COUNTED if t in tables}
            by_status: dict[str, int] = {}
            if "denial" in tables:
                cols = {c["name"] for c in inspect(conn).get_columns("denial")}
                if "status" in cols:
                    for status, n in conn.execute(text(
                            "SELECT status, count(*) FROM denial GROUP BY status "
                            "ORDER BY status")):
                        by_status[str(status)] = int(n)
    except (OperationalError, DBAPIError) as exc:
        raise StoreError(f"cannot open database {shown}: {describe_error(exc)}") from None
    finally:
        engine.dispose()
    return StoreInfo(shown, engine.dialect.name, st.current, st.head, counts, by_status)
