"""Bounded encounter files: size, depth, array sizes, text lengths and numbers are refused
with the file and the path, never a RecursionError or a run of minutes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coding import encounter_limits as limits
from coding.encounter import load_encounters
from coding.errors import EncounterError

SAMPLE = Path(__file__).resolve().parent.parent / "samples/encounters/01-em25-biopsies.json"


def visit() -> dict:  # type: ignore[type-arg]
    return json.loads(SAMPLE.read_text())


def refused(tmp_path: Path, text: str) -> EncounterError:
    path = tmp_path / "visit.json"
    path.write_text(text)
    with pytest.raises(EncounterError) as info:
        load_encounters(path)
    assert str(path) in str(info.value)
    return info.value


@pytest.mark.parametrize("depth", [limits.MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_arrays_are_refused_with_the_place(tmp_path: Path, depth: int) -> None:
    exc = refused(tmp_path, '{"notes": ' + "[" * depth + "]" * depth + "}")
    assert f"nested more than {limits.MAX_DEPTH} levels deep" in str(exc)


def test_deep_text_in_strings_does_not_count(tmp_path: Path) -> None:
    data = visit()
    data["notes"] = "[" * 5000
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(data))
    assert load_encounters(path)[0].claim_id == "DC-1001"


def test_a_huge_procedure_list_names_the_path_and_the_limit(tmp_path: Path) -> None:
    data = visit()
    data["procedures"] = data["procedures"][:1] * 100_000
    exc = refused(tmp_path, json.dumps(data))
    assert exc.problems == [("procedures", f"100,000 items, at most {limits.MAX_ITEMS:,}")]


def test_too_many_encounters_in_one_file(tmp_path: Path) -> None:
    many = [visit()] * (limits.MAX_ENCOUNTERS + 1)
    exc = refused(tmp_path, json.dumps(many))
    assert exc.problems == [("", f"{limits.MAX_ENCOUNTERS + 1:,} encounters, at most "
                                 f"{limits.MAX_ENCOUNTERS:,}")]


def test_long_text_and_huge_numbers(tmp_path: Path) -> None:
    data = visit()
    data["notes"] = "x" * (limits.MAX_TEXT + 1)
    text = json.dumps(data).replace('"type": "biopsy"', '"type": "biopsy", "size_cm": 1e999999',
                                    1)
    exc = refused(tmp_path, text)
    paths = dict(exc.problems)
    assert "text of" in paths["notes"] and "at most" in paths["notes"]
    assert "more than 15 digits" in paths["procedures[1].size_cm"]


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    exc = refused(tmp_path, json.dumps(visit()))
    assert "bytes, at most 100" in str(exc)


def test_every_sample_is_within_the_limits() -> None:
    for path in sorted(SAMPLE.parent.glob("*.json")):
        assert limits.check_decoded(json.loads(path.read_text())) == [], path.name


# The path-free walk (`_within_bounds`) must say "within bounds" exactly when the walk that
# names paths finds nothing. Small limits put every boundary within reach of small trees.
SMALL = {"MAX_DEPTH": 3, "MAX_ENCOUNTERS": 4, "MAX_ITEMS": 2, "MAX_TEXT": 3, "MAX_DIGITS": 2}
LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-150, 150), st.text(max_size=5),
    st.decimals(min_value=-200, max_value=200, places=2),
    st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("99.5"), Decimal("100"),
                     Decimal("-1E+2"), Decimal("0E+5")]),
)
JSON_TREES = st.recursive(
    LEAVES, lambda kids: st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=2),
                                                                      kids, max_size=4),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(data=JSON_TREES)
def test_the_quick_walk_agrees_with_the_walk_that_names_paths(data: object) -> None:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in SMALL.items():
            mp.setattr(limits, name, value)
        slow = limits._problems(data)
        if isinstance(data, (dict, list)):
            assert limits._within_bounds(data) == (slow == [])
        assert limits.check_decoded(data) == slow


def test_the_quick_walk_leaves_other_types_to_the_full_walk() -> None:
    data = {"size_cm": 1.5, "items": [FloatSub(3)]}  # a caller's own json.loads: floats
    assert not limits._within_bounds(data)
    assert limits.check_decoded(data) == []


class FloatSub(float):
    pass
