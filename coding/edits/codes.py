"""Reference-data checks that hold a claim back (error findings, exit 1): CPT/HCPCS codes
outside dermclaim's tables, ICD-10-CM codes that do not exist or are not billable, and a
rendering NPI whose check digit is wrong. See `coding.validation` for why these are findings
and not loader errors."""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.edits.tables import known_codes
from coding.model import Finding, Severity
from coding.rules.base import DraftLine
from coding.validation import icd10_problem, npi_problem

__all__ = ["apply"]


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    findings = []
    reported: set[str] = set()
    for line in lines:
        if line.code not in known_codes() and line.code not in reported:
            reported.add(line.code)
            findings.append(Finding(
                Severity.ERROR, "UNKNOWN_CODE",
                f"{line.code} is not in dermclaim's code tables (coding/data: global periods, "
                "size codes, drug units): check the code against the current CPT/HCPCS set",
                line.procedure, f"procedures[{line.procedure}].code"
                if line.procedure is not None else None))
    for i, dx in enumerate(ctx.encounter.diagnoses):
        problem = icd10_problem(dx)
        if problem:
            findings.append(Finding(Severity.ERROR, "ICD10_INVALID", problem, None,
                                    f"diagnoses[{i}]"))
    provider = ctx.encounter.rendering_provider
    if provider is not None:
        problem = npi_problem(provider.npi)
        if problem:
            findings.append(Finding(Severity.ERROR, "NPI_CHECK_DIGIT", problem, None,
                                    "rendering_provider.npi"))
    return findings
