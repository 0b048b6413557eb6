"""Procedure-family rules: one module per family; see base.py for the contract.

`code_families(encounter, ctx)` is the one entry point the engine calls: it hands every
documented procedure except `office_visit` (the engine's E/M rules) to its family module and
returns the draft lines in claim order (biopsy primary before its add-ons, excisions before
their repairs, procedures before their drugs) with every family finding.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from coding.model import Encounter
from coding.rules.base import DraftLine, ItemList, RuleContext, RuleResult
from coding.rules.common import error

__all__ = ["FAMILIES", "ENGINE_TYPES", "code_families", "DraftLine", "RuleContext", "RuleResult"]

Rule = Callable[[ItemList, RuleContext], RuleResult]


@cache
def _module_rule(module: str) -> Rule:
    rule: Rule = importlib.import_module(f"coding.rules.{module}").code
    return rule


def _lazy(module: str) -> Rule:
    """`coding.rules.<module>.code`, its module imported when the family first has a
    procedure to code: an encounter of biopsies and a visit loads neither the Mohs, graft
    nor drug rules (start-up of a one-encounter `dermclaim code`)."""
    def rule(items: ItemList, ctx: RuleContext) -> RuleResult:
        return _module_rule(module)(items, ctx)
    rule.__qualname__ = rule.__name__ = f"{module}.code"
    return rule


# (procedure types a family module receives, the module's rule, the line families it drafts
# — a procedure an NCCI edit folded into another, `ctx.bundled`, is withheld from the rule
# drafting that family), in claim order. `excision` feeds both excision (the excision lines)
# and repair (the repairs documented on it). The injection rule reads `ctx.bundled` itself: a
# bundled administration still has its drug line.
FAMILIES: tuple[tuple[frozenset[str], Rule, frozenset[str]], ...] = (
    (frozenset({"biopsy"}), _lazy("biopsy"), frozenset({"biopsy", "biopsy_site"})),
    (frozenset({"mohs"}), _lazy("mohs"), frozenset({"mohs"})),
    (frozenset({"excision"}), _lazy("excision"), frozenset({"excision"})),
    (frozenset({"shave"}), _lazy("shave"), frozenset({"shave"})),
    (frozenset({"repair", "excision"}), _lazy("repair"), frozenset({"repair"})),
    (frozenset({"adjacent_tissue_transfer"}), _lazy("flap"),
     frozenset({"adjacent_tissue_transfer"})),
    (frozenset({"graft", "debridement"}), _lazy("area"), frozenset({"graft", "debridement"})),
    (frozenset({"destruction", "skin_tag_removal"}), _lazy("destruction"),
     frozenset({"destruction", "skin_tag"})),
    (frozenset({"intralesional", "injection"}), _lazy("injection"), frozenset()),
    (frozenset({"pathology"}), _lazy("pathology"), frozenset({"pathology"})),
    (frozenset({"phototherapy"}), _lazy("phototherapy"), frozenset({"phototherapy"})),
    (frozenset({"other"}), _lazy("other"), frozenset({"other"})),
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
