"""What a correction changes, line by line: the line as sent (with its denial, or a paid
line of the same claim) against the line the documentation supports when the coding engine
codes the encounter again. `line_fix` is the fix of one denied line by its cause, or why
there is none; `paid_line_changes` the processed lines an amended encounter changes too.
Read by `reconcile.corrections.correct` (planning and sending) and
`reconcile.corrections.reopening` (requests).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from attrs import frozen

from coding.model import DISTINCT_MODIFIERS as BYPASS
from coding.model import ClaimLine, CodedClaim, Severity
from coding.validation import dotted
from reconcile.denials.classify import is_em


@frozen
class Fix:
    line_control_number: str | None
    code: str | None
    cause: str
    change: str


@frozen
class DeniedLine:
    denial_id: int
    cause: str
    code: str | None
    modifiers: tuple[str, ...]
    units: int | None
    procedure: int | None
    line_control_number: str | None
    charge: Decimal | None
    ndc: str | None
    pointers: tuple[int, ...]
    unprocessable: bool
    evidence: str
    payment_date: date | None


@frozen
class SentClaim:
    submitted_id: int | None
    claim_id: str
    encounter_claim_id: str
    payer: str
    payer_claim_number: str
    encounter_json: str
    fees: dict[str, Decimal]
    lines: tuple[DeniedLine, ...] = ()  # every line as sent (denial_id 0), for paid-line changes
    decided: date | None = None  # the remittance's date: the initial determination


@frozen
class Planned:
    """One claim's corrections, by the route they go."""
    claim: SentClaim
    coded: CodedClaim  # as the documentation now supports it
    sent: CodedClaim | None  # as the stored encounter codes (the diagnoses sent)
    route: str
    fixes: tuple[tuple[Fix, DeniedLine], ...]


def line_fix(d: DeniedLine, coded: CodedClaim, sent: CodedClaim, *, amended: bool, ndc: bool = True
         ) -> tuple[Fix | None, str]:
    """The documented fix of one denied line, or why there is none."""
    if d.code is None:
        return None, "claim-level denial: no line to correct"
    line = recoded_line(d, coded)
    if line is None:
        notes = [f.message for f in coded.findings if f.procedure == d.procedure
                 and f.severity is not Severity.INFO] if d.procedure is not None else []
        return None, ("the documentation does not support billing " + d.code
                      + (": " + " ".join(notes) if notes else ""))
    changes = _changes(d, line, coded, sent, ndc)
    fix = (Fix(d.line_control_number, d.code, d.cause, "; ".join(changes)) if changes
           else None)
    hint = "" if amended else " (pass the amended documentation to correct)"
    if d.unprocessable:  # never adjudicated: no appeal rights (reconcile.denials.actions)
        return fix, "" if fix is not None else (
            f"returned unprocessable (CO-16 with MA130: no appeal rights) and the "
            f"documentation supports {d.code} as it was sent: correct what the remark codes "
            f"name{hint}, then it goes again as a new claim")
    if d.cause == "missing_25":
        if "25" in d.modifiers:
            return None, "already billed with 25: appeal with the note"
        if "25" in line.modifiers:
            return Fix(d.line_control_number, d.code, d.cause,
                       f"modifier 25 added to {d.code}: the note documents a significant, "
                       "separately identifiable visit"), ""
        return None, ("the note does not document a significant, separately identifiable "
                      "visit: the bundling is correct")
    if d.cause == "bundling":
        added = [m for m in line.modifiers if m in BYPASS and m not in d.modifiers]
        if added and not is_em(d.code):
            return Fix(d.line_control_number, d.code, d.cause,
                       f"modifier {added[0]} added to {d.code}: NCCI indicator-1 pair at "
                       "documented distinct lesions/sites"), ""
        if fix is not None:
            return fix, ""
        if is_em(d.code):
            return None, f"{d.code} was billed with 25 and still bundled: appeal with the note"
        if set(d.modifiers) & BYPASS:
            return None, (f"already billed with {'/'.join(sorted(set(d.modifiers) & BYPASS))}"
                          ": appeal with the note showing distinct lesions at distinct sites")
        return None, (f"no NCCI indicator-1 pair with documented distinct lesions lets "
                      f"{d.code} carry a distinct-procedure modifier: accept or appeal")
    if d.cause == "count":
        if d.units is not None and line.units != d.units:
            return Fix(d.line_control_number, d.code, d.cause,
                       f"{d.code} units {d.units} -> {line.units} from the documented count"), ""
        if fix is not None:
            return fix, ""
        return None, (f"billed units ({d.units}) match the documented count: appeal with the "
                      "records, or split the lines if the payer's limit allows")
    if fix is not None:
        return fix, ""
    return None, (f"the documentation supports {d.code} as it was sent: appeal with the "
                  f"records{hint}")


def _changes(d: DeniedLine, line: ClaimLine, coded: CodedClaim, sent: CodedClaim,
             ndc_sent: bool = True) -> list[str]:
    """What the line the documentation supports changes against the line as sent."""
    out = []
    if line.code != d.code:
        out.append(f"code {d.code} -> {line.code}")
    before, after = [m for m in d.modifiers], list(line.modifiers)
    if before != after:
        out.append(f"{line.code} modifiers {':'.join(before) or 'none'} -> "
                   f"{':'.join(after) or 'none'}")
    if d.units is not None and line.units != d.units:
        out.append(f"{line.code} units {d.units} -> {line.units}")
    ndc = line.drug.ndc if line.drug else None
    if ndc_sent and (d.ndc or None) != ndc:
        out.append(f"{line.code} NDC {d.ndc or 'none'} -> {ndc or 'none'}")
    was = [sent.diagnoses[i - 1] for i in d.pointers if 0 < i <= len(sent.diagnoses)]
    now = [coded.diagnoses[i - 1] for i in line.diagnosis_pointers
           if 0 < i <= len(coded.diagnoses)]
    if d.pointers and was != now:
        out.append(f"{line.code} diagnosis {', '.join(map(dotted, was)) or 'none'} -> "
                   f"{', '.join(map(dotted, now)) or 'none'}")
    return out


def paid_line_changes(claim: SentClaim, denied: list[DeniedLine], coded: CodedClaim,
                        sent: CodedClaim, ndc: bool) -> list[tuple[Fix, DeniedLine]]:
    """Lines the payer processed (not among the denials corrected now) that the
    documentation no longer supports as sent: part of the same correction (a replacement
    carries them anyway; a reopening must ask for them, e.g. a paid waste line to reduce)."""
    taken = {d.line_control_number for d in denied}
    out = []
    for ln in claim.lines:
        if ln.line_control_number in taken or ln.code is None:
            continue
        line = recoded_line(ln, coded)
        if line is None:
            change = (f"{ln.code}{'-' + ':'.join(ln.modifiers) if ln.modifiers else ''} "
                      "not supported by the documentation: remove the line (refund what it paid)")
        else:
            change = "; ".join(_changes(ln, line, coded, sent, ndc))
        if change:
            out.append((Fix(ln.line_control_number, ln.code, "paid", change), ln))
    return out


def recoded_line(d: DeniedLine, coded: CodedClaim) -> ClaimLine | None:
    same = [ln for ln in coded.lines if ln.code == d.code]
    if d.procedure is not None:
        exact = [ln for ln in same if ln.procedure == d.procedure]
        # a drug and its discarded amount (JW) are two lines of one procedure
        exact = [ln for ln in exact if ("JW" in ln.modifiers) == ("JW" in d.modifiers)]
        if exact:
            return exact[0]
        if "JW" in d.modifiers:
            return None
    if d.line_control_number:
        by_lcn = [ln for ln in same if ln.line_control_number == d.line_control_number]
        if by_lcn:
            return by_lcn[0]
    return same[0] if len(same) == 1 else None
