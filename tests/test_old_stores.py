"""`db upgrade` of the stores earlier releases wrote (issue 21): one store per landing that
changed the store, from the first one that had a store (829713a) to each revision head,
built by running that landing's own code (tests/fixtures/old_stores/build.py; the dumps
are checked in). Each sent the sample claims and loaded the sample 835 and its CRLF copy;
the releases before payment identity posted that payment twice. Every store upgrades
(or, when it cannot, is left exactly as it was), the double postings are removed and
reported with the totals before and after, and the store and its backup end 0600."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dermclaim.cli import main
from reconcile.store.database import dispose_all

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "old_stores"
DUMPS = sorted(FIXTURES.glob("*.sql"))
# landings before payment identity (0005): the CRLF copy was posted a second time
POSTED_TWICE = {"829713a", "5a18808", "3a74bad", "ae48df5", "a51e00c", "1b25e3f",
                "6aab70e", "e4e3265", "4c9cfc4"}


def _run(*args: str, code: int = 0) -> Result:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output and "bug" not in r.output
    return r


def _restore(dump: Path, db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.executescript(dump.read_text(encoding="utf-8"))
    finally:
        conn.close()
    db.chmod(0o644)  # as those releases left it (the umask's mode)


def _sums(db: Path) -> tuple[Decimal, Decimal, int]:
    """Paid (CLP04 of payments not marked duplicate) and denied (live denials), read with
    plain SQL whatever the schema (money as text numbers before 0002, cents after)."""
    conn = sqlite3.connect(db)
    try:
        cents = conn.execute("SELECT type FROM pragma_table_info('remit_claim') "
                             "WHERE name = 'paid'").fetchone()[0].upper() == "INTEGER"
        cols = {r[1] for r in conn.execute("PRAGMA table_info('remit_transaction')")}
        live = "t.duplicate_of IS NULL" if "duplicate_of" in cols else "1"
        paid = conn.execute("SELECT coalesce(sum(c.paid), 0) FROM remit_claim c JOIN "
                            f"remit_transaction t ON t.id = c.transaction_id WHERE {live}"
                            ).fetchone()[0]
        denied = conn.execute("SELECT coalesce(sum(amount), 0) FROM denial "
                              "WHERE NOT superseded").fetchone()[0]
        payments = conn.execute(f"SELECT count(*) FROM remit_transaction t WHERE {live}"
                                ).fetchone()[0]
    finally:
        conn.close()

    def money(v: object) -> Decimal:
        return (Decimal(int(v)) / 100 if cents else Decimal(str(v))).quantize(Decimal("0.01"))
    return money(paid), money(denied), payments


@pytest.fixture(autouse=True)
def _fresh_engines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(tmp_path / "logs"))
    dispose_all()


def test_every_landing_that_changed_the_store_has_a_store() -> None:
    assert {d.stem for d in DUMPS} >= POSTED_TWICE | {"1b6a147", "b2036e4"}


@pytest.mark.parametrize("dump", DUMPS, ids=lambda d: d.stem)
def test_old_store_upgrades_and_counts_each_payment_once(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _restore(dump, db)
    paid, denied, payments = _sums(db)
    url = f"sqlite:///{db}"
    refused = _run("denials", "--db", url, code=2)  # behind: unusable until upgraded
    assert "dermclaim db upgrade" in refused.output
    out = _run("db", "upgrade", "--db", url).output
    assert "store upgraded from schema revision" in out
    after_paid, after_denied, after_payments = _sums(db)
    if dump.stem in POSTED_TWICE:
        assert payments % 2 == 0 and after_payments == payments // 2
        assert after_paid * 2 == paid and after_denied * 2 == denied
        line = next(ln for ln in out.splitlines() if ln.startswith("payments posted twice"))
        assert (f"{payments // 2} removed; paid {paid:.2f} -> {after_paid:.2f}, denied "
                f"{denied:.2f} -> {after_denied:.2f}") in line
    else:
        assert (after_paid, after_denied, after_payments) == (paid, denied, payments)
        assert "posted twice" not in out
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    [backup] = tmp_path.glob("old.db.*.bak")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert _sums(backup) == (paid, denied, payments)  # the copy is the store as it was
    dispose_all()
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", url).output)
    live = sum((Decimal(r["denied_amount"]) for r in rows if r["status"] != "superseded"),
               Decimal("0"))
    assert live == after_denied
    assert "nothing to do" in _run("db", "upgrade", "--db", url).output
    again = sqlite3.connect(db)
    try:
        voids = again.execute("SELECT count(*), group_concat(actor) FROM payment_void"
                              ).fetchone()
    finally:
        again.close()
    assert voids[0] == (payments // 2 if dump.stem in POSTED_TWICE else 0)


def test_a_failing_upgrade_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """The first landing's store (no denial.corrected_in) once failed after stamping itself
    0001_baseline: neither usable nor retryable. Now a failure anywhere rolls everything
    back: made to fail here by a table the last revision creates already existing."""
    db = tmp_path / "old.db"
    _restore(FIXTURES / "829713a.sql", db)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE payment_void (x INTEGER)")
    conn.commit()
    before = "\n".join(conn.iterdump())
    conn.close()
    r = _run("db", "upgrade", "--db", f"sqlite:///{db}", code=2)
    assert "left as it was" in r.stderr and not re.search(r"restore the backup", r.stderr)
    conn = sqlite3.connect(db)
    try:
        assert "\n".join(conn.iterdump()) == before
    finally:
        conn.close()
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE payment_void")
    conn.commit()
    conn.close()
    dispose_all()
    assert "store upgraded" in _run("db", "upgrade", "--db", f"sqlite:///{db}").output


def test_a_new_store_is_built_whole_or_not_at_all(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while a new store is built left it half-built ("table control_counter
    already exists" ever after). Built aside and linked into place, it is whole or absent."""
    from reconcile.store import database

    real = database._sqlite_pragmas

    def tiny_disk(dbapi_conn, record):  # type: ignore[no-untyped-def]
        real(dbapi_conn, record)
        dbapi_conn.execute("PRAGMA max_page_count = 8")

    monkeypatch.setattr(database, "_sqlite_pragmas", tiny_disk)
    store = tmp_path / "dermclaim.db"
    sample = Path(__file__).resolve().parent.parent / "samples" / "remit.835"
    r = _run("remit", "load", str(sample), "--db", f"sqlite:///{store}", code=2)
    assert "disk is full" in r.stderr and "backup" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "logs") == []
    monkeypatch.setattr(database, "_sqlite_pragmas", real)
    dispose_all()
    link = tmp_path / "through-a-link.db"
    link.symlink_to(store)
    old = os.umask(0o022)
    try:
        _run("remit", "load", str(sample), "--db", f"sqlite:///{link}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*building*"))


def test_an_old_store_reached_through_a_symlink_ends_owner_only(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    _restore(FIXTURES / "a51e00c.sql", real)
    link = tmp_path / "store.db"
    link.symlink_to(real)
    _run("db", "upgrade", "--db", f"sqlite:///{link}")
    assert link.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o600
    [backup] = tmp_path.glob("store.db.*.bak")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_double_postings_are_removed_on_every_backend(store_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The de-duplication on PostgreSQL too: a store at 0006 in which the sample payment
    was posted twice, as releases before payment identity did (the identity check turned
    off for the second load), upgrades to the totals of one posting."""
    from alembic import command

    from reconcile.ledger import totals
    from reconcile.remit import payments
    from reconcile.store import migrate
    from reconcile.store.database import new_engine

    sample = Path(__file__).resolve().parent.parent / "samples" / "remit.835"
    _run("remit", "load", str(sample), "--db", store_url)
    once = attrs_dict(totals.compute(store_url))
    copy = tmp_path / "copy-crlf.835"
    copy.write_bytes(sample.read_bytes().replace(b"~", b"~\r\n"))
    monkeypatch.setattr(payments, "judge", lambda session, key: payments.Verdict("new"))
    _run("remit", "load", str(copy), "--db", store_url)  # posted again
    monkeypatch.undo()
    twice = totals.compute(store_url)
    assert twice.paid == 2 * once["paid"] and twice.payments == 2 * once["payments"]
    dispose_all()
    engine = new_engine(store_url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrate._config(conn), "0006_submission_once")
    finally:
        engine.dispose()
    dispose_all()
    out = _run("db", "upgrade", "--db", store_url).output
    assert (f"payments posted twice: {once['payments']} removed; paid "
            f"{twice.paid:.2f} -> {once['paid']:.2f}") in out
    dispose_all()
    assert attrs_dict(totals.compute(store_url)) == {**once, "duplicate_payments":
                                                     once["payments"]}


def attrs_dict(t: object) -> dict[str, object]:
    import attrs

    return attrs.asdict(t)  # type: ignore[arg-type]
