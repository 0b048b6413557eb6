"""Plain data (JSON-ready dicts) and short text lines for 835 model objects.

JSON conventions: Decimal as a string ("120.00", exact), dates ISO 8601, enums by value;
every CAS adjustment and remark carries its code meaning from `edi.codes` (None when the
code is not in our tables).
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from edi.codes import carc_meaning, group_meaning, rarc_meaning
from edi.wording import money_text
from edi.x835.model import ClaimPayment, RemittanceHeader, RemittanceTrailer

Item = RemittanceHeader | ClaimPayment | RemittanceTrailer


def _plain(_inst: object, _field: object, value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _annotate(data: Any) -> Any:
    """Add code meanings beside adjustment and remark codes, recursively."""
    if isinstance(data, list | tuple):
        return [_annotate(v) for v in data]
    if not isinstance(data, dict):
        return data
    out = {k: _annotate(v) for k, v in data.items()}
    if {"group", "reason", "amount"} <= out.keys():
        out["group_meaning"] = group_meaning(out["group"])
        out["reason_meaning"] = carc_meaning(out["reason"])
    elif {"qualifier", "code"} == out.keys() and out["qualifier"] == "HE":
        out["meaning"] = rarc_meaning(out["code"])
    return out


def to_dict(item: Item) -> dict[str, Any]:
    """One streamed model object as JSON-ready data (tuples become lists)."""
    data = attrs.asdict(item, value_serializer=_plain)
    result: dict[str, Any] = _annotate(data)
    if isinstance(item, ClaimPayment):
        result["is_reversal"] = item.is_reversal
    return result


def money(value: Decimal | None) -> str:
    """Money for people (`edi.wording.money_text`): `$1,234.56`."""
    return money_text(value)


def adjustment_text(group: str, reason: str, amount: Decimal) -> str:
    meaning = carc_meaning(reason)
    return f"{group}-{reason} {money(amount)}" + (f"  {meaning}" if meaning else "")


def remark_text(code: str) -> str:
    meaning = rarc_meaning(code)
    return code + (f" ({meaning})" if meaning else "")
