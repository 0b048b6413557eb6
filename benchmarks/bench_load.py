"""Load throughput of `reconcile.load` on a large synthetic 835.

    .venv/bin/python benchmarks/bench_load.py                 # 20,000 claims, SQLite
    .venv/bin/python benchmarks/bench_load.py --claims 5000 --db postgresql+psycopg://...

Builds N submitted claims (4 lines each) in a fresh store with bulk inserts, writes an 835
answering them (a quarter of the lines denied with various CARCs, a tenth of the claims
from another system so they do not match) through the streaming 835 writer, then times
`load_remittance_files` and prints claims/s and lines/s. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import sqlalchemy as sa

from edi.x835.model import ClaimPayment
from edi.x835.writer import Writer835
from reconcile.load import load_remittance_files
from reconcile.remit_builder import (
    BilledClaim,
    BilledLine,
    build_remittance,
    claim_payment,
    deny,
    pay,
)
from reconcile.store.database import get_engine
from reconcile.store.models import Interchange, SubmittedClaim, SubmittedLine

DOS = date(2026, 9, 1)
CODES = [("99213", ("25",), 1, "120.00"), ("11102", (), 1, "150.00"),
         ("17003", (), 5, "75.00"), ("17110", (), 1, "95.00")]
DENIALS = [("CO", "97", ("M15",)), ("CO", "151", ("N362",)), ("CO", "96", ("N425",)),
           ("CO", "50", ()), ("CO", "16", ("M127",)), ("OA", "18", ())]


def seed_store(url: str, n: int) -> list[BilledClaim]:
    engine = get_engine(url)
    now = datetime(2026, 9, 2, tzinfo=UTC)
    billed = []
    with engine.begin() as conn:
        ic = conn.execute(sa.insert(Interchange.__table__).returning(Interchange.__table__.c.id),
                          [dict(control_number=1, file_name="bench.837", file_hash="0" * 64,
                                created_at=now)]).scalar_one()
        for start in range(0, n, 2000):
            ids = [f"B{i:07d}" for i in range(start, min(n, start + 2000))]
            rows = [dict(interchange_id=ic, claim_id=c, encounter_claim_id=c, payer="medicare",
                         payer_id="12502", frequency="1", date_of_service=DOS,
                         total_charge=Decimal("440.00"), group_control_number=1,
                         transaction_control_number="0001", encounter_json=json.dumps({}),
                         submitted_at=now) for c in ids]
            t = SubmittedClaim.__table__
            pks = conn.execute(sa.insert(t).returning(t.c.id, sort_by_parameter_order=True),
                               rows).scalars().all()
            lines = []
            for pk, c in zip(pks, ids, strict=True):
                bl = []
                for k, (code, mods, units, charge) in enumerate(CODES, 1):
                    lines.append(dict(claim_row_id=pk, line_number=k,
                                      line_control_number=f"{c}-{k}", code=code,
                                      modifiers=":".join(mods), units=units,
                                      charge=Decimal(charge), date_of_service=DOS))
                    bl.append(BilledLine(f"{c}-{k}", code, mods, units, Decimal(charge), DOS))
                billed.append(BilledClaim(c, "medicare", DOS, tuple(bl)))
            conn.execute(sa.insert(SubmittedLine.__table__), lines)
    return billed


def answers(billed: list[BilledClaim]) -> list[ClaimPayment]:
    out = []
    for i, c in enumerate(billed):
        if i % 10 == 9:  # sent by another system
            c = BilledClaim(f"X{c.claim_id}", c.payer, c.date_of_service, tuple(
                BilledLine("", ln.code, ln.modifiers, ln.units, ln.charge, DOS)
                for ln in c.lines))
        lines = []
        for k, ln in enumerate(c.lines):
            if (i + k) % 4 == 0:
                group, carc, remarks = DENIALS[(i // 4 + k) % len(DENIALS)]
                lines.append(deny(ln, group, carc, *remarks))
            else:
                lines.append(pay(ln))
        out.append(claim_payment(c, lines, payer_claim_number=f"ICN{i:09d}"))
    return out


def write_835(path: Path, billed: list[BilledClaim]) -> None:
    claims = answers(billed)
    header = build_remittance(claims[:1], payer_name="MEDICARE PART B", payer_id="12502",
                              payment_date=date(2026, 9, 20), trace_number="BENCH").header
    total = sum((c.paid for c in claims), Decimal("0"))
    header = attrs.evolve(header, payment=attrs.evolve(header.payment, amount=total))
    with path.open("w") as fh:
        w = Writer835(fh.write, sender_id="12502", receiver_id="DERMCLAIM",
                      interchange_control_number=1, now=datetime(2026, 9, 20))
        w.begin_transaction(header)
        for cp in claims:
            w.claim(cp)
        w.end_transaction(())
        w.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=20000)
    ap.add_argument("--db", default=None, help="store URL (default: a temporary SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        t0 = time.perf_counter()
        billed = seed_store(url, args.claims)
        remit = Path(tmp) / "bench.835"
        write_835(remit, billed)
        t1 = time.perf_counter()
        summary = load_remittance_files([remit], url)
        t2 = time.perf_counter()
        f = summary.files[0]
        assert f.status == "loaded", f.message
        secs = t2 - t1
        print(f"setup (store + 835 of {remit.stat().st_size / 1e6:.1f} MB): {t1 - t0:.1f}s")
        print(f"loaded {f.claims} claims / {f.lines} lines in {secs:.2f}s on "
              f"{url.split(':')[0]}: {f.claims / secs:,.0f} claims/s, "
              f"{f.lines / secs:,.0f} lines/s")
        print(f"matched {f.lines_matched}, unmatched {f.lines_unmatched}, "
              f"denials {sum(f.denials.values())} {dict(f.denials)}")


if __name__ == "__main__":
    main()
