"""Building 835 remittances that answer our own 837P claims: paid, reduced and denied lines.

Used by the tests, the benchmark and `samples/make_remit.py`; not by the product. The claims
come from what `dermclaim claims` recorded (`samples.answers.billed_claims(url)`: exactly what
the 837 carried), each line gets a `LineAnswer` (`pay`, `reduce` or `deny`), and
`build_remittance` assembles a balanced `Remittance` (BPR02 = sum of CLP04, each CLP03 -
CLP04 = its CAS, each SVC02 - SVC03 = its CAS) for the 835 writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from attrs import frozen

from edi.x835.model import (
    Adjustment,
    Amount,
    ClaimPayment,
    DateValue,
    Envelope,
    Name,
    Party,
    Payment,
    Remark,
    Remittance,
    RemittanceHeader,
    RemittanceTrailer,
    ServiceLine,
)

CENT = Decimal("0.01")


@frozen
class BilledLine:
    control_number: str
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal
    date_of_service: date


@frozen
class BilledClaim:
    claim_id: str
    payer: str  # guide name
    date_of_service: date
    lines: tuple[BilledLine, ...]

    @property
    def charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), Decimal("0"))


@frozen
class LineAnswer:
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    paid_units: Decimal | None = None
    recoded_to: str | None = None  # the payer paid under another code (SVC06 keeps ours)
    echo_control_number: bool = True  # a payer that drops REF*6R


def _q(x: Decimal) -> Decimal:
    return x.quantize(CENT)


def pay(line: BilledLine, allowed_share: Decimal = Decimal("0.80"),
        coinsurance: Decimal = Decimal("0.20")) -> LineAnswer:
    """Paid as billed under contract: CO-45 write-down to the allowance, PR-2 coinsurance."""
    allowed = _q(line.charge * allowed_share)
    coins = _q(allowed * coinsurance)
    adj = []
    if line.charge - allowed:
        adj.append(Adjustment("CO", "45", line.charge - allowed))
    if coins:
        adj.append(Adjustment("PR", "2", coins))
    return LineAnswer(tuple(adj))


def deny(line: BilledLine, group: str, carc: str, *remarks: str, **kw: object) -> LineAnswer:
    """The whole charge adjusted by one CARC: nothing paid."""
    return LineAnswer((Adjustment(group, carc, line.charge),), tuple(remarks), **kw)  # type: ignore[arg-type]


def reduce(line: BilledLine, group: str, carc: str, amount: Decimal, *remarks: str,
           paid_units: Decimal | None = None) -> LineAnswer:
    """Partly paid: `amount` cut by the CARC, the rest paid under contract (CO-45, PR-2)."""
    rest = BilledLine(line.control_number, line.code, line.modifiers, line.units,
                      line.charge - amount, line.date_of_service)
    base = pay(rest)
    return LineAnswer((Adjustment(group, carc, amount), *base.adjustments), tuple(remarks),
                      paid_units=paid_units)


def claim_payment(claim: BilledClaim, answers: Sequence[LineAnswer], *, payer_claim_number: str,
                  segment_number: int = 0, status: str | None = None,
                  claim_adjustments: Sequence[Adjustment] = (), reversal: bool = False
                  ) -> ClaimPayment:
    """A CLP answering `claim` line by line; a reversal negates every amount (CLP02 = 22)."""
    sign = Decimal("-1") if reversal else Decimal("1")
    lines = []
    for ln, ans in zip(claim.lines, answers, strict=True):
        adjusted = sum((a.amount for a in ans.adjustments), Decimal("0"))
        adj = tuple(Adjustment(a.group, a.reason, a.amount * sign, a.quantity)
                    for a in ans.adjustments)
        paid = (ln.charge - adjusted) * sign
        # AMT*B6 allowed = charge - the fee schedule write-down (CO-45) and the multiple-
        # procedure reduction (CO-59); the patient share and sequestration are part of it
        contractual = sum((a.amount for a in ans.adjustments if a.reason in ("45", "59")),
                          Decimal("0"))
        lines.append(ServiceLine(
            qualifier="HC", code=ans.recoded_to or ln.code,
            modifiers=() if ans.recoded_to else ln.modifiers,
            charge=ln.charge * sign, paid=paid,
            units=ans.paid_units if ans.paid_units is not None else Decimal(ln.units),
            segment_number=segment_number,
            original_qualifier="HC" if ans.recoded_to else None,
            original_code=ln.code if ans.recoded_to else None,
            original_modifiers=ln.modifiers if ans.recoded_to else (),
            original_units=Decimal(ln.units) if ans.paid_units is not None else None,
            dates=(DateValue("472", ln.date_of_service, ln.date_of_service.strftime("%Y%m%d")),),
            adjustments=adj,
            control_number=ln.control_number if ans.echo_control_number else None,
            amounts=(Amount("B6", (ln.charge - contractual) * sign),) if paid else (),
            remarks=tuple(Remark("HE", r) for r in ans.remarks)))
    claim_adj = tuple(Adjustment(a.group, a.reason, a.amount * sign, a.quantity)
                      for a in claim_adjustments)
    charge = claim.charge * sign
    paid = sum((s.paid for s in lines), Decimal("0")) - sum(
        (a.amount for a in claim_adj), Decimal("0"))
    pr = sum((a.amount for s in lines for a in s.adjustments if a.group == "PR"), Decimal("0"))
    if status is None:
        status = "22" if reversal else ("4" if paid == 0 else "1")
    return ClaimPayment(
        patient_control_number=claim.claim_id, status=status, charge=charge, paid=paid,
        patient_responsibility=pr,
        # CLP06 of the 835 has no CI (commercial): 12 = PPO
        filing_indicator="MB" if claim.payer == "medicare" else "12",
        payer_claim_number=payer_claim_number, segment_number=segment_number,
        facility_code="11", frequency="1", adjustments=claim_adj,
        names=(Name("QC", "PATIENT", "TEST", id_qualifier="MI", id="M" + claim.claim_id),),
        dates=(DateValue("232", claim.date_of_service,
                         claim.date_of_service.strftime("%Y%m%d")),),
        service_lines=tuple(lines))


def build_remittance(claims: Sequence[ClaimPayment], *, payer_name: str, payer_id: str,
                     payment_date: date, trace_number: str, control_number: str = "0001",
                     interchange_control_number: str = "000000001",
                     payee_name: str = "DERMATOLOGY ASSOCIATES", payee_npi: str = "1234567893"
                     ) -> Remittance:
    """A balanced 835 transaction holding `claims`."""
    total = sum((c.paid for c in claims), Decimal("0"))
    env = Envelope("ZZ", payer_id, "ZZ", "DERMCLAIM", interchange_control_number, payment_date,
                   "P", "1", payer_id, "DERMCLAIM", "005010X221A1")
    header = RemittanceHeader(
        envelope=env, control_number=control_number,
        payment=Payment("I" if total else "H", total, "C", "ACH" if total else "NON",
                        payment_date, trace_number, "1" + payer_id.rjust(9, "0")[-9:]),
        payer=Party("PR", payer_name, "XV", payer_id, address=("PO BOX 1000",),
                    city="CAMP HILL", state="PA", zip="17011",
                    contacts=(("BL", "EDI SUPPORT", "TE", "8005551212"),)),
        payee=Party("PE", payee_name, "XX", payee_npi), segment_number=3,
        production_date=payment_date)
    trailer = RemittanceTrailer(
        control_number=control_number, provider_adjustments=(), findings=(),
        claim_count=len(claims), line_count=sum(len(c.service_lines) for c in claims),
        total_paid=total,
        total_adjusted=sum((a.amount for c in claims for a in c.adjustments), Decimal("0"))
        + sum((a.amount for c in claims for s in c.service_lines for a in s.adjustments),
              Decimal("0")),
        segment_count=0)
    return Remittance(header, tuple(claims), trailer)


def remittance_text(remittances: Sequence[Remittance]) -> str:
    """The 835 text of the remittances (one interchange), through the 835 writer."""
    from edi.x835.writer import write_835

    remits = list(remittances)
    payers = {r.header.payer.id for r in remits}
    # one payer: the payer sends; several payers in one file: their clearinghouse does
    return write_835(remits, sender_id=None if len(payers) == 1 else "CLEARINGHOUSE")
