"""Pathology, phototherapy, other, and the code_families dispatcher."""

from __future__ import annotations

import pytest
from helpers_coding import coded, codes, drug, errors, finding_codes, proc, repair_spec, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding.model import Drug, Procedure, RepairSpec, Severity


@pytest.mark.parametrize(("specimens", "units"), [(1, 1), (3, 3)])
def test_pathology_in_house(specimens: int, units: int) -> None:
    result = run(proc("pathology", code="88305", specimens=specimens, in_house=True))
    assert codes(result) == [("88305", units)]


def test_pathology_elsewhere_no_line() -> None:
    result = run(proc("pathology", code="88305", specimens=2, in_house=False))
    assert not result.lines
    assert finding_codes(result, Severity.INFO) == ["PATHOLOGY_ELSEWHERE"]


@pytest.mark.parametrize(
    ("kw", "path"),
    [
        ({"code": "8830"}, "procedures[0].code"),
        ({"code": None}, "procedures[0].code"),
        ({"specimens": 0}, "procedures[0].specimens"),
        ({"specimens": None}, "procedures[0].specimens"),
        ({"in_house": None}, "procedures[0].in_house"),
    ],
)
def test_pathology_bad(kw: dict, path: str) -> None:
    fields = {"code": "88305", "specimens": 1, "in_house": True} | kw
    result = run(proc("pathology", **fields))
    assert path in [p for _, p in errors(result)] and not result.lines


@pytest.mark.parametrize(("units", "expected"), [(None, 1), (1, 1), (3, 3)])
def test_phototherapy_units(units: int | None, expected: int) -> None:
    assert codes(run(proc("phototherapy", code="96910", units=units))) == [("96910", expected)]


def test_phototherapy_unknown_code_warns() -> None:
    result = run(proc("phototherapy", code="99999"))
    assert codes(result) == [("99999", 1)]
    assert finding_codes(result, Severity.WARNING) == ["UNKNOWN_PHOTOTHERAPY_CODE"]


@pytest.mark.parametrize(("kw", "path"), [({"code": "9691"}, "procedures[0].code"),
                                          ({"units": 0}, "procedures[0].units")])
def test_phototherapy_bad(kw: dict, path: str) -> None:
    fields = {"code": "96910"} | kw
    assert path in [p for _, p in errors(run(proc("phototherapy", **fields)))]


@pytest.mark.parametrize("code", ["11042", "0479T", "G0168", "3016F"])
def test_other_pass_through(code: str) -> None:
    result = run(proc("other", code=code, units=2, modifiers=["RT"]))
    assert coded(result) == [(code, 2, ("RT",))] and not result.findings


@pytest.mark.parametrize(
    ("kw", "path"),
    [
        ({"code": "1104"}, "procedures[0].code"),
        ({"code": "W1234"}, "procedures[0].code"),
        ({"code": None}, "procedures[0].code"),
        ({"units": -1}, "procedures[0].units"),
        ({"modifiers": ["R"]}, "procedures[0].modifiers[0]"),
        ({"modifiers": ["RT", "x5"]}, "procedures[0].modifiers[1]"),
    ],
)
def test_other_bad(kw: dict, path: str) -> None:
    fields = {"code": "11042", "units": 1} | kw
    result = run(proc("other", **fields))
    assert path in [p for _, p in errors(result)] and not result.lines


def test_dispatcher_orders_families_and_skips_office_visit() -> None:
    result = run(
        proc("office_visit", code="99213", separately_identifiable=True),
        proc("destruction", lesion_class="premalignant", count=3),
        proc("biopsy", technique="tangential", site="arm"),
        proc("excision", behavior="malignant", lesion_cm="1.0", margin_cm="0.4", site="nose",
             repair=repair_spec("intermediate", "3.0")),
        proc("biopsy", technique="punch", site="back"),
        proc("intralesional", lesions=2, drug=drug(dose="10")),
        proc("pathology", code="88305", specimens=2, in_house=True),
    )
    assert codes(result) == [("11104", 1), ("11103", 1), ("11642", 1), ("12052", 1),
                             ("17000", 1), ("17003", 2), ("11900", 1), ("J3301", 1),
                             ("88305", 2)]
    assert all(line.procedure is not None for line in result.lines)
    assert {line.family for line in result.lines} == {
        "biopsy", "excision", "repair", "destruction", "intralesional", "drug", "pathology"}


def test_unknown_procedure_type_is_an_error() -> None:
    result = run(proc("laser"), proc("biopsy", technique="punch"))
    assert errors(result) == [("UNKNOWN_PROCEDURE_TYPE", "procedures[0].type")]
    assert codes(result) == [("11104", 1)]


def test_messages_carry_no_patient_data() -> None:
    result = run(proc("excision", behavior="benign", site="face"),
                 proc("mohs", stages=(), site="nose"), proc("repair", complexity="complex",
                                                            length_cm="2", site="face"))
    text = " ".join(f.message for f in result.findings)
    assert result.findings
    assert "DOE" not in text and "JANE" not in text and "1EG4TE5MK73" not in text


# Rules never crash on odd values: the loader checks types, but a Procedure built by code
# (or a future loader change) may carry anything.
odd = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-5, max_value=40),
    st.decimals(allow_nan=True, allow_infinity=True, places=2), st.text(max_size=6),
    st.sampled_from(["arm", "face", "nose", "benign", "malignant", "punch", "complex",
                     "premalignant", "subcutaneous", "88305", "J3301"]),
)
TYPES = ["biopsy", "destruction", "skin_tag_removal", "shave", "excision", "repair", "mohs",
         "intralesional", "injection", "pathology", "phototherapy", "other", "laser"]


@st.composite
def odd_procedures(draw: st.DrawFn) -> Procedure:
    fields = {name: draw(odd) for name in (
        "site", "laterality", "code", "technique", "lesion_class", "count", "lesion_cm",
        "behavior", "margin_cm", "complexity", "length_cm", "lesions", "route", "specimens",
        "in_house", "units")}
    fields["stages"] = tuple(draw(st.lists(odd, max_size=4)))
    fields["modifiers"] = tuple(draw(st.lists(odd, max_size=3)))
    if draw(st.booleans()):
        fields["repair"] = RepairSpec(complexity=draw(odd), length_cm=draw(odd))
    if draw(st.booleans()):
        fields["drug"] = Drug(hcpcs=draw(odd), ndc=draw(odd), dose=draw(odd),
                              dose_unit=draw(odd), wasted=draw(odd), ndc_quantity=draw(odd),
                              ndc_unit=draw(odd), single_dose=draw(odd))
    return Procedure(type=draw(st.sampled_from(TYPES)), **fields)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(odd_procedures(), min_size=1, max_size=4))
def test_property_odd_values_never_crash(procs: list[Procedure]) -> None:
    result = run(*procs)
    for line in result.lines:
        assert line.units >= 1 and line.code
    for f in result.findings:
        assert f.procedure is None or 0 <= f.procedure < len(procs)
        assert f.path is None or f.path.startswith(f"procedures[{f.procedure}]")
