"""Corrections: each fixable denial corrected the way its payer takes a correction.

For each open denial of a correctable cause on a claim the store sent, the encounter is
coded again by the coding engine (the same rules that write new claims; the line charges
as sent are kept as fees): the encounter as stored, or the amended documentation the user
passes (encounter files: an addendum signed by the provider, the NDC read off the vial, the
corrected site). The denied line as sent is compared with the line the documentation
supports; what differs (modifiers, units, code, NDC, diagnosis) is the correction:

* `missing_25`: 25 is put on the E/M only when the visit is documented as significant and
  separately identifiable; otherwise the bundling is right and nothing is corrected.
* `bundling`: the distinct-procedure modifier (59/XS) only for an NCCI indicator-1 pair at
  documented distinct lesions/sites; indicator 0, the same site, an E/M that already carried
  25 or a line already carrying the modifier -> not corrected (appeal, or accept).
* `count`: the documented lesion/stage/dose count; billed units that match it -> appeal.
* `modifier`, `missing_information`, `medical_necessity`: corrected only when the
  documentation supports a different line (e.g. the amended site drops RT, the vial's NDC,
  the diagnosis the pathology report confirms); otherwise appeal with the records.

The payer's companion guide says how it takes the correction (`correction_route`,
companion_guides/routes.py):

* `replacement` (commercial): a frequency-7 claim with REF*F8 = the 835's payer claim
  control number (CLP07), through `submit_claims` (pyx12-validated, recorded, never sent
  twice: the same replacement is held as already sent).
* `reopening` (Medicare Part B): a processed claim is not replaced. A line returned as
  unprocessable (CO-16 with MA130: no appeal rights, CMS Pub. 100-04 ch. 1 §80.3.2) goes out
  again on a new original claim holding only the returned lines (the processed lines would
  be duplicates, CARC 18); the rest of the fixes go in a reopening request for clerical
  errors (CMS Pub. 100-04 ch. 34 §10.4; 42 CFR 405.980(b)(1): within one year of the
  initial determination): claim, line, what changes and why, one document per claim.

Every corrected denial moves to `corrected` with a history row naming the interchange or
the request, in the same transaction as the record of the submission (a crash cannot
record one without the other), so a second run corrects nothing twice. Every denial not
corrected is listed with its reason.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import attrs
from attrs import frozen
from sqlmodel import Session

from coding.encounter import load_encounters, parse_encounter
from coding.engine import code_encounter
from coding.errors import CodingError
from coding.model import CodedClaim, Encounter, Severity
from companion_guides import GuideError, get_guide
from edi.practice import Practice, load_practice
from reconcile.corrections.lines import (
    DeniedLine,
    Fix,
    Planned,
    SentClaim,
    line_fix,
    paid_line_changes,
    recoded_line,
)
from reconcile.corrections.reopening import ACTOR, write_requests
from reconcile.denials.actions import unprocessable_evidence
from reconcile.denials.lifecycle import record_moves, refused_moves
from reconcile.errors import StoreError
from reconcile.store.models import SubmittedClaim
from reconcile.store.remit_read import correction_rows, submitted_lines
from reconcile.store.remit_write import mark_corrected_in
from reconcile.store.sent import release_rows
from reconcile.store.submissions import SubmitResult, submit_claims

CORRECTABLE = ("missing_25", "count", "bundling", "modifier", "missing_information",
               "medical_necessity")


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
    route: str = "replacement"  # "replacement", "new_original" or "reopening"
    document: Path | None = None  # the reopening request written


@frozen
class CorrectionResult:
    out_path: Path | None
    interchange_control_number: int | None
    corrected: tuple[CorrectedClaim, ...]
    not_corrected: tuple[NotCorrected, ...]
    recovered: tuple[str, ...] = ()  # interrupted earlier submissions settled first
    requests: tuple[Path, ...] = ()  # reopening requests written

    def as_json(self) -> dict[str, object]:
        return {
            "out_path": str(self.out_path) if self.out_path else None,
            "interchange_control_number": self.interchange_control_number,
            "corrected": [{"claim_id": c.claim_id, "payer_claim_number": c.payer_claim_number,
                           "route": c.route,
                           "document": str(c.document) if c.document else None,
                           "fixes": [attrs.asdict(f) for f in c.fixes]}
                          for c in self.corrected],
            "not_corrected": [attrs.asdict(n) for n in self.not_corrected],
            "recovered": list(self.recovered),
        }


def correct_denials(out_path: str | Path, practice_path: str | Path, url: str | None = None,
                    causes: Sequence[str] = CORRECTABLE, now: datetime | None = None,
                    encounters: Sequence[str | Path] = (),
                    requests_dir: str | Path | None = None,
                    stream: BinaryIO | None = None) -> CorrectionResult:
    """Correct the fixable denials by their payer's route; list the others with reasons.
    `encounters`: files with amended documentation (by claim id) to correct from; `stream`:
    write the 837P there (standard output) instead of `out_path` (see `submit_claims`)."""
    bad = [c for c in causes if c not in CORRECTABLE]
    if bad:
        raise StoreError(f"--cause {bad[0]!r}: corrections cover {', '.join(CORRECTABLE)}")
    practice = load_practice(practice_path)
    amended = _amended(encounters)
    when = now or datetime.now(UTC)
    claims, denied = _candidates(url, causes)
    unknown = sorted(set(amended) - {c.encounter_claim_id for c in claims.values()}
                     - {c.claim_id for c in claims.values()})
    not_corrected: list[NotCorrected] = [
        NotCorrected(cid, None, None, "-", "amended encounter given, but the claim has no open "
                     "correctable denial") for cid in unknown]
    plans: list[Planned] = []
    for key, claim in claims.items():
        planned, skipped = _plan(claim, denied[key], practice, amended)
        not_corrected += skipped
        plans += planned
    out_dir = Path(requests_dir) if requests_dir is not None else Path(out_path).parent
    to_send = [p for p in plans if p.route != "reopening"]
    corrected: list[CorrectedClaim] = []
    result = None
    if to_send:
        result, sent_plans, held = _send(to_send, practice, out_path, url, when, stream)
        corrected += [_corrected(p) for p in sent_plans]
        for p, reasons in held:
            not_corrected += [NotCorrected(p.claim.claim_id, f.line_control_number, f.code,
                                           f.cause, "correction held: " + "; ".join(reasons))
                              for f, _d in p.fixes]
    requests = [p for p in plans if p.route == "reopening"]
    written, refused = (write_requests(requests, practice, out_dir, url, when) if requests
                        else ([], []))
    not_corrected += [NotCorrected(p.claim.claim_id, f.line_control_number, f.code, f.cause, why)
                      for p, why in refused for f, _d in p.fixes]
    corrected += [attrs.evolve(_corrected(p), document=path) for p, path in written]
    corrected.sort(key=lambda c: (c.claim_id, c.route))
    return CorrectionResult(
        result.out_path if result else None,
        result.interchange_control_number if result else None,
        tuple(corrected), tuple(not_corrected), result.recovered if result else (),
        tuple(path for _p, path in written))


# --------------------------------------------------------------------------- planning


def _amended(paths: Sequence[str | Path]) -> dict[str, Encounter]:
    """Amended encounters by claim id; a claim id given twice is refused (which one?)."""
    out: dict[str, Encounter] = {}
    for path in paths:
        for enc in load_encounters(path):
            if enc.claim_id in out:
                raise StoreError(f"{path}: claim {enc.claim_id} is amended twice; give one "
                                 "encounter per claim")
            out[enc.claim_id] = enc
    return out


def _plan(claim: SentClaim, lines: list[DeniedLine], practice: Practice,
          amended: dict[str, Encounter]) -> tuple[list[Planned], list[NotCorrected]]:
    """The claim's corrections by route (at most a new original and a reopening request
    for a reopening payer, one replacement otherwise), and the denials not corrected."""
    def refuse(reason: str, ds: Iterable[DeniedLine] = lines) -> list[NotCorrected]:
        return [NotCorrected(claim.claim_id, d.line_control_number, d.code, d.cause, reason)
                for d in ds]

    skip = _why_not(claim)
    if skip:
        return [], refuse(skip)
    try:
        stored = parse_encounter(json.loads(claim.encounter_json),
                                 source=f"stored encounter of claim {claim.claim_id}")
        guide = get_guide(claim.payer)
        fees = {**practice.fee_schedule, **claim.fees}
        sent = code_encounter(stored, guide, fees)
        new = amended.get(claim.encounter_claim_id)
        if new is not None and new.payer != stored.payer:
            return [], refuse(f"the amended encounter names payer {new.payer}, the claim went "
                              f"to {stored.payer}: a new payer takes a new claim")
        coded = code_encounter(new, guide, fees) if new is not None else sent
    except (CodingError, GuideError, ValueError) as exc:
        return [], refuse(f"cannot code the encounter: {exc}")
    if coded.has_errors:
        errors = [f.message for f in coded.findings if f.severity is Severity.ERROR]
        return [], refuse("the documentation has errors: " + " ".join(errors))
    fixes: list[tuple[Fix, DeniedLine]] = []
    skipped: list[NotCorrected] = []
    ndc = guide.ndc_required != "never"  # an NDC the payer is never sent is no correction
    for d in lines:
        fix, reason = line_fix(d, coded, sent, amended=new is not None, ndc=ndc)
        if fix is not None:
            fixes.append((fix, d))
        else:
            skipped += refuse(reason, [d])
    if not fixes:
        return [], skipped
    fixes += paid_line_changes(claim, lines, coded, sent, guide.ndc_required != "never")
    # a line returned unprocessable goes again on a new original whatever the payer's route
    # (reconcile.denials.actions); the rest by the route
    returned = tuple((f, d) for f, d in fixes if d.unprocessable)
    kept = tuple((f, d) for f, d in fixes if not d.unprocessable)
    route = "reopening" if guide.correction_route == "reopening" else "replacement"
    if not returned:
        return [Planned(claim, coded, sent, route, tuple(fixes))], skipped
    plans = [Planned(claim, coded, sent, "new_original", returned)]
    if any(d.denial_id for _f, d in kept) or (kept and route == "reopening"):
        plans.append(Planned(claim, coded, sent, route, kept))
    return plans, skipped


def _corrected(p: Planned) -> CorrectedClaim:
    return CorrectedClaim(p.claim.claim_id, p.claim.payer_claim_number,
                          tuple(f for f, _d in p.fixes), p.route)


# --------------------------------------------------------------------------- sending


def _claim_to_send(p: Planned) -> CodedClaim:
    enc = p.coded.encounter
    if p.route == "replacement":
        enc7 = attrs.evolve(enc, frequency="7", payer_claim_number=p.claim.payer_claim_number)
        return attrs.evolve(p.coded, encounter=enc7)
    # a new original with only the lines returned unprocessable: the processed ones would
    # be duplicates (CARC 18)
    wanted = [recoded_line(d, p.coded) for _f, d in p.fixes]
    lines = [ln for ln in p.coded.lines if any(ln is w for w in wanted)]
    lines = [attrs.evolve(ln, line=i) for i, ln in enumerate(lines, 1)]
    enc1 = attrs.evolve(enc, frequency="1", payer_claim_number=None)
    return attrs.evolve(p.coded, encounter=enc1, lines=tuple(lines))


def _send(plans: list[Planned], practice: Practice, out_path: str | Path, url: str | None,
          when: datetime, stream: BinaryIO | None = None
          ) -> tuple[SubmitResult, list[Planned], list[tuple[Planned, tuple[str, ...]]]]:
    by_id = {p.claim.claim_id: p for p in plans}
    outgoing = [_claim_to_send(p) for p in plans]
    saved: dict[str, list[tuple[int, object, object, object]]] = {}

    def release(session: Session) -> None:
        # a line returned unprocessable was never adjudicated: its new original is not a
        # duplicate of the original (whose other lines were processed)
        for p in plans:
            if p.route != "new_original" or p.claim.submitted_id is None:
                continue
            rows = _parts(session, p.claim.submitted_id)
            saved[p.claim.claim_id] = [(r.id or 0, r.released_at, r.release_reason,
                                        r.submission_key) for r in rows]
            codes = ", ".join(sorted({d.code or "" for _f, d in p.fixes}))
            release_rows(session, [r.id or 0 for r in rows], at=when,
                         reason=f"835 CO-16/MA130: {codes} returned unprocessable, sent again "
                                "as a new claim")

    def answered(session: Session, isa13: int, written: frozenset[str]) -> None:
        for claim_id, rows in saved.items():  # a new original held: undo its release
            if claim_id not in written:
                for row_id, at, reason, key in rows:
                    r = session.get(SubmittedClaim, row_id)
                    if r is not None:
                        r.released_at, r.release_reason = at, reason  # type: ignore[assignment]
                        r.submission_key = key  # type: ignore[assignment]
                        session.add(r)
                session.flush()
        for claim_id in sorted(written):
            p = by_id.get(claim_id)
            if p is None:
                continue
            ids = [d.denial_id for _f, d in p.fixes if d.denial_id]
            # checked under the submission's lock, in the transaction that records it: a
            # denial another run moved meanwhile (appealed, written off) stops the send
            moved = refused_moves(session, ids, "corrected")
            if moved:
                raise StoreError(
                    f"claim {claim_id}: " + "; ".join(
                        f"denial {i} is {st} now (moved by another run)"
                        for i, st in sorted(moved.items()))
                    + ": nothing was sent or recorded; run `dermclaim correct` again (it "
                    "leaves that denial out)")
            mark_corrected_in(session, ids, isa13)
            what = "replacement claim" if p.route == "replacement" else "new original claim"
            record_moves(session, ids, "corrected", actor=ACTOR, interchange=isa13, now=when,
                         note=f"{what} sent in interchange {isa13:09d}: "
                              + "; ".join(f.change for f, _d in p.fixes))

    result = submit_claims(outgoing, practice, out_path, url=url, now=when,
                           before_check=release, before_commit=answered, stream=stream)
    held = [(by_id[h.claim_id], h.reasons) for h in result.held if h.claim_id in by_id]
    held_ids = {p.claim.claim_id for p, _r in held}
    return result, [p for p in plans if p.claim.claim_id not in held_ids], held


def _parts(session: Session, submitted_id: int) -> list[SubmittedClaim]:
    from sqlmodel import col, select

    row = session.get(SubmittedClaim, submitted_id)
    if row is None:
        return []
    return list(session.exec(select(SubmittedClaim)
                             .where(col(SubmittedClaim.interchange_id) == row.interchange_id)
                             .where(col(SubmittedClaim.encounter_claim_id)
                                    == row.encounter_claim_id)))


# --------------------------------------------------------------------------- candidates


def _candidates(url: str | None, causes: Sequence[str]
                ) -> tuple[dict[str, SentClaim], dict[str, list[DeniedLine]]]:
    """Live uncorrected denials of the causes, grouped by the claim they belong to."""
    claims: dict[str, SentClaim] = {}
    denied: dict[str, list[DeniedLine]] = defaultdict(list)
    seen_lines: set[tuple[str, str | None]] = set()
    for d, rc, sc, sl in correction_rows(url, causes):
        key = f"s{sc.id}" if sc is not None else f"r{d.claim_id}"
        line_key = (key, d.line_control_number or f"#{d.id}")
        if line_key in seen_lines:  # an older remittance denying the same line again
            continue
        seen_lines.add(line_key)
        if key not in claims:  # newest remittance first: its CLP07 is the one to correct
            claims[key] = SentClaim(
                sc.id if sc else None, d.claim_id, sc.encounter_claim_id if sc else "",
                sc.payer if sc else d.payer, rc.payer_claim_number,
                sc.encounter_json if sc else "", {}, (), d.payment_date)
        denied[key].append(DeniedLine(
            d.id or 0, d.cause, sl.code if sl else d.code,
            tuple(m for m in (sl.modifiers if sl else d.modifiers).split(":") if m),
            sl.units if sl else None, sl.procedure_index if sl else None,
            d.line_control_number, sl.charge if sl else None, sl.ndc if sl else None,
            pointers(sl.diagnosis_pointers if sl else ""),
            unprocessable_evidence(d.evidence),
            d.evidence, d.payment_date))
    sent_lines = submitted_lines(url, [c.submitted_id for c in claims.values()
                                       if c.submitted_id is not None])
    for key, c in claims.items():
        if c.submitted_id is not None:
            rows = sent_lines.get(c.submitted_id, [])
            fees: dict[str, Decimal] = {}
            for ln in rows:
                if ln.charge is not None and ln.units:
                    fees.setdefault(ln.code, ln.charge / ln.units)
            claims[key] = attrs.evolve(c, fees=fees, lines=tuple(
                DeniedLine(0, "paid", ln.code, tuple(m for m in ln.modifiers.split(":") if m),
                        ln.units, ln.procedure_index, ln.line_control_number, ln.charge,
                        ln.ndc, pointers(ln.diagnosis_pointers), False,
                        "processed on this claim (not denied)", c.decided)
                for ln in rows))
    return claims, denied


def pointers(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(":") if x.isdigit())


def _why_not(claim: SentClaim) -> str:
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
        return "the remittance has no payer claim control number (CLP07) to correct"
    return ""


__all__ = ["CORRECTABLE", "CorrectedClaim", "CorrectionResult", "Fix", "NotCorrected",
           "correct_denials"]
