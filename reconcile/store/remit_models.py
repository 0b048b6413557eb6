"""Store tables for what came back: 835 files, transactions, claim payments, service lines,
adjustments, provider adjustments (PLB), balancing findings and the classified denials.

Written by `reconcile.remit.load` (one transaction per file, bulk inserts); read by analytics, the
worklist, the report and corrected claims. Money columns are `Money` through
`money_column()` (NUMERIC(12,2) on PostgreSQL, integer cents on SQLite) and come back as
Decimal; modifiers and remark codes are colon-joined.
A file is identified by the sha256 of its bytes (UNIQUE): the same file never loads twice.
A payment (transaction) is identified by payer + trace number (TRN02) + amount + date: a
second copy, whatever its bytes, is stored with `duplicate_of` set and posts nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from reconcile.store.models import money_column, quantity_column


class RemitFile(SQLModel, table=True):
    """One 835 file loaded (all of it, in one database transaction)."""

    __tablename__ = "remit_file"
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(unique=True, max_length=64)
    file_name: str
    size_bytes: int
    loaded_at: datetime
    transaction_count: int = 0
    claim_count: int = 0
    line_count: int = 0


class RemitTransaction(SQLModel, table=True):
    """One ST/SE 835: the check or EFT (BPR/TRN), its payer and payee."""

    __tablename__ = "remit_transaction"
    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(foreign_key="remit_file.id", index=True)
    control_number: str  # ST02
    interchange_control_number: str = ""  # ISA13
    payer_name: str = ""  # N1*PR N102
    payer_id: str = Field(default="", index=True)  # N1*PR N104, else TRN03
    payee_name: str = ""
    payee_id: str = ""  # N1*PE N104 (NPI or TIN)
    trace_number: str = Field(default="", index=True)  # TRN02: check / EFT number
    handling_code: str = ""  # BPR01
    payment_amount: Decimal | None = Field(default=None, sa_column=money_column())  # BPR02
    credit_debit: str = ""  # BPR03
    payment_method: str = ""  # BPR04
    payment_date: date | None = Field(default=None, index=True)  # BPR16
    production_date: date | None = None  # DTM*405
    guide: str | None = None  # companion guide matched from the payer id / name
    # the earlier transaction this one repeats (same payer, trace, amount, date): no claims
    # or PLB of this copy are stored, it posts nothing
    duplicate_of: int | None = Field(default=None, foreign_key="remit_transaction.id",
                                     index=True)


class RemitClaim(SQLModel, table=True):
    """One CLP (loop 2100) and the submitted claim it answers, when the store has it."""

    __tablename__ = "remit_claim"
    __table_args__ = (Index("ix_remit_claim_pcn_icn", "patient_control_number",
                            "payer_claim_number"),
                      Index("ix_remit_claim_patient_id", "patient_id"))
    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="remit_transaction.id", index=True)
    patient_control_number: str = Field(index=True)  # CLP01 = our CLM01
    status: str  # CLP02
    is_reversal: bool = False  # CLP02 = 22
    charge: Decimal | None = Field(default=None, sa_column=money_column())  # CLP03
    paid: Decimal | None = Field(default=None, sa_column=money_column())  # CLP04
    patient_responsibility: Decimal | None = Field(default=None, sa_column=money_column())
    filing_indicator: str = ""  # CLP06
    payer_claim_number: str = ""  # CLP07: REF*F8 on a replacement claim
    # NM1*QC (else IL) NM109: with CLP01 and CLP07, what tells one claim from another
    # (several patients' claims may share a CLP01 in a file another system wrote)
    patient_id: str = ""
    frequency: str | None = None  # CLP09
    date_of_service: date | None = None  # DTM*232, else the first line's date
    submitted_claim_id: int | None = Field(default=None, foreign_key="submitted_claim.id",
                                           index=True)
    payer: str = ""  # guide name (submitted claim's payer, else matched), else 835 payer name
    segment_number: int = 0
    superseded: bool = False  # a later reversal (CLP02 = 22) took this adjudication back
    remarks: str = ""  # claim-level RARCs (MOA / MIA), colon-joined: MA18, N89, MA08 ...
    crossover_payer: str = ""  # NM1*TT: the payer Medicare forwarded the claim to


class RemitLine(SQLModel, table=True):
    """One SVC (loop 2110) and the submitted line it answers, with the rule that matched."""

    __tablename__ = "remit_line"
    id: int | None = Field(default=None, primary_key=True)
    claim_row_id: int = Field(foreign_key="remit_claim.id", index=True)
    position: int  # 1-based order of the SVC within its CLP
    qualifier: str = "HC"  # SVC01-1
    code: str = Field(index=True)  # SVC01-2 as adjudicated
    modifiers: str = ""
    original_code: str | None = None  # SVC06-2 when the payer recoded
    original_modifiers: str = ""
    charge: Decimal | None = Field(default=None, sa_column=money_column())  # SVC02
    paid: Decimal | None = Field(default=None, sa_column=money_column())  # SVC03
    units: Decimal | None = Field(default=None, sa_column=quantity_column())  # SVC05
    original_units: Decimal | None = Field(default=None, sa_column=quantity_column())  # SVC07
    allowed: Decimal | None = Field(default=None, sa_column=money_column())  # AMT*B6
    date_of_service: date | None = Field(default=None, index=True)
    control_number: str | None = Field(default=None, index=True)  # REF*6R
    remarks: str = ""  # LQ*HE RARCs, colon-joined
    submitted_line_id: int | None = Field(default=None, foreign_key="submitted_line.id",
                                          index=True)
    match_rule: str = "unmatched"
    segment_number: int = 0


class RemitAdjustment(SQLModel, table=True):
    """One CAS triplet, claim-level (line_row_id empty) or line-level."""

    __tablename__ = "remit_adjustment"
    id: int | None = Field(default=None, primary_key=True)
    claim_row_id: int = Field(foreign_key="remit_claim.id", index=True)
    line_row_id: int | None = Field(default=None, foreign_key="remit_line.id", index=True)
    group_code: str  # CO, PR, OA, PI (CR kept as found)
    carc: str = Field(index=True)
    amount: Decimal | None = Field(default=None, sa_column=money_column())
    quantity: Decimal | None = Field(default=None, sa_column=quantity_column())


class RemitProviderAdjustment(SQLModel, table=True):
    """One PLB item (WO overpayment recovery, L6 interest, FB forwarding balance ...)."""

    __tablename__ = "remit_provider_adjustment"
    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="remit_transaction.id", index=True)
    provider_id: str = ""
    fiscal_period_end: date | None = None
    reason: str  # PLB03-1
    reference: str = ""  # PLB03-2
    amount: Decimal | None = Field(default=None, sa_column=money_column())
    # the claim PLB03-2 names (its CLP07 or CLP01), when the store holds it
    claim_row_id: int | None = Field(default=None, foreign_key="remit_claim.id", index=True)
    segment_number: int = 0


class BalanceFinding(SQLModel, table=True):
    """A balancing finding or tolerated defect the reader reported for a transaction."""

    __tablename__ = "remit_finding"
    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="remit_transaction.id", index=True)
    kind: str = Field(index=True)
    message: str = Field(sa_column=Column(Text, nullable=False))
    segment_number: int | None = None
    segment_id: str | None = None
    claim: str | None = None  # CLP01
    difference: Decimal | None = Field(default=None, sa_column=money_column())


class Denial(SQLModel, table=True):
    """One denied or non-contractually reduced line (or claim-level denial) with its cause.

    Exactly one cause per row (see `reconcile.denials.classify`); `evidence` lists every CARC/RARC
    on the line; `rule` names the table row or context rule that decided the cause.
    """

    __tablename__ = "denial"
    __table_args__ = (Index("ix_denial_cause_live", "superseded", "cause"),)
    id: int | None = Field(default=None, primary_key=True)
    claim_row_id: int = Field(foreign_key="remit_claim.id", index=True)
    line_row_id: int | None = Field(default=None, foreign_key="remit_line.id", index=True)
    submitted_line_id: int | None = Field(default=None, foreign_key="submitted_line.id")
    claim_id: str = Field(index=True)  # CLP01
    payer_claim_number: str = Field(default="", index=True)  # CLP07: finds what a payment answers
    payer: str = Field(default="", index=True)
    line_control_number: str | None = None
    date_of_service: date | None = Field(default=None, index=True)
    code: str | None = Field(default=None, index=True)  # as submitted
    modifiers: str = ""  # as submitted
    cause: str = Field(index=True)
    group_code: str = ""
    carc: str = ""
    rarc: str = ""
    amount: Decimal | None = Field(default=None, sa_column=money_column())
    rule: str = ""
    action: str = Field(default="", sa_column=Column(Text, nullable=False))
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False))
    recoverable: bool = False
    payment_date: date | None = None  # BPR16, else DTM*405
    appeal_deadline: date | None = Field(default=None, index=True)
    superseded: bool = False  # taken back by a reversal (CLP02 = 22)
    corrected_in: int | None = None  # ISA13 of the replacement 837P (`dermclaim correct`)
    # the denial's life (reconcile/lifecycle.py): every change also has a DenialEvent row
    status: str = Field(default="open", index=True, max_length=20)
    patient_id: str = ""  # NM1*QC (else IL) NM109 of the 835: finds a new claim paying it
    patient_name: str = ""  # NM1*QC (else IL) "LAST, FIRST": for the worklist
    recovered_amount: Decimal | None = Field(default=None, sa_column=money_column())
    overturned_by_claim_row_id: int | None = None  # the remit_claim row that paid it
    appeal_level: str | None = None  # the guide's level name, when appealed
    # the level to appeal at next once a level was upheld (reconcile.denials.levels);
    # appeal_deadline is then that level's
    next_level: str | None = None
    appealed_on: date | None = None
    owner: str | None = None
