"""Trailer counts (SE01, GE01, IEA01) that disagree with the file: read through with a
defect when the data is whole (every loop closed, every balance holds), refused otherwise,
always refused with `strict`. Files built here with the project's own 835 builder/writer."""

from __future__ import annotations

from datetime import date

import pytest

from edi.errors import X12SyntaxError
from edi.x835 import build as b
from edi.x835.model import FindingKind
from edi.x835.reader import read_835_text
from edi.x835.writer import write_835

DOS = date(2026, 1, 5)


def _balanced() -> str:
    claims = [
        b.claim_payment("C1", 300, 200, lines=[
            b.service_line("11102", 150, 100, control_number="C1-1", service_date=DOS,
                           adjustments=[b.adjustment("CO", "45", 50)]),
            b.service_line("17110", 150, 100, control_number="C1-2", service_date=DOS,
                           adjustments=[b.adjustment("CO", "45", 30),
                                        b.adjustment("PR", "2", 20)]),
        ]),
        b.claim_payment("C2", 120, 0, lines=[
            b.service_line("99213", 120, 0, modifiers=["25"], control_number="C2-1",
                           service_date=DOS, adjustments=[b.adjustment("CO", "97", 120)]),
        ]),
    ]
    return write_835([b.remittance(claims)])


GOOD = _balanced()
SE = GOOD[GOOD.index("\nSE*") + 1:].split("~")[0]  # 'SE*<n>*0001'


def with_se01(text: str, count: str) -> str:
    return text.replace(SE, f"SE*{count}*0001")


def without_first(text: str, sid: str) -> str:
    at = text.index(f"\n{sid}*") + 1
    return text[:at] + text[text.index("\n", at) + 1:]


def defects(text: str) -> list[tuple[int | None, str | None, str]]:
    return [(f.segment_number, f.segment_id, f.message)
            for r in read_835_text(text) for f in r.findings if f.kind is FindingKind.DEFECT]


def test_wrong_se01_only_is_read_through_with_the_defect_named() -> None:
    real = int(SE.split("*")[1])
    text = with_se01(GOOD, str(real + 5))
    assert read_835_text(text)[0].claims == read_835_text(GOOD)[0].claims
    se_number = GOOD.count("~") - 2  # SE is the third segment from the end
    [(number, sid, message)] = [d for d in defects(text) if d[1] == "SE"]
    assert (number, sid) == (se_number, "SE")
    assert f"SE01 says {real + 5} segments but the transaction has {real}" in message


@pytest.mark.parametrize("count", ["1", "0", "9999"])
def test_wrong_se01_is_refused_when_strict(count: str) -> None:
    with pytest.raises(X12SyntaxError) as info:
        read_835_text(with_se01(GOOD, count), strict=True)
    assert info.value.segment_id == "SE" and "SE01 says" in info.value.message


@pytest.mark.parametrize("lost", ["CAS", "SVC"])
def test_a_lost_segment_that_breaks_a_balance_is_refused(lost: str) -> None:
    """SE01 is right for the file as sent; a segment lost on the way makes SE01 disagree
    and a balance fail: not whole, so refused, naming the SE."""
    text = without_first(GOOD, lost)
    with pytest.raises(X12SyntaxError) as info:
        read_835_text(text)
    assert info.value.segment_id == "SE"
    assert "not whole" in info.value.message and "refused" in info.value.message


def test_a_lost_clp_is_refused_where_its_loop_breaks() -> None:
    with pytest.raises(X12SyntaxError) as info:
        read_835_text(without_first(GOOD, "CLP"))
    assert info.value.segment_number is not None and info.value.segment_id == "NM1"


def test_a_doubled_cas_is_refused() -> None:
    at = GOOD.index("\nCAS*") + 1
    line = GOOD[at:GOOD.index("\n", at) + 1]
    with pytest.raises(X12SyntaxError, match="does not balance"):
        read_835_text(GOOD[:at] + line + GOOD[at:])


def test_a_lost_date_keeps_the_balance_and_is_read_through() -> None:
    text = without_first(GOOD, "DTM")
    assert any(sid == "SE" and "read through" in m for _, sid, m in defects(text))


@pytest.mark.parametrize(("old", "new", "sid"), [("GE*1*1", "GE*3*1", "GE"),
                                                  ("IEA*1*", "IEA*2*", "IEA")])
def test_wrong_ge01_or_iea01_is_a_defect_and_strict_refuses(old: str, new: str,
                                                            sid: str) -> None:
    text = GOOD.replace(old, new)
    assert any(d[1] == sid and f"{sid}01 says" in d[2] for d in defects(text))
    with pytest.raises(X12SyntaxError) as info:
        read_835_text(text, strict=True)
    assert info.value.segment_id == sid


def test_a_count_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(X12SyntaxError, match="SE01 says no number"):
        read_835_text(with_se01(GOOD, "1O"))  # letter O
    with pytest.raises(X12SyntaxError, match="SE01 says no number"):
        read_835_text(with_se01(GOOD, "\u0663\u0661"))  # Arabic-Indic digits


def test_a_truncated_transaction_is_still_refused() -> None:
    cut = GOOD[: GOOD.index("\nSE*")]
    with pytest.raises(X12SyntaxError, match="truncated"):
        read_835_text(cut)
