"""Payment-dispute letters for underpaid lines (`dermclaim underpayment letter`): one letter
per claim, HTML and plain text, quoting for each line the contract row or the fee schedule
computation it should have been allowed at (`reconcile.underpayments`), the allowed amount as
received (AMT*B6, else charge - contractual adjustments), the difference and the apparent
cause. Written to DIR/<claim>-dispute.html and .txt only when every letter rendered; with
`sent`, each line moves to appealed (date, who, note) in one transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from attrs import frozen

from companion_guides import GuideError, get_guide
from edi.atomic import safe_file_name, write_atomically
from edi.practice import load_practice
from reconcile.errors import StoreError
from reconcile.store.database import session_scope
from reconcile.templates.render import render
from reconcile.underpayments.compare import Finding, underpayments
from reconcile.underpayments.lifecycle import move_in
from reconcile.underpayments.setup import Pricer

__all__ = ["DisputeLetter", "DisputeResult", "write_disputes"]


@frozen
class DisputeLetter:
    claim_id: str
    html: str
    text: str
    line_ids: tuple[int, ...]
    total: Decimal
    deadline: date | None


@frozen
class DisputeResult:
    letters: list[DisputeLetter]
    refused: list[tuple[int, str]]  # (line id, why)
    moved: list[int]

    def as_json(self) -> str:
        return json.dumps({
            "letters": [{"claim_id": x.claim_id, "html": x.html, "text": x.text,
                         "underpayment_ids": list(x.line_ids), "total_short": f"{x.total:.2f}",
                         "deadline": x.deadline.isoformat() if x.deadline else None}
                        for x in self.letters],
            "refused": [{"underpayment_id": i, "reason": r} for i, r in self.refused],
            "moved": self.moved}, indent=2)


def _to_lines(payer: str) -> tuple[list[str], bool]:
    try:
        g = get_guide(payer)
    except GuideError:
        return [payer.upper()], True
    if g.appeal_address:
        return g.appeal_address.splitlines(), False
    return [g.payer_name], True


def _context(claim: Sequence[Finding], practice_path: str | Path, today: date
             ) -> dict[str, object]:
    practice = load_practice(practice_path)
    bp = practice.billing_provider
    name = bp.name if not bp.first_name else f"{bp.first_name} {bp.name}"
    first = claim[0]
    to_lines, missing = _to_lines(first.payer)
    contract = any(f.basis_kind == "contract" for f in claim)
    return {
        "provider_name": name, "provider_npi": bp.npi,
        "provider_address": [x for x in (bp.address1, bp.address2,
                                         f"{bp.city}, {bp.state} {bp.zip[:5]}") if x],
        "date": today, "to_lines": to_lines, "address_missing": missing,
        "claim_id": first.claim_id, "payer_claim_number": first.payer_claim_number,
        "trace_number": first.trace_number, "contract": contract,
        "basis_phrase": ("the rates of our contract with you" if contract else
                         "the Medicare Physician Fee Schedule amount"),
        "lines": [{"code": f.code, "modifiers": ":".join(f.modifiers), "units": f.units,
                   "date_of_service": f.date_of_service.isoformat() if f.date_of_service else "",
                   "line_control_number": f.line_control_number, "charge": f.charge,
                   "allowed": f.allowed, "allowed_source": f.allowed_source,
                   "expected": f.expected_allowed, "short": f.short, "basis": f.basis,
                   "reason": f.reason} for f in claim],
        "total": sum((f.short for f in claim), Decimal("0")),
        "deadline": min((f.deadline for f in claim if f.deadline), default=None),
        "payment_date": first.payment_date.isoformat() if first.payment_date else "",
        "signer": practice.letters.signer_name or name,
    }


def write_disputes(url: str | None, line_ids: Sequence[int], out_dir: str | Path,
                   practice: str | Path, *, sent: bool = False, by: str | None = None,
                   note: str | None = None, on: date | None = None,
                   as_of: date | None = None) -> DisputeResult:
    today = as_of or date.today()
    check = underpayments(url, Pricer(load_practice(practice)), line_ids=line_ids)
    found = {f.line_id: f for f in check.findings}
    refused: list[tuple[int, str]] = []
    by_claim: dict[str, list[Finding]] = defaultdict(list)
    for lid in dict.fromkeys(line_ids):
        f = found.get(lid)
        if f is None:
            refused.append((lid, "not an underpaid line (paid right, no basis, or no such "
                                 "835 line): see `dermclaim underpayments`"))
        elif f.kind == "overpaid":
            refused.append((lid, "allowed above its basis: an overpayment is refunded, not "
                                 "disputed"))
        elif f.status not in ("open", "appealed"):
            refused.append((lid, f"status {f.status}: nothing left to dispute"))
        else:
            by_claim[f.claim_id].append(f)
    rendered = []
    for claim_id, items in sorted(by_claim.items()):
        ctx = _context(items, practice, today)
        rendered.append((claim_id, items, ctx, render("dispute.html", **ctx),
                         render("dispute.txt", **ctx)))
    folder = Path(out_dir)
    letters = []
    if rendered:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{folder}: cannot create the letter folder: {exc.strerror}"
                             ) from None
    for claim_id, items, ctx, html, text in rendered:  # every letter rendered: now write
        stem = folder / f"{safe_file_name(claim_id)}-dispute"
        write_atomically(stem.with_suffix(".html"), html)
        write_atomically(stem.with_suffix(".txt"), text)
        letters.append(DisputeLetter(claim_id, str(stem.with_suffix(".html")),
                                     str(stem.with_suffix(".txt")),
                                     tuple(f.line_id for f in items),
                                     ctx["total"], ctx["deadline"]))  # type: ignore[arg-type]
    moved: list[int] = []
    if sent and letters:
        with session_scope(url) as s:
            for x in letters:
                for f in by_claim[x.claim_id]:
                    if f.status == "open":
                        move_in(s, f.line_id, "appealed", note=note or "payment dispute letter",
                                by=by, on=on or today, expected=f.expected_allowed,
                                short=f.short)
                        moved.append(f.line_id)
    return DisputeResult(letters, refused, moved)
