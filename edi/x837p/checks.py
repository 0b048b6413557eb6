"""Our own 837P checks: what pyx12 4.0 lets through (see reference/pyx12-notes.md).

Two layers:
- `claim_problems(claim, guide, now)` runs BEFORE writing: a claim with a problem is held
  back with the reasons (never written half-right). It is the only place that knows why a
  claim cannot go out (no fee, a bad NPI check digit, a dotted ICD-10, a pointer past the
  diagnoses, zero units, a 10-digit NDC, a missing REF*F8 on a replacement...).
- `check_text(text)` runs AFTER writing, on the X12 itself, and is what `dermclaim validate`
  adds to pyx12 for any 837P (ours or not): HL parent/child flags, SBR02 against 2000C,
  CLM02 = sum of SV102, pointers past HI, ICD-10 form, NPI check digits, 9-digit billing
  ZIP, 11-digit NDC, zero units, ST03, unique CLM01 and REF*6R, a PO Box in 2010AA N3,
  a Medicare (SBR09 MB) subscriber id that is not an MBI (party_checks.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from attrs import frozen

from coding.model import CodedClaim
from companion_guides import Guide
from edi.practice import npi_is_valid
from edi.x837p.party_checks import is_mbi, is_po_box, party_problems

__all__ = ["TextProblem", "claim_problems", "check_text", "RELATIONSHIP_CODES",
           "needs_ndc", "MODIFIERS"]

# 2000C PAT01 individual relationship codes for the relationships an encounter documents.
RELATIONSHIP_CODES: dict[str, str] = {"spouse": "01", "child": "19", "other": "G8"}

# CPT and HCPCS level II modifiers a dermatology claim can carry (AMA CPT Appendix A; CMS
# HCPCS modifier file). A two-character string outside this set (e.g. "XX") is a typo that
# pyx12 would let through and the payer would reject.
MODIFIERS: frozenset[str] = frozenset(
    "22 24 25 26 27 32 33 47 50 51 52 53 54 55 56 57 58 59 62 66 73 74 76 77 78 79 80 81 82 "
    "90 91 92 95 96 97 99 AQ AS CR CS E1 E2 E3 E4 F1 F2 F3 F4 F5 F6 F7 F8 F9 FA FX FY GA GC "
    "GJ GQ GT GU GV GW GX GY GZ JW JZ JG JB KX LC LD LM LT Q5 Q6 QW RC RI RT SA SB SG TA T1 "
    "T2 T3 T4 T5 T6 T7 T8 T9 TC XE XP XS XU".split()
)
ICD10 = re.compile(r"[A-TV-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?")
NDC_UNITS = ("F2", "GR", "ME", "ML", "UN")
CLAIM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{0,19}")


def needs_ndc(code: str, guide: Guide) -> bool:
    """Whether this payer wants loop 2410 (LIN*N4/CTP) on a line with this code."""
    if guide.ndc_required == "never":
        return False
    if guide.ndc_required == "j_codes":
        return code.startswith("J")
    return code[:1] in ("J", "Q")  # all_drugs: HCPCS drug codes (J, and Q biologicals)


def claim_problems(claim: CodedClaim, guide: Guide, now: datetime | None = None) -> list[str]:
    """Why `claim` cannot be written as it stands; [] when it can."""
    enc = claim.encounter
    out = [f"{f.code}: {f.message}" for f in claim.findings if f.severity.value == "error"]
    if not CLAIM_ID.fullmatch(enc.claim_id):
        out.append("claim id must be 1-20 letters, digits or hyphens (CLM01)")
    if not claim.lines:
        out.append("no billable service lines")
    if not claim.diagnoses:
        out.append("no diagnosis (HI needs at least one)")
    for dx in claim.diagnoses:
        if not ICD10.fullmatch(dx):
            out.append(f"diagnosis {dx!r} is not an ICD-10-CM code without a dot")
    if enc.frequency not in ("1", "7", "8"):
        out.append(f"frequency {enc.frequency!r} must be 1, 7 or 8 (CLM05-3)")
    if enc.frequency in ("7", "8") and not enc.payer_claim_number:
        out.append("a replacement (7) or void (8) needs the payer's claim number (REF*F8)")
    if not re.fullmatch(r"\d{2}", enc.place_of_service):
        out.append(f"place of service {enc.place_of_service!r} must be 2 digits")
    if now is not None and enc.date_of_service > now.date():
        out.append(f"date of service is after the file date {now.date()}")
    if enc.subscriber and guide.is_medicare:
        out.append("Medicare: the beneficiary is always the subscriber (SBR02 18); the "
                   "encounter names another subscriber")
    out += _coverage_problems(claim, guide)
    if enc.subscriber and enc.subscriber.relationship not in RELATIONSHIP_CODES:
        out.append(f"subscriber relationship {enc.subscriber.relationship!r} must be one of "
                   f"{', '.join(RELATIONSHIP_CODES)}")
    for who, person in (("patient", enc.patient), ("subscriber", enc.insured)):
        if person.sex not in ("F", "M", "U"):
            out.append(f"{who} sex must be F, M or U")
        if not person.member_id or len(person.member_id) > 80:
            out.append(f"{who} member id must be 1-80 characters")
    if enc.rendering_provider and not npi_is_valid(enc.rendering_provider.npi):
        out.append("rendering provider NPI fails the check digit (Luhn over 80840 + 9 digits)")
    engine_no_fee = any(f.code == "NO_FEE" for f in claim.findings)  # already a reason
    seen_lcn: set[str] = set()
    for line in claim.lines:
        where = f"line {line.line} ({line.code})"
        if not re.fullmatch(r"[A-Z0-9]{5}", line.code):
            out.append(f"{where}: procedure code must be 5 letters or digits")
        if line.charge is None:
            if not engine_no_fee:
                out.append(f"{where}: no fee for {line.code} in the practice file")
        elif line.charge <= 0:
            out.append(f"{where}: charge must be greater than 0")
        if line.units < 1:
            out.append(f"{where}: units must be at least 1")
        if len(line.modifiers) > 4:
            out.append(f"{where}: at most 4 modifiers (SV101-3 to -6)")
        for mod in line.modifiers:
            if mod not in MODIFIERS:
                out.append(f"{where}: {mod!r} is not a CPT/HCPCS modifier")
        ptrs = line.diagnosis_pointers
        if not ptrs or len(ptrs) > 4 or len(set(ptrs)) != len(ptrs):
            out.append(f"{where}: 1 to 4 distinct diagnosis pointers (SV107)")
        if any(p < 1 or p > len(claim.diagnoses) for p in ptrs):
            out.append(f"{where}: a diagnosis pointer is past the {len(claim.diagnoses)} "
                       "diagnoses")
        if line.line_control_number:
            if line.line_control_number in seen_lcn or len(line.line_control_number) > 50:
                out.append(f"{where}: line control number must be unique and at most 50 "
                           "characters (REF*6R)")
            seen_lcn.add(line.line_control_number)
        if line.drug is not None:
            if not re.fullmatch(r"\d{11}", line.drug.ndc):
                out.append(f"{where}: NDC must be 11 digits (5-4-2, no hyphens)")
            if line.drug.quantity <= 0:
                out.append(f"{where}: NDC quantity must be greater than 0")
            if line.drug.unit not in NDC_UNITS:
                out.append(f"{where}: NDC unit must be one of {', '.join(NDC_UNITS)}")
        elif needs_ndc(line.code, guide):
            out.append(f"{where}: {guide.name} requires the NDC (LIN/CTP) on this drug line")
    return out + party_problems(claim, guide)  # names, addresses, MBI (party_checks.py)


def _coverage_problems(claim: CodedClaim, guide: Guide) -> list[str]:
    """Other coverage (2320/2330/2430): each payer once, the earlier payers' answers on a
    claim to a later payer, and what this writer cannot say (Medicare as a secondary payer
    needs SBR05, the MSP type, which the encounter does not carry)."""
    enc = claim.encounter
    out: list[str] = []
    if enc.payer_order not in ("P", "S", "T"):
        out.append(f"payer order {enc.payer_order!r} must be P, S or T (SBR01)")
        return out
    payers = [enc.payer, *(c.payer for c in enc.other_coverage)]
    if len(set(payers)) != len(payers):
        out.append("a payer is listed twice among the encounter's coverages")
    if len(enc.other_coverage) > 2:
        out.append("at most two other payers (secondary and tertiary)")
    earlier = {"P": 0, "S": 1, "T": 2}[enc.payer_order]
    for cov in enc.other_coverage[:earlier]:
        if cov.adjudication is None:
            out.append(f"a claim to the {'secondary' if earlier == 1 else 'tertiary'} payer "
                       f"needs {cov.payer}'s answer (its 835): use `dermclaim secondary`")
        elif not cov.adjudication.lines:
            out.append(f"{cov.payer}'s answer has no service lines (2430)")
    for cov in enc.other_coverage[earlier:]:
        if cov.adjudication is not None:
            out.append(f"{cov.payer} comes after this claim's payer but has an answer")
    if enc.payer_order != "P" and guide.is_medicare:
        out.append("Medicare as a secondary payer needs the MSP type (2000B SBR05), which "
                   "the encounter does not carry: bill Medicare secondary claims by hand")
    for cov in enc.other_coverage:
        if cov.relationship not in ("self", "spouse", "child", "other"):
            out.append(f"{cov.payer}: relationship {cov.relationship!r} must be self, "
                       "spouse, child or other")
    return out


# ----------------------------------------------------------------- checks on the X12 text


@frozen
class TextProblem:
    code: str
    message: str
    segment_number: int
    segment_id: str
    loop: str


# Loop triggers: (segment id, qualifying element value) -> loop the segment opens. Inside
# a claim (after CLM, until the next HL) the same segments open other loops: the SBR of
# another payer opens 2320, its NM1*IL / NM1*PR 2330A / 2330B (CLAIM_LOOP_TRIGGERS); an
# SBR there is never the 2000B subscriber's, an NM1*IL never 2010BA.
LOOP_TRIGGERS: dict[tuple[str, str], str] = {
    ("ISA", ""): "ISA", ("GS", ""): "GS", ("ST", ""): "ST", ("SE", ""): "ST",
    ("GE", ""): "GS", ("IEA", ""): "ISA", ("BHT", ""): "HEADER",
    ("NM1", "41"): "1000A", ("NM1", "40"): "1000B",
    ("HL", "20"): "2000A", ("NM1", "85"): "2010AA", ("NM1", "87"): "2010AB",
    ("HL", "22"): "2000B", ("NM1", "IL"): "2010BA", ("NM1", "PR"): "2010BB",
    ("HL", "23"): "2000C", ("NM1", "QC"): "2010CA",
    ("CLM", ""): "2300", ("NM1", "DN"): "2310A", ("NM1", "P3"): "2310A",
    ("NM1", "82"): "2310B", ("NM1", "77"): "2310C", ("NM1", "DQ"): "2310D",
    ("NM1", "PW"): "2310E", ("NM1", "45"): "2310F",
    ("LX", ""): "2400", ("LIN", ""): "2410",
}
CLAIM_LOOP_TRIGGERS: dict[tuple[str, str], str] = {
    ("SBR", ""): "2320", ("NM1", "IL"): "2330A", ("NM1", "PR"): "2330B",
    ("SVD", ""): "2430", ("LX", ""): "2400", ("LIN", ""): "2410",
}


def loop_of(sid: str, qual: str, in_claim: bool, current: str) -> str:
    """The loop a segment is in, given the loop before it and whether a claim is open."""
    if in_claim:
        found = CLAIM_LOOP_TRIGGERS.get((sid, qual)) or CLAIM_LOOP_TRIGGERS.get((sid, ""))
        if found:
            return found
        if sid == "NM1" and current in ("2320", "2330A", "2330B", "2330C", "2330D", "2330E",
                                        "2330F", "2330G"):
            return "2330*"  # another party of the other payer (2330C-G)
        if sid == "NM1" and current in ("2400", "2410", "2420*", "2430"):
            return "2420*"
    return LOOP_TRIGGERS.get((sid, qual), LOOP_TRIGGERS.get((sid, ""), current))


def _delimiters(body: str) -> tuple[str, str, str] | None:
    """(element, component, segment terminator) from the ISA, found by counting its 16
    element separators (so a non-fixed-width ISA still reads)."""
    if len(body) < 4 or not body.startswith("ISA"):
        return None
    elem, count = body[3], 0
    for i, ch in enumerate(body[:300]):
        if ch == elem:
            count += 1
            if count == 16 and i + 2 < len(body):
                return elem, body[i + 1], body[i + 2]
    return None


def _tokens(body: str) -> Iterator[list[str]]:
    found = _delimiters(body)
    if found is None:
        return
    elem, _comp, term = found
    for raw in body.split(term):
        raw = raw.strip("\r\n ")
        if raw:
            yield raw.split(elem)


def check_text(text: str) -> list[TextProblem]:
    """Structural checks on 837P X12 text that pyx12 does not make. Every problem names
    the loop its segment is in."""
    body = text.lstrip("\ufeff").lstrip()
    found = _delimiters(body)
    comp = found[1] if found else ":"
    problems: list[TextProblem] = []
    loop = ""
    hl_parent: dict[str, str] = {}
    hl_child_flag: dict[str, tuple[str, int]] = {}
    hl_has_child: set[str] = set()
    sbr_rel: dict[str, tuple[str, int]] = {}
    subscriber_extra: list[tuple[str, int, str]] = []  # 2010BA N3/N4/DMG: (HL, n, seg)
    cur_hl = ""
    st_no = 0  # HL ids restart in every transaction set
    claim: _OpenClaim | None = None
    hi_count = 0
    clm01s: set[str] = set()
    lcns: set[str] = set()
    last_nm1 = ""
    filing = ""  # SBR09 of the SBR in force (2000B, or the 2320 being read)
    counts = _Counts()

    def add(code: str, msg: str, n: int, sid: str) -> None:
        problems.append(TextProblem(code, msg, n, sid, loop))

    def close_claim() -> None:
        if claim is None:
            return
        claim.close_line_answer(problems)
        if claim.total != claim.lines_sum:
            problems.append(TextProblem("CLM02_SUM", f"CLM02 {claim.total} is not the sum of "
                                        f"the lines' SV102 ({claim.lines_sum})", claim.segment,
                                        "CLM", "2300"))
        claim.check_payers(problems)

    for n, seg in enumerate(_tokens(body), start=1):
        sid = seg[0]
        qual = seg[1] if sid == "NM1" and len(seg) > 1 else (
            seg[3] if sid == "HL" and len(seg) > 3 else "")
        if sid in ("HL", "SE"):
            close_claim()
            claim = None
        loop = loop_of(sid, qual, claim is not None, loop)
        el = _Elements(seg)
        counts.see(sid, el, n, add)
        if sid == "ISA" and _isa_length(body) != 106:
            add("ISA_WIDTH", "ISA is not fixed width (106 characters)", n, sid)
        elif sid == "ST":
            st_no += 1
            if not el(3):
                add("ST03", "ST03 (implementation guide version) is missing", n, sid)
        elif sid == "HL":
            hl_id, parent, child = f"{st_no}:{el(1)}", el(2) and f"{st_no}:{el(2)}", el(4)
            cur_hl = hl_id
            if parent:
                if parent not in hl_parent:
                    add("HL_PARENT", f"HL02 {el(2)} names no earlier HL", n, sid)
                hl_has_child.add(parent)
            hl_parent[hl_id] = parent
            hl_child_flag[hl_id] = (child, n)
        elif sid == "SBR":
            if loop == "2000B":
                sbr_rel[cur_hl] = (el(2), n)
            elif claim is not None:
                claim.payers.append(_OtherPayer(n))
            filing = el(9)
        elif sid == "NM1":
            last_nm1 = el(1)
            if el(8) == "XX" and not npi_is_valid(el(9)):
                add("NPI", f"NM1*{el(1)} NPI fails the check digit", n, sid)
            if el(1) == "IL" and filing == "MB" and not is_mbi(el(9)):
                add("MBI", f"the Medicare subscriber id ({loop} NM109) is not in the CMS MBI "
                    "format (11 characters: C A AN N A AN N A A N N)", n, sid)
            if el(1) == "PR" and loop == "2330B" and claim is not None and claim.payers:
                claim.payers[-1].payer_id = el(9)
        elif sid == "N3" and loop == "2010AA" and (is_po_box(el(1)) or is_po_box(el(2))):
            add("BILLING_PO_BOX", "the billing provider address (2010AA N3) is a PO Box or "
                "lock box; it must be a street address (send the PO Box in the pay-to "
                "address, loop 2010AB)", n, sid)
        elif sid in ("N3", "N4", "DMG") and loop == "2010BA":
            subscriber_extra.append((cur_hl, n, sid))
        elif sid == "N4" and last_nm1 == "85" and loop == "2010AA":
            if not re.fullmatch(r"\d{9}", el(3)):
                add("ZIP9", "the billing provider ZIP (2010AA N403) must be 9 digits", n, sid)
        elif sid == "CLM":
            if el(1) in clm01s:
                add("CLM01_DUP", "CLM01 is used by an earlier claim in this file", n, sid)
            clm01s.add(el(1))
            claim = _OpenClaim(_dec(el(2)), Decimal("0"), n)
            hi_count = 0
        elif sid == "HI":
            codes = [c for c in seg[1:] if c]
            hi_count = len(codes)
            if hi_count > 12:
                add("HI_COUNT", "more than 12 diagnoses in HI", n, sid)
            for i, comp_val in enumerate(codes, start=1):
                qual_code = comp_val.split(comp)
                want = "ABK" if i == 1 else "ABF"
                if qual_code[0] != want:
                    add("HI_QUAL", f"HI{i:02d}-01 must be {want}", n, sid)
                if len(qual_code) < 2 or not ICD10.fullmatch(qual_code[1]):
                    add("ICD10", f"HI{i:02d}-02 is not an ICD-10-CM code without a dot", n, sid)
        elif sid == "SV1":
            if claim is not None:
                claim.close_line_answer(problems)
                claim.lines_sum += _dec(el(2))
                claim.line_charge = _dec(el(2))
            qty = _dec(el(4))
            if qty <= 0:
                add("UNITS", "SV104 units must be greater than 0", n, sid)
            pointers = [p for p in el(7).split(comp) if p]
            for p in pointers:
                if not p.isdigit() or not 1 <= int(p) <= hi_count:
                    add("POINTER", f"SV107 pointer {p} is past the {hi_count} HI diagnoses",
                        n, sid)
            if len(pointers) > 4:
                add("POINTERS", "more than 4 diagnosis pointers", n, sid)
        elif sid == "SVD" and claim is not None:
            claim.close_line_answer(problems)
            claim.answer = _LineAnswer(el(1), _dec(el(2)), n)
        elif sid == "CAS" and claim is not None:
            total = sum((_dec(seg[i]) for i in range(3, len(seg), 3)), Decimal("0"))
            if loop == "2320" and claim.payers:
                claim.payers[-1].cas += total
            elif loop == "2430" and claim.answer is not None:
                claim.answer.cas += total
        elif sid == "AMT" and loop == "2320" and el(1) == "D" and claim is not None \
                and claim.payers:
            claim.payers[-1].paid = _dec(el(2))
        elif sid == "REF" and el(1) == "6R":
            if el(2) in lcns:
                add("REF6R_DUP", "REF*6R line control number repeats in this file", n, sid)
            lcns.add(el(2))
        elif sid == "LIN" and el(2) == "N4" and not re.fullmatch(r"\d{11}", el(3)):
            add("NDC11", "LIN03 NDC must be 11 digits without hyphens", n, sid)
    close_claim()
    # HL04 says whether the HL has children; SBR02 is 18 only when no 2000C follows.
    for hl_id, (flag, n) in hl_child_flag.items():
        expected = "1" if hl_id in hl_has_child else "0"
        if flag != expected:
            level = "2000A" if not hl_parent.get(hl_id) else (
                "2000C" if hl_parent.get(hl_parent[hl_id], "") else "2000B")
            problems.append(TextProblem("HL04", f"HL04 of HL {hl_id.split(':')[1]} is "
                                        f"{flag or 'empty'} but "
                                        f"should be {expected}", n, "HL", level))
    for hl_id, (rel, n) in sbr_rel.items():
        if hl_id in hl_has_child and rel == "18":
            problems.append(TextProblem("SBR02", "SBR02 is 18 (self) but a patient loop "
                                        "(2000C) follows", n, "SBR", "2000B"))
        if hl_id not in hl_has_child and rel != "18":
            problems.append(TextProblem("SBR02", "SBR02 must be 18 when the subscriber is the "
                                        "patient (no 2000C)", n, "SBR", "2000B"))
    for hl_id, n, sid in subscriber_extra:
        if hl_id in hl_has_child:
            problems.append(TextProblem("SUBSCRIBER_DEMOGRAPHICS", f"2010BA {sid} is sent only "
                                        "when the subscriber is the patient (no 2000C)", n,
                                        sid, "2010BA"))
    problems.sort(key=lambda p: p.segment_number)
    return problems


class _Counts:
    """SE01 (segments ST..SE), SE02 = ST02, GE01 (transaction sets), GE02 = GS06, IEA01
    (groups), IEA02 = ISA13, read by us: pyx12 reports them only when it can read the file."""

    def __init__(self) -> None:
        self.isa13 = self.gs06 = self.st02 = ""
        self.groups = self.sets = self.segments = 0

    def see(self, sid: str, el: _Elements, n: int, add: Any) -> None:
        if sid == "ISA":
            self.isa13, self.groups = el(13).strip(), 0
        elif sid == "GS":
            self.gs06, self.sets = el(6), 0
            self.groups += 1
        elif sid == "ST":
            self.st02, self.segments = el(2), 0
            self.sets += 1
        self.segments += 1
        if sid == "SE":
            if el(1) != str(self.segments):
                add("SE01", f"SE01 is {el(1) or 'empty'} but the transaction set has "
                    f"{self.segments} segments (ST to SE)", n, sid)
            if el(2) != self.st02:
                add("SE02", "SE02 is not the ST02 control number of its transaction set", n,
                    sid)
        elif sid == "GE":
            if el(1) != str(self.sets):
                add("GE01", f"GE01 is {el(1) or 'empty'} but the group has {self.sets} "
                    "transaction sets", n, sid)
            if el(2) != self.gs06:
                add("GE02", "GE02 is not the GS06 control number of its group", n, sid)
        elif sid == "IEA":
            if el(1) != str(self.groups):
                add("IEA01", f"IEA01 is {el(1) or 'empty'} but the interchange has "
                    f"{self.groups} groups", n, sid)
            if el(2).strip() != self.isa13:
                add("IEA02", "IEA02 is not the ISA13 control number of its interchange", n,
                    sid)


class _OtherPayer:
    """A 2320 being read: its AMT*D, claim-level CAS and 2330B payer id."""

    def __init__(self, segment: int):
        self.segment = segment
        self.paid: Decimal | None = None
        self.cas = Decimal("0")
        self.payer_id = ""


class _LineAnswer:
    """A 2430 being read: SVD01 payer, SVD02 paid and its CAS."""

    def __init__(self, payer_id: str, paid: Decimal, segment: int):
        self.payer_id, self.paid, self.segment = payer_id, paid, segment
        self.cas = Decimal("0")


class _OpenClaim:
    """The CLM being read: its CLM02, the running sum of its SV102 and, for coordination
    of benefits, its other payers (2320) and their line answers (2430)."""

    def __init__(self, total: Decimal, lines_sum: Decimal, segment: int):
        self.total, self.lines_sum, self.segment = total, lines_sum, segment
        self.payers: list[_OtherPayer] = []
        self.line_charge = Decimal("0")
        self.answer: _LineAnswer | None = None
        self.line_cas: dict[str, Decimal] = {}  # SVD01 -> sum of its 2430 CAS

    def close_line_answer(self, problems: list[TextProblem]) -> None:
        """Each line, each payer: SV102 = SVD02 + its 2430 CAS (TR3; X12 RFI 2023)."""
        a, self.answer = self.answer, None
        if a is None:
            return
        self.line_cas[a.payer_id] = self.line_cas.get(a.payer_id, Decimal("0")) + a.cas
        if a.paid + a.cas != self.line_charge:
            problems.append(TextProblem(
                "COB_LINE_BALANCE", f"SVD02 {a.paid} + the line's CAS {a.cas} is not the "
                f"line charge SV102 {self.line_charge}", a.segment, "SVD", "2430"))

    def check_payers(self, problems: list[TextProblem]) -> None:
        """Per payer that adjudicated: CLM02 = AMT*D + its 2320 CAS + its 2430 CAS
        (X12 RFI 1294)."""
        for p in self.payers:
            if p.paid is None:
                continue
            adjusted = p.cas + self.line_cas.get(p.payer_id, Decimal("0"))
            if p.paid + adjusted != self.total:
                problems.append(TextProblem(
                    "COB_CLAIM_BALANCE", f"CLM02 {self.total} is not the other payer's "
                    f"AMT*D {p.paid} plus its claim and line CAS {adjusted}", p.segment,
                    "SBR", "2320"))


class _Elements:
    """seg(i): element i of a split segment, "" when absent."""

    def __init__(self, seg: list[str]):
        self.seg = seg

    def __call__(self, i: int) -> str:
        return self.seg[i] if len(self.seg) > i else ""


def _dec(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        return Decimal("0")


def _isa_length(body: str) -> int:
    """Length of the ISA with its terminator, found from its 16th element separator."""
    sep, count = body[3], 0
    for i, ch in enumerate(body[:300]):
        if ch == sep:
            count += 1
            if count == 16:
                return i + 3  # separator, ISA16, terminator
    return -1
