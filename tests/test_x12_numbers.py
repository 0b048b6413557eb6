"""X12 numbers read with their limits: R (decimal, at most 18 digits) and N0, in the 835
reader and before the store (values it cannot hold are refused before any write)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edi.errors import X12SyntaxError
from edi.x12.numbers import n_number, r_number, why_not_r
from edi.x835 import build as b
from edi.x835.reader import read_835_text
from edi.x835.writer import write_835
from reconcile.remit.load import load_remittance_files

NOT_R = ["NaN", "nan", "sNaN", "-sNaN", "Infinity", "-Infinity", "inf", "1E+999999999",
         "1e5", "1E-2", "1_000.00", "\u0661\u0662\u0663", "\u0661.00", " 12", "12 ", "+5",
         "1.2.3", "--1", "1-", "-", ".", "", "12,50", "0x10", "1234567890123456789",
         "OKAFOR RUTH"]


@pytest.mark.parametrize("text", NOT_R)
def test_not_an_r_value(text: str) -> None:
    assert r_number(text) is None
    assert len(text.strip()) < 4 or text not in why_not_r(text)  # the reason never quotes it


@pytest.mark.parametrize(("text", "value"), [
    ("0", "0"), ("125.50", "125.50"), ("-12.5", "-12.5"), (".5", "0.5"), ("7.", "7"),
    ("123456789012345678", "123456789012345678"), ("1234567890123456.78", "1234567890123456.78"),
    ("-0.01", "-0.01"), ("000123", "123"),
])
def test_r_values(text: str, value: str) -> None:
    assert r_number(text) == Decimal(value)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2,
                   min_value=Decimal("-9999999999999999.99"),
                   max_value=Decimal("9999999999999999.99")))
def test_every_two_place_amount_of_18_digits_reads_back(value: Decimal) -> None:
    assert r_number(format(value, "f")) == value


def test_n0() -> None:
    assert n_number("0031") == 31 and n_number("-4") == -4
    for bad in ("", "-", "3.0", "\u0663", "1e3", "+1", "1-2"):
        assert n_number(bad) is None


@pytest.mark.parametrize(("reason", "text"), [
    ("special value", "NaN"), ("special value", "sNaN"), ("special value", "Infinity"),
    ("exponent", "1E+999999999"),
    ("'_'", "1_000.00"), ("ASCII", "\u0661\u0662\u0663.00"), ("19 digits", "1" * 19),
])
def test_clp03_not_an_r_value_names_segment_and_element(reason: str, text: str) -> None:
    remit = b.remittance([b.claim_payment("C1", 100, 100)])
    good = write_835([remit])
    bad = good.replace("CLP*C1*1*100*100", f"CLP*C1*1*{text}*100")
    with pytest.raises(X12SyntaxError) as info:
        read_835_text(bad, "bad.835")
    exc = info.value
    assert (exc.source, exc.segment_id) == ("bad.835", "CLP")
    assert exc.segment_number == good.split("~").index("\nCLP*C1*1*100*100**MB*C1*11*1") + 1
    assert "CLP03 " in exc.message and reason in exc.message and text not in str(exc)


def test_a_name_in_an_amount_is_not_quoted() -> None:
    good = write_835([b.remittance([b.claim_payment("C1", 100, 100)])])
    bad = good.replace("CLP*C1*1*100*100", "CLP*C1*1*OKAFOR RUTH*100")
    with pytest.raises(X12SyntaxError) as info:
        read_835_text(bad, "bad.835")
    assert "OKAFOR" not in str(info.value) and "CLP03 is not a number" in str(info.value)


@pytest.mark.parametrize("element", ["SVC02", "SVC03", "CAS03", "BPR02", "AMT02", "PLB04"])
def test_every_amount_element_is_checked(element: str) -> None:
    line = b.service_line("11102", 100, 80, adjustments=[b.adjustment("CO", "45", 20)],
                          allowed=80, service_date=date(2026, 1, 5))
    plb = b.plb("1234567893", date(2026, 12, 31), ("WO", "X1", 5))
    text = write_835([b.remittance([b.claim_payment("C1", 100, 80, lines=[line])],
                                   provider_adjustments=[plb])])
    sid, position = element[:3], int(element[3:])
    segments = text.split("~")
    at = next(i for i, seg in enumerate(segments) if seg.strip().startswith(sid + "*"))
    elements = segments[at].split("*")
    elements[position] = "NaN"
    segments[at] = "*".join(elements)
    with pytest.raises(X12SyntaxError) as info:
        read_835_text("~".join(segments), "x.835")
    assert info.value.segment_number == at + 1 and info.value.segment_id == sid
    assert element in info.value.message


def test_an_amount_the_store_cannot_hold_refuses_that_file_only(tmp_path: Path) -> None:
    """18 digits are a valid R value; the store's money column holds fewer: the file is
    refused naming the segment before anything is written, and the next file loads."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    huge = b.remittance([b.claim_payment("C1", "1234567890123456.00", 0,
                                         adjustments=[b.adjustment("CO", "45",
                                                                   "1234567890123456.00")])])
    fine = b.remittance([b.claim_payment("C2", 100, 100)], trace_number="T2")
    first, second = tmp_path / "huge.835", tmp_path / "fine.835"
    first.write_text(write_835([huge]))
    second.write_text(write_835([fine], interchange_control_number=2))
    summary = load_remittance_files([first, second], url)
    bad, ok = summary.files
    assert bad.status == "failed" and "segment" in bad.message and "CLP03" in bad.message
    assert "file not loaded" in bad.message
    assert ok.status == "loaded" and ok.claims == 1
    from sqlmodel import func, select

    from reconcile.store.database import session_scope
    from reconcile.store.remit_models import RemitClaim

    with session_scope(url) as s:
        assert s.exec(select(func.count()).select_from(RemitClaim)).one() == 1


def test_a_bad_number_in_one_file_does_not_stop_the_next(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    text = write_835([b.remittance([b.claim_payment("C1", 100, 100)])])
    bad, good = tmp_path / "bad.835", tmp_path / "good.835"
    bad.write_text(text.replace("CLP*C1*1*100*100", "CLP*C1*1*sNaN*100"))
    good.write_text(text)
    first, second = load_remittance_files([bad, good], url).files
    assert first.status == "failed" and "CLP03" in first.message
    assert second.status == "loaded"
