"""Every shipped sample encounter codes with no error finding (they feed `dermclaim claims`),
with and without the sample practice's fee schedule; together they cover every procedure
type and both payers."""

from __future__ import annotations

from pathlib import Path

import pytest

from coding.encounter import load_encounters
from coding.encounter_procedures import PROCEDURE_TYPES
from coding.engine import code_encounter

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples" / "encounters").glob("*.json"))


def _fees():  # type: ignore[no-untyped-def]
    try:
        from edi.practice import load_practice
    except ImportError:  # pragma: no cover - edi not installed
        return None
    return load_practice(ROOT / "samples" / "practice.toml").fee_schedule


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_codes_clean(path: Path) -> None:
    fees = _fees()
    for enc in load_encounters(path):
        for claim in (code_encounter(enc), code_encounter(enc, fees=fees)):
            errors = [f"{f.code}: {f.message}" for f in claim.findings
                      if f.severity.value == "error"]
            assert not errors, errors
            assert claim.lines


def test_samples_cover_every_type_and_both_payers() -> None:
    encounters = [e for p in SAMPLES for e in load_encounters(p)]
    assert len(SAMPLES) >= 12
    assert {p.type for e in encounters for p in e.procedures} == set(PROCEDURE_TYPES)
    assert {e.payer for e in encounters} == {"medicare", "commercial"}
    assert len({e.claim_id for e in encounters}) == len(encounters)
