"""The 837P as written: loops, segments and elements for each scenario the issue names,
each validated by pyx12 (zero errors) and our own checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from claim_builders import (
    claim,
    kenalog,
    line,
    render,
    rendering,
    segments,
    spouse_subscriber,
)
from hypothesis import given
from hypothesis import strategies as st

from edi.validate import segment_loops, validate_text


def _clean(text: str) -> None:
    report = validate_text(text, "test.837")
    assert report.ok, [f.describe() for f in report.findings]
    assert report.findings == ()


def test_envelope_fixed_width_isa_and_counts() -> None:
    text = render([claim()]).text
    segs = segments(text)
    isa = text.split("~")[0]
    assert len(isa) == 105 and text[105] == "~"
    assert isa.startswith("ISA*00*          *00*          *ZZ*SPRDERM01      *ZZ*EXCLEARINGHSE  ")
    assert isa.endswith("*260305*0930*^*00501*000000001*0*P*:")
    assert segs[1] == "GS*HC*SPRDERM01*12502*20260305*0930*1*X*005010X222A1"
    assert segs[2] == "ST*837*0001*005010X222A1"
    assert segs[3] == "BHT*0019*00*0000000010001*20260305*0930*CH"
    se = next(s for s in segs if s.startswith("SE*"))
    st_index, se_index = segs.index("ST*837*0001*005010X222A1"), segs.index(se)
    assert se == f"SE*{se_index - st_index + 1}*0001"
    assert segs[-2:] == ["GE*1*1", "IEA*1*000000001"]
    assert text.endswith("~\n")
    _clean(text)


def test_patient_is_subscriber() -> None:
    segs = segments(render([claim()]).text)
    assert "HL*2*1*22*0" in segs
    assert "SBR*P*18*******MB" in segs
    assert "NM1*IL*1*OKAFOR*RUTH****MI*1EG4TE5MK73" in segs
    assert "DMG*D8*19480614*F" in segs
    assert not any(s.startswith("PAT*") for s in segs)
    assert "NM1*PR*2*MEDICARE PART B*****PI*12502" in segs
    assert "CLM*DC-1*460***11:B:1*Y*A*Y*Y" in segs
    assert "HI*ABK:L570*ABF:D485" in segs


@pytest.mark.parametrize(("relationship", "code"), [("spouse", "01"), ("child", "19"),
                                                    ("other", "G8")])
def test_patient_is_not_subscriber(relationship: str, code: str) -> None:
    sub = spouse_subscriber()
    c = claim(payer="commercial", subscriber=type(sub)(sub.person, relationship))
    text = render([c]).text
    segs = segments(text)
    i = segs.index("HL*2*1*22*1")  # HL04 1: a 2000C child follows
    assert segs[i + 1] == "SBR*P********CI"  # SBR02 empty, SBR09 from the guide
    assert segs[i + 2] == "NM1*IL*1*OKAFOR*JAMES****MI*W123456789"
    # the subscriber's N3/N4/DMG are sent only when the subscriber is the patient
    # (X12 RFI 2281): the patient's address and demographics go in 2010CA
    assert segs[i + 3].startswith("NM1*PR*2*COMMERCIAL HEALTH PLAN")
    assert segs[i + 4] == "HL*3*2*23*0"
    assert segs[i + 5] == f"PAT*{code}"
    assert segs[i + 6] == "NM1*QC*1*OKAFOR*RUTH"
    assert segs[i + 7:i + 10] == ["N3*418 JUNIPER LN", "N4*AUSTIN*TX*78704",
                                  "DMG*D8*19480614*F"]
    _clean(text)
    loops = segment_loops(text)
    assert ("2000C", f"PAT*{code}") in loops
    assert ("2010CA", "NM1*QC*1*OKAFOR*RUTH") in loops


def test_rendering_provider_when_documented() -> None:
    text = render([claim(rendering_provider=rendering())]).text
    segs = segments(text)
    hi = segs.index("HI*ABK:L570*ABF:D485")
    assert segs[hi + 1] == "NM1*82*1*LINDQVIST*MAREN****XX*1245319599"
    assert segs[hi + 2] == "LX*1"
    _clean(text)
    assert ("2310B", "NM1*82*1*LINDQVIST*MAREN****XX*1245319599") in segment_loops(text)
    assert not any(s.startswith("NM1*82") for s in segments(render([claim()]).text))


def test_replacement_claim_with_prior_auth() -> None:
    c = claim(payer="commercial", frequency="7", payer_claim_number="2026030512345",
              prior_authorization="PA778812")
    text = render([c]).text
    segs = segments(text)
    i = segs.index("CLM*DC-1*460***11:B:7*Y*A*Y*Y")
    assert segs[i + 1:i + 4] == ["REF*G1*PA778812", "REF*F8*2026030512345",
                                 "HI*ABK:L570*ABF:D485"]
    _clean(text)
    assert ("2300", "REF*F8*2026030512345") in segment_loops(text)


def test_service_lines_and_drug_with_ndc_for_commercial() -> None:
    lines = (line(1, "11900", "140", ptrs=(1,)),
             line(2, "J3301", "16", units=4, ptrs=(1,), drug=kenalog()))
    text = render([claim(payer="commercial", diagnoses=("L910",), lines=lines)]).text
    segs = segments(text)
    i = segs.index("SV1*HC:J3301*16*UN*4***1")
    assert segs[i - 1] == "LX*2"
    assert segs[i + 1:i + 5] == ["DTP*472*D8*20260302", "REF*6R*DC-1-2",
                                 "LIN**N4*00003029328", "CTP****1*ML"]
    assert "SV1*HC:11900*140*UN*1***1" in segs
    assert "CLM*DC-1*156***11:B:1*Y*A*Y*Y" in segs
    _clean(text)
    loops = segment_loops(text)
    assert ("2410", "LIN**N4*00003029328") in loops
    assert ("2410", "CTP****1*ML") in loops
    assert ("2400", "REF*6R*DC-1-2") in loops
    assert ("2400", "SV1*HC:J3301*16*UN*4***1") in loops


def test_medicare_guide_never_asks_for_ndc() -> None:
    lines = (line(1, "J3301", "16", units=4, drug=kenalog()),)
    segs = segments(render([claim(diagnoses=("L910",), lines=lines)]).text)
    assert not any(s.startswith("LIN") for s in segs)


def test_modifiers_pointers_and_amount_format() -> None:
    lines = (line(1, "11102", "240.50", mods=("XS", "LT"), ptrs=(2, 1)),
             line(2, "17003", "18", units=12, ptrs=(1,)))
    text = render([claim(lines=lines)]).text
    segs = segments(text)
    assert "SV1*HC:11102:XS:LT*240.5*UN*1***2:1" in segs
    assert "SV1*HC:17003*18*UN*12***1" in segs
    assert "CLM*DC-1*258.5***11:B:1*Y*A*Y*Y" in segs
    _clean(text)


def test_billing_provider_loop() -> None:
    segs = segments(render([claim()]).text)
    i = segs.index("HL*1**20*1")
    assert segs[i + 1:i + 6] == [
        "PRV*BI*PXC*207N00000X",
        "NM1*85*2*SPRINGFIELD DERMATOLOGY ASSOCIATES PC*****XX*1234567893",
        "N3*1200 S 6TH ST*SUITE 300", "N4*SPRINGFIELD*IL*627031234", "REF*EI*371234567"]
    assert "NM1*41*2*SPRINGFIELD DERMATOLOGY ASSOCIATES*****46*SPRDERM01" in segs
    assert "PER*IC*BILLING OFFICE*TE*2175550100*EM*billing@springfield-derm.example" in segs
    assert "NM1*40*2*NOVITAS SOLUTIONS*****46*12502" in segs


def test_one_group_per_receiver_one_transaction_per_payer() -> None:
    claims = [claim("DC-1", "medicare"), claim("DC-2", "commercial"), claim("DC-3", "medicare")]
    text = render(claims).text
    segs = segments(text)
    assert [s for s in segs if s.startswith(("GS*", "ST*"))] == [
        "GS*HC*SPRDERM01*12502*20260305*0930*1*X*005010X222A1",
        "ST*837*0001*005010X222A1",
        "GS*HC*SPRDERM01*CLEARINGHOUSE*20260305*0930*2*X*005010X222A1",
        "ST*837*0002*005010X222A1",
    ]
    # receivers in sorted order, each payer's claims in input order
    assert [s.split("*")[1] for s in segs if s.startswith("CLM")] == ["DC-1", "DC-3", "DC-2"]
    assert segs[-1] == "IEA*2*000000001"
    _clean(text)


def test_no_newlines() -> None:
    text = render([claim()], newlines=False).text
    assert "\n" not in text and text.endswith("~")
    _clean(text)


def test_fifty_one_lines_split_into_two_claims() -> None:
    lines = tuple(line(n, "11102" if n == 1 else "11103", "240" if n == 1 else "135",
                       ptrs=(2,), procedure=n) for n in range(1, 52))
    c = claim(lines=lines)
    text = render([c]).text
    segs = segments(text)
    clms = [s for s in segs if s.startswith("CLM")]
    assert clms == ["CLM*DC-1-P1*6855***11:B:1*Y*A*Y*Y", "CLM*DC-1-P2*135***11:B:1*Y*A*Y*Y"]
    assert sum(1 for s in segs if s.startswith("LX*")) == 51
    # each part gets only the diagnoses its lines use, re-pointered; the unused L57.0
    # fills a spare HI slot of the first part
    his = [s for s in segs if s.startswith("HI*")]
    assert his == ["HI*ABK:L570*ABF:D485", "HI*ABK:D485"]
    second = segs[segs.index(clms[1]):]
    assert "LX*1" in second and "SV1*HC:11103*135*UN*1***1" in second
    assert "REF*6R*DC-1-51" in second  # line control numbers never change
    _clean(text)


def test_thirteen_diagnoses_split_and_repointered() -> None:
    dx = ("L570", "D485", "D492", "L821", "D225", "D235", "B078", "B070", "L918", "L309",
          "L400", "L700", "L219")
    lines = tuple(line(n, "99213" if n == 1 else "11102" if n == 2 else "11103",
                       "100", ptrs=(n,), procedure=n) for n in range(1, 14))
    c = claim(diagnoses=dx, lines=lines)
    text = render([c]).text
    segs = segments(text)
    his = [s for s in segs if s.startswith("HI*")]
    assert len(his) == 2
    assert his[0].count(":") == 12 and his[1] == "HI*ABK:L219"
    assert [s for s in segs if s.startswith("CLM")][1] == "CLM*DC-1-P2*100***11:B:1*Y*A*Y*Y"
    part2 = segs[segs.index("HI*ABK:L219"):]
    assert "SV1*HC:11103*100*UN*1***1" in part2
    _clean(text)


def test_split_keeps_addon_with_its_primary() -> None:
    # 49 single lines, then a primary + add-on from one procedure: the pair moves together
    lines = tuple(line(n, "11102", "240", procedure=n) for n in range(1, 50))
    lines += (line(50, "17000", "170", procedure=60), line(51, "17003", "18", units=3,
                                                           procedure=60))
    segs = segments(render([claim(lines=lines)]).text)
    clm2 = segs.index(next(s for s in segs if s.startswith("CLM*DC-1-P2")))
    assert [s for s in segs[clm2:] if s.startswith("SV1")] == [
        "SV1*HC:17000*170*UN*1***1", "SV1*HC:17003*18*UN*3***1"]


def test_total_is_exact_sum_of_line_charges() -> None:
    lines = tuple(line(n, "11103", "0.10", procedure=n) for n in range(1, 31))
    segs = segments(render([claim(lines=lines)]).text)
    assert "CLM*DC-1*3***11:B:1*Y*A*Y*Y" in segs
    total = sum(Decimal(s.split("*")[2]) for s in segs if s.startswith("SV1"))
    assert total == Decimal("3")


def test_names_lose_delimiters_and_lower_case() -> None:
    c = claim()
    import attrs

    odd = attrs.evolve(c.encounter.patient, last_name="o'brien*smith~jr", first_name="ann:e")
    text = render([attrs.evolve(c, encounter=attrs.evolve(c.encounter, patient=odd))]).text
    assert "NM1*IL*1*O'BRIEN SMITH JR*ANN E****MI*1EG4TE5MK73" in segments(text)
    _clean(text)


def test_void_claim_carries_frequency_8_and_ref_f8() -> None:
    c = claim(payer="commercial", frequency="8", payer_claim_number="2026030599999")
    text = render([c]).text
    segs = segments(text)
    i = segs.index("CLM*DC-1*460***11:B:8*Y*A*Y*Y")
    assert segs[i + 1] == "REF*F8*2026030599999"
    _clean(text)


def test_billing_provider_as_a_person() -> None:
    import attrs
    from claim_builders import NOW, practice

    from companion_guides import get_guide
    from edi.x837p.envelope import ControlNumbers, plan
    from edi.x837p.split import split_claim
    from edi.x837p.writer import render_interchange

    p = practice()
    solo = attrs.evolve(p, billing_provider=attrs.evolve(p.billing_provider, name="LINDQVIST",
                                                         first_name="MAREN"))
    groups = plan([(get_guide("medicare"), split_claim(claim())[0])])
    text = render_interchange(groups, solo, ControlNumbers(1, (1,), (1,)), NOW,
                              receiver=("ZZ", "EXCLEARINGHSE"), usage="P").text
    assert "NM1*85*1*LINDQVIST*MAREN****XX*1234567893" in segments(text)
    _clean(text)


@given(st.dates())
def test_d8_dates_are_written_as_strftime_writes_them(day: date) -> None:
    from edi.x837p.writer import _d8

    assert _d8(day) == day.strftime("%Y%m%d")
