"""One set of figures under every filter (issue 18): `report --json` draws billed, paid,
denied, denial rate, recovered and overturn rate from the ledger over the filters' scope,
so figures add up across the values of a filter (commercial + medicare = all), the charts
agree with the figures, and the page names the filters."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from remit_helpers import add_submitted

from dermclaim.cli import main
from edi.x835.answers import build_remittance, claim_payment, deny, pay, remittance_text
from edi.x835.model import ClaimPayment

MONEY = ("billed", "paid", "denied", "recovered", "allowed", "patient_responsibility",
         "contractual")
COUNTS = ("claims", "lines", "denied_lines", "overturned_lines")


def _run(*args: str, code: int = 0) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r.output


def _load(url: str, tmp: Path, name: str, payer: str, claims: list[ClaimPayment],
          paid_on: date) -> None:
    payer_name, payer_id = (("MEDICARE PART B", "12502") if payer == "medicare"
                            else ("ACME HEALTH", "60054"))
    f = tmp / f"{name}.835"
    f.write_text(remittance_text([build_remittance(
        claims, payer_name=payer_name, payer_id=payer_id, payment_date=paid_on,
        trace_number=f"T-{name}")]))
    _run("remit", "load", str(f), "--db", url)


@pytest.fixture()
def store(store_url: str, tmp_path: Path) -> str:
    """Two payers, three codes, four causes; one denial appealed, one overturned by a later
    835 (same payer claim number), one written off. On each backend."""
    url = store_url
    answers = {}
    for payer in ("medicare", "commercial"):
        p = payer[0].upper()
        a = add_submitted(url, f"{p}A", [("99213", (), 1, "120.00"), ("11102", (), 1, "150.00"),
                                          ("17110", (), 1, "95.00")], payer=payer)
        b = add_submitted(url, f"{p}B", [("11102", (), 1, "160.00"), ("17110", (), 1, "80.00")],
                          payer=payer)
        c = add_submitted(url, f"{p}C", [("99213", (), 1, "130.00")], payer=payer)
        _load(url, tmp_path, f"{payer}-1", payer, [
            claim_payment(a, [deny(a.lines[0], "CO", "97"), pay(a.lines[1]),
                              deny(a.lines[2], "CO", "96", "N425")], payer_claim_number=f"{p}1"),
            claim_payment(b, [pay(b.lines[0]), deny(b.lines[1], "CO", "50")],
                          payer_claim_number=f"{p}2"),
            claim_payment(c, [deny(c.lines[0], "CO", "16", "M127")], payer_claim_number=f"{p}3"),
        ], date(2026, 10, 20))
        answers[payer] = (a, b, c)
    # medicare pays the 99213 of MA on a later 835 (same CLP07): an overturn
    a, b, c = answers["medicare"]
    _load(url, tmp_path, "medicare-2", "medicare", [
        claim_payment(type(a)(a.claim_id, a.payer, a.date_of_service, (a.lines[0],)),
                      [pay(a.lines[0])], payer_claim_number="M1")], date(2026, 11, 20))
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", url))
    by_claim = {(r["claim_id"], r["code"]): r["denial_id"] for r in rows}
    _run("denial", "set", str(by_claim[("CC", "99213")]), "--status", "appealed", "--on",
         "2026-11-02", "--db", url)
    _run("denial", "set", str(by_claim[("CB", "17110")]), "--status", "written_off", "--note",
         "no records", "--db", url)
    return url


def _report(url: str, *args: str) -> dict:  # type: ignore[type-arg]
    return json.loads(_run("report", "--json", "--as-of", "2026-11-25", *args, "--db", url))


def _add_up(url: str, option: str, values: list[str], *base: str) -> None:
    whole = _report(url, *base)
    parts = [_report(url, *base, option, v) for v in values]
    for k in MONEY:
        assert sum((Decimal(p[k]) for p in parts), Decimal("0")) == Decimal(whole[k]), (option, k)
    for k in ("denied_lines", "overturned_lines"):
        assert sum(p[k] for p in parts) == whole[k], (option, k)


def test_payers_add_up_to_all(store: str) -> None:
    _add_up(store, "--payer", ["medicare", "commercial"], "--status", "all")
    whole = _report(store, "--status", "all")
    parts = [_report(store, "--status", "all", "--payer", v) for v in ("medicare", "commercial")]
    for k in ("claims", "lines", "payments"):
        assert sum(p[k] for p in parts) == whole[k], k
    com = parts[1]
    # the commercial rate is the commercial denied over the commercial billed
    assert com["billed"] == "735.00" and com["denied"] == "425.00"
    assert Decimal(com["denial_rate"]) == (Decimal("425.00") / Decimal("735.00")).quantize(
        Decimal("0.0001"))
    assert com["filters"] == {"status": "all", "payer": "commercial", "cause": None,
                              "code": None, "since": None, "until": None}
    # the overturn counts with medicare only, its money is part of paid
    assert (parts[0]["overturned_lines"], parts[0]["recovered"]) == (1, "76.80")
    assert (com["overturned_lines"], com["recovered"]) == (0, "0.00")


def test_codes_causes_and_statuses_add_up(store: str) -> None:
    _add_up(store, "--code", ["99213", "11102", "17110"], "--status", "all")
    denied = _report(store, "--status", "all")
    causes = [g["key"] for g in denied["by_cause"]]
    assert len(causes) >= 3
    # every line with a denial has one cause: the causes add up to the denied lines
    by_cause = [_report(store, "--status", "all", "--cause", c) for c in causes]
    assert sum((Decimal(p["denied"]) for p in by_cause), Decimal("0")) == Decimal(
        denied["denied"])
    statuses = ["open", "appealed", "overturned", "written_off"]
    by_status = [_report(store, "--status", s) for s in statuses]
    for k in ("denied", "billed", "recovered"):
        assert sum((Decimal(p[k]) for p in by_status), Decimal("0")) == sum(
            (Decimal(p[k]) for p in by_cause), Decimal("0")), k
    # the default is the open work, as `denials`, `denials --by` and `worklist`
    work = _report(store)
    assert work["filters"]["status"] == ["open", "appealed", "upheld"]
    assert Decimal(work["denied"]) == Decimal(by_status[0]["denied"]) + Decimal(
        by_status[1]["denied"])
    listed = json.loads(_run("denials", "--json", "--db", store))
    grouped = json.loads(_run("denials", "--by", "cause", "--json", "--db", store))
    assert len(listed) == sum(g["lines"] for g in grouped) == work["denied_lines"]
    assert sum((Decimal(r["denied_amount"]) for r in listed), Decimal("0")) == Decimal(
        work["denied"])


def test_charts_follow_the_figures_under_every_filter(store: str) -> None:
    for args in ([], ["--status", "all"], ["--payer", "commercial"],
                 ["--status", "all", "--code", "17110"], ["--cause", "bundling"],
                 ["--status", "all", "--since", "2026-11-01"]):
        r = _report(store, *args)
        for chart in ("by_cause", "by_payer", "by_code", "by_month"):
            assert sum((Decimal(g["denied"]) for g in r[chart]), Decimal("0")) == Decimal(
                r["denied"]), (args, chart)
            assert sum(g["lines"] for g in r[chart]) == r["denied_lines"], (args, chart)


def test_html_names_the_filters(store: str, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    _run("report", "--status", "all", "--payer", "commercial", "--code", "17110", "-o",
         str(out), "--db", store)
    html = out.read_text()
    assert "Filters:</strong> status: every status; payer: commercial; code: 17110" in html
    r = _report(store, "--status", "all", "--payer", "commercial", "--code", "17110")
    assert f"{Decimal(r['billed']):,.2f}" in html and r["payments"] is None  # not a line's


def test_the_page_says_which_worklist_rows_the_csv_leaves_out(store: str, tmp_path: Path
                                                               ) -> None:
    """Past-deadline open work: the page shows it in red and says the worklist CSV has it
    only with --include-expired (the two views tell the same count)."""
    out = tmp_path / "late.html"
    _run("report", "-o", str(out), "--as-of", "2027-06-01", "--db", store)
    csv_out = _run("worklist", "-o", str(tmp_path / "w.csv"), "--as-of", "2027-06-01",
                   "--db", store)
    left = int(csv_out.split(", ")[-1].split(" past-deadline")[0])
    assert left > 0
    assert f"{left} past their deadline, in red (the worklist CSV has them only with" in " ".join(
        out.read_text().split())
