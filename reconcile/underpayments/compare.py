"""Every posted 835 line held against what it should have been allowed.

Computed from the store when asked (not stored at load time): a contract loaded or corrected
later re-prices every line already posted, and the remittance loader stays as it is.

Allowed amount of a line = AMT*B6 when the payer sent it, else the charge minus every line
adjustment that is not a share of the allowed amount (`data/allowed_adjustments.csv`: CO-45,
CO-59 ... reduce it; PR-1/2/3 and CO-253 sequestration are shares of it). Cost share and
sequestration are never underpayments: the check compares allowed with allowed, and the
paid amount with what the allowed amount implies (allowed - patient share - sequestration;
sequestration 2 % of what Medicare pays after the patient's share).

A line is compared when it was paid or allowed something and no live denial names it (a
denied or cut line is worked as a denial). Lines of one claim are priced together (the
multiple-procedure rule ranks the services of a date). Short by more than the practice's
tolerance -> `underpaid`; above by more -> `overpaid` (a credit-balance risk); within it ->
paid right. A line allowed right but paid less than the allowed amount implies (sequestration
above 2 %, an unexplained cut) is `paid_short`. Lines with no basis (no contract row, no PFS
row) are counted as unpriced.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from attrs import evolve, frozen

from reconcile.denials.payers import appeal_deadline
from reconcile.store.database import session_scope
from reconcile.underpayments.lifecycle import current_statuses
from reconcile.underpayments.price import Expected, LineIn, Pricing, price_claim
from reconcile.underpayments.read import PostedLine, posted_lines
from reconcile.underpayments.setup import Pricer

__all__ = ["Finding", "Check", "check_lines", "underpayments", "SEQUESTRATION"]

SEQUESTRATION = Decimal("0.02")  # of Medicare's payment, CO-253 [SEQ]
CENT = Decimal("0.01")


@cache
def _roles() -> dict[tuple[str, str], str]:
    text = resources.files("reconcile.underpayments").joinpath(
        "data", "allowed_adjustments.csv").read_text("utf-8")
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    return {(r["group"], r["carc"]): r["role"] for r in csv.DictReader(io.StringIO(body))}


def allowed_of(line: PostedLine) -> tuple[Decimal, str]:
    """(allowed amount, where it came from)."""
    if line.amt_b6 is not None:
        return line.amt_b6, "AMT*B6"
    roles = _roles()
    reduce = sum((a for g, c, a in line.adjustments if roles.get((g, c)) != "share"),
                 Decimal("0"))
    return line.charge - reduce, "charge - contractual adjustments"


def shares_of(line: PostedLine) -> tuple[Decimal, Decimal]:
    """(patient share PR-1/2/3, sequestration CO-253) of the line."""
    roles = _roles()
    patient = sum((a for g, c, a in line.adjustments
                   if roles.get((g, c)) == "share" and g == "PR"), Decimal("0"))
    seq = sum((a for g, c, a in line.adjustments if (g, c) == ("CO", "253")), Decimal("0"))
    return patient, seq


@frozen
class Finding:
    line_id: int
    claim_id: str
    line_control_number: str
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    payer: str
    payer_claim_number: str
    trace_number: str
    date_of_service: date | None
    payment_date: date | None
    charge: Decimal
    expected_allowed: Decimal
    allowed: Decimal
    allowed_source: str
    paid: Decimal
    paid_implied: Decimal  # allowed - patient share - sequestration
    short: Decimal  # expected - allowed (negative: overpaid); paid_short: due - paid
    kind: str  # underpaid / overpaid / paid_short
    basis_kind: str  # contract / pfs
    basis: str
    reason: str  # a likely reason, "" when none can be told
    notes: tuple[str, ...]  # paid vs implied, sequestration above 2 %
    deadline: date | None
    status: str  # open / appealed / recovered / accepted
    contract_row: str = ""  # the contract row quoted, when the basis is a contract

    def as_dict(self) -> dict[str, object]:
        return {
            "underpayment_id": self.line_id, "claim_id": self.claim_id,
            "line_control_number": self.line_control_number, "code": self.code,
            "modifiers": ":".join(self.modifiers), "units": str(self.units),
            "payer": self.payer, "payer_claim_number": self.payer_claim_number,
            "date_of_service": self.date_of_service.isoformat() if self.date_of_service else None,
            "payment_date": self.payment_date.isoformat() if self.payment_date else None,
            "charge": f"{self.charge:.2f}", "expected_allowed": f"{self.expected_allowed:.2f}",
            "allowed": f"{self.allowed:.2f}", "allowed_source": self.allowed_source,
            "paid": f"{self.paid:.2f}", "paid_implied": f"{self.paid_implied:.2f}",
            "short": f"{self.short:.2f}", "kind": self.kind, "basis_kind": self.basis_kind,
            "basis": self.basis, "reason": self.reason, "notes": list(self.notes),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "status": self.status}


@frozen
class Check:
    findings: list[Finding]  # underpaid and overpaid lines
    compared: int  # lines with a basis
    paid_right: int
    unpriced: int
    # (payer, code) -> [lines compared, lines paid right]
    by_payer_code: dict[tuple[str, str], list[int]]

    @property
    def share_paid_right(self) -> Decimal | None:
        return None if not self.compared else (Decimal(self.paid_right) / self.compared
                                               ).quantize(Decimal("0.001"))


def _q(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def _near(a: Decimal, b: Decimal | None, tol: Decimal) -> bool:
    return b is not None and abs(a - b) <= tol + CENT  # a cent of rounding either way


def _reason(line: PostedLine, exp: Expected, allowed: Decimal, pricing: Pricing,
            claim: Sequence[LineIn], index: int, pricer: Pricer) -> str:
    tol = pricer.tolerance
    assert exp.amount is not None
    if exp.add_on_exempt and _near(allowed, exp.amount / 2, tol):
        return "multiple-procedure reduction (50 %) applied to an exempt add-on code"
    if exp.reduced_units == 0 and exp.per_service is not None and exp.amount > 0 and \
            _near(allowed, exp.amount / 2, tol):
        return "multiple-procedure reduction (50 %) applied to the highest-valued procedure"
    if line.paid_units is not None and line.paid_units < line.units and line.units:
        if _near(allowed, exp.amount * line.paid_units / line.units, tol):
            return f"units cut: paid {line.paid_units} of {line.units}"
    day = line.date_of_service
    alternatives: list[tuple[str, Pricing]] = []
    if pricing.contract is not None and exp.contract_row is not None:
        prev = pricing.contract.previous(exp.contract_row)
        if prev is not None:
            alternatives.append((f"last year's rate: {prev.describe()}",
                                 evolve(pricing, contract_previous=True)))
    if day is not None and pricer.pfs.factor(day.year - 1) is not None and (
            pricing.contract is None or exp.component is not None):
        alternatives.append((f"last year's conversion factor ({day.year - 1}: "
                             f"{pricer.pfs.factor(day.year - 1, pricing.qp)})",
                             evolve(pricing, factor_year=day.year - 1)))
    if day is not None and exp.component is not None:
        for loc in pricer.pfs.localities(day.year):
            if loc != pricing.locality:
                alternatives.append((f"a different locality ({loc})",
                                     evolve(pricing, locality=loc)))
    for text, alt in alternatives:
        if _near(allowed, price_claim(claim, alt)[index].amount, tol):
            return text
    return ""


def check_lines(lines: Sequence[PostedLine], pricer: Pricer,
                statuses: dict[int, str] | None = None, code: str | None = None,
                line_ids: Sequence[int] | None = None) -> Check:
    """Price every line (a claim's lines together) and report those matching `code` and
    `line_ids` (all when not given)."""
    wanted = set(line_ids) if line_ids is not None else None
    by_claim: dict[int, list[PostedLine]] = defaultdict(list)
    for ln in lines:
        allowed, _ = allowed_of(ln)
        if ln.denied or (ln.paid <= 0 and allowed <= 0) or ln.date_of_service is None:
            continue
        by_claim[ln.claim_row_id].append(ln)
    findings: list[Finding] = []
    compared = paid_right = unpriced = 0
    per: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    tol = pricer.tolerance
    for claim_lines in by_claim.values():
        payer = claim_lines[0].payer
        pricing = pricer.pricing(payer)
        ins = [LineIn(ln.line_id, ln.code, ln.modifiers, ln.units, ln.date_of_service,
                      ln.place_of_service) for ln in claim_lines if ln.date_of_service]
        for i, (ln, exp) in enumerate(zip(claim_lines, price_claim(ins, pricing), strict=True)):
            if (code and ln.code != code) or (wanted is not None and ln.line_id not in wanted):
                continue
            if exp.amount is None:
                unpriced += 1
                continue
            compared += 1
            expected = exp.amount
            if 0 < ln.charge < expected:  # paid at the lower of the charge and the fee
                expected = ln.charge
                exp = evolve(exp, amount=expected, basis=f"{exp.basis}; lower of the charge "
                             f"({ln.charge}) and that amount: {ln.charge}")
            allowed, source = allowed_of(ln)
            short = expected - allowed
            per[(payer, ln.code)][0] += 1
            patient, seq = shares_of(ln)
            implied = allowed - patient - seq
            # what the allowed amount implies Medicare pays: 2 % sequestration of what it pays
            # after the patient's share (CO-253); other payers: allowed - patient share
            due = allowed - patient - (_q(SEQUESTRATION * (allowed - patient))
                                       if pricing.medicare and pricing.contract is None
                                       else Decimal("0"))
            notes = []
            if abs(ln.paid - implied) > tol:
                notes.append(f"paid {ln.paid} differs from what the allowed amount implies "
                             f"({implied} = allowed - patient share - sequestration)")
            if seq and seq - _q(SEQUESTRATION * (allowed - patient)) > tol:
                notes.append(f"sequestration {seq} is more than 2 % of {allowed - patient}")
            kind = "underpaid" if short > tol else "overpaid" if short < -tol else ""
            reason = ""
            if not kind and due - ln.paid > tol:  # allowed right, paid short
                kind, short = "paid_short", due - ln.paid
                reason = notes[-1] if notes else (
                    f"paid {ln.paid}, the allowed amount implies {due} (allowed - patient "
                    "share - sequestration)")
            if not kind:
                paid_right += 1
                per[(payer, ln.code)][1] += 1
                continue
            findings.append(Finding(
                ln.line_id, ln.claim_id, ln.line_control_number, ln.code, ln.modifiers,
                ln.units, payer, ln.payer_claim_number, ln.trace_number, ln.date_of_service,
                ln.payment_date, ln.charge, expected, allowed, source, ln.paid, implied,
                short, kind, exp.kind, exp.basis,
                reason or _reason(ln, exp, allowed, pricing, ins, i, pricer), tuple(notes),
                appeal_deadline(ln.payment_date, payer), (statuses or {}).get(ln.line_id, "open"),
                exp.contract_row.describe() if exp.contract_row else ""))
    return Check(findings, compared, paid_right, unpriced, dict(per))


def underpayments(url: str | None, pricer: Pricer, payer: str | None = None,
                  code: str | None = None, since: date | None = None,
                  until: date | None = None, line_ids: Sequence[int] | None = None) -> Check:
    """The check of every live posted line matching the filters, with lifecycle statuses."""
    with session_scope(url) as s:
        lines = posted_lines(s, payer=payer, since=since, until=until)
        statuses = current_statuses(s, [ln.line_id for ln in lines])
    return check_lines(lines, pricer, statuses, code=code, line_ids=line_ids)
