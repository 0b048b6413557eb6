"""Secondary claims (issue 22): other coverage on the primary claim, the next payer's claim
built from the primary's 835, crossovers followed, each payer's and the patient's share.

The amounts of the secondary 837P are checked against the 835 file read independently
(edi.x835.reader), to the cent, and the TR3 balancing is recomputed from the 837 text.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from coding.encounter import parse_encounter
from coding.engine import code_encounter
from companion_guides import get_guide
from dermclaim.cli import main
from edi.practice import load_practice
from edi.validate import segment_loops, validate_path, validate_text
from edi.x835.reader import read_835_path
from reconcile.ledger.shares import cob_figures, line_shares
from reconcile.secondary.decide import Answer, decide
from reconcile.store.database import session_scope
from reconcile.store.submissions import submit_claims

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PRACTICE = SAMPLES / "practice.toml"
COB = ("DC-1021", "DC-1022", "DC-1023")
NOW = "2026-03-31T12:00:00"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def _claims(text: str) -> dict[str, list[list[str]]]:
    """CLM01 -> the segments from its CLM to the next HL / SE."""
    out: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for seg in _segments(text):
        if seg[0] == "CLM":
            current = out.setdefault(seg[1], [])
        elif seg[0] in ("HL", "SE"):
            current = None
        if current is not None:
            current.append(seg)
    return out


def _cas(seg: list[str]) -> list[tuple[str, str, Decimal]]:
    return [(seg[1], seg[i], Decimal(seg[i + 1])) for i in range(2, len(seg) - 1, 3) if seg[i]]


# ------------------------------------------------------------------- the whole walk-through


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("cob")
    db = f"sqlite:///{tmp}/s.db"
    encounters = sorted(str(p) for p in (SAMPLES / "encounters").glob("*.json"))
    code, out = _run("claims", *encounters, "--practice", str(PRACTICE), "-o",
                     str(tmp / "claims.837"), "--db", db, "--now", NOW)
    assert code in (0, 1), out
    code, out = _run("remit", "load", str(SAMPLES / "remit.835"), "--db", db)
    assert code == 0, out
    code, first = _run("secondary", "-o", str(tmp / "sec.837"), "--practice", str(PRACTICE),
                       "--db", db, "--now", "2026-04-15T09:00:00", "--json")
    assert code == 0, first
    code, again = _run("secondary", "-o", str(tmp / "again.837"), "--practice",
                       str(PRACTICE), "--db", db, "--json")
    return {"tmp": tmp, "db": db, "first": json.loads(first), "again": json.loads(again),
            "again_code": code}


def test_crossed_over_claim_gets_no_secondary_claim(walk: dict[str, object]) -> None:
    first = walk["first"]
    assert isinstance(first, dict)
    kinds = {c["claim_id"]: c["kind"] for c in first["claims"]}
    assert kinds == {"DC-1021": "crossed_over", "DC-1022": "written", "DC-1023": "written"}
    text = (Path(str(walk["tmp"])) / "sec.837").read_text()
    assert "CLM*DC-1021*" not in text


def test_secondary_837_is_pyx12_clean_and_its_amounts_are_the_835s(
        walk: dict[str, object]) -> None:
    path = Path(str(walk["tmp"])) / "sec.837"
    report = validate_path(path)
    assert report.ok, [f.describe() for f in report.findings]
    claims = _claims(path.read_text())
    assert set(claims) == {"DC-1022", "DC-1023"}
    primary = {c.patient_control_number: c for r in read_835_path(SAMPLES / "remit.835")
               for c in r.claims}
    for claim_id, segs in claims.items():
        answer = primary[claim_id]
        sbrs = [s for s in segs if s[0] == "SBR"]
        assert sbrs[0][1] == "P"  # the primary's 2320
        amt_d = [Decimal(s[2]) for s in segs if s[0] == "AMT" and s[1] == "D"]
        assert amt_d == [answer.paid]
        ref_f8 = [s[2] for s in segs if s[0] == "REF" and s[1] == "F8"]
        assert ref_f8 == [answer.payer_claim_number]
        svds = [s for s in segs if s[0] == "SVD"]
        assert [Decimal(s[2]) for s in svds] == [ln.paid for ln in answer.service_lines]
        # line CAS exactly as the 835 gave them
        line_cas: list[list[tuple[str, str, Decimal]]] = []
        clm02 = Decimal(segs[0][2])
        in_2430 = False
        for s in segs:
            if s[0] == "SVD":
                in_2430 = True
                line_cas.append([])
            elif s[0] == "LX":
                in_2430 = False
            elif s[0] == "CAS" and in_2430:
                line_cas[-1] += _cas(s)
        # the same adjustments, one CAS segment per group code (TR3 2430 CAS)
        assert [sorted(cas) for cas in line_cas] == [
            sorted((a.group, a.reason, a.amount) for a in ln.adjustments)
            for ln in answer.service_lines]
        # TR3 balancing: CLM02 = AMT*D + all CAS; each SV102 = SVD02 + its CAS
        assert clm02 == amt_d[0] + sum(a for cas in line_cas for _, _, a in cas)
        charges = [Decimal(s[2]) for s in segs if s[0] == "SV1"]
        for charge, svd, cas in zip(charges, svds, line_cas, strict=True):
            assert charge == Decimal(svd[2]) + sum(a for _, _, a in cas)
        dtp573 = [s for s in segs if s[0] == "DTP" and s[1] == "573"]
        assert len(dtp573) == len(svds)


def test_secondary_claim_goes_to_the_next_payer(walk: dict[str, object]) -> None:
    text = (Path(str(walk["tmp"])) / "sec.837").read_text()
    placed = segment_loops(text)
    assert ("2000B", "SBR*S*18*RET2026******CI") in placed  # DC-1022: the retiree plan
    assert ("2010BB", "NM1*PR*2*COMMERCIAL HEALTH PLAN*****PI*60054") in placed
    assert ("2330B", "NM1*PR*2*MEDICARE PART B*****PI*12502") in placed
    assert ("2330A", "NM1*IL*1*OKAFOR*SAMUEL****MI*5TQ2VX8JD63") in placed
    # DC-1023: the spouse is the secondary's subscriber, the patient a 2000C
    assert ("2010BA", "NM1*IL*1*BRENNAN*PATRICK****MI*SEH30917742") in placed
    assert ("2000C", "PAT*01") in placed


def test_a_rerun_writes_nothing(walk: dict[str, object]) -> None:
    again = walk["again"]
    assert isinstance(again, dict)
    assert walk["again_code"] == 0 and again["file"] is None
    assert not (Path(str(walk["tmp"])) / "again.837").exists()
    kinds = {c["claim_id"]: c["kind"] for c in again["claims"]}
    assert kinds == {"DC-1021": "crossed_over", "DC-1022": "already_sent",
                     "DC-1023": "already_sent"}


def test_claims_status_follows_the_crossover(walk: dict[str, object]) -> None:
    db = str(walk["db"])
    rows = {}
    for day in ("2026-04-20", "2026-05-20"):
        code, out = _run("claims", "status", "--db", db, "--as-of", day, "--json")
        assert code in (0, 1), out
        rows[day] = {r["claim_id"]: r for r in json.loads(out)}
    early, late = rows["2026-04-20"]["DC-1021"], rows["2026-05-20"]["DC-1021"]
    assert early["status"] == "crossed_over"
    assert "crossed over to MEDIGAP SUPPLEMENT PLAN" in early["reason"]
    # 38 days after Medicare's remittance, past the Medigap guide's 30
    assert late["status"] == "late" and "no 835" in late["reason"]


def test_secondary_835_posts_and_each_share_is_counted_once(walk: dict[str, object],
                                                            tmp_path: Path) -> None:
    db = str(walk["db"])
    with session_scope(db) as s:
        before = cob_figures(s, COB)
    # before the secondary 835: the coinsurance is the next payers', not the patient's
    primary = {c.patient_control_number: c for r in read_835_path(SAMPLES / "remit.835")
               for c in r.claims}

    def owed(claim_id: str) -> Decimal:  # what the primary left to the next payer (PR)
        return sum((a.amount for ln in primary[claim_id].service_lines
                    for a in ln.adjustments if a.group == "PR"), Decimal("0"))

    assert before.awaiting_crossover == owed("DC-1021") > 0
    assert before.billed_to_secondary == owed("DC-1022") + owed("DC-1023")
    assert before.patient_owes == 0
    code, out = _run("remit", "load", str(SAMPLES / "secondary.835"), "--db", db)
    assert code == 0 and "out-of-balance findings: 0" in out and "denials: 0" in out, out
    code, status = _run("claims", "status", "--db", db, "--as-of", "2026-05-20", "--json")
    assert {r["claim_id"]: r["status"] for r in json.loads(status)
            if r["claim_id"] == "DC-1021"} == {"DC-1021": "adjudicated"}
    primary = {c.patient_control_number: c for r in read_835_path(SAMPLES / "remit.835")
               for c in r.claims}
    with session_scope(db) as s:
        shares = [x for x in line_shares(s, COB)]
        after = cob_figures(s, COB)
    assert after.awaiting_crossover == after.billed_to_secondary == 0
    assert after.patient_owes == Decimal("10.00")  # the spouse plan's copay (PR-3)
    for share in shares:
        svc = next(ln for ln in primary[share.claim_id].service_lines
                   if ln.control_number == share.line_control_number)
        contractual = sum((a.amount for a in svc.adjustments if a.group == "CO"), Decimal(0))
        paid = sum((amount for _, amount in share.paid_by), Decimal(0))
        assert len(share.paid_by) == 2  # primary, then the next payer, each once
        assert paid + share.patient_owes + contractual == svc.charge, share
    code, third = _run("secondary", "-o", str(tmp_path / "third.837"), "--practice",
                       str(PRACTICE), "--db", db, "--json")
    assert {c["claim_id"]: c["kind"] for c in json.loads(third)["claims"]}["DC-1021"] \
        == "answered"


# ---------------------------------------------------------------------- the decision rules


def _answer(status: str = "1", remarks: tuple[str, ...] = (), share: str = "20",
            denied: int = 0) -> Answer:
    return Answer(status, remarks, "", Decimal(share), denied)


@pytest.mark.parametrize("answer, kind", [
    (_answer("19"), "crossed_over"), (_answer("20"), "crossed_over"),
    (_answer("21"), "crossed_over"), (_answer("1", ("MA18",)), "crossed_over"),
    (_answer("1", ("N89",)), "crossed_over"), (_answer("1", ("MA08",)), "bill"),
    (_answer("1", ("MA19",)), "bill"), (_answer("1"), "bill"),
    (_answer("1", share="0"), "nothing_owed"), (_answer("4", share="0", denied=1), "bill"),
])
def test_medicare_crossover_decision(answer: Answer, kind: str) -> None:
    assert decide(answer, get_guide("medigap"), get_guide("medicare")).kind == kind


def test_a_commercial_primary_never_crosses_over_and_denied_lines_follow_the_guide() -> None:
    d = decide(_answer("1"), get_guide("supplemental"), get_guide("commercial"))
    assert d.kind == "bill" and "does not forward" in d.reason
    held = decide(_answer("1", denied=1), get_guide("supplemental"), get_guide("commercial"))
    assert held.kind == "hold" and "secondary_denied_lines" in held.reason


def test_a_secondary_claim_without_the_primarys_answer_is_held(tmp_path: Path) -> None:
    import attrs

    from edi.x837p.checks import claim_problems

    practice = load_practice(PRACTICE)
    enc = parse_encounter(json.loads((SAMPLES / "encounters" /
                                      "22-medicare-then-retiree-plan-ma08.json").read_text()),
                          "x.json")
    claim = code_encounter(enc, fees=practice.fee_schedule)
    secondary = attrs.evolve(claim, encounter=attrs.evolve(enc, payer_order="S"))
    assert any("needs commercial's answer" in p
               for p in claim_problems(secondary, get_guide("medicare")))
    assert any("MSP type" in p for p in claim_problems(secondary, get_guide("medicare")))
    del tmp_path


def test_validate_text_reports_a_tampered_cob_balance(walk: dict[str, object]) -> None:
    text = (Path(str(walk["tmp"])) / "sec.837").read_text()
    amt_d = re.search(r"AMT\*D\*([\d.]+)~", text)
    assert amt_d is not None
    bad = text.replace(amt_d.group(0), f"AMT*D*{Decimal(amt_d.group(1)) - 1}~", 1)
    codes = {(f.code, f.loop) for f in validate_text(bad).findings}
    assert ("COB_CLAIM_BALANCE", "2320") in codes
    svd = re.search(r"SVD\*12502\*([\d.]+)\*", text)
    assert svd is not None
    bad_line = text.replace(svd.group(0), f"SVD*12502*{Decimal(svd.group(1)) - 1}*", 1)
    codes = {(f.code, f.loop) for f in validate_text(bad_line).findings}
    assert ("COB_LINE_BALANCE", "2430") in codes


def test_a_primary_reversal_voids_the_secondary_claim_it_produced(
        walk: dict[str, object]) -> None:
    from datetime import date

    from edi.x835.answers import (
        BilledClaim,
        BilledLine,
        build_remittance,
        claim_payment,
        pay,
        remittance_text,
    )

    db, tmp = str(walk["db"]), Path(str(walk["tmp"]))
    _run("remit", "load", str(SAMPLES / "secondary.835"), "--db", db)  # once, whatever order
    line = BilledLine("DC-1022-1", "11102", (), 1, Decimal("240.00"), date(2026, 3, 17))
    billed = BilledClaim("DC-1022", "medicare", date(2026, 3, 17), (line,))
    reversal = claim_payment(billed, [pay(line)], payer_claim_number="20261000009002",
                             reversal=True)
    remit = build_remittance([reversal], payer_name="MEDICARE PART B", payer_id="12502",
                             payment_date=date(2026, 5, 10), trace_number="REV0001")
    (tmp / "reversal.835").write_text(remittance_text([remit]))
    code, out = _run("remit", "load", str(tmp / "reversal.835"), "--db", db)
    assert code == 0, out
    code, out = _run("secondary", "-o", str(tmp / "void.837"), "--practice", str(PRACTICE),
                     "--db", db, "--now", "2026-05-11T09:00:00", "--json")
    assert code == 0, out
    kinds = {c["claim_id"]: c["kind"] for c in json.loads(out)["claims"]}
    assert kinds["DC-1022"] == "voided"
    text = (tmp / "void.837").read_text()
    assert validate_path(tmp / "void.837").ok
    claims = _claims(text)
    assert list(claims) == ["DC-1022"]
    clm = claims["DC-1022"][0]
    assert clm[5] == "11:B:8"  # frequency 8: void
    # REF*F8 in 2300: the secondary payer's own claim number (its 835's CLP07)
    assert ["REF", "F8", "S20260000002"] in claims["DC-1022"]
    code, again = _run("secondary", "-o", str(tmp / "void2.837"), "--practice",
                       str(PRACTICE), "--db", db, "--json")
    assert {c["claim_id"]: c["kind"] for c in json.loads(again)["claims"]}["DC-1022"] \
        == "already_sent"
    assert not (tmp / "void2.837").exists()


def test_tertiary_follows_the_same_path(tmp_path: Path) -> None:
    """Medicare, then a retiree plan, then the spouse's plan: after the retiree plan's 835
    the tertiary claim carries both earlier payers' answers (2320 P and S, 2430 each)."""
    from datetime import date

    import attrs

    from edi.x835.answers import (
        BilledClaim,
        BilledLine,
        build_remittance,
        claim_payment,
        pay,
        remittance_text,
    )
    from edi.x835.model import Adjustment, Remark

    db = f"sqlite:///{tmp_path}/t.db"
    data = json.loads((SAMPLES / "encounters" / "22-medicare-then-retiree-plan-ma08.json")
                      .read_text())
    data["claim_id"] = "TR-1"
    data["other_coverage"].append({"payer": "supplemental", "member_id": "SEH1"})
    enc_file = tmp_path / "tr.json"
    enc_file.write_text(json.dumps(data))
    code, out = _run("claims", str(enc_file), "--practice", str(PRACTICE), "-o",
                     str(tmp_path / "c.837"), "--db", db, "--now", NOW)
    assert code == 0, out
    dos = date(2026, 3, 17)
    line = BilledLine("TR-1-1", "11102", (), 1, Decimal("240.00"), dos)
    billed = BilledClaim("TR-1", "medicare", dos, (line,))
    first = attrs.evolve(claim_payment(billed, [pay(line)], payer_claim_number="ICN-P1"),
                         remarks=(Remark("HE", "MA08"),))
    (tmp_path / "p.835").write_text(remittance_text([build_remittance(
        [first], payer_name="MEDICARE PART B", payer_id="12502",
        payment_date=date(2026, 4, 10), trace_number="P1")]))
    assert _run("remit", "load", str(tmp_path / "p.835"), "--db", db)[0] == 0
    code, out = _run("secondary", "-o", str(tmp_path / "s.837"), "--practice", str(PRACTICE),
                     "--db", db, "--now", "2026-04-15T09:00:00")
    assert code == 0 and "TR-1 billed to commercial" in out, out
    # the retiree plan pays the coinsurance less a 10.00 copay
    svc = first.service_lines[0]
    sec_line = attrs.evolve(svc, paid=Decimal("28.40"), amounts=(), adjustments=(
        Adjustment("OA", "23", svc.paid), Adjustment("CO", "45", Decimal("48.00")),
        Adjustment("PR", "3", Decimal("10.00"))))
    second = attrs.evolve(first, status="2", paid=Decimal("28.40"),
                          patient_responsibility=Decimal("10.00"), payer_claim_number="ICN-S1",
                          service_lines=(sec_line,), remarks=())
    (tmp_path / "s.835").write_text(remittance_text([build_remittance(
        [second], payer_name="COMMERCIAL HEALTH PLAN", payer_id="60054",
        payment_date=date(2026, 5, 4), trace_number="S1")]))
    assert _run("remit", "load", str(tmp_path / "s.835"), "--db", db)[0] == 0
    code, out = _run("secondary", "-o", str(tmp_path / "t.837"), "--practice", str(PRACTICE),
                     "--db", db, "--now", "2026-05-06T09:00:00")
    assert code == 0 and "TR-1 billed to supplemental" in out, out
    path = tmp_path / "t.837"
    report = validate_path(path)
    assert report.ok, [f.describe() for f in report.findings]
    placed = segment_loops(path.read_text())
    assert ("2000B", "SBR*T*18*******CI") in placed
    assert [s for loop, s in placed if loop == "2320" and s.startswith("SBR")] == [
        "SBR*P*18*******MB", "SBR*S*18*RET2026******CI"]
    assert [s for loop, s in placed if loop == "2320" and s.startswith("AMT*D")] == [
        "AMT*D*153.6", "AMT*D*28.4"]
    assert [s for loop, s in placed if loop == "2330B" and s.startswith("REF")] == [
        "REF*F8*ICN-P1", "REF*F8*ICN-S1"]
    assert [s for loop, s in placed if loop == "2430" and s.startswith("SVD")] == [
        "SVD*12502*153.6*HC:11102**1", "SVD*60054*28.4*HC:11102**1"]


def _sent_and_posted(denied: bool):  # type: ignore[no-untyped-def]
    from datetime import date

    from coding.model import CasAdjustment
    from reconcile.secondary.build import PostedClaim, PostedLine, SentClaim, SentLine

    enc = parse_encounter(json.loads((SAMPLES / "encounters" /
                                      "21-medicare-crossover-medigap-ma18.json").read_text()),
                          "x.json")
    sent = SentClaim(1, "DC-1021", "DC-1021", "medicare", "P", enc, (
        SentLine(1, 1, "DC-1021-1", "17000", (), 1, Decimal("170"), (1,)),
        SentLine(2, 2, "DC-1021-2", "17003", (), 3, Decimal("54"), (1,))))
    second = ((Decimal("0"), (CasAdjustment("CO", "97", Decimal("54")),)) if denied else
              (Decimal("34.56"), (CasAdjustment("CO", "45", Decimal("10.80")),
                                  CasAdjustment("PR", "2", Decimal("8.64")))))
    posted = PostedClaim(9, "medicare", "1", Decimal("224"), Decimal("108.80") + second[0],
                         Decimal("27.20") + (0 if denied else Decimal("8.64")), "ICN9",
                         date(2026, 4, 10), ("MA08",), "", (), (
        PostedLine(1, "DC-1021-1", "17000", (), Decimal("170"), Decimal("108.80"),
                   Decimal("1"), (CasAdjustment("CO", "45", Decimal("34")),
                                  CasAdjustment("PR", "2", Decimal("27.20")))),
        PostedLine(2, "DC-1021-2", "17003", (), Decimal("54"), second[0], Decimal("3"),
                   second[1])))
    return sent, posted


def test_a_line_the_primary_denied_goes_with_its_cas(tmp_path: Path) -> None:
    from reconcile.secondary.build import build_next_claim

    sent, posted = _sent_and_posted(denied=True)
    built = build_next_claim(sent, posted)
    assert built.claim is not None and built.reasons == ()
    practice = load_practice(PRACTICE)
    out = tmp_path / "d.837"
    submit_claims([built.claim], practice, out, url=f"sqlite:///{tmp_path}/d.db")
    text = out.read_text()
    assert validate_path(out).ok
    assert "SVD*12502*0*HC:17003**3~" in text and "CAS*CO*97*54~" in text
    assert "AMT*D*108.8~" in text  # 108.80 + 0


def test_an_835_that_does_not_balance_against_the_claim_holds_it() -> None:
    import attrs

    from reconcile.secondary.build import build_next_claim

    sent, posted = _sent_and_posted(denied=False)
    assert build_next_claim(sent, posted).claim is not None
    short = attrs.evolve(posted, lines=(attrs.evolve(posted.lines[0], paid=Decimal("100")),
                                        posted.lines[1]))
    built = build_next_claim(sent, short)
    assert built.claim is None and "must balance" in built.reasons[0]
    missing = attrs.evolve(posted, lines=posted.lines[:1])
    assert "no answer" in build_next_claim(sent, missing).reasons[0]
