"""Splitting a coded claim into the claims an 837P can carry.

The 837P allows 50 service lines a claim (loop 2400 repeat; a payer's guide may allow
fewer: `Guide.max_lines_per_claim`) and 12 diagnoses (HI). A claim over either limit is
cut into parts:

- lines stay in their order; lines from the same documented procedure (a primary code and
  its add-on, a drug and its administration) stay in the same part, because an add-on
  billed without its primary on the claim is denied;
- each part carries only the diagnoses its lines point to (in the claim's order, so the
  principal diagnosis stays first when a line uses it), pointers renumbered to match; a
  diagnosis no line points to fills a spare HI slot of the first part that has one;
- LX restarts at 1 in each part; REF*6R (the line control number) never changes, so a
  remittance line still finds its line;
- CLM01 of part k of n is `<claim id>-P<k>` (claim ids are at most 20 characters, so
  CLM01 stays within its 38). An unsplit claim keeps its claim id unchanged.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
from attrs import frozen

from coding.model import ClaimLine, CodedClaim, line_control_number

__all__ = ["ClaimPart", "split_claim", "part_claim_id"]


@frozen
class ClaimPart:
    """One CLM as it will be written."""

    claim: CodedClaim
    clm01: str
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]  # renumbered 1..n, pointers into `diagnoses`
    part: int = 1
    parts: int = 1

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge or Decimal("0") for line in self.lines), Decimal("0"))


def part_claim_id(claim_id: str, part: int, parts: int) -> str:
    return claim_id if parts == 1 else f"{claim_id}-P{part}"


def split_claim(claim: CodedClaim, max_lines: int = 50, max_diagnoses: int = 12) -> list[ClaimPart]:
    """Cut `claim` into parts within the limits (one part when it already fits)."""
    lines = tuple(
        line if line.line_control_number
        else attrs.evolve(line, line_control_number=line_control_number(claim.claim_id, line.line))
        for line in claim.lines
    )
    if len(lines) <= max_lines and len(claim.diagnoses) <= max_diagnoses:
        return [ClaimPart(claim=claim, clm01=claim.claim_id, diagnoses=claim.diagnoses,
                          lines=lines)]

    groups = _procedure_groups(lines)
    packed: list[list[ClaimLine]] = []
    current: list[ClaimLine] = []
    for group in groups:
        if _fits(current + group, max_lines, max_diagnoses):
            current.extend(group)
            continue
        if current:
            packed.append(current)
            current = []
        if _fits(group, max_lines, max_diagnoses):
            current = list(group)
            continue
        for line in group:  # a single procedure too big for one claim: cut it by line
            if not _fits(current + [line], max_lines, max_diagnoses):
                packed.append(current)
                current = []
            current.append(line)
    if current:
        packed.append(current)

    used = {p for line in lines for p in line.diagnosis_pointers}
    spare = [i for i in range(1, len(claim.diagnoses) + 1) if i not in used]
    parts: list[ClaimPart] = []
    n = len(packed)
    for k, chunk in enumerate(packed, start=1):
        needed = sorted({p for line in chunk for p in line.diagnosis_pointers})
        while spare and len(needed) < max_diagnoses:
            needed.append(spare.pop(0))
        needed.sort()
        new_index = {old: new for new, old in enumerate(needed, start=1)}
        renumbered = tuple(
            attrs.evolve(line, line=i,
                         diagnosis_pointers=tuple(new_index[p] for p in line.diagnosis_pointers))
            for i, line in enumerate(chunk, start=1)
        )
        parts.append(ClaimPart(
            claim=claim, clm01=part_claim_id(claim.claim_id, k, n),
            diagnoses=tuple(claim.diagnoses[i - 1] for i in needed),
            lines=renumbered, part=k, parts=n,
        ))
    return parts


def _procedure_groups(lines: tuple[ClaimLine, ...]) -> list[list[ClaimLine]]:
    groups: list[list[ClaimLine]] = []
    for line in lines:
        if groups and line.procedure is not None and groups[-1][-1].procedure == line.procedure:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _fits(lines: list[ClaimLine], max_lines: int, max_diagnoses: int) -> bool:
    pointers = {p for line in lines for p in line.diagnosis_pointers}
    return len(lines) <= max_lines and len(pointers) <= max_diagnoses
