"""The history of each denial: one row per status change (when, from, to, who, why).

Written by `reconcile.denials.lifecycle` (by hand through `dermclaim denial set`, and by the
commands that move a denial: `remit load` for overturns and reversals, `correct`);
read by `dermclaim denial show` and the worklist's last-note column. Rows are never
updated or deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel


class DenialEvent(SQLModel, table=True):
    __tablename__ = "denial_event"
    id: int | None = Field(default=None, primary_key=True)
    denial_id: int = Field(foreign_key="denial.id", index=True)
    at: datetime
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    actor: str = ""  # the user name, `--by`, or the command ("remit load", "correct")
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    level: str | None = None  # appeal level, on a move to appealed
    on_date: date | None = None  # the day the letter/correction was sent, when given
    remit_file_id: int | None = Field(default=None, foreign_key="remit_file.id")
    interchange: int | None = None  # ISA13 of a correction that moved it
