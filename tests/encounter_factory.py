"""Build encounter dicts and objects for the coding tests (fictional patient, valid NPI)."""

from __future__ import annotations

import copy
from typing import Any

from coding.encounter import parse_encounter
from coding.model import Encounter

BASE: dict[str, Any] = {
    "claim_id": "T-1",
    "date_of_service": "2026-03-02",
    "payer": "medicare",
    "patient": {
        "member_id": "1EG4TE5MK73", "last_name": "Testcase", "first_name": "Pat",
        "birth_date": "1950-01-01", "sex": "F",
        "address": {"line1": "1 Test Street", "city": "Springfield", "state": "IL",
                    "zip": "62704"},
    },
    "rendering_provider": {"npi": "1234567893", "last_name": "Doc", "first_name": "Ann"},
    "diagnoses": ["L57.0"],
    "procedures": [{"type": "biopsy", "technique": "punch", "site": "back"}],
}


def enc_dict(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return data


def make(**changes: Any) -> Encounter:
    return parse_encounter(enc_dict(**changes), "test.json")
