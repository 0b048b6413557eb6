"""The reader builds ServiceLine / ClaimPayment positionally (edi/x835/claims.py) for
speed: the objects must equal, hash and print exactly as keyword construction does."""

from __future__ import annotations

from decimal import Decimal

import attrs

from edi.x835 import segments as s
from edi.x835.claims import ClaimParts, LineParts
from edi.x835.model import (
    Adjustment,
    Amount,
    ClaimPayment,
    DateValue,
    Name,
    Quantity,
    Reference,
    Remark,
    ServiceLine,
)


def _same(fast: object, slow: object) -> None:
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    for f in attrs.fields(type(slow)):
        assert getattr(fast, f.name) is getattr(slow, f.name) or (
            getattr(fast, f.name) == getattr(slow, f.name)), f.name


def test_positional_construction_equals_keyword_construction() -> None:
    head = s.ServiceHead("HC", "11102", ("25", "59"), Decimal("150.00"), Decimal("90.00"),
                         "0450", Decimal(2), "HC", "11100", ("76",), Decimal(3))
    line = LineParts(17, head)
    line.control_number = "C1-1"
    line.dates += (DateValue("472", None, "2026XX01"),)
    line.adjustments += (Adjustment("CO", "45", Decimal("60.00"), Decimal(1)),)
    line.references += (Reference("LU", "11"),)
    line.amounts += (Amount("B6", Decimal("90.00")),)
    line.quantities += (Quantity("ZK", Decimal(1)),)
    line.remarks += (Remark("HE", "N19"),)
    fast_line = line.freeze()
    slow_line = ServiceLine(
        qualifier="HC", code="11102", modifiers=("25", "59"), charge=Decimal("150.00"),
        paid=Decimal("90.00"), units=Decimal(2), segment_number=17, revenue_code="0450",
        original_qualifier="HC", original_code="11100", original_modifiers=("76",),
        original_units=Decimal(3), dates=(DateValue("472", None, "2026XX01"),),
        adjustments=(Adjustment("CO", "45", Decimal("60.00"), Decimal(1)),),
        control_number="C1-1", references=(Reference("LU", "11"),),
        amounts=(Amount("B6", Decimal("90.00")),), quantities=(Quantity("ZK", Decimal(1)),),
        remarks=(Remark("HE", "N19"),),
    )
    _same(fast_line, slow_line)

    clp = ["CLP", "PCN1", "22", "150.00", "90.00", "10.00", "MB", "PAYER9", "11", "7"]
    claim = ClaimParts(12, clp)
    claim.read_amounts(None, lambda *_: None)
    claim.add_line(line)
    claim.adjustments += (Adjustment("PR", "2", Decimal("-5.00")),)
    claim.names += (Name("QC", "DOE", "JANE"),)
    claim.inpatient = ("", "1")
    claim.outpatient = ("", "", "MA01")
    claim.remarks += (Remark("HE", "MA01"),)
    claim.references += (Reference("EA", "X"),)
    claim.dates += (DateValue("232", None, ""),)
    claim.amounts += (Amount("AU", Decimal(1)),)
    claim.quantities += (Quantity("CA", Decimal(2)),)
    fast_claim, _ = claim.freeze([])
    slow_claim = ClaimPayment(
        patient_control_number="PCN1", status="22", charge=Decimal("150.00"),
        paid=Decimal("90.00"), patient_responsibility=Decimal("10.00"), filing_indicator="MB",
        payer_claim_number="PAYER9", segment_number=12, facility_code="11", frequency="7",
        adjustments=(Adjustment("PR", "2", Decimal("-5.00")),),
        names=(Name("QC", "DOE", "JANE"),), inpatient=("", "1"), outpatient=("", "", "MA01"),
        remarks=(Remark("HE", "MA01"),), references=(Reference("EA", "X"),),
        dates=(DateValue("232", None, ""),), amounts=(Amount("AU", Decimal(1)),),
        quantities=(Quantity("CA", Decimal(2)),), service_lines=(slow_line,),
    )
    _same(fast_claim, slow_claim)
