"""What the store's money columns can hold, checked before a remittance is written.

An 835 amount may have up to 18 digits (X12 R 1/18) but the store's money columns are
`money_column()` (NUMERIC(precision, scale)): PostgreSQL refuses a larger value in the
middle of a COPY, and SQLite stores anything, after which every report of that store
breaks. So each value is checked against the column's own precision before any write,
and a file holding one it cannot hold is refused whole, naming the segment and element.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from edi.x835.model import ClaimPayment, RemittanceHeader, RemittanceTrailer
from reconcile.errors import StoreError

Item = RemittanceHeader | ClaimPayment | RemittanceTrailer


@cache
def money_limits() -> tuple[Decimal, int]:
    """(smallest magnitude the money column cannot hold, its number of decimals)."""
    from reconcile.store.models import money_column

    column_type = money_column().type
    column_type = getattr(column_type, "impl", column_type)  # a TypeDecorator: its SQL type
    precision = getattr(column_type, "precision", None) or 12
    scale = getattr(column_type, "scale", None) or 0
    return Decimal(10) ** (precision - scale), scale


def check_item(item: Item, file_name: str) -> None:
    """StoreError naming the segment when an amount of `item` does not fit the store."""
    if isinstance(item, ClaimPayment):
        _claim(item, file_name)
    elif isinstance(item, RemittanceHeader):
        _fits(item.payment.amount, file_name, item.segment_number, "BPR", "BPR02")
    else:
        for plb in item.provider_adjustments:
            for it in plb.items:
                _fits(it.amount, file_name, plb.segment_number, "PLB", "an amount")
        for f in item.findings:
            if f.difference is not None:
                _fits(f.difference, file_name, f.segment_number, f.segment_id or "",
                      "a balancing difference")


def _claim(c: ClaimPayment, file_name: str) -> None:
    n = c.segment_number
    for value, name in ((c.charge, "CLP03"), (c.paid, "CLP04"),
                        (c.patient_responsibility, "CLP05")):
        _fits(value, file_name, n, "CLP", name)
    for a in c.adjustments:
        _fits(a.amount, file_name, n, "CLP", "a CAS amount of the claim")
        _fits(a.quantity, file_name, n, "CLP", "a CAS quantity of the claim")
    for line in c.service_lines:
        ln = line.segment_number
        for value, name in ((line.charge, "SVC02"), (line.paid, "SVC03"), (line.units, "SVC05"),
                            (line.original_units, "SVC07"), (line.allowed, "AMT*B6")):
            _fits(value, file_name, ln, "SVC", name)
        for a in line.adjustments:
            _fits(a.amount, file_name, ln, "SVC", "a CAS amount of the line")
            _fits(a.quantity, file_name, ln, "SVC", "a CAS quantity of the line")


def _fits(value: Decimal | None, file_name: str, number: int | None, sid: str,
          what: str) -> None:
    if value is None:
        return
    limit, _scale = money_limits()
    if not value.is_finite() or abs(value) >= limit:
        raise StoreError(
            f"{file_name}: segment {number} {sid}: {what} has more digits before the decimal "
            f"point than the store holds (less than {limit:,} in magnitude)")
