"""The Medicare PFS arithmetic computed independently from the published figures (RVU26C rows,
the 2026 conversion factor 33.4009), shared by the underpayment tests."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CF_2026 = Decimal("33.4009")  # PBN 549945; PPRRVU2026 CONV FACTOR
CF_2025 = Decimal("32.3465")
DOS = date(2026, 3, 17)
D = Decimal


def cents(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def pfs(work: str, pe: str, mp: str, cf: Decimal = CF_2026, g: tuple[str, str, str] = (
        "1", "1", "1")) -> Decimal:
    return cents((D(work) * D(g[0]) + D(pe) * D(g[1]) + D(mp) * D(g[2])) * cf)


# a contract of the tests: a percent-of-Medicare row with last year's rate, a modifier row
CONTRACT = """code,modifier,allowed,percent_of_medicare,effective_from,effective_to
11102,,,150,2026-01-01,2026-12-31
11102,,,140,2025-01-01,2025-12-31
11102,59,99.00,,2026-01-01,
99213,,118.00,,2026-01-01,2026-12-31
"""
