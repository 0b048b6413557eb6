"""Matching remittance lines to submitted lines: REF*6R first, then claim + code + modifiers
+ date + charge (SVC06 when recoded), each match naming its rule; unknown claims unmatched."""

from __future__ import annotations

from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from remit_helpers import DOS, add_submitted
from sqlalchemy import event

from edi.x835.answers import BilledClaim, BilledLine, LineAnswer, claim_payment, deny, pay
from reconcile.remit.match import SentClaimRow, SentLineRow, match_claim, match_claims
from reconcile.store.database import get_engine, session_scope

LINES = [("99213", ("25",), 1, "120.00"), ("11102", (), 1, "150.00"),
         ("11103", (), 2, "160.00"), ("17110", (), 1, "95.00")]


def _match(url: str, cp):  # type: ignore[no-untyped-def]
    with session_scope(url) as s:
        return match_claims(s, [cp])[0]


def test_ref_6r_first(store_url: str) -> None:
    billed = add_submitted(store_url, "C1", LINES)
    cp = claim_payment(billed, [pay(ln) for ln in billed.lines], payer_claim_number="ICN1")
    m = _match(store_url, cp)
    assert m.submitted is not None and m.submitted.claim_id == "C1"
    assert [lm.rule for lm in m.lines] == ["ref_6r"] * 4
    assert [lm.submitted.line_control_number for lm in m.lines] == [
        "C1-1", "C1-2", "C1-3", "C1-4"]


def test_fallbacks_without_ref_6r(store_url: str) -> None:
    billed = add_submitted(store_url, "C2", LINES)
    a = [LineAnswer(pay(ln).adjustments, echo_control_number=False) for ln in billed.lines]
    # the payer recoded 17110 -> 17000: SVC06 carries our code
    a[3] = LineAnswer(deny(billed.lines[3], "CO", "96").adjustments, recoded_to="17000",
                      echo_control_number=False)
    cp = claim_payment(billed, a, payer_claim_number="ICN2")
    m = _match(store_url, cp)
    assert [lm.rule for lm in m.lines] == ["claim_code_mods_date_charge"] * 4
    assert m.lines[3].submitted.code == "17110"


def test_relaxed_rules_record_what_matched(store_url: str) -> None:
    billed = add_submitted(store_url, "C3", [("11102", (), 1, "150.00"),
                                             ("17000", ("RT",), 1, "80.00")])
    cp = claim_payment(billed, [LineAnswer(echo_control_number=False)] * 2,
                       payer_claim_number="ICN3")
    # payer re-priced line 1's charge and dropped line 2's modifier
    lines = (attrs.evolve(cp.service_lines[0], charge=Decimal("140.00")),
             attrs.evolve(cp.service_lines[1], modifiers=()))
    cp = attrs.evolve(cp, service_lines=lines)
    m = _match(store_url, cp)
    assert [lm.rule for lm in m.lines] == ["claim_code_mods_date", "claim_code_date_charge"]


def test_unknown_claim_is_unmatched(store_url: str) -> None:
    add_submitted(store_url, "C4", LINES)
    other = BilledClaim("ELSEWHERE-9", "medicare", DOS,
                        (BilledLine("X-1", "11102", (), 1, Decimal("150.00"), DOS),))
    cp = claim_payment(other, [pay(other.lines[0])], payer_claim_number="ICN9")
    m = _match(store_url, cp)
    assert m.submitted is None and [lm.rule for lm in m.lines] == ["unmatched"]


def test_resubmission_prefers_latest_and_never_reuses_a_line(store_url: str) -> None:
    add_submitted(store_url, "C5", [("11102", (), 1, "150.00")])
    billed = add_submitted(store_url, "C5", [("11102", (), 1, "150.00"),
                                             ("11102", (), 1, "150.00")], lcn_prefix="C5")
    cp = claim_payment(billed, [LineAnswer(echo_control_number=False)] * 2,
                       payer_claim_number="ICN5")
    with session_scope(store_url) as s:
        m = match_claims(s, [cp, cp])
    for cm in m:
        ids = [lm.submitted.id for lm in cm.lines]
        assert len(set(ids)) == 2
        assert {lm.submitted.claim_row_id for lm in cm.lines} == {cm.submitted.id}
    # REF*6R shared by both submissions: the latest submission wins
    cp6 = claim_payment(billed, [pay(ln) for ln in billed.lines], payer_claim_number="ICN5")
    m6 = _match(store_url, cp6)
    assert all(lm.rule == "ref_6r" and lm.submitted.claim_row_id == m6.submitted.id
               for lm in m6.lines)


def test_a_batch_is_matched_with_a_fixed_number_of_queries(store_url: str) -> None:
    claims = []
    for i in range(40):
        b = add_submitted(store_url, f"B{i}", LINES[:2])
        claims.append(claim_payment(b, [pay(ln) for ln in b.lines], payer_claim_number=f"I{i}"))
    count = {"n": 0}

    def on_exec(*_a):  # type: ignore[no-untyped-def]
        count["n"] += 1
    engine = get_engine(store_url)
    event.listen(engine, "before_cursor_execute", on_exec)
    try:
        with session_scope(store_url) as s:
            out = match_claims(s, claims)
    finally:
        event.remove(engine, "before_cursor_execute", on_exec)
    assert all(lm.rule == "ref_6r" for m in out for lm in m.lines)
    assert count["n"] <= 4


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["11102", "11103", "17000", "17003", "99213"]),
                          st.sampled_from([(), ("25",), ("XS",)]),
                          st.sampled_from(["80.00", "150.00"])), min_size=1, max_size=8),
       st.randoms(), st.booleans())
def test_any_line_order_matches_each_line_once(specs, rnd, echo_6r) -> None:  # type: ignore[no-untyped-def]
    """Pure matching (no store): whatever order the payer lists the lines in, with or
    without REF*6R, each service line finds a submitted line with the same code, modifiers
    and charge, and no submitted line answers two service lines."""
    sent = SentClaimRow(7, "P1", "medicare", DOS, tuple(
        SentLineRow(100 + i, 7, i + 1, f"P1-{i + 1}", code, mods, 1, Decimal(charge), DOS)
        for i, (code, mods, charge) in enumerate(specs)))
    billed = BilledClaim("P1", "medicare", DOS, tuple(
        BilledLine(ln.line_control_number, ln.code, ln.modifiers, 1, ln.charge or Decimal(0),
                   DOS) for ln in sent.lines))
    cp = claim_payment(billed, [LineAnswer(echo_control_number=echo_6r)] * len(specs),
                       payer_claim_number="X")
    order = list(cp.service_lines)
    rnd.shuffle(order)
    cp = attrs.evolve(cp, service_lines=tuple(order))
    m = match_claim(cp, [sent])
    used = [lm.submitted.id for lm in m.lines if lm.submitted]
    assert len(used) == len(specs) == len(set(used))
    for svc, lm in zip(cp.service_lines, m.lines, strict=True):
        assert lm.submitted is not None
        assert (lm.submitted.code, lm.submitted.modifiers, lm.submitted.charge) == (
            svc.code, svc.modifiers, svc.charge)
        assert lm.rule == ("ref_6r" if echo_6r else "claim_code_mods_date_charge")
