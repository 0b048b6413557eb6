"""Adjacent tissue transfer or rearrangement 14000–14302 (flaps: advancement, rotation,
transposition, Z-/W-plasty), by site group and defect area.

- Defect area in sq cm = primary defect (after excision) + secondary defect (from the flap
  design), as documented (CPT 14000–14302 guidelines).
- Site groups as complex repair; ≤ 10 sq cm → 14000/14020/14040/14060, 10.1–30 sq cm →
  14001/14021/14041/14061 (coding/data/size_codes.csv); 30.1–60 sq cm any area → 14301; each
  further 30 sq cm or part → +14302.
- The transfer includes the excision of the lesion and the repair of its defect: an excision
  (11400–11646) or repair (12001–13160) of the same lesion is not reported (CPT guidelines; AAD
  Derm Coding Consult June 2025 "If a lesion is excised and an adjacent tissue transfer ... is
  performed at the same site, the excision of the lesion is not reported separately"; AAPC
  "Seize tissue transfer opportunities": CCI bundles 14301 with 11400–11471, 11600–11646,
  12001–13152, 59 for a different lesion). The engine applies this through the NCCI pairs
  14xxx/114xx, 14xxx/116xx, 14xxx/12xxx–13xxx in coding/data/ncci_ptp.csv.
- 90-day global (major surgery): the E/M that decided on it takes 57 (coding.edits.em25).
"""

from __future__ import annotations

from decimal import Decimal

from coding.rules.base import DraftLine, ItemList, RuleContext, RuleResult
from coding.rules.common import bracket_code, ceil_div, error, fmt_num, place, single_line

__all__ = ["code", "att_codes"]

SMALL_MAX = Decimal(30)  # site-specific codes up to 30.0 sq cm
ANY_AREA = ("14301", Decimal(60))  # 30.1-60.0 sq cm, any area
EXTRA = ("14302", Decimal(30))  # each further 30.0 sq cm or part


def att_codes(group: str, area: Decimal) -> list[tuple[str, int]]:
    """(code, units) for one defect."""
    if area <= SMALL_MAX:
        bracket = bracket_code("adjacent_tissue_transfer", group, area)
        assert bracket is not None
        return [(bracket.code, 1)]
    out = [(ANY_AREA[0], 1)]
    if area > ANY_AREA[1]:
        out.append((EXTRA[0], ceil_div(area - ANY_AREA[1], EXTRA[1])))
    return out


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    for index, proc in items:
        label = f"adjacent tissue transfer (procedure {index})"
        area = proc.defect_sq_cm
        problems = []
        if not isinstance(area, Decimal) or not area.is_finite() or area <= 0:
            problems.append(error("MISSING_FIELD" if area is None else "BAD_FIELD",
                                  f"{label}: defect_sq_cm (primary + secondary defect, sq cm) "
                                  "is required", index, "defect_sq_cm"))
        group, found = place("adjacent_tissue_transfer", proc, index, label)
        problems.extend(found)
        if problems or group is None or not isinstance(area, Decimal):
            result.findings.extend(problems)
            continue
        for n, (cpt, units) in enumerate(att_codes(group, area)):
            why = (f"Adjacent tissue transfer, {proc.site}, defect {fmt_num(area)} sq cm "
                   f"(primary + secondary) → {cpt}" + (f" × {units}" if units > 1 else "")
                   + ("; includes the excision and repair of the lesion" if n == 0 else
                      " (each further 30 sq cm or part beyond 60)"))
            line: DraftLine = single_line(proc, index, code=cpt, units=units,
                                          family="adjacent_tissue_transfer", rationale=why)
            result.lines.append(line)
    return result
