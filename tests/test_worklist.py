"""The appeal worklist CSV, `dermclaim denials` (rows, --by, --since, --json) and
`dermclaim remit load` on the command line."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from remit_helpers import DOS, add_submitted

from dermclaim.cli import main
from edi.x835.answers import (
    BilledClaim,
    BilledLine,
    build_remittance,
    claim_payment,
    deny,
    pay,
    reduce,
    remittance_text,
)
from reconcile.reports.analytics import DENIAL_FIELDS, denial_rows, group_rows
from reconcile.reports.worklist import COLUMNS, write_worklist

PAID_ON = date(2026, 10, 20)


def _files(url: str, tmp: Path) -> list[Path]:
    b1 = add_submitted(url, "W1", [("99213", (), 1, "120.00"), ("11102", (), 1, "150.00")])
    b2 = add_submitted(url, "W2", [("17110", (), 1, "95.00"), ("17003", (), 14, "210.00")],
                       payer="commercial")
    c1 = claim_payment(b1, [deny(b1.lines[0], "CO", "97"), pay(b1.lines[1])],
                       payer_claim_number="ICN-W1")
    c2 = claim_payment(b2, [deny(b2.lines[0], "CO", "96", "N425"),
                            reduce(b2.lines[1], "CO", "151", Decimal("15.00"), "N362")],
                       payer_claim_number="ICN-W2")
    other = BilledClaim("X9", "", DOS, (BilledLine("", "11200", (), 1, Decimal("70.00"), DOS),))
    c3 = claim_payment(other, [deny(other.lines[0], "CO", "29")], payer_claim_number="ICN-X9")
    f1 = tmp / "medicare.835"
    f1.write_text(remittance_text([build_remittance(
        [c1], payer_name="MEDICARE PART B", payer_id="12502", payment_date=PAID_ON,
        trace_number="EFT1")]))
    f2 = tmp / "commercial.835"
    f2.write_text(remittance_text([build_remittance(
        [c2, c3], payer_name="SOME OTHER PLAN", payer_id="99999",
        payment_date=date(2026, 11, 3), trace_number="CHK7")]))
    return [f1, f2]


def _load(url: str, files: list[Path]) -> str:
    r = CliRunner().invoke(main, ["remit", "load", *map(str, files), "--db", url])
    assert r.exit_code == 0, r.output
    return r.output


def test_worklist_deadlines_and_order(store_url: str, tmp_path: Path) -> None:
    _load(store_url, _files(store_url, tmp_path))
    out = tmp_path / "work.csv"
    s = write_worklist(out, store_url, today=date(2026, 11, 10))
    rows = list(csv.DictReader(out.open()))
    assert tuple(rows[0]) == COLUMNS and s.rows == len(rows) == 4
    by_claim = {(r["claim_id"], r["code"]): r for r in rows}
    # medicare: 120 days; commercial (from the submitted claim): 180 days; a claim the store
    # never saw from a payer no guide names: the stated 60-day default
    assert by_claim[("W1", "99213")]["appeal_deadline"] == str(PAID_ON + timedelta(days=120))
    assert by_claim[("W2", "17110")]["appeal_deadline"] == str(date(2026, 11, 3)
                                                               + timedelta(days=180))
    assert by_claim[("X9", "11200")]["appeal_deadline"] == str(date(2026, 11, 3)
                                                               + timedelta(days=60))
    assert by_claim[("W1", "99213")]["payer_claim_number"] == "ICN-W1"
    assert by_claim[("W1", "99213")]["trace_number"] == "EFT1"
    assert by_claim[("X9", "11200")]["days_left"] == "53"
    deadlines = [r["appeal_deadline"] for r in rows]
    assert deadlines == sorted(deadlines)
    assert s.denied_amount == Decimal("300.00")
    # recoverable: missing_25 120 + count 15 (cosmetic and timely filing are not)
    assert s.recoverable_amount == Decimal("135.00") and s.past_deadline == 0


def test_denials_json_rows_groups_and_since(store_url: str, tmp_path: Path) -> None:
    _load(store_url, _files(store_url, tmp_path))
    run = CliRunner().invoke
    r = run(main, ["denials", "--json", "--db", store_url])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert all(tuple(d) == DENIAL_FIELDS for d in data)
    causes = {(d["claim_id"], d["code"]): (d["cause"], d["denied_amount"]) for d in data}
    assert causes == {("W1", "99213"): ("missing_25", "120.00"),
                      ("W2", "17110"): ("cosmetic", "95.00"),
                      ("W2", "17003"): ("count", "15.00"),
                      ("X9", "11200"): ("timely_filing", "70.00")}
    r = run(main, ["denials", "--by", "cause", "--json", "--db", store_url])
    groups = json.loads(r.output)
    assert groups[0] == {"key": "missing_25", "lines": 1, "denied_amount": "120.00",
                         "overturned": 0, "recovered_amount": "0.00", "overturn_rate": "0.00"}
    assert [g["denied_amount"] for g in groups] == ["120.00", "95.00", "70.00", "15.00"]
    r = run(main, ["denials", "--by", "month", "--json", "--db", store_url])
    assert [g["key"] for g in json.loads(r.output)] == ["2026-10", "2026-11"]
    r = run(main, ["denials", "--since", "2026-11-01", "--by", "payer", "--db", store_url])
    assert r.exit_code == 0 and "commercial" in r.output and "medicare" not in r.output
    r = run(main, ["denials", "--db", store_url])
    assert "missing_25" in r.output and "W1-1" in r.output


def test_bad_since_and_bad_db_are_clear_errors(tmp_path: Path) -> None:
    run = CliRunner().invoke
    r = run(main, ["denials", "--since", "yesterday", "--db", f"sqlite:///{tmp_path}/s.db"])
    assert r.exit_code == 2 and "--since" in r.output and "Traceback" not in r.output
    r = run(main, ["denials", "--db", "nosuchdb://x"])
    assert r.exit_code == 2 and "cannot use database URL" in r.output


def test_load_cli_reports_broken_file_and_exits_non_zero(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    files = _files(url, tmp_path)
    bad = tmp_path / "bad.835"
    bad.write_text(files[0].read_text()[:200])
    r = CliRunner().invoke(main, ["remit", "load", str(bad), *map(str, files), "--db", url])
    assert r.exit_code == 2  # an unreadable file is input unusable; the others load
    assert "bad.835" in r.stderr and "not loaded" in r.stderr and "Traceback" not in r.output
    assert "files: 2 loaded, 0 already loaded, 1 failed" in r.output
    again = _load(url, files)
    assert "already loaded" in again


def test_group_rows_rejects_unknown_key() -> None:
    from reconcile.errors import StoreError
    with pytest.raises(StoreError, match="--by"):
        group_rows([], "weekday")


def test_worklist_to_missing_directory_is_an_oserror(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    r = CliRunner().invoke(main, ["worklist", "-o", str(tmp_path / "w.csv"), "--db", url])
    assert r.exit_code == 2 and "no store at" in r.output and not (tmp_path / "s.db").exists()
    _load(url, _files(url, tmp_path))
    r = CliRunner().invoke(main, ["worklist", "-o", str(tmp_path / "no" / "w.csv"), "--db", url])
    assert r.exit_code == 2 and "no" in r.output and "Traceback" not in r.output
    assert len(denial_rows(url)) == 4


@pytest.mark.parametrize("cmd", [["remit", "load"], ["denials"], ["worklist"], ["report"],
                                 ["correct"]])
def test_every_command_documents_an_example(cmd: list[str]) -> None:
    r = CliRunner().invoke(main, [*cmd, "--help"])
    assert r.exit_code == 0 and "Example:" in r.output and "dermclaim " in r.output


def test_as_of_counts_days_from_the_given_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    _load(url, _files(url, tmp_path))
    out = tmp_path / "w.csv"
    r = CliRunner().invoke(main, ["worklist", "-o", str(out), "--as-of", "2027-12-31",
                                  "--db", url])
    assert r.exit_code == 0 and "4 past deadline" in r.output and "$0.00 recoverable" in r.output
    assert all(int(row["days_left"]) < 0 for row in csv.DictReader(out.open()))
    r = CliRunner().invoke(main, ["report", "-o", str(tmp_path / "r.html"), "--as-of", "soon",
                                  "--db", url])
    assert r.exit_code == 2 and "--as-of 'soon'" in r.output
