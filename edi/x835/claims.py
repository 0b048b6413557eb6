"""Loops 2100 (claim payment) and 2110 (service payment): mutable parts collected while
the segments stream by, frozen into `ClaimPayment` / `ServiceLine` when the loop closes.

This is the reader's hot path (every claim and line of a 30 MB file passes here), so
element access uses `padded` lists and CAS totals are kept as they are read rather than
summed again for balancing.
"""

from __future__ import annotations

from decimal import Decimal

from edi.x835 import segments as s
from edi.x835.balance import claim_finding, line_finding
from edi.x835.model import (
    Adjustment,
    Amount,
    ClaimPayment,
    DateValue,
    Name,
    Quantity,
    Reference,
    Remark,
    RemitFinding,
    ServiceLine,
)

ZERO = Decimal(0)


class LineParts:
    """Loop 2110 while it is being read."""

    __slots__ = (
        "head", "number", "dates", "adjustments", "adjusted", "control_number", "references",
        "amounts", "quantities", "remarks",
    )

    def __init__(self, number: int, head: s.ServiceHead) -> None:
        self.head = head
        self.number = number
        self.control_number: str | None = None
        self.dates: list[DateValue] = []
        self.adjustments: list[Adjustment] = []
        self.adjusted = ZERO
        self.references: list[Reference] = []
        self.amounts: list[Amount] = []
        self.quantities: list[Quantity] = []
        self.remarks: list[Remark] = []

    def add_adjustments(self, found: tuple[list[Adjustment], Decimal]) -> None:
        self.adjustments += found[0]
        self.adjusted += found[1]

    def freeze(self) -> ServiceLine:
        h = self.head
        return ServiceLine(
            qualifier=h.qualifier, code=h.code, modifiers=h.modifiers, charge=h.charge,
            paid=h.paid, units=h.units, segment_number=self.number,
            revenue_code=h.revenue_code, original_qualifier=h.original_qualifier,
            original_code=h.original_code, original_modifiers=h.original_modifiers,
            original_units=h.original_units, dates=tuple(self.dates),
            adjustments=tuple(self.adjustments), control_number=self.control_number,
            references=tuple(self.references), amounts=tuple(self.amounts),
            quantities=tuple(self.quantities), remarks=tuple(self.remarks),
        )


class ClaimParts:
    """Loop 2100 while it is being read."""

    __slots__ = (
        "elements", "number", "charge", "paid", "patient_responsibility", "adjustments",
        "adjusted", "names", "inpatient", "outpatient", "remarks", "references", "dates",
        "amounts", "quantities", "lines", "line_adjusted", "line_findings",
    )

    def __init__(self, number: int, elements: list[str], source: str | None,
                 notes: s.Notes) -> None:
        e = self.elements = s.padded(elements, s.CLP09)
        self.number = number
        try:
            self.charge = Decimal(e[s.CLP03])
            self.paid = Decimal(e[s.CLP04])
        except ArithmeticError:
            self.charge = s.required_amount(e, s.CLP03, number, source, notes)
            self.paid = s.required_amount(e, s.CLP04, number, source, notes)
        self.patient_responsibility = s.optional_amount(e, s.CLP05, number, source)
        self.adjustments: list[Adjustment] = []
        self.adjusted = ZERO
        self.names: list[Name] = []
        self.inpatient: tuple[str, ...] = ()
        self.outpatient: tuple[str, ...] = ()
        self.remarks: list[Remark] = []
        self.references: list[Reference] = []
        self.dates: list[DateValue] = []
        self.amounts: list[Amount] = []
        self.quantities: list[Quantity] = []
        self.lines: list[ServiceLine] = []
        self.line_adjusted = ZERO
        self.line_findings: list[RemitFinding] = []

    @property
    def claim_id(self) -> str:
        return self.elements[s.CLP01]

    def add_adjustments(self, found: tuple[list[Adjustment], Decimal]) -> None:
        self.adjustments += found[0]
        self.adjusted += found[1]

    def add_line(self, parts: LineParts) -> None:
        line = parts.freeze()
        self.lines.append(line)
        self.line_adjusted += parts.adjusted
        if parts.head.charge - parts.head.paid != parts.adjusted:
            finding = line_finding(line, self.claim_id)
            if finding is not None:
                self.line_findings.append(finding)

    def freeze(self, findings: list[RemitFinding]) -> tuple[ClaimPayment, Decimal]:
        """The frozen claim and the total of its CAS amounts (claim + lines); balancing
        findings are appended to `findings`."""
        e = self.elements
        claim = ClaimPayment(
            patient_control_number=e[s.CLP01], status=e[s.CLP02], charge=self.charge,
            paid=self.paid, patient_responsibility=self.patient_responsibility,
            filing_indicator=e[s.CLP06], payer_claim_number=e[s.CLP07],
            segment_number=self.number, facility_code=e[s.CLP08] or None,
            frequency=e[s.CLP09] or None, adjustments=tuple(self.adjustments),
            names=tuple(self.names), inpatient=self.inpatient, outpatient=self.outpatient,
            remarks=tuple(self.remarks), references=tuple(self.references),
            dates=tuple(self.dates), amounts=tuple(self.amounts),
            quantities=tuple(self.quantities), service_lines=tuple(self.lines),
        )
        findings += self.line_findings
        if self.charge - self.paid != self.adjusted + self.line_adjusted:
            finding = claim_finding(claim, self.line_adjusted)
            if finding is not None:
                findings.append(finding)
        return claim, self.adjusted + self.line_adjusted
