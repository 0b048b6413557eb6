"""The 999 (005010X231A1) reader: X12 text in, one `Ack999` per ST/SE out, streaming.

    for ack in iter_999_path("answer.999"):
        ack.group.group_control_number, [t.control_number for t in ack.group.transactions]

Structure (loop table below): ST, AK1, then per transaction set AK2 [IK3 [CTX] [IK4
[CTX]]...] IK5, then AK9, SE. A segment out of that order, a second AK1, an AK2 without
its IK5, no AK9 or a 999 without AK1 raise `X12SyntaxError` naming the segment. Read
through as findings: envelope control numbers that differ, an unpadded ISA, an unknown
segment, AK9 counts that disagree with the AK2s, an IK5/AK9 code outside the code list.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from attrs import define, field

from edi.acks import AckFinding, SegmentDriver, el, parse_int
from edi.x999.model import Ack999, ElementError, GroupAck, SegmentError, TransactionSetAck

__all__ = ["iter_999", "iter_999_path", "read_999_path", "read_999_text"]

# code lists of the verdict elements (005010X231A1): anything else is reported
IK501_CODES = frozenset("AEMRWX")
AK901_CODES = frozenset("AEMPRWX")

# which segments may follow which (the 999's loop structure, as data)
ENV, TOP, GROUP, SET, SEGMENT, ELEMENT, CLOSED = (
    "ENV", "ST", "AK1", "AK2", "IK3", "IK4", "AK9")
FOLLOWS: dict[str, frozenset[str]] = {
    "ST": frozenset({ENV}),
    "AK1": frozenset({TOP}),
    "AK2": frozenset({GROUP}),  # after AK1 or after the IK5 closing the previous set
    "IK3": frozenset({SET, SEGMENT, ELEMENT}),
    "IK4": frozenset({SEGMENT, ELEMENT}),
    "CTX": frozenset({SET, SEGMENT, ELEMENT}),
    "IK5": frozenset({SET, SEGMENT, ELEMENT}),
    "AK9": frozenset({GROUP}),
    "SE": frozenset({CLOSED}),
}
PLACE = {ENV: "outside a transaction", TOP: "right after ST", GROUP: "after AK1 / IK5",
         SET: "after AK2", SEGMENT: "after IK3", ELEMENT: "after IK4", CLOSED: "after AK9"}
WANTS = {"ST": "GS", "AK1": "ST", "AK2": "AK1 or an IK5", "IK3": "AK2", "IK4": "IK3",
         "CTX": "AK2, IK3 or IK4", "IK5": "AK2 (and its IK3/IK4)", "AK9": "AK1 or an IK5",
         "SE": "AK9"}
ENVELOPE = frozenset({"ISA", "GS", "GE", "IEA", "TA1"})


@define
class _Segment:
    elements: list[str]
    number: int
    errors: list[ElementError] = field(factory=list)
    context: list[str] = field(factory=list)


@define
class _Set:
    elements: list[str]
    number: int
    segments: list[_Segment] = field(factory=list)


class Reader999:
    def __init__(self, stream: TextIO, source: str | None, strict: bool) -> None:
        self.d = SegmentDriver(stream, source, strict)
        self.state = ENV
        self._reset()
        self.handlers: dict[str, Callable[[int, list[str]], Ack999 | None]] = {
            "ST": self._st, "AK1": self._ak1, "AK2": self._ak2, "IK3": self._ik3,
            "IK4": self._ik4, "CTX": self._ctx, "IK5": self._ik5, "AK9": self._ak9,
            "SE": self._se,
        }

    def _reset(self) -> None:
        self.st_number = 0
        self.control = ""
        self.ak1: list[str] = []
        self.ak1_number = 0
        self.ak9: list[str] = []
        self.ak9_number = 0
        self.sets: list[TransactionSetAck] = []
        self.current: _Set | None = None
        self.findings: list[AckFinding] = []

    def note(self, number: int, sid: str, message: str) -> None:
        self.findings.append(AckFinding(message, number, sid))

    def __iter__(self) -> Iterator[Ack999]:
        pending: Ack999 | None = None
        for number, elements in self.d.segments():
            sid = elements[0]
            if sid in ENVELOPE:
                if sid == "ISA" and pending is not None:
                    yield self._with_defects(pending)
                    pending = None
                continue
            handler = self.handlers.get(sid)
            if handler is None:
                if self.state == ENV:
                    raise self.d.error(f"segment {sid} is outside a transaction", number, sid)
                self.note(number, sid, f"segment {sid} is not part of a 999; skipped")
                continue
            if self.state not in FOLLOWS[sid]:
                raise self.d.error(f"{sid} cannot appear {PLACE[self.state]}: it must follow "
                                   f"{WANTS[sid]}", number, sid)
            if sid == "ST" and pending is not None:
                yield self._with_defects(pending)
                pending = None
            if sid == "ST":
                self.findings = list(self.d.interchange_notes)
            done = handler(number, elements)
            if done is not None:
                pending = done
        if pending is not None:
            yield self._with_defects(pending)

    def _with_defects(self, ack: Ack999) -> Ack999:
        """The envelope defects found up to here (SE02/GE02/IEA02 mismatches) go to the
        acknowledgment they close."""
        defects = self.d.take_defects()
        if not defects:
            return ack
        return Ack999(ack.control_number, ack.envelope, ack.group, ack.segment_number,
                      (*ack.findings, *defects))

    # ---- segments ----
    def _st(self, number: int, e: list[str]) -> None:
        if el(e, 1) != "999":
            raise self.d.error(f"ST01 is {el(e, 1)!r}: this reader reads 999s only", number, "ST")
        findings = self.findings
        self._reset()
        self.findings = findings
        self.st_number, self.control = number, el(e, 2)
        self.state = TOP
        if self.d.envelope is not None and self.d.envelope.functional_id != "FA":
            self.note(number, "ST", f"GS01 is {self.d.envelope.functional_id!r}, not FA "
                                    "(functional acknowledgment)")

    def _ak1(self, number: int, e: list[str]) -> None:
        if not el(e, 2):
            raise self.d.error("AK102 (the group control number answered) is empty", number,
                               "AK1")
        self.ak1, self.ak1_number = e, number
        self.state = GROUP

    def _ak2(self, number: int, e: list[str]) -> None:
        if not el(e, 2):
            raise self.d.error("AK202 (the transaction set control number answered) is "
                               "empty", number, "AK2")
        self.current = _Set(e, number)
        self.state = SET

    def _ik3(self, number: int, e: list[str]) -> None:
        assert self.current is not None
        self.current.segments.append(_Segment(e, number))
        self.state = SEGMENT

    def _ik4(self, number: int, e: list[str]) -> None:
        assert self.current is not None and self.current.segments
        parts = el(e, 1).split(self.d.component)
        pos = [parse_int(p) for p in parts] + [None, None, None]
        self.current.segments[-1].errors.append(ElementError(
            pos[0], pos[1], pos[2], el(e, 2), el(e, 3), number))
        self.state = ELEMENT

    def _ctx(self, number: int, e: list[str]) -> None:
        # CTX names where the error sits (e.g. CLM01:<claim id>); kept as found, with
        # elements joined by "*" and components by ":"
        text = "*".join(x.strip().replace(self.d.component, ":") for x in e[1:])
        if self.state == SEGMENT and self.current is not None:
            self.current.segments[-1].context.append(text)
        elif self.state == ELEMENT and self.current is not None:
            seg = self.current.segments[-1]
            last = seg.errors[-1]
            seg.errors[-1] = ElementError(last.position, last.component, last.repetition,
                                          last.element_reference, last.code,
                                          last.segment_number, (*last.context, text))

    def _ik5(self, number: int, e: list[str]) -> None:
        cur = self.current
        assert cur is not None
        code = el(e, 1)
        if not code:
            raise self.d.error("IK501 (the transaction set verdict) is empty", number, "IK5")
        if code not in IK501_CODES:
            self.note(number, "IK5", f"IK501 {code!r} is not a 999 verdict code (A, E, M, R, "
                                     "W, X); read as rejected")
        segments = tuple(SegmentError(
            el(s.elements, 1), parse_int(el(s.elements, 2)), el(s.elements, 3),
            el(s.elements, 4), s.number, tuple(s.errors), tuple(s.context))
            for s in cur.segments)
        if code in ("A",) and segments:
            self.note(number, "IK5", "IK501 is A (accepted) but IK3 segment errors are listed")
        self.sets.append(TransactionSetAck(
            el(cur.elements, 1), el(cur.elements, 2), el(cur.elements, 3), code,
            tuple(x.strip() for x in e[2:7] if x.strip()), cur.number, segments))
        self.current = None
        self.state = GROUP

    def _ak9(self, number: int, e: list[str]) -> None:
        code = el(e, 1)
        if not code:
            raise self.d.error("AK901 (the group verdict) is empty", number, "AK9")
        if code not in AK901_CODES:
            self.note(number, "AK9", f"AK901 {code!r} is not a 999 verdict code (A, E, M, P, "
                                     "R, W, X)")
        self.ak9, self.ak9_number = e, number
        self.state = CLOSED

    def _se(self, number: int, e: list[str]) -> Ack999:
        envelope = self.d.envelope
        assert envelope is not None  # the tokenizer refuses an ST outside GS
        ak1, ak9 = self.ak1, self.ak9
        received = parse_int(el(ak9, 3))
        accepted = parse_int(el(ak9, 4))
        sets = tuple(self.sets)
        if received is not None and received < len(sets):
            self.note(self.ak9_number, "AK9", f"AK903 says {received} transaction sets were "
                                              f"received but {len(sets)} AK2 are listed")
        rejected_named = sum(1 for t in sets if not t.accepted)
        if received is not None and accepted is not None and \
                accepted > received - rejected_named:
            self.note(self.ak9_number, "AK9", f"AK904 says {accepted} accepted but "
                                              f"{rejected_named} of {received} are rejected")
        group = GroupAck(
            el(ak1, 1), el(ak1, 2), el(ak1, 3), el(ak9, 1), parse_int(el(ak9, 2)), received,
            accepted, tuple(x.strip() for x in ak9[5:10] if x.strip()), self.ak1_number, sets)
        ack = Ack999(self.control, envelope, group, self.st_number, tuple(self.findings))
        self._reset()
        self.state = ENV
        return ack


def iter_999(stream: TextIO, *, source: str | None = None,
             strict: bool = False) -> Iterator[Ack999]:
    """Every 999 transaction of `stream` (open files with newline="")."""
    return iter(Reader999(stream, source, strict))


def iter_999_path(path: str | Path, *, strict: bool = False) -> Iterator[Ack999]:
    with open(path, encoding="utf-8", errors="replace", newline="") as stream:
        yield from iter_999(stream, source=str(path), strict=strict)


def read_999_path(path: str | Path, *, strict: bool = False) -> list[Ack999]:
    return list(iter_999_path(path, strict=strict))


def read_999_text(text: str, source: str = "<text>", *, strict: bool = False) -> list[Ack999]:
    return list(iter_999(io.StringIO(text, newline=""), source=source, strict=strict))
