"""The 277CA (005010X214) reader: X12 text in, one `Ack277` per ST/SE out.

    for ack in iter_277_path("answer.277"):
        for claim in ack.claims:                 # one per patient level (HL03 PT)
            claim.claim_id, [s.codes[0].text() for s in claim.statuses]

Structure comes from the HL hierarchy: HL03 20 information source, 21 receiver, 19
billing provider, PT patient (22/23, the 277 claim-status levels, read as patient too);
each level's NM1/TRN/STC/REF/DTP/QTY/AMT belong to the last HL; SVC opens a service line
inside a patient level. Raised as `X12SyntaxError` naming the segment: a transaction that
is not a 277, an unknown HL level, a segment before any HL that needs one, an SVC outside a
patient level, a patient level without its TRN (its claim id), an STC without a category.
Read through as findings: envelope control numbers that differ, an unpadded ISA, an
HL02 naming no earlier HL, an unknown segment, a date or amount that is not one.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

from attrs import define, field

from edi.acks import AckFinding, Notes, SegmentDriver, amount, el, parse_date
from edi.x277.model import Ack277, ClaimAck, LineAck, Party, Status, StatusCode

__all__ = ["iter_277", "iter_277_path", "read_277_path", "read_277_text"]

SOURCE, RECEIVER, PROVIDER, PATIENT = "20", "21", "19", "PT"
LEVELS = {"20": SOURCE, "21": RECEIVER, "19": PROVIDER, "PT": PATIENT, "22": PATIENT,
          "23": PATIENT}
LEVEL_NAMES = {SOURCE: "information source (2000A)", RECEIVER: "information receiver "
               "(2000B)", PROVIDER: "billing provider (2000C)", PATIENT: "patient (2000D)"}
# segments read at each level; SVC (and what follows it) only at the patient level
MEMBERS = frozenset({"NM1", "TRN", "STC", "REF", "DTP", "QTY", "AMT", "PER", "N3", "N4",
                     "PRV"})
STC_COMPOSITES = (1, 10, 11)
PLACEHOLDER_YEAR = 1900  # senders fill DTP*472 with 10010101 when they have no date
ENVELOPE = frozenset({"ISA", "GS", "GE", "IEA", "TA1"})


@define
class _Level:
    level: str
    number: int
    nm1: list[str] = field(factory=list)
    trace: str = ""
    statuses: list[Status] = field(factory=list)
    refs: dict[str, str] = field(factory=dict)
    service: tuple[str, str] | None = None  # DTP*472 (format, value)
    lines: list[LineAck] = field(factory=list)


@define
class _Line:
    elements: list[str]
    number: int
    statuses: list[Status] = field(factory=list)
    control: str | None = None
    service: tuple[str, str] | None = None


class Reader277:
    def __init__(self, stream: TextIO, source: str | None, strict: bool) -> None:
        self.d = SegmentDriver(stream, source, strict)
        self.source = source
        self.in_set = False
        self._reset()

    def _reset(self) -> None:
        self.st_number = 0
        self.control = ""
        self.bht: list[str] = []
        self.hl_ids: set[str] = set()
        self.level: _Level | None = None
        self.line: _Line | None = None
        self.source_party: Party | None = None
        self.receiver: Party | None = None
        self.providers: list[Party] = []
        self.claims: list[ClaimAck] = []
        self.findings: list[AckFinding] = []

    def note(self, number: int, sid: str, message: str) -> None:
        self.findings.append(AckFinding(message, number, sid))

    def __iter__(self) -> Iterator[Ack277]:
        pending: Ack277 | None = None
        for number, e in self.d.segments():
            sid = e[0]
            if sid in ENVELOPE:
                if sid == "ISA" and pending is not None:
                    yield self._with_defects(pending)
                    pending = None
                continue
            if sid == "ST":
                if pending is not None:
                    yield self._with_defects(pending)
                    pending = None
                self._st(number, e)
            elif not self.in_set:
                raise self.d.error(f"segment {sid} is outside a transaction", number, sid)
            elif sid == "SE":
                pending = self._se(number)
            elif sid == "BHT":
                self.bht = e
            elif sid == "HL":
                self._hl(number, e)
            elif sid == "SVC":
                self._svc(number, e)
            elif sid in MEMBERS:
                self._member(number, e)
            else:
                self.note(number, sid, f"segment {sid} is not part of a 277CA; skipped")
        if pending is not None:
            yield self._with_defects(pending)

    def _with_defects(self, ack: Ack277) -> Ack277:
        """Envelope defects found so far (SE02/GE02/IEA02) go to the transaction they close."""
        defects = self.d.take_defects()
        if not defects:
            return ack
        return Ack277(ack.control_number, ack.envelope, ack.reference, ack.created, ack.source,
                      ack.receiver, ack.providers, ack.claims, ack.segment_number,
                      (*ack.findings, *defects))

    # ---- segments ----
    def _st(self, number: int, e: list[str]) -> None:
        if el(e, 1) != "277":
            raise self.d.error(f"ST01 is {el(e, 1)!r}: this reader reads 277CAs only",
                               number, "ST")
        self._reset()
        self.findings = list(self.d.interchange_notes)
        self.st_number, self.control, self.in_set = number, el(e, 2), True
        convention = el(e, 3) or (self.d.envelope.version if self.d.envelope else "")
        if convention and not convention.startswith("005010X214"):
            self.note(number, "ST", f"implementation guide {convention!r} is not 005010X214 "
                                    "(277CA); read as one")

    def _hl(self, number: int, e: list[str]) -> None:
        self._close_level()
        code = el(e, 3)
        level = LEVELS.get(code)
        if level is None:
            raise self.d.error(f"HL03 {code!r} is not a 277CA level (20 source, 21 receiver, "
                               "19 billing provider, PT patient)", number, "HL")
        parent = el(e, 2)
        if parent and parent not in self.hl_ids:
            self.note(number, "HL", f"HL02 names parent {parent!r}, which no earlier HL has")
        self.hl_ids.add(el(e, 1))
        self.level = _Level(level, number)

    def _need_level(self, number: int, sid: str) -> _Level:
        if self.level is None:
            raise self.d.error(f"{sid} before any HL: it must sit inside an HL level",
                               number, sid)
        return self.level

    def _member(self, number: int, e: list[str]) -> None:
        sid = e[0]
        level = self._need_level(number, sid)
        line = self.line
        if sid == "STC":
            status = self._status(number, e)
            (line.statuses if line is not None else level.statuses).append(status)
        elif sid == "NM1":
            level.nm1 = e
        elif sid == "TRN":
            level.trace = el(e, 2)
        elif sid == "REF":
            if line is not None and el(e, 1) == "FJ":
                line.control = el(e, 2)
            elif line is None:
                level.refs.setdefault(el(e, 1), el(e, 2))
        elif sid == "DTP" and el(e, 1) == "472":
            service = (el(e, 2), el(e, 3))
            if line is not None:
                line.service = service
            else:
                level.service = service
        # QTY/AMT (batch counts and totals), PER, N3/N4, PRV: read past on purpose

    def _status(self, number: int, e: list[str]) -> Status:
        comp = self.d.component
        codes: list[StatusCode] = []
        for position in STC_COMPOSITES:
            text = el(e, position)
            if not text:
                continue
            parts = [p.strip() for p in text.split(comp)] + ["", "", "", ""]
            codes.append(StatusCode(parts[0], parts[1], parts[2], parts[3]))
        if not codes or not codes[0].category:
            raise self.d.error("STC01-1 (the claim status category code) is empty", number,
                               "STC")
        effective = None
        if el(e, 2):
            effective = parse_date(el(e, 2))
            if effective is None:
                self.note(number, "STC", "STC02 is not a date (CCYYMMDD); ignored")
        return Status(tuple(codes), effective, el(e, 3),
                      amount(e, 4, number, self.source, self.note),
                      amount(e, 5, number, self.source, self.note), number, el(e, 12))

    def _svc(self, number: int, e: list[str]) -> None:
        level = self._need_level(number, "SVC")
        if level.level != PATIENT:
            raise self.d.error(f"SVC (service line) cannot appear in the "
                               f"{LEVEL_NAMES[level.level]} level: it belongs under a "
                               "patient (PT) level", number, "SVC")
        self._close_line()
        self.line = _Line(e, number)

    def _close_line(self) -> None:
        line = self.line
        if line is None or self.level is None:
            return
        self.line = None
        e = line.elements
        parts = el(e, 1).split(self.d.component) + [""]
        start, _ = _date_range(line.service, line.number, self.note)
        self.level.lines.append(LineAck(
            parts[0], parts[1], tuple(p for p in parts[2:6] if p),
            amount(e, 2, line.number, self.source, self.note), tuple(line.statuses),
            line.control, start, line.number, amount(e, 7, line.number, self.source,
                                                     self.note)))

    def _close_level(self) -> None:
        level = self.level
        if level is None:
            return
        self._close_line()
        self.level = None
        nm1 = level.nm1
        if level.level == PATIENT:
            if not level.trace:
                raise self.d.error("the patient level (HL PT) has no TRN*2: the claim it "
                                   "answers (CLM01) is unknown", level.number, "HL")
            start, end = _date_range(level.service, level.number, self.note)
            provider = self.providers[-1].id if self.providers else ""
            self.claims.append(ClaimAck(
                level.trace, tuple(level.statuses), level.refs.get("1K"),
                level.refs.get("D9"), start, end, provider, level.number,
                tuple(level.lines), level.refs.get("BLT")))
            return
        party = Party(level.level, el(nm1, 1), el(nm1, 3), el(nm1, 8), el(nm1, 9),
                      level.trace, tuple(level.statuses), level.number)
        if level.level == SOURCE:
            self.source_party = party
        elif level.level == RECEIVER:
            self.receiver = party
        else:
            self.providers.append(party)

    def _se(self, number: int) -> Ack277:
        self._close_level()
        envelope = self.d.envelope
        assert envelope is not None  # the tokenizer refuses an ST outside GS
        if not self.bht:
            self.note(self.st_number, "ST", "no BHT segment after ST")
        ack = Ack277(self.control, envelope, el(self.bht, 3), parse_date(el(self.bht, 4)),
                     self.source_party, self.receiver, tuple(self.providers),
                     tuple(self.claims), self.st_number, tuple(self.findings))
        self._reset()
        self.in_set = False
        return ack


def _date_range(service: tuple[str, str] | None, number: int,
                notes: Notes) -> tuple[date | None, date | None]:
    """DTP*472 as (from, to): D8 one date, RD8 CCYYMMDD-CCYYMMDD."""
    if service is None:
        return None, None
    fmt, value = service
    first, _, last = value.partition("-") if fmt == "RD8" else (value, "", value)
    start, end = parse_date(first), parse_date(last or first)
    if start is None or end is None:
        notes(number, "DTP", "DTP03 (service date) is not a date; ignored")
    elif start.year < PLACEHOLDER_YEAR:
        notes(number, "DTP", f"DTP03 service date before {PLACEHOLDER_YEAR} is a "
                             "placeholder; read as unknown")
        return None, None
    return start, end


def iter_277(stream: TextIO, *, source: str | None = None,
             strict: bool = False) -> Iterator[Ack277]:
    """Every 277CA transaction of `stream` (open files with newline="")."""
    return iter(Reader277(stream, source, strict))


def iter_277_path(path: str | Path, *, strict: bool = False) -> Iterator[Ack277]:
    with open(path, encoding="utf-8", errors="replace", newline="") as stream:
        yield from iter_277(stream, source=str(path), strict=strict)


def read_277_path(path: str | Path, *, strict: bool = False) -> list[Ack277]:
    return list(iter_277_path(path, strict=strict))


def read_277_text(text: str, source: str = "<text>", *, strict: bool = False) -> list[Ack277]:
    return list(iter_277(io.StringIO(text, newline=""), source=source, strict=strict))
