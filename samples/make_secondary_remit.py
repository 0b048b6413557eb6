"""Regenerate samples/secondary.835: the next payers' answers to the sample COB claims.

    .venv/bin/python samples/make_secondary_remit.py     # reads samples/remit.835

The primary answers of the claims with a second coverage (DC-1021 crossed over by
Medicare to the Medigap plan, DC-1022 and DC-1023 billed by `dermclaim secondary`) are read
back from samples/remit.835 and answered by their next payer (`samples.cob_answers.
secondary_payments`: CLP02 2, OA-23 for the prior payer's payment, CO-45 for its
write-down, the coinsurance paid, a copay left to one patient), one 835 transaction per
payer, through the 835 writer.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a script: `samples.cob_answers` beside it


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--remit", default=str(HERE / "remit.835"))
    ap.add_argument("-o", "--output", default=str(HERE / "secondary.835"))
    ap.add_argument("--date", default="2026-05-04", help="the secondary payers' payment date")
    args = ap.parse_args(argv)

    from edi.x835.answers import build_remittance, remittance_text
    from edi.x835.reader import read_835_path
    from samples.cob_answers import COB_CLAIMS, PAYERS, secondary_payments

    primary = [c for r in read_835_path(args.remit) for c in r.claims
               if c.patient_control_number in COB_CLAIMS]
    paid_on = date.fromisoformat(args.date)
    remits = []
    for i, (guide, claims) in enumerate(sorted(secondary_payments(primary).items()), 1):
        name, payer_id = PAYERS[guide]
        remits.append(build_remittance(claims, payer_name=name, payer_id=payer_id,
                                       payment_date=paid_on, trace_number=f"SEC2026{i:05d}",
                                       control_number=f"{i:04d}",
                                       interchange_control_number="000000201"))
    Path(args.output).write_text(remittance_text(remits), encoding="ascii")
    print(f"wrote {args.output}: {sum(len(r.claims) for r in remits)} claims from "
          f"{len(remits)} secondary payers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
