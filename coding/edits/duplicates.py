"""Two lines with the same code and the same modifiers on one date read as a duplicate.

Payers deny the second of two identical lines (code, modifiers, date) as a duplicate
(CARC 18). When the lines are separate lesions at distinct sites — e.g. two benign excisions
of the same size bracket on the back and the thigh — the second line takes the payer's
distinct-procedure modifier (XS for Medicare: "separate structure", CMS MLN SE1418; 59
commercial), which is the NCCI-associated way to report the same code at separate sites.
When distinct sites are not documented, a warning says the second line will be denied
unless the units are combined or the sites documented. Runs after the laterality edit, so
lines already told apart by LT/RT are left alone.
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.edits.ncci import BYPASS, distinct
from coding.model import Finding, Severity
from coding.rules.base import DraftLine

__all__ = ["apply"]


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[tuple[str, frozenset[str]], DraftLine] = {}
    for line in lines:
        key = (line.code, frozenset(line.modifiers))
        first = seen.get(key)
        if first is None:
            seen[key] = line
            continue
        modifier = ctx.guide.distinct_modifier
        if distinct(first, line) and not set(line.modifiers) & BYPASS:
            line.modifiers.append(modifier)
            line.rationale += f"; modifier {modifier}: a separate lesion at another site"
            seen[(line.code, frozenset(line.modifiers))] = line
            findings.append(Finding(
                Severity.INFO, "SAME_CODE_DISTINCT",
                f"second {line.code} line billed with {modifier}: a separate lesion at a "
                "different site, so the payer does not read it as a duplicate", line.procedure))
        else:
            findings.append(Finding(
                Severity.WARNING, "DUPLICATE_LINE",
                f"{line.code} appears on two lines with the same modifiers and no documented "
                "distinct site: the payer will deny the second as a duplicate (CARC 18). "
                "Document the site of each lesion, or report one line with the units combined",
                line.procedure))
    return findings
