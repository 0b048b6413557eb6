"""NCCI PTP: indicator 0 / 1 distinct / 1 not distinct / 9, dates, and CMS's file format."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from encounter_factory import make

from coding.edits.ncci_file import (
    ENV_VAR,
    NcciFileError,
    PtpEdit,
    PtpTable,
    curated_ptp,
    load_ptp,
    read_cms_ptp,
)
from coding.engine import code_encounter
from companion_guides import get_guide

D = date(2026, 3, 2)


def table(*rows: tuple[str, str, str]) -> PtpTable:
    return PtpTable([PtpEdit(a, b, date(2020, 1, 1), None, mi, "test row") for a, b, mi in rows],
                    "test")


def other(code: str, site: str | None, laterality: str | None = None) -> dict:
    proc: dict = {"type": "other", "code": code}
    if site:
        proc["site"] = site
    if laterality:
        proc["laterality"] = laterality
    return proc


@pytest.mark.parametrize(
    ("indicator", "site2", "lat2", "payer", "codes", "modifier", "finding"),
    [
        ("0", "scalp", None, "medicare", ["17000"], None, "NCCI_BUNDLED"),
        ("1", "scalp", None, "medicare", ["17000", "11104"], "XS", "NCCI_DISTINCT"),
        ("1", "scalp", None, "commercial", ["17000", "11104"], "59", "NCCI_DISTINCT"),
        ("1", "back", None, "medicare", ["17000"], None, "NCCI_NOT_DISTINCT"),
        ("1", None, None, "medicare", ["17000"], None, "NCCI_NOT_DISTINCT"),
        ("1", "back", "left", "medicare", ["17000"], None, "NCCI_NOT_DISTINCT"),
        ("9", "back", None, "medicare", ["17000", "11104"], None, None),
    ],
)
def test_indicator_and_distinctness(indicator: str, site2: str | None, lat2: str | None,
                                    payer: str, codes: list[str], modifier: str | None,
                                    finding: str | None) -> None:
    enc = make(payer=payer, procedures=[other("17000", "back"), other("11104", site2, lat2)])
    c = code_encounter(enc, ptp=table(("17000", "11104", indicator)))
    assert [line.code for line in c.lines] == codes
    if "11104" in codes:
        mods = next(line.modifiers for line in c.lines if line.code == "11104")
        assert (modifier in mods) if modifier else not (set(mods) & {"XS", "59"})
    found = [f for f in c.findings if f.code.startswith("NCCI")]
    assert [f.code for f in found] == ([finding] if finding else [])
    if finding == "NCCI_NOT_DISTINCT":
        assert "document the site" in found[0].message and found[0].procedure == 1
    assert not c.has_errors


def test_existing_bypass_modifier_passes() -> None:
    enc = make(procedures=[other("17000", "back"), {"type": "other", "code": "11104",
                                                    "site": "back", "modifiers": ["59"]}])
    c = code_encounter(enc, ptp=table(("17000", "11104", "1")))
    assert [line.code for line in c.lines] == ["17000", "11104"]


def test_edit_outside_its_dates_does_not_apply() -> None:
    t = PtpTable([PtpEdit("17000", "11104", date(2026, 4, 1), None, "0", "later"),
                  PtpEdit("17000", "11104", date(2019, 1, 1), date(2025, 12, 31), "0", "old")],
                 "t")
    enc = make(procedures=[other("17000", "back"), other("11104", "back")])
    assert len(code_encounter(enc, ptp=t).lines) == 2
    assert t.lookup("17000", "11104", date(2025, 12, 31)) is not None  # deletion day inclusive
    assert t.lookup("17000", "11104", date(2026, 1, 1)) is None


def test_overlapping_rows_take_the_most_restrictive() -> None:
    t = PtpTable([PtpEdit("A0001", "B0002", date(2020, 1, 1), None, "1", "x"),
                  PtpEdit("A0001", "B0002", date(2020, 1, 1), None, "0", "y")], "t")
    assert t.lookup("A0001", "B0002", D).indicator == "0"  # type: ignore[union-attr]


def test_curated_table_biopsy_then_destruction_elsewhere_takes_xs() -> None:
    enc = make(diagnoses=["D49.2", "L57.0"], procedures=[
        {"type": "biopsy", "technique": "punch", "site": "back", "diagnoses": ["D49.2"]},
        {"type": "destruction", "lesion_class": "premalignant", "count": 2, "method": "cryo",
         "site": "scalp", "diagnoses": ["L57.0"]}])
    c = code_encounter(enc)
    assert [(line.code, line.modifiers) for line in c.lines] == [
        ("11104", ("XS",)), ("17000", ()), ("17003", ())]


def test_every_curated_row_cites_a_source_and_status() -> None:
    t = curated_ptp()
    assert len(t) > 0
    for edits in t._pairs.values():
        for e in edits:
            assert e.indicator in ("0", "1", "9")
            assert e.source.startswith(("V", "U")), e


# ---------------------------------------------------------------------- CMS file reader

CMS_HEADER = (
    "CPT only copyright 2025 American Medical Association.  All rights reserved.\t\t\t\t\t\t\n"
    "Column1/Column2 Edits\t\t\t\t\t\t\n"
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
    "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\n"
    "\t\t\t\t*=no data\t1=allowed\t\n"
    "\t\t\t\t\t9=not applicable\t\n"
)
CMS_ROWS = (
    "17000\t11104\t\t20190101\t*\t1\tStandards of medical/surgical practice\n"
    "17000\t11102\t\t20190101\t20231231\t1\tStandards of medical/surgical practice\n"
    "17110\t17000\t\t20190101\t*\t0\tMutually exclusive procedures\n"
    "96372\t99211\t*\t19960101\t*\t0\tCPT Manual or CMS manual coding instruction\n"
    "0001A\t0591T\t\t20220101\t20220101\t9\tCPT Manual or CMS manual coding instruction\n"
)


def write_cms(tmp_path: Path, body: str = CMS_ROWS, name: str = "ccipra-v322r0-f1.txt") -> Path:
    path = tmp_path / name
    path.write_text(CMS_HEADER + body, encoding="latin-1")
    return path


def test_read_cms_file(tmp_path: Path) -> None:
    edits = read_cms_ptp(write_cms(tmp_path))
    assert len(edits) == 5
    first = edits[0]
    assert (first.column1, first.column2, first.effective, first.deletion, first.indicator) == (
        "17000", "11104", date(2019, 1, 1), None, "1")
    assert edits[1].deletion == date(2023, 12, 31)
    assert first.source == "ccipra-v322r0-f1.txt:7"


def test_read_cms_file_keeps_only_pairs_of_known_codes(tmp_path: Path) -> None:
    edits = read_cms_ptp(write_cms(tmp_path), codes={"17000", "11104", "17110"})
    assert [(e.column1, e.column2) for e in edits] == [("17000", "11104"), ("17110", "17000")]


def test_read_cms_comma_separated_copy(tmp_path: Path) -> None:
    path = tmp_path / "ptp.csv"
    path.write_text("Column 1,Column 2,*=in existence prior to 1996,Effective Date,"
                    "Deletion Date,Modifier,PTP Edit Rationale\n"
                    '17000,11104,,20190101,*,1,"Standards of medical, surgical practice"\n')
    assert read_cms_ptp(path)[0].indicator == "1"


@pytest.mark.parametrize(
    ("row", "words"),
    [("17000\t11104\t\t2019-01-01\t*\t1\tx\n", "effective date"),
     ("17000\t11104\t\t20190101\t*\t2\tx\n", "modifier indicator"),
     ("17000\t11104\t\t20190101\n", "at least 6 columns"),
     ("17000\tbad\t\t20190101\t*\t1\tx\n", "column 2"),
     ("17000\t11104\t\t20190101\t20191399\t1\tx\n", "calendar date")],
)
def test_bad_cms_rows_name_file_and_line(tmp_path: Path, row: str, words: str) -> None:
    path = write_cms(tmp_path, CMS_ROWS + row)
    with pytest.raises(NcciFileError) as info:
        read_cms_ptp(path)
    assert f"{path}:12" in str(info.value) and words in str(info.value)


def test_missing_or_empty_cms_file(tmp_path: Path) -> None:
    with pytest.raises(NcciFileError, match="cannot read"):
        read_cms_ptp(tmp_path / "nope.txt")
    with pytest.raises(NcciFileError, match="no PTP edit rows"):
        read_cms_ptp(write_cms(tmp_path, ""))


def test_env_var_and_argument_load_the_cms_file(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_cms(tmp_path)
    enc = make(procedures=[other("17110", "back"), other("17000", "scalp")])
    assert len(code_encounter(enc).lines) == 2  # curated table: no 17110/17000 pair
    c = code_encounter(enc, ptp=[path])
    assert [line.code for line in c.lines] == ["17110"]
    assert any("ccipra-v322r0-f1.txt:9" in f.message for f in c.findings)
    monkeypatch.setenv(ENV_VAR, str(path))
    assert load_ptp(codes={"17110", "17000"}).origin == str(path)
    assert [line.code for line in code_encounter(enc).lines] == ["17110"]
    monkeypatch.delenv(ENV_VAR)
    assert load_ptp() is curated_ptp()


def test_guide_sets_the_distinct_modifier() -> None:
    assert get_guide("medicare").distinct_modifier == "XS"
    assert get_guide("commercial").distinct_modifier == "59"


@pytest.mark.parametrize(("lat1", "lat2", "kept"),
                         [("left", "right", True), ("left", "left", False), (None, "right", False)])
def test_same_site_is_distinct_only_on_opposite_sides(lat1: str | None, lat2: str | None,
                                                      kept: bool) -> None:
    enc = make(procedures=[other("17000", "arm", lat1), other("11104", "arm", lat2)])
    c = code_encounter(enc, ptp=table(("17000", "11104", "1")))
    assert ("11104" in [line.code for line in c.lines]) is kept
