"""A payer's answer to our sample claims: paid, reduced and denied lines of every cause.

`answer_claims(billed)` walks the billed claims in claim-id order and gives the first line
that fits each scenario below its denial (each scenario once), whole-claim denials
(eligibility, duplicate, timely filing, COB) to claims no line scenario touched, pays the
rest under contract (CO-45 + PR-2, one CO-59 multiple-procedure reduction), and adds a claim
the store never saw (sent by another system: an E/M without 25 beside a biopsy, bundled).
It returns one balanced `Remittance` per payer and the expected cause of every denied line,
which the end-to-end test checks `dermclaim denials` against. `samples/make_remit.py`
writes the result as `samples/remit.835`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from attrs import frozen

from edi.x835.answers import (
    BilledClaim,
    BilledLine,
    LineAnswer,
    build_remittance,
    claim_payment,
    deny,
    pay,
    reduce,
)
from edi.x835.model import Adjustment, ClaimPayment, Remittance
from reconcile.denials.classify import BENIGN_LESION_CODES, is_em
from reconcile.store.remit_read import latest_submissions
from samples.cob_answers import COB_CLAIMS, primary_payments
from samples.priced import LinePrices, ShortPaid, price_paid_lines

PAYERS = {"medicare": ("MEDICARE PART B", "12502"), "commercial": ("COMMERCIAL HEALTH PLAN",
                                                                   "60054")}


@frozen
class Expected:
    claim_id: str
    line_control_number: str
    code: str
    cause: str
    action_hint: str  # a phrase the recommended action must contain


@frozen
class Scenario:
    cause: str
    applies: Callable[[BilledLine], bool]
    answer: Callable[[BilledLine], LineAnswer]
    action_hint: str


def _unit_cut(line: BilledLine) -> LineAnswer:
    per_unit = (line.charge / line.units).quantize(Decimal("0.01"))
    return reduce(line, "CO", "151", per_unit, "N362", paid_units=Decimal(line.units - 1))


LINE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("bundling", lambda ln: is_em(ln.code) and "25" in ln.modifiers,
             lambda ln: deny(ln, "CO", "97", "M15"), "separately identifiable"),
    Scenario("bundling", lambda ln: bool({"XS", "59"} & set(ln.modifiers)),
             lambda ln: deny(ln, "CO", "236"), "appeal with the note documenting"),
    Scenario("cosmetic", lambda ln: ln.code in BENIGN_LESION_CODES,
             lambda ln: deny(ln, "CO", "96", "N425"), "waiver"),
    Scenario("medical_necessity", lambda ln: ln.code in ("11102", "11104", "11106"),
             lambda ln: deny(ln, "CO", "50", "N115"), "medical necessity"),
    Scenario("count", lambda ln: ln.units > 1 and (ln.code in ("17003", "11103", "11105",
                                                               "11107", "17312", "17314",
                                                               "17315")),
             _unit_cut, "units"),
    Scenario("modifier", lambda ln: not is_em(ln.code) and bool({"LT", "RT"} & set(ln.modifiers)),
             lambda ln: deny(ln, "CO", "4", "N519"), "modifier"),
    Scenario("authorization", lambda ln: ln.code in ("17311", "17313", "J3357", "96567"),
             lambda ln: deny(ln, "CO", "197"), "authorization"),
    # returned unprocessable: the units are invalid (M53), no appeal rights (MA130)
    Scenario("missing_information", lambda ln: ln.code.startswith("J"),
             lambda ln: deny(ln, "CO", "16", "M53", "MA130"), "new claim"),
    Scenario("other", lambda ln: ln.code in ("96900", "96910", "88305"),
             lambda ln: deny(ln, "CO", "B7"), "payer"),
)
CLAIM_SCENARIOS = (("eligibility", "CO", "27", "coverage"), ("duplicate", "OA", "18", "original"),
                   ("timely_filing", "CO", "29", "timely"),
                   ("coordination_of_benefits", "CO", "22", "primary payer"))


def answer_claims(billed: Sequence[BilledClaim], *, payment_date: date = date(2026, 4, 10),
                  external: bool = True, price: LinePrices | None = None,
                  shorted: list[ShortPaid] | None = None
                  ) -> tuple[list[Remittance], list[Expected]]:
    """Remittances answering `billed` (one per payer) and the denial each line should get.
    With `price` (samples.priced.line_prices) the lines paid in full are paid at their
    expected allowed amount, two of them short (appended to `shorted`)."""
    # the claims with a second coverage get their own answers (samples/cob_answers.py)
    cob = [c for c in billed if c.claim_id in COB_CLAIMS]
    claims = sorted((c for c in billed if c.claim_id not in COB_CLAIMS), key=lambda c: c.claim_id)
    paid: set[tuple[str, int]] = set()
    expected: list[Expected] = []
    answers: dict[str, list[LineAnswer]] = {}
    touched: set[str] = set()
    left = list(LINE_SCENARIOS)
    for c in claims:
        answers[c.claim_id] = []
        for i, ln in enumerate(c.lines):
            hit = next((s for s in left if s.applies(ln)), None)
            if hit is not None:
                left.remove(hit)
                touched.add(c.claim_id)
                answers[c.claim_id].append(hit.answer(ln))
                expected.append(Expected(c.claim_id, ln.control_number, ln.code, hit.cause,
                                         hit.action_hint))
            else:
                answers[c.claim_id].append(pay(ln))
                paid.add((c.claim_id, i))
    whole = list(CLAIM_SCENARIOS)
    for c in reversed(claims):  # whole-claim denials on untouched claims, last first
        if not whole or c.claim_id in touched:
            continue
        cause, group, carc, hint = whole.pop(0)
        touched.add(c.claim_id)
        answers[c.claim_id] = [deny(ln, group, carc) for ln in c.lines]
        paid.difference_update((c.claim_id, i) for i in range(len(c.lines)))
        expected += [Expected(c.claim_id, ln.control_number, ln.code, cause, hint)
                     for ln in c.lines]
    if price is None:
        _one_multiple_procedure_reduction(claims, answers, touched)
    else:  # reductions come from the prices (CO-59); two lines are paid short
        got = price_paid_lines(claims, answers, paid, price)
        (shorted if shorted is not None else []).extend(got)

    by_payer: dict[str, list[ClaimPayment]] = {}
    for n, c in enumerate(claims, 1):
        icn = f"2026100{n:07d}"
        by_payer.setdefault(c.payer, []).append(
            claim_payment(c, answers[c.claim_id], payer_claim_number=icn))
    for payer, cp in primary_payments(cob, price=price):
        by_payer.setdefault(payer, []).append(cp)
    if external:
        ext, exp = _external_claim(claims[0].date_of_service if claims else payment_date, price)
        by_payer.setdefault("medicare", []).append(ext)
        expected += exp
    remits = []
    for i, (payer, cps) in enumerate(sorted(by_payer.items()), 1):
        name, pid = PAYERS.get(payer, (payer.upper(), "99999"))
        remits.append(build_remittance(cps, payer_name=name, payer_id=pid,
                                       payment_date=payment_date, trace_number=f"EFT2026{i:05d}",
                                       control_number=f"{i:04d}"))
    return remits, expected


def _one_multiple_procedure_reduction(claims: Sequence[BilledClaim],
                                      answers: dict[str, list[LineAnswer]],
                                      touched: set[str]) -> None:
    """A reduced but not denied line: 50% multiple-procedure reduction (CO-59) on the second
    surgical line of an untouched claim."""
    for c in claims:
        surgical = [i for i, ln in enumerate(c.lines) if ln.code[:1] == "1" and not is_em(ln.code)]
        if c.claim_id in touched or len(surgical) < 2:
            continue
        i = surgical[1]
        ln = c.lines[i]
        half = (ln.charge / 2).quantize(Decimal("0.01"))
        base = pay(BilledLine(ln.control_number, ln.code, ln.modifiers, ln.units,
                              ln.charge - half, ln.date_of_service))
        answers[c.claim_id][i] = LineAnswer((Adjustment("CO", "59", half), *base.adjustments))
        touched.add(c.claim_id)
        return


def _external_claim(dos: date, price: LinePrices | None = None
                    ) -> tuple[ClaimPayment, list[Expected]]:
    """A claim another system sent: the 835 alone says what was billed."""
    c = BilledClaim("EXT-9001", "medicare", dos, (
        BilledLine("EXT-9001-1", "99213", (), 1, Decimal("125.00"), dos),
        BilledLine("EXT-9001-2", "11102", (), 1, Decimal("140.00"), dos)))
    answers = {c.claim_id: [deny(c.lines[0], "CO", "97"), pay(c.lines[1])]}
    if price is not None:
        price_paid_lines([c], answers, {(c.claim_id, 1)}, price, short=False)
    cp = claim_payment(c, answers[c.claim_id], payer_claim_number="20261009999999")
    return cp, [Expected("EXT-9001", "EXT-9001-1", "99213", "missing_25", "modifier 25")]


def billed_claims(url: str | None = None, claim_ids: Sequence[str] | None = None
                  ) -> list[BilledClaim]:
    """The store's submitted claims (latest submission of each claim id), in claim id order."""
    return [BilledClaim(sc.claim_id, sc.payer, sc.date_of_service, tuple(
        BilledLine(ln.line_control_number, ln.code,
                   tuple(m for m in ln.modifiers.split(":") if m), ln.units,
                   ln.charge or Decimal("0"), ln.date_of_service) for ln in lines))
        for sc, lines in latest_submissions(url, claim_ids)]
