"""Reopening requests: how a Medicare Part B claim already processed is corrected
(clerical errors, CMS Pub. 100-04 ch. 34 §10.4; 42 CFR 405.980). One plain-text request
per claim (`reconcile/templates/reopening.txt`): the claim, each line, what changes and
why, the adjustment as received, the date to reopen by. Written by `dermclaim correct`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from edi.atomic import safe_file_name, write_atomically
from edi.practice import Practice
from reconcile.corrections.lines import Planned
from reconcile.denials.lifecycle import record_moves
from reconcile.errors import StoreError
from reconcile.store.database import session_scope
from reconcile.templates.render import render

# 42 CFR 405.980(b)(1): a contractor may reopen within 1 year from the date of the initial
# determination for any reason (clerical errors included).
REOPENING_WINDOW = timedelta(days=365)
ACTOR = "correct"


def write_requests(plans: list[Planned], practice: Practice, out_dir: Path,
                    url: str | None, when: datetime) -> list[tuple[Planned, Path]]:
    """One reopening request per claim (plain text, owner-only), then the denials moved to
    `corrected` in one transaction. A crash between the two leaves files a rerun writes
    again, byte for byte; the store never says a request went out that was not written."""
    written: list[tuple[Planned, Path]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{out_dir}: cannot make the folder for reopening requests: "
                         f"{exc.strerror or exc}") from None
    for p in plans:
        claim, icn = safe_file_name(p.claim.claim_id), safe_file_name(p.claim.payer_claim_number)
        path = out_dir / f"{claim}-reopening-{icn}.txt"
        write_atomically(path, render("reopening.txt", **request_context(p, practice, when)))
        written.append((p, path))
    with session_scope(url) as session:
        for p, path in written:
            record_moves(session, [d.denial_id for _f, d in p.fixes if d.denial_id], "corrected",
                         actor=ACTOR, now=when,
                         note=f"reopening request {path.name} written: "
                              + "; ".join(f.change for f, _d in p.fixes))
    return written


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
