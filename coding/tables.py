"""The one reader of `coding/data/*.csv` (read beside this module, cached).

Each table is a CSV whose leading `#` lines state its source and effective date; every row
carries a `source` column. Functions here return typed, frozen views; a malformed table is a
packaging bug and raises `TableError` naming the file and row.

The row types are `typing.NamedTuple`s: immutable and typed like an attrs class, but created
in ~0.05 ms where an attrs class costs ~0.4 ms (its methods are generated and compiled) in
every process that imports the module: the start-up of a one-encounter `dermclaim code`.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import NamedTuple

from coding.errors import CodingError

__all__ = [
    "Bracket",
    "AddOn",
    "DrugUnit",
    "TableError",
    "read_table",
    "site_group_table",
    "brackets",
    "addon",
    "drug_units",
    "NdcPackage",
    "ndc_packages",
    "CountRow",
    "count_families",
    "count_family_of",
    "hidradenitis_codes",
    "anatomic_codes",
    "NocDrug",
    "noc_drugs",
]


DATA = Path(__file__).resolve().parent / "data"


class TableError(CodingError):
    """A shipped data table that cannot be read; names the file and the row."""


class Bracket(NamedTuple):
    max_cm: Decimal | None  # inclusive upper bound; None = open-ended
    code: str
    source: str


class AddOn(NamedTuple):
    base_cm: Decimal  # lengths above this take the add-on
    step_cm: Decimal  # one unit per step "or part thereof"
    code: str
    source: str


class DrugUnit(NamedTuple):
    hcpcs: str
    description: str
    billing_amount: Decimal  # one HCPCS unit = billing_amount billing_unit
    billing_unit: str  # mg, mcg, g, units, mL
    single_dose: bool | None  # usual container (JW/JZ: single-dose only); None = by NDC
    effective: str
    source: str
    ended: str | None = None  # last valid date of service (YYYY-MM-DD) of a deleted code


@cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of `coding/data/<name>` as dicts, skipping the `#` header comment lines."""
    # a plain path beside the package: importlib.resources would cost a one-encounter
    # `dermclaim code` more than reading every table (its first use imports zipfile,
    # tempfile and more); dermclaim is installed as files, never run from a zip
    try:
        text = (DATA / name).read_text(encoding="utf-8")
    except OSError as exc:  # pragma: no cover - packaging bug
        raise TableError(f"coding/data/{name}: cannot read: {exc}") from None
    lines = text.splitlines()
    skipped = sum(1 for line in lines if line.startswith("#"))
    body = "\n".join(line for line in lines if not line.startswith("#"))
    # csv.reader and a dict per row: what csv.DictReader does, without its Python-level
    # work per row (a third of the time of reading a table)
    reader = csv.reader(io.StringIO(body))
    header = next(reader, [])
    rows = []
    for cells in reader:
        if not cells:
            continue  # a blank line, skipped as DictReader skips it
        if len(cells) != len(header):
            raise TableError(f"coding/data/{name}: line {reader.line_num + skipped}: wrong "
                             "number of cells (quote cells containing commas)")
        row = dict(zip(header, cells, strict=True))
        if not row.get("source", "").strip():
            raise TableError(f"coding/data/{name}: line {reader.line_num + skipped}: empty "
                             "source")
        rows.append(row)
    return tuple(rows)


def _decimal(name: str, row: dict[str, str], key: str) -> Decimal:
    try:
        return Decimal(row[key])
    except (InvalidOperation, KeyError):
        raise TableError(f"coding/data/{name}: {key}={row.get(key)!r} is not a number") from None


@cache
def site_group_table() -> dict[str, dict[str, str | None]]:
    """site -> {family -> group letter or None (the family cannot place the site)}."""
    table: dict[str, dict[str, str | None]] = {}
    for row in read_table("site_groups.csv"):
        table[row["site"]] = {
            family: (value.strip() or None)
            for family, value in row.items()
            if family not in ("site", "source")
        }
    return table


@cache
def brackets(family: str, group: str) -> tuple[Bracket, ...]:
    """The size brackets of one family and site group, smallest first."""
    rows = [
        r for r in read_table("size_codes.csv") if r["family"] == family and r["group"] == group
    ]
    out = [
        Bracket(
            max_cm=_decimal("size_codes.csv", r, "max_cm") if r["max_cm"].strip() else None,
            code=r["code"],
            source=r["source"],
        )
        for r in rows
    ]
    return tuple(sorted(out, key=lambda b: (b.max_cm is None, b.max_cm or Decimal(0))))


@cache
def addon(family: str, group: str) -> AddOn | None:
    for r in read_table("size_addons.csv"):
        if r["family"] == family and r["group"] == group:
            return AddOn(
                base_cm=_decimal("size_addons.csv", r, "base_cm"),
                step_cm=_decimal("size_addons.csv", r, "step_cm"),
                code=r["code"],
                source=r["source"],
            )
    return None


@cache
def drug_units() -> dict[str, DrugUnit]:
    """HCPCS code -> billing unit and container type."""
    out: dict[str, DrugUnit] = {}
    for r in read_table("drug_units.csv"):
        if r["container"] not in ("single", "multi", "ndc"):
            raise TableError(
                f"coding/data/drug_units.csv: {r['hcpcs']}: container must be single, multi "
                "or ndc")
        out[r["hcpcs"]] = DrugUnit(
            hcpcs=r["hcpcs"],
            description=r["description"],
            billing_amount=_decimal("drug_units.csv", r, "billing_amount"),
            billing_unit=r["billing_unit"],
            single_dose=None if r["container"] == "ndc" else r["container"] == "single",
            effective=r["effective"],
            source=r["source"],
            ended=r.get("ended") or None,
        )
    return out


class NdcPackage(NamedTuple):
    ndc: str  # 11 digits
    hcpcs: str
    product: str
    package: str
    single_dose: bool
    source: str


@cache
def ndc_packages() -> dict[str, NdcPackage]:
    """11-digit NDC -> its package's container type (coding/data/drug_ndcs.csv)."""
    out: dict[str, NdcPackage] = {}
    for r in read_table("drug_ndcs.csv"):
        if r["container"] not in ("single", "multi") or len(r["ndc"]) != 11 \
                or not r["ndc"].isdigit():
            raise TableError(f"coding/data/drug_ndcs.csv: {r['ndc']}: an 11-digit NDC and "
                             "container single or multi are required")
        out[r["ndc"]] = NdcPackage(r["ndc"], r["hcpcs"], r["product"], r["package"],
                                   r["container"] == "single", r["source"])
    return out


class CountRow(NamedTuple):
    """One code of a family counted by total (coding/data/count_families.csv)."""

    family: str
    code: str
    measure: str  # count, area_sq_cm, complicated, session
    lower: Decimal | None
    over: bool  # True: the row applies above `lower`; False: from `lower` on
    units: str  # one, per_count, beyond:<base>:<step>
    source: str

    def admits(self, total: Decimal) -> bool:
        if self.lower is None:
            return False
        return total > self.lower if self.over else total >= self.lower

    @property
    def addon(self) -> tuple[Decimal, Decimal] | None:
        """(base, step) for an add-on row (`beyond:15:10`), else None."""
        if not self.units.startswith("beyond:"):
            return None
        _, base, step = self.units.split(":")
        return Decimal(base), Decimal(step)


_MEASURES = ("count", "area_sq_cm", "complicated", "session")


@cache
def count_families() -> dict[str, tuple[CountRow, ...]]:
    """family -> its rows in table order (coding/data/count_families.csv)."""
    name = "count_families.csv"
    out: dict[str, list[CountRow]] = {}
    for r in read_table(name):
        units = r["units"]
        if r["measure"] not in _MEASURES or not (
                units in ("one", "per_count") or units.startswith("beyond:")):
            raise TableError(f"coding/data/{name}: {r['code']}: measure must be one of "
                             f"{', '.join(_MEASURES)}; units one, per_count or beyond:B:S")
        kind = r["lower_kind"].strip()
        if kind not in ("", "at_least", "over"):
            raise TableError(f"coding/data/{name}: {r['code']}: lower_kind at_least or over")
        lower = _decimal(name, r, "lower") if r["lower"].strip() else None
        out.setdefault(r["family"], []).append(CountRow(
            r["family"], r["code"], r["measure"], lower, kind == "over", units, r["source"]))
    return {family: tuple(rows) for family, rows in out.items()}


@cache
def count_family_of() -> dict[str, str]:
    """code -> the family counted by total it belongs to."""
    return {row.code: family for family, rows in count_families().items() for row in rows}


@cache
def hidradenitis_codes() -> dict[tuple[str, str], tuple[str, str]]:
    """(region, closure) -> (code, source) (coding/data/hidradenitis_codes.csv)."""
    return {(r["region"], r["closure"]): (r["code"], r["source"])
            for r in read_table("hidradenitis_codes.csv")}


@cache
def anatomic_codes() -> dict[str, tuple[str, bool, str]]:
    """code -> (digit or eyelid, modifier required, source) (coding/data/anatomic_codes.csv)."""
    out: dict[str, tuple[str, bool, str]] = {}
    for r in read_table("anatomic_codes.csv"):
        if r["documents"] not in ("digit", "eyelid") or r["required"] not in ("yes", "no"):
            raise TableError(f"coding/data/anatomic_codes.csv: {r['code']}: documents digit "
                             "or eyelid, required yes or no")
        out[r["code"]] = (r["documents"], r["required"] == "yes", r["source"])
    return out


class NocDrug(NamedTuple):
    """A drug billed with a not-otherwise-classified code (coding/data/drug_noc.csv)."""

    ndc: str  # 11 digits
    hcpcs: str  # J3590, J3490
    description: str  # name and strength, for SV101-7
    single_dose: bool
    source: str


@cache
def noc_drugs() -> dict[str, NocDrug]:
    """11-digit NDC -> its NOC billing row."""
    out: dict[str, NocDrug] = {}
    for r in read_table("drug_noc.csv"):
        if r["container"] not in ("single", "multi") or len(r["ndc"]) != 11 \
                or not r["ndc"].isdigit():
            raise TableError(f"coding/data/drug_noc.csv: {r['ndc']}: an 11-digit NDC and "
                             "container single or multi are required")
        out[r["ndc"]] = NocDrug(r["ndc"], r["hcpcs"], r["description"],
                                r["container"] == "single", r["source"])
    return out
