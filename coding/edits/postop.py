"""Services inside another procedure's global surgical period (the patient's history).

For each line of this claim, the prior services (`EditContext.history`) by the same provider
whose 10- or 90-day global period covers this date of service (`coding.history`; earlier
days only — a same-day procedure is this claim's business) decide:

* E/M, documented diagnoses unrelated to the procedure's → 24 ("unrelated E/M during a
  postoperative period"); related → the visit is post-operative care included in the global
  package (CMS Claims Processing Manual ch. 12 §40.1 A; report 99024 at no charge): not billed,
  warning — unless this visit decided on a new major procedure (57, em25 edit);
* procedure documented `staged` (planned or staged, more extensive than the first, or therapy
  after a diagnostic procedure — e.g. re-excision after pathology showed positive margins)
  → 58;
* procedure documented `complication` (return to the operating/procedure room for a
  complication of the first) → 78;
* otherwise a procedure with unrelated diagnoses → 79 ("unrelated procedure during the
  postoperative period", e.g. new lesions destroyed within 10 days of 17000); with related
  diagnoses and neither flag → warning: document staged or complication, else the payer
  denies it as included in the global (CARC 97, RARC N525).

Modifier definitions: CPT Appendix A; CMS Claims Processing Manual ch. 12 §40.2 A (24, 57,
58, 78, 79); derm examples from Priority Health and AAPC's global-period Q&A (domain-facts
§7). Add-on, drug and pathology lines follow their primary or have no global: untouched. The
rationale names the prior claim and its line.
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.edits.tables import global_period
from coding.history import PriorService, global_window
from coding.model import Finding, Procedure, Severity
from coding.rules.base import DraftLine

__all__ = ["apply"]

UNTOUCHED = frozenset({"drug", "pathology", "em_preventive"})
POSTOP = frozenset({"24", "58", "78", "79"})


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    day = ctx.encounter.date_of_service
    provider = ctx.encounter.rendering_provider
    npi = provider.npi if provider else None
    open_globals = []
    for service in ctx.history:
        window = global_window(service)
        if window is None or not (window[0] <= day <= window[1]) or service.day >= day:
            continue
        if npi and service.provider_npi and service.provider_npi != npi:
            continue  # another provider's global (different specialty or practitioner)
        open_globals.append(service)
    if not open_globals:
        return []
    findings: list[Finding] = []
    dropped: set[int] = set()
    for line in lines:
        if line.family in UNTOUCHED or set(line.modifiers) & POSTOP:
            continue
        if line.family != "em" and global_period(line.code) in ("ZZZ", None):
            continue
        procs = _procs(line, ctx)
        prior = max(open_globals, key=lambda s: (s.global_period == "090", s.day))
        related = _related(line, ctx, open_globals)
        cite = _cite(related[0] if related else prior)
        if line.family == "em":
            if "57" in line.modifiers:
                continue
            if related:
                dropped.add(id(line))
                findings.append(Finding(
                    Severity.WARNING, "POSTOP_VISIT_INCLUDED",
                    f"{line.code} not billed: the visit treats the diagnoses of {cite}, whose "
                    "global period covers this date: post-operative care is in the global "
                    "package (report 99024 if the practice tracks it). If the visit was for an "
                    "unrelated problem, point it at that diagnosis to bill it with 24",
                    line.procedure))
            else:
                findings.append(_add(line, "24", f"unrelated E/M (different diagnosis) during "
                                     f"the global period of {cite}"))
            continue
        if any(p.complication for p in procs):
            findings.append(_add(line, "78", f"return to the procedure room for a complication "
                                 f"of {cite}"))
        elif any(p.staged for p in procs):
            findings.append(_add(line, "58", f"staged or planned procedure after {cite}"))
        elif not related:
            findings.append(_add(line, "79", f"unrelated procedure (different diagnosis) during "
                                 f"the global period of {cite}"))
        else:
            findings.append(Finding(
                Severity.WARNING, "POSTOP_PROCEDURE_RELATED",
                f"{line.code} treats the diagnoses of {cite} inside its global period: document "
                "it as staged/planned (58) or as a return for a complication (78); as coded, "
                "the payer denies it as part of the global package (CARC 97, RARC N525)",
                line.procedure))
    if dropped:
        lines[:] = [line for line in lines if id(line) not in dropped]
    return findings


def _procs(line: DraftLine, ctx: EditContext) -> list[Procedure]:
    indices = line.procedures or ((line.procedure,) if line.procedure is not None else ())
    return [ctx.encounter.procedures[i] for i in indices
            if 0 <= i < len(ctx.encounter.procedures)]


def _line_dx(line: DraftLine, ctx: EditContext) -> set[str]:
    from coding.edits.coverage import line_diagnoses

    return set(line_diagnoses(line, ctx))


def _related(line: DraftLine, ctx: EditContext,
             services: list[PriorService]) -> list[PriorService]:
    """The open globals whose diagnoses this line shares (the same ICD-10-CM code: a BCC of
    the back is another problem than the BCC of the cheek excised last week)."""
    mine = _line_dx(line, ctx)
    return [s for s in services if mine & set(s.diagnoses)]


def _cite(service: PriorService) -> str:
    where = f" line {service.line}" if service.line else ""
    days = int(service.global_period or 0)
    return (f"{service.code} on {service.day.isoformat()} (claim {service.claim_id}{where}, "
            f"{days}-day global)")


def _add(line: DraftLine, modifier: str, why: str) -> Finding:
    line.modifiers.append(modifier)
    line.rationale += f"; modifier {modifier}: {why}"
    return Finding(Severity.INFO, f"GLOBAL_{modifier}", f"{line.code} billed with {modifier}: "
                   f"{why}", line.procedure)
