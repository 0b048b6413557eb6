"""Convenient constructors for 835 model objects in tests and samples (sensible defaults,
money given as Decimal, str or int). Pair with `edi.x835.writer.write_835`:

    from edi.x835.build import adjustment, claim_payment, remittance, service_line
    line = service_line("11102", "150.00", "80.00", control_number="CLM1-1",
                        service_date=date(2026, 1, 5),
                        adjustments=[adjustment("CO", "45", "70.00")])
    text = write_835([remittance([claim_payment("CLM1", "150.00", "80.00", lines=[line])])])

Segment numbers are 0 here (they mean "position in a file" only once read).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from edi.x835.model import (
    Adjustment,
    Amount,
    ClaimPayment,
    DateValue,
    Envelope,
    Name,
    Party,
    Payment,
    PlbItem,
    ProviderAdjustment,
    Reference,
    Remark,
    Remittance,
    RemittanceHeader,
    RemittanceTrailer,
    ServiceLine,
)
from edi.x835.writer import VERSION

Money = Decimal | str | int


def dec(value: Money) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def adjustment(group: str, reason: str, amount: Money, quantity: Money | None = None) -> Adjustment:
    return Adjustment(group, reason, dec(amount), None if quantity is None else dec(quantity))


def service_line(
    code: str,
    charge: Money,
    paid: Money,
    *,
    modifiers: Iterable[str] = (),
    units: Money = 1,
    qualifier: str = "HC",
    control_number: str | None = None,
    service_date: date | None = None,
    adjustments: Iterable[Adjustment] = (),
    allowed: Money | None = None,
    remarks: Iterable[str] = (),
    original_code: str | None = None,
    original_modifiers: Iterable[str] = (),
    original_units: Money | None = None,
) -> ServiceLine:
    """One SVC loop; `remarks` are RARCs (LQ*HE), `original_*` the SVC06/SVC07 recode."""
    return ServiceLine(
        qualifier=qualifier, code=code, modifiers=tuple(modifiers), charge=dec(charge),
        paid=dec(paid), units=dec(units), segment_number=0,
        original_qualifier=qualifier if original_code else None, original_code=original_code,
        original_modifiers=tuple(original_modifiers),
        original_units=None if original_units is None else dec(original_units),
        dates=(DateValue("472", service_date, service_date.strftime("%Y%m%d")),)
        if service_date else (),
        adjustments=tuple(adjustments), control_number=control_number,
        amounts=(Amount("B6", dec(allowed)),) if allowed is not None else (),
        remarks=tuple(Remark("HE", r) for r in remarks),
    )


def claim_payment(
    claim_id: str,
    charge: Money,
    paid: Money,
    *,
    status: str = "1",
    lines: Iterable[ServiceLine] = (),
    adjustments: Iterable[Adjustment] = (),
    patient_responsibility: Money | None = None,
    filing_indicator: str = "MB",
    payer_claim_number: str = "",
    patient: tuple[str, str] = ("DOE", "JANE"),
    member_id: str = "",
    remarks: Iterable[str] = (),
    frequency: str | None = "1",
    facility_code: str | None = "11",
) -> ClaimPayment:
    """One CLP loop; `remarks` are claim-level RARCs written as MOA03-MOA07."""
    codes = tuple(remarks)
    return ClaimPayment(
        patient_control_number=claim_id, status=status, charge=dec(charge), paid=dec(paid),
        patient_responsibility=(
            None if patient_responsibility is None else dec(patient_responsibility)
        ),
        filing_indicator=filing_indicator, payer_claim_number=payer_claim_number or claim_id,
        segment_number=0, facility_code=facility_code, frequency=frequency,
        adjustments=tuple(adjustments),
        names=(Name("QC", patient[0], patient[1], "", "MI" if member_id else "", member_id),),
        outpatient=("", "", *codes) if codes else (),
        remarks=tuple(Remark("HE", c) for c in codes),
        service_lines=tuple(lines),
    )


def plb(
    provider_id: str, fiscal_period_end: date, *items: tuple[str, str, Money]
) -> ProviderAdjustment:
    """A PLB: each item is (reason, reference, amount); a positive amount reduces payment."""
    return ProviderAdjustment(
        provider_id, fiscal_period_end, tuple(PlbItem(r, ref, dec(a)) for r, ref, a in items), 0
    )


def remittance(
    claims: Iterable[ClaimPayment],
    *,
    payer_name: str = "MEDICARE PART B",
    payer_id: str = "12345",
    payee_name: str = "DERMATOLOGY CLINIC",
    payee_npi: str = "1234567893",
    trace_number: str = "TRACE0001",
    payment_date: date = date(2026, 1, 15),
    method: str = "CHK",
    provider_adjustments: Iterable[ProviderAdjustment] = (),
    control_number: str = "0001",
    amount: Money | None = None,
    sender_id: str = "PAYER",
    receiver_id: str = "CLINIC",
    interchange_control_number: int = 1,
) -> Remittance:
    """A whole transaction; BPR02 defaults to sum of CLP04 - sum of PLB (balanced)."""
    claims = tuple(claims)
    plbs = tuple(provider_adjustments)
    if amount is None:
        total = sum((c.paid for c in claims), Decimal(0))
        total -= sum((i.amount for p in plbs for i in p.items), Decimal(0))
    else:
        total = dec(amount)
    envelope = Envelope(
        sender_qualifier="ZZ", sender_id=sender_id, receiver_qualifier="ZZ",
        receiver_id=receiver_id, interchange_control_number=f"{interchange_control_number:09d}",
        interchange_date=payment_date, usage_indicator="P",
        group_control_number=str(interchange_control_number), group_sender=sender_id,
        group_receiver=receiver_id, version=VERSION,
    )
    payment = Payment(
        handling_code="I" if total else "H", amount=abs(total),
        credit_debit="D" if total < 0 else "C", method=method if total else "NON",
        date=payment_date, trace_number=trace_number, payer_identifier="1" + payer_id.rjust(9, "0"),
    )
    header = RemittanceHeader(
        envelope=envelope, control_number=control_number, payment=payment,
        payer=Party("PR", payer_name, address=("PO BOX 1",), city="NASHVILLE", state="TN",
                    zip="37202", contacts=(("BL", "EDI SUPPORT", "TE", "8005551212"),)),
        payee=Party("PE", payee_name, "XX", payee_npi, address=("1 MAIN ST",), city="AUSTIN",
                    state="TX", zip="787010001", references=(Reference("TJ", "741234567"),)),
        segment_number=0, production_date=payment_date,
    )
    return Remittance(header, claims, None if not plbs else _trailer(plbs, control_number))


def _trailer(plbs: tuple[ProviderAdjustment, ...], control_number: str) -> RemittanceTrailer:
    """A trailer carrying the PLBs to write; counts and totals are the reader's job."""
    return RemittanceTrailer(control_number, plbs, (), 0, 0, Decimal(0), Decimal(0), 0)
