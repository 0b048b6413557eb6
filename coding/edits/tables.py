"""Typed views of the edit tables in `coding/data/` (global periods, MUEs, cosmetic risk,
modifier order) and the set of codes dermclaim knows."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from coding.tables import TableError, drug_units, read_table

__all__ = [
    "GLOBALS", "Mue", "global_period", "mue_table", "cosmetic_prone", "benign_removal_codes",
    "modifier_rank", "known_codes", "exclusion",
]

GLOBALS = ("000", "010", "090", "XXX", "YYY", "ZZZ", "MMM")


class Mue(NamedTuple):  # a row, cheap to define (see coding/tables.py)
    code: str
    units: int
    mai: str | None  # "1", "2", "3" or None when not verified
    source: str


@cache
def _globals() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in read_table("global_periods.csv"):
        if row["global"] not in GLOBALS:
            raise TableError(f"coding/data/global_periods.csv: {row['code']}: global "
                             f"{row['global']!r} is not one of {', '.join(GLOBALS)}")
        out[row["code"]] = row["global"]
    return out


def global_period(code: str) -> str | None:
    """The code's global surgery period (000, 010, 090, XXX, ZZZ …) or None if unknown."""
    return _globals().get(code)


@cache
def mue_table() -> dict[str, Mue]:
    out: dict[str, Mue] = {}
    for row in read_table("mue.csv"):
        mai = row["mai"].strip() or None
        if mai not in (None, "1", "2", "3") or not row["units"].isdigit():
            raise TableError(f"coding/data/mue.csv: {row['code']}: units must be a whole "
                             "number and mai 1, 2, 3 or empty")
        out[row["code"]] = Mue(row["code"], int(row["units"]), mai, row["source"])
    return out


@cache
def _cosmetic() -> tuple[tuple[str, ...], frozenset[str]]:
    prefixes: list[str] = []
    codes: set[str] = set()
    for row in read_table("cosmetic_risk.csv"):
        if row["kind"] == "diagnosis":
            prefixes.append(row["value"])
        elif row["kind"] == "procedure":
            codes.add(row["value"])
        else:
            raise TableError(f"coding/data/cosmetic_risk.csv: kind {row['kind']!r} must be "
                             "diagnosis or procedure")
    return tuple(prefixes), frozenset(codes)


def cosmetic_prone(diagnosis: str) -> bool:
    """True for a normalized ICD-10-CM code that payers treat as cosmetic when removed
    without a documented indication (L82.1, L91.8, D22.x, D23.x, L72.x …)."""
    return diagnosis.startswith(_cosmetic()[0])


def benign_removal_codes() -> frozenset[str]:
    return _cosmetic()[1]


@cache
def _ranks() -> dict[str, int]:
    return {row["modifier"]: int(row["rank"]) for row in read_table("modifier_order.csv")}


def modifier_rank(modifier: str) -> int:
    """1 pricing, 2 payment eligibility, 3 informational (default), 4 location (last)."""
    return _ranks().get(modifier, 3)


@cache
def known_codes() -> frozenset[str]:
    """Every CPT/HCPCS code in dermclaim's tables: global periods, the family size and
    add-on tables, and the drug table."""
    codes = set(_globals())
    for name in ("size_codes.csv", "size_addons.csv"):
        codes.update(row["code"] for row in read_table(name))
    codes.update(drug_units())
    return frozenset(codes)


@cache
def _exclusions() -> dict[str, tuple[str, str, str]]:
    out: dict[str, tuple[str, str, str]] = {}
    for row in read_table("coverage_exclusions.csv"):
        if row["kind"] not in ("excluded", "not_recognized"):
            raise TableError(f"coding/data/coverage_exclusions.csv: {row['code']}: kind "
                             f"{row['kind']!r} must be excluded or not_recognized")
        out[row["code"]] = (row["kind"], row["reason"], row["source"])
    return out


def exclusion(code: str) -> tuple[str, str, str] | None:
    """(kind, reason, source) when Medicare-type payers exclude or do not recognize `code`."""
    return _exclusions().get(code)
