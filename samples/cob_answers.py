"""The payers' answers to the sample claims with a second coverage (issue 22).

Kept apart from `samples.answers` (the denial scenarios), which leaves these claims out of
its scenario walk and adds `primary_payments` to its remittances:

- DC-1021, Medicare then a Medigap plan (a COBA trading partner): Medicare pays 80 % of the
  allowance (CO-45 write-down, PR-2 coinsurance), CLP02 19 (processed as primary,
  forwarded), MOA remark MA18 and NM1*TT naming the Medigap plan: crossed over, we send
  nothing; the Medigap plan's own 835 (CLP02 2) pays the coinsurance.
- DC-1022, Medicare then a retiree plan: Medicare pays, CLP02 1 with MA08 (not forwarded:
  submit to the other insurer): `dermclaim secondary` bills the retiree plan, whose 835
  (CLP02 2) pays the coinsurance.
- DC-1023, a commercial plan then the spouse's plan: the primary pays (CLP02 1); we bill the
  spouse's plan, which pays the coinsurance less a $10.00 copay (PR-3) the patient owes.

`secondary_payments(primary)` answers the claims after the primary's 835: each line's
charge less what the secondary pays is adjusted OA-23 (the prior payer's adjudication, as
the primary paid) and CO-45 (the primary's contractual write-down), so every line balances.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from edi.x835.answers import BilledClaim, claim_payment, pay
from edi.x835.model import Adjustment, ClaimPayment, Name, Remark
from samples.priced import LinePrices, price_paid_lines

COB_CLAIMS = {
    # claim id: (primary CLP02, claim remarks, crossover payer name, next payer guide)
    "DC-1021": ("19", ("MA18",), "MEDIGAP SUPPLEMENT PLAN", "medigap"),
    "DC-1022": ("1", ("MA08",), "", "commercial"),
    "DC-1023": ("1", (), "", "supplemental"),
}
PAYERS = {"medigap": ("MEDIGAP SUPPLEMENT PLAN", "61101"),
          "commercial": ("COMMERCIAL HEALTH PLAN", "60054"),
          "supplemental": ("SPOUSE EMPLOYER HEALTH PLAN", "62308")}
COPAY = {"DC-1023": Decimal("10.00")}  # what the secondary leaves to the patient (PR-3)


def primary_payments(claims: Sequence[BilledClaim], first_icn: int = 9001,
                     price: LinePrices | None = None) -> list[tuple[str, ClaimPayment]]:
    """(payer guide, claim payment) answering each COB claim as its primary: paid under
    contract (CO-45 + PR-2 on every line; with `price`, at the line's expected allowed
    amount as `samples.priced` pays the others, never short), with the crossover status and
    remarks."""
    out = []
    ordered = sorted(claims, key=lambda x: x.claim_id)
    answers = {c.claim_id: [pay(ln) for ln in c.lines] for c in ordered}
    if price is not None:
        price_paid_lines(ordered, answers, {(c.claim_id, i) for c in ordered
                                            for i in range(len(c.lines))}, price, short=False)
    for n, c in enumerate(ordered):
        status, remarks, crossed, _next = COB_CLAIMS[c.claim_id]
        cp = claim_payment(c, answers[c.claim_id],
                           payer_claim_number=f"20261{first_icn + n:09d}", status=status)
        names = cp.names + ((Name("TT", crossed, id_qualifier="PI",
                                  id=PAYERS["medigap"][1]),) if crossed else ())
        cp = attrs.evolve(cp, names=names, remarks=tuple(Remark("HE", r) for r in remarks))
        out.append((c.payer, cp))
    return out


def secondary_payments(primary: Sequence[ClaimPayment], first_icn: int = 1
                       ) -> dict[str, list[ClaimPayment]]:
    """The next payers' 835 claims (CLP02 2), by payer guide, answering the primaries."""
    out: dict[str, list[ClaimPayment]] = {}
    for n, p in enumerate(sorted(primary, key=lambda x: x.patient_control_number)):
        guide = COB_CLAIMS[p.patient_control_number][3]
        copay = COPAY.get(p.patient_control_number, Decimal("0"))
        lines = []
        for svc in p.service_lines:
            owed = sum((a.amount for a in svc.adjustments if a.group == "PR"), Decimal("0"))
            contractual = sum((a.amount for a in svc.adjustments if a.group == "CO"),
                              Decimal("0"))
            take = min(copay, owed)
            copay -= take
            adj = [Adjustment("OA", "23", svc.paid)]
            if contractual:
                adj.append(Adjustment("CO", "45", contractual))
            if take:
                adj.append(Adjustment("PR", "3", take))
            lines.append(attrs.evolve(svc, paid=owed - take, adjustments=tuple(adj),
                                      amounts=(), remarks=()))
        paid = sum((s.paid for s in lines), Decimal("0"))
        pr = sum((a.amount for s in lines for a in s.adjustments if a.group == "PR"),
                 Decimal("0"))
        out.setdefault(guide, []).append(attrs.evolve(
            p, status="2", paid=paid, patient_responsibility=pr, filing_indicator="12",
            payer_claim_number=f"S2026{first_icn + n:07d}", service_lines=tuple(lines),
            names=tuple(x for x in p.names if x.entity != "TT"), remarks=(), outpatient=()))
    return out
