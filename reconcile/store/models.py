"""Store tables for what was sent: interchanges, claims, lines, and control-number counters.

Written by `dermclaim claims` (the 837P side); read by matching, classification and
corrections. The remittance tables live in `remit_models.py`. Money columns are `Money`:
NUMERIC(12,2) on PostgreSQL, INTEGER cents on SQLite (which has no exact decimal type, so
`sum()` in any SQLite tool stays exact); both come back as Decimal; modifiers are stored
colon-joined ("25" or "XS:LT").
Datetimes are timezone-aware UTC (sqlmodel refuses naive ones).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Column, Integer, Numeric, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Field, SQLModel

CENT = Decimal("0.01")


class Money(TypeDecorator[Decimal]):
    """Exact money: NUMERIC(12,2) where the database has it, INTEGER cents on SQLite.

    Python sees Decimal either way (quantized to the cent, half away from zero, as
    PostgreSQL's NUMERIC rounds)."""

    impl = Numeric(12, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Integer())
        return dialect.type_descriptor(Numeric(12, 2))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return _to_cents(value)
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return _from_cents(value)
        return Decimal(value).quantize(CENT)

    # SQLite: one plain function per value instead of the decorator's chain (a 50,000-claim
    # load converts about two million amounts each way)
    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return _bind_cents
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name == "sqlite":
            return _result_cents
        return super().result_processor(dialect, coltype)


def _to_cents(value: Any) -> int:
    return int(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))


def _from_cents(value: Any) -> Decimal:
    """Integer cents to the Decimal of the amount: exponent -2, as quantize(CENT) gives."""
    return Decimal(int(value)).scaleb(-2)


def _bind_cents(value: Any) -> int | None:
    return None if value is None else _to_cents(value)


def _result_cents(value: Any) -> Decimal | None:
    return None if value is None else _from_cents(value)


def money_column() -> Column:  # type: ignore[type-arg]
    return Column(Money(), nullable=True)


def quantity_column() -> Column:  # type: ignore[type-arg]
    """Units and CAS quantities: not money, kept NUMERIC(12,2) as before."""
    return Column(Numeric(12, 2), nullable=True)


class ControlCounter(SQLModel, table=True):
    """Hands out X12 control numbers that are never reused: name is "ISA13", "GS06", "ST02"
    (optionally per sender); value is the last number handed out."""

    __tablename__ = "control_counter"
    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


class Interchange(SQLModel, table=True):
    """One 837P file written and recorded."""

    __tablename__ = "interchange"
    id: int | None = Field(default=None, primary_key=True)
    control_number: int = Field(index=True, unique=True)  # ISA13
    file_name: str
    file_hash: str = Field(index=True, max_length=64)  # sha256 of the bytes written
    created_at: datetime
    claim_count: int = 0
    line_count: int = 0
    total_charge: Decimal | None = Field(default=None, sa_column=money_column())
    # "writing": recorded, its file not yet confirmed in place (a crash in between is
    # finished or rolled back by the next run: reconcile.store.recovery); "written": done.
    state: str = Field(default="written", max_length=10)
    file_path: str | None = None  # absolute path of the 837 written
    staged_path: str | None = None  # its hidden temporary while state is "writing"
    writer: str | None = Field(default=None, max_length=80)  # host:pid of the writing run


class SubmittedClaim(SQLModel, table=True):
    """One CLM as sent. `claim_id` is CLM01 as written (the encounter's claim id, with a
    part suffix when a claim was split); payers echo it in CLP01."""

    __tablename__ = "submitted_claim"
    __table_args__ = (UniqueConstraint("interchange_id", "claim_id"),)
    id: int | None = Field(default=None, primary_key=True)
    interchange_id: int = Field(foreign_key="interchange.id", index=True)
    claim_id: str = Field(index=True, max_length=38)
    encounter_claim_id: str = Field(index=True, max_length=20)
    payer: str = Field(index=True)  # companion guide name
    payer_id: str
    frequency: str = "1"
    payer_claim_number: str | None = None  # REF*F8 on a replacement / void
    date_of_service: date = Field(index=True)
    total_charge: Decimal | None = Field(default=None, sa_column=money_column())
    group_control_number: int  # GS06
    transaction_control_number: str  # ST02
    encounter_json: str = Field(sa_column=Column(Text, nullable=False))  # for corrected claims
    submitted_at: datetime
    # The submission's identity (reconcile.store.sent.submission_identity) on the claim's
    # first part: UNIQUE, so one original / the same replacement / one void per claim can
    # stand. NULL on further parts and once released (rejected by a 999/277CA), which
    # lets a new original go out; that one names the released row in `follows_id`.
    submission_key: str | None = Field(default=None, index=True, unique=True, max_length=120)
    released_at: datetime | None = None
    release_reason: str | None = None
    follows_id: int | None = Field(default=None, index=True)
    # coordination of benefits (revision 0009): the payer's place in the patient's order of
    # benefits (P, S, T), the next coverage's guide when sent, and for a secondary claim
    # the primary's 835 claim row it was built from
    payer_order: str = Field(default="P", max_length=1)
    next_payer: str | None = None
    prior_remit_claim_id: int | None = Field(default=None, index=True)


class SubmittedLine(SQLModel, table=True):
    """One 2400 service line as sent."""

    __tablename__ = "submitted_line"
    id: int | None = Field(default=None, primary_key=True)
    claim_row_id: int = Field(foreign_key="submitted_claim.id", index=True)
    line_number: int  # LX01
    line_control_number: str = Field(index=True, max_length=50)  # REF*6R
    code: str = Field(index=True, max_length=5)
    modifiers: str = ""  # colon-joined, in order
    units: int
    charge: Decimal | None = Field(default=None, sa_column=money_column())
    date_of_service: date
    diagnosis_pointers: str = ""  # colon-joined 1-based pointers
    ndc: str | None = None
    procedure_index: int | None = None  # the encounter procedure it came from
