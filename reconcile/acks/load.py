"""Loading 999 and 277CA files into the store: tied to what was sent, each file all or
nothing, once.

`load_ack_files(paths)` reads each file (999 or 277CA, told apart by ST01), ties every
answer to the claims the store sent and writes it inside ONE database transaction; a file
that cannot be read (the readers' X12SyntaxError) writes nothing and the next file still
loads. A file is known by the sha256 of its bytes: loading it again reports "already
loaded" and writes nothing.

Tying (see `tie_999` / `tie_277`):
- a 999 answers what this store sent only when it says so: AK101 = HC (claims), every AK201
  = 837 and the version sent (AK103/AK203 = 005010X222A1, when given), besides the numbers;
  anything else (an 834 enrollment file's 999 whose GS06/ST02 happen to equal ours) is kept
  as answers to nothing sent, with a finding, and changes no claim. Then it answers a
  functional group (AK1-02 = the GS06 the store handed out) and in it the transaction sets
  it names (AK2-02 = ST02): every claim of a named set gets that set's verdict (IK5: A/E
  accepted, else rejected, with the IK3/IK4 errors); the sets it does not name get the
  group's verdict (AK9 A/E/P accepted: a 999 must name each rejected set);
- a 277CA answers claims by TRN02 = CLM01 (the latest submission of that claim id sent on
  or before the 277CA's date) and lines by REF*FJ = our REF*6R; A0/A1/A2/A5 acknowledge,
  A3/A4/A6/A7/A8 reject (a rejected line rejects its claim: it never enters adjudication).
  A status above the claims applies to every claim of the batch the information receiver
  level names (2200B TRN02 = the 837's BHT03, ISA13 + ST02) that the 277CA does not answer
  one by one: a billing provider's (2200C) first, then the receiver's; a rejection rejects
  them with that STC, an acknowledgment acknowledges them (a dermclaim batch has one billing
  provider, the practice's).

The load summary counts claims (a claim's line answers are not more claims).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from attrs import define, field
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col

from edi import ack_codes
from edi.errors import EdiError
from edi.wording import plural
from edi.x12.tokenizer import X12Tokenizer
from edi.x277.model import REJECTED, Ack277, ClaimAck
from edi.x999.model import Ack999, SegmentError, TransactionSetAck
from reconcile.errors import StoreError, StoreUnusable
from reconcile.store.ack_models import AckAnswer, AckFile
from reconcile.store.database import describe_error, get_engine, session_scope
from reconcile.store.models import Interchange, SubmittedClaim, SubmittedLine
from reconcile.store.sent import release_rows

__all__ = ["AckFileResult", "AckLoadSummary", "load_ack_files", "transaction_type"]


@define
class AckFileResult:
    path: str
    status: str  # loaded, already_loaded, failed, unreadable
    kind: str = ""
    message: str = ""
    answered: int = 0  # claims answered
    accepted: int = 0
    rejected: int = 0
    unmatched: int = 0
    findings: list[str] = field(factory=list)

    def line(self) -> str:
        head = f"{self.path}: "
        if self.status != "loaded":
            return head + f"{self.status.replace('_', ' ')}: {self.message}"
        text = (head + f"{self.kind} loaded: {plural(self.answered, 'claim')} answered "
                f"({self.accepted} accepted, {self.rejected} rejected)")
        if self.unmatched:
            text += (f"; {plural(self.unmatched, 'answer')} "
                     f"match{'es' if self.unmatched == 1 else ''} nothing sent from this store")
        return text


@define
class AckLoadSummary:
    files: list[AckFileResult] = field(factory=list)
    stopped: str | None = None  # a store-wide fault (read-only, full...) ended the run

    @property
    def unreadable(self) -> bool:
        return any(f.status == "unreadable" for f in self.files)

    @property
    def ok(self) -> bool:
        return all(f.status in ("loaded", "already_loaded") for f in self.files)

    def lines(self) -> list[str]:
        out = []
        for f in self.files:
            out.append(f.line())
            out += [f"  finding: {m}" for m in f.findings]
        return out


def transaction_type(path: Path) -> str:
    """ST01 of the first transaction set ("999", "277"...); X12SyntaxError when unreadable."""
    with path.open(encoding="utf-8", errors="replace", newline="") as stream:
        for _number, elements in X12Tokenizer(stream, source=str(path)):
            if elements[0] == "ST":
                return elements[1].strip() if len(elements) > 1 else ""
    return ""


def _sha256(path: Path) -> tuple[str, int]:
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def load_ack_files(paths: Sequence[str | Path], url: str | None = None,
                   now: datetime | None = None) -> AckLoadSummary:
    """Load each 999/277CA file in its own transaction; return what happened to each."""
    from edi.x277.reader import read_277_path
    from edi.x999.reader import read_999_path

    get_engine(url)  # a bad URL is a StoreError before any file is touched
    when = now or datetime.now(UTC)
    summary = AckLoadSummary()
    for index, raw in enumerate(paths):
        path = Path(raw)
        result = AckFileResult(str(path), "loaded")
        summary.files.append(result)
        try:
            sha, size = _sha256(path)
            kind = transaction_type(path)
            if kind == "999":
                acks: list[Ack999] | list[Ack277] = read_999_path(path)
            elif kind == "277":
                acks = read_277_path(path)
            else:
                raise EdiError(f"{path}: ST01 is {kind!r}: `ack load` reads 999 and 277CA "
                               "acknowledgments (an 835 goes to `remit load`)")
            result.kind = "999" if kind == "999" else "277CA"
            with session_scope(url) as session:
                if session.execute(select(col(AckFile.id))
                                   .where(col(AckFile.sha256) == sha)).first():
                    result.status = "already_loaded"
                    result.message = "same content as a file loaded before; nothing written"
                    continue
                _write(session, path, sha, size, when, acks, result)
        except EdiError as exc:
            result.status, result.message = "unreadable", str(exc)
        except OSError as exc:
            result.status, result.message = "unreadable", f"cannot read: {exc.strerror or exc}"
        except IntegrityError:  # loaded by another process meanwhile (sha256 unique)
            result.status = "already_loaded"
            result.message = "loaded by another run meanwhile; nothing written"
        except StoreUnusable as exc:  # the store, not this file: the next file fails alike
            result.status, result.message = "failed", "not loaded: the store refused it"
            summary.files += [AckFileResult(str(p), "not_tried", "the store refused the run")
                              for p in paths[index + 1:]]
            summary.stopped = str(exc)
            break
        except SQLAlchemyError as exc:
            result.status = "failed"
            result.message = f"not loaded, the store failed: {describe_error(exc)}"
        except StoreError as exc:
            result.status, result.message = "failed", str(exc)
    return summary


def _write(session: Session, path: Path, sha: str, size: int, when: datetime,
           acks: Sequence[Ack999] | Sequence[Ack277], result: AckFileResult) -> None:
    rows: list[dict[str, Any]] = []
    for ack in acks:
        if isinstance(ack, Ack999):
            foreign = not_ours_999(ack)
            if foreign:
                result.findings.append(foreign)
            rows += tie_999(session, ack)
        else:
            rows += tie_277(session, ack, result.findings)
        result.findings += [f.describe() for f in ack.findings]
    file = AckFile(sha256=sha, file_name=path.name, kind=result.kind, size_bytes=size,
                   loaded_at=when, transaction_count=len(acks), answer_count=len(rows),
                   unmatched_count=sum(1 for r in rows if r["submitted_claim_id"] is None))
    session.add(file)
    session.flush()
    for r in rows:
        r["file_id"] = file.id
    if rows:
        session.execute(insert(AckAnswer), rows)
    claim_rows = [r for r in rows if r["line_control_number"] is None]
    result.answered = sum(1 for r in claim_rows if r["submitted_claim_id"] is not None)
    result.accepted = sum(1 for r in claim_rows if r["submitted_claim_id"] is not None
                          and r["outcome"] in ("accepted", "acknowledged"))
    result.rejected = sum(1 for r in claim_rows if r["submitted_claim_id"] is not None
                          and r["outcome"] == "rejected")
    # claims, not claims + their line answers
    result.unmatched = sum(1 for r in claim_rows if r["submitted_claim_id"] is None)
    # The payer never took a rejected claim: free its identity so the fixed claim goes out
    # as a new original (linked to this one), not held as a duplicate.
    by_reason: dict[str, set[int]] = {}
    for r in claim_rows:
        if r["submitted_claim_id"] is not None and r["outcome"] == "rejected":
            reason = f"{result.kind} {path.name} rejected: {r['codes']}"
            by_reason.setdefault(reason, set()).add(r["submitted_claim_id"])
    for reason, row_ids in by_reason.items():
        release_rows(session, row_ids, reason=reason, at=when)


def _answer(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "submitted_claim_id": None, "claim_id": "", "group_control_number": "",
        "transaction_control_number": "", "codes": "", "meaning": "", "fix": "",
        "payer_claim_number": None, "clearinghouse_trace": None, "line_control_number": None,
        "submitted_line_id": None, "segment_number": 0, "received_on": None,
    }
    row.update(values)
    return row


# ------------------------------------------------------------------------------ 999


def _same_number(a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    return int(a) == int(b) if a.isdigit() and b.isdigit() else a == b


SENT_VERSION = "005010X222A1"  # GS08/ST03 of every 837P this store writes


def not_ours_999(ack: Ack999) -> str | None:
    """Why the 999 answers something this store did not send (None: it may answer ours)."""
    g = ack.group
    what = []
    if g.functional_id.strip() != "HC":
        what.append(f"AK101 {g.functional_id.strip() or '(empty)'}")
    if g.version.strip() and g.version.strip() != SENT_VERSION:
        what.append(f"AK103 {g.version.strip()}")
    for t in g.transactions:
        if t.transaction_set_id.strip() != "837":
            what.append(f"AK201 {t.transaction_set_id.strip() or '(empty)'}")
        elif t.convention.strip() and t.convention.strip() != SENT_VERSION:
            what.append(f"AK203 {t.convention.strip()}")
    if not what:
        return None
    return (f"999 {ack.control_number} answers something this store did not send "
            f"({', '.join(dict.fromkeys(what))}; this store sends 837 {SENT_VERSION} in "
            f"HC groups): no claim was changed")


def tie_999(session: Session, ack: Ack999) -> list[dict[str, Any]]:
    g = ack.group
    received = ack.envelope.date
    sent = [] if not_ours_999(ack) else _group_claims(session, g.group_control_number)
    named = {t.control_number: t for t in g.transactions}
    rows: list[dict[str, Any]] = []
    matched_sets: set[str] = set()
    for row_id, claim_id, st02 in sent:
        t = next((t for c, t in named.items() if _same_number(c, st02)), None)
        if t is not None:
            matched_sets.add(t.control_number)
            rows.append(_answer(submitted_claim_id=row_id, claim_id=claim_id, source="999",
                                received_on=received, segment_number=t.segment_number,
                                group_control_number=g.group_control_number,
                                transaction_control_number=t.control_number,
                                **_set_verdict(t)))
        else:
            verdict = "accepted" if g.accepted else "rejected"
            meaning = f"AK9 {g.code} {ack_codes.ack999_meaning('AK901', g.code) or ''}".strip()
            if g.error_codes:
                meaning += "; " + "; ".join(
                    f"{c} {ack_codes.ack999_meaning('AK905', c) or ack_codes.UNKNOWN}"
                    for c in g.error_codes)
            rows.append(_answer(
                submitted_claim_id=row_id, claim_id=claim_id, source="999", outcome=verdict,
                received_on=received, segment_number=g.segment_number,
                group_control_number=g.group_control_number, transaction_control_number=st02,
                codes="*".join(["AK9", g.code, *g.error_codes]), meaning=meaning,
                fix="" if verdict == "accepted" else
                "the whole functional group was rejected: fix the envelope (GS) and send "
                "its claims again as new originals"))
    for t in g.transactions:
        if t.control_number not in matched_sets:
            rows.append(_answer(source="999", received_on=received,
                                segment_number=t.segment_number,
                                group_control_number=g.group_control_number,
                                transaction_control_number=t.control_number, **_set_verdict(t)))
    return rows


def _group_claims(session: Session, gs06: str) -> list[tuple[int, str, str]]:
    if not gs06.strip().isdigit():
        return []
    return [(r[0], r[1], r[2]) for r in session.execute(
        select(col(SubmittedClaim.id), col(SubmittedClaim.claim_id),
               col(SubmittedClaim.transaction_control_number))
        .where(col(SubmittedClaim.group_control_number) == int(gs06))
        .order_by(col(SubmittedClaim.id))).all()]


def _set_verdict(t: TransactionSetAck) -> dict[str, str]:
    codes = ["*".join(["IK5", t.code, *t.error_codes])]
    meaning = [f"IK5 {t.code} {ack_codes.ack999_meaning('IK501', t.code) or ack_codes.UNKNOWN}"]
    meaning += [f"{c} {ack_codes.ack999_meaning('IK502', c) or ack_codes.UNKNOWN}"
                for c in t.error_codes]
    for s in t.segment_errors:
        codes.append("*".join(["IK3", s.segment_id, str(s.position or ""), s.loop, s.code]))
        meaning.append(_segment_meaning(s))
        for e in s.elements:
            codes.append("*".join(["IK4", str(e.position or ""), e.element_reference, e.code]))
    outcome = "accepted" if t.accepted else "rejected"
    fix = ""
    if not t.accepted:
        where = "; ".join(_segment_place(s) for s in t.segment_errors)
        fix = ((f"fix the 837P at {where}, then " if where else "fix the transaction set, then ")
               + "send the claims of this transaction set again as new originals "
               "(`dermclaim validate` shows the same segment)")
    return {"outcome": outcome, "codes": "; ".join(codes), "meaning": "; ".join(meaning),
            "fix": fix}


def _segment_meaning(s: SegmentError) -> str:
    text = f"segment {s.segment_id}"
    if s.position:
        text += f" (position {s.position} in the transaction set)"
    if s.loop:
        text += f" in loop {s.loop}"
    if s.code:
        text += f": {ack_codes.ack999_meaning('IK304', s.code) or ack_codes.UNKNOWN}"
    for e in s.elements:
        ref = f"{s.segment_id}{e.position:02d}" if e.position else "an element"
        text += (f"; {ref} (element {e.element_reference}): "
                 f"{ack_codes.ack999_meaning('IK403', e.code) or ack_codes.UNKNOWN}")
    return text


def _segment_place(s: SegmentError) -> str:
    place = s.segment_id + (f" loop {s.loop}" if s.loop else "")
    elements = [f"{s.segment_id}{e.position:02d}" for e in s.elements if e.position]
    return place + (f" ({', '.join(elements)})" if elements else "")


# ------------------------------------------------------------------------------ 277CA


def tie_277(session: Session, ack: Ack277, findings: list[str] | None = None
            ) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    fallback = ack.created or ack.envelope.date
    for claim in ack.claims:
        received = next((s.effective for s in claim.statuses if s.effective), None) or fallback
        row_id = _latest_submission(session, claim.claim_id, received)
        line_ids = _line_ids(session, row_id) if row_id is not None else {}
        line_rejected = any(s.rejected for line in claim.lines for s in line.statuses)
        outcome = _outcome(claim, line_rejected)
        codes, meaning, fix = _describe(claim.statuses)
        if line_rejected and not claim.rejected:
            fix = fix or "a service line was rejected (see its row): fix it and send the claim " \
                         "again as a new original"
        rows.append(_answer(
            submitted_claim_id=row_id, claim_id=claim.claim_id, source="277CA",
            outcome=outcome, received_on=received, segment_number=claim.segment_number,
            codes=codes, meaning=meaning, fix=fix, payer_claim_number=claim.payer_claim_number,
            clearinghouse_trace=claim.clearinghouse_trace))
        for line in claim.lines:
            if not line.statuses:
                continue
            lcodes, lmeaning, lfix = _describe(line.statuses)
            rows.append(_answer(
                submitted_claim_id=row_id, claim_id=claim.claim_id, source="277CA",
                outcome="rejected" if any(s.rejected for s in line.statuses) else "acknowledged",
                received_on=received, segment_number=line.segment_number, codes=lcodes,
                meaning=lmeaning, fix=lfix, line_control_number=line.control_number or "",
                submitted_line_id=line_ids.get(line.control_number or "")))
    rows += _above_the_claims(session, ack, {r["submitted_claim_id"] for r in rows},
                              fallback, findings if findings is not None else [])
    return rows


def _above_the_claims(session: Session, ack: Ack277, answered: set[int | None],
                      fallback: date | None, findings: list[str]) -> list[dict[str, Any]]:
    """The statuses of the billing provider (2200C) and information receiver (2200B)
    levels, applied to the claims of the batch the receiver names that no claim-level
    answer covers (see the module doc)."""
    levels = [(p, "billing provider (2200C)") for p in ack.providers]
    if ack.receiver is not None:
        levels.append((ack.receiver, "information receiver (2200B)"))
    levels = [(p, name) for p, name in levels if p.statuses]
    if not levels:
        return []
    trace = ack.receiver.trace.strip() if ack.receiver is not None else ""
    batch = _batch_claims(session, trace)
    rows: list[dict[str, Any]] = []
    done = set(answered)
    # a rejection at either level first: it wins over an acknowledgment of the other
    for want_rejected in (True, False):
        for party, name in levels:
            rejected = any(s.rejected for s in party.statuses)
            outcomes = {getattr(ack_codes.category(s.category), "outcome", "")
                        for s in party.statuses}
            if rejected != want_rejected or not (rejected or "acknowledged" in outcomes):
                continue
            if not batch:
                if rejected:
                    findings.append(
                        f"277CA {ack.control_number}: the {name} status "
                        f"{'; '.join(c.text() for s in party.statuses for c in s.codes)} "
                        f"names batch {trace or '(no TRN02)'}, which this store did not send")
                continue
            codes, meaning, fix = _describe(party.statuses)
            received = next((s.effective for s in party.statuses if s.effective), None) \
                or fallback
            for row_id, claim_id in batch:
                if row_id in done:
                    continue
                done.add(row_id)
                rows.append(_answer(
                    submitted_claim_id=row_id, claim_id=claim_id, source="277CA",
                    outcome="rejected" if rejected else "acknowledged", received_on=received,
                    segment_number=party.segment_number, codes=codes,
                    meaning=f"{name}: {meaning}", fix=fix))
    return rows


def _batch_claims(session: Session, trace: str) -> list[tuple[int, str]]:
    """The claims sent in the batch whose BHT03 is `trace` (ISA13 as 9 digits + ST02)."""
    if len(trace) < 10 or not trace[:9].isdigit():
        return []
    return [(int(r[0]), r[1]) for r in session.execute(
        select(col(SubmittedClaim.id), col(SubmittedClaim.claim_id))
        .join(Interchange, col(Interchange.id) == col(SubmittedClaim.interchange_id))
        .where(col(Interchange.control_number) == int(trace[:9]),
               col(SubmittedClaim.transaction_control_number) == trace[9:])
        .order_by(col(SubmittedClaim.id))).all()]


def _outcome(claim: ClaimAck, line_rejected: bool) -> str:
    if claim.rejected or line_rejected:
        return "rejected"
    outcomes = {getattr(ack_codes.category(s.category), "outcome", "") for s in claim.statuses}
    return "acknowledged" if "acknowledged" in outcomes else "other"


def _describe(statuses: Sequence[Any]) -> tuple[str, str, str]:
    codes, meanings, fixes = [], [], []
    for s in statuses:
        for c in s.codes:
            codes.append(c.text())
            meanings.append(ack_codes.describe(c))
            if c.category in REJECTED:
                found = ack_codes.fix(c)
                if found not in fixes:
                    fixes.append(found)
    return "; ".join(codes), "; ".join(meanings), "; ".join(fixes)


def _latest_submission(session: Session, claim_id: str, received: date | None) -> int | None:
    rows = session.execute(
        select(col(SubmittedClaim.id), col(SubmittedClaim.submitted_at))
        .where(col(SubmittedClaim.claim_id) == claim_id)
        .order_by(col(SubmittedClaim.submitted_at), col(SubmittedClaim.id))).all()
    if not rows:
        return None
    before = [r for r in rows if received is None or r[1].date() <= received]
    return int((before or rows)[-1][0])


def _line_ids(session: Session, claim_row_id: int) -> dict[str, int]:
    return {r[1]: r[0] for r in session.execute(
        select(col(SubmittedLine.id), col(SubmittedLine.line_control_number))
        .where(col(SubmittedLine.claim_row_id) == claim_row_id)).all()}
