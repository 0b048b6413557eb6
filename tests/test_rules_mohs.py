"""Mohs: first stage by site group, further stages, blocks beyond 5, units aggregated."""

from __future__ import annotations

import pytest
from helpers_coding import codes, errors, proc, run
from hypothesis import given
from hypothesis import strategies as st

from coding.model import Procedure
from coding.rules.mohs import lesion_codes


def mohs(stages: object, site: object = "nose", **kw: object) -> Procedure:
    return proc("mohs", stages=stages, site=site, **kw)


@pytest.mark.parametrize(
    ("site", "stages", "expected"),
    [
        ("nose", [1], [("17311", 1)]),
        ("scalp", [3], [("17311", 1)]),  # scalp is head (group a), not 17313
        ("hand", [5], [("17311", 1)]),
        ("nose", [5, 6, 2], [("17311", 1), ("17312", 2), ("17315", 1)]),
        ("ear", [6], [("17311", 1), ("17315", 1)]),
        ("cheek", [9, 7, 1], [("17311", 1), ("17312", 2), ("17315", 6)]),
        ("back", [2], [("17313", 1)]),
        ("forearm", [4, 5, 6], [("17313", 1), ("17314", 2), ("17315", 1)]),
    ],
)
def test_stages(site: str, stages: list[int], expected: list) -> None:
    assert codes(run(mohs(stages, site))) == expected


def test_units_aggregate_per_code_across_lesions() -> None:
    result = run(mohs([2, 1], "nose"), mohs([7], "scalp"), mohs([1, 1, 1], "back"))
    assert codes(result) == [("17311", 2), ("17312", 1), ("17313", 1), ("17314", 2),
                             ("17315", 2)]
    assert result.lines[0].procedures == (0, 1)
    assert "stages [2, 1]" in result.lines[0].rationale


@pytest.mark.parametrize(
    ("stages", "path"),
    [([], "procedures[0].stages"), ([0], "procedures[0].stages[0]"),
     ([3, -1], "procedures[0].stages[1]"), ([2, True], "procedures[0].stages[1]"),
     (["5"], "procedures[0].stages[0]")],
)
def test_bad_stages(stages: list, path: str) -> None:
    result = run(mohs(stages))
    assert path in [p for _, p in errors(result)] and not result.lines


@pytest.mark.parametrize("site", [None, "elbow"])
def test_bad_site(site: object) -> None:
    result = run(mohs([1], site))
    assert [p for _, p in errors(result)] == ["procedures[0].site"]


@given(st.sampled_from(["a", "b"]), st.lists(st.integers(min_value=1, max_value=30),
                                              min_size=1, max_size=8))
def test_property_lesion_codes(group: str, stages: list[int]) -> None:
    got = lesion_codes(group, tuple(stages))
    first, further = ("17311", "17312") if group == "a" else ("17313", "17314")
    assert got[first] == 1
    assert got.get(further, 0) == len(stages) - 1
    assert got.get("17315", 0) == sum(max(0, b - 5) for b in stages)
    # every block is paid once: 5 per stage code, one per 17315 unit
    assert 5 * len(stages) + got.get("17315", 0) >= sum(stages)


def test_one_line_per_side_when_the_payer_wants_laterality() -> None:
    procs = (mohs([3, 1], "ear", laterality="left"), mohs([1], "ear", laterality="right"),
             mohs([1], "nose"))
    assert codes(run(*procs)) == [("17311", 3), ("17312", 1)]
    sided = run(*procs, laterality=True)
    assert [(ln.code, ln.units, ln.laterality) for ln in sided.lines] == [
        ("17311", 1, None), ("17311", 1, "left"), ("17311", 1, "right"), ("17312", 1, "left")]
    assert sided.lines[1].procedures == (0,)
