"""`edi.validate`: pyx12 through its API, findings as data, our 837P checks added."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from claim_builders import claim, render
from conftest import corpus_params

from edi.errors import EdiError
from edi.validate import Level, ValidationFinding, segment_loops, validate_path, validate_text


@pytest.fixture(scope="module")
def good_text() -> str:
    return render([claim()]).text


def test_our_file_is_clean(good_text: str) -> None:
    report = validate_text(good_text, "ours.837")
    assert report.ok and report.findings == ()
    assert report.transaction_types == ("837",)
    assert report.segment_count == len([s for s in good_text.split("~") if s.strip()])


def test_pyx12_errors_carry_segment_number_id_and_loop(good_text: str) -> None:
    bad = good_text.replace("SV1*HC:11102*240*UN*1***2", "SV1*hc:11102*240*UN*1***2")
    report = validate_text(bad, "bad.837")
    assert not report.ok
    f = next(f for f in report.errors if f.checker == "pyx12")
    assert f.segment_id == "SV1" and f.loop == "2400"
    n = [s.strip() for s in bad.split("~")].index("SV1*hc:11102*240*UN*1***2") + 1
    assert f.segment_number == n
    assert f.describe().startswith(f"segment {n}, SV1, loop 2400")


def test_envelope_count_errors_are_reported(good_text: str) -> None:
    se = next(s.strip() for s in good_text.split("~") if s.strip().startswith("SE*"))
    count = int(se.split("*")[1])
    bad = good_text.replace(se, f"SE*{count + 1}*0001")
    report = validate_text(bad, "bad.837")
    assert any(f.loop == "ST" and "SE count" in f.message for f in report.errors)


def test_messages_leave_out_element_values(good_text: str) -> None:
    bad = good_text.replace("NM1*IL*1*OKAFOR*RUTH", "NM1*IL*9*OKAFOR*RUTH")
    report = validate_text(bad, "bad.837")
    assert not report.ok
    assert all("OKAFOR" not in f.describe() for f in report.findings)


def test_bom_and_path(tmp_path: Path, good_text: str) -> None:
    path = tmp_path / "bom.837"
    path.write_bytes(b"\xef\xbb\xbf" + good_text.encode())
    assert validate_path(path).ok


def test_ack_999_is_written_for_an_837(tmp_path: Path, good_text: str) -> None:
    src = tmp_path / "x.837"
    src.write_text(good_text)
    ack = tmp_path / "x.999"
    report = validate_path(src, ack)
    assert report.ok
    text = ack.read_text()
    assert "ST*999*" in text and "AK2*837*0001*005010X222A1" in text and "IK5*A" in text


def test_ack_for_835_without_st03_is_a_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "r.835"
    src.write_text(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*SPRDERM01      *260310*1200*^*"
        "00501*000000007*0*P*:~GS*HP*PAYER*SPRDERM01*20260310*1200*7*X*005010X221A1~"
        "ST*835*0001~SE*2*0001~GE*1*7~IEA*1*000000007~")
    with pytest.raises(EdiError, match=r"r\.835: cannot write a 999 .* no ST03"):
        validate_path(src, tmp_path / "r.999")
    assert not (tmp_path / "r.999").exists()


def test_not_x12_and_unreadable(tmp_path: Path) -> None:
    with pytest.raises(EdiError, match="not an X12 file"):
        validate_text("hello", "notes.txt")
    with pytest.raises(EdiError, match="cannot read"):
        validate_path(tmp_path / "missing.837")
    short = validate_text("ISA*00* *00* *ZZ*A*ZZ*B*260101*1200*^*00501*1*0*P*:~", "s.837")
    assert not short.ok and short.errors[0].segment_id == "ISA"


def test_segment_loops_reads_back_loop_placement(good_text: str) -> None:
    loops = segment_loops(good_text)
    assert ("2010AA", "NM1*85*2*SPRINGFIELD DERMATOLOGY ASSOCIATES PC*****XX*1234567893") in loops
    assert ("2000B", "SBR*P*18*******MB") in loops
    assert ("2010BB", "NM1*PR*2*MEDICARE PART B*****PI*12502") in loops
    assert ("2300", "CLM*DC-1*460***11:B:1*Y*A*Y*Y") in loops
    assert ("2400", "DTP*472*D8*20260302") in loops


def test_finding_is_frozen_data() -> None:
    f = ValidationFinding("x", 3, "CLM", "2300")
    assert f.level is Level.ERROR
    with pytest.raises(AttributeError):
        f.message = "y"  # type: ignore[misc]


@pytest.mark.parametrize("path", corpus_params("837p"))
def test_corpus_837_files_report_without_crashing(path: Path) -> None:
    report = validate_path(path)
    assert report.transaction_types == ("837",)
    for f in report.findings:
        assert f.message and (f.segment_number is None or f.segment_number >= 1)


@pytest.mark.parametrize("path", corpus_params("835")[:6])
def test_corpus_835_files_validate(path: Path) -> None:
    report = validate_path(path)
    assert report.transaction_types in (("835",), ())
    assert isinstance(report.ok, bool)
    buf = io.StringIO()
    buf.write("\n".join(f.describe() for f in report.findings))
    assert "Traceback" not in buf.getvalue()


def test_five_pointers_crash_pyx12_but_not_us(good_text: str) -> None:
    bad = good_text.replace("SV1*HC:11102*240*UN*1***2", "SV1*HC:11102*240*UN*1***2:1:1:1:1")
    report = validate_text(bad, "five.837")
    codes = {f.code for f in report.errors}
    assert {"CRASH", "POINTERS"} <= codes
    assert any("pyx12 stopped" in f.message for f in report.errors)


def test_validate_output_quotes_no_birth_date_or_name(tmp_path: Path) -> None:
    """pyx12 quotes the values it complains about (an invalid date, a name too long, an
    invalid character): `dermclaim validate` prints where and what, never the value."""
    from click.testing import CliRunner

    from dermclaim.cli import main

    text = render([claim()]).text
    long_name = "OKAFORVERYLONGFAMILYNAMEWHICHNOBODYHASBUTTHEFUZZERMIGHTWRITEXYZ"
    assert "DMG*D8*19480614*F" in text and "NM1*IL*1*OKAFOR*RUTH" in text
    text = text.replace("DMG*D8*19480614*F", "DMG*D8*19481348*F").replace(
        "NM1*IL*1*OKAFOR*RUTH", f"NM1*IL*1*{long_name}*RUTH")
    path = tmp_path / "bad.837"
    path.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    out = result.output + (result.stderr or "")
    assert "DMG" in out and "NM1" in out
    assert "19481348" not in out and long_name not in out and "OKAFOR" not in out
