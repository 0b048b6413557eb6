"""One denial as `dermclaim denial show` prints it: the line as billed and as paid, the
evidence, the appeal deadline and levels, every status change, and the overturn
candidates: later paid lines of the same patient, code and date of service that nothing
links to the denied claim (a person judges them; `remit load` never moves a denial on
them, see `reconcile.remit.overturn`)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func

from reconcile.denials.lifecycle import history
from reconcile.denials.payers import appeal_levels
from reconcile.errors import StoreError
from reconcile.store.database import session_scope
from reconcile.store.remit_models import Denial, RemitClaim, RemitLine, RemitTransaction

CANDIDATES = 10  # at most this many candidates shown, oldest first


def denial_detail(url: str | None, denial_id: int) -> dict[str, Any]:
    with session_scope(url) as s:
        d = s.get(Denial, denial_id)
        if d is None:
            raise StoreError(f"no denial {denial_id} in the store")
        return _detail(s, d)


def _detail(s: Session, d: Denial) -> dict[str, Any]:
    rc = s.get(RemitClaim, d.claim_row_id)
    ln = s.get(RemitLine, d.line_row_id) if d.line_row_id else None
    paying = s.get(RemitClaim, d.overturned_by_claim_row_id) if d.overturned_by_claim_row_id \
        else None
    events = history(s, [d.id or 0]).get(d.id or 0, [])
    return {
        "denial_id": d.id, "status": d.status, "claim_id": d.claim_id,
        "payer_claim_number": d.payer_claim_number, "payer": d.payer,
        "line_control_number": d.line_control_number, "date_of_service": d.date_of_service,
        "code": d.code, "modifiers": d.modifiers, "cause": d.cause, "group": d.group_code,
        "carc": d.carc, "rarc": d.rarc, "denied_amount": d.amount,
        "recovered_amount": d.recovered_amount, "rule": d.rule, "action": d.action,
        "evidence": d.evidence, "recoverable": d.recoverable, "payment_date": d.payment_date,
        "appeal_deadline": d.appeal_deadline, "appeal_level": d.appeal_level,
        "next_level": d.next_level,
        "appealed_on": d.appealed_on, "owner": d.owner,
        "appeal_levels": [{"name": lv.name, "days": lv.days, "counted_from": lv.counted_from,
                           "source": lv.source} for lv in appeal_levels(d.payer)],
        "line": None if ln is None else {
            "code": ln.code, "modifiers": ln.modifiers, "charge": ln.charge, "paid": ln.paid,
            "units": ln.units, "remarks": ln.remarks, "match_rule": ln.match_rule},
        "claim": None if rc is None else {"status": rc.status, "charge": rc.charge,
                                          "paid": rc.paid},
        "overturned_by": None if paying is None else {
            "patient_control_number": paying.patient_control_number,
            "payer_claim_number": paying.payer_claim_number, "paid": paying.paid},
        "candidates": _candidates(s, d),
        "history": [{"at": e.at, "from": e.from_status, "to": e.to_status, "by": e.actor,
                     "note": e.note, "level": e.level, "on": e.on_date} for e in events],
    }


def _candidates(s: Session, d: Denial) -> list[dict[str, Any]]:
    """Paid lines of other claims for the same patient, code and date of service, remitted
    on or after the denial (not reversed), that did not overturn it."""
    if not (d.patient_id and d.code and d.date_of_service) or d.status == "superseded":
        return []
    rc, rl, tx = RemitClaim, RemitLine, RemitTransaction
    remitted = func.coalesce(tx.payment_date, tx.production_date)
    q = (sa.select(col(rc.id), col(rc.patient_control_number), col(rc.payer_claim_number),
                col(rl.control_number), col(rl.paid), remitted)
         .join(rc, col(rc.id) == col(rl.claim_row_id))
         .join(tx, col(tx.id) == col(rc.transaction_id))
         .where(col(rc.patient_id) == d.patient_id, col(rc.id) != d.claim_row_id,
                col(rc.is_reversal).is_(False), col(rc.superseded).is_(False),
                col(tx.duplicate_of).is_(None),
                func.coalesce(rl.original_code, rl.code) == d.code,
                col(rl.date_of_service) == d.date_of_service, col(rl.paid) > 0)
         .order_by(col(rc.id), col(rl.position)).limit(CANDIDATES))
    if d.payment_date is not None:
        q = q.where(remitted >= d.payment_date)
    return [{"patient_control_number": pcn, "payer_claim_number": icn,
             "line_control_number": lcn, "paid": paid, "remitted_on": on}
            for cid, pcn, icn, lcn, paid, on in s.execute(q).all()
            if cid != d.overturned_by_claim_row_id]


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def as_json(detail: dict[str, Any]) -> str:
    return json.dumps(_plain(detail), indent=2, ensure_ascii=False)


def as_text(detail: dict[str, Any]) -> str:
    p = _plain(detail)
    out = [f"denial {p['denial_id']}  {p['status']}  {p['cause']}  "
           f"{p['group']}-{p['carc']}" + (f"/{p['rarc']}" if p["rarc"] else ""),
           f"claim {p['claim_id']}  payer claim # {p['payer_claim_number'] or '-'}  "
           f"payer {p['payer'] or '-'}",
           f"line {p['line_control_number'] or '-'}  {p['date_of_service'] or '-'}  "
           f"{p['code'] or '(claim level)'} {p['modifiers'] or ''}".rstrip(),
           f"denied {p['denied_amount']}  recovered {p['recovered_amount'] or '0.00'}  "
           f"appeal deadline {p['appeal_deadline'] or '-'}"
           + (f" ({p['next_level']})" if p["next_level"] else "")
           + (f"  appealed {p['appeal_level']} on {p['appealed_on']}" if p["appeal_level"]
              else "") + (f"  owner {p['owner']}" if p["owner"] else "")]
    if p["line"]:
        ln = p["line"]
        out.append(f"as paid: {ln['code']} {ln['modifiers']} charge {ln['charge']} paid "
                   f"{ln['paid']} units {ln['units']} remarks {ln['remarks'] or '-'} "
                   f"(matched by {ln['match_rule']})")
    if p["overturned_by"]:
        o = p["overturned_by"]
        out.append(f"overturned by claim {o['patient_control_number']} "
                   f"(CLP07 {o['payer_claim_number'] or '-'}), claim paid {o['paid']}")
    for c in p["candidates"]:
        out.append(f"candidate (same patient, code and date; not linked, not moved): claim "
                   f"{c['patient_control_number']} (CLP07 {c['payer_claim_number'] or '-'}) "
                   f"line {c['line_control_number'] or '-'} paid {c['paid']} on "
                   f"{c['remitted_on'] or '-'}")
    out += [f"evidence: {p['evidence']}", f"action: {p['action']}", "history:"]
    if not p["history"]:
        out.append("  (no changes since it was loaded)")
    for e in p["history"]:
        extra = "".join(f" {k} {e[k]}" for k in ("level", "on") if e[k])
        out.append(f"  {e['at']}  {e['from']} -> {e['to']}  by {e['by'] or '-'}{extra}"
                   + (f": {e['note']}" if e["note"] else ""))
    return "\n".join(out)
