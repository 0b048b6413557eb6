"""Implementation-guide validation through pyx12: the ONLY module that imports pyx12.

pyx12 4.0 is the independent judge of what we write (837P) and what payers send (835).
It is called through its API on an in-memory text (no files appear beside the input); its
JSON error report is turned into frozen findings: file segment number, segment ID, loop
and a plain message. For an 837P our own checks (`edi.x837p.text_checks`) add what pyx12 lets
through (HL04 child flags, CLM02 = sum of SV102, pointers past HI, dotted ICD-10, NPI check
digits, 10-digit NDCs, 5-digit billing ZIP, zero units...).

Element values are left out of messages on purpose: a bad value can be patient data.
"""

from __future__ import annotations

import concurrent.futures
import enum
import io
import json
import logging
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pyx12.error_handler
import pyx12.errors
import pyx12.params
import pyx12.x12context
import pyx12.x12n_document
from attrs import frozen

from edi.atomic import write_atomically
from edi.errors import EdiError
from edi.x12.chunks import Piece, Uncuttable, iter_pieces, subscriber_loops
from edi.x12.scan import delimiters as _delimiters
from edi.x12.scan import scan as _scan

__all__ = [
    "Level",
    "ValidationFinding",
    "ValidationReport",
    "segment_loops",
    "validate_path",
    "validate_text",
    "start_validation",
    "PendingValidation",
]

# pyx12 logs every error it finds to the "pyx12" logger (and Python's last-resort handler
# prints them to stderr). The findings carry them; the log would only leak values.
_LOG = logging.getLogger("pyx12")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False

# An 837P this large (about 150 claims) is validated in pieces on every core: below it, the
# second process's start (pyx12 loads its maps, ~1 s) costs more than the split saves.
PARALLEL_FROM = 100_000
# Claims per piece at most: pyx12 grows ~4.4 KB a claim it reads and spends ~0.17 s a file.
CLAIMS_PER_PIECE = 2_500
REPORT_EVERY = 500  # segments between two progress reports
Progress = Callable[[int, int], None]


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@frozen
class ValidationFinding:
    message: str
    segment_number: int | None = None  # 1-based position of the segment in the file
    segment_id: str | None = None  # ISA, CLM, SV1...
    loop: str | None = None  # 2300, 2400... (ISA/GS/ST for envelope problems)
    element: str | None = None  # SV1-04 style reference when pyx12 names one
    code: str = ""  # pyx12 err_cde, or ours (e.g. "CLM02_SUM")
    level: Level = Level.ERROR
    checker: str = "pyx12"  # "pyx12" or "dermclaim"

    def describe(self) -> str:
        where = []
        if self.segment_number is not None:
            where.append(f"segment {self.segment_number}")
        if self.segment_id:
            where.append(self.segment_id)
        if self.loop:
            where.append(f"loop {self.loop}")
        if self.element:
            where.append(self.element)
        head = ", ".join(where)
        return f"{head}: {self.message}" if head else self.message


@frozen
class ValidationReport:
    source: str
    transaction_types: tuple[str, ...]  # "837", "835"...
    segment_count: int
    findings: tuple[ValidationFinding, ...]

    @property
    def errors(self) -> tuple[ValidationFinding, ...]:
        return tuple(f for f in self.findings if f.level is Level.ERROR)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_text(text: str, source: str = "<text>", *, ack: io.StringIO | None = None,
                  own_checks: bool = True, progress: Progress | None = None) -> ValidationReport:
    """Validate X12 text with pyx12 (plus our 837P checks when `own_checks`); `ack`, when
    given, receives the 999 acknowledgment pyx12 writes; `progress(segments validated,
    segments in all)` is called as pyx12 goes (for a progress bar)."""
    return start_validation(text, source, ack=ack, own_checks=own_checks,
                            progress=progress).result()


def start_validation(text: str, source: str = "<text>", *, ack: io.StringIO | None = None,
                     own_checks: bool = True, progress: Progress | None = None
                     ) -> PendingValidation:
    """`validate_text` begun: a large 837P is already being validated by pyx12 in worker
    processes when this returns, so the caller can do other work meanwhile (`dermclaim
    claims` records the interchange); `result()` finishes it (our own checks run in this
    process then, while the workers go on). Raises EdiError at once for text that is not
    X12. Call `result()` or `cancel()`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.lstrip().startswith("ISA"):
        raise EdiError(f"{source}: not an X12 file (it must start with an ISA segment)")
    scan = _scan(text)  # one pass, segment by segment: no list of a million segments
    if ack is not None and "837" not in scan.types and scan.missing_st03:
        raise EdiError(
            f"{source}: cannot write a 999 for this file: its ST segment has no ST03 "
            "(implementation guide version), which is normal for an 835 but pyx12 needs it "
            "to build the acknowledgment; validate without --ack"
        )
    required = [ValidationFinding(
        message=f"transaction set {kind} has no {segment} segment", segment_number=st,
        segment_id="ST", loop="ST", code="REQUIRED_SEGMENT", checker="dermclaim")
        for kind, segment, st in scan.missing] if own_checks else []
    return PendingValidation(text, scan.count, required, source, scan.types, ack, own_checks,
                             progress)


class PendingValidation:
    """One validation under way (see `start_validation`)."""

    def __init__(self, text: str, segment_count: int, required: list[ValidationFinding],
                 source: str, types: tuple[str, ...], ack: io.StringIO | None,
                 own_checks: bool, progress: Progress | None):
        # the split segments are not kept: a 5,000-claim file's lists weigh ~30 MB
        self.text, self.segment_count, self.required = text, segment_count, required
        self.source, self.types = source, types
        self.ack, self.own_checks, self.progress = ack, own_checks, progress
        self._parallel: _Parallel | None = None
        workers = _workers()
        if ack is None and workers > 1 and types == ("837",) and len(text) >= PARALLEL_FROM:
            elem, term = _delimiters(text)
            units = subscriber_loops(text, elem, term)
            if units >= 2:
                # pieces of at most CLAIMS_PER_PIECE claims (pyx12's memory grows with the
                # file it reads), at least one per worker
                size = min(CLAIMS_PER_PIECE, -(-units // min(workers, units)))
                self._parallel = _Parallel(iter_pieces(text, elem, term, size), workers,
                                           segment_count)

    def cancel(self) -> None:
        """Stop the workers (the caller failed before it needed the result)."""
        if self._parallel is not None:
            self._parallel.close(cancel=True)
            self._parallel = None

    def result(self) -> ValidationReport:
        text = self.text
        own = list(self.required)
        if self.own_checks and "837" in self.types:  # meanwhile the workers validate
            from edi.x837p.text_checks import check_text  # edi.x837p does not import pyx12

            own.extend(
                ValidationFinding(message=p.message, segment_number=p.segment_number,
                                  segment_id=p.segment_id, loop=p.loop or None, code=p.code,
                                  checker="dermclaim")
                for p in check_text(text)
            )
        findings: list[ValidationFinding] | None = None
        if self._parallel is not None:
            try:
                findings = self._parallel.findings(self.progress)
            finally:
                self._parallel.close()
                self._parallel = None
        if findings is None:  # not in pieces (small, or an envelope that cannot be cut)
            findings = _pyx12_serial(text, self.ack, self.progress, self.segment_count)
        findings.extend(own)
        findings.sort(key=lambda f: (f.segment_number or 0))
        return ValidationReport(source=self.source, transaction_types=self.types,
                                segment_count=self.segment_count, findings=tuple(findings))


def _pyx12_serial(text: str, ack: io.StringIO | None, progress: Progress | None,
                  total: int) -> list[ValidationFinding]:
    """pyx12's findings on `text` (`total` segments) in this process."""
    if progress is None:
        return _pyx12_once(text, ack)
    done = [0]

    def tick() -> None:
        done[0] += REPORT_EVERY
        progress(min(done[0], total), total)
    findings = _pyx12_once(text, ack, tick)
    progress(total, total)
    return findings


_done: Any = None  # in a worker process: the segments it has validated, shared with the parent


def _worker_start(counter: Any) -> None:
    global _done
    _done = counter


def _count_in_parent() -> None:
    with _done.get_lock():
        _done.value += REPORT_EVERY


def _pyx12_piece(text: str) -> list[ValidationFinding]:
    return _pyx12_once(text, None, _count_in_parent if _done is not None else None)


class _Parallel:
    """The pieces validated in `workers` processes, each piece as soon as it is cut (a
    thread cuts while the caller goes on; at most two pieces a worker wait their turn, so
    memory holds a few pieces, whatever the file's size); `findings` gathers them mapped
    back to the original segment numbers (a finding on a header every piece repeats is
    kept once), or None when the file turned out not to be cuttable."""

    def __init__(self, pieces: Iterator[Piece], workers: int, total: int):
        context = multiprocessing.get_context("fork" if "fork" in
                                              multiprocessing.get_all_start_methods() else None)
        self.total = total
        self.done = context.Value("l", 0)
        self.pool = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context, initializer=_worker_start, initargs=(self.done,))
        # the workers are forked now, from this thread alone (a fork beside a running
        # thread can copy a lock held: the cutter starts after)
        self.pool.submit(int).result()
        self.futures: list[concurrent.futures.Future[list[ValidationFinding]]] = []
        self.origins: list[Any] = []
        self.uncuttable = False
        self.failure: BaseException | None = None
        self.stop = threading.Event()
        self.room = threading.Semaphore(2 * workers)
        self.cutter = threading.Thread(target=self._cut, args=(pieces,), daemon=True)
        self.cutter.start()

    def _cut(self, pieces: Iterator[Piece]) -> None:
        try:
            for piece in pieces:
                self.room.acquire()
                if self.stop.is_set():
                    return
                future = self.pool.submit(_pyx12_piece, piece.text)
                future.add_done_callback(lambda _f: self.room.release())
                self.futures.append(future)
                self.origins.append(piece.origin)
        except Uncuttable:
            self.uncuttable = True
        except BaseException as exc:  # e.g. the pool broke: result() raises it
            self.failure = exc

    def close(self, cancel: bool = False) -> None:
        self.stop.set()
        self.room.release()  # a cutter waiting for room sees the stop
        self.cutter.join()
        self.pool.shutdown(wait=True, cancel_futures=cancel)

    def findings(self, progress: Progress | None) -> list[ValidationFinding] | None:
        total = self.total
        while True:
            if self.cutter.is_alive():
                self.cutter.join(timeout=0.25)
            else:
                _, waiting = concurrent.futures.wait(self.futures, timeout=0.25)
                if not waiting:
                    break
            if progress is not None:
                progress(min(self.done.value, total), total)
        if self.failure is not None:
            raise self.failure
        if self.uncuttable:
            return None
        results = [f.result() for f in self.futures]
        if progress is not None:
            progress(total, total)
        seen: set[tuple[object, ...]] = set()
        findings: list[ValidationFinding] = []
        for origin, found in zip(self.origins, results, strict=True):
            piece = Piece("", origin)
            for f in found:
                f = attrs.evolve(f, segment_number=piece.original(f.segment_number))
                key = (f.segment_number, f.code, f.element, f.message)
                if key not in seen:
                    seen.add(key)
                    findings.append(f)
        return findings


def _workers() -> int:
    """Processes for pyx12: $DERMCLAIM_VALIDATE_WORKERS, else the cores this process may use."""
    configured = os.environ.get("DERMCLAIM_VALIDATE_WORKERS", "")
    if configured.isdigit():
        return max(1, int(configured))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pyx12_once(text: str, ack: io.StringIO | None = None,
                tick: Callable[[], None] | None = None) -> list[ValidationFinding]:
    """pyx12 on the whole text in this process; `tick()` after every REPORT_EVERY segments."""
    loops: dict[int, str] = {}
    seg_ids: dict[int, str] = {}

    def remember(seg: Any, src: Any, node: Any, _valid: bool) -> None:
        line = src.get_cur_line()
        if tick is not None and line % REPORT_EVERY == 0:
            tick()
        seg_ids[line] = seg.get_seg_id()
        parent = node.get_parent() if node is not None else None
        loop_id = getattr(parent, "id", None)
        if loop_id:
            loops[line] = str(loop_id)

    report = io.StringIO()
    findings: list[ValidationFinding] = []
    passed = False
    try:
        passed = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=ack,
            fd_html=None, fd_json=report, callback=remember,
        )
    except pyx12.errors.EngineError as exc:
        hint = (" (pyx12 has maps for GS08 005010X222A1 837P and 005010X221A1 835, not for "
                "other versions or errata)") if "Map not found" in str(exc) else ""
        findings.append(ValidationFinding(message=f"pyx12 cannot validate this file: {exc}{hint}",
                                          segment_id="GS", loop="GS", code="ENGINE"))
    except (pyx12.errors.X12Error, IndexError, KeyError, AttributeError, TypeError) as exc:
        # pyx12 crashes on a few malformed inputs (five SV1 pointers: IndexError).
        findings.append(ValidationFinding(
            message=f"pyx12 stopped on a malformed segment ({type(exc).__name__}; its message "
                    "is withheld: it may quote a value)",
            code="CRASH"))
    raw = report.getvalue()
    if raw:
        findings.extend(_json_findings(json.loads(raw), loops, seg_ids))
    if not passed and not findings:
        findings.append(ValidationFinding(
            message="pyx12 cannot read this as X12: the ISA segment must be fixed width "
                    "(106 characters, its elements padded with spaces)",
            segment_number=1, segment_id="ISA", loop="ISA", code="NOT_X12"))
    return findings


def validate_path(path: str | Path, ack_path: str | Path | None = None) -> ValidationReport:
    """Validate a file; with `ack_path`, write pyx12's 999 there (atomically; "-" is
    standard output)."""
    p = Path(path)
    try:
        with open(p, encoding="utf-8-sig", newline="") as fd:
            text = fd.read()
    except OSError as exc:
        raise EdiError(f"{p}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise EdiError(f"{p}: not a text file (byte {exc.start} is not UTF-8)") from None
    if ack_path is None:
        return validate_text(text, str(p))
    ack = io.StringIO()
    result = validate_text(text, str(p), ack=ack)
    if not ack.getvalue():
        raise EdiError(f"{p}: pyx12 produced no 999 acknowledgment for this file")
    if str(ack_path) == "-":
        sys.stdout.write(ack.getvalue())
        sys.stdout.flush()
    else:
        _write_atomically(Path(ack_path), ack.getvalue())
    return result


def segment_loops(text: str) -> list[tuple[str, str]]:
    """Read text back with pyx12's X12ContextReader: (loop id, segment) for every segment
    below the transaction header, e.g. ("2410", "LIN**N4*00003029328"). Used to check that
    what we write lands in the loops we meant (pyx12 silently drops loops it cannot place)."""
    errh = pyx12.error_handler.err_handler()
    reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), errh, io.StringIO(text))
    placed: list[tuple[str, str]] = []
    for node in reader.iter_segments():
        map_node = getattr(node, "x12_map_node", None)
        seg = getattr(node, "seg_data", None)
        if map_node is None or seg is None:
            continue
        parent = map_node.get_parent()
        placed.append((str(getattr(parent, "id", "")), seg.format("", "*", ":")))
    return placed


# -------------------------------------------------------------------------- internals


def _json_findings(doc: dict[str, Any], loops: dict[int, str],
                   seg_ids: dict[int, str]) -> Iterator[ValidationFinding]:
    def env(level: str, node: dict[str, Any]) -> Iterator[ValidationFinding]:
        for e in node.get("errors", []):
            line = node.get("cur_line")
            yield ValidationFinding(message=scrub(e["err_str"]), segment_number=line,
                                    segment_id=seg_ids.get(line, level) if line else level,
                                    loop=level, code=str(e["err_cde"]))

    for isa in doc.get("interchanges", []):
        yield from env("ISA", isa)
        for gs in isa.get("groups", []):
            yield from env("GS", gs)
            for st in gs.get("transactions", []):
                yield from env("ST", st)
                for seg in st.get("segments", []):
                    line = seg.get("cur_line")
                    base = dict(segment_number=line, segment_id=seg.get("seg_id"),
                                loop=loops.get(line))
                    for e in seg.get("errors", []):
                        yield ValidationFinding(message=scrub(e["err_str"], e.get("err_val")),
                                                code=str(e["err_cde"]), **base)
                    for ele in seg.get("elements", []):
                        ref = _element_ref(seg.get("seg_id"), ele)
                        for e in ele.get("errors", []):
                            yield ValidationFinding(message=scrub(e["err_str"], e.get("err_val")),
                                                    element=ref,
                                                    code=str(e["err_cde"]), **base)


# pyx12's messages quote the element or segment they are about (a birth date, a name):
# each template that does is rewritten without the value.
_QUOTING = [
    (re.compile(r'len\(".*?"\) = '), "length "),
    (re.compile(r"contains an invalid (date|time|character|control character) ?\(.*\)$",
                re.DOTALL), r"contains an invalid \1"),
    (re.compile(r"has unnecessary trailing spaces\. \(.*\)$", re.DOTALL),
     "has unnecessary trailing spaces"),
    (re.compile(r" with a value of \(.*?\) failed", re.DOTALL), " failed"),
    (re.compile(r"^\(.*?\) is not a valid code for", re.DOTALL),
     "the value is not a valid code for"),
    (re.compile(r'^Segment ".*" is empty$', re.DOTALL), "a segment is empty"),
    (re.compile(r"must have 16 elements \(.*\)$", re.DOTALL), "must have 16 elements"),
    (re.compile(r", seg_date=.*$", re.DOTALL), ""),
    (re.compile(r"is an invalid composite.*$", re.DOTALL), "is an invalid composite"),
]


def scrub(message: str, value: object = None) -> str:
    """A pyx12 message without the value it quotes (see `_QUOTING`)."""
    text = str(message)
    if isinstance(value, str) and len(value) > 1:
        text = text.replace(value, "(value withheld)")
    for pattern, replacement in _QUOTING:
        text = pattern.sub(replacement, text)
    return text


def _element_ref(seg_id: str | None, ele: dict[str, Any]) -> str | None:
    pos = ele.get("ele_pos")
    if not seg_id or pos is None:
        return None
    ref = f"{seg_id}-{int(pos):02d}"
    sub = ele.get("subele_pos")
    return f"{ref}-{int(sub)}" if sub not in (None, "", 0) else ref


def _write_atomically(path: Path, content: str) -> None:
    write_atomically(path, content, encoding="ascii")
