"""Benign-lesion removals that payers treat as cosmetic unless an indication is documented.

A line whose code is a benign removal (17110/17111, 11200/11201, shaves 113xx, benign
excisions 114xx — `coding/data/cosmetic_risk.csv`) and whose diagnoses include a
cosmetic-prone code (L82.1, L91.8, D22.x, D23.x, L72.x, warts, molluscum) needs the reason
for removal in `medical_necessity` (bleeding, itching, pain, inflammation, growth, change …:
the LCD "Removal of Benign Skin Lesions" indications). Without it:

* ABN on file and the guide has an ABN modifier (Medicare GA) → GA on the line, info finding
  (the patient was told and signed: Medicare denies with CARC 50 and the patient pays);
* otherwise → a warning: expect a denial as cosmetic (CARC 50/96, RARC N383).

Procedures documented `cosmetic: true` never reach the payer (the engine leaves them off).
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.edits.tables import benign_removal_codes, cosmetic_prone
from coding.model import Finding, Severity
from coding.rules.base import DraftLine
from coding.validation import dotted

__all__ = ["apply", "line_diagnoses"]


def line_diagnoses(line: DraftLine, ctx: EditContext) -> tuple[str, ...]:
    """The diagnoses a line supports: its own, else its procedure's, else the principal."""
    if line.diagnoses:
        return tuple(line.diagnoses)
    procs = ctx.encounter.procedures
    found: list[str] = []
    for index in (line.procedures or ((line.procedure,) if line.procedure is not None else ())):
        if 0 <= index < len(procs):
            found.extend(d for d in procs[index].diagnoses if d not in found)
    return tuple(found) or ctx.encounter.diagnoses[:1]


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    findings: list[Finding] = []
    abn = ctx.guide.abn_modifier if ctx.encounter.abn_on_file else None
    for line in lines:
        if line.code not in benign_removal_codes():
            continue
        risky = [d for d in line_diagnoses(line, ctx) if cosmetic_prone(d)]
        if not risky:
            continue
        indices = line.procedures or ((line.procedure,) if line.procedure is not None else ())
        procs = [ctx.encounter.procedures[i] for i in indices]
        if procs and all(p.medical_necessity for p in procs):
            continue
        dx = ", ".join(dotted(d) for d in risky)
        where = line.procedure
        if abn:
            if abn not in line.modifiers:
                line.modifiers.append(abn)
            line.rationale += f"; {abn}: ABN on file for a removal payers may deem cosmetic"
            findings.append(Finding(
                Severity.INFO, "ABN_MODIFIER",
                f"{line.code} ({dx}) carries {abn}: no medical necessity documented, ABN on "
                "file, so the patient is liable if the payer denies it as cosmetic", where))
        else:
            no_abn = ("; this payer has no ABN modifier" if ctx.encounter.abn_on_file
                      else " or get an ABN signed before the service (Medicare GA)")
            findings.append(Finding(
                Severity.WARNING, "COSMETIC_RISK",
                f"{line.code} removes a lesion coded {dx}, which payers treat as cosmetic "
                "unless the reason is documented: record medical_necessity (bleeding, "
                f"itching, pain, inflammation, growth, change…){no_abn}. Expect a denial "
                "(CARC 50/96, RARC N383) otherwise", where,
                f"procedures[{where}].medical_necessity" if where is not None else None))
    return findings
