"""Drug lines: HCPCS units, NDC detail and Medicare's JW/JZ discarded-drug modifiers.

- HCPCS units = administered dose ÷ the code's billing unit, rounded up to a whole unit; a dose
  smaller than one unit is one unit (Medicare Claims Processing Manual ch. 17 §10; CMS RAC
  topic 0074). Billing units: coding/data/drug_units.csv. The units are of the drug given
  that day, not of each injection: the doses of one drug (HCPCS + NDC) across every site and
  procedure of the encounter are summed first and rounded once, on one line (two keloids of
  15 mg each from one Kenalog-10 vial → 30 mg → J3301 × 3, not 2 + 2).
- Container: single- or multi-dose is a property of the package (NDC), not of the HCPCS code:
  `drug.single_dose` as documented, else the NDC's row in coding/data/drug_ndcs.csv, else the
  code's usual container in drug_units.csv; a code sold in both (J3301: Kenalog-40 1 mL
  single-dose vial, 5 mL multi-dose vial) with an unlisted NDC draws a warning.
- NDC: 11 digits 5-4-2. A hyphenated 10-digit NDC gets a leading zero in its short segment
  (4-4-2, 5-3-2, 5-4-1); a bare 10-digit NDC cannot be placed and is an error.
- JW/JZ (when the payer's guide requires them; single-dose containers only): discarded
  amount on its own line with JW; JZ on the administered line when nothing billable was
  discarded. When the rounded-up units already cover the dose plus the discard, a JW line is
  not permitted and the single line takes JZ (Noridian JD DME "Modifier JZ", updated
  2024-03-20: 70 mg of a 100 mg vial, 1 UOS = 100 mg → one line, 1 UOS, JZ; CGS "JW and JZ
  modifier guidelines" 2023-06-27). Multi-dose containers (e.g. Kenalog-10) take neither.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from attrs import frozen

from coding.model import Drug, Finding, LineDrug, Procedure
from coding.rules.base import RuleContext, RuleResult
from coding.rules.common import ceil_div, error, fmt_num, folded_line, info, warning
from coding.tables import DrugUnit, drug_units, ndc_packages

__all__ = ["NDC_UNITS", "normalize_ndc", "to_billing_unit", "hcpcs_units", "drug_lines",
           "Given", "amount", "ndc_detail"]

NDC_UNITS = ("UN", "ML", "GR", "F2", "ME")
MASS_MG = {"mcg": Decimal("0.001"), "mg": Decimal(1), "g": Decimal(1000)}
# dose units that convert to an NDC quantity without knowing the package
NDC_FROM_DOSE = {"mL": ("ML", Decimal(1)), "mg": ("ME", Decimal(1)),
                 "mcg": ("ME", Decimal("0.001")), "g": ("GR", Decimal(1))}
_SHAPES = {(4, 4, 2): 0, (5, 3, 2): 1, (5, 4, 1): 2, (5, 4, 2): None}


def normalize_ndc(raw: object) -> tuple[str | None, str | None]:
    """(11-digit NDC, None) or (None, why not)."""
    if not isinstance(raw, str) or not raw.strip():
        return None, "an NDC is required"
    text = raw.strip()
    if "-" not in text:
        if re.fullmatch(r"\d{11}", text):
            return text, None
        if re.fullmatch(r"\d{10}", text):
            return None, (f"NDC {text} has 10 digits without hyphens, so its 4-4-2, 5-3-2 or "
                          "5-4-1 segments are ambiguous; write it with hyphens as on the package")
        return None, f"NDC {text!r} must have 11 digits (or 10 with hyphens)"
    parts = text.split("-")
    shape = tuple(len(p) for p in parts)
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or shape not in _SHAPES:
        return None, (f"NDC {text!r} is not in 4-4-2, 5-3-2, 5-4-1 or 5-4-2 form "
                      "(digits separated by hyphens)")
    pad = _SHAPES[shape]
    if pad is not None:
        parts[pad] = "0" + parts[pad]
    return "".join(parts), None


def to_billing_unit(amount: Decimal, unit: str, ref: DrugUnit) -> Decimal | None:
    """`amount` of `unit` expressed in the billing unit's measure, or None if incompatible."""
    if unit == ref.billing_unit:
        return amount
    if unit in MASS_MG and ref.billing_unit in MASS_MG:
        return amount * MASS_MG[unit] / MASS_MG[ref.billing_unit]
    return None


def hcpcs_units(amount: Decimal, unit: str, ref: DrugUnit) -> int | None:
    """Whole HCPCS units covering `amount` (rounded up; any positive amount is ≥ 1 unit)."""
    converted = to_billing_unit(amount, unit, ref)
    if converted is None:
        return None
    return ceil_div(converted, ref.billing_amount)


def amount(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


@frozen
class Given:
    """One documented administration of a drug, checked: amounts in the billing unit."""

    index: int
    proc: Procedure
    drug: Drug
    ref: DrugUnit
    ndc: str
    dose: Decimal  # in the billing unit's measure
    wasted: Decimal
    line_drug: LineDrug | None
    administered_by: str


def _check(index: int, proc: Procedure, administered_by: str, day: date
           ) -> tuple[Given | None, list[Finding]]:
    drug = proc.drug
    label = f"drug of procedure {index}"
    if not isinstance(drug, Drug):
        return None, [error("MISSING_FIELD", f"{label}: the drug (hcpcs, ndc, dose, dose_unit) "
                            "is required", index, "drug")]
    problems: list[Finding] = []
    ref = drug_units().get(drug.hcpcs) if isinstance(drug.hcpcs, str) else None
    if ref is None:
        problems.append(error(
            "UNKNOWN_DRUG",
            f"{label}: HCPCS {drug.hcpcs!r} has no billing unit in coding/data/drug_units.csv "
            f"(known: {', '.join(sorted(drug_units()))})", index, "drug.hcpcs"))
    elif ref.ended is not None and day.isoformat() > ref.ended:
        problems.append(error(
            "CODE_NOT_VALID_ON_DOS",
            f"{label}: HCPCS {ref.hcpcs} was deleted after {ref.ended} ({ref.description}) and "
            f"cannot be billed for {day.isoformat()} [source: {ref.source}]", index,
            "drug.hcpcs"))
    dose = amount(drug.dose)
    if dose is None or dose <= 0:
        problems.append(error("BAD_FIELD", f"{label}: dose must be a number above 0, got "
                              f"{drug.dose!r}", index, "drug.dose"))
    wasted = amount(drug.wasted) if drug.wasted is not None else Decimal(0)
    if wasted is None or wasted < 0:
        problems.append(error("BAD_FIELD", f"{label}: wasted must be a number of 0 or more, got "
                              f"{drug.wasted!r}", index, "drug.wasted"))
    ndc, why = normalize_ndc(drug.ndc)
    if ndc is None:
        problems.append(error("BAD_NDC", f"{label}: {why}", index, "drug.ndc"))
    if drug.ndc_unit is not None and drug.ndc_unit not in NDC_UNITS:
        problems.append(error("BAD_FIELD", f"{label}: ndc_unit {drug.ndc_unit!r} is not one of "
                              f"{', '.join(NDC_UNITS)}", index, "drug.ndc_unit"))
    if problems or ref is None or dose is None or wasted is None or ndc is None:
        return None, problems
    converted = to_billing_unit(dose, drug.dose_unit, ref)
    lost = to_billing_unit(wasted, drug.dose_unit, ref)
    if converted is None or lost is None:
        return None, [error(
            "DOSE_UNIT_MISMATCH",
            f"{label}: a dose in {drug.dose_unit!r} cannot be converted to {drug.hcpcs}'s billing "
            f"unit ({fmt_num(ref.billing_amount)} {ref.billing_unit}); document the dose in "
            f"{ref.billing_unit}", index, "drug.dose_unit")]
    line_drug, found = ndc_detail(index, drug, ndc, dose, label)
    return Given(index, proc, drug, ref, ndc, converted, lost, line_drug, administered_by), found


def drug_lines(entries: list[tuple[int, Procedure, str]], ctx: RuleContext) -> RuleResult:
    """The HCPCS lines for the drugs of `entries` (procedure index, procedure, how it was
    given): per drug (HCPCS + NDC) for the day, the summed dose rounded up once, and a JW line
    for a billable discard from single-dose containers when the payer requires JW/JZ."""
    from coding.rules.noc import NOC_CODES, noc_lines  # noc builds on this module

    result = RuleResult()
    noc = [e for e in entries if isinstance(e[1].drug, Drug)
           and isinstance(e[1].drug.hcpcs, str) and e[1].drug.hcpcs in NOC_CODES]
    if noc:
        result.extend(noc_lines(noc, ctx))
        entries = [e for e in entries if e not in noc]
    groups: dict[tuple[str, str], list[Given]] = {}
    for index, proc, how in entries:
        given, found = _check(index, proc, how, ctx.encounter.date_of_service)
        result.findings.extend(found)
        if given is not None:
            groups.setdefault((given.drug.hcpcs, given.ndc), []).append(given)
    for group in groups.values():
        _drug_group(group, ctx, result)
    return result


def _container(group: list[Given]) -> tuple[bool | None, str]:
    documented = [g.drug.single_dose for g in group if isinstance(g.drug.single_dose, bool)]
    if documented:
        return documented[0], "as documented (drug.single_dose)"
    package = ndc_packages().get(group[0].ndc)
    if package is not None:
        kind = "single-dose" if package.single_dose else "multi-dose"
        return package.single_dose, (f"NDC {group[0].ndc} is a {package.package} of "
                                     f"{package.product}, {kind} [source: {package.source}]")
    ref = group[0].ref
    if ref.single_dose is None:
        return None, f"{ref.hcpcs} comes in single- and multi-dose containers"
    kind = "single-dose" if ref.single_dose else "multi-dose"
    return ref.single_dose, f"{ref.hcpcs}'s usual container is {kind} (drug_units.csv)"


def _drug_group(group: list[Given], ctx: RuleContext, result: RuleResult) -> None:
    first, ref = group[0], group[0].ref
    hcpcs = first.drug.hcpcs
    dose = sum((g.dose for g in group), Decimal(0))
    wasted = sum((g.wasted for g in group), Decimal(0))
    units = ceil_div(dose, ref.billing_amount)
    per = f"{fmt_num(ref.billing_amount)} {ref.billing_unit}"
    hows = ", ".join(dict.fromkeys(g.administered_by for g in group))
    summed = ("" if len(group) == 1 else " (summed for the day over procedures "
              + " + ".join(f"{g.index}: {fmt_num(g.dose)}" for g in group) + ")")
    why_units = (f"{hcpcs} ({ref.description}) given {hows}: dose {fmt_num(dose)} "
                 f"{ref.billing_unit}{summed} ÷ {per} per unit, rounded up → {units} unit(s) "
                 "(CMS Claims Processing Manual ch. 17 §10)")
    procs = [g.proc for g in group]
    indexes = tuple(dict.fromkeys(g.index for g in group))
    line_drug = _summed_line_drug(group)
    main = folded_line(procs, indexes, ctx, code=hcpcs, units=units, rationale=why_units,
                       family="drug")
    main.drug = line_drug
    result.lines.append(main)
    if not ctx.jw_jz_required:
        return
    single, why_container = _container(group)
    label = f"drug of procedure {first.index}"
    if single is None:
        result.findings.append(warning(
            "CONTAINER_UNKNOWN",
            f"{label}: {why_container} and NDC {first.ndc} is not in coding/data/drug_ndcs.csv: "
            "set drug.single_dose so JW/JZ can be decided (Medicare requires JZ or a JW line "
            "on single-dose containers)", first.index, "drug.single_dose"))
        return
    if not single:
        if wasted > 0:
            result.findings.append(info(
                "MULTI_DOSE_NO_JW",
                f"{label}: multi-dose container ({why_container}); the discarded amount is not "
                "billable and neither JW nor JZ applies", first.index, "drug.wasted"))
        return
    covering = ceil_div(dose + wasted, ref.billing_amount) or units
    discard_units = covering - units
    if discard_units <= 0:
        main.modifiers.append("JZ")
        if wasted > 0:
            main.rationale += (f"; the {fmt_num(wasted)} {ref.billing_unit} discarded is covered "
                               "by rounding up, so no JW line (CMS/Noridian JZ guidance) → JZ")
        else:
            main.rationale += f"; single-dose container ({why_container}), nothing discarded → JZ"
            if all(g.drug.wasted is None for g in group):
                result.findings.append(info(
                    "JZ_ASSUMED",
                    f"{label}: no discarded amount documented for a single-dose container; "
                    "JZ attests that none was discarded", first.index, "drug.wasted"))
        return
    jw_drug = None
    if line_drug is not None:
        share = (line_drug.quantity * wasted / dose).quantize(Decimal("0.001"))
        jw_drug = LineDrug(ndc=line_drug.ndc, quantity=share, unit=line_drug.unit)
    jw = folded_line(procs, indexes, ctx, code=hcpcs, units=discard_units, family="drug",
                     rationale=(f"{hcpcs} single-dose container ({why_container}): "
                                f"{fmt_num(wasted)} {ref.billing_unit} discarded; dose + discard "
                                f"need {covering} unit(s), {units} billed for the dose → "
                                f"{discard_units} unit(s) with JW on their own line"))
    jw.modifiers.append("JW")
    jw.drug = jw_drug
    result.lines.append(jw)


def _summed_line_drug(group: list[Given]) -> LineDrug | None:
    """The NDC detail of the day's line: the quantities summed when every administration
    has one in the same unit."""
    details = [g.line_drug for g in group]
    if any(d is None for d in details) or len({d.unit for d in details if d}) != 1:
        return details[0] if len(details) == 1 else None
    total = sum((d.quantity for d in details if d), Decimal(0))
    unit = details[0].unit if details[0] else "UN"
    return LineDrug(ndc=group[0].ndc, quantity=total.normalize(), unit=unit)


def ndc_detail(
    index: int, drug: Drug, ndc: str, dose: Decimal, label: str
) -> tuple[LineDrug | None, list[Finding]]:
    quantity = amount(drug.ndc_quantity)
    if drug.ndc_quantity is not None and (quantity is None or quantity <= 0):
        return None, [error("BAD_FIELD", f"{label}: ndc_quantity must be a number above 0, got "
                            f"{drug.ndc_quantity!r}", index, "drug.ndc_quantity")]
    if quantity is not None and drug.ndc_unit is not None:
        return LineDrug(ndc=ndc, quantity=quantity, unit=drug.ndc_unit), []
    if quantity is None and drug.ndc_unit is None and drug.dose_unit in NDC_FROM_DOSE:
        unit, factor = NDC_FROM_DOSE[drug.dose_unit]
        derived = (dose * factor).normalize()
        return LineDrug(ndc=ndc, quantity=derived, unit=unit), [info(
            "NDC_QUANTITY_FROM_DOSE",
            f"{label}: NDC quantity not documented; reported as the dose, {fmt_num(derived)} "
            f"{unit}", index, "drug.ndc_quantity")]
    missing = "ndc_unit" if quantity is not None else "ndc_quantity"
    return None, [warning(
        "NDC_QUANTITY_MISSING",
        f"{label}: the NDC quantity and unit (UN, ML, GR, F2, ME) are needed for the NDC "
        f"detail; {missing} is missing", index, f"drug.{missing}")]
