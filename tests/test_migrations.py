"""Schema revisions: one head, models == migrations, a 0.1.0 store upgrades and keeps its rows.

The "0.1.0 store" is built here from the baseline revision (the tables dermclaim 0.1.0
created with `create_all`), its alembic_version table removed, rows written with the types
that release used; then `dermclaim db upgrade` must bring it to the head with every row kept.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlmodel import select

from dermclaim.cli import main
from reconcile.errors import StoreError
from reconcile.store import migrate
from reconcile.store.database import dispose_all, get_engine, new_engine, session_scope
from reconcile.store.models import Interchange, SubmittedClaim, SubmittedLine
from reconcile.store.remit_models import (
    Denial,
    RemitAdjustment,
    RemitClaim,
    RemitFile,
    RemitProviderAdjustment,
    RemitTransaction,
)


def test_one_head() -> None:
    assert len(migrate.heads()) == 1


def test_revisions_chain_from_the_baseline() -> None:
    revs = list(migrate._script().walk_revisions())
    assert revs[-1].revision == migrate.BASELINE
    assert revs[-1].down_revision is None


def test_models_match_the_migrations(store_url: str) -> None:
    """A store built by running every revision has exactly the models' tables, columns,
    types, indexes and constraints (alembic's autogenerate finds nothing to do)."""
    engine = get_engine(store_url)  # brand-new store: built by the migrations
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, migrate.target_metadata())
        assert migrate.state(conn).current == migrate.head()
    assert diff == []


def _legacy_store(url: str) -> None:
    """A store as dermclaim 0.1.0 left it: baseline tables, no alembic_version, data rows."""
    engine = new_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), migrate.BASELINE)
        conn.execute(sa.text("DROP TABLE alembic_version"))
    md = sa.MetaData()
    md.reflect(engine)
    t = md.tables
    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(t["control_counter"].insert(), [{"name": "ISA13", "value": 7}])
        conn.execute(t["interchange"].insert(), [dict(
            id=1, control_number=7, file_name="a.837", file_hash="a" * 64, created_at=at,
            claim_count=1, line_count=1, total_charge=Decimal("1234.56"))])
        conn.execute(t["submitted_claim"].insert(), [dict(
            id=1, interchange_id=1, claim_id="C1", encounter_claim_id="C1", payer="medicare",
            payer_id="00000", frequency="1", date_of_service=date(2026, 11, 2),
            total_charge=Decimal("1234.56"), group_control_number=7,
            transaction_control_number="0001", encounter_json="{}", submitted_at=at)])
        conn.execute(t["submitted_line"].insert(), [dict(
            id=1, claim_row_id=1, line_number=1, line_control_number="C1-1", code="11102",
            modifiers="", units=1, charge=Decimal("1234.56"), date_of_service=date(2026, 11, 2),
            diagnosis_pointers="1")])
        conn.execute(t["remit_file"].insert(), [dict(
            id=1, sha256="b" * 64, file_name="r.835", size_bytes=10, loaded_at=at,
            transaction_count=1, claim_count=1, line_count=1)])
        conn.execute(t["remit_transaction"].insert(), [dict(
            id=1, file_id=1, control_number="0001", interchange_control_number="1",
            payer_name="MEDICARE", payer_id="00000", payee_name="CLINIC", payee_id="1",
            trace_number="T1", handling_code="I", payment_amount=Decimal("0.10"),
            credit_debit="C", payment_method="ACH", payment_date=date(2026, 11, 20))])
        conn.execute(t["remit_claim"].insert(), [dict(
            id=1, transaction_id=1, patient_control_number="C1", status="1",
            is_reversal=False, charge=Decimal("1234.56"), paid=Decimal("0.10"),
            patient_responsibility=Decimal("0.00"), filing_indicator="MB",
            payer_claim_number="ICN1", submitted_claim_id=1, payer="medicare",
            segment_number=5, superseded=False)])
        conn.execute(t["remit_line"].insert(), [dict(
            id=1, claim_row_id=1, position=1, qualifier="HC", code="11102", modifiers="",
            original_modifiers="", charge=Decimal("1234.56"), paid=Decimal("0.10"),
            units=Decimal("1"), remarks="", submitted_line_id=1, match_rule="control_number",
            segment_number=6)])
        conn.execute(t["remit_adjustment"].insert(), [dict(
            id=1, claim_row_id=1, line_row_id=1, group_code="CO", carc="97",
            amount=Decimal("1234.46"))])
        conn.execute(t["remit_provider_adjustment"].insert(), [dict(
            id=1, transaction_id=1, provider_id="1", reason="L6", reference="X",
            amount=Decimal("-0.03"), segment_number=9)])
        conn.execute(t["remit_finding"].insert(), [dict(
            id=1, transaction_id=1, kind="defect", message="m")])
        conn.execute(t["denial"].insert(), [dict(
            id=1, claim_row_id=1, line_row_id=1, submitted_line_id=1, claim_id="C1",
            payer_claim_number="ICN1", payer="medicare", modifiers="", cause="bundling",
            group_code="CO", carc="97", rarc="", amount=Decimal("1234.46"), rule="carc 97",
            action="appeal", evidence="CO-97", recoverable=True, superseded=False)])
    engine.dispose()


def _sqlite_path(url: str) -> Path | None:
    u = sa.engine.make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database else None


def test_a_0_1_0_store_is_recognised_as_the_baseline(store_url: str) -> None:
    _legacy_store(store_url)
    engine = new_engine(store_url)
    with engine.connect() as conn:
        st = migrate.state(conn)
    engine.dispose()
    assert st.current == migrate.BASELINE
    assert not st.versioned


def test_a_0_1_0_store_upgrades_and_nothing_is_lost(store_url: str) -> None:
    _legacy_store(store_url)
    result = CliRunner().invoke(main, ["db", "upgrade", "--db", store_url])
    assert result.exit_code == 0, result.output
    path = _sqlite_path(store_url)
    if path is not None and migrate.head() != migrate.BASELINE:
        backup = next(line for line in result.output.splitlines() if line.startswith("backup:"))
        assert Path(backup.split(": ", 1)[1]).is_file()
    dispose_all()
    with session_scope(store_url) as s:  # opens: the store is at the head now
        assert s.exec(select(Interchange.total_charge)).one() == Decimal("1234.56")
        assert s.exec(select(SubmittedClaim.claim_id)).one() == "C1"
        assert s.exec(select(SubmittedLine.line_control_number)).one() == "C1-1"
        assert s.exec(select(RemitFile.sha256)).one() == "b" * 64
        tx = s.exec(select(RemitTransaction)).one()
        assert (tx.trace_number, tx.payment_amount) == ("T1", Decimal("0.10"))
        claim = s.exec(select(RemitClaim)).one()
        assert (claim.charge, claim.paid, claim.payer_claim_number) == (
            Decimal("1234.56"), Decimal("0.10"), "ICN1")
        assert s.exec(select(RemitAdjustment.amount)).one() == Decimal("1234.46")
        assert s.exec(select(RemitProviderAdjustment.amount)).one() == Decimal("-0.03")
        d = s.exec(select(Denial)).one()
        assert (d.cause, d.amount, d.carc) == ("bundling", Decimal("1234.46"), "97")
    engine = get_engine(store_url)
    with engine.connect() as conn:
        assert migrate.state(conn) == migrate.SchemaState(migrate.head(), migrate.head(), True)
    # a second upgrade has nothing to do
    again = CliRunner().invoke(main, ["db", "upgrade", "--db", store_url])
    assert again.exit_code == 0 and "nothing to do" in again.output


def test_a_store_from_a_newer_release_is_refused(store_url: str) -> None:
    get_engine(store_url)
    dispose_all()
    engine = new_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'zzzz_future'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer dermclaim"):
        get_engine(store_url)


def test_upgrade_of_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = CliRunner().invoke(main, ["db", "upgrade", "--db", url])
    assert result.exit_code == 1
    assert "no such store" in result.output
    assert not (tmp_path / "none.db").exists()


def test_a_store_behind_is_refused_naming_the_upgrade_command(store_url: str) -> None:
    _legacy_store(store_url)
    with pytest.raises(StoreError, match="dermclaim db upgrade"):
        get_engine(store_url)
    result = CliRunner().invoke(main, ["denials", "--db", store_url])
    assert result.exit_code == 2  # a store this dermclaim cannot use: the exit table
    assert "dermclaim db upgrade" in result.output
    assert "Traceback" not in result.output


def test_sqlite_money_is_integer_cents_after_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _legacy_store(url)
    assert CliRunner().invoke(main, ["db", "upgrade", "--db", url]).exit_code == 0
    engine = new_engine(url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT typeof(amount), amount FROM denial UNION ALL "
            "SELECT typeof(paid), paid FROM remit_claim UNION ALL "
            "SELECT typeof(amount), amount FROM remit_provider_adjustment").fetchall()
    engine.dispose()
    assert rows == [("integer", 123446), ("integer", 10), ("integer", -3)]
