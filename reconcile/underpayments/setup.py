"""From the practice file to the pricing of each payer: its contract, else the Medicare PFS.

`Pricer(practice)` reads every contract the practice names (`[contracts]`, one CSV per
companion guide), the PFS tables (`pfs.load_pfs`: shipped rows, or CMS's files named by
`DERMCLAIM_PFS_RVU` / `DERMCLAIM_PFS_GPCI`) and the `[medicare]` locality, and checks that the
locality exists in the GPCI table, so a wrong setting stops the command up front.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from companion_guides import GuideError, get_guide
from edi.practice import Practice
from reconcile.underpayments.contracts import Contract, ContractError, load_contract
from reconcile.underpayments.pfs import NATIONAL, PfsTables, load_pfs
from reconcile.underpayments.price import Expected, LineIn, Pricing, price_claim

__all__ = ["Pricer"]


def _is_medicare(guide: str) -> bool:
    try:
        return get_guide(guide).is_medicare
    except GuideError:
        return False


class Pricer:
    def __init__(self, practice: Practice, pfs: PfsTables | None = None):
        self.practice = practice
        self.pfs = pfs or load_pfs()
        self.tolerance: Decimal = practice.underpayment_tolerance
        self.contracts: dict[str, Contract] = {g: load_contract(p)
                                               for g, p in practice.contracts.items()}
        loc = practice.medicare_locality
        if loc != NATIONAL and not any(k == loc for k, _ in self.pfs.gpcis):
            raise ContractError(
                f"{practice.path}: medicare.locality {loc!r} is not in the GPCI table "
                f"({self.pfs.origin}): load CMS's GPCI file with DERMCLAIM_PFS_GPCI")

    def pricing(self, payer: str) -> Pricing:
        return Pricing(self.pfs, medicare=_is_medicare(payer),
                       contract=self.contracts.get(payer),
                       locality=self.practice.medicare_locality,
                       qp=self.practice.qualifying_apm)

    def price(self, payer: str, lines: Sequence[LineIn]) -> list[Expected]:
        return price_claim(lines, self.pricing(payer))
