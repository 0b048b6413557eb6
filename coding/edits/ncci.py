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

Distinct means: the lines come from different documented procedures and their sites do not
overlap — the same site counts as distinct only when both lines document opposite sides.
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.edits.ncci_file import PtpEdit
from coding.model import Finding, Severity
from coding.rules.base import DraftLine

__all__ = ["apply", "distinct", "BYPASS"]

BYPASS = frozenset({"59", "XE", "XS", "XP", "XU"})
EM_BYPASS = frozenset({"25", "57"})


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    findings: list[Finding] = []
    day = ctx.encounter.date_of_service
    for col1 in list(lines):
        for col2 in list(lines):
            if col1 is col2 or col1 not in lines or col2 not in lines:
                continue
            edit = ctx.ptp.lookup(col1.code, col2.code, day)
            if edit is None or edit.indicator == "9":
                continue
            finding = _one(col1, col2, edit, lines, ctx)
            if finding is not None:
                findings.append(finding)
    return findings


def _one(col1: DraftLine, col2: DraftLine, edit: PtpEdit, lines: list[DraftLine],
         ctx: EditContext) -> Finding | None:
    pair = f"{col1.code}/{col2.code}"
    where = col2.procedure
    cite = f"[edit source: {edit.source}]"
    bypass = EM_BYPASS if col2.family == "em" else BYPASS
    if edit.indicator == "0":
        lines.remove(col2)
        return Finding(Severity.WARNING, "NCCI_BUNDLED",
                       f"{col2.code} not billed: NCCI pair {pair} has modifier indicator 0, so "
                       f"{col2.code} is included in {col1.code} and no modifier can unbundle it "
                       f"{cite}", where)
    if set(col2.modifiers) & bypass:
        return None
    if col2.family != "em" and distinct(col1, col2):
        modifier = ctx.guide.distinct_modifier
        col2.modifiers.append(modifier)
        col2.rationale += (f"; modifier {modifier}: NCCI pair {pair} (indicator 1), separate "
                           f"lesion at {_sites(col2)} vs {_sites(col1)}")
        return Finding(Severity.INFO, "NCCI_DISTINCT",
                       f"{col2.code} billed with {modifier}: NCCI pair {pair} allows a modifier "
                       f"and the lesions are at distinct sites ({_sites(col2)} vs "
                       f"{_sites(col1)}) {cite}", where)
    lines.remove(col2)
    if col2.family == "em":
        why = "the visit is not documented as separately identifiable (modifier 25)"
    else:
        why = (f"the note does not show a separate lesion at a different site "
               f"({_sites(col2)} vs {_sites(col1)})")
    return Finding(Severity.WARNING, "NCCI_NOT_DISTINCT",
                   f"{col2.code} not billed: NCCI pair {pair} (indicator 1) bundles it into "
                   f"{col1.code} and {why}. If it was a different lesion at a different site, "
                   f"document the site and laterality of each to bill it with "
                   f"{ctx.guide.distinct_modifier} {cite}", where)


def _site_set(line: DraftLine) -> set[tuple[str, str | None]]:
    sites = set(line.sites) or ({line.site} if line.site else set())
    return {(s, line.laterality) for s in sites}


def _procs(line: DraftLine) -> set[int]:
    return set(line.procedures) | ({line.procedure} if line.procedure is not None else set())


def distinct(a: DraftLine, b: DraftLine) -> bool:
    """Separate documented procedures at sites (with laterality) that do not overlap."""
    sa, sb = _site_set(a), _site_set(b)
    if not sa or not sb or not _procs(a) or not _procs(b) or _procs(a) & _procs(b):
        return False
    # the same site overlaps unless both sides are documented and differ (left vs right arm)
    return not any(s1 == s2 and (l1 is None or l2 is None or l1 == l2)
                   for s1, l1 in sa for s2, l2 in sb)


def _sites(line: DraftLine) -> str:
    found = sorted(_site_set(line), key=lambda s: (s[0], s[1] or ""))
    if not found:
        return "site not documented"
    return ", ".join(f"{lat} {site}" if lat else site for site, lat in found)
