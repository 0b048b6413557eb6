"""The record of a payment taken out of the store (`dermclaim remit void`, or `db upgrade`
removing a payment an earlier release posted twice): what it was and why it went."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from reconcile.store.models import money_column


class PaymentVoid(SQLModel, table=True):
    __tablename__ = "payment_void"
    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(index=True)  # the remit_transaction row removed
    file_name: str = ""  # the 835 it was posted from
    payer: str = ""  # N1*PR id, else name
    trace_number: str = ""  # TRN02
    payment_amount: Decimal | None = Field(default=None, sa_column=money_column())  # signed
    payment_date: date | None = None
    paid: Decimal | None = Field(default=None, sa_column=money_column())  # sum CLP04 removed
    claims: int = 0
    lines: int = 0
    denials: int = 0
    overturns_undone: int = 0
    at: datetime
    actor: str = ""
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
