"""What a remittance load reports: per file, the whole run, and progress events.

Built by `reconcile.remit.load`; printed by `dermclaim remit load` (`LoadSummary.lines()`).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from attrs import define, field, frozen

from edi.wording import money_text as m
from reconcile.ledger.totals import Totals
from reconcile.remit.payments import plb_meaning

NOT_LOADED = ("failed", "not_tried")  # a file's outcomes that are failures (stderr)

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

    def failure_lines(self) -> list[str]:
        """One line per file not loaded, failed or not tried after a store-wide fault (the
        CLI prints them on stderr)."""
        return [self._file_line(f) for f in self.files if f.status in NOT_LOADED]

    @staticmethod
    def _file_line(f: FileResult) -> str:
        status = f.status.replace("_", " ")
        if f.message.startswith(f.path):  # the reader's errors already name the file
            return f"{status}: {f.message}"
        return f"{f.path}: {status}" + (f": {f.message}" if f.message else "")

    def lines(self, failures: bool = True) -> list[str]:
        """The human summary the CLI prints (without the failed files' lines when
        `failures` is False: they are `failure_lines`)."""
        loaded = [f for f in self.files if f.status == "loaded"]
        out = []
        for f in self.files:
            if f.status in NOT_LOADED and not failures:
                continue
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
        out.append(f"billed: {m(t.billed)}  paid (claims): {m(t.paid)}  "
                   f"provider adjustments (PLB): {m(t.plb)}  deposit (paid - PLB): "
                   f"{m(t.deposit_expected)}  received (BPR02): {m(t.received)}")
        for reason, (n, amount) in t.plb_by_reason.items():
            out.append(f"  PLB {reason} {plb_meaning(reason)}: {n} ({m(amount)})")
        cob = t.cob
        if cob.paid_by_later_payers or cob.billed_to_secondary or cob.awaiting_crossover \
                or cob.to_bill_secondary:
            out.append(f"next payers: billed to secondary {m(cob.billed_to_secondary)}  "
                       f"awaiting crossover {m(cob.awaiting_crossover)}  to bill to "
                       f"secondary {m(cob.to_bill_secondary)}  paid by later payers "
                       f"{m(cob.paid_by_later_payers)}  patient owes after every payer "
                       f"{m(cob.patient_owes)}")
        out.append(f"denials: {t.denied_lines} ({m(t.denied)})")
        out.extend(f"  {cause}: {n} ({m(amount)})"
                   for cause, (n, amount) in t.denied_by_cause.items())
        out.append(f"out-of-balance findings: {t.out_of_balance}"
                   + (" (listed per file above)" if t.out_of_balance else ""))
        return out
