"""Corrected claims: frequency-7 replacements for denials whose fix the note documents.

For each live, not yet corrected denial of a correctable cause (missing_25, count,
bundling) on a claim the store sent, the stored encounter is coded again by the coding
engine (same rules that write new claims; the original line charges are kept as fees) and
the denied line as sent is compared with the line the documentation supports:

* `missing_25`: the engine puts 25 on the E/M only when the visit is documented as
  significant and separately identifiable -> 25 added; otherwise not corrected (the
  bundling is right).
* `bundling`: the engine adds the payer's distinct-procedure modifier (59/XS) only for an
  NCCI indicator-1 pair at documented distinct lesions/sites -> modifier added; indicator 0,
  the same site, an E/M that already carried 25, or a line already carrying the modifier ->
  not corrected (appeal, or accept).
* `count`: units follow the documented lesion/stage/dose count -> the documented units;
  when the billed units already match the count -> not corrected (appeal with records).

Corrected claims are written through the 837P side's `submit_claims` as replacements
(CLM05-3 = 7, REF*F8 = the 835's payer claim control number CLP07): validated by pyx12 and
recorded in the store in one go. Their denials are then marked `corrected_in` (ISA13), so a
second run does not send them again. Every denial not corrected is listed with its reason.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import attrs
from attrs import frozen
from sqlmodel import Session

from coding.encounter import parse_encounter
from coding.engine import code_encounter
from coding.errors import CodingError
from coding.model import ClaimLine, CodedClaim, Severity
from companion_guides import GuideError, get_guide
from edi.practice import load_practice
from reconcile.classify import is_em
from reconcile.errors import StoreError
from reconcile.store.remit_read import correction_rows, submitted_fees
from reconcile.store.remit_write import mark_corrected_in
from reconcile.store.submissions import submit_claims

CORRECTABLE = ("missing_25", "count", "bundling")
BYPASS = frozenset({"59", "XE", "XS", "XP", "XU"})


@frozen
class Fix:
    line_control_number: str | None
    code: str | None
    cause: str
    change: str


@frozen
class NotCorrected:
    claim_id: str
    line_control_number: str | None
    code: str | None
    cause: str
    reason: str


@frozen
class CorrectedClaim:
    claim_id: str
    payer_claim_number: str
    fixes: tuple[Fix, ...]


@frozen
class CorrectionResult:
    out_path: Path | None
    interchange_control_number: int | None
    corrected: tuple[CorrectedClaim, ...]
    not_corrected: tuple[NotCorrected, ...]
    recovered: tuple[str, ...] = ()  # interrupted earlier submissions settled first


@frozen
class _Denied:
    denial_id: int
    cause: str
    code: str | None
    modifiers: tuple[str, ...]
    units: int | None
    procedure: int | None
    line_control_number: str | None
    charge: Decimal | None


@frozen
class _Claim:
    submitted_id: int | None
    claim_id: str
    encounter_claim_id: str
    payer: str
    payer_claim_number: str
    encounter_json: str
    fees: dict[str, Decimal]


def correct_denials(out_path: str | Path, practice_path: str | Path, url: str | None = None,
                    causes: Sequence[str] = CORRECTABLE, now: datetime | None = None
                    ) -> CorrectionResult:
    """Write replacement claims for the correctable denials; list the others with reasons."""
    bad = [c for c in causes if c not in CORRECTABLE]
    if bad:
        raise StoreError(f"--cause {bad[0]!r}: corrected claims cover {', '.join(CORRECTABLE)}")
    practice = load_practice(practice_path)
    claims, denied = _candidates(url, causes)
    not_corrected: list[NotCorrected] = []
    replacements: list[CodedClaim] = []
    fixes_by_claim: dict[str, tuple[str, list[Fix], list[int]]] = {}
    for key, claim in claims.items():
        lines = denied[key]
        skip = _why_not(claim)
        if skip:
            not_corrected += [NotCorrected(claim.claim_id, d.line_control_number, d.code,
                                           d.cause, skip) for d in lines]
            continue
        try:
            enc = parse_encounter(json.loads(claim.encounter_json),
                                  source=f"stored encounter of claim {claim.claim_id}")
            fees = {**practice.fee_schedule, **claim.fees}
            coded = code_encounter(enc, get_guide(claim.payer), fees)
        except (CodingError, GuideError, ValueError) as exc:
            not_corrected += [NotCorrected(claim.claim_id, d.line_control_number, d.code,
                                           d.cause, f"cannot code the stored encounter: {exc}")
                              for d in lines]
            continue
        fixes: list[Fix] = []
        fixed_ids: list[int] = []
        for d in lines:
            fix, reason = _fix(d, coded)
            if fix is not None:
                fixes.append(fix)
                fixed_ids.append(d.denial_id)
            else:
                not_corrected.append(NotCorrected(claim.claim_id, d.line_control_number,
                                                  d.code, d.cause, reason))
        if fixes:
            enc7 = attrs.evolve(coded.encounter, frequency="7",
                                payer_claim_number=claim.payer_claim_number)
            replacements.append(attrs.evolve(coded, encounter=enc7))
            fixes_by_claim[coded.claim_id] = (claim.payer_claim_number, fixes, fixed_ids)
    if not replacements:
        return CorrectionResult(None, None, (), tuple(not_corrected))

    def answered(session: Session, isa13: int, written: frozenset[str]) -> None:
        # in the submission's own transaction: a crash cannot record the replacement
        # without the denials it answers (which would then be corrected again)
        ids = [i for cid, (_icn, _f, fixed) in fixes_by_claim.items() if cid in written
               for i in fixed]
        mark_corrected_in(session, ids, isa13)

    result = submit_claims(replacements, practice, out_path, url=url, now=now,
                           before_commit=answered)
    for held in result.held:
        icn, fixes, _ids = fixes_by_claim.pop(held.claim_id)
        not_corrected += [NotCorrected(held.claim_id, f.line_control_number, f.code, f.cause,
                                       "replacement held: " + "; ".join(held.reasons))
                          for f in fixes]
    corrected = [CorrectedClaim(cid, icn, tuple(fixes))
                 for cid, (icn, fixes, _ids) in sorted(fixes_by_claim.items())]
    return CorrectionResult(result.out_path, result.interchange_control_number,
                            tuple(corrected), tuple(not_corrected), result.recovered)


def _candidates(url: str | None, causes: Sequence[str]
                ) -> tuple[dict[str, _Claim], dict[str, list[_Denied]]]:
    """Live uncorrected denials of the causes, grouped by the claim they belong to."""
    claims: dict[str, _Claim] = {}
    denied: dict[str, list[_Denied]] = defaultdict(list)
    seen_lines: set[tuple[str, str | None]] = set()
    for d, rc, sc, sl in correction_rows(url, causes):
        key = f"s{sc.id}" if sc is not None else f"r{d.claim_id}"
        line_key = (key, d.line_control_number or f"#{d.id}")
        if line_key in seen_lines:  # an older remittance denying the same line again
            continue
        seen_lines.add(line_key)
        if key not in claims:  # newest remittance first: its CLP07 is the one to replace
            claims[key] = _Claim(
                sc.id if sc else None, d.claim_id, sc.encounter_claim_id if sc else "",
                sc.payer if sc else d.payer, rc.payer_claim_number,
                sc.encounter_json if sc else "", {})
        denied[key].append(_Denied(
            d.id or 0, d.cause, sl.code if sl else d.code,
            tuple(m for m in (sl.modifiers if sl else d.modifiers).split(":") if m),
            sl.units if sl else None, sl.procedure_index if sl else None,
            d.line_control_number, sl.charge if sl else None))
    fees = submitted_fees(url, [c.submitted_id for c in claims.values()
                                if c.submitted_id is not None])
    for key, c in claims.items():
        if c.submitted_id is not None:
            claims[key] = attrs.evolve(c, fees=dict(fees.get(c.submitted_id, {})))
    return claims, denied


def _why_not(claim: _Claim) -> str:
    if claim.submitted_id is None:
        return "the store never sent this claim: no encounter to correct from"
    try:
        data = json.loads(claim.encounter_json or "{}")
    except ValueError:
        data = None
    if not data:
        return "no encounter stored with the submitted claim"
    if claim.claim_id != claim.encounter_claim_id:
        return (f"claim {claim.claim_id} is one part of split encounter "
                f"{claim.encounter_claim_id}: correct the parts by hand")
    if not claim.payer_claim_number:
        return "the remittance has no payer claim control number (CLP07) for REF*F8"
    return ""


def _fix(d: _Denied, coded: CodedClaim) -> tuple[Fix | None, str]:
    """The documented fix of one denied line, or why there is none."""
    if d.code is None:
        return None, "claim-level denial: no line to correct"
    line = _recoded_line(d, coded)
    if line is None:
        notes = [f.message for f in coded.findings if f.procedure == d.procedure
                 and f.severity is not Severity.INFO] if d.procedure is not None else []
        return None, ("the documentation does not support billing " + d.code
                      + (": " + " ".join(notes) if notes else ""))
    sent = set(d.modifiers)
    if d.cause == "missing_25":
        if "25" in sent:
            return None, "already billed with 25: appeal with the note"
        if "25" in line.modifiers:
            return Fix(d.line_control_number, d.code, d.cause,
                       f"modifier 25 added to {d.code}: the note documents a significant, "
                       "separately identifiable visit"), ""
        return None, ("the note does not document a significant, separately identifiable "
                      "visit: the bundling is correct")
    if d.cause == "bundling":
        if is_em(d.code):
            return None, f"{d.code} was billed with 25 and still bundled: appeal with the note"
        if sent & BYPASS:
            return None, (f"already billed with {'/'.join(sorted(sent & BYPASS))}: appeal with "
                          "the note showing distinct lesions at distinct sites")
        added = [m for m in line.modifiers if m in BYPASS]
        if added:
            return Fix(d.line_control_number, d.code, d.cause,
                       f"modifier {added[0]} added to {d.code}: NCCI indicator-1 pair at "
                       "documented distinct lesions/sites"), ""
        return None, (f"no NCCI indicator-1 pair with documented distinct lesions lets "
                      f"{d.code} carry a distinct-procedure modifier: accept or appeal")
    if d.cause == "count":
        if d.units is not None and line.units != d.units:
            return Fix(d.line_control_number, d.code, d.cause,
                       f"{d.code} units {d.units} -> {line.units} from the documented count"), ""
        return None, (f"billed units ({d.units}) match the documented count: appeal with the "
                      "records, or split the lines if the payer's limit allows")
    return None, f"{d.cause} is not corrected by a replacement claim"


def _recoded_line(d: _Denied, coded: CodedClaim) -> ClaimLine | None:
    same = [ln for ln in coded.lines if ln.code == d.code]
    if d.procedure is not None:
        exact = [ln for ln in same if ln.procedure == d.procedure]
        if exact:
            return exact[0]
    if d.line_control_number:
        by_lcn = [ln for ln in same if ln.line_control_number == d.line_control_number]
        if by_lcn:
            return by_lcn[0]
    return same[0] if len(same) == 1 else None
