"""999 (005010X231A1) and 277CA (005010X214) readers: what the guides define, the public
files of ../shared/x12-corpus/ack, and broken files refused naming the segment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import corpus_files, corpus_params

from edi.errors import X12SyntaxError
from edi.x277.model import ClaimAck, LineAck
from edi.x277.reader import read_277_path, read_277_text
from edi.x277.writer import render_277, status
from edi.x999.model import ElementError, SegmentError
from edi.x999.reader import read_999_path, read_999_text
from edi.x999.writer import accept, answer_group, reject, render_999

WHEN = datetime(2026, 4, 1, 9, 30)


def _ack_params(kind: str) -> list:  # type: ignore[type-arg]
    """The corpus ack files of one kind ("999" or "277CA"); one skipped param without them."""
    params = [p for p in corpus_params("ack")
              if p.values[0] is None or kind in p.values[0].name]
    return params or [pytest.param(None, marks=pytest.mark.skip(reason=f"no {kind} files"))]
DOS = date(2026, 3, 20)


def _999(*groups) -> str:  # type: ignore[no-untyped-def]
    return render_999(list(groups), sender="EXCLEARINGHSE", receiver="SPRDERM01", control=42,
                      when=WHEN)


def _hand(body: str, st: str = "ST*999*0001*005010X231A1") -> str:
    """A 999 written by hand (segments between ST and SE), envelope counted right."""
    segs = [st, *[s for s in body.split("~") if s.strip()]]
    isa = ("ISA*00*          *00*          *ZZ*EXCLEARINGHSE  *ZZ*SPRDERM01      *260401*0930"
           "*^*00501*000000042*0*P*:~")
    return (isa + "GS*FA*EXCLEARINGHSE*SPRDERM01*20260401*0930*42*X*005010X231A1~"
            + "~".join(segs) + f"~SE*{len(segs) + 1}*0001~GE*1*42~IEA*1*000000042~")


# ------------------------------------------------------------------------------ 999


def test_999_accepts_one_set_and_rejects_the_other_with_its_errors() -> None:
    error = SegmentError("NM1", 12, "2010AA", "8", 0, (
        ElementError(9, None, None, "67", "7", 0),))
    text = _999(answer_group("1", "005010X222A1", [accept("0001"), reject("0002", [error])]))
    [ack] = read_999_text(text)
    g = ack.group
    assert (g.functional_id, g.group_control_number, g.version) == ("HC", "1", "005010X222A1")
    # AK9: one of two accepted -> P (partially accepted), counts 2/2/1
    assert (g.code, g.included, g.received, g.accepted_count) == ("P", 2, 2, 1)
    first, second = g.transactions
    assert (first.control_number, first.code, first.accepted) == ("0001", "A", True)
    assert (second.control_number, second.code, second.accepted) == ("0002", "R", False)
    assert second.error_codes == ("5",)
    [seg] = second.segment_errors
    assert (seg.segment_id, seg.position, seg.loop, seg.code) == ("NM1", 12, "2010AA", "8")
    [elem] = seg.elements
    assert (elem.position, elem.element_reference, elem.code) == (9, "67", "7")
    assert ack.envelope.date == date(2026, 4, 1) and ack.findings == ()


def test_999_group_verdicts_follow_the_guide() -> None:
    assert answer_group("1", "v", [accept("1"), accept("2")]).code == "A"
    assert answer_group("1", "v", [accept("1", with_errors=True)]).code == "E"
    assert answer_group("1", "v", [reject("1"), reject("2")]).code == "R"
    rejected = answer_group("1", "v", [reject("1")])
    assert not rejected.accepted  # unnamed sets of a rejected group are rejected too
    assert answer_group("1", "v", [reject("1")], included=3).accepted  # P: the rest accepted


def test_999_context_and_element_positions_read_back() -> None:
    [ack] = read_999_text(_hand("AK1*HC*7*005010X222A1~AK2*837*0003*005010X222A1~"
                                "IK3*CLM*20*2300*8~CTX*CLM01:DC-1001~IK4*5:3*1325*7~"
                                "IK5*R*5~AK9*R*1*1*0"))
    [seg] = ack.group.transactions[0].segment_errors
    assert seg.context == ("CLM01:DC-1001",)
    [elem] = seg.elements
    assert (elem.position, elem.component, elem.repetition) == (5, 3, None)


@pytest.mark.parametrize(("body", "where"), [
    ("AK2*837*0001~IK5*A~AK9*A*1*1*1", "segment 4, AK2"),  # no AK1 before it
    ("AK1*HC*7~AK2*837*0001~AK9*A*1*1*1", "segment 6, AK9"),  # AK2 without its IK5
    ("AK1*HC*7~AK2*837*0001~IK5*A", "SE"),  # no AK9
    ("AK1*HC*7~IK3*NM1*3**8~AK9*R*1*1*0", "segment 5, IK3"),  # IK3 outside an AK2
    ("AK1*HC*7~AK2*837*0001~IK5~AK9*A*1*1*1", "segment 6, IK5"),  # IK5 without a verdict
    ("AK1*HC*7~AK1*HC*8~AK9*A*0*0*0", "segment 5, AK1"),  # a second group in one 999
])
def test_999_broken_structure_is_refused_naming_the_segment(body: str, where: str) -> None:
    with pytest.raises(X12SyntaxError) as info:
        read_999_text(_hand(body), "bad.999")
    assert where in str(info.value) and "bad.999" in str(info.value)


def test_999_not_a_999_is_refused() -> None:
    with pytest.raises(X12SyntaxError, match="ST01 is '837'"):
        read_999_text(_hand("AK1*HC*7~AK9*A*0*0*0", st="ST*837*0001*005010X222A1"))


def test_999_defects_are_findings_and_the_data_is_read() -> None:
    [ack] = read_999_text(_hand("AK1*HC*7~AK2*837*0001~IK5*Q~ZZZ*1~AK9*A*1*2*1"))
    messages = " | ".join(f.describe() for f in ack.findings)
    assert "IK501 'Q'" in messages and "ZZZ" in messages
    assert "AK903 says 1" not in messages  # 1 received, 1 listed: consistent
    assert ack.group.transactions[0].control_number == "0001"


@pytest.mark.parametrize("path", _ack_params("999"))
def test_corpus_999s_read(path: Path | None) -> None:
    assert path is not None
    [ack] = read_999_path(path)
    g = ack.group
    [t] = g.transactions
    if "accepted" in path.name:
        # SOURCES.md: IK5*A, AK9*A, AK1/AK2 name 005010X223A2; IEA02 differs from ISA13
        assert (g.group_control_number, t.control_number, t.code, g.code) == (
            "17456", "0001", "A", "A")
        assert g.version == "005010X223A2"
        assert any(f.segment_id == "IEA" and "ISA13" in f.message for f in ack.findings)
    else:
        # SOURCES.md: IK3*NM*17 (segment error), IK5*R*5, AK9*R
        assert (t.control_number, t.code, t.error_codes, g.code) == ("0028", "R", ("5",), "R")
        [seg] = t.segment_errors
        assert (seg.segment_id, seg.position, seg.code) == ("NM", 17, "1")


# ------------------------------------------------------------------------------ 277CA


def _claim(claim_id: str, *statuses, lines=(), pcn="PCN-1") -> ClaimAck:  # type: ignore[no-untyped-def]
    return ClaimAck(claim_id, tuple(statuses), pcn, "CH-TRACE", DOS, DOS, "1234567893", 0,
                    tuple(lines))


def _277(*claims: ClaimAck) -> str:
    return render_277(list(claims), source=("PR", "MEDICARE PART B", "PI", "12502"),
                      receiver="SPRDERM01", control=9, when=WHEN)


def test_277_claims_statuses_references_and_lines() -> None:
    line = LineAck("HC", "11102", ("59",), Decimal("240"), (status("A7", "453", "", DOS),),
                   "DC-1001-2", DOS, 0)
    text = _277(_claim("DC-1001", status("A7", "562", "85", DOS, Decimal("870")),
                       status("A1", "19", "PR", DOS), lines=[line]),
                _claim("DC-1002", status("A2", "20", "", DOS)))
    [ack] = read_277_text(text)
    assert ack.source is not None and ack.source.entity == "PR" and ack.source.id == "12502"
    assert ack.receiver is not None and ack.receiver.statuses[0].codes[0].text() == "A1:20"
    assert [p.id for p in ack.providers] == ["1234567893"]
    rejected, accepted = ack.claims
    assert rejected.claim_id == "DC-1001" and rejected.rejected and not accepted.rejected
    first, second = rejected.statuses  # several STC per claim, in order
    assert first.codes[0].text() == "A7:562:85" and first.charge == Decimal("870")
    assert first.effective == DOS and first.action == "U"
    assert second.codes[0].text() == "A1:19:PR"
    assert (rejected.payer_claim_number, rejected.clearinghouse_trace) == ("PCN-1", "CH-TRACE")
    assert rejected.service_from == DOS and rejected.provider_id == "1234567893"
    [got] = rejected.lines
    assert (got.code, got.modifiers, got.control_number) == ("11102", ("59",), "DC-1001-2")
    assert got.statuses[0].codes[0].text() == "A7:453" and got.service_date == DOS
    assert ack.findings == ()


def test_277_secondary_status_composites_and_message() -> None:
    text = _277(_claim("DC-9", status("A6", "21", "", DOS)))
    text = text.replace("STC*A6:21*20260320*U~", "STC*A6:21*20260320*U*******A6:164:IL*A6:158:IL*"
                                                  "CHECK ID~")
    [ack] = read_277_text(text)
    [s] = ack.claims[0].statuses
    assert [c.text() for c in s.codes] == ["A6:21", "A6:164:IL", "A6:158:IL"]
    assert s.message == "CHECK ID"


@pytest.mark.parametrize(("old", "new", "where"), [
    ("HL*4*3*PT", "HL*4*3*XX", "HL"),  # unknown level
    ("TRN*2*DC-1", "REF*EA*X", "HL"),  # patient level without TRN: claim unknown
    ("STC*A2:20*20260320*WQ", "STC*:20*20260320*WQ", "STC"),  # no category
])
def test_277_broken_structure_is_refused_naming_the_segment(old: str, new: str,
                                                            where: str) -> None:
    text = _277(_claim("DC-1", status("A2", "20", "", DOS))).replace(old, new)
    with pytest.raises(X12SyntaxError) as info:
        read_277_text(text, "bad.277")
    assert f", {where}" in str(info.value) and "bad.277" in str(info.value)


def test_277_service_line_outside_a_patient_level_is_refused() -> None:
    text = _277(_claim("DC-1", status("A2", "20", "", DOS))).replace(
        "TRN*1*9-3~", "TRN*1*9-3~SVC*HC:99213*100~")
    with pytest.raises(X12SyntaxError, match="SVC.*billing provider"):
        read_277_text(text)


def test_277_defects_are_findings() -> None:
    text = _277(_claim("DC-1", status("A2", "20", "", DOS))).replace(
        "STC*A2:20*20260320", "STC*A2:20*20261399").replace("HL*4*3*PT", "HL*4*8*PT")
    [ack] = read_277_text(text)
    messages = " | ".join(f.describe() for f in ack.findings)
    assert "STC02 is not a date" in messages and "HL02 names parent '8'" in messages
    assert ack.claims[0].claim_id == "DC-1"


@pytest.mark.parametrize("path", _ack_params("277CA"))
def test_corpus_277cas_read(path: Path | None) -> None:
    assert path is not None
    [ack] = read_277_path(path)
    [claim] = ack.claims
    assert ack.receiver is not None and ack.receiver.statuses[0].category == "A1"
    if "accepted" in path.name:
        # SOURCES.md: one claim (TRN*2 5781) accepted for adjudication, STC*A2:20, REF*1K
        assert claim.claim_id == "5781" and not claim.rejected
        assert claim.statuses[0].codes[0].text() == "A2:20"
        assert claim.payer_claim_number == "1107000000014420"
        assert claim.service_from is None  # DTP*472 10010101 is a placeholder
    else:
        # SOURCES.md: component separator |, batch A1:20, claim 3920394930203 rejected
        # STC*A7|562|85 (entity's NPI invalid), REF*1K, REF*BLT
        assert claim.claim_id == "3920394930203" and claim.rejected
        assert claim.statuses[0].codes[0].text() == "A7:562:85"
        assert claim.payer_claim_number == "1107000000001120" and claim.bill_type == "731"


def test_the_corpus_holds_the_four_ack_files() -> None:
    files = corpus_files("ack")
    if not files:
        pytest.skip("no ../shared/x12-corpus/ack")
    assert len([f for f in files if f.suffix == ".txt"]) == 4
