"""Repairs: summing per complexity and site group, brackets, complex add-ons, the ≤1.0 cm
complex rule, simple closure with excision, and the NCCI small-benign-excision rule."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from helpers_coding import codes, errors, finding_codes, proc, repair_spec, run
from hypothesis import given
from hypothesis import strategies as st

from coding.model import Procedure, Severity


def rep(complexity: object, length: object, site: object = "back") -> Procedure:
    return proc("repair", complexity=complexity, length_cm=length, site=site)


@pytest.mark.parametrize(
    ("complexity", "site", "length", "expected"),
    [
        ("simple", "back", "2.5", [("12001", 1)]), ("simple", "back", "2.6", [("12002", 1)]),
        ("simple", "hand", "7.5", [("12002", 1)]), ("simple", "hand", "7.6", [("12004", 1)]),
        ("simple", "leg", "12.5", [("12004", 1)]), ("simple", "leg", "12.6", [("12005", 1)]),
        ("simple", "leg", "20.0", [("12005", 1)]), ("simple", "leg", "20.1", [("12006", 1)]),
        ("simple", "leg", "30.1", [("12007", 1)]),
        ("simple", "nose", "2.5", [("12011", 1)]), ("simple", "nose", "2.6", [("12013", 1)]),
        ("simple", "lip", "5.0", [("12013", 1)]), ("simple", "lip", "5.1", [("12014", 1)]),
        ("simple", "ear", "7.6", [("12015", 1)]), ("simple", "face", "30.1", [("12018", 1)]),
        ("intermediate", "scalp", "2.5", [("12031", 1)]),
        ("intermediate", "scalp", "2.6", [("12032", 1)]),
        ("intermediate", "arm", "7.5", [("12032", 1)]),
        ("intermediate", "arm", "7.6", [("12034", 1)]),
        ("intermediate", "trunk", "12.5", [("12034", 1)]),
        ("intermediate", "trunk", "12.6", [("12035", 1)]),
        ("intermediate", "axilla", "30.1", [("12037", 1)]),
        ("intermediate", "neck", "2.5", [("12041", 1)]),
        ("intermediate", "foot", "2.6", [("12042", 1)]),
        ("intermediate", "genitalia", "20.1", [("12046", 1)]),
        ("intermediate", "cheek", "2.5", [("12051", 1)]),
        ("intermediate", "cheek", "2.6", [("12052", 1)]),
        ("intermediate", "nose", "5.1", [("12053", 1)]),
        ("intermediate", "lip", "7.6", [("12054", 1)]),
        ("intermediate", "face", "30.1", [("12057", 1)]),
        ("complex", "back", "1.1", [("13100", 1)]), ("complex", "back", "2.5", [("13100", 1)]),
        ("complex", "back", "2.6", [("13101", 1)]), ("complex", "back", "7.5", [("13101", 1)]),
        ("complex", "back", "7.6", [("13101", 1), ("13102", 1)]),
        ("complex", "back", "12.5", [("13101", 1), ("13102", 1)]),
        ("complex", "back", "12.6", [("13101", 1), ("13102", 2)]),
        ("complex", "leg", "17.6", [("13121", 1), ("13122", 3)]),
        ("complex", "forehead", "2.5", [("13131", 1)]), ("complex", "neck", "7.5", [("13132", 1)]),
        ("complex", "hand", "8.0", [("13132", 1), ("13133", 1)]),
        ("complex", "eyelid", "1.1", [("13151", 1)]), ("complex", "nose", "2.6", [("13152", 1)]),
        ("complex", "ear", "13.0", [("13152", 1), ("13153", 2)]),
    ],
)
def test_brackets(complexity: str, site: str, length: str, expected: list) -> None:
    assert codes(run(rep(complexity, length, site))) == expected


def test_reference_example_scalp_arm_arm_summed() -> None:
    result = run(rep("complex", "1.1", "scalp"), rep("complex", "2.1", "arm"),
                 rep("complex", "6.3", "arm"))
    assert codes(result) == [("13121", 1), ("13122", 1)]
    first = result.lines[0]
    assert first.procedures == (0, 1, 2) and first.sites == ("scalp", "arm")
    assert "scalp 1.1 + arm 2.1 + arm 6.3 = 9.5 cm" in first.rationale


def test_groups_and_complexities_stay_apart() -> None:
    result = run(rep("intermediate", "2.0", "arm"), rep("intermediate", "1.0", "hand"),
                 rep("intermediate", "1.0", "leg"), rep("complex", "3.0", "back"))
    # arm 2.0 + leg 1.0 = 3.0 cm (group a); hand 1.0 (group b); complex apart
    assert codes(result) == [("12032", 1), ("12041", 1), ("13101", 1)]
    assert result.lines[0].procedures == (0, 2)


@pytest.mark.parametrize(("length", "expected"), [("1.0", "12032"), ("0.5", "12031"),
                                                  ("0.4", "12031")])
def test_complex_one_cm_or_less_is_intermediate(length: str, expected: str) -> None:
    # the reclassified repair joins the intermediate repairs of its intermediate group:
    # scalp + arm are both intermediate group a, so 2.0 + length is summed
    result = run(rep("complex", length, "scalp"), rep("intermediate", "2.0", "arm"))
    assert codes(result) == [(expected, 1)]
    assert "COMPLEX_AS_INTERMEDIATE" in finding_codes(result, Severity.WARNING)
    assert result.lines[0].procedures == (0, 1)


def test_complex_summed_over_one_cm_stays_complex() -> None:
    result = run(rep("complex", "0.6", "back"), rep("complex", "0.6", "chest"))
    assert codes(result) == [("13100", 1)] and not result.findings


def test_complex_face_cannot_be_placed() -> None:
    result = run(rep("complex", "3.0", "face"))
    assert errors(result) == [("SITE_NOT_PLACEABLE", "procedures[0].site")] and not result.lines
    assert "'face'" in result.findings[0].message and "procedure 0" in result.findings[0].message


def exc(behavior: str, lesion: str, margin: str, site: str, complexity: str, length: str):
    return proc("excision", behavior=behavior, lesion_cm=lesion, margin_cm=margin, site=site,
                repair=repair_spec(complexity, length))


def test_excision_with_intermediate_repair() -> None:
    result = run(exc("malignant", "0.8", "0.3", "cheek", "intermediate", "3.0"))
    assert codes(result) == [("11642", 1), ("12052", 1)]
    assert result.lines[1].family == "repair" and result.lines[1].procedures == (0,)


def test_simple_repair_with_excision_is_included() -> None:
    result = run(exc("benign", "1.0", "0.2", "back", "simple", "2.0"))
    assert codes(result) == [("11402", 1)]
    assert finding_codes(result) == ["SIMPLE_REPAIR_INCLUDED"]


def test_standalone_simple_repair_is_billed() -> None:
    assert codes(run(rep("simple", "2.0", "arm"))) == [("12001", 1)]


def test_excision_repair_summed_with_standalone_repair() -> None:
    result = run(exc("malignant", "1.0", "0.2", "arm", "intermediate", "2.0"),
                 rep("intermediate", "1.0", "back"))
    assert codes(result) == [("11602", 1), ("12032", 1)]
    assert result.lines[1].procedures == (0, 1)


@pytest.mark.parametrize(
    ("lesion", "margin", "other", "billed"),
    [
        ("0.5", "0", None, False),  # 11400 alone: repair included (NCCI)
        ("0.3", "0.1", None, False),
        # NCCI ch. III: "Removal of one lesion smaller than 0.5 cm does not preclude also
        # reporting ... a repair for a larger lesion" — the small one's own repair stays in
        ("0.5", "0", ("0.6", "0"), False),
        ("0.5", "0", ("0.5", "0"), False),  # the other is also ≤ 0.5
        ("0.6", "0", None, True),  # not ≤ 0.5
    ],
)
def test_ncci_small_benign_excision(lesion: str, margin: str, other: tuple | None,
                                    billed: bool) -> None:
    procs = [exc("benign", lesion, margin, "nose", "complex", "2.0")]
    if other:
        procs.append(proc("excision", behavior="benign", lesion_cm=other[0],
                          margin_cm=other[1], site="back"))
    result = run(*procs)
    assert ("13151" in [c for c, _ in codes(result)]) is billed
    assert ("REPAIR_INCLUDED_NCCI" in finding_codes(result, Severity.INFO)) is not billed


def test_ncci_rule_applies_to_benign_only() -> None:
    result = run(exc("malignant", "0.5", "0", "nose", "complex", "2.0"))
    assert codes(result) == [("11640", 1), ("13151", 1)]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"complexity": "layered"}, "procedures[0].complexity"),
        ({"complexity": None}, "procedures[0].complexity"),
        ({"length": "0"}, "procedures[0].length_cm"),
        ({"length": None}, "procedures[0].length_cm"),
        ({"length": "-2"}, "procedures[0].length_cm"),
        ({"site": None}, "procedures[0].site"),
    ],
)
def test_bad_standalone_repair(kwargs: dict, path: str) -> None:
    args = {"complexity": "intermediate", "length": "2.0", "site": "back"} | kwargs
    result = run(rep(args["complexity"], args["length"], args["site"]))
    assert path in [p for _, p in errors(result)] and not result.lines


def test_bad_repair_on_excision_names_nested_path() -> None:
    result = run(exc("malignant", "1.0", "0.2", "arm", "layered", "2.0"))
    assert ("BAD_FIELD", "procedures[0].repair.complexity") in errors(result)
    assert codes(result) == [("11602", 1)]


lengths = st.integers(min_value=11, max_value=600).map(lambda n: Decimal(n) / 10)


@given(st.lists(lengths, min_size=1, max_size=4))
def test_property_complex_addon_units(parts: list[Decimal]) -> None:
    total = sum(parts, Decimal(0))
    got = dict(codes(run(*(rep("complex", p, "leg") for p in parts))))
    if total <= Decimal("2.5"):
        assert got == {"13120": 1}
    elif total <= Decimal("7.5"):
        assert got == {"13121": 1}
    else:
        assert got == {"13121": 1, "13122": math.ceil((total - Decimal("7.5")) / 5)}
        # the add-on covers the length, and one unit fewer would not
        assert Decimal("7.5") + 5 * got["13122"] >= total > Decimal("7.5") + 5 * (got["13122"] - 1)


@given(st.lists(lengths, min_size=1, max_size=4))
def test_property_one_line_per_group(parts: list[Decimal]) -> None:
    result = run(*(rep("intermediate", p, "arm") for p in parts))
    assert len(result.lines) == 1 and result.lines[0].units == 1
