"""Matching 835 service lines back to the submitted 837P lines, in batches.

Rules, strongest first, each recorded on the remittance line as `match_rule`:

- `ref_6r`: the SVC loop's REF*6R equals a submitted `line_control_number` (preferring the
  submission whose CLM01 is the CLP01, then the latest submission);
- `claim_code_mods_date_charge`: within the claim (CLP01 = submitted CLM01, latest
  submission), the same code (SVC06 when the payer recoded), modifiers, date and charge;
- `claim_code_mods_date`, `claim_code_date_charge`, `claim_code_date`: the same with one
  attribute relaxed (a payer that echoes a re-priced charge or drops a modifier), each pass
  run over every still-unmatched line before the next looser pass;
- `unmatched`: a claim the store never saw (sent by another system) or a line not found.

A submitted line answers at most one service line of a claim payment. One batch of claim
payments costs three queries, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from attrs import frozen

from edi.x835.model import ClaimPayment, ServiceLine
from reconcile.store.remit_read import SentClaimRow, SentLineRow, submitted_candidates

if TYPE_CHECKING:
    from sqlmodel import Session

RULES = ("ref_6r", "claim_code_mods_date_charge", "claim_code_mods_date",
         "claim_code_date_charge", "claim_code_date", "unmatched")
__all__ = ["RULES", "SentClaimRow", "SentLineRow", "LineMatch", "ClaimMatch", "match_claims",
           "match_claim"]


@frozen
class LineMatch:
    submitted: SentLineRow | None
    rule: str


UNMATCHED = LineMatch(None, "unmatched")  # frozen: one instance serves every unmatched line


@frozen
class ClaimMatch:
    submitted: SentClaimRow | None
    lines: tuple[LineMatch, ...]


def match_claims(session: Session, claims: Sequence[ClaimPayment],
                 payer: str | None = None) -> list[ClaimMatch]:
    """Match a batch of claim payments to the store's submitted claims and lines. `payer`
    (the guide of the 835's payer) prefers that payer's submission of a claim id, so a
    primary's 835 finds the primary claim and a secondary's the secondary claim."""
    rows = submitted_candidates(
        session, (c.patient_control_number for c in claims),
        (s.control_number for c in claims for s in c.service_lines if s.control_number))
    # index once per batch, so each claim only meets its own candidates (linear, not n^2)
    by_id: dict[str, set[int]] = defaultdict(set)
    by_lcn: dict[str, set[int]] = defaultdict(set)
    for cid, row in rows.items():
        by_id[row.claim_id].add(cid)
        for ln in row.lines:
            by_lcn[ln.line_control_number].add(cid)
    out = []
    for c in claims:
        ids = set(by_id.get(c.patient_control_number, ()))
        for svc in c.service_lines:
            if svc.control_number:
                ids |= by_lcn.get(svc.control_number, set())
        out.append(match_claim(c, [rows[i] for i in sorted(ids)], payer))
    return out


def match_claim(claim: ClaimPayment, candidates: Iterable[SentClaimRow],
                payer: str | None = None) -> ClaimMatch:
    """Match one claim payment against candidate submitted claims (pure; tested directly)."""
    cands = list(candidates)
    if not cands:  # a claim the store never saw (sent by another system): nothing to match
        return ClaimMatch(None, (UNMATCHED,) * len(claim.service_lines))
    if payer is not None and any(c.payer == payer for c in cands):
        # the same claim sent to two payers (primary, then secondary): this payer's copy
        cands = [c for c in cands if c.payer == payer]
    same_id = [c for c in cands if c.claim_id == claim.patient_control_number]
    latest = max(same_id, key=lambda c: c.id) if same_id else None
    by_lcn: dict[str, list[tuple[SentClaimRow, SentLineRow]]] = defaultdict(list)
    for c in cands:
        for ln in c.lines:
            by_lcn[ln.line_control_number].append((c, ln))

    n = len(claim.service_lines)
    found: list[LineMatch | None] = [None] * n
    used: set[int] = set()
    for i, svc in enumerate(claim.service_lines):
        if not svc.control_number or svc.control_number not in by_lcn:
            continue
        options = [o for o in by_lcn[svc.control_number] if o[1].id not in used]
        if not options:
            continue
        best = max(options, key=lambda o: (latest is not None and o[0].id == latest.id,
                                           o[0].claim_id == claim.patient_control_number,
                                           o[0].id))
        found[i] = LineMatch(best[1], "ref_6r")
        used.add(best[1].id)
        if latest is None:
            latest = best[0]

    if latest is not None:
        claim_date = _claim_date(claim) or latest.date_of_service
        keys: list[tuple[str, Callable[[str, tuple[str, ...], date | None, Decimal | None],
                                       tuple[object, ...]]]] = [
            ("claim_code_mods_date_charge", lambda c, m, d, ch: (c, m, d, ch)),
            ("claim_code_mods_date", lambda c, m, d, ch: (c, m, d)),
            ("claim_code_date_charge", lambda c, m, d, ch: (c, d, ch)),
            ("claim_code_date", lambda c, m, d, ch: (c, d)),
        ]
        for rule, key in keys:
            for i, svc in enumerate(claim.service_lines):
                if found[i] is not None:
                    continue
                want = key(*_svc_key(svc, claim_date))
                for ln in latest.lines:
                    if ln.id in used or ln.charge is None and "charge" in rule:
                        continue
                    if key(ln.code, ln.modifiers, ln.date_of_service, ln.charge) == want:
                        found[i] = LineMatch(ln, rule)
                        used.add(ln.id)
                        break
    lines = tuple(m if m is not None else UNMATCHED for m in found)
    return ClaimMatch(latest, lines)


def _svc_key(svc: ServiceLine, claim_date: date | None
             ) -> tuple[str, tuple[str, ...], date | None, Decimal | None]:
    return (svc.submitted_code, tuple(svc.submitted_modifiers),
            svc.service_date or claim_date, svc.charge)


def _claim_date(claim: ClaimPayment) -> date | None:
    for d in claim.dates:
        if d.qualifier in ("232", "472", "150"):
            return d.value
    return None
