"""Meanings of the acknowledgment codes and the fix for a rejection, read from `edi/data/`.

    category("A7").outcome             -> "rejected"
    status_meaning("562")              -> "the entity's National Provider Identifier (NPI)"
    entity_meaning("85")               -> "billing provider"
    ack999_meaning("IK304", "8")       -> "segment has data element errors"
    fix_for("562", "85")               -> "check the billing provider NPI (practice file ..."
    describe(StatusCode("A7", "562", "85"))
        -> "A7 rejected for invalid information ...: 562 the entity's ... NPI (85 billing provider)"

Tables: claim_status_category.csv (X12 list 507), claim_status.csv (508),
entity_identifier.csv (element 98), ack_999_codes.csv (999 elements), status_fixes.csv
(what to change). Each has its source in its header. Unknown codes give None (payers send
codes newer than any table); `describe` then says so instead of inventing a meaning.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Protocol

from attrs import frozen

UNKNOWN = "not in dermclaim's table: see x12.org/codes"


@frozen
class Category:
    code: str
    meaning: str
    outcome: str  # acknowledged, rejected, pending, finalized, request, error


class _Composite(Protocol):
    category: str
    status: str
    entity: str


def _rows(name: str) -> Iterator[dict[str, str]]:
    text = resources.files("edi.data").joinpath(name).read_text(encoding="utf-8")
    reader = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    for row in reader:
        yield {k: (v or "").strip() for k, v in row.items()}


@cache
def _categories() -> dict[str, Category]:
    return {r["code"]: Category(r["code"], r["meaning"], r["outcome"])
            for r in _rows("claim_status_category.csv")}


@cache
def _statuses() -> dict[str, str]:
    return {r["code"]: r["meaning"] for r in _rows("claim_status.csv")}


@cache
def _entities() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["meaning"], r["where"]) for r in _rows("entity_identifier.csv")}


@cache
def _ack999() -> dict[tuple[str, str], str]:
    return {(r["element"], r["code"]): r["meaning"] for r in _rows("ack_999_codes.csv")}


@cache
def _fixes() -> dict[tuple[str, str], str]:
    return {(r["status"], r["entity"]): r["fix"] for r in _rows("status_fixes.csv")}


def category(code: str) -> Category | None:
    return _categories().get(code.strip().upper())


def status_meaning(code: str) -> str | None:
    return _statuses().get(code.strip())


def entity_meaning(code: str) -> str | None:
    found = _entities().get(code.strip().upper())
    return found[0] if found else None


def entity_loop(code: str) -> str | None:
    found = _entities().get(code.strip().upper())
    return found[1] if found and found[1] else None


def ack999_meaning(element: str, code: str) -> str | None:
    """element: IK304, IK403, IK501, IK502, AK901 or AK905."""
    return _ack999().get((element, code.strip().upper()))


def fix_for(status: str, entity: str = "") -> str | None:
    """The most specific fix: (status, entity), then (status, any entity)."""
    table = _fixes()
    return table.get((status.strip(), entity.strip().upper())) or table.get((status.strip(), "*"))


def describe(code: _Composite) -> str:
    """One STC composite in words, e.g. for `rejections` and the report."""
    cat = category(code.category)
    parts = [f"{code.category} {cat.meaning if cat else UNKNOWN}"]
    if code.status:
        parts.append(f"{code.status} {status_meaning(code.status) or UNKNOWN}")
    text = ": ".join(parts)
    if code.entity:
        text += f" ({code.entity} {entity_meaning(code.entity) or UNKNOWN})"
    return text


def fix(code: _Composite) -> str:
    """What to change for one rejecting STC composite."""
    found = fix_for(code.status, code.entity) if code.status else None
    if found:
        return found
    where = entity_loop(code.entity) if code.entity else None
    return ("correct the data the status names" + (f" (837P {where})" if where else "")
            + " and send the claim again as a new original")
