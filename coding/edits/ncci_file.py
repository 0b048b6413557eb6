"""NCCI procedure-to-procedure (PTP) edit tables: the curated CSV and CMS's own files.

CMS publishes the practitioner PTP edits every quarter as four tab-delimited text files
(`ccipra-v<version>r0-f1.txt` … `-f4.txt`, in zip files behind an AMA licence click-through
at cms.gov "Medicare NCCI Procedure to Procedure (PTP) Edits"). Each file opens with a few
header lines (copyright, "Column1/Column2 Edits", a column legend wrapped over four lines),
then one edit per line:

    Column 1 <TAB> Column 2 <TAB> *=in existence prior to 1996 <TAB> Effective Date
    <TAB> Deletion Date (*=no data) <TAB> Modifier 0/1/9 <TAB> PTP Edit Rationale

Dates are YYYYMMDD; a deletion date is the last day the edit applies (quarter ends such as
20231231; rows deleted from the start carry deletion = effective with indicator 9). Layout
checked against published excerpts of ccipra-v322r0-f1 (2026 Q3).

`read_cms_ptp(path)` reads such a file (header lines are recognised, not counted, so a
re-saved copy with fewer header lines still reads; comma-separated copies also read), and
`load_ptp()` picks the table the engine uses: the files named by `DERMCLAIM_NCCI_PTP`
(several joined with the OS path separator) or else the curated `coding/data/ncci_ptp.csv`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import NamedTuple

from coding.errors import CodingError
from coding.tables import DATA, read_table

__all__ = ["PtpEdit", "PtpTable", "NcciFileError", "read_cms_ptp", "load_ptp", "curated_ptp",
           "ENV_VAR"]

ENV_VAR = "DERMCLAIM_NCCI_PTP"
_CODE = re.compile(r"[0-9A-Z]{5}")
_DAY = re.compile(r"[0-9]{8}")
MAX_REPORTED = 20
_ORIGIN = "coding/data/ncci_ptp.csv (curated)"


class NcciFileError(CodingError):
    """A PTP file that cannot be read; names the file and the line of each bad row."""


class PtpEdit(NamedTuple):  # a row, cheap to define and build (see coding/tables.py)
    column1: str
    column2: str
    effective: date
    deletion: date | None  # last day in effect; None = still active
    indicator: str  # "0" no modifier bypasses, "1" NCCI-associated modifier may, "9" n/a
    source: str  # curated row source, or "<file>:<line>" for a CMS file

    def active_on(self, day: date) -> bool:
        return self.effective <= day and (self.deletion is None or day <= self.deletion)


_EMPTY: frozenset[str] = frozenset()


class PtpTable:
    """Edits indexed by (column 1, column 2)."""

    def __init__(self, edits: Iterable[PtpEdit], origin: str):
        self.origin = origin
        self._pairs: dict[tuple[str, str], list[PtpEdit]] = {}
        self._by_column1: dict[str, set[str]] = {}
        for edit in edits:
            self._pairs.setdefault((edit.column1, edit.column2), []).append(edit)
            self._by_column1.setdefault(edit.column1, set()).add(edit.column2)

    def __len__(self) -> int:
        return sum(len(v) for v in self._pairs.values())

    def column2_codes(self, column1: str) -> frozenset[str] | set[str]:
        """Every code paired (on any date) as column 2 of `column1`."""
        return self._by_column1.get(column1, _EMPTY)

    def lookup(self, column1: str, column2: str, day: date) -> PtpEdit | None:
        """The edit in force on `day` for the pair, the most restrictive when rows overlap
        (0 before 1 before 9); None when the pair has no edit that day."""
        active = [e for e in self._pairs.get((column1, column2), ()) if e.active_on(day)]
        return min(active, key=lambda e: e.indicator) if active else None


def _day(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def read_cms_ptp(path: str | Path, codes: Collection[str] | None = None) -> list[PtpEdit]:
    """Edits of one CMS practitioner PTP file; with `codes`, only pairs whose two codes are
    both in it (a quarter holds over a million rows; a claim only meets a few codes).
    Raises NcciFileError listing the bad rows by line number."""
    path = Path(path)
    edits: list[PtpEdit] = []
    problems: list[str] = []
    try:
        handle = path.open(encoding="latin-1", newline="")
    except OSError as exc:
        raise NcciFileError(f"{path}: cannot read the NCCI PTP file: {exc.strerror}") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            cells = line.split("\t") if "\t" in line else next(csv.reader([line]), [])
            cells = [c.strip() for c in cells]
            if not cells or not _CODE.fullmatch(cells[0]):
                continue  # header, legend or blank line
            problem = _row_problem(cells)
            if problem:
                problems.append(f"{path}:{number}: {problem}")
                if len(problems) >= MAX_REPORTED:
                    break
                continue
            c1, c2 = cells[0], cells[1]
            if codes is not None and (c1 not in codes or c2 not in codes):
                continue
            edits.append(PtpEdit(c1, c2, _day(cells[3]),
                                 None if cells[4] in ("*", "") else _day(cells[4]),
                                 cells[5], f"{path.name}:{number}"))
    if problems:
        raise NcciFileError("not a CMS NCCI PTP file (Column 1, Column 2, 1996 flag, "
                            "Effective, Deletion, Modifier, Rationale):\n  "
                            + "\n  ".join(problems))
    if not edits and codes is None:
        raise NcciFileError(f"{path}: no PTP edit rows found")
    return edits


def _row_problem(cells: Sequence[str]) -> str | None:
    if len(cells) < 6:
        return f"expected at least 6 columns, found {len(cells)}"
    if not _CODE.fullmatch(cells[1]):
        return f"column 2 {cells[1]!r} is not a CPT/HCPCS code"
    if not _DAY.fullmatch(cells[3]):
        return f"effective date {cells[3]!r} is not YYYYMMDD"
    if cells[4] not in ("*", "") and not _DAY.fullmatch(cells[4]):
        return f"deletion date {cells[4]!r} is not YYYYMMDD or *"
    if cells[5] not in ("0", "1", "9"):
        return f"modifier indicator {cells[5]!r} is not 0, 1 or 9"
    try:
        _day(cells[3])
        if cells[4] not in ("*", ""):
            _day(cells[4])
    except ValueError:
        return "a date is not a real calendar date"
    return None


# A curated row whose cells are plain (codes, dates and indicator as CMS writes them, the
# source quoted or free of commas and quotes), matched in one pass: ~4x cheaper than the csv
# module over the long quoted sources, ~6 ms of every `dermclaim code`. The header line
# must be exactly this one. A line of any other shape sends the whole table the reference
# way (read_table + _row_problem), which gives the same rows or the error naming the row.
_CURATED = "ncci_ptp.csv"
_CURATED_HEADER = "column1,column2,effective,deletion,modifier_indicator,source"
_CURATED_ROW = re.compile(r'([0-9A-Z]{5}),([0-9A-Z]{5}),([0-9]{8}),([0-9]{8})?,([019]),'
                          r'(?:"([^"]*(?:""[^"]*)*)"|([^",]*))')


def _plain_curated_rows() -> list[PtpEdit] | None:
    """The curated edits read the quick way, or None when a line is not plain."""
    try:
        text = (DATA / _CURATED).read_text(encoding="utf-8")
    except OSError:
        return None  # read_table reports it
    days: dict[str, date] = {}
    edits: list[PtpEdit] = []
    header = False
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not header:
            if line != _CURATED_HEADER:
                return None
            header = True
            continue
        if not line:
            continue  # csv skips blank rows too
        found = _CURATED_ROW.fullmatch(line)
        if found is None:
            return None
        c1, c2, effective, deletion, indicator, quoted, bare = found.groups()
        source = bare if quoted is None else quoted.replace('""', '"')
        if not source.strip():
            return None
        try:
            for day in (effective, deletion):
                if day is not None and day not in days:
                    days[day] = _day(day)
        except ValueError:
            return None
        edits.append(PtpEdit(c1, c2, days[effective],
                             None if deletion is None else days[deletion], indicator, source))
    return edits if header else None


@cache
def curated_ptp() -> PtpTable:
    """The curated table shipped in coding/data/ncci_ptp.csv."""
    plain = _plain_curated_rows()
    return PtpTable(_checked_curated_rows() if plain is None else plain, _ORIGIN)


def _checked_curated_rows() -> list[PtpEdit]:
    """The curated edits read the reference way: every row checked, the first bad one
    raised (TableError from read_table, NcciFileError from _row_problem)."""
    edits = []
    for row in read_table(_CURATED):
        cells = [row["column1"], row["column2"], "", row["effective"], row["deletion"] or "*",
                 row["modifier_indicator"]]
        problem = _row_problem(cells)
        if problem:
            raise NcciFileError(f"coding/data/ncci_ptp.csv: {row['column1']}/{row['column2']}: "
                                f"{problem}")
        edits.append(PtpEdit(cells[0], cells[1], _day(cells[3]),
                             None if cells[4] == "*" else _day(cells[4]), cells[5], row["source"]))
    return edits


@cache
def _cms_table(paths: tuple[str, ...], codes: frozenset[str]) -> PtpTable:
    edits: list[PtpEdit] = []
    for p in paths:
        edits.extend(read_cms_ptp(p, codes))
    return PtpTable(edits, ", ".join(paths))


def load_ptp(paths: Sequence[str | Path] | None = None, codes: Collection[str] = ()) -> PtpTable:
    """The PTP table to apply: `paths` (CMS files), else `$DERMCLAIM_NCCI_PTP`, else the
    curated table. `codes` limits CMS rows to pairs of those codes (cached per argument)."""
    if paths is None:
        env = os.environ.get(ENV_VAR, "").strip()
        paths = [p for p in env.split(os.pathsep) if p] if env else []
    if not paths:
        return curated_ptp()
    return _cms_table(tuple(str(p) for p in paths), frozenset(codes))
