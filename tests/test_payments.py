"""A payment posts once whatever its bytes; trace conflicts are findings; PLB items are
posted with their meaning and claim; CLP02 decides (predetermination, forwarded).

Files are written by the project's own builders (`edi.x835.answers`, 835 writer)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
from remit_helpers import add_submitted
from sqlmodel import col, func, select

from edi.x835.answers import (
    build_remittance,
    claim_payment,
    deny,
    pay,
    remittance_text,
)
from edi.x835.model import PlbItem, ProviderAdjustment
from reconcile.ledger import totals
from reconcile.remit.load import load_remittance_files
from reconcile.reports.analytics import Filters
from reconcile.store.database import session_scope
from reconcile.store.remit_models import (
    BalanceFinding,
    Denial,
    RemitClaim,
    RemitProviderAdjustment,
    RemitTransaction,
)

PAID_ON = date(2026, 10, 20)


def _remit(url: str, trace: str = "EFT100", amount_claims: int = 2, plb=()):  # type: ignore[no-untyped-def]
    claims = []
    for i in range(amount_claims):
        billed = add_submitted(url, f"P{trace}{i}", [("11102", (), 1, "120.00"),
                                                     ("17000", (), 1, "80.00")])
        claims.append(claim_payment(billed, [pay(billed.lines[0]),
                                             deny(billed.lines[1], "CO", "50")],
                                    payer_claim_number=f"ICN{trace}{i}"))
    r = build_remittance(claims, payer_name="MEDICARE PART B", payer_id="12502",
                         payment_date=PAID_ON, trace_number=trace)
    if plb:
        total = r.header.payment.amount - sum((i.amount for i in plb), Decimal("0"))
        r = attrs.evolve(
            r, header=attrs.evolve(r.header, payment=attrs.evolve(r.header.payment,
                                                                  amount=total)),
            trailer=attrs.evolve(r.trailer, provider_adjustments=(
                ProviderAdjustment("1234567893", date(2026, 12, 31), tuple(plb), 0),)))
    return r


def _count(url: str, model) -> int:  # type: ignore[no-untyped-def]
    with session_scope(url) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_same_payment_with_other_line_breaks_posts_once(store_url: str, tmp_path: Path) -> None:
    text = remittance_text([_remit(store_url)])
    flat = tmp_path / "flat.835"
    flat.write_text(text.replace("~\n", "~"))
    lines = tmp_path / "lines.835"
    lines.write_text(text.replace("~\n", "~").replace("~", "~\n"))
    assert flat.read_bytes() != lines.read_bytes()
    summary = load_remittance_files([flat, lines], store_url)
    assert [f.status for f in summary.files] == ["loaded", "loaded"]
    assert summary.files[1].duplicates and str(flat) in summary.files[1].duplicates[0]
    assert _count(store_url, RemitClaim) == 2  # two claims, posted once
    assert _count(store_url, Denial) == 2
    t = totals.compute(store_url)
    assert (t.payments, t.duplicate_payments) == (1, 1)
    assert t.paid == t.received == Decimal("76.80") * 2
    with session_scope(store_url) as s:
        dup = s.exec(select(BalanceFinding).where(col(BalanceFinding.kind)
                                                  == "duplicate_payment")).one()
    assert str(flat) in dup.message
    assert "duplicate payments: 1" in "\n".join(summary.lines())


def test_many_back_to_back_copies_in_one_file_post_one_payment(store_url: str,
                                                               tmp_path: Path) -> None:
    one = remittance_text([_remit(store_url, amount_claims=1)])
    f = tmp_path / "copies.835"
    f.write_text(one * 12)
    summary = load_remittance_files([f], store_url)
    res = summary.files[0]
    assert res.status == "loaded" and res.transactions == 12
    assert len(res.duplicates) == 11
    assert _count(store_url, RemitClaim) == 1
    assert _count(store_url, RemitTransaction) == 12  # recorded, eleven posting nothing
    t = totals.compute(store_url)
    assert (t.payments, t.duplicate_payments, t.claims) == (1, 11, 1)
    text = "\n".join(summary.lines())
    assert "duplicate payments: 11" in text and "8 more" in text  # first few, then a pointer


def test_same_trace_other_amount_is_a_conflict_to_resolve(store_url: str,
                                                          tmp_path: Path) -> None:
    a, b = tmp_path / "a.835", tmp_path / "b.835"
    a.write_text(remittance_text([_remit(store_url, "EFT7", amount_claims=1)]))
    b.write_text(remittance_text([_remit(store_url, "EFT7", amount_claims=2)]))
    summary = load_remittance_files([a, b], store_url)
    assert summary.needs_attention
    assert summary.files[1].conflicts and str(a) in summary.files[1].conflicts[0]
    assert _count(store_url, RemitClaim) == 3  # posted, never silently merged
    with session_scope(store_url) as s:
        kinds = s.exec(select(BalanceFinding.kind)).all()
    assert "payment_conflict" in kinds


def test_plb_items_are_posted_with_claim_and_in_the_totals(store_url: str,
                                                           tmp_path: Path) -> None:
    plb = (PlbItem("WO", "ICNEFT90", Decimal("25.00")), PlbItem("L6", "", Decimal("-1.10")))
    f = tmp_path / "plb.835"
    f.write_text(remittance_text([_remit(store_url, "EFT9", plb=plb)]))
    summary = load_remittance_files([f], store_url)
    with session_scope(store_url) as s:
        rows = s.exec(select(RemitProviderAdjustment, RemitClaim.payer_claim_number)
                      .outerjoin(RemitClaim, col(RemitClaim.id)
                                 == col(RemitProviderAdjustment.claim_row_id))
                      .order_by(col(RemitProviderAdjustment.id))).all()
    assert [(p.reason, p.amount, icn) for p, icn in rows] == [
        ("WO", Decimal("25.00"), "ICNEFT90"), ("L6", Decimal("-1.10"), None)]
    t = summary.totals
    assert t is not None
    assert t.plb == Decimal("23.90")
    # BPR02 = sum CLP04 - sum PLB: the deposit the bank shows
    assert t.deposit_expected == t.received == t.paid - Decimal("23.90")
    text = "\n".join(summary.lines())
    assert "PLB WO overpayment recovery" in text and "PLB L6 interest owed" in text


def test_predetermination_gives_no_denials(store_url: str, tmp_path: Path) -> None:
    billed = add_submitted(store_url, "PRE1", [("17311", (), 1, "900.00")])
    c = claim_payment(billed, [deny(billed.lines[0], "PR", "42")], payer_claim_number="X1",
                      status="25")
    r = build_remittance([c], payer_name="AETNA", payer_id="60054", payment_date=PAID_ON,
                         trace_number="PRE")
    f = tmp_path / "pre.835"
    f.write_text(remittance_text([r]))
    summary = load_remittance_files([f], store_url)
    assert _count(store_url, Denial) == 0
    t = summary.totals
    assert t is not None
    assert (t.predeterminations, t.claims, t.billed) == (1, 0, Decimal("0.00"))
    assert "predeterminations (no payment): 1" in "\n".join(summary.lines())


def test_forwarded_claim_paid_in_full_is_not_a_denial(store_url: str, tmp_path: Path) -> None:
    """CLP02 = 19 (processed as primary, forwarded) paid its full charge: the COB note the
    primary leaves for the secondary (CO-22 here) is no denial; under CLP02 = 1 it is."""
    from edi.x835.model import Adjustment

    answers = []
    for status, claim_id in (("19", "FWD1"), ("1", "FWD2")):
        billed = add_submitted(store_url, claim_id, [("11102", (), 1, "150.00")])
        c = claim_payment(billed, [pay(billed.lines[0], allowed_share=Decimal("1"),
                                       coinsurance=Decimal("0"))],
                          payer_claim_number=f"F{claim_id}", status=status,
                          claim_adjustments=(Adjustment("CO", "22", Decimal("10.00")),))
        answers.append(attrs.evolve(c, paid=c.charge))
    r = build_remittance(answers, payer_name="MEDICARE", payer_id="12502",
                         payment_date=PAID_ON, trace_number="FWD")
    f = tmp_path / "fwd.835"
    f.write_text(remittance_text([r]))
    summary = load_remittance_files([f], store_url)
    with session_scope(store_url) as s:
        denied = s.exec(select(Denial.claim_id, Denial.cause)).all()
    assert denied == [("FWD2", "coordination_of_benefits")]
    assert summary.totals is not None and summary.totals.by_status["forwarded"] == 1


def test_report_since_until_figures_all_follow_the_period(store_url: str,
                                                          tmp_path: Path) -> None:
    from reconcile.reports.report import write_report

    early = _remit(store_url, "EARLY", amount_claims=1)
    late = _remit(store_url, "LATE", amount_claims=2)
    late = attrs.evolve(late, header=attrs.evolve(
        late.header, payment=attrs.evolve(late.header.payment, date=date(2026, 11, 20))))
    a, b = tmp_path / "early.835", tmp_path / "late.835"
    a.write_text(remittance_text([early]))
    b.write_text(remittance_text([late]))
    assert load_remittance_files([a, b], store_url).ok
    whole = totals.compute(store_url)
    nov = totals.compute(store_url, since=date(2026, 11, 1))
    octo = totals.compute(store_url, until=date(2026, 10, 31))
    assert (whole.claims, nov.claims, octo.claims) == (3, 2, 1)
    for field in ("billed", "paid", "denied", "allowed", "contractual", "received",
                  "patient_responsibility"):
        assert getattr(nov, field) + getattr(octo, field) == getattr(whole, field), field
    assert nov.billed == Decimal("400.00") and nov.denied == Decimal("160.00")
    assert nov.denial_rate == Decimal("0.4") and nov.denied_line_rate == Decimal("0.5")
    s = write_report(tmp_path / "r.html", store_url, since=date(2026, 11, 1),
                     today=date(2026, 11, 25), filters=Filters.of("all"))
    assert (s.totals.claims, s.totals.billed, s.totals.paid, s.totals.denied) == (
        2, nov.billed, nov.paid, nov.denied)
    html = (tmp_path / "r.html").read_text()
    assert "Denial rate (denied / billed)" in html and "40.0%" in html
