"""The typed remittance model of an 835 (005010X221A1): frozen attrs, Decimal money.

The reader streams: for each ST/SE transaction it yields a `RemittanceHeader`, then each
`ClaimPayment` as soon as its last segment is read, then a `RemittanceTrailer` with the
provider-level adjustments (PLB), the running totals and the balancing findings. Memory
therefore stays flat however many claims a transaction holds. `Remittance` gathers one
transaction whole, for small files and tests.

Every object keeps `segment_number` (1-based position of its first segment in the
interchange, as X12 counts them) so that evidence and findings can point at the file.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from attrs import field, frozen


@frozen
class Adjustment:
    """One CAS triplet: group (CO, PR, OA, PI; CR kept as found in 4010-style files),
    reason (CARC), amount and optional quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@frozen
class Reference:  # REF
    qualifier: str
    value: str


@frozen
class Amount:  # AMT
    qualifier: str
    amount: Decimal


@frozen
class Quantity:  # QTY
    qualifier: str
    quantity: Decimal


@frozen
class DateValue:  # DTM
    qualifier: str
    value: date | None  # None when the date in the file is not a real date (kept as raw)
    raw: str = ""


@frozen
class Name:  # NM1 in loop 2100 (QC patient, IL insured, 74 corrected insured, 82 rendering...)
    entity: str  # NM101
    last_or_org: str = ""
    first: str = ""
    middle: str = ""
    id_qualifier: str = ""
    id: str = ""


@frozen
class Party:  # 1000A payer / 1000B payee: N1, N3, N4, REF, PER
    entity: str  # N101: PR payer, PE payee
    name: str
    id_qualifier: str = ""
    id: str = ""
    address: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    zip: str = ""
    references: tuple[Reference, ...] = ()
    contacts: tuple[tuple[str, ...], ...] = ()  # PER elements as found


@frozen
class Remark:  # LQ (line) or MIA/MOA remark codes (claim)
    qualifier: str  # HE = RARC, RX = NCPDP reject
    code: str


@frozen
class ServiceLine:
    """Loop 2110: one SVC with its dates, adjustments, references, amounts and remarks."""

    qualifier: str  # SVC01-1: HC, AD, ER, IV, N4, NU, WK ...
    code: str  # SVC01-2
    modifiers: tuple[str, ...]  # SVC01-3..6
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    units: Decimal  # SVC05, 1 when absent
    segment_number: int
    revenue_code: str | None = None  # SVC04
    original_qualifier: str | None = None  # SVC06-1 when the payer changed the code
    original_code: str | None = None  # SVC06-2
    original_modifiers: tuple[str, ...] = ()
    original_units: Decimal | None = None  # SVC07
    dates: tuple[DateValue, ...] = ()  # DTM*472 / 150 / 151
    adjustments: tuple[Adjustment, ...] = ()
    control_number: str | None = None  # REF*6R: our line item control number echoed back
    references: tuple[Reference, ...] = ()  # every other REF
    amounts: tuple[Amount, ...] = ()  # AMT*B6 allowed, KH ...
    quantities: tuple[Quantity, ...] = ()
    remarks: tuple[Remark, ...] = ()  # LQ

    @property
    def service_date(self) -> date | None:
        for d in self.dates:
            if d.qualifier in ("472", "150"):
                return d.value
        return None

    @property
    def allowed(self) -> Decimal | None:
        for a in self.amounts:
            if a.qualifier == "B6":
                return a.amount
        return None

    @property
    def submitted_code(self) -> str:
        """The code as we billed it: SVC06 when the payer recoded, else SVC01-2."""
        return self.original_code or self.code

    @property
    def submitted_modifiers(self) -> tuple[str, ...]:
        return self.original_modifiers if self.original_code else self.modifiers


class ClaimStatus(enum.Enum):
    """CLP02 codes of 005010X221A1."""

    PRIMARY = "1"
    SECONDARY = "2"
    TERTIARY = "3"
    DENIED = "4"
    PRIMARY_FORWARDED = "19"
    SECONDARY_FORWARDED = "20"
    TERTIARY_FORWARDED = "21"
    REVERSAL = "22"
    NOT_OUR_CLAIM_FORWARDED = "23"
    PREDETERMINATION = "25"


@frozen
class ClaimPayment:
    """Loop 2100: CLP and everything under it."""

    patient_control_number: str  # CLP01: our claim id echoed back
    status: str  # CLP02 (see ClaimStatus; kept as text so an unknown code is not lost)
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal | None  # CLP05
    filing_indicator: str  # CLP06
    payer_claim_number: str  # CLP07: the payer's control number, REF*F8 on a replacement
    segment_number: int
    facility_code: str | None = None  # CLP08
    frequency: str | None = None  # CLP09
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    names: tuple[Name, ...] = ()  # NM1 QC, IL, 74, 82, TT, PR ...
    inpatient: tuple[str, ...] = ()  # MIA elements as found
    outpatient: tuple[str, ...] = ()  # MOA elements as found
    remarks: tuple[Remark, ...] = ()  # RARCs from MIA/MOA
    references: tuple[Reference, ...] = ()
    dates: tuple[DateValue, ...] = ()
    amounts: tuple[Amount, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    service_lines: tuple[ServiceLine, ...] = ()

    @property
    def is_reversal(self) -> bool:
        return self.status == ClaimStatus.REVERSAL.value

    def name(self, entity: str) -> Name | None:
        for n in self.names:
            if n.entity == entity:
                return n
        return None


@frozen
class PlbItem:
    reason: str  # PLB03-1 (WO, CS, L6, FB, 72, CV ...)
    reference: str  # PLB03-2
    amount: Decimal  # positive reduces the payment


@frozen
class ProviderAdjustment:  # PLB
    provider_id: str
    fiscal_period_end: date | None
    items: tuple[PlbItem, ...]
    segment_number: int


@frozen
class Envelope:
    """ISA and GS data of the interchange/group the transaction sits in."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    interchange_control_number: str  # ISA13
    interchange_date: date | None
    usage_indicator: str  # ISA15
    group_control_number: str  # GS06
    group_sender: str  # GS02
    group_receiver: str  # GS03
    version: str  # GS08


@frozen
class Payment:  # BPR + TRN
    handling_code: str  # BPR01: I remittance+payment, H notification only ...
    amount: Decimal  # BPR02
    credit_debit: str  # BPR03: C or D
    method: str  # BPR04: ACH, CHK, FWT, NON, BOP
    date: date | None  # BPR16
    trace_number: str  # TRN02 (check or EFT number)
    payer_identifier: str  # TRN03
    format: str | None = None  # BPR05


class FindingKind(enum.Enum):
    LINE_OUT_OF_BALANCE = "line_out_of_balance"  # SVC02 - SVC03 != sum of line CAS
    CLAIM_OUT_OF_BALANCE = "claim_out_of_balance"  # CLP03 - CLP04 != claim CAS + line CAS
    TRANSACTION_OUT_OF_BALANCE = "transaction_out_of_balance"  # BPR02 != sum CLP04 - sum PLB
    DEFECT = "defect"  # a tolerated defect: wrong component separator, bad date, CR group...


@frozen
class RemitFinding:
    kind: FindingKind
    message: str
    segment_number: int | None = None
    segment_id: str | None = None
    claim: str | None = None  # CLP01 of the claim concerned
    difference: Decimal | None = None


@frozen
class RemittanceHeader:
    envelope: Envelope
    control_number: str  # ST02
    payment: Payment
    payer: Party
    payee: Party
    segment_number: int  # of ST
    production_date: date | None = None  # DTM*405
    receiver_id: str | None = None  # REF*EV
    version: str | None = None  # REF*F2


@frozen
class RemittanceTrailer:
    control_number: str  # ST02 again, to pair it with its header
    provider_adjustments: tuple[ProviderAdjustment, ...]
    findings: tuple[RemitFinding, ...]
    claim_count: int
    line_count: int
    total_paid: Decimal  # sum of CLP04
    total_adjusted: Decimal  # sum of every CAS amount, claim and line level
    segment_count: int  # SE01


@frozen
class Remittance:
    """One whole 835 transaction (header, claims, trailer), for small files and tests."""

    header: RemittanceHeader
    claims: tuple[ClaimPayment, ...] = field(default=())
    trailer: RemittanceTrailer | None = None

    @property
    def findings(self) -> tuple[RemitFinding, ...]:
        return self.trailer.findings if self.trailer else ()

    @property
    def provider_adjustments(self) -> tuple[ProviderAdjustment, ...]:
        return self.trailer.provider_adjustments if self.trailer else ()
