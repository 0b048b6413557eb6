"""`dermclaim remit show`: text summary, JSON, and clear errors without a traceback."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import corpus_params

from dermclaim.cli import main
from edi.x835.build import adjustment, claim_payment, plb, remittance, service_line
from edi.x835.writer import write_835


@pytest.fixture
def remit_file(tmp_path: Path) -> Path:
    line = service_line("11102", "150.00", "0", control_number="E1-1",
                        service_date=date(2026, 1, 5),
                        adjustments=[adjustment("CO", "97", "150.00")], remarks=["M15"])
    claims = [
        claim_payment("E1", "150.00", "0", lines=[line], status="4"),
        claim_payment("E0", "-80.00", "-80.00", status="22"),
    ]
    r = remittance(claims, provider_adjustments=[
        plb("1234567893", date(2026, 12, 31), ("WO", "X1", "5.00"), ("L6", "", "-1.00"))])
    path = tmp_path / "remit.835"
    path.write_text(write_835([r]), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_text_summary(remit_file: Path) -> None:
    code, out, err = run("remit", "show", str(remit_file))
    assert code == 0, err
    assert "claim E1  4 denied" in out
    assert "CO-97 $150.00  included in the allowance for another service" in out
    assert "remark M15 (separately billed services bundled" in out
    assert "claim E0  22 reversal" in out
    # each PLB item with its meaning (reconcile/remit/data/plb_reasons.csv, the TR3 PLB03-1 list)
    assert ("provider adjustment 1234567893 2026-12-31: WO X1 $5.00 (overpayment recovery); "
            "L6 -$1.00 (interest owed)") in out
    assert "totals: 2 claims, 1 line, paid -$80.00, adjusted $150.00" in out
    assert "findings: none" in out


def test_json(remit_file: Path) -> None:
    code, out, err = run("remit", "show", str(remit_file), "--json")
    assert code == 0, err
    data = json.loads(out)
    (tx,) = data["transactions"]
    assert tx["header"]["payment"]["amount"] == "84.00"  # -80 - (5 - 1): a debit
    assert tx["header"]["payment"]["credit_debit"] == "D"
    assert tx["header"]["payment"]["date"] == "2026-01-15"
    e1, e0 = tx["claims"]
    assert e0["is_reversal"] and not e1["is_reversal"]
    adj = e1["service_lines"][0]["adjustments"][0]
    assert adj["amount"] == "150.00" and adj["reason"] == "97"
    assert adj["reason_meaning"].startswith("included in the allowance")
    assert adj["group_meaning"].startswith("contractual obligation")
    assert e1["service_lines"][0]["remarks"][0]["meaning"].startswith("separately billed")
    assert Decimal(tx["trailer"]["total_paid"]) == Decimal("-80.00")
    assert tx["trailer"]["findings"] == []


@pytest.mark.parametrize("path", corpus_params("835"))
def test_every_corpus_file_shows_in_both_forms(path: Path) -> None:
    code, out, err = run("remit", "show", str(path))
    assert code == 0, err
    assert "totals:" in out
    code, out, err = run("remit", "show", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["transactions"]


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        # SE01 wrong because a CAS is lost: the data does not balance, so it is refused
        (lambda t: t[: t.index("CAS*")] + t[t.index("~", t.index("CAS*")) + 1:],
         "not whole"),
        (lambda t: t[: t.index("CAS*") + 6], "truncated"),
        (lambda t: t.replace("CLP*E1*", "SVC*HC:1*1*1~CLP*E1*", 1), "SVC"),
        (lambda t: "NOT AN X12 FILE", "ISA"),
    ],
    ids=["se-count", "cut", "svc-out-of-place", "not-x12"],
)
def test_broken_file_clear_message_no_traceback(remit_file: Path, mutate, words: str) -> None:  # type: ignore[no-untyped-def]
    remit_file.write_text(mutate(remit_file.read_text()), encoding="utf-8")
    for extra in ((), ("--json",)):
        code, _out, err = run("remit", "show", str(remit_file), *extra)
        assert code == 2
        assert err.startswith("dermclaim: error: ") and str(remit_file) in err
        assert words in err and "Traceback" not in err


def test_svc_out_of_place_names_segment_number_and_id(remit_file: Path) -> None:
    text = remit_file.read_text().replace("CLP*E1*", "SVC*HC:1*1*1~\nCLP*E1*", 1)
    remit_file.write_text(text, encoding="utf-8")
    code, _out, err = run("remit", "show", str(remit_file))
    assert code == 2
    number = text.split("~\n").index("SVC*HC:1*1*1") + 1
    assert f"segment {number}, SVC" in err and "loop 2000" in err


def test_missing_file_and_strict(tmp_path: Path, remit_file: Path) -> None:
    code, _out, err = run("remit", "show", str(tmp_path / "nope.835"))
    assert code == 2 and "nope.835" in err and "Traceback" not in err
    remit_file.write_text(remit_file.read_text().replace("SE*", "SE*").replace(
        "*0001~\nGE", "*0002~\nGE"), encoding="utf-8")
    assert run("remit", "show", str(remit_file))[0] == 0
    code, _out, err = run("remit", "show", str(remit_file), "--strict")
    assert code == 2 and "SE02" in err


def test_help_has_an_example() -> None:
    code, out, _err = run("remit", "show", "--help")
    assert code == 0 and "Example:" in out and "dermclaim remit show" in out
