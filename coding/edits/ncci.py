"""NCCI procedure-to-procedure edits applied to the draft lines.

For every pair of lines with an edit in force on the date of service (column 1 code,
column 2 code):

* indicator 9 — the edit does not apply;
* column 2 already carries a bypass modifier (59/XE/XS/XP/XU; 25 or 57 on an E/M) and
  indicator 1 — it passes;
* indicator 0 — no modifier may bypass: the column-2 line is dropped with a warning;
* indicator 1 and the two lines document distinct lesions at distinct sites — the payer's
  distinct-procedure modifier (guide `distinct_modifier`: XS for Medicare, 59 commercial)
  goes on the column-2 line (safe default; CMS accepts it on either code since 2019-07-01,
  derm-coding.md);
* indicator 1 but distinctness not documented (same site, or a site missing) — the column-2
  line is dropped with a warning saying what documentation would allow it.

Distinct means: the lines come from different documented procedures and treat different
lesions. When both lines name their lesions (`lesion` on the procedure; an excision and the
repair documented on it are one lesion), the names decide, whatever the sites. Otherwise the
site stands in for the lesion: the sites must not overlap — the same site counts as distinct
only when both lines document opposite sides.

Two passes, so the edit works on documented procedures, not on finished lines:

* `bundled(lines, ctx)` names the (procedure, family) pairs a column-1 procedure includes
  (indicator 0, or 1 without distinctness); the engine takes them out and codes the family
  again, so its hierarchy re-runs on what is left: the biopsy of the lesion also destroyed
  goes, and the next biopsy becomes the primary (17000 + 11102-XS, never an orphan +11103);
  a folded line (+11103 × 2, a summed repair) loses only the procedures at column 1's
  lesion. Indicator 0 takes every procedure of the column-2 line.
* `apply(lines, ctx)` then decides the pairs that remain: the distinct modifier, or the
  column-2 line dropped where no procedure can be taken out (E/M, a line from the same
  procedure as column 1).

Both index the lines by code and look up only the column-2 codes the table pairs with each
line's code, so the cost grows with the lines and their edits, not with the square of the
lines (identity, never value equality, tells lines apart).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import attrs

from coding.edits.context import EditContext
from coding.edits.ncci_file import PtpEdit
from coding.model import DISTINCT_MODIFIERS, Finding, Severity
from coding.rules.base import DraftLine
from coding.rules.common import anatomic_modifier

__all__ = ["apply", "bundled", "distinct", "BYPASS"]

BYPASS = DISTINCT_MODIFIERS
EM_BYPASS = frozenset({"25", "57"})
EM_FAMILIES = frozenset({"em", "em_preventive"})


def pairs(lines: list[DraftLine], ctx: EditContext) -> Iterator[tuple[DraftLine, DraftLine,
                                                                      PtpEdit]]:
    """(column 1 line, column 2 line, edit) for every pair in force, in line order."""
    by_code: dict[str, list[DraftLine]] = defaultdict(list)
    for line in lines:
        by_code[line.code].append(line)
    position = {code: n for n, code in enumerate(by_code)}
    day = ctx.encounter.date_of_service
    for col1 in lines:
        paired = ctx.ptp.column2_codes(col1.code)
        if not paired:
            continue
        present = (paired & position.keys() if len(paired) < len(position)
                   else position.keys() & paired)
        for code2 in sorted(present, key=position.__getitem__):
            edit = ctx.ptp.lookup(col1.code, code2, day)
            if edit is None or edit.indicator == "9":
                continue
            for col2 in by_code[code2]:
                if col2 is not col1:
                    yield col1, col2, edit


def bundled(lines: list[DraftLine], ctx: EditContext) -> dict[tuple[int, str], Finding]:
    """(procedure index, line family) → finding, for the procedures a column-1 procedure
    includes: the engine codes their family again without them."""
    out: dict[tuple[int, str], Finding] = {}
    gone: set[int] = set()
    for col1, col2, edit in pairs(lines, ctx):
        if id(col1) in gone or id(col2) in gone or col2.family in EM_FAMILIES:
            continue
        if edit.indicator == "1" and set(col2.modifiers) & BYPASS:
            continue
        own = [i for i in col2.procedures if i not in _procs(col1)]
        if not own or (edit.indicator == "1" and (distinct(col1, col2)
                                                  or _mohs_diagnostic(col1, col2, ctx))):
            continue
        take = own if edit.indicator == "0" else [
            i for i in own if not distinct(col1, _one_procedure(col2, i, ctx))]
        for i in take:
            out.setdefault((i, col2.family), _bundled_finding(col1, col2, i, edit, ctx))
        if len(take) == len(col2.procedures):
            gone.add(id(col2))
    return out


def _one_procedure(line: DraftLine, index: int, ctx: EditContext) -> DraftLine:
    """The part of a folded line that one documented procedure contributes."""
    proc = ctx.encounter.procedures[index]
    site = proc.site if isinstance(proc.site, str) else None
    lesion = proc.lesion or (f"#{index}" if proc.type == "excision" else None)
    return attrs.evolve(line, procedure=index, procedures=(index,), site=site,
                        sites=(site,) if site else (), laterality=proc.laterality,
                        lesions=(lesion,) if lesion else (), modifiers=[],
                        anatomic=anatomic_modifier(proc))


def _bundled_finding(col1: DraftLine, col2: DraftLine, index: int, edit: PtpEdit,
                     ctx: EditContext) -> Finding:
    pair = f"{col1.code}/{col2.code}"
    cite = f"[edit source: {edit.source}]"
    if edit.indicator == "0":
        return Finding(Severity.WARNING, "NCCI_BUNDLED",
                       f"{col2.code} for procedure {index} not billed: NCCI pair {pair} has "
                       f"modifier indicator 0, so it is included in {col1.code} and no modifier "
                       f"can unbundle it; the {col2.family} codes are chosen without it {cite}",
                       index)
    return Finding(Severity.WARNING, "NCCI_NOT_DISTINCT",
                   f"{col2.code} for procedure {index} not billed: NCCI pair {pair} (indicator "
                   f"1) includes it in {col1.code} — the same lesion ({_sites(col1)}); the "
                   f"{col2.family} codes are chosen without it. If it was a different lesion, "
                   f"document the site and laterality (or the lesion) of each to bill it with "
                   f"{ctx.guide.distinct_modifier} {cite}", index)


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    findings: list[Finding] = []
    dropped: set[int] = set()
    for col1, col2, edit in list(pairs(lines, ctx)):
        if id(col1) in dropped or id(col2) in dropped:
            continue
        finding, drop = _one(col1, col2, edit, ctx)
        if drop:
            dropped.add(id(col2))
        if finding is not None:
            findings.append(finding)
    if dropped:
        lines[:] = [line for line in lines if id(line) not in dropped]
    return findings


def _one(col1: DraftLine, col2: DraftLine, edit: PtpEdit,
         ctx: EditContext) -> tuple[Finding | None, bool]:
    pair = f"{col1.code}/{col2.code}"
    where = col2.procedure
    cite = f"[edit source: {edit.source}]"
    bypass = EM_BYPASS if col2.family in EM_FAMILIES else BYPASS
    if edit.indicator == "0":
        return Finding(Severity.WARNING, "NCCI_BUNDLED",
                       f"{col2.code} not billed: NCCI pair {pair} has modifier indicator 0, so "
                       f"{col2.code} is included in {col1.code} and no modifier can unbundle it "
                       f"{cite}", where), True
    if set(col2.modifiers) & bypass:
        return None, False
    if _mohs_diagnostic(col1, col2, ctx):
        col2.modifiers.append("59")
        col2.rationale += ("; modifier 59: diagnostic biopsy/frozen section on the Mohs day "
                           "with no prior pathology of the lesion (LCD billing article A56515)")
        return Finding(Severity.INFO, "MOHS_DIAGNOSTIC_59",
                       f"{col2.code} billed with 59 beside {col1.code}: no prior pathology "
                       "was available, so the same-day diagnostic biopsy and frozen section "
                       f"are separately reportable (LCD billing article A56515) {cite}",
                       where), False
    if col2.family not in EM_FAMILIES and distinct(col1, col2):
        modifier = ctx.guide.distinct_modifier
        col2.modifiers.append(modifier)
        col2.rationale += (f"; modifier {modifier}: NCCI pair {pair} (indicator 1), separate "
                           f"lesion at {_sites(col2)} vs {_sites(col1)}")
        return Finding(Severity.INFO, "NCCI_DISTINCT",
                       f"{col2.code} billed with {modifier}: NCCI pair {pair} allows a modifier "
                       f"and the lesions are distinct ({_sites(col2)} vs "
                       f"{_sites(col1)}) {cite}", where), False
    if col2.family in EM_FAMILIES:
        why = "the visit is not documented as separately identifiable (modifier 25)"
    else:
        why = (f"the note does not show a separate lesion at a different site "
               f"({_sites(col2)} vs {_sites(col1)})")
    return Finding(Severity.WARNING, "NCCI_NOT_DISTINCT",
                   f"{col2.code} not billed: NCCI pair {pair} (indicator 1) bundles it into "
                   f"{col1.code} and {why}. If it was a different lesion at a different site, "
                   f"document the site and laterality of each to bill it with "
                   f"{ctx.guide.distinct_modifier} {cite}", where), True


def _mohs_diagnostic(col1: DraftLine, col2: DraftLine, ctx: EditContext) -> bool:
    """A biopsy or pathology line beside Mohs whose procedures all document that no prior
    pathology of the lesion exists (LCD billing article A56515: then the diagnostic biopsy
    and frozen section go with 59; with prior pathology they are part of the Mohs)."""
    if col1.family != "mohs" or col2.family not in ("biopsy", "pathology"):
        return False
    procs = [ctx.encounter.procedures[i] for i in col2.procedures
             if 0 <= i < len(ctx.encounter.procedures)]
    return bool(procs) and all(p.prior_pathology is False for p in procs)


def _site_set(line: DraftLine) -> set[tuple[str, str | None]]:
    sites = set(line.sites) or ({line.site} if line.site else set())
    return {(s, line.laterality) for s in sites}


def _procs(line: DraftLine) -> set[int]:
    return set(line.procedures) | ({line.procedure} if line.procedure is not None else set())


def _lesions_distinct(a: DraftLine, b: DraftLine) -> bool | None:
    """True/False when both lines name their lesions in the same way (both documented
    labels, or both "#<index>" excision identities); None when the lesions cannot decide."""
    if not a.lesions or not b.lesions:
        return None
    implicit = {label.startswith("#") for label in a.lesions + b.lesions}
    if len(implicit) > 1:
        return None
    return not set(a.lesions) & set(b.lesions)


def distinct(a: DraftLine, b: DraftLine) -> bool:
    """Separate documented procedures treating different lesions: by their lesion labels
    when both lines have them, else by sites (with laterality) that do not overlap."""
    if not _procs(a) or not _procs(b) or _procs(a) & _procs(b):
        return False
    by_lesion = _lesions_distinct(a, b)
    if by_lesion is not None:
        return by_lesion
    if a.anatomic and b.anatomic:  # two digits or eyelids told apart by F/T/E modifiers
        return a.anatomic != b.anatomic
    sa, sb = _site_set(a), _site_set(b)
    if not sa or not sb:
        return False
    # the same site overlaps unless both sides are documented and differ (left vs right arm)
    return not any(s1 == s2 and (l1 is None or l2 is None or l1 == l2)
                   for s1, l1 in sa for s2, l2 in sb)


def _sites(line: DraftLine) -> str:
    found = sorted(_site_set(line), key=lambda s: (s[0], s[1] or ""))
    if not found:
        return "site not documented"
    return ", ".join(f"{lat} {site}" if lat else site for site, lat in found)
