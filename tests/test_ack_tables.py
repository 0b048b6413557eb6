"""The acknowledgment code tables (edi/data) hold together: every row has a source the
header explains, codes are unique, every fix names a status code the status table knows,
and the categories the issue names land on the right side (rejected vs acknowledged)."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from edi import ack_codes
from edi.x277.model import ACKNOWLEDGED, REJECTED, StatusCode

TABLES = {
    "claim_status_category.csv": ("code",),
    "claim_status.csv": ("code",),
    "entity_identifier.csv": ("code",),
    "ack_999_codes.csv": ("element", "code"),
    "status_fixes.csv": ("status", "entity"),
}


def _table(name: str) -> tuple[str, list[dict[str, str]]]:
    text = resources.files("edi.data").joinpath(name).read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    return header, rows


@pytest.mark.parametrize("name", sorted(TABLES))
def test_rows_are_unique_and_sourced(name: str) -> None:
    header, rows = _table(name)
    assert rows
    keys = [tuple(r[k] for k in TABLES[name]) for r in rows]
    assert len(keys) == len(set(keys)), "a code appears twice"
    for row in rows:
        assert row["source"], row
        for key in row["source"].split(";"):
            assert f"{key} =" in header or f"{key} " in header, (name, key)


def test_every_fix_names_a_known_status_and_entity() -> None:
    _, fixes = _table("status_fixes.csv")
    for row in fixes:
        assert ack_codes.status_meaning(row["status"]), row["status"]
        assert row["entity"] == "*" or ack_codes.entity_meaning(row["entity"]), row["entity"]


def test_rejected_and_acknowledged_categories_match_the_277ca_model() -> None:
    # appeals-and-acks.md: A0/A1 received, A2 accepted; A3 A4 A6 A7 A8 rejections
    for code in REJECTED:
        assert ack_codes.category(code).outcome == "rejected"  # type: ignore[union-attr]
    for code in ACKNOWLEDGED:
        assert ack_codes.category(code).outcome == "acknowledged"  # type: ignore[union-attr]
    _, rows = _table("claim_status_category.csv")
    assert {r["code"] for r in rows if r["outcome"] == "rejected"} == REJECTED


def test_the_999_verdict_codes_are_all_there() -> None:
    for code in "AEMRWX":
        assert ack_codes.ack999_meaning("IK501", code)
    for code in "AEMPRWX":
        assert ack_codes.ack999_meaning("AK901", code)
    assert ack_codes.ack999_meaning("IK304", "8") == "segment has data element errors"


def test_the_npi_rejection_reads_and_has_an_entity_specific_fix() -> None:
    code = StatusCode("A7", "562", "85")
    text = ack_codes.describe(code)
    assert "A7" in text and "invalid" in text and "NPI" in text and "billing provider" in text
    assert "2010AA" in ack_codes.fix(code)
    # a rendering provider's NPI points at another loop than the billing provider's
    assert "2310B" in ack_codes.fix(StatusCode("A7", "562", "82"))


def test_unknown_codes_say_so() -> None:
    text = ack_codes.describe(StatusCode("A7", "9999", "Q9"))
    assert text.count("not in dermclaim's table") == 2
    assert "new original" in ack_codes.fix(StatusCode("A7", "9999", ""))
