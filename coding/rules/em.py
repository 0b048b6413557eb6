"""Office E/M (99202–99205 new patient, 99211–99215 established): the draft E/M line.

The documented level is taken as written (choosing the level from medical decision making
or time is the clinician's call, CPT 2021 office E/M guidelines). One office E/M per
patient, physician and date: a second `office_visit` is an error finding. Whether the E/M
is billed, and with 25 or 57, depends on the other lines and is decided by the engine's
`coding.edits.em25` edit once every family has coded its lines.
"""

from __future__ import annotations

from coding.encounter_procedures import EM_CODES
from coding.rules.base import DraftLine, ItemList, RuleContext, RuleResult
from coding.rules.common import error

__all__ = ["code", "EM_CODES"]


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    for n, (index, proc) in enumerate(items):
        if proc.code not in EM_CODES:
            result.findings.append(error(
                "BAD_FIELD", f"office visit (procedure {index}): code {proc.code!r} is not an "
                f"office E/M code ({', '.join(EM_CODES)})", index, "code"))
            continue
        if n > 0:
            first = items[0][0]
            result.findings.append(error(
                "EM_DUPLICATE", f"office visit (procedure {index}): only one office E/M is "
                f"billed per patient, physician and date; procedure {first} already has one. "
                "Combine the documentation into one visit level", index, "code"))
            continue
        kind = "new patient" if proc.code.startswith("9920") else "established patient"
        result.lines.append(DraftLine(
            code=proc.code, units=1, family="em", procedure=index,
            rationale=f"office E/M {proc.code} ({kind}) as documented",
            diagnoses=proc.diagnoses, site=None, laterality=None,
        ))
    return result
