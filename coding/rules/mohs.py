"""Mohs micrographic surgery 17311-17315, units aggregated per code over the session.

Per lesion: first stage 17311 (head, neck, hands, feet, genitalia — Mohs group a, scalp is
head) or 17313 (trunk, arms, legs — group b); each further stage +17312 / +17314; +17315 per
tissue block beyond the first 5 in any stage (CPT descriptors; codingahead 17315: head,
stages [5, 6, 2] → 17311, 17312 × 2, 17315 × 1). Repairs after Mohs are coded by repair.py.
"""

from __future__ import annotations

from collections import defaultdict

from coding.model import Finding, Procedure
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import (
    error,
    folded_line,
    place,
    text,
)

__all__ = ["STAGE_CODES", "BLOCKS_PER_STAGE", "lesion_codes", "code"]

STAGE_CODES = {  # group -> (first stage, each additional stage)
    "a": ("17311", "17312"),
    "b": ("17313", "17314"),
}
EXTRA_BLOCK = "17315"
BLOCKS_PER_STAGE = 5  # each stage code includes up to 5 tissue blocks
GROUP_NAMES = {"a": "head/neck/hands/feet/genitalia", "b": "trunk/arms/legs"}


def lesion_codes(group: str, stages: tuple[int, ...]) -> dict[str, int]:
    """Code -> units for one lesion's stages (block counts), e.g. ('a', (5, 6, 2)) →
    {'17311': 1, '17312': 2, '17315': 1}."""
    first, further = STAGE_CODES[group]
    out = {first: 1}
    if len(stages) > 1:
        out[further] = len(stages) - 1
    extra = sum(max(0, blocks - BLOCKS_PER_STAGE) for blocks in stages)
    if extra:
        out[EXTRA_BLOCK] = extra
    return out


def _stages(
    proc: Procedure, index: int, label: str
) -> tuple[tuple[int, ...] | None, list[Finding]]:
    stages = proc.stages
    if not isinstance(stages, (tuple, list)) or len(stages) == 0:
        return None, [error("MISSING_FIELD" if not stages else "BAD_FIELD",
                            f"{label}: stages must list the tissue-block count of each stage, "
                            "e.g. [5, 6, 2]", index, "stages")]
    problems = [
        error("BAD_FIELD", f"{label}: stage {n + 1} has block count {blocks!r}; each stage "
              "needs a whole number of blocks, at least 1", index, f"stages[{n}]")
        for n, blocks in enumerate(stages)
        if isinstance(blocks, bool) or not isinstance(blocks, int) or blocks < 1
    ]
    return (None, problems) if problems else (tuple(stages), [])


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    # units per (code, side): a payer that wants LT/RT gets one line per side
    units: dict[tuple[str, str], int] = defaultdict(int)
    sources: dict[tuple[str, str], list[Procedure]] = defaultdict(list)
    indexes: dict[tuple[str, str], list[int]] = defaultdict(list)
    notes: list[str] = []
    for index, proc in items:
        label = f"Mohs surgery (procedure {index})"
        stages, problems = _stages(proc, index, label)
        group, found = place("mohs", proc, index, label)
        problems.extend(found)
        if problems or stages is None or group is None:
            result.findings.extend(problems)
            continue
        codes = lesion_codes(group, stages)
        side = (text(proc.laterality) or "") if ctx.laterality_required else ""
        for c, n in codes.items():
            units[c, side] += n
            sources[c, side].append(proc)
            indexes[c, side].append(index)
        listed = ", ".join(f"{c} × {n}" for c, n in codes.items())
        notes.append(f"procedure {index} {proc.site} ({GROUP_NAMES[group]}), "
                     f"stages {list(stages)} → {listed}")
    order = ["17311", "17312", "17313", "17314", EXTRA_BLOCK]
    for key in sorted(units, key=lambda k: (order.index(k[0]), k[1])):
        c, procs = key[0], sources[key]
        result.lines.append(folded_line(
            procs, indexes[key], ctx, code=c, units=units[key], family="mohs",
            rationale=(f"Mohs: {'; '.join(notes)}. First stage per lesion by site group, "
                       f"+1 stage code per further stage, +17315 per block beyond 5 in any "
                       f"stage; {c} units summed = {units[key]}"),
        ))
    return result
