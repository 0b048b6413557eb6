"""encounter_to_dict → JSON → parse_encounter gives back an equal Encounter."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from encounter_factory import enc_dict
from hypothesis import given, settings
from hypothesis import strategies as st

from coding.encounter import encounter_to_dict, load_encounters, parse_encounter
from coding.encounter_procedures import SITES
from coding.model import Encounter

SAMPLES = sorted((Path(__file__).parent.parent / "samples" / "encounters").glob("*.json"))


def roundtrip(enc: Encounter) -> Encounter:
    text = json.dumps(encounter_to_dict(enc))  # plain json: the dict must be JSON-able
    return parse_encounter(json.loads(text), enc.source or "")


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_sample_round_trips(path: Path) -> None:
    for enc in load_encounters(path):
        assert roundtrip(enc) == enc


def test_dict_is_stable() -> None:
    enc = parse_encounter(enc_dict(), "x.json")
    assert encounter_to_dict(enc) == encounter_to_dict(roundtrip(enc))
    assert list(encounter_to_dict(enc))[:3] == ["claim_id", "date_of_service", "place_of_service"]


cm = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("40"), places=2)
site = st.sampled_from(SITES)
common = {"site": st.one_of(st.none(), site),
          "laterality": st.one_of(st.none(), st.sampled_from(["left", "right"])),
          "cosmetic": st.booleans(),
          "medical_necessity": st.one_of(st.none(), st.sampled_from(["itching", "bleeding"]))}


def proc(kind: str, **fields: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries({"type": st.just(kind), **fields}, optional=common)


drug = st.fixed_dictionaries(
    {"hcpcs": st.just("J3301"), "ndc": st.sampled_from(["0003-0293-05", "00003029305"]),
     "dose": cm, "dose_unit": st.just("mg")},
    optional={"wasted": cm, "single_dose": st.booleans()},
)
procedures = st.lists(st.one_of(
    proc("biopsy", technique=st.sampled_from(["tangential", "punch", "incisional"])),
    proc("destruction", lesion_class=st.sampled_from(["premalignant", "benign"]),
         count=st.integers(1, 40), method=st.just("cryotherapy")),
    proc("skin_tag_removal", count=st.integers(1, 60)),
    proc("shave", lesion_cm=cm),
    proc("excision", behavior=st.sampled_from(["benign", "malignant"]), lesion_cm=cm,
         margin_cm=st.decimals(min_value=0, max_value=2, places=1),
         repair=st.fixed_dictionaries({"complexity": st.sampled_from(["intermediate", "complex"]),
                                       "length_cm": cm})),
    proc("repair", complexity=st.sampled_from(["simple", "intermediate", "complex"]),
         length_cm=cm),
    proc("mohs", stages=st.lists(st.integers(1, 12), min_size=1, max_size=5)),
    proc("intralesional", lesions=st.integers(1, 20), drug=drug),
    proc("pathology", code=st.just("88305"), specimens=st.integers(1, 5),
         in_house=st.booleans()),
    proc("phototherapy", code=st.just("96910"), units=st.integers(1, 3)),
    proc("other", code=st.just("10060"), units=st.integers(1, 3),
         modifiers=st.lists(st.sampled_from(["59", "RT", "XS"]), max_size=2, unique=True)),
), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(procs=procedures, abn=st.booleans(), freq=st.sampled_from(["1", "7"]))
def test_generated_encounters_round_trip(procs: list[dict], abn: bool, freq: str) -> None:
    extra = {"payer_claim_number": "PCN-1"} if freq == "7" else {}
    data = enc_dict(procedures=procs, abn_on_file=abn, frequency=freq, **extra)
    # JSON numbers as the loader sees them: Decimal via parse_float
    enc = parse_encounter(json.loads(json.dumps(data, default=str), parse_float=Decimal), "g.json")
    assert roundtrip(enc) == enc
