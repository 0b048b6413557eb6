"""What a procedure-family rule module returns to the engine.

Each family module (`biopsy.py`, `destruction.py`, `excision.py`, `shave.py`, `repair.py`,
`mohs.py`, `injection.py`, `pathology.py`, `phototherapy.py`, `other.py`) exposes

    def code(items: list[tuple[int, Procedure]], ctx: RuleContext) -> RuleResult

receiving every documented procedure of its type(s) on the encounter (with its index in
`encounter.procedures`), and returning draft lines and findings. Family rules decide codes,
units, drug quantities and family-specific modifiers (JW/JZ); the engine then applies the
cross-family edits (cosmetic and coverage, E/M 25, NCCI pairs, MUE, laterality, ABN, the
four-modifier limit), numbers the lines, points diagnoses and prices them.
"""

from __future__ import annotations

from attrs import define, field, frozen

from coding.model import Encounter, Finding, LineDrug, Procedure

__all__ = ["DraftLine", "RuleContext", "RuleResult"]


@define(eq=False)
class DraftLine:
    """A line being coded. Compared by identity: two lines with the same code, units and
    site are still two lines (and value equality over every field made each `in` / `remove`
    on a list of lines cost a full comparison per line)."""

    code: str
    units: int
    rationale: str
    family: str  # "biopsy", "destruction", "excision", "repair", "mohs", "drug" ...
    procedure: int | None  # index into encounter.procedures it came from
    procedures: tuple[int, ...] = ()  # every procedure index folded into this line (repairs)
    modifiers: list[str] = field(factory=list)
    diagnoses: tuple[str, ...] = ()  # normalized codes this line supports; () = principal
    drug: LineDrug | None = None
    site: str | None = None  # the documented site, for NCCI distinctness and laterality
    laterality: str | None = None
    sites: tuple[str, ...] = ()  # all sites folded into the line (summed repairs)
    # the lesions the line treats when every folded procedure names one (`Procedure.lesion`,
    # or "#<index>" for an excision and the repair documented on it); () = not known, the
    # site stands in for the lesion
    lesions: tuple[str, ...] = ()
    anatomic: str | None = None  # FA/F1-F9, TA/T1-T9, E1-E4 when every procedure names one
    description: str | None = None  # SV101-7, for a not-otherwise-classified code


@frozen
class RuleContext:
    encounter: Encounter
    guide_name: str
    distinct_modifier: str  # 59 or XS, from the payer's guide
    jw_jz_required: bool
    abn_modifier: str | None
    laterality_required: bool
    # (procedure index, line family) pairs an NCCI edit has folded into another procedure:
    # the family codes the encounter without them (the next biopsy becomes the primary)
    bundled: frozenset[tuple[int, str]] = frozenset()


@define
class RuleResult:
    lines: list[DraftLine] = field(factory=list)
    findings: list[Finding] = field(factory=list)

    def extend(self, other: RuleResult) -> None:
        self.lines.extend(other.lines)
        self.findings.extend(other.findings)


ItemList = list[tuple[int, Procedure]]
