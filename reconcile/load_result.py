"""What a remittance load reports: per file, the whole run, and progress events.

Built by `reconcile.load`; printed by `dermclaim remit load` (`LoadSummary.lines()`).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from attrs import define, field, frozen


@frozen
class LoadProgress:
    path: str
    file_index: int  # 0-based
    file_count: int
    claims: int  # claim payments written so far in this file
    bytes_read: int = 0  # of this file, so far (0 when a custom reader is used)
    done: bool = False


@define
class FileResult:
    path: str
    status: str  # loaded, already_loaded, failed
    message: str = ""
    transactions: int = 0
    claims: int = 0
    lines: int = 0
    lines_matched: int = 0
    lines_unmatched: int = 0
    denials: Counter[str] = field(factory=Counter)
    denied_amount: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")
    out_of_balance: list[str] = field(factory=list)
    defects: int = 0


@define
class LoadSummary:
    files: list[FileResult] = field(factory=list)

    def _sum(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files if f.status == "loaded")

    @property
    def ok(self) -> bool:
        return all(f.status != "failed" for f in self.files)

    @property
    def denials_by_cause(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for f in self.files:
            if f.status == "loaded":
                total.update(f.denials)
        return total

    def lines(self) -> list[str]:
        """The human summary the CLI prints."""
        loaded = [f for f in self.files if f.status == "loaded"]
        out = []
        for f in self.files:
            status = f.status.replace("_", " ")
            if f.message.startswith(f.path):  # the reader's errors already name the file
                out.append(f"{status}: {f.message}")
            else:
                out.append(f"{f.path}: {status}" + (f": {f.message}" if f.message else ""))
        out.append(f"files: {len(loaded)} loaded, "
                   f"{sum(f.status == 'already_loaded' for f in self.files)} already loaded, "
                   f"{sum(f.status == 'failed' for f in self.files)} failed")
        paid = sum((f.paid for f in loaded), Decimal("0"))
        out.append(f"checks/EFTs: {self._sum('transactions')}  claims: {self._sum('claims')}  "
                   f"paid: {paid:.2f}")
        out.append(f"service lines: {self._sum('lines')}  matched: {self._sum('lines_matched')}"
                   f"  unmatched: {self._sum('lines_unmatched')}")
        by_cause = self.denials_by_cause
        denied = sum((f.denied_amount for f in loaded), Decimal("0"))
        out.append(f"denials: {sum(by_cause.values())} ({denied:.2f})"
                   + "".join(f"\n  {c}: {n}" for c, n in by_cause.most_common()))
        oob = [m for f in loaded for m in f.out_of_balance]
        out.append(f"out-of-balance items: {len(oob)}" + "".join(f"\n  {m}" for m in oob))
        defects = self._sum("defects")
        if defects:
            out.append(f"tolerated defects: {defects} (stored; `dermclaim remit show` lists them)")
        return out
