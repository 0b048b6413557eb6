"""What the acknowledgment readers (999 in `edi.x999`, 277CA in `edi.x277`) share: the
finding record, the envelope of the acknowledgment itself, element access, dates, and the
driver that turns the tokenizer's stream into one call per segment with the envelope
defects kept as findings.

The error contract is the 835 reader's: a file that cannot be read (truncated, bad counts,
a segment where it cannot be) raises `X12SyntaxError` naming the segment number and ID;
defects the data can be read through (control numbers that differ, an unpadded ISA, an
unknown segment, a date that is not a date) become `AckFinding`s on the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

from attrs import frozen

from edi.errors import X12SyntaxError
from edi.x12.delimiters import ISA_WIDTHS, Delimiters, is_padded
from edi.x12.numbers import r_number, why_not_r
from edi.x12.tokenizer import X12Tokenizer
from edi.x835.segments import parse_date as x12_date

ISA05, ISA06, ISA07, ISA08, ISA09, ISA13, ISA15 = 5, 6, 7, 8, 9, 13, 15
GS01, GS02, GS03, GS04, GS05, GS06, GS08 = 1, 2, 3, 4, 5, 6, 8


@frozen
class AckFinding:
    """A defect read through (the data is still used): where and what, never a value."""

    message: str
    segment_number: int | None = None
    segment_id: str | None = None

    def describe(self) -> str:
        where = " ".join(p for p in (f"segment {self.segment_number}"
                                     if self.segment_number else "", self.segment_id or "") if p)
        return f"{where}: {self.message}" if where else self.message


@frozen
class AckEnvelope:
    """ISA/GS of the acknowledgment (who sent it, when, under which numbers)."""

    sender_id: str  # ISA06
    receiver_id: str  # ISA08
    interchange_control_number: str  # ISA13
    group_control_number: str  # GS06
    functional_id: str  # GS01: FA for a 999, HN for a 277CA
    version: str  # GS08
    date: date | None  # GS04 (else ISA09)
    usage_indicator: str = "P"  # ISA15


def el(elements: list[str], position: int) -> str:
    """Element at `position` ("" when the segment is shorter), blanks stripped."""
    return elements[position].strip() if position < len(elements) else ""


def parse_date(text: str) -> date | None:
    """CCYYMMDD (or YYMMDD, as in ISA09); None when it is not a real date."""
    return x12_date(text.strip())


def parse_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


class SegmentDriver:
    """One pass over an acknowledgment stream: `run(handlers)` calls
    `handlers[segment_id](number, elements)` for each segment and `unknown(number, sid)`
    for a segment no handler takes; envelope defects (SE02/GE02/IEA02 mismatches) are
    collected into `pending_defects` as findings."""

    def __init__(self, stream: TextIO, source: str | None, strict: bool) -> None:
        self.source = source
        self.tok = X12Tokenizer(stream, source=source, strict=strict)
        self.isa: list[str] = []
        self.envelope: AckEnvelope | None = None
        self.interchange_notes: list[AckFinding] = []

    @property
    def component(self) -> str:
        return self.tok.delimiters.component

    def error(self, message: str, number: int | None, sid: str | None) -> X12SyntaxError:
        return X12SyntaxError(message, source=self.source, segment_number=number,
                              segment_id=sid)

    def take_defects(self) -> list[AckFinding]:
        found = [AckFinding(message, n, sid) for n, sid, message in self.tok.defects]
        self.tok.defects.clear()
        return found

    def segments(self) -> Iterator[tuple[int, list[str]]]:
        """Every segment; ISA and GS are read here (envelope) and passed on too."""
        for number, elements in self.tok:
            sid = elements[0]
            if sid == "ISA":
                self.isa = elements
                self.interchange_notes = [] if is_padded(elements) else [AckFinding(
                    "ISA elements are not padded to their fixed widths", number, "ISA")]
            elif sid == "GS":
                isa = self.isa
                self.envelope = AckEnvelope(
                    sender_id=el(isa, ISA06), receiver_id=el(isa, ISA08),
                    interchange_control_number=el(isa, ISA13),
                    group_control_number=el(elements, GS06), functional_id=el(elements, GS01),
                    version=el(elements, GS08),
                    date=parse_date(el(elements, GS04)) or parse_date(el(isa, ISA09)),
                    usage_indicator=el(isa, ISA15) or "P",
                )
            yield number, elements


Notes = Callable[[int, str, str], None]


def amount(elements: list[str], position: int, number: int, source: str | None,
           notes: Notes) -> Decimal | None:
    """An optional amount; text that is not a number is reported and read as absent."""
    text = el(elements, position)
    if not text:
        return None
    value = r_number(text)  # the X12 R rule: no NaN, Infinity, exponent, '_' (numbers.py)
    if value is None:
        sid = elements[0]
        notes(number, sid, f"{sid}{position:02d} {why_not_r(text)}; ignored")
    return value


# ------------------------------------------------------------------ writing (test files)


def isa_text(d: Delimiters, *, sender: str, receiver: str, control: int, when: datetime,
             usage: str = "P", qualifier: str = "ZZ") -> str:
    """A fixed-width ISA (without terminator) for the acknowledgment writers."""
    values = ["00", "", "00", "", qualifier, sender, qualifier, receiver,
              when.strftime("%y%m%d"), when.strftime("%H%M"), d.repetition or "^", "00501",
              f"{control:09d}", "0", usage, d.component]
    parts = ["ISA"]
    for value, width in zip(values, ISA_WIDTHS, strict=True):
        if len(value) > width:
            raise ValueError(f"ISA value {value!r} is longer than its width {width}")
        parts.append(value.ljust(width))
    return d.element.join(parts)
