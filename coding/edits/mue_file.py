"""Medically Unlikely Edit tables: the curated CSV and CMS's quarterly practitioner file.

CMS publishes the practitioner MUEs every quarter as a CSV
(`MCR_MUE_PractitionerServices_Eff_<date>.csv`, in a zip at cms.gov "Medicare NCCI Medically
Unlikely Edits"): a quoted, multi-line AMA copyright notice, a header row (`HCPCS/CPT Code`,
`Practitioner Services MUE Values`, `MUE Adjudication Indicator`, `MUE Rationale`), then one
code per row; the indicator cell is the MAI digit followed by text ("2 Date of Service Edit:
Policy"). `read_cms_mue` reads that layout (rows are recognised by their code cell, so the
notice and header need no counting); `load_mue()` returns the file(s) named by
`$DERMCLAIM_NCCI_MUE` (joined with the OS path separator), else the curated
`coding/data/mue.csv`. A companion guide's `mue_overrides` still win (`coding.edits.mue`).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from coding.edits.tables import Mue, mue_table
from coding.errors import CodingError

__all__ = ["MueFileError", "read_cms_mue", "load_mue", "MUE_ENV_VAR"]

MUE_ENV_VAR = "DERMCLAIM_NCCI_MUE"
_CODE = re.compile(r"[0-9A-Z]{5}")
MAX_REPORTED = 20


class MueFileError(CodingError):
    """An MUE file that cannot be read; names the file and the line of each bad row."""


def read_cms_mue(path: str | Path) -> dict[str, Mue]:
    """code → MUE of one CMS practitioner MUE CSV. Raises MueFileError naming bad rows."""
    path = Path(path)
    out: dict[str, Mue] = {}
    problems: list[str] = []
    try:
        handle = path.open(encoding="latin-1", newline="")
    except OSError as exc:
        raise MueFileError(f"{path}: cannot read the MUE file: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        for cells in reader:
            cells = [c.strip() for c in cells]
            if not cells or not _CODE.fullmatch(cells[0]):
                continue  # copyright notice, header or blank line
            where = f"{path}:{reader.line_num}"
            if len(cells) < 2 or not cells[1].isdigit():
                problems.append(f"{where}: MUE value {cells[1] if len(cells) > 1 else ''!r} "
                                "is not a whole number")
            elif len(cells) > 2 and cells[2] and cells[2][0] not in "123":
                problems.append(f"{where}: adjudication indicator {cells[2]!r} does not start "
                                "with 1, 2 or 3")
            else:
                mai = cells[2][0] if len(cells) > 2 and cells[2] else None
                out[cells[0]] = Mue(cells[0], int(cells[1]), mai, f"{path.name}:{reader.line_num}")
            if len(problems) >= MAX_REPORTED:
                break
    if problems:
        raise MueFileError("not a CMS practitioner MUE file (HCPCS/CPT Code, MUE Values, "
                           "MUE Adjudication Indicator, MUE Rationale):\n  "
                           + "\n  ".join(problems))
    if not out:
        raise MueFileError(f"{path}: no MUE rows found")
    return out


@cache
def _cms(paths: tuple[str, ...]) -> Mapping[str, Mue]:
    table: dict[str, Mue] = {}
    for p in paths:
        table.update(read_cms_mue(p))
    return table


def load_mue(paths: Sequence[str | Path] | None = None) -> Mapping[str, Mue]:
    """The MUE table to apply: `paths`, else `$DERMCLAIM_NCCI_MUE`, else the curated CSV."""
    if paths is None:
        env = os.environ.get(MUE_ENV_VAR, "").strip()
        paths = [p for p in env.split(os.pathsep) if p] if env else []
    if not paths:
        return mue_table()
    return _cms(tuple(str(p) for p in paths))
