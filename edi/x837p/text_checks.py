"""Checks on 837P X12 text, ours or another system's: what `dermclaim validate` adds to
pyx12 (see reference/pyx12-notes.md). `check_text(text)` reads the segments once, knows the
loop each is in (2000B vs 2320, 2010BA vs 2330A: `loop_of`) and reports HL parent/child
flags, SBR02 against 2000C, CLM02 = sum of SV102, pointers past HI, ICD-10 form, NPI check
digits, 9-digit billing ZIP, 11-digit NDC, zero units, ST03, unique CLM01 and REF*6R, a PO Box
in 2010AA N3, a Medicare subscriber id that is not an MBI (party_checks.py), the COB balance
of 2320/2430 (CLM02 = AMT*D + every CAS; SV102 = SVD02 + its CAS) and the SE01/GE01/IEA01
counts. Every problem names its segment and loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from attrs import frozen

from coding.validation import npi_is_valid
from edi.x837p.checks import ICD10
from edi.x837p.party_checks import is_mbi, is_po_box

__all__ = ["TextProblem", "check_text", "loop_of"]


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
    start, n = 0, len(body)
    while start < n:  # one segment at a time: a large file's segments are never all listed
        end = body.find(term, start)
        if end < 0:
            end = n
        raw = body[start:end].strip("\r\n ")
        if raw:
            yield raw.split(elem)
        start = end + 1


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
