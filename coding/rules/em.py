"""Office E/M (99202–99205 new patient, 99211–99215 established, consultations 99242–99245)
and preventive medicine visits (99381–99397): the draft E/M lines.

The documented level is taken as written (choosing the level from medical decision making
or time is the clinician's call, CPT 2021 office E/M guidelines). One problem-oriented E/M
per patient, physician and date, and at most one preventive visit beside it: a second of
either is an error finding. A problem addressed at a preventive visit that needs significant
extra work is the problem-oriented E/M with modifier 25 (CPT preventive medicine
guidelines); `coding.edits.em25` decides that, and whether the problem E/M is billed at all,
once every family has coded its lines. Preventive visits draft as family `em_preventive`.
"""

from __future__ import annotations

from coding.encounter_procedures import EM_CODES, PREVENTIVE_EM_CODES
from coding.rules.base import DraftLine, ItemList, RuleContext, RuleResult
from coding.rules.common import error

__all__ = ["code", "EM_CODES", "PREVENTIVE_EM_CODES"]


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    first: dict[str, int] = {}
    for index, proc in items:
        if proc.code not in EM_CODES:
            result.findings.append(error(
                "BAD_FIELD", f"office visit (procedure {index}): code {proc.code!r} is not an "
                f"office or preventive E/M code ({', '.join(EM_CODES)})", index, "code"))
            continue
        preventive = proc.code in PREVENTIVE_EM_CODES
        kind = "preventive" if preventive else "problem"
        if kind in first:
            what = "preventive visit" if preventive else "office E/M"
            result.findings.append(error(
                "EM_DUPLICATE", f"office visit (procedure {index}): only one {what} is "
                f"billed per patient, physician and date; procedure {first[kind]} already has "
                "one. Combine the documentation into one visit level", index, "code"))
            continue
        first[kind] = index
        if preventive:
            what = f"preventive medicine visit {proc.code}"
        elif proc.code.startswith("9924"):
            what = f"office consultation {proc.code}"
        else:
            age = "new patient" if proc.code.startswith("9920") else "established patient"
            what = f"office E/M {proc.code} ({age})"
        result.lines.append(DraftLine(
            code=proc.code, units=1, family="em_preventive" if preventive else "em",
            procedure=index, procedures=(index,), rationale=f"{what} as documented",
            diagnoses=proc.diagnoses, site=None, laterality=None,
        ))
    return result
