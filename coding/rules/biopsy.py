"""Skin biopsy 11102-11107: one primary code per encounter, every other lesion an add-on.

CPT 2019+ (AAD "Biopsy coding in 2019, part 3"; AAPC "Sharpen your multiple skin biopsy
coding skills"): the primary is incisional 11106 if any, else punch 11104, else tangential
11102; every other lesion, whatever its technique, takes its own technique's add-on
(+11107, +11105, +11103), one unit per lesion. 1 punch + 1 tangential = 11104 + 11103.

Site-specific biopsies are not skin biopsies and stay out of that hierarchy: one line per
lesion, each its own code (CPT parentheticals after 11102–11107; AAD "Location codes" and
"Biopsy coding in 2019, part 2"): lip vermilion 40490 (skin of the lip is 1110x — AAD
DermWorld 2013-05 "Lip biopsies and repairs"), external ear (auricle, helix, lobe) 69100 — the
default for any biopsy at site `ear` (AAPC "Site-specific biopsy codes") —, eyelid skin
including the lid margin 67810, nail unit (plate, bed, matrix, folds) 11755. Documented as
`special_site` (SPECIAL_SITES), checked against `site`.
"""

from __future__ import annotations

from typing import NamedTuple

from coding.model import Procedure
from coding.rules.base import DraftLine, ItemList, RuleContext, RuleResult
from coding.rules.common import (
    error,
    folded_line,
    read_count,
    single_line,
    text,
)

__all__ = ["TECHNIQUES", "code"]


class Technique(NamedTuple):  # a record, cheap to define (see coding/tables.py)
    name: str
    rank: int  # lower wins the primary
    primary: str
    addon: str


TECHNIQUES: dict[str, Technique] = {
    t.name: t
    for t in (
        Technique("incisional", 0, "11106", "11107"),
        Technique("punch", 1, "11104", "11105"),
        Technique("tangential", 2, "11102", "11103"),
    )
}

Lesions = tuple[int, Procedure, Technique, int]  # procedure index, procedure, technique, count

# special site -> (code, documented sites it fits, what it is)
SPECIAL_SITES: dict[str, tuple[str, frozenset[str], str]] = {
    "lip_vermilion": ("40490", frozenset({"lip", "mouth"}), "biopsy of lip (vermilion)"),
    "external_ear": ("69100", frozenset({"ear"}), "biopsy of external ear"),
    "eyelid_margin": ("67810", frozenset({"eyelid"}), "biopsy of eyelid including lid margin"),
    "nail_unit": ("11755", frozenset({"finger", "toe", "hand", "foot"}),
                  "biopsy of nail unit"),
}


def _special(items: ItemList, result: RuleResult) -> ItemList:
    """Code the site-specific biopsies; return the skin biopsies left for 11102–11107."""
    skin: ItemList = []
    for index, proc in items:
        special = proc.special_site or ("external_ear" if proc.site == "ear" else None)
        if special is None:
            skin.append((index, proc))
            continue
        label = f"biopsy (procedure {index})"
        entry = SPECIAL_SITES.get(special) if isinstance(special, str) else None
        if entry is None:
            result.findings.append(error("BAD_FIELD", f"{label}: special_site {special!r} is "
                                         f"not one of {', '.join(SPECIAL_SITES)}", index,
                                         "special_site"))
            continue
        cpt, sites, what = entry
        if proc.site is not None and proc.site not in sites:
            result.findings.append(error(
                "SITE_MISMATCH", f"{label}: special_site {special} ({cpt}) does not fit site "
                f"{proc.site!r} (expected {', '.join(sorted(sites))})", index, "special_site"))
            continue
        count, problems = read_count(proc, index, "count", label, default=1)
        result.findings.extend(problems)
        if count is None:
            continue
        result.lines.append(single_line(
            proc, index, code=cpt, units=count, family="biopsy_site",
            rationale=(f"{what.capitalize()} → {cpt} × {count}: a site-specific biopsy code, "
                       "not a skin biopsy 11102–11107 (CPT parentheticals)")))
    return skin


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    items = _special(items, result)
    lesions: list[Lesions] = []
    for index, proc in items:
        label = f"biopsy (procedure {index})"
        tech = TECHNIQUES.get(proc.technique) if isinstance(proc.technique, str) else None
        if tech is None:
            result.findings.append(error(
                "BAD_FIELD",
                f"{label}: technique {proc.technique!r} is not one of {', '.join(TECHNIQUES)}",
                index, "technique",
            ))
            continue
        # one procedure documents one lesion; an explicit count documents several alike
        count, problems = read_count(proc, index, "count", label, default=1)
        result.findings.extend(problems)
        if count is None:
            continue
        lesions.append((index, proc, tech, count))
    if not lesions:
        return result
    # stable: among equal techniques the first documented lesion is the primary
    ordered = sorted(lesions, key=lambda item: item[2].rank)
    p_index, p_proc, p_tech, p_count = ordered[0]
    others = ([(p_index, p_proc, p_tech, p_count - 1)] if p_count > 1 else []) + ordered[1:]
    summary = _summary(lesions)
    result.lines.append(single_line(
        p_proc, p_index, code=p_tech.primary, units=1, family="biopsy",
        rationale=(
            f"{summary}: one primary biopsy code per encounter, chosen incisional > punch > "
            f"tangential → {p_tech.name} {p_tech.primary} for the first {p_tech.name} lesion"
        ),
    ))
    # a payer that wants LT/RT gets one add-on line per side (a line carries one side)
    sides = sorted({_side(p, ctx) for _, p, _, _ in others})
    for tech in sorted(TECHNIQUES.values(), key=lambda t: t.rank):
        for side in sides:
            group = [(i, p, n) for i, p, t, n in others if t is tech and _side(p, ctx) == side]
            if group:
                result.lines.append(_addon_line(tech, group, summary, ctx))
    return result


def _side(proc: Procedure, ctx: RuleContext) -> str:
    return (text(proc.laterality) or "") if ctx.laterality_required else ""


def _addon_line(
    tech: Technique, group: list[tuple[int, Procedure, int]], summary: str, ctx: RuleContext
) -> DraftLine:
    procs = [p for _, p, _ in group]
    indexes = tuple(dict.fromkeys(i for i, _, _ in group))
    units = sum(n for _, _, n in group)
    return folded_line(
        procs, indexes, ctx, code=tech.addon, units=units, family="biopsy",
        rationale=(
            f"{summary}: each further {tech.name} lesion takes the {tech.name} add-on "
            f"+{tech.addon} → {units} unit(s)"
        ),
    )


def _summary(lesions: list[Lesions]) -> str:
    counts = {name: 0 for name in TECHNIQUES}
    for _, _, tech, n in lesions:
        counts[tech.name] += n
    parts = [f"{n} {name}" for name, n in counts.items() if n]
    return "Biopsies this encounter: " + ", ".join(parts)
