"""Loading 835 files into the store: matched, classified, each file all or nothing, once.

`load_remittance_files(paths)` streams each file through the 835 reader (header, claim
payments one at a time, trailer) and writes it inside ONE database transaction: a syntax
error anywhere (the reader's X12SyntaxError) rolls the whole file back and the next file
still loads. A file is known by the sha256 of its bytes: loading it again reports "already
loaded" and writes nothing. Claim payments are matched to submitted lines
(`reconcile.remit.match`), classified (`reconcile.denials.classify`) and written a batch at a
time (bulk
inserts through `reconcile.store.remit_write`: ids handed out up front, COPY on
PostgreSQL), so memory stays flat on large files. Two processes loading the same bytes at
once: one writes it, the other reports it already loaded.

A payment is loaded once whatever its bytes (`reconcile.remit.payments`): a transaction repeating
one already posted (same payer, trace, amount, date) is recorded as a duplicate and posts
nothing; the same trace with other content is posted with a conflict finding to resolve.
PLB items are stored with their claim when PLB03-2 names one.

Reversals (CLP02 = 22) mark the earlier adjudication of the same claim (CLP01 + CLP07 +
patient) and its denials `superseded`; analytics count only live denials.

After-load steps: `POST_LOAD_STEPS` run in order inside the file's transaction once all of
its items are written, as `step(session, file_id, result)` (e.g. overturn detection).
"""

from __future__ import annotations

import gc
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from attrs import define, field
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from edi.errors import EdiError
from edi.x835.model import ClaimPayment, FindingKind, RemittanceHeader, RemittanceTrailer
from reconcile.denials.actions import route_action
from reconcile.denials.classify import Classification, SentLine, classify_claim
from reconcile.denials.lifecycle import record_superseded
from reconcile.denials.payers import appeal_deadline, guide_for_payer
from reconcile.errors import StoreError, StoreUnusable
from reconcile.ledger import totals
from reconcile.remit import payments
from reconcile.remit.match import ClaimMatch, match_claims
from reconcile.remit.money_limits import check_item
from reconcile.remit.overturn import apply_overturns, find_overturns, patient_id, patient_name
from reconcile.remit.result import FileResult, LoadProgress, LoadSummary
from reconcile.store import remit_write as store
from reconcile.store.database import describe_error, get_engine, session_scope, store_fault

if TYPE_CHECKING:
    from sqlmodel import Session

BATCH_CLAIMS = 500
LOAD_GC_THRESHOLD = 10_000  # young objects between two collections while loading
# CLP02 of a payer after the primary: processed as secondary / tertiary (and forwarded)
LATER_PAYER_STATUSES = frozenset({"2", "3", "20", "21"})
Item = RemittanceHeader | ClaimPayment | RemittanceTrailer
PostLoadStep = Callable[["Session", int, FileResult], None]
# Steps run after a file's items are written, inside its transaction (see the module doc).
POST_LOAD_STEPS: list[PostLoadStep] = []


class _CountingReader:
    """The 835 reader over a binary file whose read position gives the progress bar."""

    def __init__(self) -> None:
        self._raw: io.BufferedReader | None = None

    @property
    def position(self) -> int:
        try:
            return self._raw.tell() if self._raw is not None and not self._raw.closed else 0
        except (OSError, ValueError):
            return 0

    def __call__(self, path: Path) -> Iterator[Item]:
        from edi.x835.reader import iter_835

        with path.open("rb") as raw:
            self._raw = raw
            # as iter_835_path: BOM tolerated, undecodable bytes replaced, CR kept
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
            yield from iter_835(text, source=str(path))


def _loaded_meanwhile(url: str | None, path: Path) -> bool:
    try:
        sha, _ = file_sha256(path)
        with session_scope(url) as session:
            return store.file_loaded(session, sha)
    except (OSError, SQLAlchemyError):
        return False


def _p_size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def file_sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def recorded_name(path: Path) -> str:
    """The file name the store keeps: the path, or `<stdin>` for standard input (the CLI
    hands it over as a temporary file of that name)."""
    return path.name if path.name == "<stdin>" else str(path)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector, less often, while files load: a load allocates millions
    of short-lived objects (segments, models, rows), and every default gen-2 pass walked
    everything the process holds (the store's metadata, the ORM, the modules): about 15 %
    of a 50,000-claim load's CPU. What exists before the load is frozen (not walked again)
    and a young generation of 10,000 objects is collected instead of 700; the settings are
    restored after. Garbage cycles are rare here (a few thousand objects a 10,000-claim
    load), so memory stays as flat (peak RSS within a few MB)."""
    threshold = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0  # a caller's own frozen objects stay as they are
    if freeze:
        gc.freeze()
    gc.set_threshold(max(threshold[0], LOAD_GC_THRESHOLD), threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freeze:
            gc.unfreeze()


def load_remittance_files(paths: Sequence[str | Path], url: str | None = None,
                          progress: Callable[[LoadProgress], None] | None = None,
                          batch_claims: int = BATCH_CLAIMS,
                          reader: Callable[[Path], Iterable[Item]] | None = None) -> LoadSummary:
    """Load each 835 file in its own transaction; return what happened to each.

    `reader` streams a file's items (default: the 835 reader's `iter_835_path`)."""
    with _fewer_collections():
        return _load_files(paths, url, progress, batch_claims, reader)


def _load_files(paths: Sequence[str | Path], url: str | None,
                progress: Callable[[LoadProgress], None] | None, batch_claims: int,
                reader: Callable[[Path], Iterable[Item]] | None) -> LoadSummary:
    stream = _CountingReader()
    read: Callable[[Path], Iterable[Item]] = reader or stream
    get_engine(url)  # a bad URL is a StoreError before any file is touched
    summary = LoadSummary()
    for index, raw in enumerate(paths):
        path = Path(raw)
        result = FileResult(str(path), "loaded")
        summary.files.append(result)

        def tick(claims: int, done: bool = False, _i: int = index, _p: str = str(path)) -> None:
            if progress is not None:
                at = _p_size(_p) if done else stream.position
                progress(LoadProgress(_p, _i, len(paths), claims, at, done))

        try:
            sha, size = file_sha256(path)
            with session_scope(url) as session:
                if store.file_loaded(session, sha):
                    result.status = "already_loaded"
                    result.message = "same content as a file loaded before; nothing written"
                else:
                    load_items(session, read(path), sha=sha, file_name=recorded_name(path),
                               size=size, result=result, tick=tick, batch_claims=batch_claims)
        except EdiError as exc:
            result.status, result.message = "failed", f"{exc}; file not loaded"
        except OSError as exc:
            result.status, result.message = "failed", f"cannot read: {exc.strerror or exc}"
        except StoreUnusable as exc:  # the store, not this file: the next file fails alike
            _stop(summary, result, paths[index + 1:], str(exc))
            break
        except StoreError as exc:
            result.status, result.message = "failed", f"{exc}; file not loaded"
        except SQLAlchemyError as exc:
            fault = store_fault(exc, url)
            if fault is not None:
                _stop(summary, result, paths[index + 1:], str(fault))
                break
            # a concurrent load of the same bytes: UNIQUE sha256, or SQLite's stale snapshot
            if _loaded_meanwhile(url, path):
                result.status = "already_loaded"
                result.message = "loaded concurrently by another process; nothing written"
            else:
                result.status = "failed"
                why = exc.orig if isinstance(exc, IntegrityError) else describe_error(exc)
                result.message = f"database error, file not loaded: {why}"
        tick(result.claims, True)
    ids = [f.file_id for f in summary.files if f.status == "loaded" and f.file_id is not None]
    if summary.stopped is None:
        if ids:
            with session_scope(url) as session:
                store.refresh_statistics(session)
        summary.totals = totals.compute(url, file_ids=ids)
    return summary


def _stop(summary: LoadSummary, result: FileResult, rest: Sequence[str | Path],
          why: str) -> None:
    """A store-wide fault: this file failed, the later ones are not tried (each would fail
    alike); the run says why once."""
    result.status, result.message = "failed", "file not loaded: the store refused it"
    summary.files.extend(FileResult(str(p), "not_tried", "the store refused the run")
                         for p in rest)
    summary.stopped = why


def load_items(session: Session, items: Iterable[Item], *, sha: str, file_name: str, size: int,
               result: FileResult, tick: Callable[[int], None] | None = None,
               batch_claims: int = BATCH_CLAIMS) -> int:
    """Write one file's streamed items inside the caller's transaction; return its file id."""
    file_id = store.add_file(session, sha, file_name, size)
    tx: _Transaction | None = None
    for item in items:
        check_item(item, file_name)  # before any write: values the store cannot hold
        if isinstance(item, RemittanceHeader):
            tx = _Transaction.open(session, file_id, item, result, file_name)
            result.transactions += 1
        elif isinstance(item, ClaimPayment):
            if tx is None:
                raise StoreError(f"{file_name}: a claim payment arrived before its header")
            if tx.duplicate:
                continue  # a copy of a payment already posted: nothing of it posts
            tx.pending.append(item)
            if len(tx.pending) >= batch_claims:
                _flush(session, tx, result)
                if tick:
                    tick(result.claims)
        elif isinstance(item, RemittanceTrailer):
            if tx is None:
                raise StoreError(f"{file_name}: a transaction trailer without its header")
            _flush(session, tx, result)
            _close(session, tx, item, result)
            tx = None
    if tx is not None:
        _flush(session, tx, result)
    store.set_file_counts(session, file_id, result.transactions, result.claims, result.lines)
    result.file_id = file_id
    for step in POST_LOAD_STEPS:
        step(session, file_id, result)
    return file_id


@define
class _Transaction:
    id: int
    header: RemittanceHeader
    guide: str | None
    verdict: payments.Verdict
    file_id: int = 0
    file_name: str = ""
    pending: list[ClaimPayment] = field(factory=list)

    @property
    def duplicate(self) -> bool:
        return self.verdict.kind == "duplicate"

    @classmethod
    def open(cls, session: Session, file_id: int, h: RemittanceHeader,
             result: FileResult, file_name: str = "") -> _Transaction:
        payer_ids = (h.payer.id, h.payment.payer_identifier,
                     *(r.value for r in h.payer.references if r.qualifier in ("2U", "HI", "NF")))
        guide = guide_for_payer(payer_ids, h.payer.name)
        key = payments.payment_key(h)
        verdict = payments.judge(session, key)
        duplicate_of = verdict.earlier.transaction_id if verdict.kind == "duplicate" and \
            verdict.earlier else None
        tid = store.add_transaction(session, dict(
            file_id=file_id, control_number=h.control_number,
            interchange_control_number=h.envelope.interchange_control_number,
            payer_name=h.payer.name, payer_id=h.payer.id or h.payment.payer_identifier,
            payee_name=h.payee.name, payee_id=h.payee.id, trace_number=h.payment.trace_number,
            handling_code=h.payment.handling_code, payment_amount=h.payment.amount,
            credit_debit=h.payment.credit_debit, payment_method=h.payment.method,
            payment_date=h.payment.date, production_date=h.production_date, guide=guide,
            duplicate_of=duplicate_of))
        if verdict.kind != "new":
            message = verdict.message(key)
            store.add_findings(session, [dict(
                transaction_id=tid, kind=payments.DUPLICATE if duplicate_of else
                payments.CONFLICT, message=message, segment_number=h.segment_number,
                segment_id="TRN", claim=None, difference=None)])
            (result.duplicates if duplicate_of else result.conflicts).append(message)
        if duplicate_of is None:
            result.received += key.amount
        return cls(tid, h, guide, verdict, file_id, file_name)

    @property
    def paid_on(self) -> Any:
        return self.header.payment.date or self.header.production_date


class _ClaimRow(NamedTuple):
    """A remit_claim row, its values in the order of its fields (the columns written)."""

    remarks: str
    crossover_payer: str
    transaction_id: int
    patient_control_number: str
    status: str
    is_reversal: bool
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    filing_indicator: str | None
    payer_claim_number: str
    patient_id: str
    frequency: str | None
    date_of_service: Any
    payer: str
    submitted_claim_id: int | None
    segment_number: int


class _DenialRow(NamedTuple):
    """A denial row, its values in the order of its fields (the columns written)."""

    claim_row_id: int
    line_row_id: int | None
    submitted_line_id: int | None
    claim_id: str
    payer_claim_number: str
    payer: str
    line_control_number: str | None
    date_of_service: Any
    code: str | None
    modifiers: str
    cause: str
    group_code: str
    carc: str
    rarc: str
    amount: Decimal
    rule: str
    action: str
    evidence: str
    recoverable: bool
    payment_date: Any
    patient_id: str
    patient_name: str
    appeal_deadline: Any


LINE_COLUMNS = ("claim_row_id", "position", "qualifier", "code", "modifiers", "original_code",
                "original_modifiers", "charge", "paid", "units", "original_units", "allowed",
                "date_of_service", "control_number", "remarks", "submitted_line_id",
                "match_rule", "segment_number")
ADJUSTMENT_COLUMNS = ("claim_row_id", "line_row_id", "group_code", "carc", "amount", "quantity")


def _flush(session: Session, tx: _Transaction, result: FileResult) -> None:
    claims, tx.pending = tx.pending, []
    if not claims:
        return
    matches = match_claims(session, claims, payer=tx.guide)
    claim_rows = []
    for c, m in zip(claims, matches, strict=True):
        payer = (m.submitted.payer if m.submitted else None) or tx.guide or tx.header.payer.name
        if c.status in LATER_PAYER_STATUSES and tx.guide:
            # a secondary / tertiary payer's answer (a crossover we never sent it included)
            payer = tx.guide
        crossed = c.name("TT")
        claim_rows.append(_ClaimRow(
            remarks=":".join(r.code for r in c.remarks),
            crossover_payer=(crossed.last_or_org if crossed else ""),
            transaction_id=tx.id, patient_control_number=c.patient_control_number,
            status=c.status, is_reversal=c.is_reversal, charge=c.charge, paid=c.paid,
            patient_responsibility=c.patient_responsibility, filing_indicator=c.filing_indicator,
            payer_claim_number=c.payer_claim_number, patient_id=patient_id(c),
            frequency=c.frequency,
            date_of_service=_claim_date(c, m), payer=payer,
            submitted_claim_id=m.submitted.id if m.submitted else None,
            segment_number=c.segment_number))
    claim_ids = store.add_claims(session, _ClaimRow._fields, claim_rows)

    line_rows = []
    for c, m, cid, row in zip(claims, matches, claim_ids, claim_rows, strict=True):
        claim_date = row.date_of_service
        for pos, (svc, lm) in enumerate(zip(c.service_lines, m.lines, strict=True), 1):
            line_rows.append((
                cid, pos, svc.qualifier, svc.code, ":".join(svc.modifiers), svc.original_code,
                ":".join(svc.original_modifiers), svc.charge, svc.paid, svc.units,
                svc.original_units, svc.allowed, svc.service_date or claim_date,
                svc.control_number, ":".join(r.code for r in svc.remarks),
                lm.submitted.id if lm.submitted else None, lm.rule, svc.segment_number))
    line_ids = iter(store.add_lines(session, LINE_COLUMNS, line_rows))

    adjustments: list[tuple[Any, ...]] = []
    denials: list[_DenialRow] = []
    reversals: list[tuple[int, str, str, str]] = []
    for c, m, cid, row in zip(claims, matches, claim_ids, claim_rows, strict=True):
        ids = [next(line_ids) for _ in c.service_lines]
        result.claims += 1
        result.predeterminations += c.status == "25"
        result.paid += c.paid
        result.lines += len(ids)
        result.lines_matched += sum(lm.submitted is not None for lm in m.lines)
        result.lines_unmatched += sum(lm.submitted is None for lm in m.lines)
        for a in c.adjustments:
            adjustments.append((cid, None, a.group, a.reason, a.amount, a.quantity))
        for svc, lid in zip(c.service_lines, ids, strict=True):
            adjustments.extend((cid, lid, a.group, a.reason, a.amount, a.quantity)
                               for a in svc.adjustments)
        if c.is_reversal:
            reversals.append((cid, c.patient_control_number, c.payer_claim_number,
                              row.patient_id))
        sent, claim_lines = _context(c, m)
        for d in classify_claim(c, sent, claim_lines):
            k = d.classification
            denials.append(_denial_row(tx, c, m, cid, row, ids, sent, d.line_index, k))
            result.denials[k.cause] += 1
            result.denied_amount += k.amount
    store.add_adjustments(session, ADJUSTMENT_COLUMNS, adjustments)
    store.add_denials(session, _DenialRow._fields, denials)
    store.supersede_earlier(session, reversals)
    if reversals:
        record_superseded(session, remit_file_id=tx.file_id)
    # a paid line answering an earlier denial overturns it (reconcile/overturn.py)
    apply_overturns(session, find_overturns(session, claims, matches, claim_ids, tx.id,
                                            tx.paid_on, tx.file_id), tx.file_id, tx.file_name)


def _denial_row(tx: _Transaction, c: ClaimPayment, m: ClaimMatch, cid: int, row: _ClaimRow,
                line_ids: list[int], sent: list[SentLine | None], at: int | None,
                k: Classification) -> _DenialRow:
    """The denial row of one classified line (`at`) or of the claim-level adjustments."""
    svc = c.service_lines[at] if at is not None else None
    sub = m.lines[at].submitted if at is not None else None
    s = sent[at] if at is not None else None
    return _DenialRow(
        claim_row_id=cid, line_row_id=line_ids[at] if at is not None else None,
        submitted_line_id=sub.id if sub else None, claim_id=c.patient_control_number,
        payer_claim_number=c.payer_claim_number, payer=row.payer,
        line_control_number=(sub.line_control_number if sub
                             else (svc.control_number if svc else None)),
        date_of_service=(s.date_of_service if s else None) or row.date_of_service,
        code=s.code if s else (svc.submitted_code if svc else None),
        modifiers=":".join(s.modifiers) if s else "",
        cause=k.cause, group_code=k.group, carc=k.carc, rarc=k.rarc, amount=k.amount,
        rule=k.rule, action=route_action(k.action, k.cause, row.payer),
        evidence=k.evidence, recoverable=k.recoverable,
        payment_date=tx.paid_on, patient_id=patient_id(c), patient_name=patient_name(c),
        appeal_deadline=appeal_deadline(tx.paid_on, row.payer) if tx.paid_on else None)

def _context(c: ClaimPayment, m: ClaimMatch) -> tuple[list[SentLine | None], list[SentLine] | None]:
    """Each line as billed (the submitted line when matched), and the whole claim as billed."""
    sent: list[SentLine | None] = [
        SentLine(lm.submitted.code, lm.submitted.modifiers, lm.submitted.date_of_service)
        if lm.submitted is not None else None for lm in m.lines]
    claim_lines = None
    if m.submitted is not None:
        claim_lines = [SentLine(x.code, x.modifiers, x.date_of_service) for x in m.submitted.lines]
        # lines the payer reports that the store does not hold still count as billed context
        claim_lines += [SentLine(svc.submitted_code, svc.submitted_modifiers, svc.service_date)
                        for svc, lm in zip(c.service_lines, m.lines, strict=True)
                        if lm.submitted is None]
    return sent, claim_lines


def _close(session: Session, tx: _Transaction, t: RemittanceTrailer,
           result: FileResult) -> None:
    if tx.duplicate:
        return  # the first copy's PLB and findings stand
    plb = [dict(transaction_id=tx.id, provider_id=p.provider_id,
                fiscal_period_end=p.fiscal_period_end, reason=i.reason, reference=i.reference,
                amount=i.amount, segment_number=p.segment_number,
                claim_row_id=payments.plb_claim(session, tx.id, i.reference))
           for p in t.provider_adjustments for i in p.items]
    store.add_provider_adjustments(session, plb)
    result.plb += sum((i.amount for p in t.provider_adjustments for i in p.items), Decimal(0))
    findings = [dict(transaction_id=tx.id, kind=f.kind.value, message=f.message,
                     segment_number=f.segment_number, segment_id=f.segment_id, claim=f.claim,
                     difference=f.difference) for f in t.findings]
    store.add_findings(session, findings)
    for f in t.findings:
        if f.kind is FindingKind.DEFECT:
            result.defects += 1
        else:
            where = f"segment {f.segment_number}: " if f.segment_number else ""
            # the reader's message already starts "claim X: " when it is about a claim
            claim = f"claim {f.claim}: " if f.claim and not f.message.startswith(
                f"claim {f.claim}") else ""
            result.out_of_balance.append(f"{where}{claim}{f.message}")


def _claim_date(c: ClaimPayment, m: ClaimMatch) -> Any:
    for d in c.dates:
        if d.qualifier in ("232", "472", "150") and d.value:
            return d.value
    for s in c.service_lines:
        if s.service_date:
            return s.service_date
    return m.submitted.date_of_service if m.submitted else None


__all__ = ["LoadProgress", "FileResult", "LoadSummary", "load_remittance_files", "load_items",
           "file_sha256"]
