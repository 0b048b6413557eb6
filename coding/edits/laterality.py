"""LT/RT on lines with a documented side, only where the payer's guide requires it.

Medicare's guide does not ask for LT/RT on skin procedures (the site groups carry no side);
many commercial payers do. Drug, pathology, E/M and phototherapy lines never take a side.
When the guide requires laterality and a paired site (arm, ear, eyelid …) has no documented
side, a warning asks for it.
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.model import Finding, Severity
from coding.rules.base import DraftLine

__all__ = ["apply", "SIDED_FAMILIES", "PAIRED_SITES"]

SIDED_FAMILIES = frozenset({"biopsy", "destruction", "skin_tag", "excision", "shave", "repair",
                            "mohs", "intralesional"})
# Sites of the vocabulary that exist on both sides of the body.
PAIRED_SITES = frozenset({"cheek", "ear", "eyelid", "axilla", "shoulder", "arm", "forearm",
                          "hand", "finger", "thigh", "leg", "knee", "foot", "toe", "buttock"})
_MODIFIER = {"left": "LT", "right": "RT"}


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    if not ctx.guide.laterality_required:
        return []
    findings = []
    for line in lines:
        if line.family not in SIDED_FAMILIES:
            continue
        modifier = _MODIFIER.get(line.laterality or "")
        if modifier:
            if modifier not in line.modifiers:
                line.modifiers.append(modifier)
            continue
        sites = set(line.sites) | ({line.site} if line.site else set())
        if sites & PAIRED_SITES and line.procedure is not None:
            findings.append(Finding(
                Severity.WARNING, "LATERALITY_MISSING",
                f"{line.code}: {ctx.guide.name} requires LT/RT and the site "
                f"({', '.join(sorted(sites))}) has two sides: document laterality",
                line.procedure, f"procedures[{line.procedure}].laterality"))
    return findings
