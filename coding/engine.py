"""The coding engine: a documented encounter becomes the claim a certified coder would write.

    claim = code_encounter(encounter)                      # guide from encounter.payer
    claim = code_encounter(encounter, get_guide("commercial"), fees={"99213": Decimal("145")})

Steps: an encounter documenting more than MAX_PROCEDURES procedures is held (one error
finding, nothing coded); procedures documented `cosmetic: true` are set aside (patient-pay,
info finding); the family rules (`coding.rules.code_families`) and the E/M rule draft lines,
and the family rules run again without any procedure an NCCI edit folds into another
(`coding.edits.ncci.bundled`: the family's hierarchy re-runs on what is left); the edits in
`coding.edits` run in their documented order (E/M 25, G2211 beside a 25 visit, NCCI,
coverage/ABN, MUE, laterality,
same-code lines, modifier order, reference-code checks); then lines are numbered, pointed at their
diagnoses, given their REF*6R line control number and priced from `fees`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import attrs

from coding.edits import (
    codes,
    coverage,
    duplicates,
    em25,
    g2211,
    laterality,
    modifiers,
    mue,
    ncci,
    postop,
)
from coding.edits.context import EditContext
from coding.edits.mue_file import load_mue
from coding.edits.ncci_file import PtpTable, load_ptp
from coding.edits.tables import global_period, known_codes
from coding.history import PriorService
from coding.model import (
    ClaimLine,
    CodedClaim,
    Encounter,
    Finding,
    Severity,
    line_control_number,
)
from coding.rules import code_families
from coding.rules import em as em_rule
from coding.rules.base import DraftLine, RuleContext, RuleResult
from coding.validation import dotted
from companion_guides import Guide, get_guide

__all__ = ["code_encounter", "EDITS"]

Edit = Callable[[list[DraftLine], EditContext], list[Finding]]
EDITS: tuple[Edit, ...] = (em25.apply, g2211.apply, ncci.apply, postop.apply, coverage.apply,
                           mue.apply, laterality.apply, duplicates.apply, modifiers.apply,
                           codes.apply)
MAX_POINTERS = 4  # SV107-1 … SV107-4
CENT = Decimal("0.01")
# Procedures one encounter may document. A claim holds 50 lines (837P loop 2400) and a busy
# dermatology visit documents a dozen or two (counts such as 20 AKs are one procedure); an
# encounter beyond this is a data error (a merged day, a generated file) and is held rather
# than coded: a coder splits it into its real visits.
MAX_PROCEDURES = 100


def code_encounter(
    encounter: Encounter,
    guide: Guide | None = None,
    fees: Mapping[str, Decimal] | None = None,
    ptp: PtpTable | Sequence[str | Path] | None = None,
    mue_files: Sequence[str | Path] | None = None,
    history: Sequence[PriorService] = (),
) -> CodedClaim:
    """Code one encounter. `guide` defaults to the encounter payer's shipped guide; `fees`
    (code → charge per unit) prices the lines (charges None without it); `ptp` is a PTP
    table or CMS PTP files (default: `$DERMCLAIM_NCCI_PTP`, else the curated table);
    `mue_files` are CMS practitioner MUE files (default: `$DERMCLAIM_NCCI_MUE`, else the
    curated table); `history` is the patient's earlier services (`coding.history`), for the
    global-period modifiers 24/58/78/79."""
    guide = guide or get_guide(encounter.payer)
    if len(encounter.procedures) > MAX_PROCEDURES:
        return CodedClaim(encounter=encounter, payer=guide.name, diagnoses=encounter.diagnoses,
                          lines=(), findings=(Finding(
                              Severity.ERROR, "TOO_MANY_PROCEDURES",
                              f"{len(encounter.procedures)} procedures documented, at most "
                              f"{MAX_PROCEDURES} per encounter: held, not coded — split the "
                              "file into the real visits", None, "procedures"),))
    table = ptp if isinstance(ptp, PtpTable) else load_ptp(ptp, known_codes())
    ctx = RuleContext(
        encounter=encounter, guide_name=guide.name, distinct_modifier=guide.distinct_modifier,
        jw_jz_required=guide.jw_jz_required, abn_modifier=guide.abn_modifier,
        laterality_required=guide.laterality_required,
    )
    findings: list[Finding] = []
    # documented cosmetic: left off the claim (patient-pay), unless the patient asked for a
    # formal denial and the payer has a statutory-exclusion modifier (coverage edit: GY)
    send_excluded = encounter.bill_excluded and guide.cosmetic_modifier is not None
    billable = [i for i, p in enumerate(encounter.procedures)
                if not p.cosmetic or send_excluded]
    cosmetic = [i for i, p in enumerate(encounter.procedures)
                if p.cosmetic and not send_excluded]
    edit_ctx = EditContext(encounter=encounter, guide=guide, ptp=table,
                           mue=load_mue(mue_files), history=tuple(history))
    drafted = _code_unbundled(encounter, billable, ctx, edit_ctx)
    findings.extend(drafted.findings)
    lines = drafted.lines
    findings.extend(_patient_pay(encounter, cosmetic, ctx))
    for edit in EDITS:
        findings.extend(edit(lines, edit_ctx))
    findings.extend(_addons_without_primary(lines))
    claim_lines = [_finish(n, line, edit_ctx, fees, findings)
                   for n, line in enumerate(lines, start=1)]
    if len(claim_lines) > guide.max_lines_per_claim:
        findings.append(Finding(
            Severity.ERROR, "TOO_MANY_LINES",
            f"{len(claim_lines)} lines exceed the {guide.max_lines_per_claim} a claim holds "
            f"for {guide.name}: split the encounter into two claims", None))
    if len(encounter.diagnoses) > guide.max_diagnoses_per_claim:
        findings.append(Finding(
            Severity.ERROR, "TOO_MANY_DIAGNOSES",
            f"{len(encounter.diagnoses)} diagnoses exceed the {guide.max_diagnoses_per_claim} "
            f"{guide.name} accepts on one claim", None, "diagnoses"))
    if not claim_lines and not any(f.severity is Severity.ERROR for f in findings):
        findings.append(Finding(
            Severity.ERROR, "NO_BILLABLE_LINES",
            "nothing on this encounter is billable to the payer (see the other findings): "
            "do not send a claim", None))
    return CodedClaim(encounter=encounter, payer=guide.name, diagnoses=encounter.diagnoses,
                      lines=tuple(claim_lines), findings=tuple(findings))


def _code_unbundled(encounter: Encounter, keep: list[int], ctx: RuleContext,
                    edit_ctx: EditContext) -> RuleResult:
    """Code `keep`, then again without the procedures NCCI folds into another, until none is
    left to fold (each round takes at least one out, so it ends; one or two rounds in
    practice: the second catches a newly promoted primary). The NCCI findings of the folded
    procedures join the findings of the last round."""
    bundled: dict[tuple[int, str], Finding] = {}
    for _ in range(len(keep) * 2 + 1):
        round_ctx = attrs.evolve(ctx, bundled=frozenset(bundled)) if bundled else ctx
        drafted = _code_subset(encounter, keep, round_ctx)
        new = {key: f for key, f in ncci.bundled(drafted.lines, edit_ctx).items()
               if key not in bundled}
        if not new:
            break
        bundled.update(new)
    drafted.findings.extend(bundled.values())
    return drafted


def _code_subset(encounter: Encounter, keep: list[int], ctx: RuleContext) -> RuleResult:
    """Run the family and E/M rules on the procedures `keep` (indices into the encounter),
    mapping every index in the result back to the full encounter."""
    everything = keep == list(range(len(encounter.procedures)))
    if everything and ctx.encounter is encounter:
        sub, sub_ctx = encounter, ctx  # what the copies below would hold (most encounters)
    else:
        sub = attrs.evolve(encounter, procedures=tuple(encounter.procedures[i] for i in keep))
        position = {full: n for n, full in enumerate(keep)}
        sub_ctx = attrs.evolve(ctx, encounter=sub, bundled=frozenset(
            (position[i], family) for i, family in ctx.bundled if i in position))
    result = RuleResult()
    visits = [(i, p) for i, p in enumerate(sub.procedures) if p.type == "office_visit"]
    if visits:
        result.extend(em_rule.code(visits, sub_ctx))
    result.extend(code_families(sub, sub_ctx))
    if everything:
        return result
    for line in result.lines:
        line.procedure = keep[line.procedure] if line.procedure is not None else None
        line.procedures = tuple(keep[i] for i in line.procedures)
    result.findings = [_remap(f, keep) for f in result.findings]
    return result


def _remap(finding: Finding, keep: list[int]) -> Finding:
    path = finding.path
    if path:
        path = re.sub(r"^procedures\[(\d+)\]", lambda m: f"procedures[{keep[int(m[1])]}]", path)
    index = keep[finding.procedure] if finding.procedure is not None else None
    return attrs.evolve(finding, procedure=index, path=path)


def _patient_pay(encounter: Encounter, cosmetic: list[int], ctx: RuleContext) -> list[Finding]:
    """An info finding per cosmetic procedure, naming the codes the patient is billed for."""
    if not cosmetic:
        return []
    drafted = _code_subset(encounter, cosmetic, ctx)
    out = []
    for index in cosmetic:
        lines = [line for line in drafted.lines
                 if line.procedure == index or index in line.procedures]
        shown = ", ".join(f"{line.code} × {line.units}" for line in lines) or "no code"
        out.append(Finding(
            Severity.INFO, "COSMETIC_PATIENT_PAY",
            f"procedure {index} ({encounter.procedures[index].type}) is documented as cosmetic: "
            f"no line to the payer; bill the patient directly ({shown})", index))
    return out


def _addons_without_primary(lines: list[DraftLine]) -> list[Finding]:
    out = []
    with_primary = {line.family for line in lines if global_period(line.code) != "ZZZ"}
    for line in lines:
        if global_period(line.code) != "ZZZ":
            continue
        if line.family not in with_primary:
            out.append(Finding(
                Severity.WARNING, "ADDON_WITHOUT_PRIMARY",
                f"add-on {line.code} is left without its primary code on this claim (the "
                "primary was dropped by an edit): payers deny it (CARC B15, RARC N122); "
                "re-check the primary", line.procedure))
    return out


def _finish(n: int, line: DraftLine, ctx: EditContext, fees: Mapping[str, Decimal] | None,
            findings: list[Finding]) -> ClaimLine:
    claim_dx = ctx.encounter.diagnoses
    wanted = coverage.line_diagnoses(line, ctx)
    pointers = [claim_dx.index(d) + 1 for d in wanted if d in claim_dx]
    if len(pointers) > MAX_POINTERS:
        findings.append(Finding(
            Severity.WARNING, "POINTERS_TRUNCATED",
            f"line {n} ({line.code}) supports {len(pointers)} diagnoses; a line points to "
            f"{MAX_POINTERS}: kept {', '.join(dotted(claim_dx[p - 1]) for p in pointers[:4])}",
            line.procedure))
    charge = None
    if fees is not None:
        fee = fees.get(line.code)
        if fee is None:
            findings.append(Finding(
                Severity.ERROR, "NO_FEE",
                f"line {n}: no fee for {line.code} in the practice fee schedule: add it",
                line.procedure))
        else:
            charge = (Decimal(fee) * line.units).quantize(CENT, rounding=ROUND_HALF_UP)
    return ClaimLine(
        line=n, code=line.code, units=line.units, modifiers=tuple(line.modifiers[:4]),
        charge=charge, diagnosis_pointers=tuple(pointers[:MAX_POINTERS]) or (1,),
        line_control_number=line_control_number(ctx.encounter.claim_id, n), drug=line.drug,
        rationale=line.rationale, procedure=line.procedure, description=line.description,
    )
