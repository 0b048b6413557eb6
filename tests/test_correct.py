"""Corrections by the payer's route (its guide's correction_route): frequency-7
replacements with REF*F8 where the payer takes them, reopening requests and new originals
for Medicare Part B; documented fixes (25, the distinct modifier, documented units, amended
documentation), pyx12-clean; undocumented fixes listed with reasons."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from remit_helpers import add_submitted
from sqlmodel import select

import companion_guides
from companion_guides import get_guide
from dermclaim.cli import main
from edi.validate import validate_text
from edi.x835.answers import (
    BilledClaim,
    BilledLine,
    build_remittance,
    claim_payment,
    deny,
    pay,
    reduce,
    remittance_text,
)
from reconcile.corrections.correct import correct_denials
from reconcile.store.database import session_scope
from reconcile.store.models import SubmittedClaim

ROOT = Path(__file__).resolve().parent.parent
PRACTICE = ROOT / "samples" / "practice.toml"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _enc(name: str, claim_id: str, **changes) -> tuple[dict, date]:  # type: ignore[type-arg]
    data = json.loads((ROOT / "samples" / "encounters" / name).read_text())
    data["claim_id"] = claim_id
    data["payer"] = changes.get("payer", data["payer"])
    for i, proc in changes.get("procedures", {}).items():
        data["procedures"][i].update(proc)
    return data, date.fromisoformat(data["date_of_service"])


def _setup(tmp: Path, url: str | None = None, payer: str = "medicare") -> str:
    """Four claims sent to `payer` and its 835; `payer` = commercial puts them on the
    replacement route without a patched guide (the kill test runs in a subprocess)."""
    url = url or f"sqlite:///{tmp}/s.db"
    # A: E/M sent without 25 though the note documents a separate visit; 11103 sent x3,
    # documented 2
    enc, dos = _enc("01-em25-biopsies.json", "CA-1", payer=payer)
    a = add_submitted(url, "CA-1", [("99214", (), 1, "150.00", 0), ("11104", (), 1, "160.00", 1),
                                    ("11103", (), 3, "180.00", 2)], dos=dos, encounter=enc,
                      payer=payer)
    # B: biopsy and AK destruction at distinct sites, sent without XS
    enc, dos = _enc("17-biopsy-and-ak-destruction-distinct-sites.json", "CB-1", payer=payer)
    b = add_submitted(url, "CB-1", [("11104", (), 1, "160.00", 0), ("17000", (), 1, "90.00", 1),
                                    ("17003", (), 3, "45.00", 1)], dos=dos, encounter=enc,
                      payer=payer)
    # C: same as A but the visit is NOT documented as separately identifiable
    enc, dos = _enc("01-em25-biopsies.json", "CC-1", payer=payer,
                    procedures={0: {"separately_identifiable": False}})
    c = add_submitted(url, "CC-1", [("99214", (), 1, "150.00", 0), ("11104", (), 1, "160.00", 1),
                                    ("11103", (), 2, "120.00", 2)], dos=dos, encounter=enc,
                      payer=payer)
    # D: 17003 x4 exactly as documented, still cut for units
    enc, dos = _enc("13-benign-premalignant-destruction-same-day.json", "CD-1", payer=payer)
    d = add_submitted(url, "CD-1", [("17000", (), 1, "90.00", 0), ("17003", (), 4, "60.00", 0),
                                    ("17110", (), 1, "95.00", 1)], dos=dos, encounter=enc,
                      payer=payer)
    other = BilledClaim("CE-1", "", dos, (BilledLine("", "11104", (), 1, Decimal("160"), dos),))
    cps = [
        claim_payment(a, [deny(a.lines[0], "CO", "97"), pay(a.lines[1]),
                          reduce(a.lines[2], "CO", "151", Decimal("60.00"), "N362")],
                      payer_claim_number="ICN-A"),
        claim_payment(b, [deny(b.lines[0], "CO", "97", "N20"), pay(b.lines[1]), pay(b.lines[2])],
                      payer_claim_number="ICN-B"),
        claim_payment(c, [deny(c.lines[0], "CO", "97"), pay(c.lines[1]), pay(c.lines[2])],
                      payer_claim_number="ICN-C"),
        claim_payment(d, [pay(d.lines[0]), reduce(d.lines[1], "CO", "151", Decimal("15")),
                          pay(d.lines[2])], payer_claim_number="ICN-D"),
        claim_payment(other, [deny(other.lines[0], "CO", "97")], payer_claim_number="ICN-E"),
    ]
    f = tmp / "r.835"
    f.write_text(remittance_text([build_remittance(
        cps, payer_name="MEDICARE PART B" if payer == "medicare" else "COMMERCIAL HEALTH PLAN",
        payer_id="12502" if payer == "medicare" else "60054", payment_date=date(2026, 10, 20),
        trace_number="T1")]))
    r = CliRunner().invoke(main, ["remit", "load", str(f), "--db", url])
    assert r.exit_code == 0, r.output
    return url


@pytest.fixture
def replacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test claims' payer (medicare) as a payer whose guide takes replacements (a
    Medicare Advantage plan would): the route is the guide's setting, nothing else."""
    guide = attrs.evolve(get_guide("medicare"), correction_route="replacement")
    monkeypatch.setitem(companion_guides._CACHE, "medicare", guide)


def test_documented_fixes_become_frequency_7_replacements(store_url: str, tmp_path: Path,
                                                          replacing: None) -> None:
    url = _setup(tmp_path, store_url)
    out = tmp_path / "corrected.837"
    res = correct_denials(out, PRACTICE, url, now=NOW)
    fixed = {c.claim_id: sorted(f.change.split(":")[0] for f in c.fixes) for c in res.corrected}
    assert fixed == {"CA-1": ["11103 units 3 -> 2 from the documented count",
                              "modifier 25 added to 99214"],
                     "CB-1": ["modifier XS added to 11104"]}
    reasons = {(n.claim_id, n.code): n.reason for n in res.not_corrected}
    assert set(reasons) == {("CC-1", "99214"), ("CD-1", "17003"), ("CE-1", "11104")}
    assert "does not support billing 99214" in reasons[("CC-1", "99214")]
    assert "match the documented count" in reasons[("CD-1", "17003")]
    assert "never sent" in reasons[("CE-1", "11104")]
    text = out.read_text()
    report = validate_text(text, str(out))
    assert report.ok, [f.message for f in report.errors]
    assert "REF*F8*ICN-A~" in text and "REF*F8*ICN-B~" in text
    assert "CLM*CA-1*" in text and ":B:7*" in text and "CLM*CC-1" not in text
    assert "SV1*HC:99214:25*" in text and "SV1*HC:11104:XS*" in text
    with session_scope(url) as s:
        sent = s.exec(select(SubmittedClaim).where(SubmittedClaim.frequency == "7")).all()
        assert {(c.claim_id, c.payer_claim_number) for c in sent} == {
            ("CA-1", "ICN-A"), ("CB-1", "ICN-B")}
    # corrected denials are not sent again
    again = correct_denials(tmp_path / "again.837", PRACTICE, url, now=NOW)
    assert again.out_path is None and not again.corrected
    assert not (tmp_path / "again.837").exists()


def test_cause_filter_and_cli(tmp_path: Path, replacing: None) -> None:
    url = _setup(tmp_path)
    out = tmp_path / "c.837"
    r = CliRunner().invoke(main, ["correct", "--cause", "bundling", "-o", str(out), "--db", url,
                                  "--practice", str(PRACTICE)])
    assert r.exit_code == 0, r.output  # lines without a fix are listed, not held
    assert "CB-1" in r.stdout and "CA-1" not in r.stdout
    assert "CE-1" in r.stderr  # listed as not corrected, on stderr
    assert "REF*F8*ICN-B" in out.read_text() and "CLM*CA-1" not in out.read_text()
    r = CliRunner().invoke(main, ["correct", "--cause", "cosmetic", "-o", str(out), "--db", url,
                                  "--practice", str(PRACTICE)])
    assert r.exit_code != 0 and "Traceback" not in r.output


def test_missing_practice_is_a_clear_error(tmp_path: Path) -> None:
    url = _setup(tmp_path)
    r = CliRunner().invoke(main, ["correct", "-o", str(tmp_path / "c.837"), "--db", url,
                                  "--practice", str(tmp_path / "none.toml")])
    assert r.exit_code == 2 and "none.toml" in r.output and "Traceback" not in r.output


def test_medicare_fixes_become_reopening_requests(store_url: str, tmp_path: Path) -> None:
    """The same fixes for Medicare Part B (route `reopening`): no replacement claim, one
    reopening request per claim with each change, the denials corrected once."""
    url = _setup(tmp_path, store_url)
    out = tmp_path / "out" / "corrected.837"
    res = correct_denials(out, PRACTICE, url, now=NOW)
    assert res.out_path is None and not out.exists()
    assert {(c.claim_id, c.route) for c in res.corrected} == {("CA-1", "reopening"),
                                                              ("CB-1", "reopening")}
    assert sorted(p.name for p in res.requests) == ["CA-1-reopening-ICN-A.txt",
                                                    "CB-1-reopening-ICN-B.txt"]
    a = (out.parent / "CA-1-reopening-ICN-A.txt").read_text()
    assert "modifier 25 added to 99214" in a and "11103 units 3 -> 2" in a
    assert "Claim control number:     ICN-A" in a and "Reopen by:                2027-10-20" in a
    assert "modifier XS added to 11104" in (out.parent / "CB-1-reopening-ICN-B.txt").read_text()
    again = correct_denials(out, PRACTICE, url, now=NOW)
    assert not again.corrected and not again.requests
