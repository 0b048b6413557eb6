"""`dermclaim ack show`: a 999's sets and errors and a 277CA's statuses, without a store;
every file of ../shared/x12-corpus/ack read (when present), counts checked against the raw
segments independently of the readers."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import corpus_params

from dermclaim.cli import main
from edi.x277.model import ClaimAck, LineAck
from edi.x277.writer import render_277, status
from edi.x999.model import ElementError, SegmentError
from edi.x999.writer import accept, answer_group, reject, render_999

ROOT = Path(__file__).resolve().parent.parent
WHEN = datetime(2026, 4, 2, 9, 30)
NPI_ERROR = SegmentError("NM1", 9, "2010AA", "8", 0, (ElementError(9, None, None, "67", "7", 0),))


def _meanings() -> dict[tuple[str, str], str]:
    """The 999 code table read directly (not through edi.ack_codes)."""
    text = (ROOT / "edi" / "data" / "ack_999_codes.csv").read_text()
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {(r["element"], r["code"]): r["meaning"] for r in rows}


def _show(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["ack", "show", *args], input=stdin)
    return r.exit_code, r.stdout, r.stderr


def _segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def test_a_999_with_a_rejected_set_shows_every_code_with_its_meaning(tmp_path: Path) -> None:
    text = render_999([answer_group("7", "005010X222A1",
                                    [accept("0001"), reject("0002", [NPI_ERROR])])],
                      sender="EXCLEARINGHSE", receiver="SPRDERM01", control=501, when=WHEN)
    code, out, err = _show("-", "--json", stdin=text)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["file"] == "<stdin>" and doc["kind"] == "999"
    group = doc["items"][0]["group"]
    m = _meanings()
    assert (group["group_control_number"], group["code"]) == ("7", "P")
    assert group["meaning"] == m[("AK901", "P")]
    assert (group["included"], group["received"], group["accepted_count"]) == (2, 2, 1)
    ok, bad = group["transaction_sets"]
    assert (ok["control_number"], ok["accepted"], ok["segment_errors"]) == ("0001", True, [])
    assert (bad["control_number"], bad["accepted"], bad["code"]) == ("0002", False, "R")
    assert bad["error_codes"] == [{"code": "5", "meaning": m[("IK502", "5")]}]
    seg = bad["segment_errors"][0]
    assert (seg["segment_id"], seg["position"], seg["loop"], seg["code"]) == \
        ("NM1", 9, "2010AA", "8")
    assert seg["meaning"] == m[("IK304", "8")]
    el = seg["elements"][0]
    assert (el["position"], el["element_reference"], el["code"]) == (9, "67", "7")
    assert el["meaning"] == m[("IK403", "7")]
    assert doc["totals"] == {"transactions": 1, "transaction_sets": 2, "accepted_sets": 1,
                             "rejected_sets": 1, "findings": 0}
    path = tmp_path / "a.999"
    path.write_text(text)
    code, out, _ = _show(str(path))
    assert code == 0
    assert "AK2 set 837 0002" in out and "IK3 NM1 position 9 loop 2010AA: 8" in out
    assert "IK4 NM109 (element 67): 7" in out and f"AK9 P {m[('AK901', 'P')]}" in out


def test_a_277ca_shows_statuses_of_claims_and_lines(tmp_path: Path) -> None:
    on = date(2026, 4, 3)
    line = LineAck("HC", "11104", ("RT",), Decimal("120.00"),
                   (status("A7", "21", "", on),), "C-2-1", on, 0)
    acks = [ClaimAck("C-1", (status("A7", "562", "85", on, Decimal("870.00")),), "PCN1", None,
                     on, on, "1234567893", 0),
            ClaimAck("C-2", (status("A2", "20", "", on, Decimal("120.00")),), "PCN2", None,
                     on, on, "1234567893", 0, (line,))]
    path = tmp_path / "a.277"
    path.write_text(render_277(acks, source=("PR", "MEDICARE PART B", "PI", "12502"),
                               receiver="SPRDERM01", control=601, when=WHEN))
    code, out, err = _show(str(path), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["kind"] == "277CA"
    claims = {c["claim_id"]: c for c in doc["items"][0]["claims"]}
    assert set(claims) == {"C-1", "C-2"}
    c1 = claims["C-1"]["statuses"][0]
    assert claims["C-1"]["rejected"] and c1["codes"][0]["code"] == "A7:562:85"
    assert c1["charge"] == "870.00" and c1["effective"] == "2026-04-03"
    assert "NPI" in c1["codes"][0]["meaning"] or "Provider Identifier" in c1["codes"][0]["meaning"]
    c2 = claims["C-2"]
    assert c2["rejected"]  # a rejected line: the claim must go again
    assert c2["lines"][0]["line_control_number"] == "C-2-1"
    assert c2["lines"][0]["statuses"][0]["codes"][0]["code"] == "A7:21"
    assert doc["totals"]["claims"] == 2 and doc["totals"]["rejected_claims"] == 2
    code, out, _ = _show(str(path))
    assert "claim C-1: REJECTED  payer claim PCN1" in out and "line C-2-1 11104:RT" in out


def test_not_an_acknowledgment_is_exit_2_naming_the_file() -> None:
    code, out, err = _show(str(ROOT / "samples" / "remit.835"))
    assert code == 2 and out == ""
    assert "remit.835: ST01 is 835" in err and "remit show" in err
    code, _, err = _show("-", stdin="not x12 at all")
    assert code == 2 and "<stdin>" in err and "Traceback" not in err


@pytest.mark.parametrize("path", corpus_params("ack"))
def test_every_corpus_acknowledgment_is_shown(path: Path | None) -> None:
    assert path is not None
    if path.suffix.lower() == ".md":
        pytest.skip("the corpus notes, not an X12 file")
    text = path.read_text(errors="replace")
    segs = _segments(text)
    kind = next(s[1] for s in segs if s[0] == "ST")
    code, out, err = _show(str(path), "--json")
    assert code == 0, err
    doc = json.loads(out)
    if kind == "999":
        assert doc["totals"]["transaction_sets"] == sum(1 for s in segs if s[0] == "AK2")
        assert doc["totals"]["rejected_sets"] == sum(1 for s in segs
                                                     if s[0] == "IK5" and s[1] in "RMWX")
    else:
        patients = sum(1 for s in segs if s[0] == "HL" and len(s) > 3 and s[3] == "PT")
        assert doc["totals"]["claims"] == patients
    code, text_out, _ = _show(str(path))
    assert code == 0 and text_out.startswith(f"{path}: ")
