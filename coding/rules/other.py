"""`other` procedures: code, units and modifiers passed through as documented (still subject
to every engine edit). Malformed codes or modifiers are error findings. A code of a family
billed by the session's total (nails, I&D, patch tests, skin tags, vascular lesions, acne
procedures, hidradenitis excision) is coded by `totals.py` instead. A documented `drug` is
billed on its own line by `drugs.py` (units from the dose, NDC, JW/JZ); when `code` is the
drug's own HCPCS, that drug line is the procedure's only line."""

from __future__ import annotations

import re

from coding.model import Drug, Procedure
from coding.rules import totals
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import error, read_count, single_line, warning
from coding.rules.drugs import drug_lines
from coding.rules.noc import NOC_CODES
from coding.tables import drug_units

__all__ = ["PROCEDURE_CODE", "MODIFIER", "code"]

# CPT category I (5 digits), category II/III (4 digits + F/T), HCPCS level II (letter + 4)
PROCEDURE_CODE = re.compile(r"\d{5}|\d{4}[FT]|[A-V]\d{4}")
MODIFIER = re.compile(r"[0-9A-Z]{2}")


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    by_total = [(i, p) for i, p in items if totals.counted(p)]
    if by_total:
        result.extend(totals.code(by_total, ctx, "other"))
    for index, proc in items:
        if totals.counted(proc) or _is_the_drug(proc):
            continue
        label = f"other procedure (procedure {index})"
        problems = []
        if not isinstance(proc.code, str) or not PROCEDURE_CODE.fullmatch(proc.code):
            problems.append(error(
                "BAD_FIELD" if proc.code is not None else "MISSING_FIELD",
                f"{label}: code {proc.code!r} is not a CPT (5 digits, or 4 digits + F/T) or "
                "HCPCS (letter + 4 digits) code", index, "code"))
        units, found = read_count(proc, index, "units", label, default=1)
        problems.extend(found)
        modifiers = proc.modifiers if isinstance(proc.modifiers, (tuple, list)) else ()
        for n, mod in enumerate(modifiers):
            if not isinstance(mod, str) or not MODIFIER.fullmatch(mod):
                problems.append(error("BAD_FIELD", f"{label}: modifier {mod!r} is not two "
                                      "letters/digits", index, f"modifiers[{n}]"))
        if problems or units is None:
            result.findings.extend(problems)
            continue
        mods = [str(m) for m in modifiers]
        if proc.drug is None and (proc.code in drug_units() or proc.code in NOC_CODES):
            result.findings.append(warning(
                "DRUG_THROUGH_OTHER",
                f"{label}: {proc.code} is a drug code passed through as written: no NDC, no "
                "dose-based units and no JW/JZ. Document it as the `drug` of its injection, "
                "intralesional or photodynamic therapy procedure", index, "code"))
        shown = f" with modifiers {'-'.join(mods)}" if mods else ""
        result.lines.append(single_line(
            proc, index, code=str(proc.code), units=units, family="other", modifiers=mods,
            rationale=f"Documented as {proc.code} × {units}{shown}; passed through as written",
        ))
    given = [(i, p, "as documented") for i, p in items if p.drug is not None]
    if given:
        result.extend(drug_lines(given, ctx))
    return result


def _is_the_drug(proc: Procedure) -> bool:
    """The procedure is its documented drug (code = the drug's HCPCS): one drug line."""
    drug = proc.drug
    return (isinstance(drug, Drug) and isinstance(proc.code, str)
            and isinstance(drug.hcpcs, str) and proc.code == drug.hcpcs)
