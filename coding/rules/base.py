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


@define
class DraftLine:
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


@frozen
class RuleContext:
    encounter: Encounter
    guide_name: str
    distinct_modifier: str  # 59 or XS, from the payer's guide
    jw_jz_required: bool
    abn_modifier: str | None
    laterality_required: bool


@define
class RuleResult:
    lines: list[DraftLine] = field(factory=list)
    findings: list[Finding] = field(factory=list)

    def extend(self, other: RuleResult) -> None:
        self.lines.extend(other.lines)
        self.findings.extend(other.findings)


ItemList = list[tuple[int, Procedure]]
