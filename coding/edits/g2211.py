"""G2211, the visit-complexity add-on to an office E/M: only beside the visit it adds to.

- G2211 adds to an office/outpatient E/M (99202–99215) and is reported with one; with no such
  visit left on the claim (none documented, or the E/M 25 edit dropped it as included in a
  procedure) the add-on goes too (CY 2024 PFS final rule, 88 FR 78818).
- Medicare does not pay G2211 when the E/M is reported with modifier 25 on the same day,
  except beside the annual wellness visit, vaccine administration or a Part B preventive
  service (CY 2025 PFS final rule; CMS Transmittal 13015 / MLN MM13473:
  coding/data/g2211_exceptions.csv). The line is left off with a warning naming the rule: the
  visit still goes out with 25, and sending G2211 would only draw a denial. Other payers
  follow their own policy: the line stays, with an info finding.

Runs after the E/M 25 edit (which decides 25 and whether the E/M is billed).
"""

from __future__ import annotations

from functools import cache

from coding.edits.context import EditContext
from coding.model import Finding, Severity
from coding.rules.base import DraftLine
from coding.tables import read_table

__all__ = ["apply", "exceptions"]

ADD_ON = "G2211"
OFFICE_EM = frozenset({"99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214",
                       "99215"})


@cache
def exceptions() -> dict[str, tuple[str, str]]:
    """code -> (kind, source): the services beside which G2211 goes with a 25 visit."""
    return {r["code"]: (r["kind"], r["source"]) for r in read_table("g2211_exceptions.csv")}


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    addons = [line for line in lines if line.code == ADD_ON]
    if not addons:
        return []
    visit = next((line for line in lines if line.family == "em" and line.code in OFFICE_EM),
                 None)
    if visit is None:
        _drop(lines, addons)
        return [Finding(
            Severity.WARNING, "G2211_WITHOUT_EM",
            "G2211 (visit complexity add-on) not billed: no office/outpatient E/M 99202-99215 "
            "is billed on this claim for it to add to (CY 2024 PFS final rule)",
            addons[0].procedure)]
    if "25" not in visit.modifiers:
        return []
    beside = [line.code for line in lines if line.code in exceptions()]
    if beside:
        kinds = ", ".join(f"{c} ({exceptions()[c][0]})" for c in dict.fromkeys(beside))
        for line in addons:
            line.rationale += (f"; with {visit.code}-25 allowed beside {kinds} (CY 2025 PFS "
                               "final rule; MLN MM13473)")
        return []
    if not ctx.guide.is_medicare:
        return [Finding(
            Severity.INFO, "G2211_WITH_25",
            f"G2211 billed with {visit.code}-25: Medicare would not pay it (CY 2024/2025 PFS "
            f"final rules); {ctx.guide.name} follows its own policy", addons[0].procedure)]
    _drop(lines, addons)
    return [Finding(
        Severity.WARNING, "G2211_WITH_25",
        f"G2211 not billed: {visit.code} carries modifier 25 (a same-day procedure), and "
        "Medicare does not pay the visit-complexity add-on with a 25 visit except beside the "
        "annual wellness visit, vaccine administration or a Part B preventive service (CMS "
        "CY 2025 PFS final rule; MLN MM13473)", addons[0].procedure)]


def _drop(lines: list[DraftLine], addons: list[DraftLine]) -> None:
    lines[:] = [line for line in lines if line not in addons]
