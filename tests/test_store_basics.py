"""The store opens on both backends and keeps Decimal money exact."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from reconcile.errors import StoreError
from reconcile.store.database import get_engine, session_scope
from reconcile.store.models import Interchange


def test_store_round_trips_money(store_url: str) -> None:
    with session_scope(store_url) as s:
        s.add(Interchange(control_number=1, file_name="a.837", file_hash="0" * 64,
                          created_at=datetime(2026, 11, 23, tzinfo=UTC),
                          total_charge=Decimal("1234.56")))
    with session_scope(store_url) as s:
        row = s.exec(select(Interchange)).one()
        assert row.total_charge == Decimal("1234.56")


def test_bad_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot use database URL"):
        get_engine("nosuchdb://x")
