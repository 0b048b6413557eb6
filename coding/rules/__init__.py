"""Procedure-family rules: one module per family; see base.py for the contract.

`code_families(encounter, ctx)` is the one entry point the engine calls: it hands every
documented procedure except `office_visit` (the engine's E/M rules) to its family module and
returns the draft lines in claim order (biopsy primary before its add-ons, excisions before
their repairs, procedures before their drugs) with every family finding.
"""

from __future__ import annotations

from collections.abc import Callable

from coding.model import Encounter
from coding.rules import (
    area,
    biopsy,
    destruction,
    excision,
    flap,
    injection,
    mohs,
    other,
    pathology,
    phototherapy,
    repair,
    shave,
)
from coding.rules.base import DraftLine, ItemList, RuleContext, RuleResult
from coding.rules.common import error

__all__ = ["FAMILIES", "ENGINE_TYPES", "code_families", "DraftLine", "RuleContext", "RuleResult"]

Rule = Callable[[ItemList, RuleContext], RuleResult]

# (procedure types a family module receives, the module's rule, the line families it drafts
# — a procedure an NCCI edit folded into another, `ctx.bundled`, is withheld from the rule
# drafting that family), in claim order. `excision` feeds both excision (the excision lines)
# and repair (the repairs documented on it). The injection rule reads `ctx.bundled` itself: a
# bundled administration still has its drug line.
FAMILIES: tuple[tuple[frozenset[str], Rule, frozenset[str]], ...] = (
    (frozenset({"biopsy"}), biopsy.code, frozenset({"biopsy", "biopsy_site"})),
    (frozenset({"mohs"}), mohs.code, frozenset({"mohs"})),
    (frozenset({"excision"}), excision.code, frozenset({"excision"})),
    (frozenset({"shave"}), shave.code, frozenset({"shave"})),
    (frozenset({"repair", "excision"}), repair.code, frozenset({"repair"})),
    (frozenset({"adjacent_tissue_transfer"}), flap.code,
     frozenset({"adjacent_tissue_transfer"})),
    (frozenset({"graft", "debridement"}), area.code, frozenset({"graft", "debridement"})),
    (frozenset({"destruction", "skin_tag_removal"}), destruction.code,
     frozenset({"destruction", "skin_tag"})),
    (frozenset({"intralesional", "injection"}), injection.code, frozenset()),
    (frozenset({"pathology"}), pathology.code, frozenset({"pathology"})),
    (frozenset({"phototherapy"}), phototherapy.code, frozenset({"phototherapy"})),
    (frozenset({"other"}), other.code, frozenset({"other"})),
)
ENGINE_TYPES = frozenset({"office_visit"})  # coded by the engine (coding/rules/em.py)
KNOWN_TYPES = frozenset().union(*(types for types, _, _ in FAMILIES)) | ENGINE_TYPES
# procedure type -> the positions in FAMILIES of the rules that receive it
_RECEIVERS: dict[str, tuple[int, ...]] = {
    kind: tuple(n for n, (types, _, _) in enumerate(FAMILIES) if kind in types)
    for kind in KNOWN_TYPES}


def code_families(encounter: Encounter, ctx: RuleContext) -> RuleResult:
    """Draft lines and findings for every non-E/M procedure of `encounter`."""
    result = RuleResult()
    procedures = list(enumerate(encounter.procedures))
    for index, proc in procedures:
        if proc.type not in KNOWN_TYPES:
            result.findings.append(error(
                "UNKNOWN_PROCEDURE_TYPE",
                f"procedure {index}: type {proc.type!r} is not one of "
                f"{', '.join(sorted(KNOWN_TYPES))}", index, "type"))
    receivers = {n for _, proc in procedures for n in _RECEIVERS.get(proc.type, ())}
    for n in sorted(receivers):  # claim order: the order of FAMILIES
        types, rule, drafts = FAMILIES[n]
        items = [(i, p) for i, p in procedures if p.type in types
                 and not (ctx.bundled and any((i, family) in ctx.bundled for family in drafts))]
        if items:
            result.extend(rule(items, ctx))
    return result
