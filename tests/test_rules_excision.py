"""Excision (benign/malignant, margins) and shave: site groups and size-bracket boundaries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers_coding import codes, errors, proc, run
from hypothesis import given
from hypothesis import strategies as st

from coding.model import Procedure


def exc(
    behavior: object, lesion: object, margin: object, site: object = "back", **kw: object
) -> Procedure:
    return proc("excision", behavior=behavior, lesion_cm=lesion, margin_cm=margin, site=site, **kw)


@pytest.mark.parametrize(
    ("lesion", "margin", "code"),
    [
        ("0.5", "0", "11400"), ("0.3", "0.1", "11400"), ("0.6", "0", "11401"),
        ("0.55", "0", "11401"), ("0.4", "0.3", "11401"), ("1.0", "0", "11401"),
        ("1.1", "0", "11402"), ("1.4", "0.3", "11402"), ("2.0", "0", "11402"),
        ("2.1", "0", "11403"), ("3.0", "0", "11403"), ("3.1", "0", "11404"),
        ("4.0", "0", "11404"), ("4.1", "0", "11406"), ("3.0", "1.0", "11406"),
    ],
)
def test_benign_trunk_brackets(lesion: str, margin: str, code: str) -> None:
    assert codes(run(exc("benign", lesion, margin))) == [(code, 1)]


@pytest.mark.parametrize(
    ("behavior", "site", "diameter", "code"),
    [
        ("benign", "scalp", "0.5", "11420"), ("benign", "neck", "0.6", "11421"),
        ("benign", "hand", "4.1", "11426"), ("benign", "nose", "0.5", "11440"),
        ("benign", "eyelid", "2.1", "11443"), ("malignant", "back", "0.5", "11600"),
        ("malignant", "arm", "2.0", "11602"), ("malignant", "thigh", "4.1", "11606"),
        ("malignant", "scalp", "1.0", "11621"), ("malignant", "foot", "3.1", "11624"),
        ("malignant", "cheek", "1.4", "11642"), ("malignant", "face", "4.0", "11644"),
        ("malignant", "lip", "5.0", "11646"),
    ],
)
def test_groups(behavior: str, site: str, diameter: str, code: str) -> None:
    assert codes(run(exc(behavior, diameter, "0", site))) == [(code, 1)]


def test_rationale_shows_margin_arithmetic() -> None:
    line = run(exc("malignant", "0.8", "0.3", "cheek")).lines[0]
    assert line.code == "11642"
    assert line.rationale.startswith("Excised diameter 1.4 cm = lesion 0.8 + 2 × margin 0.3; "
                                     "malignant, cheek in the face")
    assert line.family == "excision" and line.site == "cheek"


def test_one_line_per_lesion_sizes_never_added() -> None:
    assert codes(run(exc("benign", "0.4", "0", "arm"), exc("benign", "0.4", "0", "arm"))) == [
        ("11400", 1), ("11400", 1)]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"margin": None}, "procedures[0].margin_cm"),
        ({"margin": "-0.1"}, "procedures[0].margin_cm"),
        ({"lesion": "0"}, "procedures[0].lesion_cm"),
        ({"lesion": None}, "procedures[0].lesion_cm"),
        ({"behavior": "uncertain"}, "procedures[0].behavior"),
        ({"behavior": None}, "procedures[0].behavior"),
        ({"site": None}, "procedures[0].site"),
        ({"site": "elbow"}, "procedures[0].site"),
    ],
)
def test_bad_fields(kwargs: dict, path: str) -> None:
    args = {"behavior": "benign", "lesion": "1.0", "margin": "0.2", "site": "back"} | kwargs
    result = run(exc(args["behavior"], args["lesion"], args["margin"], args["site"]))
    assert path in [p for _, p in errors(result)] and not result.lines


def test_odd_values_do_not_crash() -> None:
    p = proc("excision", behavior="benign", lesion_cm="abc", margin_cm=float("nan"), site="back")
    assert {path for _, path in errors(run(p))} == {"procedures[0].lesion_cm",
                                                    "procedures[0].margin_cm"}


@pytest.mark.parametrize(
    ("site", "size", "code"),
    [
        ("back", "0.5", "11300"), ("back", "0.6", "11301"), ("leg", "1.0", "11301"),
        ("leg", "1.1", "11302"), ("arm", "2.0", "11302"), ("arm", "2.1", "11303"),
        ("neck", "0.4", "11305"), ("scalp", "0.6", "11306"), ("genitalia", "2.1", "11308"),
        ("nose", "0.5", "11310"), ("ear", "1.1", "11312"), ("mucous_membrane", "3", "11313"),
    ],
)
def test_shave(site: str, size: str, code: str) -> None:
    assert codes(run(proc("shave", lesion_cm=size, site=site))) == [(code, 1)]


def test_shave_ignores_margin_with_warning() -> None:
    result = run(proc("shave", lesion_cm="0.5", margin_cm="0.2", site="back"))
    assert codes(result) == [("11300", 1)]
    assert [f.code for f in result.findings] == ["MARGIN_IGNORED"]


def test_shave_missing_size() -> None:
    result = run(proc("shave", site="back"))
    assert errors(result) == [("MISSING_FIELD", "procedures[0].lesion_cm")]


tenths = st.integers(min_value=1, max_value=80).map(lambda n: Decimal(n) / 10)


@given(tenths, st.integers(min_value=0, max_value=15).map(lambda n: Decimal(n) / 10))
def test_property_excision_digit(lesion: Decimal, margin: Decimal) -> None:
    diameter = lesion + 2 * margin
    line = run(exc("malignant", lesion, margin, "back")).lines[0]
    limits = [Decimal("0.5"), Decimal("1.0"), Decimal("2.0"), Decimal("3.0"), Decimal("4.0")]
    digit = next((d for d, lim in zip("01234", limits, strict=True) if diameter <= lim), "6")
    assert line.code == "1160" + digit


@given(st.decimals(min_value="0.01", max_value="9.99", places=2))
def test_property_shave_monotone(size: Decimal) -> None:
    bigger = size + Decimal("0.5")
    a = run(proc("shave", lesion_cm=size, site="arm")).lines[0].code
    b = run(proc("shave", lesion_cm=bigger, site="arm")).lines[0].code
    assert a <= b and a.startswith("1130")


def test_rationale_writes_sizes_with_a_decimal() -> None:
    line = run(exc("malignant", "1.2", "0.4", "cheek")).lines[0]
    assert "Excised diameter 2.0 cm = lesion 1.2 + 2 × margin 0.4" in line.rationale
    line = run(exc("benign", "1", "0", "back")).lines[0]
    assert "Excised diameter 1.0 cm = lesion 1.0 + 2 × margin 0.0" in line.rationale
