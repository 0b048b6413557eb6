"""Biopsy: one primary per encounter (incisional > punch > tangential), add-ons per lesion."""

from __future__ import annotations

import pytest
from helpers_coding import codes, errors, proc, run
from hypothesis import given
from hypothesis import strategies as st


def biopsies(*techniques: str) -> list:
    return [proc("biopsy", technique=t, site="arm") for t in techniques]


@pytest.mark.parametrize(
    ("techniques", "expected"),
    [
        (["tangential"], [("11102", 1)]),
        (["punch"], [("11104", 1)]),
        (["incisional"], [("11106", 1)]),
        (["tangential", "tangential", "tangential"], [("11102", 1), ("11103", 2)]),
        # AAD worked examples
        (["tangential", "punch"], [("11104", 1), ("11103", 1)]),
        (["punch", "punch", "tangential", "tangential"],
         [("11104", 1), ("11105", 1), ("11103", 2)]),
        (["tangential", "punch", "incisional"], [("11106", 1), ("11105", 1), ("11103", 1)]),
        (["incisional", "incisional"], [("11106", 1), ("11107", 1)]),
    ],
)
def test_primary_and_addons(techniques: list[str], expected: list[tuple[str, int]]) -> None:
    assert codes(run(*biopsies(*techniques))) == expected


def test_primary_is_first_lesion_of_winning_technique() -> None:
    result = run(proc("biopsy", technique="tangential", site="back", laterality="left"),
                 proc("biopsy", technique="punch", site="cheek", diagnoses=("D485",)),
                 proc("biopsy", technique="punch", site="chin"))
    primary = result.lines[0]
    assert (primary.procedure, primary.site, primary.diagnoses) == (1, "cheek", ("D485",))
    assert "incisional > punch > tangential" in primary.rationale
    addon = result.lines[1]
    assert addon.code == "11105" and addon.procedures == (2,)
    assert result.lines[2].procedures == (0,) and result.lines[2].laterality == "left"


def test_addon_merges_diagnoses_with_principal() -> None:
    result = run(proc("biopsy", technique="punch"), proc("biopsy", technique="tangential"),
                 proc("biopsy", technique="tangential", diagnoses=("D485",)))
    assert result.lines[1].diagnoses == ("L570", "D485")


@pytest.mark.parametrize("bad", [None, "shave", "PUNCH", 3])
def test_unknown_technique_is_an_error(bad: object) -> None:
    result = run(proc("biopsy", technique=bad), proc("biopsy", technique="punch"))
    assert errors(result) == [("BAD_FIELD", "procedures[0].technique")]
    assert codes(result) == [("11104", 1)]


@pytest.mark.parametrize("count", [0, -1, True, 1.5])
def test_bad_count_is_an_error(count: object) -> None:
    result = run(proc("biopsy", technique="punch", count=count))
    assert errors(result) == [("BAD_FIELD", "procedures[0].count")] and not result.lines


def test_count_documents_several_lesions() -> None:
    assert codes(run(proc("biopsy", technique="punch", count=3))) == [("11104", 1), ("11105", 2)]


@given(st.lists(st.sampled_from(["tangential", "punch", "incisional"]), min_size=1, max_size=20))
def test_property_one_primary_and_one_unit_per_lesion(techniques: list[str]) -> None:
    result = run(*biopsies(*techniques))
    primaries = [ln for ln in result.lines if ln.code in ("11102", "11104", "11106")]
    assert len(primaries) == 1 and primaries[0].units == 1
    assert sum(ln.units for ln in result.lines) == len(techniques)
    best = min(techniques, key=["incisional", "punch", "tangential"].index)
    assert primaries[0].code == {"incisional": "11106", "punch": "11104",
                                 "tangential": "11102"}[best]
    for line in result.lines[1:]:
        assert line.code in ("11103", "11105", "11107")


def test_addons_split_by_side_when_the_payer_wants_laterality() -> None:
    procs = (proc("biopsy", technique="punch", site="back"),
             proc("biopsy", technique="tangential", site="arm", laterality="left"),
             proc("biopsy", technique="tangential", site="arm", laterality="right"),
             proc("biopsy", technique="tangential", site="leg", laterality="left"))
    assert codes(run(*procs)) == [("11104", 1), ("11103", 3)]
    sided = run(*procs, laterality=True)
    assert [(ln.code, ln.units, ln.laterality) for ln in sided.lines] == [
        ("11104", 1, None), ("11103", 2, "left"), ("11103", 1, "right")]
    assert sided.lines[1].procedures == (1, 3)


def test_huge_count_is_counted_not_expanded() -> None:
    assert codes(run(proc("biopsy", technique="punch", count=10**9))) == [
        ("11104", 1), ("11105", 10**9 - 1)]
