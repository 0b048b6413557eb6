"""Helpers for the reconcile tests: submitted claims written straight into the store, and
remittances answering them built with `edi.x835.answers`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from edi.x835.answers import BilledClaim, BilledLine
from reconcile.store.database import session_scope
from reconcile.store.models import Interchange, SubmittedClaim, SubmittedLine
from reconcile.store.submissions import next_control_numbers

DOS = date(2026, 10, 1)
LineSpec = tuple  # (code, modifiers, units, charge[, encounter procedure index])


def add_submitted(url: str, claim_id: str, lines: Sequence[LineSpec], payer: str = "medicare",
                  dos: date = DOS, encounter: dict | None = None,  # type: ignore[type-arg]
                  lcn_prefix: str | None = None) -> BilledClaim:
    """Record one submitted claim (own interchange) and return it as billed."""
    now = datetime(2026, 10, 2, tzinfo=UTC)
    with session_scope(url) as s:
        n = next_control_numbers(s, groups=1, transactions=1).isa13
        ic = Interchange(control_number=n, file_name=f"t{n}.837", file_hash="0" * 64,
                         created_at=now)
        s.add(ic)
        s.flush()
        total = sum((Decimal(ln[3]) for ln in lines), Decimal("0"))
        sc = SubmittedClaim(interchange_id=ic.id or 0, claim_id=claim_id,
                            encounter_claim_id=claim_id, payer=payer, payer_id="12502",
                            date_of_service=dos, total_charge=total, group_control_number=1,
                            transaction_control_number="0001",
                            encounter_json=json.dumps(encounter or {}), submitted_at=now)
        s.add(sc)
        s.flush()
        billed = []
        for i, (code, mods, units, charge, *proc) in enumerate(lines, 1):
            lcn = f"{lcn_prefix or claim_id}-{i}"
            s.add(SubmittedLine(claim_row_id=sc.id or 0, line_number=i, line_control_number=lcn,
                                code=code, modifiers=":".join(mods), units=units,
                                charge=Decimal(charge), date_of_service=dos,
                                procedure_index=proc[0] if proc else None))
            billed.append(BilledLine(lcn, code, mods, units, Decimal(charge), dos))
    return BilledClaim(claim_id, payer, dos, tuple(billed))
