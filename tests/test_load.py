"""Loading remittances: one transaction per file (all or nothing), each file once, matched
and classified, reversals superseding, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from remit_helpers import DOS, add_submitted
from sqlmodel import func, select

from edi.errors import X12SyntaxError
from edi.x835.answers import build_remittance, claim_payment, deny, pay, reduce
from edi.x835.model import Remittance
from reconcile.remit.load import load_remittance_files
from reconcile.store.database import session_scope
from reconcile.store.remit_models import (
    Denial,
    RemitAdjustment,
    RemitClaim,
    RemitFile,
    RemitLine,
    RemitTransaction,
)

PAID_ON = date(2026, 10, 20)


def _remit(claims, trace: str = "T1") -> Remittance:  # type: ignore[no-untyped-def]
    return build_remittance(claims, payer_name="MEDICARE PART B", payer_id="12502",
                            payment_date=PAID_ON, trace_number=trace)


def _items(r: Remittance) -> list:  # type: ignore[type-arg]
    return [r.header, *r.claims, r.trailer]


class FakeReader:
    """Stands in for the 835 reader: path -> the items (or an error after some items)."""

    def __init__(self) -> None:
        self.files: dict[str, list] = {}  # type: ignore[type-arg]

    def add(self, tmp: Path, name: str, items: list, content: str | None = None) -> Path:  # type: ignore[type-arg]
        p = tmp / name
        p.write_text(content or f"ISA*{name}~")
        self.files[str(p)] = items
        return p

    def __call__(self, path: Path):  # type: ignore[no-untyped-def]
        for item in self.files[str(path)]:
            if isinstance(item, Exception):
                raise item
            yield item


def _count(url: str, model) -> int:  # type: ignore[no-untyped-def]
    with session_scope(url) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _scenario(url: str):  # type: ignore[no-untyped-def]
    b1 = add_submitted(url, "E1", [("99213", (), 1, "120.00"), ("11102", (), 1, "150.00"),
                                   ("17110", (), 1, "95.00")])
    b2 = add_submitted(url, "E2", [("17000", (), 1, "80.00"), ("17003", (), 14, "210.00")])
    c1 = claim_payment(b1, [deny(b1.lines[0], "CO", "97", "M15"), pay(b1.lines[1]),
                            deny(b1.lines[2], "CO", "50")], payer_claim_number="ICN-E1")
    c2 = claim_payment(b2, [pay(b2.lines[0]),
                            reduce(b2.lines[1], "CO", "151", Decimal("15.00"), "N362",
                                   paid_units=Decimal("13"))], payer_claim_number="ICN-E2")
    return [c1, c2]


def test_load_matches_classifies_and_summarises(store_url: str, tmp_path: Path) -> None:
    reader = FakeReader()
    f = reader.add(tmp_path, "a.835", _items(_remit(_scenario(store_url))))
    summary = load_remittance_files([f], store_url, reader=reader)
    assert summary.ok
    r = summary.files[0]
    assert (r.status, r.transactions, r.claims, r.lines) == ("loaded", 1, 2, 5)
    assert (r.lines_matched, r.lines_unmatched) == (5, 0)
    assert dict(r.denials) == {"missing_25": 1, "cosmetic": 1, "count": 1}
    assert r.denied_amount == Decimal("230.00")
    text = "\n".join(summary.lines())
    assert "missing_25: 1" in text and "matched: 5" in text
    with session_scope(store_url) as s:
        d = {x.code: x for x in s.exec(select(Denial)).all()}
        assert d["99213"].cause == "missing_25" and d["99213"].line_control_number == "E1-1"
        assert d["17003"].amount == Decimal("15.00") and d["17003"].carc == "151"
        # medicare's guide: 120 days from BPR16
        assert d["99213"].appeal_deadline == PAID_ON + timedelta(days=120)
        assert d["99213"].payer == "medicare" and d["99213"].payer_claim_number == "ICN-E1"
        assert {ln.match_rule for ln in s.exec(select(RemitLine)).all()} == {"ref_6r"}
        tx = s.exec(select(RemitTransaction)).one()
        assert tx.guide == "medicare" and tx.payment_date == PAID_ON
    assert _count(store_url, RemitAdjustment) > 0


def test_same_file_twice_changes_nothing(store_url: str, tmp_path: Path) -> None:
    reader = FakeReader()
    f = reader.add(tmp_path, "a.835", _items(_remit(_scenario(store_url))))
    load_remittance_files([f], store_url, reader=reader)
    before = [_count(store_url, m) for m in (RemitFile, RemitClaim, RemitLine, Denial)]
    again = load_remittance_files([f], store_url, reader=reader)
    assert again.ok and again.files[0].status == "already_loaded"
    assert [_count(store_url, m) for m in (RemitFile, RemitClaim, RemitLine, Denial)] == before


def test_broken_file_loads_nothing_and_others_still_load(store_url: str, tmp_path: Path) -> None:
    claims = _scenario(store_url)
    reader = FakeReader()
    many = [claims[0]] * 7  # enough claims to flush several batches before the error
    broken = reader.add(tmp_path, "broken.835", [
        *_items(_remit(many))[:-1],
        X12SyntaxError("CLP04 is not a number", source=str(tmp_path / "broken.835"),
                       segment_number=42, segment_id="CLP", loop="2100")])
    good = reader.add(tmp_path, "good.835", _items(_remit(claims, "T2")))
    summary = load_remittance_files([broken, good], store_url, reader=reader, batch_claims=2)
    assert not summary.ok
    bad = summary.files[0]
    assert bad.status == "failed"
    assert "broken.835" in bad.message and "segment 42" in bad.message
    assert "not loaded" in bad.message
    assert summary.files[1].status == "loaded"
    assert _count(store_url, RemitFile) == 1
    assert _count(store_url, RemitClaim) == 2
    # the failed file may be fixed and loaded later: its hash was not recorded
    reader.files[str(broken)] = _items(_remit(many))
    assert load_remittance_files([broken], store_url, reader=reader).files[0].status == "loaded"


def test_unreadable_file_is_reported(store_url: str, tmp_path: Path) -> None:
    summary = load_remittance_files([tmp_path / "missing.835"], store_url, reader=FakeReader())
    assert not summary.ok and "missing.835" in summary.files[0].path
    assert "cannot read" in summary.files[0].message


def test_claims_the_store_never_saw_still_classify(store_url: str, tmp_path: Path) -> None:
    from edi.x835.answers import BilledClaim, BilledLine
    other = BilledClaim("OTHER-1", "", DOS, (
        BilledLine("", "99214", (), 1, Decimal("160.00"), DOS),
        BilledLine("", "11305", (), 1, Decimal("110.00"), DOS)))
    cp = claim_payment(other, [deny(other.lines[0], "CO", "97"),
                               deny(other.lines[1], "CO", "96", "N425")],
                       payer_claim_number="X1")
    reader = FakeReader()
    f = reader.add(tmp_path, "other.835", _items(_remit([cp])))
    r = load_remittance_files([f], store_url, reader=reader).files[0]
    assert (r.lines_matched, r.lines_unmatched) == (0, 2)
    assert dict(r.denials) == {"missing_25": 1, "cosmetic": 1}
    with session_scope(store_url) as s:
        # payer resolved from the 835's payer id to the medicare guide
        assert {d.payer for d in s.exec(select(Denial)).all()} == {"medicare"}


def test_reversal_supersedes_earlier_denials(store_url: str, tmp_path: Path) -> None:
    claims = _scenario(store_url)
    reader = FakeReader()
    first = reader.add(tmp_path, "first.835", _items(_remit(claims)))
    load_remittance_files([first], store_url, reader=reader)
    from samples.answers import billed_claims
    b1 = billed_claims(store_url, ["E1"])[0]
    rev = claim_payment(b1, [deny(b1.lines[0], "CO", "97", "M15"), pay(b1.lines[1]),
                             deny(b1.lines[2], "CO", "50")], payer_claim_number="ICN-E1",
                        reversal=True)
    redo = claim_payment(b1, [pay(ln) for ln in b1.lines], payer_claim_number="ICN-E1")
    second = reader.add(tmp_path, "second.835", _items(_remit([rev, redo], "T9")))
    r = load_remittance_files([second], store_url, reader=reader).files[0]
    assert r.status == "loaded" and not r.denials
    with session_scope(store_url) as s:
        live = s.exec(select(Denial).where(Denial.superseded == False)).all()  # noqa: E712
        assert {d.claim_id for d in live} == {"E2"}
        e1 = s.exec(select(RemitClaim).where(RemitClaim.patient_control_number == "E1")
                    .order_by(RemitClaim.id)).all()
        assert [(c.is_reversal, c.superseded) for c in e1] == [
            (False, True), (True, False), (False, False)]


def test_bad_db_url_is_a_store_error(tmp_path: Path) -> None:
    from reconcile.errors import StoreError
    with pytest.raises(StoreError):
        load_remittance_files([tmp_path / "x.835"], "nosuchdb://x", reader=FakeReader())


def test_real_files_through_the_835_reader(store_url: str, tmp_path: Path) -> None:
    from edi.x835.answers import remittance_text
    text = remittance_text([_remit(_scenario(store_url))])
    good = tmp_path / "good.835"
    good.write_text(text)
    broken = tmp_path / "broken.835"
    assert text.count("CLP*E2*") == 1
    broken.write_text(text.replace("CLP*E2*1*", "CLP*E2*1*X"))  # CLP03 not a number
    seen = []
    summary = load_remittance_files([broken, good], store_url, progress=seen.append)
    assert [f.status for f in summary.files] == ["failed", "loaded"]
    assert "broken.835" in summary.files[0].message
    assert summary.files[1].claims == 2 and dict(summary.files[1].denials) == {
        "missing_25": 1, "cosmetic": 1, "count": 1}
    done = [p for p in seen if p.done]
    assert len(done) == 2 and done[1].bytes_read == good.stat().st_size
    again = load_remittance_files([good], store_url)
    assert again.files[0].status == "already_loaded" and _count(store_url, RemitClaim) == 2


def test_concurrent_loads_of_one_file_write_it_once(store_url: str, tmp_path: Path) -> None:
    import threading

    from edi.x835.answers import remittance_text
    f = tmp_path / "same.835"
    f.write_text(remittance_text([_remit(_scenario(store_url))]))
    results: list = []  # type: ignore[type-arg]

    def run() -> None:
        results.append(load_remittance_files([f], store_url).files[0])

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in results) == ["already_loaded", "already_loaded", "loaded"], [
        (r.status, r.message) for r in results]
    assert _count(store_url, RemitFile) == 1 and _count(store_url, RemitClaim) == 2


def test_plb_items_and_balancing_findings_are_stored(store_url: str, tmp_path: Path) -> None:
    import attrs

    from edi.x835.model import FindingKind, PlbItem, ProviderAdjustment, RemitFinding
    from reconcile.store.remit_models import BalanceFinding, RemitProviderAdjustment
    r = _remit(_scenario(store_url))
    plb = ProviderAdjustment("1234567893", date(2026, 12, 31), (
        PlbItem("WO", "OVERPAY123", Decimal("25.00")), PlbItem("L6", "", Decimal("-1.10"))), 60)
    findings = (RemitFinding(FindingKind.CLAIM_OUT_OF_BALANCE, "CLP03 - CLP04 != CAS by 1.00",
                             40, "CLP", "E2", Decimal("1.00")),
                RemitFinding(FindingKind.DEFECT, "loop 1000A has no PER*BL", 7, "N1"))
    trailer = attrs.evolve(r.trailer, provider_adjustments=(plb,), findings=findings)
    reader = FakeReader()
    f = reader.add(tmp_path, "plb.835", [r.header, *r.claims, trailer])
    summary = load_remittance_files([f], store_url, reader=reader)
    res = summary.files[0]
    # listed under its file (no file prefix), the claim named once
    assert res.out_of_balance == ["segment 40: claim E2: CLP03 - CLP04 != CAS by 1.00"]
    assert res.defects == 1
    text = "\n".join(summary.lines())
    assert "out-of-balance findings: 1" in text and "tolerated defects: 1" in text
    with session_scope(store_url) as s:
        items = s.exec(select(RemitProviderAdjustment)).all()
        assert sorted((i.reason, i.reference, i.amount) for i in items) == [
            ("L6", "", Decimal("-1.10")), ("WO", "OVERPAY123", Decimal("25.00"))]
        kinds = sorted(b.kind for b in s.exec(select(BalanceFinding)).all())
        assert kinds == ["claim_out_of_balance", "defect"]
