"""Companion guides load, and a bad guide names its file and key."""

from __future__ import annotations

import pytest

from companion_guides import GuideError, guide_names, load_guide


def test_shipped_guides_load() -> None:
    assert {"medicare", "commercial"} <= set(guide_names())
    medicare = load_guide("medicare")
    assert medicare.claim_filing_indicator == "MB"
    assert medicare.distinct_modifier == "XS"
    assert medicare.abn_modifier == "GA"
    assert medicare.jw_jz_required and medicare.is_medicare
    commercial = load_guide("commercial")
    assert commercial.claim_filing_indicator == "CI"
    assert commercial.distinct_modifier == "59"
    assert commercial.ndc_required == "j_codes" and commercial.laterality_required
    assert commercial.max_lines_per_claim == 50


def test_unknown_payer_lists_known_ones() -> None:
    with pytest.raises(GuideError, match="unknown payer 'aetna'.*commercial, medicare"):
        load_guide("aetna")


def test_bad_guide_reports_every_problem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.toml"
    path.write_text(
        'payer_name = "X"\ndistinct_modifier = "XX"\nmax_lines_per_claim = 60\nfoo = 1\n')
    with pytest.raises(GuideError) as err:
        load_guide(path)
    text = str(err.value)
    assert str(path) in text
    for key in ("payer_id: missing", "distinct_modifier: must be one of", "max_lines_per_claim",
                "foo: unknown setting"):
        assert key in text


def test_guide_that_is_not_toml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.toml"
    path.write_text("payer_name = ")
    with pytest.raises(GuideError, match="broken.toml: not valid TOML"):
        load_guide(path)
