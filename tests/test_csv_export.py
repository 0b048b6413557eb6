"""CSV exports are safe to open in a spreadsheet (OWASP CSV injection guidance): a cell
beginning with =, +, -, @, tab or CR is prefixed with ' so it is shown, not evaluated."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from remit_helpers import DOS

from dermclaim.cli import main
from edi.x835.answers import (
    BilledClaim,
    BilledLine,
    build_remittance,
    claim_payment,
    deny,
    remittance_text,
)
from reconcile.reports.csv_export import csv_text, safe_cell


@pytest.mark.parametrize(("cell", "written"), [
    ('=HYPERLINK("http://x.example","click")', '\'=HYPERLINK("http://x.example","click")'),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-12.50", "-12.50"),  # a plain number is not a formula
    ("DC-1004", "DC-1004"),
    ("0001234", "0001234"),
    (None, ""),
])
def test_formula_cells_are_neutralised(cell: str | None, written: str) -> None:
    assert safe_cell(cell) == written


def test_every_cell_is_quoted_and_reads_back() -> None:
    text = csv_text(["a", "b"], [{"a": "=1+1", "b": 'say "hi", ok'}])
    assert text.splitlines()[1] == '"\'=1+1","say ""hi"", ok"'
    assert list(csv.DictReader(io.StringIO(text))) == [{"a": "'=1+1", "b": 'say "hi", ok'}]


def test_a_payer_claim_id_that_is_a_formula_is_not_one_in_the_worklist(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    evil = BilledClaim("=HYPERLINK(1)", "", DOS,
                       (BilledLine("", "11200", (), 1, Decimal("70.00"), DOS),))
    payment = claim_payment(evil, [deny(evil.lines[0], "CO", "97")],
                            payer_claim_number="@SUM(1+1)")
    f = tmp_path / "evil.835"
    f.write_text(remittance_text([build_remittance(
        [payment], payer_name="SOME PLAN", payer_id="99999", payment_date=date(2026, 10, 20),
        trace_number="EFT9")]))
    assert CliRunner().invoke(main, ["remit", "load", str(f), "--db", url]).exit_code == 0
    out = tmp_path / "w.csv"
    r = CliRunner().invoke(main, ["worklist", "-o", str(out), "--db", url,
                                  "--as-of", "2026-10-21"])
    assert r.exit_code == 0, r.output
    cells = [c for row in csv.reader(out.open(newline="")) for c in row]
    assert "'=HYPERLINK(1)" in cells and "'@SUM(1+1)" in cells
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
