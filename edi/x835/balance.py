"""Balancing checks of an 835 as findings (never exceptions).

- line: SVC02 - SVC03 = sum of the line's CAS amounts
- claim: CLP03 - CLP04 = sum of claim CAS + sum of every line's CAS
- transaction: BPR02 (negative when BPR03 = D) = sum of CLP04 - sum of PLB amounts
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from edi.x835.model import (
    Adjustment,
    ClaimPayment,
    FindingKind,
    RemitFinding,
    ServiceLine,
)

ZERO = Decimal(0)


def adjusted(adjustments: Iterable[Adjustment]) -> Decimal:
    return sum((a.amount for a in adjustments), ZERO)


def line_finding(line: ServiceLine, claim_id: str) -> RemitFinding | None:
    difference = line.charge - line.paid - adjusted(line.adjustments)
    if not difference:
        return None
    return RemitFinding(
        FindingKind.LINE_OUT_OF_BALANCE,
        f"line {line.code}: charge {line.charge} - paid {line.paid} != adjustments "
        f"{adjusted(line.adjustments)} (off by {difference})",
        line.segment_number, "SVC", claim_id, difference,
    )


def claim_finding(claim: ClaimPayment, line_adjusted: Decimal) -> RemitFinding | None:
    claim_adjusted = adjusted(claim.adjustments)
    difference = claim.charge - claim.paid - claim_adjusted - line_adjusted
    if not difference:
        return None
    return RemitFinding(
        FindingKind.CLAIM_OUT_OF_BALANCE,
        f"claim {claim.patient_control_number}: charge {claim.charge} - paid {claim.paid} != "
        f"claim adjustments {claim_adjusted} + line adjustments {line_adjusted} "
        f"(off by {difference})",
        claim.segment_number, "CLP", claim.patient_control_number, difference,
    )


def transaction_finding(
    payment_amount: Decimal, credit_debit: str, total_paid: Decimal, total_plb: Decimal,
    segment_number: int,
) -> RemitFinding | None:
    signed = -payment_amount if credit_debit == "D" else payment_amount
    expected = total_paid - total_plb
    difference = signed - expected
    if not difference:
        return None
    return RemitFinding(
        FindingKind.TRANSACTION_OUT_OF_BALANCE,
        f"BPR02 {signed} != sum of CLP04 {total_paid} - sum of PLB {total_plb} = {expected} "
        f"(off by {difference})",
        segment_number, "BPR", None, difference,
    )
