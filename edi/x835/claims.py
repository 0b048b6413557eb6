"""Loops 2100 (claim payment) and 2110 (service payment): mutable parts collected while
the segments stream by, frozen into `ClaimPayment` / `ServiceLine` when the loop closes."""

from __future__ import annotations

from decimal import Decimal

from edi.x835 import segments as s
from edi.x835.balance import adjusted, claim_finding, line_finding
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

ONE = Decimal(1)


class LineParts:
    """Loop 2110 while it is being read."""

    __slots__ = (
        "qualifier", "code", "modifiers", "charge", "paid", "units", "number", "revenue_code",
        "original", "original_units", "dates", "adjustments", "control_number", "references",
        "amounts", "quantities", "remarks",
    )

    def __init__(self, number: int, elements: list[str], component: str, notes: s.Notes,
                 source: str | None) -> None:
        parts = s.split_composite(s.el(elements, s.SVC01), component, number, "SVC", 1, notes)
        self.qualifier = parts[0]
        self.code = parts[1] if len(parts) > 1 else ""
        self.modifiers = tuple(m for m in parts[s.COMPOSITE_MODIFIERS] if m)
        if not self.code:
            notes(number, "SVC", "SVC01 has no procedure code (SVC01-2)")
        self.charge = s.required_amount(elements, s.SVC02, number, source, notes)
        self.paid = s.required_amount(elements, s.SVC03, number, source, notes)
        self.revenue_code = s.el(elements, s.SVC04) or None
        self.units = s.optional_amount(elements, s.SVC05, number, source) or ONE
        original = s.el(elements, s.SVC06)
        self.original = (
            s.split_composite(original, component, number, "SVC", 6, notes) if original else None
        )
        if self.original is not None and len(self.original) < 2:
            notes(number, "SVC", f"SVC06 {original!r} is not a qualifier:procedure composite; "
                                 "ignored")
            self.original = None
        self.original_units = s.optional_amount(elements, s.SVC07, number, source)
        self.number = number
        self.control_number: str | None = None
        self.dates: list[DateValue] = []
        self.adjustments: list[Adjustment] = []
        self.references: list[Reference] = []
        self.amounts: list[Amount] = []
        self.quantities: list[Quantity] = []
        self.remarks: list[Remark] = []

    def freeze(self) -> ServiceLine:
        original = self.original
        return ServiceLine(
            qualifier=self.qualifier,
            code=self.code,
            modifiers=self.modifiers,
            charge=self.charge,
            paid=self.paid,
            units=self.units,
            segment_number=self.number,
            revenue_code=self.revenue_code,
            original_qualifier=original[0] if original else None,
            original_code=original[1] if original and len(original) > 1 else None,
            original_modifiers=(
                tuple(m for m in original[s.COMPOSITE_MODIFIERS] if m) if original else ()
            ),
            original_units=self.original_units,
            dates=tuple(self.dates),
            adjustments=tuple(self.adjustments),
            control_number=self.control_number,
            references=tuple(self.references),
            amounts=tuple(self.amounts),
            quantities=tuple(self.quantities),
            remarks=tuple(self.remarks),
        )


class ClaimParts:
    """Loop 2100 while it is being read."""

    __slots__ = (
        "elements", "number", "charge", "paid", "patient_responsibility", "adjustments",
        "names", "inpatient", "outpatient", "remarks", "references", "dates", "amounts",
        "quantities", "lines",
    )

    def __init__(self, number: int, elements: list[str], source: str | None,
                 notes: s.Notes) -> None:
        self.elements = elements
        self.number = number
        self.charge = s.required_amount(elements, s.CLP03, number, source, notes)
        self.paid = s.required_amount(elements, s.CLP04, number, source, notes)
        self.patient_responsibility = s.optional_amount(elements, s.CLP05, number, source)
        self.adjustments: list[Adjustment] = []
        self.names: list[Name] = []
        self.inpatient: tuple[str, ...] = ()
        self.outpatient: tuple[str, ...] = ()
        self.remarks: list[Remark] = []
        self.references: list[Reference] = []
        self.dates: list[DateValue] = []
        self.amounts: list[Amount] = []
        self.quantities: list[Quantity] = []
        self.lines: list[ServiceLine] = []

    @property
    def claim_id(self) -> str:
        return s.el(self.elements, s.CLP01)

    def freeze(self, findings: list[RemitFinding]) -> tuple[ClaimPayment, Decimal]:
        """The frozen claim and the total of its CAS amounts (claim + lines); balancing
        findings are appended to `findings`."""
        e = self.elements
        claim_id = s.el(e, s.CLP01)
        line_total = Decimal(0)
        for line in self.lines:
            if line.adjustments:
                line_total += adjusted(line.adjustments)
            finding = line_finding(line, claim_id)
            if finding is not None:
                findings.append(finding)
        claim = ClaimPayment(
            patient_control_number=claim_id,
            status=s.el(e, s.CLP02),
            charge=self.charge,
            paid=self.paid,
            patient_responsibility=self.patient_responsibility,
            filing_indicator=s.el(e, s.CLP06),
            payer_claim_number=s.el(e, s.CLP07),
            segment_number=self.number,
            facility_code=s.el(e, s.CLP08) or None,
            frequency=s.el(e, s.CLP09) or None,
            adjustments=tuple(self.adjustments),
            names=tuple(self.names),
            inpatient=self.inpatient,
            outpatient=self.outpatient,
            remarks=tuple(self.remarks),
            references=tuple(self.references),
            dates=tuple(self.dates),
            amounts=tuple(self.amounts),
            quantities=tuple(self.quantities),
            service_lines=tuple(self.lines),
        )
        finding = claim_finding(claim, line_total)
        if finding is not None:
            findings.append(finding)
        return claim, line_total + adjusted(self.adjustments)
