"""Coverage: services the payer may deny as not medically necessary, and services it never
pays, with the liability modifiers the payer's guide names.

Benign-lesion removals (17110/17111, 11200/11201, shaves 113xx, benign excisions 114xx —
`coding/data/cosmetic_risk.csv`) whose diagnoses include a cosmetic-prone code (L82.1, L91.8,
D22.x, D23.x, L72.x, warts, molluscum) need the reason for removal in `medical_necessity`
(bleeding, itching, pain, inflammation, growth, change …: the LCD "Removal of Benign Skin
Lesions" indications). Without it, for the procedures of that line:

* an ABN signed for the service (`abn` on the procedure, else the encounter's `abn_on_file`:
  the ABN lists each item or service, so it is per service) and the guide has an ABN modifier
  (Medicare GA) → GA on the line, info finding (Medicare denies with CARC 50; patient pays);
* no ABN and the guide has one (Medicare) → GZ on the line ("expected to be denied as not
  reasonable and necessary, no ABN on file": the provider is liable; CMS CR 6563, GA/GZ
  pair), with the warning;
* otherwise → a warning: expect a denial as cosmetic (CARC 50/96, RARC N383).

Services the payer never pays (`coding/data/coverage_exclusions.csv`), when the guide names a
statutory-exclusion modifier (`cosmetic_modifier`, Medicare GY):

* excluded by statute (routine preventive visits 99381–99397; procedures documented
  `cosmetic: true` on an encounter with `bill_excluded`) → GY, info finding: the patient is
  liable and the denial can go to a secondary payer; GA/GZ never join GY on a line;
* not recognized (office consultations 99242–99245 for Medicare) → error: report the
  office/outpatient E/M instead.

Procedures documented `cosmetic: true` never reach the payer unless `bill_excluded` asks.
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.edits.tables import benign_removal_codes, cosmetic_prone, exclusion
from coding.model import Finding, Procedure, Severity
from coding.rules.base import DraftLine
from coding.validation import dotted

__all__ = ["apply", "line_diagnoses", "NO_ABN_MODIFIER"]

# the modifier a guide's ABN modifier pairs with when no ABN is on file (CMS CR 6563)
NO_ABN_MODIFIER = {"GA": "GZ"}
LIABILITY = frozenset({"GA", "GZ", "GY"})


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


def _procs(line: DraftLine, ctx: EditContext) -> list[Procedure]:
    indices = line.procedures or ((line.procedure,) if line.procedure is not None else ())
    return [ctx.encounter.procedures[i] for i in indices
            if 0 <= i < len(ctx.encounter.procedures)]


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    findings: list[Finding] = []
    for line in lines:
        findings.extend(_excluded(line, ctx))
        if line.code in benign_removal_codes() and not set(line.modifiers) & LIABILITY:
            findings.extend(_necessity(line, ctx))
    return findings


def _excluded(line: DraftLine, ctx: EditContext) -> list[Finding]:
    gy = ctx.guide.cosmetic_modifier
    if gy is None:
        return []
    procs = _procs(line, ctx)
    cosmetic = bool(procs) and all(p.cosmetic for p in procs)
    rule = exclusion(line.code)
    if rule is not None and rule[0] == "not_recognized":
        return [Finding(
            Severity.ERROR, "CODE_NOT_RECOGNIZED",
            f"{line.code} ({rule[1]}) is not paid by {ctx.guide.name}: report the "
            f"office/outpatient E/M for the visit instead [source: {rule[2]}]", line.procedure,
            f"procedures[{line.procedure}].code" if line.procedure is not None else None)]
    if not cosmetic and (rule is None or rule[0] != "excluded"):
        return []
    why = "documented cosmetic" if cosmetic else f"{rule[1]}, statutorily excluded" if rule \
        else "excluded"
    if gy not in line.modifiers:
        line.modifiers.append(gy)
    line.rationale += f"; {gy}: {why} — not a {ctx.guide.name} benefit, the patient is liable"
    source = f" [source: {rule[2]}]" if rule else ""
    return [Finding(
        Severity.INFO, "STATUTORY_EXCLUSION",
        f"{line.code} carries {gy}: {why}; {ctx.guide.name} will deny it (CARC 96/204, RARC "
        f"N425) and the patient pays — the denial can go on to a secondary payer{source}",
        line.procedure)]


def _abn(proc: Procedure, ctx: EditContext) -> bool:
    return proc.abn if isinstance(proc.abn, bool) else ctx.encounter.abn_on_file


def _necessity(line: DraftLine, ctx: EditContext) -> list[Finding]:
    risky = [d for d in line_diagnoses(line, ctx) if cosmetic_prone(d)]
    if not risky:
        return []
    procs = _procs(line, ctx)
    if procs and all(p.medical_necessity for p in procs):
        return []
    dx = ", ".join(dotted(d) for d in risky)
    where = line.procedure
    abn_mod = ctx.guide.abn_modifier
    signed = bool(procs) and all(_abn(p, ctx) for p in procs)
    if abn_mod and signed:
        line.modifiers.append(abn_mod)
        line.rationale += f"; {abn_mod}: ABN on file for a removal payers may deem cosmetic"
        return [Finding(
            Severity.INFO, "ABN_MODIFIER",
            f"{line.code} ({dx}) carries {abn_mod}: no medical necessity documented, ABN on "
            "file for this service, so the patient is liable if the payer denies it as "
            "cosmetic", where)]
    no_abn = NO_ABN_MODIFIER.get(abn_mod or "")
    if no_abn:
        line.modifiers.append(no_abn)
        line.rationale += (f"; {no_abn}: expected denial as not reasonable and necessary, no "
                           "ABN on file (provider liable)")
        tail = (f"{no_abn} added: no ABN on file for this service, so the provider is liable "
                f"— get an ABN signed before such a service ({abn_mod})")
    elif abn_mod is None and any(_abn(p, ctx) for p in procs):
        tail = "this payer has no ABN modifier"
    else:
        tail = "or get an ABN signed before the service (Medicare GA)"
    return [Finding(
        Severity.WARNING, "COSMETIC_RISK",
        f"{line.code} removes a lesion coded {dx}, which payers treat as cosmetic unless the "
        "reason is documented: record medical_necessity (bleeding, itching, pain, "
        f"inflammation, growth, change…); {tail}. Expect a denial (CARC 50/96, RARC N383) "
        "otherwise", where, f"procedures[{where}].medical_necessity" if where is not None
        else None)]
