"""Drugs without a HCPCS code of their own: the not-otherwise-classified codes.

A drug with no product-specific code (e.g. dupilumab: no J-code, domain-facts §6) given in
the office is billed with J3590 (unclassified biologics) or J3490 (unclassified drugs) —
one unit whatever the dose, its NDC and NDC quantity (837P 2410 LIN/CTP), and a description
in SV101-7 naming the drug, the dose given and the NDC (CGS Part B "NOC drugs: clarification
on required information", 2014-04-15/2015-07-23; Palmetto GBA "Unclassified or NOC drug
codes": SV101-7 is CMS-mandated for NOC codes). The name comes from `drug.description`, else
the NDC's row in coding/data/drug_noc.csv; without either the line cannot go out (error).
For a Medicare single-dose container, a discarded amount goes on its own NOC line with JW
(Palmetto: "drug waste should be billed with the HCPCS modifier JW"), one unit, described
as the discard; nothing discarded → JZ.
"""

from __future__ import annotations

from decimal import Decimal

from coding.model import Drug, LineDrug, Procedure
from coding.rules.base import RuleContext, RuleResult
from coding.rules.common import error, fmt_num, folded_line, info, warning
from coding.rules.drugs import amount, ndc_detail, normalize_ndc
from coding.tables import noc_drugs

__all__ = ["NOC_CODES", "noc_lines"]

# HCPCS Level II NOC drug codes a dermatology office bills (CGS list: J3490, J3590, J9999)
NOC_CODES = frozenset({"J3490", "J3590", "J9999"})
SV101_7 = 80  # AN 1/80
SOURCE = ("NOC drug: one unit, NDC and quantity, name/dose/NDC in SV101-7 (CGS Part B 2014-04-15; "
          "Palmetto GBA NOC drug codes)")


def noc_lines(entries: list[tuple[int, Procedure, str]], ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    for index, proc, how in entries:
        drug = proc.drug
        assert isinstance(drug, Drug)
        label = f"drug of procedure {index}"
        ndc, why = normalize_ndc(drug.ndc)
        dose = amount(drug.dose)
        wasted = amount(drug.wasted) if drug.wasted is not None else Decimal(0)
        problems = []
        if ndc is None:
            problems.append(error("BAD_NDC", f"{label}: {why}", index, "drug.ndc"))
        if dose is None or dose <= 0:
            problems.append(error("BAD_FIELD", f"{label}: dose must be a number above 0",
                                  index, "drug.dose"))
        if wasted is None or wasted < 0:
            problems.append(error("BAD_FIELD", f"{label}: wasted must be 0 or more", index,
                                  "drug.wasted"))
        row = noc_drugs().get(ndc or "")
        name = drug.description or (row.description if row else None)
        if not name:
            problems.append(error(
                "NOC_DESCRIPTION_MISSING",
                f"{label}: {drug.hcpcs} is a not-otherwise-classified code: the payer needs the "
                "drug's name and strength (drug.description) for SV101-7, with the dose and NDC "
                "(CGS/Palmetto NOC instructions); NDC not in coding/data/drug_noc.csv",
                index, "drug.description"))
        if problems or ndc is None or dose is None or wasted is None or not name:
            result.findings.extend(problems)
            continue
        detail, found = ndc_detail(index, drug, ndc, dose, label)
        result.findings.extend(found)
        if row is not None and row.hcpcs != drug.hcpcs:
            result.findings.append(warning(
                "NOC_CODE_MISMATCH",
                f"{label}: NDC {ndc} is billed with {row.hcpcs} ({row.description}) per "
                f"coding/data/drug_noc.csv, documented {drug.hcpcs}", index, "drug.hcpcs"))
        given = f"{fmt_num(dose)} {drug.dose_unit}"
        main = folded_line([proc], [index], ctx, code=drug.hcpcs, units=1, family="drug",
                           rationale=(f"{name} given {how}: no HCPCS code of its own → "
                                      f"{drug.hcpcs} × 1 with NDC {ndc}, dose {given} in "
                                      f"SV101-7 [{SOURCE}]"))
        main.drug = detail
        main.description = f"{name} {given} NDC {ndc}"[:SV101_7]
        result.lines.append(main)
        if not ctx.jw_jz_required:
            continue
        single = drug.single_dose if isinstance(drug.single_dose, bool) else (
            row.single_dose if row is not None else None)
        if single is None:
            result.findings.append(warning(
                "CONTAINER_UNKNOWN",
                f"{label}: NDC {ndc} is not in coding/data/drug_noc.csv: set drug.single_dose "
                "so JW/JZ can be decided", index, "drug.single_dose"))
            continue
        if not single:
            continue
        if wasted == 0:
            main.modifiers.append("JZ")
            main.rationale += "; single-dose container, nothing discarded → JZ"
            if drug.wasted is None:
                result.findings.append(info(
                    "JZ_ASSUMED", f"{label}: no discarded amount documented for a single-dose "
                    "container; JZ attests that none was discarded", index, "drug.wasted"))
            continue
        jw = folded_line([proc], [index], ctx, code=drug.hcpcs, units=1, family="drug",
                         rationale=(f"{name}: {fmt_num(wasted)} {drug.dose_unit} of the "
                                    "single-dose container discarded → its own NOC line with "
                                    "JW (Palmetto GBA NOC drug codes)"))
        jw.modifiers.append("JW")
        jw.description = f"{name} {fmt_num(wasted)} {drug.dose_unit} discarded NDC {ndc}"[
            :SV101_7]
        if detail is not None:
            jw.drug = LineDrug(ndc=detail.ndc, unit=detail.unit,
                               quantity=(detail.quantity * wasted / dose).quantize(
                                   Decimal("0.001")))
        result.lines.append(jw)
    return result
