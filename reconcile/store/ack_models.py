"""Store tables for what came back between sending and payment: 999 and 277CA files, the
answer each gave every claim sent, and the link from a corrected claim sent again (a new
original) to the rejected submission it replaces.

Written by `reconcile.acks.load` (one database transaction per file) and by submission
(`claim_resubmission`); read by `reconcile.acks.status`. A file is known by the sha256 of
its bytes (UNIQUE): the same acknowledgment never loads twice. Codes are kept as received
("IK5*R*5", "A7:562:85"); their meaning and the fix are stored beside them as they were
read from the tables when the file was loaded.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel


class AckFile(SQLModel, table=True):
    """One 999 or 277CA file loaded (all of it, in one database transaction)."""

    __tablename__ = "ack_file"
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(unique=True, max_length=64)
    file_name: str
    kind: str = Field(max_length=8)  # "999" or "277CA"
    size_bytes: int
    loaded_at: datetime
    transaction_count: int = 0
    answer_count: int = 0  # claim answers recorded (matched or not)
    unmatched_count: int = 0


class AckAnswer(SQLModel, table=True):
    """What one acknowledgment said about one claim sent (or, for a 999 that names no
    claim we sent, about the transaction set it names: `submitted_claim_id` empty)."""

    __tablename__ = "ack_answer"
    __table_args__ = (Index("ix_ack_answer_claim_received", "submitted_claim_id",
                            "received_on"),)
    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(foreign_key="ack_file.id", index=True)
    submitted_claim_id: int | None = Field(default=None, foreign_key="submitted_claim.id")
    claim_id: str = Field(default="", index=True, max_length=38)  # CLM01 (277CA TRN02)
    source: str = Field(max_length=8)  # "999" or "277CA"
    outcome: str = Field(index=True, max_length=16)  # accepted, rejected, acknowledged, other
    received_on: date | None = None  # 999 GS04; 277CA STC02, else BHT04, else GS04
    group_control_number: str = ""  # 999 AK102
    transaction_control_number: str = ""  # 999 AK202
    codes: str = Field(default="", sa_column=Column(Text, nullable=False))  # as received
    meaning: str = Field(default="", sa_column=Column(Text, nullable=False))
    fix: str = Field(default="", sa_column=Column(Text, nullable=False))
    payer_claim_number: str | None = None  # 277CA REF*1K
    clearinghouse_trace: str | None = None  # 277CA REF*D9
    line_control_number: str | None = None  # 277CA REF*FJ of a line-level status
    submitted_line_id: int | None = Field(default=None, foreign_key="submitted_line.id")
    segment_number: int = 0


class ClaimResubmission(SQLModel, table=True):
    """A corrected claim sent again as a new original, linked to the rejected one."""

    __tablename__ = "claim_resubmission"
    claim_row_id: int = Field(foreign_key="submitted_claim.id", primary_key=True)
    rejected_claim_row_id: int = Field(foreign_key="submitted_claim.id", index=True)
