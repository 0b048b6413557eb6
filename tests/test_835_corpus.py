"""Every public 835 of ../shared/x12-corpus parses; per file the counts agree with
SOURCES.md and the total adjusted with a naive sum of the CAS amounts, and, where pyx12
reads the file whole, with pyx12's own reading (pyx12 is the independent judge here and
nowhere in the product). Where pyx12 drops service lines or refuses the file, we check
that we read what SOURCES.md counted instead."""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import corpus_params

from edi.x835.model import FindingKind, Remittance
from edi.x835.reader import read_835_path


class Expect(NamedTuple):
    transactions: int  # ST
    claims: int  # CLP
    reversals: int  # CLP02 = 22
    lines: int  # SVC
    cas_amounts: int  # CAS triplets, claim + line level
    plb: int
    ref_6r: int
    lq_he: int
    total_adjusted: str  # sum of every CAS amount (not in SOURCES.md: see naive_cas_total)


# Counts from ../shared/x12-corpus/SOURCES.md ("counts" column), file by file.
EXPECTED = {
    "Inteligenz-X12Parser__835_WithMultipleInterchanges.txt":
        Expect(3, 56, 0, 91, 97, 0, 29, 98, "49863.81"),
    "Inteligenz-X12Parser__Example1.txt": Expect(1, 10, 3, 9, 21, 1, 9, 1, "434.24"),
    "LinuxForHealth-x12__cob-contractural-adjustment.835": Expect(1, 1, 0, 1, 2, 0, 0, 0, "507.00"),
    "LinuxForHealth-x12__managed-care.835": Expect(1, 2, 0, 2, 5, 0, 0, 0, "1055.00"),
    "LinuxForHealth-x12__medicare-part-a.835": Expect(1, 2, 0, 0, 2, 1, 0, 0, "76368.24"),
    "LinuxForHealth-x12__secondary-payment.835": Expect(1, 2, 0, 2, 5, 0, 0, 0, "9853.14"),
    "LinuxForHealth-x12__tertiary-payment.835": Expect(1, 1, 0, 1, 1, 0, 0, 0, "1579.00"),
    "affect-therapeutics-edi-835-parser__nevada_medicaid.txt":
        Expect(3, 3, 0, 0, 5, 1, 0, 0, "116465.04"),
    "azoner-pyx12__835_mult_loops.txt": Expect(1, 1, 0, 3, 3, 0, 0, 3, "915.39"),
    "keironstoddart-edi-835-parser__emedny_sample.txt": Expect(1, 3, 0, 10, 4, 0, 0, 2, "56.75"),
    "keironstoddart-edi-835-parser__united_healthcare_legacy_sample.txt":
        Expect(1, 2, 0, 5, 7, 0, 5, 0, "807.53"),
    "zentist-TigerShark__5010-835-example-1.txt": Expect(1, 3, 0, 9, 10, 0, 9, 5, "9580"),
    "zentist-TigerShark__5010-835-example-2.txt": Expect(1, 2, 0, 6, 6, 0, 1, 5, "2190.16"),
    "zentist-TigerShark__5010-835-example-3.txt": Expect(1, 2, 0, 2, 3, 0, 0, 0, "1130.56"),
}

# Where pyx12 does not read the file whole (pyx12-notes.md, SOURCES.md).
PYX12_DROPS_LINES = {
    "LinuxForHealth-x12__cob-contractural-adjustment.835",  # SVC01 'HC>55669', ISA16 ':'
    "LinuxForHealth-x12__secondary-payment.835",  # same defect
    "Inteligenz-X12Parser__835_WithMultipleInterchanges.txt",  # SVC01 qualifier 'XX'
}
PYX12_REFUSES = {
    "affect-therapeutics-edi-835-parser__nevada_medicaid.txt",  # unpadded ISA
    "Inteligenz-X12Parser__Example1.txt",  # ISA12 00401 with GS08 '5010': no map
}


def ours(remittances: list[Remittance]) -> Expect:
    claims = [c for r in remittances for c in r.claims]
    lines = [line for c in claims for line in c.service_lines]
    return Expect(
        len(remittances), len(claims), sum(c.is_reversal for c in claims), len(lines),
        sum(len(c.adjustments) for c in claims) + sum(len(x.adjustments) for x in lines),
        sum(len(r.provider_adjustments) for r in remittances),
        sum(x.control_number is not None for x in lines),
        sum(1 for x in lines for m in x.remarks if m.qualifier == "HE"),
        str(sum((r.trailer.total_adjusted for r in remittances if r.trailer), Decimal(0))),
    )


def naive_cas_total(path: Path) -> Decimal:
    """Sum of CAS03/06/09/12/15/18 found by splitting the text, no parser involved."""
    text = path.read_text(encoding="utf-8-sig").lstrip()
    element = text[3]
    # the terminator is the character right after ISA16 (the 16th element separator + 1)
    count, index = 0, 0
    while count < 16:
        index = text.index(element, index) + 1
        count += 1
    term = text[index + 1]
    total = Decimal(0)
    for raw in text.split(term):
        parts = raw.strip().split(element)
        if parts[0] == "CAS":
            total += sum((Decimal(parts[i]) for i in (3, 6, 9, 12, 15, 18)
                          if i < len(parts) and parts[i]), Decimal(0))
    return total


def pyx12_reading(path: Path) -> tuple[int, int, Decimal]:
    """(claims, service lines, total CAS amount) as pyx12's X12ContextReader sees them."""
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    def cas_total(node) -> Decimal:  # type: ignore[no-untyped-def]
        total = Decimal(0)
        for cas in node.select("CAS"):
            for position in ("CAS03", "CAS06", "CAS09", "CAS12", "CAS15", "CAS18"):
                value = cas.get_value(position)
                if value:
                    total += Decimal(value)
        return total

    claims = lines = 0
    total = Decimal(0)
    with warnings.catch_warnings(), open(path, encoding="utf-8-sig", newline="") as fd:
        warnings.simplefilter("ignore")
        reader = pyx12.x12context.X12ContextReader(
            pyx12.params.params(), pyx12.error_handler.errh_null(), fd)
        for node in reader.iter_segments("2100"):
            if node.id != "2100":
                continue
            claims += 1
            total += cas_total(node)
            for line in node.select("2110"):
                lines += 1
                total += cas_total(line)
    return claims, lines, total


@pytest.mark.parametrize("path", corpus_params("835"))
def test_counts_agree_with_sources_md(path: Path) -> None:
    assert path.name in EXPECTED, f"new corpus file {path.name}: add its SOURCES.md counts"
    remittances = read_835_path(path)
    assert ours(remittances) == EXPECTED[path.name]
    assert Decimal(EXPECTED[path.name].total_adjusted) == naive_cas_total(path)


@pytest.mark.parametrize("path", corpus_params("835"))
def test_against_pyx12(path: Path) -> None:
    expected = EXPECTED[path.name]
    mine = (expected.claims, expected.lines, Decimal(expected.total_adjusted))
    assert ours(read_835_path(path))[1:4:2] == (expected.claims, expected.lines)
    if path.name in PYX12_REFUSES:
        with pytest.raises(Exception):  # noqa: B017 - pyx12 raises its own error types
            pyx12_reading(path)
        return
    theirs = pyx12_reading(path)
    if path.name in PYX12_DROPS_LINES:
        assert theirs[0] == mine[0]  # it finds the claims ...
        assert theirs[1] < mine[1]  # ... but silently loses service lines; we keep them
        assert theirs[2] < mine[2]
    else:
        assert theirs == mine


def defects(path: Path) -> list[str]:
    return [f"{f.segment_id}: {f.message}" for r in read_835_path(path) for f in r.findings
            if f.kind is FindingKind.DEFECT]


def corpus_file(name: str) -> Path:
    for param in corpus_params("835"):
        if param.values[0] is not None and param.values[0].name == name:
            return param.values[0]  # type: ignore[no-any-return]
    pytest.skip(f"corpus file {name} not present")


def test_known_defects_become_findings_and_data_is_kept() -> None:
    cob = corpus_file("LinuxForHealth-x12__cob-contractural-adjustment.835")
    found = defects(cob)
    assert any("SVC01 is written with '>'" in d and "ISA16" in d for d in found)
    assert any("BPR15" in d for d in found)
    assert any("PER*BL" in d for d in found)
    (remit,) = read_835_path(cob)
    line = remit.claims[0].service_lines[0]
    assert (line.qualifier, line.code) == ("HC", "55669")
    assert [a.amount for a in line.adjustments] == [Decimal("516.00"), Decimal("-9.00")]
    assert remit.header.payment.date is not None  # read from BPR15

    managed = corpus_file("LinuxForHealth-x12__managed-care.835")
    assert any("BPR16 is not a date" in d for d in defects(managed))
    assert read_835_path(managed)[0].header.payment.date is None


def test_reversals_cr_group_and_plb_of_example1() -> None:
    path = corpus_file("Inteligenz-X12Parser__Example1.txt")
    (remit,) = read_835_path(path)
    reversals = [c for c in remit.claims if c.is_reversal]
    assert len(reversals) == 3
    assert any(c.charge < 0 and c.paid < 0 for c in reversals)
    assert sum("'CR'" in d for d in defects(path)) == 3
    assert [i.amount for p in remit.provider_adjustments for i in p.items] == [Decimal("-1.27")]
    kinds = {f.kind for f in remit.findings}
    assert FindingKind.TRANSACTION_OUT_OF_BALANCE in kinds  # SOURCES.md: BPR02 != sum - PLB


def test_nevada_unpadded_isa_three_transactions_six_plb_pairs() -> None:
    path = corpus_file("affect-therapeutics-edi-835-parser__nevada_medicaid.txt")
    remits = read_835_path(path)
    assert [r.header.control_number for r in remits] == ["0001", "0002", "0003"]
    (plb,) = [p for r in remits for p in r.provider_adjustments]
    assert [(i.reason, i.amount) for i in plb.items][:2] == [
        ("CT", Decimal("-1092.46")), ("CT", Decimal("-719.81"))]
    assert len(plb.items) == 6 and sum(i.amount for i in plb.items) == Decimal("-1812.27")
    found = defects(path)
    assert any("not padded" in d for d in found) and any("IEA02" in d for d in found)


# Real files whose data is not whole (balancing findings): a wrong SE01 there could mean a
# lost segment, so the reader refuses them at the SE instead of reading through.
NOT_WHOLE = {
    "Inteligenz-X12Parser__835_WithMultipleInterchanges.txt",  # 104 balance failures
    "Inteligenz-X12Parser__Example1.txt",  # BPR02 != sum(CLP04) - PLB
    "LinuxForHealth-x12__tertiary-payment.835",  # the SVC line does not balance
}


def with_wrong_se01(text: str, by: int = 5) -> str:
    """The first SE01 of a real file off by `by`; nothing else touched (any delimiters, an
    indented or unpadded ISA)."""
    body = text.lstrip("\ufeff").lstrip()
    element, index = body[3], 0
    for _ in range(16):
        index = body.index(element, index) + 1
    term = body[index + 1]
    parts = text.split(term)
    for k, raw in enumerate(parts):
        elements = raw.strip().split(element)
        if elements[0] == "SE":
            elements[1] = str(int(elements[1]) + by)
            parts[k] = raw[: len(raw) - len(raw.lstrip())] + element.join(elements)
            return term.join(parts)
    raise AssertionError("no SE segment")


@pytest.mark.parametrize("path", corpus_params("835"))
def test_a_wrong_se01_alone_reads_through_with_the_defect_or_refuses_broken_data(
        path: Path) -> None:
    """Issue 12: a real file whose only change is SE01 reads through, the same claims, with
    the count defect named at the SE; where the file's own data does not balance, it is
    refused at the SE saying why (the count may hide a lost segment)."""
    from edi.errors import X12SyntaxError
    from edi.x835.reader import read_835_text

    text = path.read_text(encoding="utf-8-sig")
    changed = with_wrong_se01(text)
    if path.name in NOT_WHOLE:
        with pytest.raises(X12SyntaxError) as info:
            read_835_text(changed, source=str(path))
        assert info.value.segment_id == "SE" and "not whole" in info.value.message
        return
    remits = read_835_text(changed, source=str(path))
    assert [r.claims for r in remits] == [r.claims for r in read_835_text(text)]
    assert sum(len(r.claims) for r in remits) == EXPECTED[path.name].claims
    found = [f.message for r in remits for f in r.findings
             if f.kind is FindingKind.DEFECT and f.segment_id == "SE" and "SE01 says" in f.message]
    assert len(found) == 1 and "read through" in found[0]
