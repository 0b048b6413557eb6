"""ICD-10-CM existence/billability and the NPI check digit (coding.validation)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coding.validation import (
    icd10_problem,
    normalize_icd10,
    npi_check_digit,
    npi_check_digit_ok,
    npi_problem,
)


@pytest.mark.parametrize(("raw", "code"), [("l57.0", "L570"), (" C44.1121 ", "C441121"),
                                           ("D22.5", "D225")])
def test_normalize(raw: str, code: str) -> None:
    assert normalize_icd10(raw) == code


@pytest.mark.parametrize("code", ["L570", "L821", "L918", "C441121", "D225", "D492", "L400",
                                  "B070", "C44311", "L02412"])
def test_billable_leaf_codes(code: str) -> None:
    assert icd10_problem(code) is None


@pytest.mark.parametrize(
    ("code", "words"),
    [("C44112", "not a billable code"), ("L82", "not a billable code"), ("D22", "category"),
     ("Z99999", "not an ICD-10-CM code"), ("L5", "not shaped")],
)
def test_bad_codes(code: str, words: str) -> None:
    problem = icd10_problem(code)
    assert problem is not None and words in problem


def test_category_message_suggests_children() -> None:
    assert "C44.1121" in (icd10_problem("C44112") or "")


@pytest.mark.parametrize(("npi", "ok"), [("1234567893", True), ("1234567890", False),
                                         ("1647382914", True), ("12345", False),
                                         ("123456789X", False)])
def test_npi_check_digit(npi: str, ok: bool) -> None:
    assert npi_check_digit_ok(npi) is ok
    assert (npi_problem(npi) is None) is ok


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_exactly_one_check_digit_is_valid(first_nine: str) -> None:
    valid = [d for d in "0123456789" if npi_check_digit_ok(first_nine + d)]
    assert valid == [npi_check_digit(first_nine)]
