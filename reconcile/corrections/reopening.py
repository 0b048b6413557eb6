"""Reopening requests: how a Medicare Part B claim already processed is corrected
(clerical errors, CMS Pub. 100-04 ch. 34 §10.4; 42 CFR 405.980). One plain-text request
per claim (`reconcile/templates/reopening.txt`): the claim, each line, what changes and
why, the adjustment as received, the date to reopen by. Written by `dermclaim correct`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from edi.atomic import FileNameClash, check_unique_targets, put_or_take_back, safe_file_name, stage
from edi.practice import Practice
from reconcile.corrections.lines import Planned
from reconcile.denials.lifecycle import record_moves, refused_moves
from reconcile.errors import StoreError
from reconcile.store.database import session_scope, write_lock
from reconcile.templates.render import render

# 42 CFR 405.980(b)(1): a contractor may reopen within 1 year from the date of the initial
# determination for any reason (clerical errors included).
REOPENING_WINDOW = timedelta(days=365)
ACTOR = "correct"


def write_requests(plans: list[Planned], practice: Practice, out_dir: Path,
                   url: str | None, when: datetime
                   ) -> tuple[list[tuple[Planned, Path]], list[tuple[Planned, str]]]:
    """One reopening request per claim (plain text, owner-only) and its denials moved to
    `corrected`, together: under the store's write lock each claim's denials are checked
    again (another run may have moved them meanwhile: that claim is refused, with why),
    the moves are written, the files put in place, then the store commits; when the store
    refuses, every file is taken back. Returns (written, refused)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{out_dir}: cannot make the folder for reopening requests: "
                         f"{exc.strerror or exc}") from None
    named = [(p, out_dir / (f"{safe_file_name(p.claim.claim_id)}-reopening-"
                            f"{safe_file_name(p.claim.payer_claim_number)}.txt"))
             for p in plans]
    try:
        check_unique_targets((path, f"claim {p.claim.claim_id} ({p.claim.payer_claim_number})")
                             for p, path in named)
    except FileNameClash as exc:
        raise StoreError(str(exc)) from None
    written: list[tuple[Planned, Path]] = []
    refused: list[tuple[Planned, str]] = []
    staged: list[tuple[Path, Path]] = []
    try:
        with session_scope(url) as session:
            write_lock(session)
            for p, path in named:
                ids = [d.denial_id for _f, d in p.fixes if d.denial_id]
                now_at = refused_moves(session, ids, "corrected")
                if now_at:
                    refused.append((p, "; ".join(
                        f"denial {i} is {st} now (moved by another run): no reopening request "
                        "written" for i, st in sorted(now_at.items()))))
                    continue
                text = render("reopening.txt", **request_context(p, practice, when))
                staged.append((stage(path, text.encode("utf-8")), path))
                record_moves(session, ids, "corrected", actor=ACTOR, now=when,
                             note=f"reopening request {path.name} written: "
                                  + "; ".join(f.change for f, _d in p.fixes))
                written.append((p, path))
            session.flush()  # the store takes the change (or refuses it) before any file
            with put_or_take_back(staged):
                session.commit()
    finally:
        for tmp, _path in staged:
            tmp.unlink(missing_ok=True)
    return written, refused


def request_context(p: Planned, practice: Practice, when: datetime) -> dict[str, object]:
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
