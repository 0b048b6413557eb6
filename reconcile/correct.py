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
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
from attrs import frozen
from sqlmodel import Session

from coding.encounter import load_encounters, parse_encounter
from coding.engine import code_encounter
from coding.errors import CodingError
from coding.model import ClaimLine, CodedClaim, Encounter, Severity
from companion_guides import GuideError, get_guide
from edi.atomic import write_atomically
from edi.practice import Practice, load_practice
from reconcile.classify import is_em
from reconcile.errors import StoreError
from reconcile.lifecycle import record_moves
from reconcile.store.database import session_scope
from reconcile.store.models import SubmittedClaim
from reconcile.store.remit_read import correction_rows, submitted_lines
from reconcile.store.remit_write import mark_corrected_in
from reconcile.store.sent import release_rows
from reconcile.store.submissions import SubmitResult, submit_claims
from reconcile.templating import render

CORRECTABLE = ("missing_25", "count", "bundling", "modifier", "missing_information",
               "medical_necessity")
BYPASS = frozenset({"59", "XE", "XS", "XP", "XU"})
# CO-16 with MA130: "no appeal rights are afforded because the claim is unprocessable.
# Please submit a new claim with the complete/correct information." (RARC list, X12/WPC)
UNPROCESSABLE = re.compile(r"\bRARC MA130\b")
# 42 CFR 405.980(b)(1): a contractor may reopen within 1 year from the date of the initial
# determination for any reason (clerical errors included).
REOPENING_WINDOW = timedelta(days=365)
ACTOR = "correct"


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
    ndc: str | None
    pointers: tuple[int, ...]
    unprocessable: bool
    evidence: str
    payment_date: date | None


@frozen
class _Claim:
    submitted_id: int | None
    claim_id: str
    encounter_claim_id: str
    payer: str
    payer_claim_number: str
    encounter_json: str
    fees: dict[str, Decimal]
    lines: tuple[_Denied, ...] = ()  # every line as sent (denial_id 0), for paid-line changes
    decided: date | None = None  # the remittance's date: the initial determination


@frozen
class _Planned:
    """One claim's corrections, by the route they go."""
    claim: _Claim
    coded: CodedClaim  # as the documentation now supports it
    sent: CodedClaim | None  # as the stored encounter codes (the diagnoses sent)
    route: str
    fixes: tuple[tuple[Fix, _Denied], ...]


def correct_denials(out_path: str | Path, practice_path: str | Path, url: str | None = None,
                    causes: Sequence[str] = CORRECTABLE, now: datetime | None = None,
                    encounters: Sequence[str | Path] = (),
                    requests_dir: str | Path | None = None) -> CorrectionResult:
    """Correct the fixable denials by their payer's route; list the others with reasons.
    `encounters`: files with amended documentation (by claim id) to correct from."""
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
    plans: list[_Planned] = []
    for key, claim in claims.items():
        planned, skipped = _plan(claim, denied[key], practice, amended)
        not_corrected += skipped
        plans += planned
    out_dir = Path(requests_dir) if requests_dir is not None else Path(out_path).parent
    to_send = [p for p in plans if p.route != "reopening"]
    corrected: list[CorrectedClaim] = []
    result = None
    if to_send:
        result, sent_plans, held = _send(to_send, practice, out_path, url, when)
        corrected += [_corrected(p) for p in sent_plans]
        for p, reasons in held:
            not_corrected += [NotCorrected(p.claim.claim_id, f.line_control_number, f.code,
                                           f.cause, "correction held: " + "; ".join(reasons))
                              for f, _d in p.fixes]
    requests = [p for p in plans if p.route == "reopening"]
    written = _write_requests(requests, practice, out_dir, url, when) if requests else []
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


def _plan(claim: _Claim, lines: list[_Denied], practice: Practice,
          amended: dict[str, Encounter]) -> tuple[list[_Planned], list[NotCorrected]]:
    """The claim's corrections by route (at most a new original and a reopening request
    for a reopening payer, one replacement otherwise), and the denials not corrected."""
    def refuse(reason: str, ds: Iterable[_Denied] = lines) -> list[NotCorrected]:
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
    fixes: list[tuple[Fix, _Denied]] = []
    skipped: list[NotCorrected] = []
    ndc = guide.ndc_required != "never"  # an NDC the payer is never sent is no correction
    for d in lines:
        fix, reason = _fix(d, coded, sent, amended=new is not None, ndc=ndc)
        if fix is not None:
            fixes.append((fix, d))
        else:
            skipped += refuse(reason, [d])
    if not fixes:
        return [], skipped
    fixes += _other_line_changes(claim, lines, coded, sent, guide.ndc_required != "never")
    if guide.correction_route != "reopening":
        return [_Planned(claim, coded, sent, "replacement", tuple(fixes))], skipped
    returned = tuple((f, d) for f, d in fixes if d.unprocessable)
    kept = tuple((f, d) for f, d in fixes if not d.unprocessable)
    plans = []
    if returned:
        plans.append(_Planned(claim, coded, sent, "new_original", returned))
    if kept:
        plans.append(_Planned(claim, coded, sent, "reopening", kept))
    return plans, skipped


def _corrected(p: _Planned) -> CorrectedClaim:
    return CorrectedClaim(p.claim.claim_id, p.claim.payer_claim_number,
                          tuple(f for f, _d in p.fixes), p.route)


# --------------------------------------------------------------------------- sending


def _claim_to_send(p: _Planned) -> CodedClaim:
    enc = p.coded.encounter
    if p.route == "replacement":
        enc7 = attrs.evolve(enc, frequency="7", payer_claim_number=p.claim.payer_claim_number)
        return attrs.evolve(p.coded, encounter=enc7)
    # a new original with only the lines returned unprocessable: the processed ones would
    # be duplicates (CARC 18)
    wanted = [_recoded_line(d, p.coded) for _f, d in p.fixes]
    lines = [ln for ln in p.coded.lines if any(ln is w for w in wanted)]
    lines = [attrs.evolve(ln, line=i) for i, ln in enumerate(lines, 1)]
    enc1 = attrs.evolve(enc, frequency="1", payer_claim_number=None)
    return attrs.evolve(p.coded, encounter=enc1, lines=tuple(lines))


def _send(plans: list[_Planned], practice: Practice, out_path: str | Path, url: str | None,
          when: datetime
          ) -> tuple[SubmitResult, list[_Planned], list[tuple[_Planned, tuple[str, ...]]]]:
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
            mark_corrected_in(session, ids, isa13)
            what = "replacement claim" if p.route == "replacement" else "new original claim"
            record_moves(session, ids, "corrected", actor=ACTOR, interchange=isa13, now=when,
                         note=f"{what} sent in interchange {isa13:09d}: "
                              + "; ".join(f.change for f, _d in p.fixes))

    result = submit_claims(outgoing, practice, out_path, url=url, now=when,
                           before_check=release, before_commit=answered)
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


# ------------------------------------------------------------------- reopening requests


def _write_requests(plans: list[_Planned], practice: Practice, out_dir: Path,
                    url: str | None, when: datetime) -> list[tuple[_Planned, Path]]:
    """One reopening request per claim (plain text, owner-only), then the denials moved to
    `corrected` in one transaction. A crash between the two leaves files a rerun writes
    again, byte for byte; the store never says a request went out that was not written."""
    written: list[tuple[_Planned, Path]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{out_dir}: cannot make the folder for reopening requests: "
                         f"{exc.strerror or exc}") from None
    for p in plans:
        name = f"{_safe(p.claim.claim_id)}-reopening-{_safe(p.claim.payer_claim_number)}.txt"
        path = out_dir / name
        write_atomically(path, render("reopening.txt", **_request_context(p, practice, when)))
        written.append((p, path))
    with session_scope(url) as session:
        for p, path in written:
            record_moves(session, [d.denial_id for _f, d in p.fixes if d.denial_id], "corrected",
                         actor=ACTOR, now=when,
                         note=f"reopening request {path.name} written: "
                              + "; ".join(f.change for f, _d in p.fixes))
    return written


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text) or "_"


def _request_context(p: _Planned, practice: Practice, when: datetime) -> dict[str, object]:
    enc = p.coded.encounter
    insured = enc.insured
    decided = min((d.payment_date for _f, d in p.fixes if d.payment_date),
                  default=p.claim.decided)
    deadline = decided + REOPENING_WINDOW if decided else None
    bp = practice.billing_provider
    rendering = enc.rendering_provider
    return {
        "today": when.date().isoformat(),
        "payer": p.claim.payer,
        "icn": p.claim.payer_claim_number,
        "claim_id": p.claim.claim_id,
        "beneficiary": f"{insured.last_name.upper()}, {insured.first_name.upper()}",
        "medicare_number": insured.member_id,
        "date_of_service": enc.date_of_service.isoformat(),
        "provider": bp.name,
        "npi": bp.npi,
        "rendering": (f"{rendering.first_name} {rendering.last_name}, NPI {rendering.npi}"
                      if rendering else ""),
        "address": ", ".join(x for x in (bp.address1, getattr(bp, "address2", None) or "",
                                          f"{bp.city} {bp.state} {bp.zip}") if x),
        "contact": practice.submitter.contact_name,
        "phone": practice.submitter.phone or "",
        "decided": decided.isoformat() if decided else "",
        "deadline": deadline.isoformat() if deadline else "",
        "late": bool(deadline and when.date() > deadline),
        "items": [{"line": d.line_control_number or "",
                   "code": "-".join([d.code or "", *d.modifiers]) if d.modifiers else d.code,
                   "cause": d.cause, "change": f.change, "evidence": d.evidence}
                  for f, d in p.fixes],
    }


# --------------------------------------------------------------------------- candidates


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
        if key not in claims:  # newest remittance first: its CLP07 is the one to correct
            claims[key] = _Claim(
                sc.id if sc else None, d.claim_id, sc.encounter_claim_id if sc else "",
                sc.payer if sc else d.payer, rc.payer_claim_number,
                sc.encounter_json if sc else "", {}, (), d.payment_date)
        denied[key].append(_Denied(
            d.id or 0, d.cause, sl.code if sl else d.code,
            tuple(m for m in (sl.modifiers if sl else d.modifiers).split(":") if m),
            sl.units if sl else None, sl.procedure_index if sl else None,
            d.line_control_number, sl.charge if sl else None, sl.ndc if sl else None,
            _pointers(sl.diagnosis_pointers if sl else ""),
            d.group_code == "CO" and d.carc == "16" and bool(UNPROCESSABLE.search(d.evidence)),
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
                _Denied(0, "paid", ln.code, tuple(m for m in ln.modifiers.split(":") if m),
                        ln.units, ln.procedure_index, ln.line_control_number, ln.charge,
                        ln.ndc, _pointers(ln.diagnosis_pointers), False,
                        "processed on this claim (not denied)", c.decided)
                for ln in rows))
    return claims, denied


def _pointers(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(":") if x.isdigit())


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
        return "the remittance has no payer claim control number (CLP07) to correct"
    return ""


# --------------------------------------------------------------------------- the fix


def _fix(d: _Denied, coded: CodedClaim, sent: CodedClaim, *, amended: bool, ndc: bool = True
         ) -> tuple[Fix | None, str]:
    """The documented fix of one denied line, or why there is none."""
    if d.code is None:
        return None, "claim-level denial: no line to correct"
    line = _recoded_line(d, coded)
    if line is None:
        notes = [f.message for f in coded.findings if f.procedure == d.procedure
                 and f.severity is not Severity.INFO] if d.procedure is not None else []
        return None, ("the documentation does not support billing " + d.code
                      + (": " + " ".join(notes) if notes else ""))
    changes = _changes(d, line, coded, sent, ndc)
    fix = (Fix(d.line_control_number, d.code, d.cause, "; ".join(changes)) if changes
           else None)
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
    hint = "" if amended else " (pass the amended documentation to correct)"
    return None, (f"the documentation supports {d.code} as it was sent: appeal with the "
                  f"records{hint}")


def _changes(d: _Denied, line: ClaimLine, coded: CodedClaim, sent: CodedClaim,
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
        out.append(f"{line.code} diagnosis {', '.join(map(_icd, was)) or 'none'} -> "
                   f"{', '.join(map(_icd, now)) or 'none'}")
    return out


def _icd(code: str) -> str:
    """An ICD-10-CM code as people write it (C44.519); claims carry it without the dot."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def _other_line_changes(claim: _Claim, denied: list[_Denied], coded: CodedClaim,
                        sent: CodedClaim, ndc: bool) -> list[tuple[Fix, _Denied]]:
    """Lines the payer processed (not among the denials corrected now) that the
    documentation no longer supports as sent: part of the same correction (a replacement
    carries them anyway; a reopening must ask for them, e.g. a paid waste line to reduce)."""
    taken = {d.line_control_number for d in denied}
    out = []
    for ln in claim.lines:
        if ln.line_control_number in taken or ln.code is None:
            continue
        line = _recoded_line(ln, coded)
        if line is None:
            change = (f"{ln.code}{'-' + ':'.join(ln.modifiers) if ln.modifiers else ''} "
                      "not supported by the documentation: remove the line (refund what it paid)")
        else:
            change = "; ".join(_changes(ln, line, coded, sent, ndc))
        if change:
            out.append((Fix(ln.line_control_number, ln.code, "paid", change), ln))
    return out


def _recoded_line(d: _Denied, coded: CodedClaim) -> ClaimLine | None:
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


__all__ = ["CORRECTABLE", "CorrectedClaim", "CorrectionResult", "Fix", "NotCorrected",
           "correct_denials"]
