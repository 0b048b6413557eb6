"""The practice file: every key checked up front, errors name the file and the key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from coding.validation import npi_is_valid
from edi.errors import EdiError
from edi.practice import PracticeError, load_practice, parse_practice

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "practice.toml"

GOOD = """
[submitter]
name = "DEMO DERM"
id = "DEMO01"
contact_name = "BILLING"
phone = "(217) 555-0100"

[billing_provider]
name = "DEMO DERM PC"
npi = "1234567893"
ein = "37-1234567"
taxonomy = "207N00000X"
address1 = "1 MAIN ST"
city = "SPRINGFIELD"
state = "IL"
zip = "62703-1234"

[fees]
"99213" = "145.00"
"J3301" = 4.5
"11102" = 240
"""


def test_sample_practice_loads_with_fees_for_every_derm_family() -> None:
    p = load_practice(SAMPLE)
    assert npi_is_valid(p.billing_provider.npi)
    assert len(p.billing_provider.zip) == 9
    codes = set(p.fee_schedule)
    wanted = {f"{c}" for c in range(99202, 99206)} | {f"{c}" for c in range(99211, 99216)}
    wanted |= {str(c) for c in range(11102, 11108)} | {"11200", "11201", "17000", "17003",
                                                        "17004", "17110", "17111", "11900",
                                                        "11901", "96372", "88305", "96567"}
    wanted |= {str(c) for c in range(17311, 17316)}
    wanted |= {"J3301", "J0585", "J7308", "J7345", "J3357", "J3358", "J3245", "J1628",
               "J2327", "J2357", "J3247", "J0135", "J1438"}
    assert wanted <= codes
    assert all(isinstance(v, Decimal) and v > 0 for v in p.fee_schedule.values())


def test_normalizes_phone_ein_zip_and_money() -> None:
    p = parse_practice(GOOD, "demo.toml")
    assert p.submitter.phone == "2175550100"
    assert p.submitter.id_qualifier == "ZZ"
    assert p.billing_provider.ein == "371234567"
    assert p.billing_provider.zip == "627031234"
    assert p.fee("J3301") == Decimal("4.50")
    assert p.fee("11102") == Decimal("240.00")
    assert p.fee("99999") is None


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('npi = "1234567893"', 'npi = "1234567890"', "billing_provider.npi: check digit"),
        ('npi = "1234567893"', 'npi = "123456789"', "billing_provider.npi: must be 10 digits"),
        ('zip = "62703-1234"', 'zip = "62703"', "billing_provider.zip: must be 9 digits"),
        ('ein = "37-1234567"', 'ein = "3712"', "billing_provider.ein: must be 9 digits"),
        ('taxonomy = "207N00000X"', 'taxonomy = "derm"', "billing_provider.taxonomy"),
        ('"99213" = "145.00"', '"99213" = "-5"', "fees.99213: must be an amount > 0"),
        ('"99213" = "145.00"', '"99213" = "1.234"', "fees.99213: must be an amount > 0"),
        ('"99213" = "145.00"', '"9921" = "145.00"', "fees.9921: not a 5-character"),
        ('name = "DEMO DERM"', 'name = "DEMO*DERM"', "submitter.name: only letters"),
        ('id = "DEMO01"', 'id = "A-VERY-LONG-SUBMITTER-ID"', "submitter.id"),
        ('phone = "(217) 555-0100"', 'phone = "555"', "submitter.phone: must be 10 digits"),
        ('state = "IL"', 'state = "Illinois"', "billing_provider.state"),
    ],
)
def test_bad_values_name_file_and_key(old: str, new: str, key: str) -> None:
    assert old in GOOD
    with pytest.raises(PracticeError) as err:
        parse_practice(GOOD.replace(old, new), "demo.toml")
    assert str(err.value).startswith("demo.toml: ")
    assert key in str(err.value)
    assert isinstance(err.value, EdiError)


def test_missing_table_unknown_key_and_no_contact() -> None:
    with pytest.raises(PracticeError, match=r"\[fees\]: missing table"):
        parse_practice(GOOD.split("[fees]")[0], "x.toml")
    with pytest.raises(PracticeError, match="billing_provider.fax: unknown setting"):
        parse_practice(GOOD.replace('city = "SPRINGFIELD"', 'city = "SPRINGFIELD"\nfax = "1"'))
    with pytest.raises(PracticeError, match="give a phone or an email"):
        parse_practice(GOOD.replace('phone = "(217) 555-0100"', ""))


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(PracticeError, match="cannot read practice file"):
        load_practice(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[submitter\n")
    with pytest.raises(PracticeError, match=r"bad.toml: not valid TOML"):
        load_practice(bad)


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1679576722"])
def test_npi_check_digit_accepts_known_good(npi: str) -> None:
    assert npi_is_valid(npi)
    bad = npi[:9] + str((int(npi[9]) + 1) % 10)
    assert not npi_is_valid(bad)


def test_a_person_billing_under_an_individual_npi() -> None:
    text = GOOD.replace('name = "DEMO DERM PC"', 'last_name = "LINDQVIST"\nfirst_name = "MAREN"')
    bp = parse_practice(text, "solo.toml").billing_provider
    assert (bp.name, bp.first_name, bp.entity_type) == ("LINDQVIST", "MAREN", "1")
    assert parse_practice(GOOD, "group.toml").billing_provider.entity_type == "2"
    both = GOOD.replace('name = "DEMO DERM PC"', 'name = "X"\nlast_name = "Y"')
    with pytest.raises(PracticeError, match="not both"):
        parse_practice(both, "both.toml")
