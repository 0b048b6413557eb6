"""Configuration checked like input: the practice file and companion guides are refused
by type and range naming the file and the key; a BOM is tolerated; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_837_practice import GOOD

from companion_guides import GuideError, load_guide
from edi.practice import PracticeError, load_practice

GUIDE = (Path(__file__).resolve().parent.parent / "companion_guides" / "commercial.toml")


def practice_error(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "practice.toml"
    path.write_bytes(data)
    with pytest.raises(PracticeError) as info:
        load_practice(path)
    assert str(path) in str(info.value)
    return str(info.value)


def test_practice_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "practice.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_practice(path).billing_provider.npi == "1234567893"


def test_practice_with_a_non_utf8_byte_names_the_byte(tmp_path: Path) -> None:
    message = practice_error(tmp_path, GOOD.replace("DEMO DERM PC", "DEMO D\xc9RM").encode(
        "latin-1"))
    assert "not UTF-8 text (byte" in message and "line 9" in message


@pytest.mark.parametrize("fee", ['"1e30"', "1e30", '"NaN"', '"1_000.00"', '"-5"', '"0"',
                                 '"100000.00"', '"12.345"', '"\u0661\u0662"', "true", "[1]"])
def test_fees_out_of_range_or_not_amounts(tmp_path: Path, fee: str) -> None:
    message = practice_error(tmp_path, GOOD.replace('"99213" = "145.00"',
                                                    f'"99213" = {fee}').encode())
    assert "fees.99213: must be an amount > 0 and at most 99999.99" in message


def guide_error(tmp_path: Path, old: str, new: str) -> str:
    text = GUIDE.read_text()
    assert old in text, old
    path = tmp_path / "payer.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(GuideError) as info:
        load_guide(path)
    assert str(path) in str(info.value)
    return str(info.value)


@pytest.mark.parametrize(("old", "new", "words"), [
    ("max_lines_per_claim = 50", 'max_lines_per_claim = "abc"',
     "max_lines_per_claim: must be a whole number"),
    ("max_lines_per_claim = 50", "max_lines_per_claim = true",
     "max_lines_per_claim: must be a whole number"),
    ("max_lines_per_claim = 50", "max_lines_per_claim = 51", "max_lines_per_claim: must be 1"),
    ("appeal_window_days = 180", "appeal_window_days = -30",
     "appeal_window_days: must be a number of days from 1 to 3650"),
    ("timely_filing_days = 180", "timely_filing_days = -5",
     "timely_filing_days: must be a number of days from 1 to 3650"),
    ("[mue_overrides]", '[mue_overrides]\nNOTACODE = 3',
     "mue_overrides.NOTACODE: not a CPT or HCPCS Level II code"),
    ("[mue_overrides]", '[mue_overrides]\n"17000" = -1', "mue_overrides.17000: must be a whole"),
    ("newlines = true", 'newlines = "yes"', "newlines: must be true or false"),
])
def test_guide_values_checked_by_type_and_range(tmp_path: Path, old: str, new: str,
                                                 words: str) -> None:
    assert words in guide_error(tmp_path, old, new)


def test_guide_with_a_non_utf8_byte(tmp_path: Path) -> None:
    path = tmp_path / "payer.toml"
    path.write_bytes(GUIDE.read_bytes().replace(b"payer_name = ", b"payer_name = \xff", 1))
    with pytest.raises(GuideError, match=r"not UTF-8 text \(byte \d+, line \d+\)"):
        load_guide(path)


def test_guide_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "payer.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GUIDE.read_bytes())
    assert load_guide(path).name == "payer"
