"""Builders for coding tests: encounters and rule contexts constructed directly (no JSON)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from coding.model import Address, Drug, Encounter, Person, Procedure, RepairSpec, Severity
from coding.rules import code_families
from coding.rules.base import RuleContext, RuleResult

PATIENT = Person(
    member_id="1EG4TE5MK73",
    last_name="DOE",
    first_name="JANE",
    birth_date=date(1950, 4, 1),
    sex="F",
    address=Address(line1="1 MAIN ST", city="DAYTON", state="OH", zip="45402"),
)


def cm(value: str | int | float) -> Decimal:
    return Decimal(str(value))


def proc(type: str, **fields: Any) -> Procedure:
    """A Procedure; numeric str/float sizes become Decimal (anything else is kept as is, to
    test odd values), lists become tuples."""
    for key in ("lesion_cm", "margin_cm", "length_cm"):
        if isinstance(fields.get(key), (str, float, int)) and not isinstance(fields[key], bool):
            try:
                fields[key] = cm(fields[key])
            except ArithmeticError:
                pass
    for key in ("stages", "diagnoses", "modifiers"):
        if isinstance(fields.get(key), list):
            fields[key] = tuple(fields[key])
    return Procedure(type=type, **fields)


def repair_spec(complexity: str, length: str | float) -> RepairSpec:
    return RepairSpec(complexity=complexity, length_cm=cm(length))


def drug(hcpcs: str = "J3301", ndc: str = "0003-0293-05", dose: str | int = "40",
         dose_unit: str = "mg", **fields: Any) -> Drug:
    for key in ("wasted", "ndc_quantity"):
        if fields.get(key) is not None and not isinstance(fields[key], Decimal):
            fields[key] = cm(fields[key])
    return Drug(hcpcs=hcpcs, ndc=ndc, dose=cm(dose), dose_unit=dose_unit, **fields)


def encounter(*procedures: Procedure, diagnoses: tuple[str, ...] = ("L570", "D485"),
              payer: str = "medicare") -> Encounter:
    return Encounter(
        claim_id="T-1",
        date_of_service=date(2026, 3, 2),
        payer=payer,
        patient=PATIENT,
        diagnoses=diagnoses,
        procedures=tuple(procedures),
    )


def context(enc: Encounter, *, jw_jz: bool = True, laterality: bool = False) -> RuleContext:
    return RuleContext(
        encounter=enc,
        guide_name=enc.payer,
        distinct_modifier="XS" if jw_jz else "59",
        jw_jz_required=jw_jz,
        abn_modifier="GA" if jw_jz else None,
        laterality_required=laterality,
    )


def run(*procedures: Procedure, jw_jz: bool = True, laterality: bool = False) -> RuleResult:
    enc = encounter(*procedures)
    return code_families(enc, context(enc, jw_jz=jw_jz, laterality=laterality))


def codes(result: RuleResult) -> list[tuple[str, int]]:
    """(code, units) of every draft line, in order."""
    return [(line.code, line.units) for line in result.lines]


def coded(result: RuleResult) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(line.code, line.units, tuple(line.modifiers)) for line in result.lines]


def errors(result: RuleResult) -> list[tuple[str, str | None]]:
    return [(f.code, f.path) for f in result.findings if f.severity is Severity.ERROR]


def finding_codes(result: RuleResult, severity: Severity | None = None) -> list[str]:
    return [f.code for f in result.findings if severity is None or f.severity is severity]
