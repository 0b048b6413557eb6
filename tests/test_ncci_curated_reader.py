"""The curated NCCI table's quick reader (one regex a line) gives exactly the edits of the
reference reader (csv + _row_problem), or steps aside so the reference answers: the same
edits for a line it does not take (quoted codes, a source with a comma outside quotes), the
same error for a bad row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import coding.tables
from coding.edits import ncci_file
from coding.edits.ncci_file import NcciFileError, PtpEdit, curated_ptp
from coding.tables import TableError, read_table

HEADER = "column1,column2,effective,deletion,modifier_indicator,source"


def edits_of(table: ncci_file.PtpTable) -> list[PtpEdit]:
    return [e for edits in table._pairs.values() for e in edits]


def test_the_shipped_table_reads_the_same_both_ways() -> None:
    quick = ncci_file._plain_curated_rows()
    assert quick is not None  # the shipped file is plain: the quick reader takes it
    assert quick == ncci_file._checked_curated_rows()
    assert len(quick) == len(read_table("ncci_ptp.csv")) > 1000
    assert edits_of(curated_ptp()) == quick


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """coding/data replaced by a folder of the test's own (read_table's cache emptied)."""
    monkeypatch.setattr(ncci_file, "DATA", tmp_path)
    monkeypatch.setattr(coding.tables, "DATA", tmp_path)
    read_table.cache_clear()
    yield tmp_path
    read_table.cache_clear()


def write(folder: Path, *rows: str) -> None:
    lines = ["# a comment line", HEADER, *rows]
    (folder / "ncci_ptp.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_quoted_and_bare_sources_and_empty_deletion(data: Path) -> None:
    write(data,
          '17000,11102,20190101,,1,"U row, with a comma and ""quotes"""',
          "",  # a blank line is skipped by both readers
          "# a comment between rows",
          "11102,17000,20200101,20231231,0,V3 bare source",
          "11103,17000,20200101,20200101,9,V3 deleted from the start")
    quick = ncci_file._plain_curated_rows()
    assert quick == ncci_file._checked_curated_rows()
    assert quick == [
        PtpEdit("17000", "11102", date(2019, 1, 1), None, "1",
                'U row, with a comma and "quotes"'),
        PtpEdit("11102", "17000", date(2020, 1, 1), date(2023, 12, 31), "0", "V3 bare source"),
        PtpEdit("11103", "17000", date(2020, 1, 1), date(2020, 1, 1), "9",
                "V3 deleted from the start"),
    ]


@pytest.mark.parametrize("row", [
    '"17000",11102,20190101,,1,V3 quoted code',  # csv reads it; the regex does not
    "1700,11102,20190101,,1,V3 a short column 1 (the reference does not check column 1)",
])
def test_a_line_the_quick_reader_does_not_take_is_read_the_reference_way(
        data: Path, row: str) -> None:
    write(data, "11102,17000,20200101,,0,V3 plain", row)
    assert ncci_file._plain_curated_rows() is None
    reference = ncci_file._checked_curated_rows()
    assert edits_of(ncci_file.PtpTable(reference, "t")) == reference
    assert len(reference) == 2


@pytest.mark.parametrize(("row", "error", "words"), [
    ("17000,11102,20190230,,1,V3 no such day", NcciFileError, "not a real calendar date"),
    ("17000,1110,20190101,,1,V3 short column 2", NcciFileError, "column 2 '1110'"),
    ("17000,11102,20190101, ,1,V3 a blank deletion", NcciFileError, "deletion date ' '"),
    ("17000,11102,20190101,,2,V3 indicator", NcciFileError, "modifier indicator '2'"),
    ("17000,11102,20190101,,1,V3 a comma, outside quotes", TableError, "wrong number of cells"),
    ('17000,11102,20190101,,1," "', TableError, "empty source"),
    ("17000,11102,20190101,,1,", TableError, "empty source"),
])
def test_a_bad_row_is_the_reference_error(data: Path, row: str, error: type[Exception],
                                          words: str) -> None:
    write(data, "11102,17000,20200101,,0,V3 plain", row)
    assert ncci_file._plain_curated_rows() is None
    with pytest.raises(error, match=words):
        ncci_file._checked_curated_rows()


def test_another_header_is_read_the_reference_way(data: Path) -> None:
    (data / "ncci_ptp.csv").write_text(
        "column1,column2,effective,deletion,modifier_indicator,source,note\n"
        "17000,11102,20190101,,1,V3 row,extra column\n", encoding="utf-8")
    assert ncci_file._plain_curated_rows() is None
    assert [e.column2 for e in ncci_file._checked_curated_rows()] == ["11102"]
