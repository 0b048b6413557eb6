"""`read_table` reads rows as csv.DictReader does (the reader it replaced): every shipped
table gives the same dicts, and a short or long row, an empty source, blank and comment
lines give the same rows or the error naming the line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

import coding.tables
from coding.tables import DATA, TableError, read_table


def dict_reader_rows(text: str) -> list[dict[str, str]]:
    """The rows as csv.DictReader gives them, `#` lines dropped (the old reader)."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.csv")))
def test_every_shipped_table_reads_as_dict_reader_reads_it(name: str) -> None:
    rows = read_table(name)
    assert list(rows) == dict_reader_rows((DATA / name).read_text(encoding="utf-8"))
    assert rows


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(coding.tables, "DATA", tmp_path)
    read_table.cache_clear()
    yield tmp_path
    read_table.cache_clear()


def test_blank_lines_comments_and_quoted_cells(data: Path) -> None:
    text = ('# source: test\ncode,note,source\n\n40000,"a, b",s1\n# between\n'
            '40001,"say ""hi""",s2\n')
    (data / "t.csv").write_text(text, encoding="utf-8")
    assert list(read_table("t.csv")) == dict_reader_rows(text) == [
        {"code": "40000", "note": "a, b", "source": "s1"},
        {"code": "40001", "note": 'say "hi"', "source": "s2"}]


@pytest.mark.parametrize(("rows", "message"), [
    ("40000,x,s1\n40001,y\n", "line 4: wrong number of cells"),  # short
    ("40000,x,s1,extra\n", "line 3: wrong number of cells"),  # long
    ("40000,x,s1\n40001,y, \n", "line 4: empty source"),
])
def test_a_bad_row_names_its_line(data: Path, rows: str, message: str) -> None:
    (data / "t.csv").write_text("# source: test\ncode,note,source\n" + rows, encoding="utf-8")
    with pytest.raises(TableError, match=f"coding/data/t.csv: {message}"):
        read_table("t.csv")
