"""The life of each underpaid line: one row per status change (open, appealed, recovered,
accepted), keyed by the 835 line (`remit_line.id`).

Underpayments themselves are computed when asked (`reconcile.underpayments.compare`: the
stored 835 line against the contract or the fee schedule of the practice file), so a
contract loaded or corrected later re-prices every line already posted. Only what people do
about a line is stored: written by `reconcile.underpayments.lifecycle` (`dermclaim
underpayment set`, `dermclaim underpayment letter --sent`); rows are never updated or
deleted. A line with no row is open.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from reconcile.store.models import money_column


class UnderpaymentEvent(SQLModel, table=True):
    __tablename__ = "underpayment_event"
    id: int | None = Field(default=None, primary_key=True)
    remit_line_id: int = Field(foreign_key="remit_line.id", index=True)
    at: datetime
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    actor: str = ""
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    on_date: date | None = None  # the day the dispute was sent / the money came
    amount: Decimal | None = Field(default=None, sa_column=money_column())  # recovered
    expected_allowed: Decimal | None = Field(default=None, sa_column=money_column())
    short: Decimal | None = Field(default=None, sa_column=money_column())  # when it moved
