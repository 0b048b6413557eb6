"""The edit tables agree with each other and with the family tables (like pyx12's
check_maps): every code an edit table or a guide names is a code dermclaim knows."""

from __future__ import annotations

import pytest

from coding.edits.ncci_file import curated_ptp
from coding.edits.tables import GLOBALS, global_period, known_codes, modifier_rank, mue_table
from coding.encounter_procedures import EM_CODES, PHOTOTHERAPY_CODES
from coding.tables import drug_units, read_table
from companion_guides import get_guide, guide_names


def test_ncci_codes_are_known() -> None:
    for (c1, c2) in curated_ptp()._pairs:
        assert c1 in known_codes() and c2 in known_codes(), (c1, c2)


def test_mue_and_cosmetic_codes_are_known() -> None:
    assert set(mue_table()) <= known_codes()
    procedures = {r["value"] for r in read_table("cosmetic_risk.csv") if r["kind"] == "procedure"}
    assert procedures <= known_codes()


@pytest.mark.parametrize("name", guide_names())
def test_guide_mue_overrides_name_known_codes(name: str) -> None:
    assert set(get_guide(name).mue_overrides) <= known_codes()


def test_every_family_and_drug_code_has_a_global_period() -> None:
    family = {r["code"] for r in read_table("size_codes.csv")}
    family |= {r["code"] for r in read_table("size_addons.csv")}
    for code in family | set(drug_units()) | set(EM_CODES) | set(PHOTOTHERAPY_CODES):
        assert global_period(code) in GLOBALS, code


def test_add_on_codes_are_zzz() -> None:
    for code in ("11103", "11105", "11107", "11201", "17003", "17312", "17314", "17315",
                 "13102", "13122", "13133", "13153"):
        assert global_period(code) == "ZZZ", code


def test_modifier_table_ranks() -> None:
    ranks = {r["modifier"]: int(r["rank"]) for r in read_table("modifier_order.csv")}
    assert set(ranks.values()) <= {1, 2, 3, 4}
    assert modifier_rank("26") < modifier_rank("25") < modifier_rank("GA") < modifier_rank("LT")
    for m in ("59", "XS", "XE", "XP", "XU", "25", "57", "GA", "GY", "JW", "JZ", "LT", "RT"):
        assert m in ranks
