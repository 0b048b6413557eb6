"""Companion guides load, and a bad guide names its file and key."""

from __future__ import annotations

from pathlib import Path

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


def test_correction_route_and_appeal_levels_are_payer_settings() -> None:
    # Medicare Part B: no replacement claims; redetermination 120 days (42 CFR 405.942),
    # reconsideration 180 days from the redetermination (42 CFR 405.962)
    medicare = load_guide("medicare")
    assert medicare.correction_route == "reopening"
    assert [(lv.name, lv.days, lv.counted_from) for lv in medicare.appeal_levels] == [
        ("redetermination", 120, "initial_determination"),
        ("reconsideration", 180, "previous_level")]
    assert all("42 CFR" in lv.source for lv in medicare.appeal_levels)
    assert "ch. 34" in medicare.correction_source
    commercial = load_guide("commercial")
    assert commercial.correction_route == "replacement"
    assert commercial.appeal_levels[0].days == commercial.appeal_window_days == 180
    assert commercial.appeal_address and "APPEALS" in commercial.appeal_address


def test_bad_routes_name_their_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    shipped = Path(__file__).resolve().parent.parent / "companion_guides" / "commercial.toml"
    text = shipped.read_text(encoding="utf-8")
    text = text.replace('correction_route = "replacement"', 'correction_route = "resubmit"')
    text = text.replace("days = 60", "days = 0").replace("appeal_window_days = 180",
                                                        "appeal_window_days = 90")
    path = tmp_path / "payer.toml"
    path.write_text(text)
    with pytest.raises(GuideError) as err:
        load_guide(path)
    msg = str(err.value)
    assert "correction_route: must be one of replacement, reopening" in msg
    assert "appeal_levels[1].days" in msg
    assert "appeal_levels[0].days: 180 differs from appeal_window_days (90)" in msg
