"""Other coverage (issue 22): the encounter's other payers, the guides' crossover settings, and
the primary claim listing them in 2320/2330A/2330B (TR3 005010X222A1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coding.encounter import parse_encounter
from coding.engine import code_encounter
from coding.errors import EncounterError
from companion_guides import GuideError, get_guide, load_guide
from edi.practice import load_practice
from edi.validate import segment_loops, validate_path
from reconcile.store.submissions import submit_claims

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PRACTICE = SAMPLES / "practice.toml"
COB = ("DC-1021", "DC-1022", "DC-1023")
NOW = "2026-03-31T12:00:00"


# ------------------------------------------------------------------ the encounter contract


def _encounter(**extra: object) -> dict[str, object]:
    data = json.loads((SAMPLES / "encounters" / "21-medicare-crossover-medigap-ma18.json")
                      .read_text())
    data.update(extra)
    return data


def test_other_coverage_reads_and_writes_back() -> None:
    enc = parse_encounter(_encounter(), "x.json")
    assert [(c.payer, c.member_id, c.relationship) for c in enc.other_coverage] == [
        ("medigap", "MGS448812001", "self")]
    from coding.encounter import encounter_to_dict
    assert parse_encounter(encounter_to_dict(enc), "x.json") == enc


@pytest.mark.parametrize("coverage, where", [
    ([{"payer": "medicare", "member_id": "X1"}], "other_coverage[0].payer"),
    ([{"payer": "nope", "member_id": "X1"}], "other_coverage[0].payer"),
    ([{"payer": "medigap", "member_id": "X1", "relationship": "spouse"}],
     "other_coverage[0].subscriber"),
    ([{"payer": "medigap", "member_id": "X1", "subscriber": {}}],
     "other_coverage[0].subscriber"),
    ([{"payer": "medigap", "member_id": "A"}, {"payer": "commercial", "member_id": "B"},
      {"payer": "supplemental", "member_id": "C"}], "other_coverage"),
])
def test_bad_other_coverage_names_the_field(coverage: object, where: str) -> None:
    with pytest.raises(EncounterError) as err:
        parse_encounter(_encounter(other_coverage=coverage), "x.json")
    assert f"x.json: {where}:" in str(err.value)


def test_guides_carry_crossover_settings() -> None:
    medigap = get_guide("medigap")
    assert medigap.crossover_from_medicare and medigap.coba_id == "55021"
    assert not get_guide("commercial").crossover_from_medicare
    assert get_guide("supplemental").secondary_denied_lines == "hold"
    for name in ("medigap", "supplemental"):
        assert get_guide(name).secondary_source


def test_a_coba_id_outside_the_medigap_range_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "companion_guides" / "medigap.toml").read_text()
    bad = tmp_path / "g.toml"
    bad.write_text(text.replace('coba_id = "55021"', 'coba_id = "12345"'))
    with pytest.raises(GuideError, match="coba_id"):
        load_guide(bad)


# --------------------------------------------------------------- the primary claim's 2320


def test_primary_claim_lists_the_other_payers_in_2320_2330(tmp_path: Path) -> None:
    practice = load_practice(PRACTICE)
    data = _encounter(other_coverage=[
        {"payer": "medigap", "member_id": "MGS448812001"},
        {"payer": "commercial", "member_id": "XYZ1", "relationship": "spouse",
         "subscriber": {"last_name": "Whitfield", "first_name": "Arthur",
                        "birth_date": "1946-05-01", "sex": "M",
                        "address": {"line1": "18 Maple Court", "city": "Springfield",
                                    "state": "IL", "zip": "62704"}}}])
    claim = code_encounter(parse_encounter(data, "x.json"), fees=practice.fee_schedule)
    out = tmp_path / "p.837"
    submit_claims([claim], practice, out, url=f"sqlite:///{tmp_path}/s.db")
    text = out.read_text()
    assert validate_path(out).ok
    placed = segment_loops(text)
    assert ("2320", "SBR*S*18*******CI") in placed
    assert ("2320", "SBR*T*01*******CI") in placed
    # a Medigap plan on a Medicare claim is named by its COBA id (claim-based crossover)
    assert ("2330B", "NM1*PR*2*MEDIGAP SUPPLEMENT PLAN*****PI*55021") in placed
    assert ("2330A", "NM1*IL*1*WHITFIELD*ARTHUR****MI*XYZ1") in placed
    # no payer has answered yet: no CAS, no AMT*D (X12 RFI 1865)
    assert not [s for loop, s in placed if loop == "2320" and s.startswith(("CAS", "AMT"))]
