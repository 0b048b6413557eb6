"""CARC, RARC and claim adjustment group code meanings, read from `edi/data/*.csv`.

    carc_meaning("97")  -> "included in the allowance for another service already adjudicated"
    rarc_meaning("N19") -> "procedure code incidental to the primary procedure"
    group_meaning("CO") -> "contractual obligation: ..."

Unknown codes give None (payers send codes newer than any table). `code_info` returns the
whole row (meaning, status, effective, source). Tables load once, lazily.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from attrs import frozen


@frozen
class CodeInfo:
    code: str
    meaning: str
    status: str
    effective: str
    source: str
    stopped: str = ""  # the code's stop date where published (deactivated codes)


@cache
def _table(name: str) -> dict[str, CodeInfo]:
    text = resources.files("edi.data").joinpath(name).read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    table: dict[str, CodeInfo] = {}
    for row in rows:
        code = row["code"].strip().upper()
        if code in table:
            raise ValueError(f"edi/data/{name}: code {code} appears twice")
        table[code] = CodeInfo(
            code, row["meaning"].strip(), row["status"].strip(),
            (row.get("effective") or "").strip(), row["source"].strip(),
            (row.get("stopped") or "").strip(),
        )
    return table


def _key(code: str) -> str:
    return code.strip().upper()


def carc_table() -> dict[str, CodeInfo]:
    return _table("carc.csv")


def rarc_table() -> dict[str, CodeInfo]:
    return _table("rarc.csv")


def group_table() -> dict[str, CodeInfo]:
    return _table("group_codes.csv")


def carc_meaning(code: str) -> str | None:
    info = carc_table().get(_key(code))
    return info.meaning if info else None


def rarc_meaning(code: str) -> str | None:
    info = rarc_table().get(_key(code))
    return info.meaning if info else None


def group_meaning(code: str) -> str | None:
    info = group_table().get(_key(code))
    return info.meaning if info else None


def code_info(kind: str, code: str) -> CodeInfo | None:
    """kind: "carc", "rarc" or "group"."""
    tables = {"carc": carc_table, "rarc": rarc_table, "group": group_table}
    return tables[kind]().get(_key(code))
