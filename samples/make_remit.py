"""Regenerate samples/remit.835: the payer's answer to the sample 837P.

    .venv/bin/python samples/make_remit.py            # writes samples/remit.835
    .venv/bin/python samples/make_remit.py --db URL   # answer the claims a store recorded

Without --db the sample encounters are coded and submitted into a throw-away store (the
same claim ids and REF*6R line control numbers `dermclaim claims` writes into
samples/claims.837), then `samples.answers.answer_claims` builds remittances with
paid, reduced and denied lines of every cause, written through the 835 writer.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a script: `samples.answers` beside it


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="store URL holding the submitted sample claims")
    ap.add_argument("-o", "--output", default=str(HERE / "remit.835"))
    args = ap.parse_args(argv)

    from coding.encounter import load_encounters
    from coding.engine import code_encounter
    from edi.practice import load_practice
    from edi.x835.answers import remittance_text
    from reconcile.store.submissions import submit_claims
    from samples.answers import answer_claims, billed_claims
    from samples.priced import ShortPaid, line_prices

    files = sorted((HERE / "encounters").glob("*.json"))
    last = max(date.fromisoformat(json.loads(f.read_text())["date_of_service"]) for f in files)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db
        if url is None:
            url = f"sqlite:///{tmp}/store.db"
            practice = load_practice(HERE / "practice.toml")
            coded = [code_encounter(e, fees=practice.fee_schedule)
                     for f in files for e in load_encounters(f)]
            now = datetime.combine(last + timedelta(days=3), datetime.min.time(), UTC)
            result = submit_claims(coded, practice, Path(tmp) / "claims.837", url=url, now=now)
            if result.held:
                for h in result.held:
                    print(h.describe(), file=sys.stderr)
                return 1
        shorted: list[ShortPaid] = []
        remits, expected = answer_claims(billed_claims(url), payment_date=last + timedelta(days=20),
                                         price=line_prices(HERE / "practice.toml"),
                                         shorted=shorted)
    Path(args.output).write_text(remittance_text(remits), encoding="ascii")
    causes = sorted({e.cause for e in expected})
    print(f"wrote {args.output}: {sum(len(r.claims) for r in remits)} claims, "
          f"{len(expected)} denied lines ({', '.join(causes)})")
    for sp in shorted:
        print(f"paid short: {sp.claim_id} {sp.line_control_number} {sp.code} allowed "
              f"{sp.allowed} of {sp.expected} ({sp.why})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
