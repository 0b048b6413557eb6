"""LT/RT on lines with a documented side, only where the payer's guide requires it.

Medicare's guide does not ask for LT/RT on skin procedures (the site groups carry no side);
many commercial payers do. Drug, pathology, E/M and phototherapy lines never take a side.
When the guide requires laterality and a paired site (arm, ear, eyelid …) has no documented
side, a warning asks for it; a line that sums documented lesions of both sides goes without a
side modifier, with an info finding saying why.

Where the site names a digit or an eyelid (`digit` on a finger or toe, `eyelid` upper/lower,
with the side), the line takes the anatomic modifier instead — FA/F1–F9, TA/T1–T9, E1–E4 —
for every payer: they are the HCPCS modifiers for that site and the NCCI-associated
modifiers that tell two digits apart (FCSO-236), so LT/RT would say less. This holds for
every line whose procedure documents a digit, eyelid or side, the `other` path included
(nail procedures 11730, 11732, 11750, 11755, 11760, 11765 … reach the claim through it;
LT/RT there only for procedures with a 0-, 10- or 90-day global, not tests or injections): a
code whose descriptor names a digit or an eyelid (coding/data/anatomic_codes.csv) and whose
line has no anatomic modifier draws a warning asking for the digit or eyelid.
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.edits.tables import global_period
from coding.model import Finding, Severity
from coding.rules.base import DraftLine
from coding.tables import anatomic_codes

__all__ = ["apply", "SIDED_FAMILIES", "PAIRED_SITES", "ANATOMIC"]

SIDED_FAMILIES = frozenset({"biopsy", "biopsy_site", "destruction", "skin_tag", "excision",
                            "shave", "repair", "mohs", "intralesional", "adjacent_tissue_transfer",
                            "graft", "debridement", "other"})
ANATOMIC = frozenset({"FA", *(f"F{n}" for n in range(1, 10)), "TA",
                      *(f"T{n}" for n in range(1, 10)), "E1", "E2", "E3", "E4"})
# Sites of the vocabulary that exist on both sides of the body.
PAIRED_SITES = frozenset({"cheek", "ear", "eyelid", "axilla", "shoulder", "arm", "forearm",
                          "hand", "finger", "thigh", "leg", "knee", "foot", "toe", "buttock"})
_MODIFIER = {"left": "LT", "right": "RT"}


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    findings = _anatomic(lines)
    if not ctx.guide.laterality_required:
        return findings
    procedures = ctx.encounter.procedures
    for line in lines:
        if line.family not in SIDED_FAMILIES or line.anatomic or not _surgical(line):
            continue
        modifier = _MODIFIER.get(line.laterality or "")
        if modifier:
            if modifier not in line.modifiers:
                line.modifiers.append(modifier)
            continue
        sites = set(line.sites) | ({line.site} if line.site else set())
        if not sites & PAIRED_SITES or line.procedure is None:
            continue
        folded = [i for i in (line.procedures or (line.procedure,)) if i < len(procedures)]
        undocumented = [i for i in folded if procedures[i].laterality not in _MODIFIER
                        and procedures[i].site in PAIRED_SITES]
        if undocumented:
            first = undocumented[0]
            findings.append(Finding(
                Severity.WARNING, "LATERALITY_MISSING",
                f"{line.code}: {ctx.guide.name} requires LT/RT and the site "
                f"({', '.join(sorted(sites))}) has two sides: document laterality",
                first, f"procedures[{first}].laterality"))
        else:
            # Every side was documented, but the line sums lesions of both sides (CPT counts
            # destructions per session and sums repairs per group whatever the side), so no
            # single LT/RT can describe it.
            findings.append(Finding(
                Severity.INFO, "LATERALITY_BOTH_SIDES",
                f"{line.code}: sums procedures on both sides ({', '.join(sorted(sites))}); "
                "one line cannot carry LT and RT, so it goes without a side modifier",
                line.procedure))
    return findings


def _surgical(line: DraftLine) -> bool:
    """An `other` line takes a side only when its code is a procedure with a global period
    (000/010/090): an injection, a test or an add-on to a visit has no side to report."""
    return line.family != "other" or global_period(line.code) in ("000", "010", "090")


def _anatomic(lines: list[DraftLine]) -> list[Finding]:
    findings = []
    for line in lines:
        written = [m for m in line.modifiers if m in ANATOMIC]
        if line.family in SIDED_FAMILIES and line.anatomic and line.anatomic not in written:
            if written:  # passed through as written (`other`) and not what the note says
                findings.append(Finding(
                    Severity.WARNING, "ANATOMIC_CONFLICT",
                    f"{line.code}: modifier {written[0]} is written but the documented digit/"
                    f"eyelid and side give {line.anatomic}: check which is right",
                    line.procedure))
                continue
            line.modifiers.append(line.anatomic)
            line.rationale += f"; {line.anatomic}: the documented digit/eyelid and side"
            written = [line.anatomic]
        need = anatomic_codes().get(line.code)
        if need is None or written or not need[1]:
            continue
        what = ("site finger or toe, digit 1-5 and laterality (FA/F1-F9, TA/T1-T9)"
                if need[0] == "digit" else
                "site eyelid, eyelid upper/lower and laterality (E1-E4)")
        findings.append(Finding(
            Severity.WARNING, "ANATOMIC_MISSING",
            f"{line.code} names a {need[0]} but the line has no anatomic modifier: document "
            f"{what} [{need[2]}]", line.procedure,
            f"procedures[{line.procedure}].{'digit' if need[0] == 'digit' else 'eyelid'}"
            if line.procedure is not None else None))
    return findings
