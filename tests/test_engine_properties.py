"""Whatever a valid encounter documents, coding never crashes and the claim's invariants hold."""

from __future__ import annotations

import json
from decimal import Decimal

from encounter_factory import enc_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_encounter_roundtrip import procedures

from coding.encounter import parse_encounter
from coding.engine import code_encounter
from coding.model import Severity

visit = st.fixed_dictionaries({
    "type": st.just("office_visit"),
    "code": st.sampled_from(["99203", "99213", "99214"]),
    "separately_identifiable": st.booleans(),
})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(procs=procedures, em=st.one_of(st.none(), visit), abn=st.booleans(),
       payer=st.sampled_from(["medicare", "commercial"]))
def test_invariants(procs: list[dict], em: dict | None, abn: bool, payer: str) -> None:
    all_procs = ([em] if em else []) + procs
    data = enc_dict(procedures=all_procs, abn_on_file=abn, payer=payer,
                    diagnoses=["L57.0", "D49.2", "L82.1"])
    enc = parse_encounter(json.loads(json.dumps(data, default=str), parse_float=Decimal), "p.json")
    fees = {code: Decimal("10.00") for code in
            [line.code for line in code_encounter(enc).lines]}
    claim = code_encounter(enc, fees=fees)
    assert [line.line for line in claim.lines] == list(range(1, len(claim.lines) + 1))
    assert len({line.line_control_number for line in claim.lines}) == len(claim.lines)
    for line in claim.lines:
        assert line.units >= 1
        assert len(line.modifiers) <= 4 and len(set(line.modifiers)) == len(line.modifiers)
        assert 1 <= len(line.diagnosis_pointers) <= 4
        assert all(1 <= p <= len(claim.diagnoses) for p in line.diagnosis_pointers)
        assert line.charge == Decimal("10.00") * line.units
        assert line.procedure is None or not enc.procedures[line.procedure].cosmetic
    if em is not None and not em["separately_identifiable"]:
        assert all("25" not in line.modifiers for line in claim.lines)
    for finding in claim.findings:
        assert isinstance(finding.severity, Severity) and finding.message
        assert finding.procedure is None or 0 <= finding.procedure < len(enc.procedures)
