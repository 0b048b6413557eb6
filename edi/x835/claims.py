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

ONE = Decimal(1)
ZERO = Decimal(0)


class LineParts:
    """Loop 2110 while it is being read."""

    __slots__ = (
        "qualifier", "code", "modifiers", "charge", "paid", "units", "number", "revenue_code",
        "original", "original_units", "dates", "adjustments", "adjusted", "control_number",
        "references", "amounts", "quantities", "remarks",
    )

    def __init__(self, number: int, elements: list[str], component: str, notes: s.Notes,
                 source: str | None) -> None:
        e = s.padded(elements, s.SVC07)
        svc01 = e[s.SVC01]
        if component in svc01:
            parts = svc01.split(component)
        else:
            parts = s.split_composite(svc01, component, number, "SVC", 1, notes)
        self.qualifier = parts[0]
        self.code = parts[1] if len(parts) > 1 else ""
        self.modifiers = tuple(filter(None, parts[s.COMPOSITE_MODIFIERS]))
        if not self.code:
            notes(number, "SVC", "SVC01 has no procedure code (SVC01-2)")
        try:
            self.charge = Decimal(e[s.SVC02])
            self.paid = Decimal(e[s.SVC03])
        except ArithmeticError:
            self.charge = s.required_amount(e, s.SVC02, number, source, notes)
            self.paid = s.required_amount(e, s.SVC03, number, source, notes)
        self.revenue_code = e[s.SVC04] or None
        self.units = s.optional_amount(e, s.SVC05, number, source) or ONE
        original = e[s.SVC06]
        self.original = (
            s.split_composite(original, component, number, "SVC", 6, notes) if original else None
        )
        if self.original is not None and len(self.original) < 2:
            notes(number, "SVC", f"SVC06 {original!r} is not a qualifier:procedure composite; "
                                 "ignored")
            self.original = None
        self.original_units = s.optional_amount(e, s.SVC07, number, source) if e[7] else None
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
        original = self.original
        return ServiceLine(
            self.qualifier, self.code, self.modifiers, self.charge, self.paid, self.units,
            self.number, self.revenue_code,
            original[0] if original else None,
            original[1] if original else None,
            tuple(filter(None, original[s.COMPOSITE_MODIFIERS])) if original else (),
            self.original_units, tuple(self.dates), tuple(self.adjustments),
            self.control_number, tuple(self.references), tuple(self.amounts),
            tuple(self.quantities), tuple(self.remarks),
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
        if parts.charge - parts.paid != parts.adjusted:
            finding = line_finding(line, self.claim_id)
            if finding is not None:
                self.line_findings.append(finding)

    def freeze(self, findings: list[RemitFinding]) -> tuple[ClaimPayment, Decimal]:
        """The frozen claim and the total of its CAS amounts (claim + lines); balancing
        findings are appended to `findings`."""
        e = self.elements
        claim = ClaimPayment(
            e[s.CLP01], e[s.CLP02], self.charge, self.paid, self.patient_responsibility,
            e[s.CLP06], e[s.CLP07], self.number, e[s.CLP08] or None, e[s.CLP09] or None,
            tuple(self.adjustments), tuple(self.names), self.inpatient, self.outpatient,
            tuple(self.remarks), tuple(self.references), tuple(self.dates),
            tuple(self.amounts), tuple(self.quantities), tuple(self.lines),
        )
        findings += self.line_findings
        if self.charge - self.paid != self.adjusted + self.line_adjusted:
            finding = claim_finding(claim, self.line_adjusted)
            if finding is not None:
                findings.append(finding)
        return claim, self.adjusted + self.line_adjusted
