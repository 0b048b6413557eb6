"""Site vocabulary, site groups per family, and the data tables checked against each other."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from coding.sites import SITE_FAMILIES, SITES, group_sites, is_site, site_group
from coding.tables import addon, brackets, drug_units, read_table

VOCABULARY = (
    "scalp forehead cheek chin mouth nose ear eyelid lip mucous_membrane face neck axilla chest "
    "abdomen back trunk buttock shoulder arm forearm hand finger thigh leg knee foot toe genitalia"
).split()
GROUP_COUNT = {"excision": 3, "shave": 3, "mohs": 2, "repair_simple": 2,
               "repair_intermediate": 3, "repair_complex": 4}


def test_vocabulary_is_exactly_the_issue_list() -> None:
    assert list(SITES) == VOCABULARY


@pytest.mark.parametrize("family", SITE_FAMILIES)
def test_each_family_has_its_number_of_groups(family: str) -> None:
    groups = {site_group(family, s) for s in SITES} - {None}
    assert len(groups) == GROUP_COUNT[family]


@pytest.mark.parametrize(
    ("family", "site", "group"),
    [
        ("excision", "scalp", "b"), ("excision", "neck", "b"), ("excision", "nose", "c"),
        ("excision", "face", "c"), ("excision", "back", "a"), ("excision", "finger", "b"),
        ("shave", "lip", "c"), ("shave", "genitalia", "b"), ("shave", "thigh", "a"),
        ("mohs", "scalp", "a"), ("mohs", "hand", "a"), ("mohs", "genitalia", "a"),
        ("mohs", "forearm", "b"), ("mohs", "chest", "b"),
        ("repair_simple", "scalp", "a"), ("repair_simple", "axilla", "a"),
        ("repair_simple", "foot", "a"), ("repair_simple", "ear", "b"),
        ("repair_intermediate", "scalp", "a"), ("repair_intermediate", "hand", "b"),
        ("repair_intermediate", "neck", "b"), ("repair_intermediate", "face", "c"),
        ("repair_complex", "back", "a"), ("repair_complex", "scalp", "b"),
        ("repair_complex", "arm", "b"), ("repair_complex", "forehead", "c"),
        ("repair_complex", "neck", "c"), ("repair_complex", "axilla", "c"),
        ("repair_complex", "nose", "d"), ("repair_complex", "eyelid", "d"),
        ("repair_complex", "face", None), ("repair_complex", "mucous_membrane", None),
        ("mohs", None, None), ("mohs", "elbow", None),
    ],
)
def test_site_group(family: str, site: str | None, group: str | None) -> None:
    assert site_group(family, site) == group


def test_unknown_family_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown site family"):
        site_group("biopsy", "arm")


def test_helpers() -> None:
    assert is_site("arm") and not is_site("elbow") and not is_site(None)
    assert "scalp" in group_sites("mohs", "a")


@pytest.mark.parametrize("family", SITE_FAMILIES)
def test_every_group_a_family_uses_has_codes(family: str) -> None:
    code_family = {"excision": ["excision_benign", "excision_malignant"]}.get(family, [family])
    for group in {site_group(family, s) for s in SITES} - {None}:
        if family == "mohs":
            continue  # Mohs codes are per stage, not per size (mohs.STAGE_CODES)
        for name in code_family:
            assert brackets(name, group), (name, group)


def test_size_tables_are_consistent() -> None:
    rows = read_table("size_codes.csv")
    assert len({r["code"] for r in rows}) == len(rows), "a code appears twice"
    for family, group in {(r["family"], r["group"]) for r in rows}:
        bounds = [b.max_cm for b in brackets(family, group)]
        finite = [b for b in bounds if b is not None]
        assert finite == sorted(finite) and len(set(finite)) == len(finite)
        if family == "adjacent_tissue_transfer":
            # beyond 30 sq cm any area goes to 14301/+14302 (rules/flap.py), not a site code
            assert bounds[-1] == 30, group
            continue
        # every family has an open-ended last bracket except complex repair, which has add-ons
        assert (bounds[-1] is None) != (addon(family, group) is not None), (family, group)


def test_drug_table_has_the_dermatology_drugs() -> None:
    table = drug_units()
    for code in ("J3301", "J0585", "J7308", "J7345", "J3357", "J3358", "J3245", "J1628",
                 "J2327", "J2357", "J3247", "J0135", "J1438"):
        assert table[code].billing_amount > 0 and table[code].source
    assert table["J3301"].billing_amount == Decimal(10) and table["J3301"].single_dose is None
    assert table["J2357"].billing_amount == Decimal(5)
    assert table["J7308"].billing_amount == Decimal(354)
    # the seed errors must not come back
    assert not {"J0222", "J0882", "J0490", "J1745"} & set(table)


def test_loader_accepts_exactly_the_mapped_sites() -> None:
    # the encounter loader validates `site` against its own copy of the vocabulary; both must
    # agree or a valid file could reach the rules with an unplaceable site
    loader = pytest.importorskip("coding.encounter_procedures")
    assert tuple(loader.SITES) == SITES


def test_malformed_table_names_file_and_line(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    import coding.tables as tables

    (tmp_path / "x.csv").write_text(
        "# header\ncode,units,source\n11102,1,CPT\n11104,1,CPT, extra\n", encoding="utf-8")
    monkeypatch.setattr(tables, "DATA", tmp_path)
    tables.read_table.cache_clear()
    try:
        with pytest.raises(tables.TableError, match=r"coding/data/x.csv: line 4: wrong number"):
            tables.read_table("x.csv")
    finally:
        tables.read_table.cache_clear()


BRACKETED = sorted({(r["family"], r["group"]) for r in read_table("size_codes.csv")})


@pytest.mark.parametrize(("family", "group"), BRACKETED)
def test_bracket_bounds_and_between_tenths(family: str, group: str) -> None:
    from coding.rules.common import bracket_code

    table = brackets(family, group)
    for prev, this in zip(table, table[1:], strict=False):
        assert prev.max_cm is not None
        # the bound itself stays; anything above it, even 0.05 cm, takes the next bracket
        assert bracket_code(family, group, prev.max_cm) == prev
        assert bracket_code(family, group, prev.max_cm + Decimal("0.05")) == this
        assert bracket_code(family, group, prev.max_cm + Decimal("0.1")) == this
