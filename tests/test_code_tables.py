"""Every CARC has a decision; group codes matter; the RARCs the rules use are listed; the
PLB reason table covers the provider-level adjustments payers send.

Decisions asserted here come from the X12 code meanings (CARC 42 'charges exceed our fee
schedule', replaced by 45; A2 'contractual adjustment'; 104 'managed care withholding';
32 'not an eligible dependent'; 251 'attachment incomplete or deficient'), not from our
own output."""

from __future__ import annotations

from decimal import Decimal

import pytest

from edi import codes
from edi.x835.model import Adjustment
from reconcile.denials.classify import (
    CAUSES,
    NOT_DENIAL,
    SentLine,
    cause_rules,
    classify_adjustments,
)
from reconcile.remit.payments import plb_reasons


def _default_rules() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in cause_rules():
        if r.carc != "*" and r.rarc == "*":
            out.setdefault(r.carc, []).append(r.group)
    return out


def test_every_carc_of_the_list_has_a_decision() -> None:
    rules = _default_rules()
    undecided = sorted(c for c in codes.carc_table() if "*" not in rules.get(c, []))
    assert undecided == [], f"CARCs with no decision for every group: {undecided}"


def test_the_list_holds_active_and_deactivated_codes_with_sources() -> None:
    table = codes.carc_table()
    assert len(table) >= 350
    statuses = {i.status for i in table.values()}
    assert statuses == {"active", "deactivated"}
    for code in ("132", "251", "253", "A2", "B15", "P12", "42", "45", "104"):
        assert code in table, code
        assert table[code].meaning and table[code].source
    assert table["42"].status == "deactivated"


def _cause(text: str) -> str | None:
    group, carc = text.split("-")
    c = classify_adjustments([Adjustment(group, carc, Decimal("100.00"))], [],
                             SentLine("11102"), ())
    return c.cause if c else None


@pytest.mark.parametrize("adj", ["CO-42", "PR-42", "CO-A2", "PI-104", "CO-104", "CO-45",
                                 "CO-253", "PR-1", "PR-2", "PR-3", "OA-23", "CO-23",
                                 "OA-101", "CO-A7", "PI-245", "CO-144", "OA-133"])
def test_contractual_patient_share_withholds_and_pending_are_not_denials(adj: str) -> None:
    assert _cause(adj) is None


@pytest.mark.parametrize(("adj", "cause"), [
    ("PR-32", "eligibility"), ("CO-251", "missing_information"),
    ("CO-252", "missing_information"), ("CO-250", "missing_information"),
    ("CO-18", "duplicate"), ("OA-18", "duplicate"), ("CO-B13", "duplicate"),
    ("CO-29", "timely_filing"), ("CO-165", "authorization"), ("CO-288", "authorization"),
    ("CO-22", "coordination_of_benefits"), ("CO-109", "eligibility"),
    ("CO-176", "missing_information"), ("PR-96", "medical_necessity"),
])
def test_codes_land_in_their_cause(adj: str, cause: str) -> None:
    assert _cause(adj) == cause


def test_other_is_explicit_and_says_why() -> None:
    for r in cause_rules():
        assert r.cause in (*CAUSES, NOT_DENIAL)
        if r.cause == "other" and r.carc != "*":
            assert "fits no cause" in r.source, r


def test_rarcs_the_rules_rely_on_are_listed() -> None:
    rarcs = codes.rarc_table()
    used = {r.rarc for r in cause_rules() if r.rarc != "*"}
    assert used - set(rarcs) == set()
    for common in ("N1", "N4", "N19", "N20", "M15", "M80", "MA01", "MA130", "N362", "N386",
                   "N115", "M127", "N130", "N290", "N432", "N522"):
        assert common in rarcs, common


def test_plb_reasons_have_meanings_and_sources() -> None:
    table = plb_reasons()
    for code in ("WO", "L6", "FB", "72", "CS", "J1", "IR", "B2", "E3", "CT", "CV"):
        assert code in table and table[code].meaning and table[code].source
    assert table["WO"].names_claim and table["L6"].names_claim
