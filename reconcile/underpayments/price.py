"""What each line of a claim should be allowed: the contract row or the Medicare PFS amount.

One service's amount comes from `pfs.fee` (RVUs x GPCIs x conversion factor, facility PE for a
facility place of service) or from the payer's contract row in force on the date of service
(`allowed` per unit, or `percent_of_medicare` of that PFS amount). Then the payment-policy
indicators of the PFS row change it, as CMS's RVU file README describes them
(../shared/reference/cob-and-fee-schedule.md Part 2):

- BILAT SURG 1 with modifier 50: 150 % of one side, before the multiple-procedure rule.
- Global surgery split: modifier 54 (surgical care only) = PRE OP + INTRA OP shares, 55
  (postoperative care only) = POST OP share, 56 (preoperative care only) = PRE OP share.
- MULT PROC 2: the services of one date with indicator 2 are ranked by amount; the highest is
  paid 100 %, each other 50 % (each unit of a multi-unit line counts as one service).
  Add-on codes (GLOB DAYS ZZZ) and codes with indicator 0 are exempt.
- 59 / XS / XE / XP / XU make a line separately payable (NCCI); they do not exempt it from the
  multiple-procedure rule, so they change nothing here (the basis says so).

A contract row priced in dollars follows the same multiple-procedure rule when the code has a
PFS row with indicator 2 (commercial payers commonly adopt CMS's rule); a percent-of-Medicare
row applies its percentage to the reduced PFS amount. Every amount is rounded to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from attrs import frozen

from coding.model import DISTINCT_MODIFIERS
from reconcile.underpayments.contracts import Contract, ContractRow
from reconcile.underpayments.pfs import NATIONAL, Component, PfsTables, RvuRow, fee

__all__ = ["LineIn", "Pricing", "Expected", "price_claim"]

CENT = Decimal("0.01")
HALF = Decimal("0.5")


def _q(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@frozen
class LineIn:
    key: int  # the caller's id for the line
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    date_of_service: date
    place_of_service: str | None = None


@frozen
class Pricing:
    pfs: PfsTables
    medicare: bool  # no contract: price by the PFS (a Medicare payer)
    contract: Contract | None = None
    locality: str = NATIONAL
    qp: bool = False  # qualifying APM participant: the QP conversion factor
    factor_year: int | None = None  # price with another year's conversion factor
    contract_previous: bool = False  # price with the row before the one in force

    @property
    def describes_pfs(self) -> bool:
        return self.contract is None


@frozen
class Expected:
    key: int
    amount: Decimal | None  # None: no basis (unpriced)
    kind: str  # "contract", "pfs" or "" when unpriced
    basis: str  # the figures, for people and letters
    per_service: Decimal | None = None  # one unit, after modifier adjustments, before MPPR
    reduced_units: int = 0  # units paid at 50 % under the multiple-procedure rule
    add_on_exempt: bool = False  # an add-on / indicator-0 code next to reduced services
    contract_row: ContractRow | None = None
    component: Component | None = None


@frozen
class _Base:
    line: LineIn
    amount: Decimal | None
    kind: str
    basis: str
    mult: str  # MULT PROC indicator, "" without a PFS row
    row: RvuRow | None = None
    contract_row: ContractRow | None = None
    component: Component | None = None
    pct: Decimal | None = None


def _pfs_amount(line: LineIn, p: Pricing
                ) -> tuple[Component | None, RvuRow | None, str, Decimal | None]:
    """(component, row, text, amount of one service after modifier adjustments)."""
    row = p.pfs.rvu(line.code, line.modifiers, line.date_of_service)
    year = line.date_of_service.year
    if row is None:
        return None, None, f"no PFS relative values for {line.code} in {year}", None
    if row.status not in ("A", "T"):
        return None, row, f"{line.code} has PFS status {row.status}: not paid on the fee " \
                          "schedule", None
    gpci = p.pfs.gpci(p.locality, year)
    if gpci is None:
        return None, row, f"locality {p.locality} has no GPCI row for {year}", None
    factor = p.pfs.factor(p.factor_year or year, p.qp)
    if factor is None:
        return None, row, f"no conversion factor for {p.factor_year or year}", None
    facility = p.pfs.is_facility(line.place_of_service)
    comp = fee(row, gpci, factor, facility)
    setting = (f"{'facility' if facility else 'non-facility'} (POS "
               f"{line.place_of_service or 'unknown'})")
    text = (f"PFS {year} {line.code}: {comp.formula()} ({setting}, locality {gpci.locality}, "
            f"{row.source})")
    amount = comp.amount
    mods = set(line.modifiers)
    if "50" in mods and row.bilat_surg == "1":
        amount = _q(amount * Decimal("1.5"))
        text += f"; bilateral (modifier 50, indicator 1): 150 % = {amount}"
    split = [(m, share) for m, share in (("54", row.pre_op + row.intra_op),
                                         ("55", row.post_op), ("56", row.pre_op))
             if m in mods and share > 0]
    if split:
        m, share = split[0]
        amount = _q(amount * share)
        text += f"; global surgery split (modifier {m}): {share:.2%} = {amount}"
    return comp, row, text, amount


def _base(line: LineIn, p: Pricing) -> _Base:
    comp, row, text, amount = _pfs_amount(line, p)
    mult = row.mult_proc if row is not None else ""
    if p.contract is None:
        if not p.medicare:
            return _Base(line, None, "", "no contract named for this payer in the practice "
                                         "file ([contracts])", mult, row)
        return _Base(line, amount, "pfs" if amount is not None else "", text, mult, row,
                     component=comp)
    crow = p.contract.rate(line.code, line.modifiers, line.date_of_service)
    if crow is not None and p.contract_previous:
        crow = p.contract.previous(crow)
    if crow is None:
        return _Base(line, None, "", f"{p.contract.path}: no rate for {line.code} on "
                                     f"{line.date_of_service}", mult, row)
    if crow.allowed is not None:
        return _Base(line, crow.allowed, "contract", f"contract {crow.describe()}", mult, row,
                     crow)
    if amount is None:
        return _Base(line, None, "", f"contract {crow.describe()}, but {text}", mult, row, crow)
    pct = crow.percent_of_medicare
    assert pct is not None
    return _Base(line, amount, "contract", f"contract {crow.describe()}; Medicare: {text}",
                 mult, row, crow, comp, pct)


def price_claim(lines: Sequence[LineIn], pricing: Pricing) -> list[Expected]:
    """The expected allowed amount of each line (in the order given)."""
    bases = [_base(ln, pricing) for ln in lines]
    # the multiple-procedure rule: per date, every unit of an indicator-2 line is a service
    services: dict[date, list[tuple[Decimal, int, int]]] = defaultdict(list)
    for i, b in enumerate(bases):
        if b.amount is not None and b.mult == "2" and b.line.units == int(b.line.units):
            for u in range(int(b.line.units)):
                services[b.line.date_of_service].append((b.amount, i, u))
    reduced: dict[int, int] = defaultdict(int)
    ranked_days = set()
    for day, svc in services.items():
        if len(svc) < 2:
            continue
        ranked_days.add(day)
        for _, i, _ in sorted(svc, key=lambda s: (-s[0], s[1], s[2]))[1:]:
            reduced[i] += 1
    out = []
    for i, b in enumerate(bases):
        if b.amount is None:
            out.append(Expected(b.line.key, None, "", b.basis, contract_row=b.contract_row))
            continue
        units = b.line.units
        n_red = reduced.get(i, 0)
        full = units - n_red
        half = _q(b.amount * HALF)
        total = _q(b.amount * full) + half * n_red
        text = b.basis
        if units != 1:
            text += f"; x {units} units"
        if n_red:
            text += (f"; multiple procedure (indicator 2): {n_red} of {units} unit(s) at 50 % "
                     f"= {half} each")
        elif b.mult == "2" and b.line.date_of_service in ranked_days:
            text += "; multiple procedure (indicator 2): highest-valued service, 100 %"
        exempt = b.mult in ("0", "") and b.row is not None and (
            b.line.date_of_service in ranked_days or b.row.is_add_on)
        if exempt and b.row is not None:
            text += ("; add-on code, exempt from the multiple-procedure reduction"
                     if b.row.is_add_on else "; MULT PROC 0: no multiple-procedure reduction")
        if set(b.line.modifiers) & DISTINCT_MODIFIERS:
            text += ("; distinct procedure modifier: separately payable, still under the "
                     "multiple-procedure rule")
        if b.pct is not None:
            total = _q(total * b.pct / 100)
            text += f"; {b.pct} % of Medicare = {total}"
        text += f"; expected allowed {total}"
        out.append(Expected(b.line.key, total, b.kind, text, per_service=b.amount,
                            reduced_units=n_red, add_on_exempt=exempt,
                            contract_row=b.contract_row, component=b.component))
    return out

