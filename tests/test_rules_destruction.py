"""Destruction (premalignant, benign) and skin tags: counts summed per session, boundaries."""

from __future__ import annotations

import math

import pytest
from helpers_coding import codes, errors, proc, run
from hypothesis import given
from hypothesis import strategies as st

from coding.model import Procedure
from coding.rules.destruction import benign_codes, premalignant_codes, skin_tag_codes


def ak(n: object, **kw: object) -> Procedure:
    return proc("destruction", lesion_class="premalignant", count=n, method="cryo", **kw)


def wart(n: object) -> Procedure:
    return proc("destruction", lesion_class="benign", count=n, method="cryo")


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, [("17000", 1)]),
        (2, [("17000", 1), ("17003", 1)]),
        (4, [("17000", 1), ("17003", 3)]),
        (14, [("17000", 1), ("17003", 13)]),
        (15, [("17004", 1)]),
        (40, [("17004", 1)]),
    ],
)
def test_premalignant(n: int, expected: list[tuple[str, int]]) -> None:
    assert codes(run(ak(n))) == expected


@pytest.mark.parametrize(("n", "code"), [(1, "17110"), (14, "17110"), (15, "17111"), (60, "17111")])
def test_benign(n: int, code: str) -> None:
    assert codes(run(wart(n))) == [(code, 1)]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, [("11200", 1)]),
        (15, [("11200", 1)]),
        (16, [("11200", 1), ("11201", 1)]),
        (25, [("11200", 1), ("11201", 1)]),
        (26, [("11200", 1), ("11201", 2)]),
        (35, [("11200", 1), ("11201", 2)]),
        (36, [("11200", 1), ("11201", 3)]),
    ],
)
def test_skin_tags(n: int, expected: list[tuple[str, int]]) -> None:
    assert codes(run(proc("skin_tag_removal", count=n))) == expected


def test_counts_sum_over_the_session() -> None:
    result = run(ak(8, site="forearm"), ak(7, site="scalp"))
    assert codes(result) == [("17004", 1)]
    assert result.lines[0].procedures == (0, 1)
    assert "8 (procedure 0) + 7 (procedure 1)" in result.lines[0].rationale
    assert result.lines[0].sites == ("forearm", "scalp") and result.lines[0].site is None


def test_premalignant_and_benign_both_reported() -> None:
    assert codes(run(ak(3), wart(2))) == [("17000", 1), ("17003", 2), ("17110", 1)]


@pytest.mark.parametrize("n", [0, -3, None, "5", True])
def test_bad_count(n: object) -> None:
    result = run(ak(n), wart(1))
    assert errors(result)[0][1] == "procedures[0].count"
    assert codes(result) == [("17110", 1)]


@pytest.mark.parametrize("cls", [None, "malignant-ish", "wart"])
def test_bad_lesion_class(cls: object) -> None:
    result = run(proc("destruction", lesion_class=cls, count=2))
    assert errors(result) == [("BAD_FIELD", "procedures[0].lesion_class")]
    assert not result.lines


@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=5))
def test_property_premalignant_units(counts: list[int]) -> None:
    n = sum(counts)
    got = dict(codes(run(*(ak(c) for c in counts))))
    if n >= 15:
        assert got == {"17004": 1}
    else:
        assert got["17000"] == 1 and got.get("17003", 0) == n - 1 and got.get("17003", 1) <= 13


@given(st.integers(min_value=1, max_value=500))
def test_property_count_functions(n: int) -> None:
    assert len(benign_codes(n)) == 1
    tags = dict((c.code, c.units) for c in skin_tag_codes(n))
    assert tags["11200"] == 1
    assert tags.get("11201", 0) == max(0, math.ceil((n - 15) / 10))
    # 11200 + add-ons cover every tag, and one fewer add-on would not
    assert 15 + 10 * tags.get("11201", 0) >= n > 15 + 10 * (tags.get("11201", 0) - 1) or n <= 15
    assert sum(c.units for c in premalignant_codes(n)) == (1 if n >= 15 else n)


def test_zero_count_functions_return_nothing() -> None:
    assert premalignant_codes(0) == benign_codes(0) == skin_tag_codes(0) == []


@pytest.mark.parametrize(
    ("site", "size", "code"),
    # CPT 17260-17286: site group (excision groups) × lesion diameter; last digit 0,1,2,3,4,6
    [("back", "0.5", "17260"), ("back", "0.51", "17261"), ("arm", "2.0", "17262"),
     ("scalp", "1.0", "17271"), ("hand", "4.0", "17274"), ("neck", "4.1", "17276"),
     ("nose", "0.3", "17280"), ("ear", "3.0", "17283"), ("lip", "6", "17286")],
)
def test_malignant_destruction_by_site_group_and_lesion_diameter(site: str, size: str,
                                                                 code: str) -> None:
    result = run(proc("destruction", lesion_class="malignant", lesion_cm=size, site=site,
                      method="curettage and electrodesiccation"))
    assert codes(result) == [(code, 1)] and "no margins" in result.lines[0].rationale


def test_malignant_destructions_are_per_lesion_never_summed() -> None:
    result = run(proc("destruction", lesion_class="malignant", lesion_cm="0.4", site="back"),
                 proc("destruction", lesion_class="malignant", lesion_cm="0.4", site="chest"),
                 proc("destruction", lesion_class="malignant", lesion_cm="0.8", site="back",
                      count=2))
    assert codes(result) == [("17260", 1), ("17260", 1), ("17261", 2)]


def test_malignant_destruction_needs_its_diameter_and_site() -> None:
    result = run(proc("destruction", lesion_class="malignant", site="back"),
                 proc("destruction", lesion_class="malignant", lesion_cm="1"))
    assert errors(result) == [("MISSING_FIELD", "procedures[0].lesion_cm"),
                              ("MISSING_FIELD", "procedures[1].site")]
