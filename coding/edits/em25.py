"""Modifier 25 (or 57) on the E/M, or the E/M left off the claim.

A same-day procedure with a 0- or 10-day global includes the E/M that decided on it (CMS
Claims Processing Manual ch.12 s40.1B; NCCI Policy Manual ch. I) — so does a procedure with
an NCCI pair whose column 2 is the E/M (e.g. 96372 with 99212–99215). Then:

* E/M documented as significant and separately identifiable → billed with 25;
* not separately identifiable → not billed, with a warning saying which procedure includes it.

Add-on (ZZZ) lines follow their primary and never decide alone. With nothing that bundles
(only pathology, drugs or phototherapy), the E/M is billed without 25.

A 90-day (major) procedure on the same day: the visit that decided on it takes 57 and is
paid outside the global package (CMS Claims Processing Manual ch. 12 §40.2 A.4; NCCI Policy
Manual ch. I), and 57 wins over 25 — a flap (14040) that includes the excision (11643) leaves
a 90-day procedure, and the decision for it is a 57 visit. Without the decision
(`decision_for_surgery: false`: it was made at an earlier visit) the visit is part of the
major procedure's pre-operative care: billed with 25 only when separately identifiable. A
visit documented `decision_for_surgery: true` with no major procedure on this claim decided on
one the next day: 57 as well (the day before is inside the 90-day global).

The edit runs on the lines the NCCI procedure pass left (the engine folds bundled procedures
before any edit), so a procedure the flap includes never earns the visit a 25.
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.edits.tables import global_period
from coding.model import Finding, Severity
from coding.rules.base import DraftLine

__all__ = ["apply"]

MINOR = ("000", "010")


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    em = next((line for line in lines if line.family == "em"), None)
    if em is None:
        return []
    proc = ctx.encounter.procedures[em.procedure] if em.procedure is not None else None
    separate = bool(proc and proc.separately_identifiable)
    preventive = next((line for line in lines if line.family == "em_preventive"), None)
    if preventive is not None:
        return _beside_preventive(em, preventive, separate, lines)
    others = [line for line in lines if line is not em and line is not preventive]
    bundling = [line for line in others if _bundles(line, em, ctx)]
    major = [line for line in others if global_period(line.code) == "090"]
    where = em.procedure
    decided = proc.decision_for_surgery if proc is not None else None
    if major and decided is not False:
        em.modifiers.append("57")
        em.rationale += (f"; modifier 57: the visit decided on major surgery "
                         f"({', '.join(line.code for line in major)}, 90-day global) the same "
                         "day (CMS Claims Processing Manual ch. 12 §40.2)")
        return []
    if decided is True:  # the major surgery is tomorrow: its claim is not written yet
        em.modifiers.append("57")
        em.rationale += ("; modifier 57: the visit decided on a major (90-day) procedure done "
                         "the next day (CMS Claims Processing Manual ch. 12 §40.2)")
        return []
    if major:
        bundling = bundling + [line for line in major if line not in bundling]
    if bundling:
        names = ", ".join(_describe(line, em, ctx) for line in bundling)
        if separate:
            em.modifiers.append("25")
            em.rationale += f"; modifier 25: significant, separately identifiable from {names}"
            return []
        lines[:] = [line for line in lines if line is not em]
        return [Finding(
            Severity.WARNING, "EM_NOT_SEPARATE",
            f"office visit {em.code} not billed: the note does not document it as significant "
            f"and separately identifiable, and {names} includes the visit that decided on it. "
            "Bill it with modifier 25 only if the documentation supports a separate problem "
            "(set separately_identifiable)", where, f"procedures[{where}].separately_identifiable",
        )]
    if others and not separate:
        return [Finding(
            Severity.INFO, "EM_NO_25",
            f"office visit {em.code} billed without modifier 25: no procedure on the claim has "
            "a 0- or 10-day global or an NCCI pair with the visit", where,
        )]
    return []


def _beside_preventive(em: DraftLine, preventive: DraftLine, separate: bool,
                       lines: list[DraftLine]) -> list[Finding]:
    """CPT preventive medicine guidelines: a problem addressed at a preventive visit that
    needs significant, separately identifiable work is reported with the office E/M and 25;
    a problem handled within the preventive visit is part of it."""
    if separate:
        em.modifiers.append("25")
        em.rationale += (f"; modifier 25: a significant problem beyond the preventive visit "
                         f"{preventive.code} (CPT preventive medicine guidelines)")
        return []
    lines[:] = [line for line in lines if line is not em]
    return [Finding(
        Severity.WARNING, "EM_NOT_SEPARATE",
        f"office visit {em.code} not billed: the preventive visit {preventive.code} includes the "
        "problems it addresses unless one needed significant, separately identifiable work "
        "(set separately_identifiable to bill it with 25)", em.procedure,
        f"procedures[{em.procedure}].separately_identifiable")]


def _bundles(line: DraftLine, em: DraftLine, ctx: EditContext) -> bool:
    if global_period(line.code) in MINOR:
        return True
    edit = ctx.ptp.lookup(line.code, em.code, ctx.encounter.date_of_service)
    return edit is not None and edit.indicator != "9"


def _describe(line: DraftLine, em: DraftLine, ctx: EditContext) -> str:
    period = global_period(line.code)
    if period == "090":
        return f"{line.code} (90-day global: pre-operative visit)"
    if period in MINOR:
        return f"{line.code} ({int(period or 0)}-day global)"
    return f"{line.code} (NCCI pair with {em.code})"
