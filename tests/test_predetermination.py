"""A predetermination is not an adjudication (issue 21): a claim answered only by CLP02 =
25 showed in `claims status` as adjudicated ("nothing paid (patient responsibility)") and
left follow-up; the report said "5 adjudicated" in its headline and "Adjudicated 6" in the
pipeline. It is now `predetermined`, still followed (overdue when no adjudication comes),
and the headline and the pipeline count the same adjudicated claims."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner, Result
from sqlmodel import select
from test_appeal_letters import _answers, _submit

from dermclaim.cli import main
from edi.x835.answers import build_remittance, claim_payment, remittance_text
from reconcile.store.database import session_scope
from reconcile.store.models import SubmittedClaim


def _run(*args: str, code: int = 0) -> Result:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r


def test_a_predetermination_is_its_own_status(store_url: str, tmp_path: Path) -> None:
    paid = _submit(store_url, "17-biopsy-and-ak-destruction-distinct-sites.json", "PD-1")
    estimate = _submit(store_url, "02-ak-destruction-16.json", "PD-2")
    with session_scope(store_url) as s:  # sent on a known day (the overdue clock)
        for row in s.exec(select(SubmittedClaim)).all():
            row.submitted_at = datetime(2026, 4, 1, tzinfo=UTC)
            s.add(row)
    f = tmp_path / "answers.835"
    f.write_text(remittance_text([build_remittance(
        [claim_payment(paid, _answers(paid, {}), payer_claim_number="ICN-1"),
         claim_payment(estimate, _answers(estimate, {}), payer_claim_number="ICN-2",
                       status="25")],
        payer_name="MEDICARE PART B", payer_id="12502", payment_date=date(2026, 4, 10),
        trace_number="T-PD")]))
    _run("remit", "load", str(f), "--db", store_url)

    rows = {r["claim_id"]: r for r in json.loads(_run(
        "claims", "status", "--as-of", "2026-04-15", "--json", "--db", store_url).output)}
    assert rows["PD-1"]["status"] == "adjudicated"
    assert rows["PD-2"]["status"] == "predetermined"
    assert "predetermination" in rows["PD-2"]["reason"]
    assert "patient responsibility" not in rows["PD-2"]["reason"]
    only = json.loads(_run("claims", "status", "--status", "predetermined", "--as-of",
                           "2026-04-15", "--json", "--db", store_url).output)
    assert [r["claim_id"] for r in only] == ["PD-2"]
    # still followed: no adjudication long after it was sent -> overdue
    later = {r["claim_id"]: r for r in json.loads(_run(
        "claims", "status", "--as-of", "2026-09-01", "--json", "--db", store_url).output)}
    assert later["PD-2"]["status"] == "late" and later["PD-1"]["status"] == "adjudicated"

    out = tmp_path / "report.html"
    _run("report", "-o", str(out), "--as-of", "2026-04-15", "--status", "all", "--db",
         store_url)
    html = out.read_text()
    headline = int(re.search(r"<p>(\d+) adjudicated claims", html).group(1))  # type: ignore[union-attr]
    card = int(re.search(r'<div class="k">Adjudicated</div><div class="v">(\d+)</div>',
                         html).group(1))  # type: ignore[union-attr]
    predetermined = int(re.search(r"Predetermined[^<]*</div><div class=\"v\">(\d+)</div>",
                                  html).group(1))  # type: ignore[union-attr]
    assert headline == card == 1 and predetermined == 1
    assert "(1 predeterminations, not adjudicated, counted apart)" in html
