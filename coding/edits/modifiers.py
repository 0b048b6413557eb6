"""Modifier order and the four-modifier limit of an 837P service line (SV101-3 … SV101-6).

Pricing modifiers first, then payment-eligibility modifiers (25, 57, 59/X{EPSU} …), then
other informational ones (GA, JW …), anatomic location last (`coding/data/modifier_order.csv`,
sources there). Duplicates are removed. More than four is an error finding: the line cannot
be sent as coded, and which modifier to drop (or whether to split the line) is a coder's call.
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.edits.tables import modifier_rank
from coding.model import Finding, Severity
from coding.rules.base import DraftLine

__all__ = ["apply", "ordered", "MAX_MODIFIERS"]

MAX_MODIFIERS = 4


def ordered(modifiers: list[str]) -> list[str]:
    unique = list(dict.fromkeys(modifiers))
    return sorted(unique, key=modifier_rank)  # sort is stable: ties keep their order


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    findings = []
    for line in lines:
        line.modifiers[:] = ordered(line.modifiers)
        if len(line.modifiers) > MAX_MODIFIERS:
            findings.append(Finding(
                Severity.ERROR, "TOO_MANY_MODIFIERS",
                f"{line.code} needs {len(line.modifiers)} modifiers "
                f"({'-'.join(line.modifiers)}) but a claim line holds {MAX_MODIFIERS}: decide "
                "which to drop or split the line", line.procedure))
    return findings
