"""Loops 2100 (claim payment) and 2110 (service payment): mutable parts collected while
the segments stream by, frozen into `ClaimPayment` / `ServiceLine` when the loop closes.

This is the reader's hot path (every claim and line of a 30 MB file passes here), so
element access uses `padded` lists and CAS totals are kept as they are read rather than
summed again for balancing.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from edi.x12.numbers import r_number
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

# `freeze` builds ServiceLine and ClaimPayment positionally: CPython matches 19 keyword
# arguments name by name, which doubles the cost of the attrs __init__ on the hot path.
# The calls below follow these declaration orders, and the import fails if the model's
# field order ever changes, so a positional call can never put a value in the wrong field.
LINE_FIELDS = (
    "qualifier", "code", "modifiers", "charge", "paid", "units", "segment_number",
    "revenue_code", "original_qualifier", "original_code", "original_modifiers",
    "original_units", "dates", "adjustments", "control_number",
    "references", "amounts",
    "quantities", "remarks",
)
CLAIM_FIELDS = (
    "patient_control_number", "status", "charge", "paid", "patient_responsibility",
    "filing_indicator", "payer_claim_number", "segment_number", "facility_code", "frequency",
    "adjustments", "names", "inpatient", "outpatient",
    "remarks", "references", "dates", "amounts",
    "quantities", "service_lines",
)


def _check_order(cls: type, expected: tuple[str, ...]) -> None:
    actual = tuple(f.name for f in attrs.fields(cls))
    if actual != expected:
        raise RuntimeError(f"{cls.__name__} fields changed: update claims.py ({actual})")


_check_order(ServiceLine, LINE_FIELDS)
_check_order(ClaimPayment, CLAIM_FIELDS)


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
        # tuples, grown with +=: most are empty or hold one value, so no list is allocated
        # and freezing needs no copy (fewer allocations also means fewer GC passes); the
        # 835 caps how often each repeats (99 CAS at most), so the copies of += stay short
        self.dates: tuple[DateValue, ...] = ()
        self.adjustments: tuple[Adjustment, ...] = ()
        self.adjusted = ZERO  # sum of the CAS amounts, for balancing
        self.references: tuple[Reference, ...] = ()
        self.amounts: tuple[Amount, ...] = ()
        self.quantities: tuple[Quantity, ...] = ()
        self.remarks: tuple[Remark, ...] = ()

    def freeze(self) -> ServiceLine:
        h = self.head
        return ServiceLine(  # positional: one row of LINE_FIELDS per row here
            h.qualifier, h.code, h.modifiers, h.charge, h.paid, h.units, self.number,
            h.revenue_code, h.original_qualifier, h.original_code, h.original_modifiers,
            h.original_units, self.dates, self.adjustments, self.control_number,
            self.references, self.amounts,
            self.quantities, self.remarks,
        )


class ClaimParts:
    """Loop 2100 while it is being read."""

    __slots__ = (
        "elements", "number", "charge", "paid", "patient_responsibility", "adjustments",
        "adjusted", "names", "inpatient", "outpatient", "remarks", "references", "dates",
        "amounts", "quantities", "lines", "line_adjusted", "line_findings",
    )

    def __init__(self, number: int, elements: list[str]) -> None:
        """The CLP segment; `read_amounts` must follow (once the claim is current, so that
        its defects name the claim)."""
        self.elements = s.padded(elements, s.CLP09)
        self.number = number
        self.charge = self.paid = ZERO
        self.patient_responsibility: Decimal | None = None
        # tuples grown with += (see LineParts)
        self.adjustments: tuple[Adjustment, ...] = ()
        self.adjusted = ZERO  # sum of the claim CAS amounts, for balancing
        self.names: tuple[Name, ...] = ()
        self.inpatient: tuple[str, ...] = ()
        self.outpatient: tuple[str, ...] = ()
        self.remarks: tuple[Remark, ...] = ()
        self.references: tuple[Reference, ...] = ()
        self.dates: tuple[DateValue, ...] = ()
        self.amounts: tuple[Amount, ...] = ()
        self.quantities: tuple[Quantity, ...] = ()
        self.lines: list[ServiceLine] = []  # a list: a claim may hold hundreds of lines
        self.line_adjusted = ZERO
        self.line_findings: list[RemitFinding] = []

    @property
    def claim_id(self) -> str:
        return self.elements[s.CLP01]

    def read_amounts(self, source: str | None, notes: s.Notes) -> None:
        e, number = self.elements, self.number
        charge, paid = r_number(e[s.CLP03]), r_number(e[s.CLP04])
        if charge is not None and paid is not None:
            self.charge, self.paid = charge, paid
        else:
            self.charge = s.required_amount(e, s.CLP03, number, source, notes)
            self.paid = s.required_amount(e, s.CLP04, number, source, notes)
        self.patient_responsibility = s.optional_amount(e, s.CLP05, number, source)

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
        claim = ClaimPayment(  # positional: one row of CLAIM_FIELDS per row here
            e[s.CLP01], e[s.CLP02], self.charge, self.paid, self.patient_responsibility,
            e[s.CLP06], e[s.CLP07], self.number, e[s.CLP08] or None, e[s.CLP09] or None,
            self.adjustments, self.names, self.inpatient, self.outpatient,
            self.remarks, self.references, self.dates, self.amounts,
            self.quantities, tuple(self.lines),
        )
        findings += self.line_findings
        if self.charge - self.paid != self.adjusted + self.line_adjusted:
            finding = claim_finding(claim, self.line_adjusted)
            if finding is not None:
                findings.append(finding)
        return claim, self.adjusted + self.line_adjusted
