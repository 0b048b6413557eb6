"""`validate` reads COB loops right (issue 22): SBR / NM1 / REF know their loop (2000B vs
2320, 2010BA vs 2330A), every finding names its loop, and SE01 / GE01 / IEA01 are counted
by our own reader. Tested on hand-made 837P text, on the public COB 837P files of
../shared/x12-corpus when present, and on a store written before revision 0009.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from edi.x837p.text_checks import check_text, loop_of
from reconcile.store import migrate
from reconcile.store.database import new_engine
from tests.conftest import CORPUS

ISA = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260331*1200*^*"
       "00501*000000001*0*P*:~")
HEAD = ["GS*HC*SUB*REC*20260331*1200*1*X*005010X222A1", "ST*837*0001*005010X222A1",
        "BHT*0019*00*1*20260331*1200*CH", "NM1*41*2*SUB*****46*SUB", "PER*IC*X*TE*5555555555",
        "NM1*40*2*REC*****46*REC", "HL*1**20*1", "NM1*85*2*CLINIC*****XX*1234567893",
        "N3*1 MAIN ST", "N4*SPRINGFIELD*IL*627011234", "REF*EI*123456789", "HL*2*1*22*0",
        "SBR*S*18*******CI", "NM1*IL*1*DOE*JANE****MI*SEC123", "N3*1 ELM", "N4*X*IL*62701",
        "DMG*D8*19500101*F", "NM1*PR*2*SUPPLEMENT*****PI*61101",
        "CLM*C1*100***11:B:1*Y*A*Y*Y", "HI*ABK:L570",
        # 2320: the primary (Medicare) with its answer; SBR02 01 is the OTHER subscriber's
        "SBR*P*01*******MB", "CAS*PR*1*10", "AMT*D*60", "OI***Y***Y",
        "NM1*IL*1*DOE*JOHN****MI*NOTANMBI", "NM1*PR*2*MEDICARE*****PI*12502",
        "REF*F8*ICN1",
        "LX*1", "SV1*HC:17000*100*UN*1***1", "DTP*472*D8*20260301", "REF*6R*C1-1",
        "SVD*12502*70*HC:17000**1", "CAS*CO*45*20", "CAS*PR*2*10", "DTP*573*D8*20260320"]


def _file(body: list[str], se: int | None = None, ge: int = 1, iea: int = 1) -> str:
    count = len(body)  # ST .. last body segment
    segs = [ISA, *[s + "~" for s in body],
            f"SE*{se if se is not None else count}*0001~", f"GE*{ge}*1~",
            f"IEA*{iea}*000000001~"]
    return "\n".join(segs) + "\n"


def test_cob_loops_are_told_apart() -> None:
    assert loop_of("SBR", "", False, "2000B") == "2000B"
    assert loop_of("SBR", "", True, "2300") == "2320"
    assert loop_of("NM1", "IL", True, "2320") == "2330A"
    assert loop_of("NM1", "IL", False, "2000B") == "2010BA"
    assert loop_of("NM1", "PR", True, "2330A") == "2330B"
    assert loop_of("SVD", "", True, "2400") == "2430"


def test_a_2320_sbr_is_not_judged_as_the_subscribers() -> None:
    problems = check_text(_file(HEAD))
    # the 2320 SBR*P*01 (another payer's subscriber) is not "SBR02 must be 18"
    assert not [p for p in problems if p.code == "SBR02"]
    # the Medicare id in 2330A is checked as an MBI and the finding names 2330A
    mbi = [p for p in problems if p.code == "MBI"]
    assert [(p.loop, p.segment_id) for p in mbi] == [("2330A", "NM1")]
    assert "2330A NM109" in mbi[0].message
    assert not [p for p in problems if p.code.startswith("COB_")]
    assert all(p.loop for p in problems)


def test_cob_balance_is_checked_per_claim_and_per_line() -> None:
    off = [s.replace("AMT*D*60", "AMT*D*61") for s in HEAD]
    codes = {(p.code, p.loop) for p in check_text(_file(off))}
    assert ("COB_CLAIM_BALANCE", "2320") in codes
    off_line = [s.replace("CAS*CO*45*20", "CAS*CO*45*21") for s in HEAD]
    codes = {(p.code, p.loop) for p in check_text(_file(off_line))}
    assert ("COB_LINE_BALANCE", "2430") in codes and ("COB_CLAIM_BALANCE", "2320") in codes


def test_envelope_counts_are_read_by_us() -> None:
    assert not [p for p in check_text(_file(HEAD)) if p.code in ("SE01", "GE01", "IEA01")]
    found = {(p.code, p.loop) for p in check_text(_file(HEAD, se=5, ge=2, iea=3))}
    assert {("SE01", "ST"), ("GE01", "GS"), ("IEA01", "ISA")} <= found


COB_FILES = ("LinuxForHealth-x12__demo.cob.example3.B.837",
             "Inteligenz-X12Parser__Example3_COB.txt",
             "imsweb-x12-parser__x12_complex.txt")


@pytest.mark.parametrize("name", COB_FILES)
def test_corpus_cob_files_are_read_loop_by_loop(name: str) -> None:
    path = CORPUS / "837p" / name
    if not path.is_file():
        pytest.skip(f"no {path}")
    text = path.read_text(encoding="utf-8-sig")
    problems = check_text(text)
    # the 2320 SBR of another payer's subscriber (SBR*P*01 ...) is never an SBR02 finding
    sbr_in_2320 = [p for p in problems if p.code == "SBR02" and p.loop != "2000B"]
    assert sbr_in_2320 == []
    assert all(p.loop for p in problems), [p for p in problems if not p.loop]
    # these published COB claims balance (TR3: CLM02 = AMT*D + CAS; SV102 = SVD02 + CAS)
    assert not [p for p in problems if p.code.startswith("COB_")]
    # no finding about a 2330A segment is filed under 2010BA
    lines = [s.strip() for s in text.split("~")]
    for p in problems:
        if p.loop == "2010BA":
            assert not lines[p.segment_number - 1].startswith("NM1*IL") or \
                p.segment_number < next(i for i, s in enumerate(lines, 1)
                                        if s.startswith("CLM"))


def test_corpus_file_with_two_transactions_has_its_counts_checked() -> None:
    path = CORPUS / "837p" / "imsweb-x12-parser__x12_complex.txt"
    if not path.is_file():
        pytest.skip(f"no {path}")
    codes = {p.code for p in check_text(path.read_text(encoding="utf-8-sig"))}
    # SOURCES.md: 2 ST in one GS; its SE01 values are not the segment counts
    assert "SE01" in codes and "GE01" in codes


# --------------------------------------------------------------------- a store before 0009


def test_a_store_written_before_revision_0009_upgrades_and_keeps_its_claims(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    engine = new_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0006_submission_once")
    md = sa.MetaData()
    md.reflect(engine)
    t = md.tables
    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(t["interchange"].insert(), [dict(
            id=1, control_number=7, file_name="a.837", file_hash="a" * 64, created_at=at,
            claim_count=1, line_count=1, total_charge=123456, state="written")])
        conn.execute(t["submitted_claim"].insert(), [dict(
            id=1, interchange_id=1, claim_id="C1", encounter_claim_id="C1", payer="medicare",
            payer_id="12502", frequency="1", date_of_service=date(2026, 11, 2),
            total_charge=123456, group_control_number=7, transaction_control_number="0001",
            encounter_json="{}", submitted_at=at, submission_key="1|C1")])
        conn.execute(t["remit_file"].insert(), [dict(
            id=1, sha256="b" * 64, file_name="r.835", size_bytes=10, loaded_at=at,
            transaction_count=1, claim_count=1, line_count=0)])
        conn.execute(t["remit_transaction"].insert(), [dict(
            id=1, file_id=1, control_number="0001", interchange_control_number="1",
            payer_name="MEDICARE", payer_id="12502", payee_name="CLINIC", payee_id="1",
            trace_number="T1", handling_code="I", payment_amount=10, credit_debit="C",
            payment_method="ACH", payment_date=date(2026, 11, 20))])
        conn.execute(t["remit_claim"].insert(), [dict(
            id=1, transaction_id=1, patient_control_number="C1", status="1", is_reversal=False,
            charge=123456, paid=10, patient_responsibility=0, filing_indicator="MB",
            payer_claim_number="ICN1", submitted_claim_id=1, payer="medicare",
            segment_number=5, superseded=False)])
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert migrate.state(conn).current == migrate.head()
        claim = conn.execute(sa.text("SELECT payer_order, next_payer, prior_remit_claim_id, "
                                     "submission_key, total_charge FROM submitted_claim")).one()
        remit = conn.execute(sa.text("SELECT remarks, crossover_payer, paid FROM remit_claim")
                             ).one()
    assert tuple(claim) == ("P", None, None, "1|C1", 123456)
    assert tuple(remit) == ("", "", 10)
    engine.dispose()
    from reconcile.ledger.shares import cob_figures
    from reconcile.store.database import session_scope

    with session_scope(url) as s:  # an old claim has no next payer: the patient's share
        figures = cob_figures(s)
    assert figures.billed_to_secondary == figures.awaiting_crossover == Decimal("0")
