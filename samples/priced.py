"""Paying the sample claims at what they are worth, and two lines short (issue 23).

`samples.answers.answer_claims(..., price=line_prices(practice))` pays every line it does not
deny at its expected allowed amount (`reconcile.underpayments`: the sample commercial
contract, `samples/contracts/commercial.csv`, or the Medicare fee schedule), the way payers
write it: CO-45 down to the fee schedule amount, CO-59 for a multiple-procedure reduction,
PR-2 coinsurance (20 % of the allowed amount), and for Medicare CO-253 sequestration (2 % of
what Medicare pays after the coinsurance). AMT*B6 is the allowed amount.

Then `short_pay` pays two lines short, as the underpayment check must find them:

* Medicare: the first add-on line (GLOB DAYS ZZZ) on a date whose other services took the
  multiple-procedure reduction, allowed at 50 % (the reduction wrongly applied to an add-on);
* commercial: the first line whose contract rate changed from last year, allowed at last
  year's rate.

Every other paid line is paid right, including every Medicare line's sequestration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from attrs import evolve, frozen

from edi.practice import load_practice
from edi.x835.answers import BilledClaim, BilledLine, LineAnswer
from edi.x835.model import Adjustment
from reconcile.underpayments.price import LineIn, price_claim
from reconcile.underpayments.setup import Pricer

CENT = Decimal("0.01")
COINSURANCE = Decimal("0.20")
SEQUESTRATION = Decimal("0.02")
OFFICE = "11"


def _q(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@frozen
class Price:
    allowed: Decimal  # expected allowed of the line
    full: Decimal  # before the multiple-procedure reduction
    add_on_exempt: bool
    last_year: Decimal | None  # at the contract row before the one in force


@frozen
class ShortPaid:
    claim_id: str
    line_control_number: str
    code: str
    expected: Decimal
    allowed: Decimal
    why: str


LinePrices = Callable[[BilledClaim], list[Price | None]]


def line_prices(practice: str | Path) -> LinePrices:
    pricer = Pricer(load_practice(practice))

    def prices(claim: BilledClaim) -> list[Price | None]:
        ins = [LineIn(i, ln.code, ln.modifiers, Decimal(ln.units), ln.date_of_service, OFFICE)
               for i, ln in enumerate(claim.lines)]
        pricing = pricer.pricing(claim.payer)
        now = price_claim(ins, pricing)
        before = (price_claim(ins, evolve(pricing, contract_previous=True))
                  if pricing.contract is not None else [None] * len(ins))
        out: list[Price | None] = []
        for e, b in zip(now, before, strict=True):
            if e.amount is None or e.per_service is None:
                out.append(None)
                continue
            full = _q(e.per_service * Decimal(ins[e.key].units))
            if e.contract_row is not None and e.contract_row.percent_of_medicare is not None:
                full = _q(full * e.contract_row.percent_of_medicare / 100)
            out.append(Price(e.amount, max(full, e.amount), e.add_on_exempt,
                             b.amount if b is not None else None))
        return out
    return prices


def priced_answer(line: BilledLine, allowed: Decimal, full: Decimal, medicare: bool
                  ) -> LineAnswer:
    """Paid at `allowed`: CO-45 to the fee schedule amount, CO-59 for the reduction, PR-2
    coinsurance, and for Medicare CO-253 sequestration."""
    full = min(full, line.charge)
    allowed = min(allowed, full)
    coins = _q(allowed * COINSURANCE)
    adj = []
    if line.charge - full:
        adj.append(Adjustment("CO", "45", line.charge - full))
    if full - allowed:
        adj.append(Adjustment("CO", "59", full - allowed))
    if coins:
        adj.append(Adjustment("PR", "2", coins))
    if medicare:
        seq = _q((allowed - coins) * SEQUESTRATION)
        if seq:
            adj.append(Adjustment("CO", "253", seq))
    return LineAnswer(tuple(adj))


def price_paid_lines(claims: Sequence[BilledClaim], answers: dict[str, list[LineAnswer]],
                     paid: set[tuple[str, int]], price: LinePrices, short: bool = True
                     ) -> list[ShortPaid]:
    """Re-answer the lines paid in full (`paid`: claim id, line index) at their prices, each
    claim priced on its paid lines only (a denied line takes no part in the multiple-
    procedure ranking); then pay the two scenario lines short."""
    prices: dict[str, list[Price | None]] = {}
    for c in claims:
        idx = [i for i in range(len(c.lines)) if (c.claim_id, i) in paid]
        got = price(BilledClaim(c.claim_id, c.payer, c.date_of_service,
                                tuple(c.lines[i] for i in idx))) if idx else []
        prices[c.claim_id] = [None] * len(c.lines)
        for i, p in zip(idx, got, strict=True):
            prices[c.claim_id][i] = p
            if p is not None:
                answers[c.claim_id][i] = priced_answer(c.lines[i], p.allowed, p.full,
                                                       c.payer == "medicare")
    unpaid = {(c.claim_id, i) for c in claims for i in range(len(c.lines))} - paid
    return short_pay(claims, answers, prices, unpaid) if short else []


def short_pay(claims: Sequence[BilledClaim], answers: dict[str, list[LineAnswer]],
              prices: dict[str, list[Price | None]], denied: set[tuple[str, int]]
              ) -> list[ShortPaid]:
    """Pay the two scenario lines short (answers changed in place); what was done."""
    done: list[ShortPaid] = []
    wanted = {"medicare": "add_on", "commercial": "last_year"}
    for c in claims:
        kind = wanted.get(c.payer)
        if kind is None:
            continue
        for i, (ln, p) in enumerate(zip(c.lines, prices[c.claim_id], strict=True)):
            if p is None or (c.claim_id, i) in denied:
                continue
            if kind == "add_on" and p.add_on_exempt and any(
                    q is not None and q.full > q.allowed for q in prices[c.claim_id]):
                allowed, why = _q(p.allowed / 2), "50 % reduction applied to an add-on"
            elif kind == "last_year" and p.last_year is not None and p.last_year < p.allowed:
                allowed, why = p.last_year, "last year's contract rate"
            else:
                continue
            # last year's rate is a fee schedule write-down (CO-45 only); the add-on's cut is
            # written as a multiple-procedure reduction (CO-59)
            full = allowed if kind == "last_year" else p.full
            answers[c.claim_id][i] = priced_answer(ln, allowed, full, c.payer == "medicare")
            done.append(ShortPaid(c.claim_id, ln.control_number, ln.code, p.allowed, allowed,
                                  why))
            del wanted[c.payer]
            break
        if not wanted:
            break
    return done
