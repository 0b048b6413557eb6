"""The typed model of a 277CA (005010X214): frozen attrs, one `Ack277` per ST/SE.

The HL hierarchy of the transaction, flattened for use: the information source (HL03 20,
the payer or clearinghouse answering), the information receiver (21, us: with the batch
status), the billing providers (19) and, below them, one `ClaimAck` per patient level
(PT): TRN02 echoes our CLM01, each STC a status (category:status:entity, e.g.
A7:562:85), REF*1K the payer's claim number, REF*D9 the clearinghouse trace, and the
service lines (SVC + STC + REF*FJ = our REF*6R). Patient names and member ids are not kept.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from attrs import frozen

from edi.acks import AckEnvelope, AckFinding

# STC01-1 categories: received/accepted, and rejected (claim never reaches adjudication)
ACKNOWLEDGED = frozenset({"A0", "A1", "A2", "A5"})
REJECTED = frozenset({"A3", "A4", "A6", "A7", "A8"})


@frozen
class StatusCode:
    """One C043 composite (STC01, STC10, STC11)."""

    category: str  # -1 claim status category code (A7)
    status: str  # -2 claim status code (562)
    entity: str = ""  # -3 entity identifier code (85)
    code_list: str = ""  # -4 code list qualifier (NCPDP reject codes...)

    def text(self) -> str:
        return ":".join(p for p in (self.category, self.status, self.entity) if p)


@frozen
class Status:
    """One STC segment."""

    codes: tuple[StatusCode, ...]  # STC01, then STC10 and STC11 when present
    effective: date | None  # STC02
    action: str  # STC03: WQ accept, U reject
    charge: Decimal | None  # STC04
    paid: Decimal | None  # STC05
    segment_number: int
    message: str = ""  # STC12 free-form text

    @property
    def category(self) -> str:
        return self.codes[0].category

    @property
    def rejected(self) -> bool:
        return self.category in REJECTED


@frozen
class Party:
    """HL levels 20 (source), 21 (receiver), 19 (billing provider): NM1, TRN, STC."""

    level: str  # HL03
    entity: str  # NM101: PR, AY, 41, 85
    name: str  # NM103
    id_qualifier: str  # NM108
    id: str  # NM109
    trace: str  # TRN02
    statuses: tuple[Status, ...]
    segment_number: int


@frozen
class LineAck:
    """Loop 2220D: one service line's status."""

    qualifier: str  # SVC01-1
    code: str  # SVC01-2
    modifiers: tuple[str, ...]
    charge: Decimal | None  # SVC02
    statuses: tuple[Status, ...]
    control_number: str | None  # REF*FJ = our REF*6R
    service_date: date | None  # DTP*472
    segment_number: int
    units: Decimal | None = None  # SVC07


@frozen
class ClaimAck:
    """Loops 2000D-2220D: one claim's statuses."""

    claim_id: str  # TRN02 = our CLM01
    statuses: tuple[Status, ...]
    payer_claim_number: str | None  # REF*1K
    clearinghouse_trace: str | None  # REF*D9
    service_from: date | None  # DTP*472 (D8, or RD8 start)
    service_to: date | None
    provider_id: str  # NM109 of the billing provider (HL 19) above it
    segment_number: int
    lines: tuple[LineAck, ...] = ()
    bill_type: str | None = None  # REF*BLT (institutional)

    @property
    def rejected(self) -> bool:
        return any(s.rejected for s in self.statuses)


@frozen
class Ack277:
    control_number: str  # ST02
    envelope: AckEnvelope
    reference: str  # BHT03
    created: date | None  # BHT04
    source: Party | None  # HL 20
    receiver: Party | None  # HL 21
    providers: tuple[Party, ...]  # HL 19
    claims: tuple[ClaimAck, ...]
    segment_number: int
    findings: tuple[AckFinding, ...] = ()
