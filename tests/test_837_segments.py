"""Segment specs: explicit, unique element positions; X12 number and text formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edi.x837p.segments import ISA_WIDTHS, SEGMENTS, amount, clean_text, quantity


@pytest.mark.parametrize("seg_id", sorted(SEGMENTS))
def test_element_positions_are_unique_and_in_range(seg_id: str) -> None:
    spec = SEGMENTS[seg_id]
    positions = list(spec.positions.values())
    assert len(positions) == len(set(positions)), f"{seg_id} binds two names to one position"
    assert all(1 <= p <= spec.max_position for p in positions)
    assert spec.id == seg_id


def test_known_positions_from_the_guide() -> None:
    sv1 = SEGMENTS["SV1"].positions
    assert (sv1["procedure"], sv1["charge"], sv1["unit"], sv1["quantity"],
            sv1["place_of_service"], sv1["pointers"]) == (1, 2, 3, 4, 5, 7)
    assert SEGMENTS["SBR"].positions["filing_indicator"] == 9
    assert SEGMENTS["CLM"].positions["place_and_frequency"] == 5
    assert SEGMENTS["NM1"].positions["id"] == 9
    assert (SEGMENTS["CTP"].positions["quantity"], SEGMENTS["CTP"].positions["unit"]) == (4, 5)
    assert SEGMENTS["LIN"].positions["ndc"] == 3
    assert sum(ISA_WIDTHS.values()) + 16 + 3 == 105  # + separators + "ISA" = 105, then "~"


def test_render_skips_empty_and_cuts_trailing_elements() -> None:
    assert SEGMENTS["SBR"].render(payer_responsibility="P", relationship="18",
                                  filing_indicator="MB") == "SBR*P*18*******MB"
    assert SEGMENTS["N3"].render(line1="1 MAIN ST", line2=None) == "N3*1 MAIN ST"
    with pytest.raises(KeyError, match="SV1 has no element named 'charg'"):
        SEGMENTS["SV1"].render(charg="1")


@pytest.mark.parametrize(("value", "text"), [("240", "240"), ("240.00", "240"),
                                             ("240.50", "240.5"), ("0.75", "0.75"),
                                             ("1E+3", "1000"), ("12.345", "12.35")])
def test_amount(value: str, text: str) -> None:
    assert amount(Decimal(value)) == text


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2))
def test_amount_round_trips_without_sign_or_exponent(value: Decimal) -> None:
    text = amount(value)
    assert Decimal(text) == value
    assert "$" not in text and "E" not in text and not text.endswith(".")


def test_quantity() -> None:
    assert quantity(4) == "4"
    assert quantity(Decimal("0.500")) == "0.5"
    assert quantity(Decimal("2")) == "2"


def test_clean_text() -> None:
    assert clean_text("o'brien*smith~jr:^", 60) == "O'BRIEN SMITH JR"
    assert clean_text("  São   Paulo ", 60) == "SAO PAULO"  # folded, not blanked (charset.py)
    assert clean_text("X" * 70, 60) == "X" * 60
    assert clean_text(None, 10) == ""


def test_render_cuts_only_after_the_last_value() -> None:
    nm1 = SEGMENTS["NM1"]
    assert nm1.render(entity="PR", id="12502", last_or_org="") == "NM1*PR********12502"
    assert nm1.render(entity="PR", first="", id=None) == "NM1*PR"
    assert nm1.render() == "NM1"
    with pytest.raises(KeyError, match="NM1 has no element named 'nam'"):
        nm1.render(entity="PR", nam=None)  # a typo raises even without a value


def _clean_text_by_the_rule(value: str, max_len: int) -> str:
    """clean_text as its docstring says it: fold, upper, blank what X12 may not carry,
    collapse spaces, cut (the function takes a quicker path for text already clean)."""
    import re

    from edi.x12.charset import fold

    text = re.sub(r"[^A-Z0-9 &'(),\-./#]", " ", fold(value).upper())
    return re.sub(r"\s+", " ", text).strip()[:max_len].rstrip()


@given(st.text(alphabet=st.sampled_from("abzAZ09 &'(),-./#*~:^\t\n_éßØ€ \u00a0"), max_size=12),
       st.integers(1, 14))
def test_clean_text_agrees_with_its_rule(value: str, max_len: int) -> None:
    assert clean_text(value, max_len) == _clean_text_by_the_rule(value, max_len)
