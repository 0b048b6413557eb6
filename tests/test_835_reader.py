"""The 835 reader on hand-written remittances: every loop and element the model holds,
streaming order, balancing findings, tolerated defects, and errors with their place."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi.errors import X12SyntaxError
from edi.x835.model import (
    ClaimPayment,
    FindingKind,
    RemittanceHeader,
    RemittanceTrailer,
)
from edi.x835.reader import iter_835_text, read_835_text

ISA = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         "
       "*260115*1200*^*00501*000000007*0*P*:")
HEADER = [
    "BPR*I*{paid}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260120",
    "TRN*1*EFT0001*1512345678",
    "REF*EV*CLINIC",
    "DTM*405*20260118",
    "N1*PR*MEDICARE PART B",
    "N3*PO BOX 1*SUITE 2",
    "N4*NASHVILLE*TN*37202",
    "PER*BL*EDI*TE*8005551212",
    "N1*PE*DERM CLINIC*XX*1234567893",
    "N4*AUSTIN*TX*787010001",
    "REF*TJ*741234567",
]
CLAIM_1 = [
    "LX*1",
    "CLP*E100*1*470*150*20*MB*PCN100*11*1",
    "CAS*OA*23*10",
    "NM1*QC*1*DOE*JANE*Q***MI*MBI123",
    "NM1*82*1*SKIN*DOC****XX*1234567893",
    "MOA***MA01*N19",
    "REF*EA*MRN1",
    "DTM*050*20260116",
    "AMT*AU*460",
    "SVC*HC:99213:25*120*0**1",
    "DTM*472*20260105",
    "CAS*CO*97*120",
    "REF*6R*E100-1",
    "LQ*HE*M15",
    "SVC*HC:17004*200*80**1*HC:17003*14",
    "DTM*472*20260105",
    "CAS*CO*45*100*1*59*0**253*0",
    "CAS*PR*2*20",
    "REF*6R*E100-2",
    "REF*LU*11",
    "AMT*B6*100",
    "QTY*ZL*1",
    "SVC*HC:11102*150*70**1",
    "DTM*150*20260105",
    "DTM*151*20260106",
    "CAS*CO*45*1*1*45*2*1*45*3*1*45*4*1*45*5*1*45*65*1",
    "REF*6R*E100-3",
]
REVERSAL = [
    "CLP*E090*22*-200*-150*0*MB*PCN090",
    "CAS*CO*45*-50",
    "NM1*QC*1*DOE*JANE****MI*MBI123",
    "CLP*E090*1*200*120*0*MB*PCN091",
    "CAS*CO*45*80",
    "NM1*QC*1*DOE*JANE****MI*MBI123",
]
PLB = "PLB*1234567893*20261231*WO:OVERPAY1*15*L6:INT*-1.25*FB:REF9*2"


def make(body: list[str], paid: str = "104.25", *, sep: str = "*", comp: str = ":",
         term: str = "~", newline: str = "\n", st_count: int = 1) -> str:
    """A complete interchange around `body` (the segments after ST), counts right."""
    segments = [ISA, "GS*HP*PAYER*CLINIC*20260115*1200*7*X*005010X221A1"]
    for n in range(st_count):
        control = f"{n + 1:04d}"
        st = [f"ST*835*{control}", *[s.format(paid=paid) for s in body]]
        segments += [*st, f"SE*{len(st) + 1}*{control}"]
    segments += [f"GE*{st_count}*7", "IEA*1*000000007"]
    text = (term + newline).join(segments) + term + newline
    return text.translate(str.maketrans({"*": sep, ":": comp}))


FULL = [*HEADER, *CLAIM_1, *REVERSAL, PLB]


def test_streaming_order_header_claims_trailer() -> None:
    items = list(iter_835_text(make(FULL)))
    assert [type(i) for i in items] == [RemittanceHeader, ClaimPayment, ClaimPayment,
                                        ClaimPayment, RemittanceTrailer]


def test_header_payer_payee_envelope() -> None:
    (r,) = read_835_text(make(FULL))
    h = r.header
    assert h.envelope.sender_id == "PAYER" and h.envelope.interchange_control_number == "000000007"
    assert h.envelope.version == "005010X221A1" and h.envelope.group_control_number == "7"
    assert h.control_number == "0001" and h.segment_number == 3
    p = h.payment
    assert (p.handling_code, p.amount, p.credit_debit, p.method, p.format) == (
        "I", Decimal("104.25"), "C", "ACH", "CCP")
    assert p.date == date(2026, 1, 20)
    assert (p.trace_number, p.payer_identifier) == ("EFT0001", "1512345678")
    assert h.receiver_id == "CLINIC" and h.production_date == date(2026, 1, 18)
    assert h.payer.name == "MEDICARE PART B" and h.payer.address == ("PO BOX 1", "SUITE 2")
    assert h.payer.contacts == (("BL", "EDI", "TE", "8005551212"),)
    assert (h.payee.id_qualifier, h.payee.id, h.payee.zip) == ("XX", "1234567893", "787010001")
    assert h.payee.references[0].value == "741234567"


def test_claim_with_claim_and_line_level_cas_and_everything_else() -> None:
    (r,) = read_835_text(make(FULL))
    c = r.claims[0]
    assert (c.patient_control_number, c.status, c.charge, c.paid, c.patient_responsibility,
            c.filing_indicator, c.payer_claim_number, c.facility_code, c.frequency) == (
        "E100", "1", Decimal(470), Decimal(150), Decimal(20), "MB", "PCN100", "11", "1")
    assert [(a.group, a.reason, a.amount) for a in c.adjustments] == [("OA", "23", Decimal(10))]
    assert c.name("QC") is not None and c.name("QC").id == "MBI123"  # type: ignore[union-attr]
    assert c.name("82").last_or_org == "SKIN"  # type: ignore[union-attr]
    assert [m.code for m in c.remarks] == ["MA01", "N19"]
    assert c.outpatient == ("", "", "MA01", "N19")
    assert c.references[0].qualifier == "EA" and c.dates[0].value == date(2026, 1, 16)
    assert c.amounts[0].amount == Decimal(460)
    em, destruction, biopsy = c.service_lines
    assert (em.qualifier, em.code, em.modifiers, em.control_number) == (
        "HC", "99213", ("25",), "E100-1")
    assert em.remarks[0].code == "M15" and em.service_date == date(2026, 1, 5)
    assert em.segment_number == 24
    # SVC06/SVC07 recode: billed 17003 x14, paid as 17004
    assert (destruction.code, destruction.original_code, destruction.original_units) == (
        "17004", "17003", Decimal(14))
    assert destruction.submitted_code == "17003"
    assert [(a.group, a.reason, a.amount, a.quantity) for a in destruction.adjustments] == [
        ("CO", "45", Decimal(100), Decimal(1)), ("CO", "59", Decimal(0), None),
        ("CO", "253", Decimal(0), None), ("PR", "2", Decimal(20), None)]
    assert destruction.allowed == Decimal(100)
    assert destruction.references[0].qualifier == "LU"
    assert destruction.quantities[0].qualifier == "ZL"
    assert len(biopsy.adjustments) == 6  # all six triplets of one CAS
    assert biopsy.service_date == date(2026, 1, 5)
    assert [d.qualifier for d in biopsy.dates] == ["150", "151"]


def test_reversal_pair_kept_as_such() -> None:
    (r,) = read_835_text(make(FULL))
    reversal, corrected = r.claims[1:]
    assert reversal.is_reversal and reversal.paid == Decimal(-150)
    assert not corrected.is_reversal and corrected.payer_claim_number == "PCN091"
    assert reversal.patient_control_number == corrected.patient_control_number


def test_plb_with_several_pairs_and_trailer_totals() -> None:
    (r,) = read_835_text(make(FULL))
    (plb,) = r.provider_adjustments
    assert plb.provider_id == "1234567893" and plb.fiscal_period_end == date(2026, 12, 31)
    assert [(i.reason, i.reference, i.amount) for i in plb.items] == [
        ("WO", "OVERPAY1", Decimal(15)), ("L6", "INT", Decimal("-1.25")),
        ("FB", "REF9", Decimal(2))]
    t = r.trailer
    assert t is not None
    assert (t.claim_count, t.line_count, t.total_paid) == (3, 3, Decimal(120))
    assert t.total_adjusted == Decimal(10 + 120 + 100 + 20 + 80) + Decimal(-50) + Decimal(80)
    assert t.segment_count == len(FULL) + 2
    # 104.25 = 120 - (15 - 1.25 + 2): the transaction balances; the claim E100 does not
    assert [f.kind for f in r.findings] == [FindingKind.CLAIM_OUT_OF_BALANCE]


def test_balancing_findings_line_claim_transaction_and_debit() -> None:
    body = [*HEADER, "LX*1", "CLP*X1*1*100*60*0*MB*P1", "SVC*HC:11102*100*60**1",
            "CAS*CO*45*30"]
    (r,) = read_835_text(make(body, paid="70"))
    kinds = [(f.kind, f.difference, f.claim) for f in r.findings]
    assert (FindingKind.LINE_OUT_OF_BALANCE, Decimal(10), "X1") in kinds
    assert (FindingKind.CLAIM_OUT_OF_BALANCE, Decimal(10), "X1") in kinds
    assert (FindingKind.TRANSACTION_OUT_OF_BALANCE, Decimal(10), None) in kinds
    # BPR03 = D: the amount counts as negative
    debit = [*HEADER, "LX*1", "CLP*X2*22*-100*-60*0*MB*P2", "CAS*CO*45*-40"]
    text = make(debit, paid="60").replace("BPR*I*60*C*", "BPR*I*60*D*")
    (r2,) = read_835_text(text)
    assert r2.findings == ()


@pytest.mark.parametrize(
    ("layout", "options"),
    [("no-newlines", {"newline": ""}), ("crlf", {"newline": "\r\n"}),
     ("pipes", {"sep": "|", "comp": ">", "term": "~"}),
     ("tilde-elements", {"sep": "~", "comp": "^", "term": "_", "newline": ""}),
     ("cr-terminator", {"term": "\r", "newline": "\n"})],
)
def test_layouts_read_the_same(layout: str, options: dict[str, str]) -> None:
    assert read_835_text(make(FULL, **options)) == read_835_text(make(FULL))


def test_several_st_in_one_gs_and_two_interchanges() -> None:
    text = make(FULL, st_count=3)
    remits = read_835_text(text)
    assert [r.header.control_number for r in remits] == ["0001", "0002", "0003"]
    assert all(r.trailer and r.trailer.claim_count == 3 for r in remits)
    second = make(FULL, sep="|", comp=">").replace("000000007", "000000008")
    both = read_835_text(make(FULL) + second)
    assert [r.header.envelope.interchange_control_number for r in both] == [
        "000000007", "000000008"]
    assert both[0].claims == both[1].claims


def test_tolerated_defects_are_findings() -> None:
    body = [*HEADER, "LX*1", "CLP*D1*1*100*100*0*MB*P1", "SVC*HC>11102*100*100**1",
            "DTM*472*20262301", "CAS*CR*45*0", "ZZZ*UNKNOWN"]
    body[7] = "PER*CX*CALL US"  # no PER*BL
    (r,) = read_835_text(make(body, paid="100"))
    messages = [f.message for f in r.findings if f.kind is FindingKind.DEFECT]
    assert any("ISA16" in m for m in messages)
    assert any("DTM02 is not a date" in m for m in messages)
    assert any("'CR'" in m for m in messages)
    assert any("PER*BL" in m for m in messages)
    assert any("ZZZ" in m for m in messages)
    line = r.claims[0].service_lines[0]
    assert line.code == "11102" and line.dates[0].value is None and line.dates[0].raw == "20262301"
    assert line.adjustments[0].group == "CR"


# ---- errors: one X12SyntaxError naming segment number, ID and loop ----
def error(text: str) -> X12SyntaxError:
    with pytest.raises(X12SyntaxError) as info:
        read_835_text(text, "bad.835")
    return info.value


def test_svc_before_any_clp() -> None:
    body = [*HEADER, "LX*1", "SVC*HC:11102*100*100**1"]
    exc = error(make(body))
    assert (exc.segment_number, exc.segment_id, exc.loop) == (16, "SVC", "2000")
    assert "must follow" in exc.message and "2100" in exc.message
    assert str(exc).startswith("bad.835, segment 16, SVC")


def test_clp_before_st_is_outside_a_transaction() -> None:
    text = make(FULL).replace("ST*835*0001~", "CLP*A*1*1*1*0*MB*P~ST*835*0001~")
    exc = error(text)
    assert (exc.segment_number, exc.segment_id) == (3, "CLP")


@pytest.mark.parametrize(
    ("body", "number", "sid", "words"),
    [
        ([*HEADER[:4], "CAS*CO*45*10", *HEADER[4:]], 8, "CAS", "cannot appear"),
        ([*HEADER, "LX*1", "CLP*A*1*abc*0*0*MB*P"], 16, "CLP", "CLP03 is not a number"),
        ([*HEADER, "LX*1", "CLP*A*1*10*10*0*MB*P", "CAS*CO"], 17, "CAS", "no reason code"),
        ([*HEADER[1:], "LX*1"], 14, "LX", "no BPR"),
        ([*HEADER[:8], "LX*1"], 12, "LX", "N1*PE"),
        ([*HEADER, "PLB*1*20261231"], 15, "PLB", "no adjustment reason"),
        ([*HEADER, "LX*1", "CLP*A*1*10*10*0*MB*P", "N1*PR*X"], 17, "N1", "cannot appear"),
    ],
    ids=["cas-in-header", "amount-not-number", "cas-without-pair", "no-bpr", "no-payee",
         "plb-without-pairs", "n1-in-claim"],
)
def test_structure_errors(body: list[str], number: int, sid: str, words: str) -> None:
    exc = error(make(body))
    assert (exc.segment_number, exc.segment_id) == (number, sid)
    assert words in exc.message


def test_not_an_835() -> None:
    exc = error(make(FULL).replace("ST*835*", "ST*837*"))
    assert exc.segment_id == "ST" and "835" in exc.message


def test_se02_mismatch_is_a_defect_unless_strict() -> None:
    text = make(FULL).replace(f"SE*{len(FULL) + 2}*0001", f"SE*{len(FULL) + 2}*9999")
    (r,) = read_835_text(text)
    assert any(f.segment_id == "SE" and "SE02" in f.message for f in r.findings)
    with pytest.raises(X12SyntaxError):
        read_835_text(text, strict=True)


def test_every_truncation_is_an_x12_error_never_a_crash() -> None:
    text = make(FULL, newline="")
    for cut in range(0, len(text) - 1, 3):
        try:
            read_835_text(text[:cut])
        except X12SyntaxError:
            continue
        pytest.fail(f"cut at {cut} read without error")


# ---- fuzzing: any damage gives a finding or an X12SyntaxError, never another exception ----

_GARBAGE = st.sampled_from(["", "X", "-", "1.2.3", "99999999", ":", ">", "HC:", "20261399"])


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_damaged_segments_never_crash_the_reader(data: st.DataObject) -> None:
    body = [segment.format(paid="104.25") for segment in FULL]
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(body) - 1))
        elements = body[i].split("*")
        action = data.draw(st.sampled_from(["drop", "copy", "cut", "garbage", "move"]))
        if action == "drop":
            del body[i]
        elif action == "copy":
            body.insert(i, body[i])
        elif action == "cut":
            body[i] = "*".join(elements[: data.draw(st.integers(1, len(elements)))])
        elif action == "garbage":
            j = data.draw(st.integers(1, max(1, len(elements) - 1))) if len(elements) > 1 else 0
            if j:
                elements[j] = data.draw(_GARBAGE)
                body[i] = "*".join(elements)
        else:
            body.insert(data.draw(st.integers(0, len(body))), body.pop(i))
        if not body:
            body = [HEADER[0]]
    try:
        remits = read_835_text(make([b.replace("{", "(") for b in body]))
    except X12SyntaxError as exc:
        assert exc.segment_number is None or exc.segment_number >= 1
        return
    for r in remits:
        assert r.trailer is not None
