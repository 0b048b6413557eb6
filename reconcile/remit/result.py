"""What a remittance load reports: per file, the whole run, and progress events.

Built by `reconcile.remit.load`; printed by `dermclaim remit load` (`LoadSummary.lines()`).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from attrs import define, field, frozen

from reconcile.ledger.totals import Totals
from reconcile.remit.payments import plb_meaning


@frozen
class LoadProgress:
    path: str
    file_index: int  # 0-based
    file_count: int
    claims: int  # claim payments written so far in this file
    bytes_read: int = 0  # of this file, so far (0 when a custom reader is used)
    done: bool = False


FIRST_FEW = 3  # findings of each kind shown per file; `remit show FILE` lists all


@define
class FileResult:
    path: str
    status: str  # loaded, already_loaded, failed, not_tried (the store stopped the run)
    message: str = ""
    file_id: int | None = None
    transactions: int = 0
    claims: int = 0
    lines: int = 0
    lines_matched: int = 0
    lines_unmatched: int = 0
    predeterminations: int = 0
    denials: Counter[str] = field(factory=Counter)
    denied_amount: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")  # sum CLP04 posted
    plb: Decimal = Decimal("0")  # sum PLB posted (positive = taken back)
    received: Decimal = Decimal("0")  # sum BPR02 of the payments posted
    duplicates: list[str] = field(factory=list)  # payments already posted: nothing posted
    conflicts: list[str] = field(factory=list)  # same trace, other content: to resolve
    out_of_balance: list[str] = field(factory=list)
    defects: int = 0

    def finding_lines(self) -> list[str]:
        """Per-file findings, summarised: count and the first few of each kind."""
        out = []
        for label, items in (("duplicate payments", self.duplicates),
                             ("trace number conflicts to resolve", self.conflicts),
                             ("out-of-balance findings", self.out_of_balance)):
            if not items:
                continue
            out.append(f"  {label}: {len(items)}")
            out.extend(f"    {m}" for m in items[:FIRST_FEW])
            if len(items) > FIRST_FEW:
                out.append(f"    ... {len(items) - FIRST_FEW} more: "
                           f"`dermclaim remit show {self.path}` lists all")
        if self.defects:
            out.append(f"  tolerated defects: {self.defects} "
                       f"(`dermclaim remit show {self.path}` lists them)")
        return out


@define
class LoadSummary:
    files: list[FileResult] = field(factory=list)
    totals: Totals | None = None  # `reconcile.ledger.totals` over the files this run loaded
    stopped: str | None = None  # a store-wide fault (read-only, full...) ended the run

    def _sum(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files if f.status == "loaded")

    @property
    def ok(self) -> bool:
        return all(f.status != "failed" for f in self.files)

    @property
    def needs_attention(self) -> bool:
        """A trace number conflict: the user must decide which payment is right."""
        return any(f.conflicts for f in self.files)

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
            if f.status == "loaded":
                out.extend(f.finding_lines())
        out.append(f"files: {len(loaded)} loaded, "
                   f"{sum(f.status == 'already_loaded' for f in self.files)} already loaded, "
                   f"{sum(f.status == 'failed' for f in self.files)} failed"
                   + (f", {sum(f.status == 'not_tried' for f in self.files)} not tried"
                      if self.stopped else ""))
        t = self.totals
        if t is None:
            return out
        dup = sum(len(f.duplicates) for f in loaded)
        conflicts = sum(len(f.conflicts) for f in loaded)
        out.append(f"payments (checks/EFTs): {t.payments} posted, {dup} duplicates posted "
                   f"nothing" + (f", {conflicts} trace conflicts to resolve" if conflicts
                                 else ""))
        out.append(f"claims: {t.claims}  lines: {t.lines} (each claim once)  service lines "
                   f"received: {self._sum('lines')}  matched: {self._sum('lines_matched')}  "
                   f"unmatched: {self._sum('lines_unmatched')}"
                   + (f"  predeterminations (no payment): {t.predeterminations}"
                      if t.predeterminations else ""))
        out.append(f"billed: {t.billed:.2f}  paid (claims): {t.paid:.2f}  "
                   f"provider adjustments (PLB): {t.plb:.2f}  deposit (paid - PLB): "
                   f"{t.deposit_expected:.2f}  received (BPR02): {t.received:.2f}")
        for reason, (n, amount) in t.plb_by_reason.items():
            out.append(f"  PLB {reason} {plb_meaning(reason)}: {n} ({amount:.2f})")
        out.append(f"denials: {t.denied_lines} ({t.denied:.2f})")
        out.extend(f"  {cause}: {n} ({amount:.2f})"
                   for cause, (n, amount) in t.denied_by_cause.items())
        out.append(f"out-of-balance findings: {t.out_of_balance}"
                   + (" (listed per file above)" if t.out_of_balance else ""))
        return out
