"""The next payer's claim, built from the claim as sent and the 835 that answered it.

Pure: the store rows come in as `SentClaim` / `PostedClaim` (read by `reconcile.secondary.
run`), a `CodedClaim` goes out for the one submission path (`submit_claims`), or the
reasons it cannot be built. The lines are the lines as sent (same codes, modifiers, units,
charges and REF*6R: the next payer sees what the primary saw), the encounter is the stored
one turned to the next payer:

- 2000B/2010BA/2010BB: the next coverage (its payer, member id, subscriber), SBR01 its
  order (S, or T after a secondary);
- 2320/2330: every earlier payer with its answer (`Adjudication`: CLP04 as AMT*D, the
  claim-level CAS, CLP07 as REF*F8, CLP05 as AMT*EAF), and any later coverage unanswered;
- 2430: each line's SVC03 / SVC05 / CAS exactly as the 835 gave them, DTP*573 its date.

Balancing is checked before anything is written (X12 RFI 1294 / 2023): per line the charge
we sent = SVC03 + its CAS; per claim our CLM02 = CLP04 + claim CAS + line CAS. An 835 that
does not balance against what we sent, or that leaves a line unanswered, holds the claim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import attrs
from attrs import frozen

from coding.model import (
    AdjudicatedLine,
    Adjudication,
    CasAdjustment,
    ClaimLine,
    CodedClaim,
    Coverage,
    Encounter,
    LineDrug,
    Subscriber,
)

__all__ = ["SentLine", "SentClaim", "PostedLine", "PostedClaim", "Built", "adjudication",
           "build_next_claim", "own_coverage"]

ZERO = Decimal("0")
ORDERS = ("P", "S", "T")


@frozen
class SentLine:
    id: int
    line_number: int
    line_control_number: str
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal
    pointers: tuple[int, ...]


@frozen
class SentClaim:
    row_id: int
    claim_id: str  # CLM01
    encounter_claim_id: str
    payer: str
    payer_order: str
    encounter: Encounter  # as stored with the submission
    lines: tuple[SentLine, ...]


@frozen
class PostedLine:
    submitted_line_id: int | None
    control_number: str | None  # REF*6R echoed
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: Decimal
    adjustments: tuple[CasAdjustment, ...]


@frozen
class PostedClaim:
    row_id: int
    payer: str
    status: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    payer_claim_number: str
    paid_on: date
    remarks: tuple[str, ...]  # claim and line level
    crossover_payer: str
    adjustments: tuple[CasAdjustment, ...]
    lines: tuple[PostedLine, ...]

    @property
    def patient_share(self) -> Decimal:
        return sum((a.amount for a in self.all_adjustments if a.group == "PR"), ZERO)

    @property
    def all_adjustments(self) -> tuple[CasAdjustment, ...]:
        return self.adjustments + tuple(a for ln in self.lines for a in ln.adjustments)

    @property
    def denied_lines(self) -> int:
        return sum(1 for ln in self.lines if ln.paid == 0 and ln.adjustments)


@frozen
class Built:
    claim: CodedClaim | None
    reasons: tuple[str, ...] = ()


def adjudication(sent: SentClaim, posted: PostedClaim) -> tuple[Adjudication | None, list[str]]:
    """The 835's answer to `sent`, line by line (by the line it matched, else REF*6R), and
    the balancing problems that stop it from going to the next payer."""
    reasons: list[str] = []
    by_id = {ln.submitted_line_id: ln for ln in posted.lines if ln.submitted_line_id}
    by_lcn = {ln.control_number: ln for ln in posted.lines if ln.control_number}
    lines: list[AdjudicatedLine] = []
    used: set[int] = set()
    for s in sent.lines:
        p = by_id.get(s.id) or by_lcn.get(s.line_control_number)
        where = f"line {s.line_number} ({s.code})"
        if p is None:
            reasons.append(f"{where} has no answer in {posted.payer}'s 835")
            continue
        used.add(id(p))
        adjusted = sum((a.amount for a in p.adjustments), ZERO)
        if p.paid + adjusted != s.charge:
            reasons.append(f"{where}: {posted.payer} paid {p.paid:.2f} and adjusted "
                           f"{adjusted:.2f}, which is not the {s.charge:.2f} billed (each line "
                           "must balance: SV102 = SVD02 + CAS)")
        lines.append(AdjudicatedLine(s.line_control_number, p.paid, p.code, p.modifiers,
                                     p.units, p.adjustments))
    extra = [ln for ln in posted.lines if id(ln) not in used]
    if extra:
        reasons.append(f"{posted.payer}'s 835 answers {len(extra)} line(s) we did not send "
                       "on this claim")
    billed = sum((s.charge for s in sent.lines), ZERO)
    adjusted = sum((a.amount for a in posted.all_adjustments), ZERO)
    if not reasons and posted.paid + adjusted != billed:
        reasons.append(f"{posted.payer} paid {posted.paid:.2f} and adjusted {adjusted:.2f}, "
                       f"which is not the {billed:.2f} billed (CLM02 = AMT*D + CAS)")
    if reasons:
        return None, reasons
    return Adjudication(payer_claim_number=posted.payer_claim_number, paid=posted.paid,
                        adjudicated_on=posted.paid_on, adjustments=posted.adjustments,
                        lines=tuple(lines),
                        patient_responsibility=posted.patient_responsibility), []


def own_coverage(enc: Encounter) -> Coverage:
    """The coverage a claim was sent to, as the next payer's 2320/2330 will name it."""
    return Coverage(payer=enc.payer, member_id=enc.insured.member_id,
                    relationship=enc.subscriber.relationship if enc.subscriber else "self",
                    subscriber=enc.subscriber.person if enc.subscriber else None,
                    group_number=enc.group_number)


def build_next_claim(sent: SentClaim, posted: PostedClaim,
                     earlier: Mapping[str, Adjudication] | None = None,
                     drugs: Mapping[str, LineDrug] | None = None) -> Built:
    """The claim to the payer after `sent.payer`, carrying `posted` (and, for a tertiary
    claim, `earlier` adjudications by payer guide) in its 2320/2430 loops."""
    enc = sent.encounter
    if sent.payer_order not in ORDERS[:-1]:
        return Built(None, (f"no payer after the {sent.payer_order} payer",))
    orders = [o for o in ORDERS if o != enc.payer_order]
    placed = list(zip(orders, enc.other_coverage, strict=False))
    want = ORDERS[ORDERS.index(sent.payer_order) + 1]
    nxt = next((c for o, c in placed if o == want), None)
    if nxt is None:
        return Built(None, (f"the encounter names no {want} payer",))
    adj, reasons = adjudication(sent, posted)
    if adj is None:
        return Built(None, tuple(reasons))
    earlier = earlier or {}
    before: list[tuple[str, Coverage]] = []
    for o, c in placed:
        if ORDERS.index(o) < ORDERS.index(sent.payer_order):
            if c.payer not in earlier:
                return Built(None, (f"{c.payer}'s answer to the claim is not in the store",))
            before.append((o, attrs.evolve(c, adjudication=earlier[c.payer])))
    before.append((sent.payer_order, attrs.evolve(own_coverage(enc), adjudication=adj)))
    after = [c for o, c in placed if ORDERS.index(o) > ORDERS.index(want)]
    before.sort(key=lambda oc: ORDERS.index(oc[0]))
    if nxt.relationship == "self" or nxt.subscriber is None:
        patient, subscriber = attrs.evolve(enc.patient, member_id=nxt.member_id), None
    else:
        patient = enc.patient
        subscriber = Subscriber(person=nxt.subscriber, relationship=nxt.relationship)
    new_enc = attrs.evolve(
        enc, payer=nxt.payer, payer_order=want, patient=patient, subscriber=subscriber,
        other_coverage=tuple(c for _, c in before) + tuple(after), frequency="1",
        payer_claim_number=None, prior_authorization=None, group_number=nxt.group_number,
        source=f"claim {sent.claim_id} after {sent.payer}'s 835")
    drugs = drugs or {}
    lines = tuple(ClaimLine(line=s.line_number, code=s.code, units=s.units,
                            modifiers=s.modifiers, charge=s.charge,
                            diagnosis_pointers=s.pointers,
                            line_control_number=s.line_control_number,
                            drug=drugs.get(s.line_control_number))
                  for s in sorted(sent.lines, key=lambda x: x.line_number))
    return Built(CodedClaim(encounter=new_enc, payer=nxt.payer, diagnoses=enc.diagnoses,
                            lines=lines))


def remarks_of(claim_remarks: str, line_remarks: Sequence[str]) -> tuple[str, ...]:
    """Every RARC of a claim payment (claim level first), each once."""
    out: list[str] = []
    for text in (claim_remarks, *line_remarks):
        for code in (text or "").split(":"):
            if code and code not in out:
                out.append(code)
    return tuple(out)
