"""Helpers every family module shares: findings with a field path, defensive field readers
(the loader checks types, but a rule must never crash on odd values), site placement and
bracket lookup."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from coding.model import Finding, LineDrug, Procedure, Severity
from coding.rules.base import DraftLine, RuleContext
from coding.sites import SITES, site_group
from coding.tables import Bracket, brackets

__all__ = [
    "path",
    "error",
    "warning",
    "info",
    "read_count",
    "read_cm",
    "place",
    "bracket_code",
    "ceil_div",
    "merged_diagnoses",
    "shared",
    "text",
    "unique",
    "fmt_cm",
    "fmt_num",
    "known_lesions",
    "anatomic_modifier",
]


def path(index: int, field: str) -> str:
    return f"procedures[{index}].{field}"


def _finding(
    sev: Severity, code: str, message: str, index: int | None, field: str | None
) -> Finding:
    return Finding(
        severity=sev,
        code=code,
        message=message,
        procedure=index,
        path=path(index, field) if index is not None and field else None,
    )


def error(code: str, message: str, index: int | None, field: str | None = None) -> Finding:
    return _finding(Severity.ERROR, code, message, index, field)


def warning(code: str, message: str, index: int | None, field: str | None = None) -> Finding:
    return _finding(Severity.WARNING, code, message, index, field)


def info(code: str, message: str, index: int | None, field: str | None = None) -> Finding:
    return _finding(Severity.INFO, code, message, index, field)


def read_count(
    proc: Procedure, index: int, field: str, label: str, default: int | None = None
) -> tuple[int | None, list[Finding]]:
    """A whole number >= 1 from `proc.<field>`; None and an error finding otherwise."""
    value = getattr(proc, field, None)
    if value is None:
        if default is not None:
            return default, []
        return None, [error("MISSING_FIELD", f"{label}: {field} is required", index, field)]
    if isinstance(value, bool) or not isinstance(value, int):
        return None, [error("BAD_FIELD", f"{label}: {field} must be a whole number, got {value!r}",
                            index, field)]
    if value < 1:
        return None, [error("BAD_FIELD", f"{label}: {field} must be at least 1, got {value}",
                            index, field)]
    return value, []


def read_cm(
    proc: Procedure, index: int, field: str, label: str, *, allow_zero: bool = False,
    value: object = None, use_value: bool = False,
) -> tuple[Decimal | None, list[Finding]]:
    """A finite Decimal size in cm (> 0, or >= 0 with allow_zero); error finding otherwise."""
    raw = value if use_value else getattr(proc, field, None)
    if raw is None:
        return None, [error("MISSING_FIELD", f"{label}: {field} is required", index, field)]
    if isinstance(raw, bool):
        return None, [error("BAD_FIELD", f"{label}: {field} must be a number of cm", index, field)]
    try:
        cm = raw if isinstance(raw, Decimal) else Decimal(str(raw))
    except (InvalidOperation, ValueError, TypeError):
        return None, [error("BAD_FIELD", f"{label}: {field} must be a number of cm, got {raw!r}",
                            index, field)]
    if not cm.is_finite() or cm < 0 or (cm == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0"
        return None, [error("BAD_FIELD", f"{label}: {field} must be {bound} cm, got {raw}",
                            index, field)]
    return cm, []


def place(
    family: str, proc: Procedure, index: int, label: str
) -> tuple[str | None, list[Finding]]:
    """The site group of the procedure's site for `family`; an error finding naming the
    procedure and the site when it is missing, unknown or not placeable."""
    site = proc.site
    if site is None or site == "":
        return None, [error("MISSING_FIELD", f"{label}: site is required to choose the code",
                            index, "site")]
    if site not in SITES:
        return None, [error("UNKNOWN_SITE", f"{label}: site {site!r} is not in the site "
                            f"vocabulary ({', '.join(SITES)})", index, "site")]
    group = site_group(family, site)
    if group is None:
        return None, [error(
            "SITE_NOT_PLACEABLE",
            f"{label}: site {site!r} cannot be placed in a {family.replace('_', ' ')} site group "
            "(the CPT groups split it); document a more specific site",
            index, "site",
        )]
    return group, []


def bracket_code(family: str, group: str, size: Decimal) -> Bracket | None:
    """The bracket whose inclusive upper bound is the first >= size. A size between tenths
    (0.55) exceeds the 0.5 bracket and takes the next one: CPT's "0.6 to 1.0 cm" reads as
    "over 0.5 up to 1.0"."""
    for b in brackets(family, group):
        if b.max_cm is None or size <= b.max_cm:
            return b
    return None


def ceil_div(amount: Decimal, step: Decimal) -> int:
    """Whole units covering `amount` in `step`s, any part counting as one."""
    return int(math.ceil(amount / step)) if amount > 0 else 0


def merged_diagnoses(procs: Iterable[Procedure], ctx: RuleContext) -> tuple[str, ...]:
    """The diagnoses a line folding several procedures supports, in first-seen order; a
    procedure without its own diagnoses contributes the principal diagnosis."""
    procs = list(procs)
    if all(not p.diagnoses for p in procs):
        return ()
    out: list[str] = []
    for p in procs:
        codes = p.diagnoses or ctx.encounter.diagnoses[:1]
        for code in codes:
            if code not in out:
                out.append(code)
    return tuple(out)


def single_line(proc: Procedure, index: int, *, code: str, units: int, family: str,
                rationale: str, modifiers: list[str] | None = None,
                drug: LineDrug | None = None, lesion: str | None = None) -> DraftLine:
    """A draft line from one documented procedure: it carries that procedure's diagnoses,
    site and laterality, so NCCI distinctness and LT/RT see what the note says."""
    return DraftLine(code=code, units=units, rationale=rationale, family=family,
                     procedure=index, procedures=(index,), modifiers=list(modifiers or []),
                     diagnoses=proc.diagnoses, drug=drug, site=text(proc.site),
                     laterality=text(proc.laterality), sites=unique([proc.site]),
                     lesions=unique([lesion or proc.lesion]), anatomic=anatomic_modifier(proc))


def folded_line(procs: Sequence[Procedure], indexes: Sequence[int], ctx: RuleContext, *,
                code: str, units: int, family: str, rationale: str,
                lesions: Sequence[str | None] | None = None) -> DraftLine:
    """A draft line that folds several documented procedures (counts summed over a session,
    repairs summed per group, add-on units): it supports all their diagnoses, lists all their
    sites, and names one site or side only when every procedure agrees."""
    return DraftLine(code=code, units=units, rationale=rationale, family=family,
                     procedure=indexes[0], procedures=tuple(indexes),
                     diagnoses=merged_diagnoses(procs, ctx),
                     site=shared(p.site for p in procs),
                     laterality=shared(p.laterality for p in procs),
                     sites=unique(p.site for p in procs),
                     lesions=known_lesions(lesions if lesions is not None
                                           else [p.lesion for p in procs]),
                     anatomic=shared(anatomic_modifier(p) for p in procs))


# HCPCS anatomic modifiers: fingers FA (left thumb), F1-F4 (left 2nd-5th), F5 (right thumb),
# F6-F9 (right 2nd-5th); toes TA, T1-T4, T5, T6-T9 likewise; eyelids E1 upper left, E2 lower
# left, E3 upper right, E4 lower right (HCPCS Level II modifiers; NCCI-associated anatomic
# modifiers per FCSO-236).
_DIGITS = {"left": ("A", "1", "2", "3", "4"), "right": ("5", "6", "7", "8", "9")}
_EYELIDS = {("left", "upper"): "E1", ("left", "lower"): "E2", ("right", "upper"): "E3",
            ("right", "lower"): "E4"}


def anatomic_modifier(proc: Procedure) -> str | None:
    """The anatomic modifier the documented digit or eyelid (with its side) names."""
    side = proc.laterality
    if not isinstance(side, str) or side not in _DIGITS:  # an odd value (sNaN) cannot be hashed
        return None
    if isinstance(proc.digit, int) and not isinstance(proc.digit, bool) \
            and 1 <= proc.digit <= 5:
        prefix = {"finger": "F", "toe": "T"}.get(proc.site or "")
        return prefix + _DIGITS[side][proc.digit - 1] if prefix else None
    if proc.site == "eyelid" and isinstance(proc.eyelid, str):
        return _EYELIDS.get((side, proc.eyelid))
    return None


def known_lesions(labels: Sequence[object]) -> tuple[str, ...]:
    """The distinct lesion labels of a folded line, or () when any procedure names none
    (then the line's lesions are not known and the sites stand in for them)."""
    if not labels or any(text(label) is None for label in labels):
        return ()
    return unique(labels)


def text(value: object) -> str | None:
    """A documented site/laterality as text, or None for anything else (odd values)."""
    return value if isinstance(value, str) and value else None


def shared(values: Iterable[object]) -> str | None:
    """The text value when every item has the same one, else None. Compares by equality
    (never hashes): odd values must not crash a rule."""
    seen: list[str | None] = []
    for value in values:
        item = text(value)
        if item not in seen:
            seen.append(item)
    return seen[0] if len(seen) == 1 else None


def unique(values: Iterable[object]) -> tuple[str, ...]:
    """The distinct text values in first-seen order (sites folded into one line)."""
    out: list[str] = []
    for value in values:
        item = text(value)
        if item is not None and item not in out:
            out.append(item)
    return tuple(out)


def fmt_num(value: Decimal) -> str:
    """1.40 -> '1.4', 20 -> '20' (doses, units), for rationale text."""
    return format(value.normalize(), "f")


def fmt_cm(value: Decimal) -> str:
    """Sizes as CPT writes them, at least one decimal: 2 -> '2.0', 1.40 -> '1.4', 0.55 -> '0.55'."""
    plain = fmt_num(value)
    return plain if "." in plain else f"{plain}.0"
