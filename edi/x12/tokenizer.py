"""Streaming X12 tokenizer: text in, `(segment_number, elements)` out, envelopes checked.

    >>> tok = X12Tokenizer(io.StringIO(text), source="remit.835")
    >>> for number, elements in tok:        # elements[0] is the segment ID
    ...     component = tok.delimiters.component

- Reads in chunks (`chunk_size` characters), so a 30 MB file never sits in memory whole.
- Delimiters come from each ISA (see `delimiters.py`); several interchanges may follow one
  another in one file and each re-reads its delimiters.
- Tolerates a UTF-8 byte-order mark, CR/LF/CRLF after terminators (or CR as the
  terminator), indentation before segment IDs, and a whole file on one line.
- Segment numbers are 1-based within the interchange (ISA = 1).
- Envelope checks (`envelope.py`): ISA/IEA, GS/GE, ST/SE nesting, SE01/GE01/IEA01 counts,
  SE02/GE02/IEA02 control numbers. A nesting or truncation problem raises
  `X12SyntaxError`; so does a count, unless `read_through_counts` (see envelope.py).
  A control number mismatch raises too when `strict`; otherwise it is recorded in
  `defects` (SE02 vs ST02: payers do send this, the data is intact).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from edi.errors import X12SyntaxError, shown_id
from edi.x12.delimiters import Delimiters, find_isa_end, parse_isa
from edi.x12.envelope import ENVELOPE_IDS, EnvelopeTracker

CHUNK_SIZE = 1 << 13  # small batches: big ones keep ~50k lists alive and the GC rescans them
_BOM = "\ufeff"
ISA_MAX = 1024  # an ISA is 106 characters; past this the ISA is malformed, not unfinished
SEGMENT_MAX = 1 << 20  # no real segment is 1 MB long: the terminator must be wrong
_WHITESPACE = " \t\r\n\x00\x1a"  # \x1a: the DOS end-of-file mark old systems append


class X12Tokenizer:
    """Iterate once over the segments of an X12 text stream (see module docstring)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        source: str | None = None,
        chunk_size: int = CHUNK_SIZE,
        strict: bool = False,
        read_through_counts: bool = False,
    ) -> None:
        self._stream = stream
        self.source = source
        self._chunk_size = chunk_size
        self.delimiters: Delimiters = Delimiters()
        self.isa_elements: list[str] = []
        self.envelope = EnvelopeTracker(source=source, strict=strict,
                                        read_through_counts=read_through_counts)
        self.interchange_count = 0
        self._last_number = 0  # of the last segment read: where "text after the IEA" is

    @property
    def defects(self) -> list[tuple[int, str, str]]:
        """Tolerated envelope defects so far: (segment number, segment ID, message)."""
        return self.envelope.defects

    def _error(self, message: str, number: int | None, sid: str | None) -> X12SyntaxError:
        return X12SyntaxError(message, source=self.source, segment_number=number, segment_id=sid)

    def _read(self) -> str:
        return self._stream.read(self._chunk_size)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        for first, segments in self.runs():
            yield from enumerate(segments, first)

    def batches(self) -> Iterator[list[tuple[int, list[str]]]]:
        """`runs()` as lists of `(segment_number, elements)` pairs."""
        for first, segments in self.runs():
            yield list(enumerate(segments, first))

    def runs(self) -> Iterator[tuple[int, list[list[str]]]]:
        """The segments a chunk at a time, as `(number of the first, [elements, ...])`:
        numbers within a run are consecutive, so no `(number, elements)` pair is built per
        segment (`enumerate(segments, first)` gives them for free). A run never spans two
        interchanges; an envelope error is raised after the run of the segments before it,
        so errors still surface in file order."""
        buf = self._read()
        if buf.startswith(_BOM):
            buf = buf[1:]
        eof = not buf
        envelope = self.envelope
        envelope_ids = ENVELOPE_IDS
        while True:
            # ---- find the next ISA (or the end of the file) ----
            buf = buf.lstrip(_WHITESPACE)
            while not eof and len(buf) < 4:
                chunk = self._read()
                eof = not chunk
                buf = (buf + chunk).lstrip(_WHITESPACE)
            if not buf:
                if self.interchange_count == 0:
                    raise self._error("the file is empty: no ISA segment", None, None)
                return
            if not buf.startswith("ISA"):
                if self.interchange_count == 0:
                    raise self._error(
                        "the file does not start with an ISA segment (found "
                        f"{_what_starts(buf, self.delimiters.element)}): it is not an X12 file",
                        1, None,
                    )
                raise self._error(
                    f"the text after this IEA is not a new ISA (it starts with "
                    f"{_what_starts(buf, self.delimiters.element)}): only another interchange "
                    "may follow an IEA", self._last_number, "IEA",
                )
            if len(buf) < 4:
                raise self._error("the file ends inside the ISA segment (truncated)", 1, "ISA")
            element = buf[3]
            end = find_isa_end(buf, element)
            while end is None and not eof and len(buf) < ISA_MAX:
                chunk = self._read()
                eof = not chunk
                buf += chunk
                end = find_isa_end(buf, element)
            if end is None and len(buf) >= ISA_MAX:
                raise self._error(
                    f"no complete ISA in the first {ISA_MAX} characters: element separator "
                    f"{element!r} (the character after 'ISA') is not followed by 16 elements",
                    1, "ISA",
                )
            if end is None:
                raise self._error("the file ends inside the ISA segment (truncated)", 1, "ISA")
            delims, isa = parse_isa(buf[:end], source=self.source)
            self.delimiters = delims
            self.isa_elements = isa
            self.interchange_count += 1
            envelope.open_interchange(isa)
            yield 1, [isa]
            buf = buf[end:]
            term = delims.segment
            sep = delims.element
            number = 1  # of the last segment yielded
            self._last_number = 1
            # ---- segments of this interchange, chunk by chunk ----
            while True:
                parts = buf.split(term)
                buf = parts.pop()
                # the hot loop, as one comprehension: strip, drop empty parts, split
                segments = [text.split(sep) for part in parts if (text := part.strip(_WHITESPACE))]
                first = number + 1
                closed = False
                try:
                    # envelope segments are a handful per file: only they are looked at,
                    # plus whatever sits outside a transaction (only ever a few segments)
                    checked = 0
                    for index in [i for i, e in enumerate(segments) if e[0] in envelope_ids]:
                        self._outside(segments, first, checked, index)
                        envelope.segment(first + index, segments[index])
                        checked = index + 1
                        if segments[index][0] == "IEA":
                            buf = term.join([*self._after(parts, index), buf])
                            del segments[checked:]
                            closed = True
                            break
                    self._outside(segments, first, checked, len(segments))
                    if not closed and eof:
                        segments.append(self._at_eof(buf, first + len(segments)))
                        buf = ""
                        closed = True
                except X12SyntaxError as error:
                    failed = (error.segment_number or first) - first
                    if 0 < failed <= len(segments):
                        yield first, segments[:failed]
                    raise
                number += len(segments)
                self._last_number = number
                yield first, segments
                if closed:
                    break
                if len(buf) > SEGMENT_MAX:
                    raise self._error(
                        f"segment {number + 1} is longer than {SEGMENT_MAX:,} characters: the "
                        f"segment terminator {term!r} from ISA is probably not the one used",
                        number + 1, buf.lstrip(_WHITESPACE)[:4].split(sep)[0],
                    )
                chunk = self._read()
                if chunk:
                    buf += chunk
                else:
                    eof = True

    def _outside(self, segments: list[list[str]], first: int, start: int, stop: int) -> None:
        """Check segments[start:stop] (no envelope segment among them) when no transaction
        is open: only TA1 may sit there."""
        if not self.envelope.in_transaction:
            for index in range(start, stop):
                self.envelope.outside(first + index, segments[index])

    @staticmethod
    def _after(parts: list[str], index: int) -> list[str]:
        """The raw parts after the `index`-th non-empty one (the IEA): what follows the
        interchange goes back into the buffer as it was read."""
        seen = -1
        for at, part in enumerate(parts):
            if part.strip(_WHITESPACE):
                seen += 1
                if seen == index:
                    return parts[at + 1 :]
        raise AssertionError("unreachable")  # index counts non-empty parts

    def _at_eof(self, rest: str, number: int) -> list[str]:
        """The file ended before an IEA closed the interchange. A complete IEA lacking only
        its terminator (files trimmed at the end) is accepted as a defect; anything else
        is a truncated file."""
        tail = rest.strip(_WHITESPACE)
        if tail:
            elements = tail.split(self.delimiters.element)
            isa13 = self.isa_elements[13] if len(self.isa_elements) > 13 else ""
            if elements[0] == "IEA" and len(elements) == 3 and len(elements[2]) == len(isa13):
                self.envelope.segment(number, elements)
                self.envelope.defects.append(
                    (number, "IEA", "the last segment (IEA) has no segment terminator")
                )
                return elements
            raise self._error(
                f"the file ends in the middle of a segment (this one has no terminator "
                f"{self.delimiters.segment!r} after it): the file is truncated",
                number, elements[0],
            )
        self.envelope.at_end(number)
        raise AssertionError("unreachable")  # at_end always raises


def _what_starts(text: str, element: str) -> str:
    """What the text at a place where an ISA was expected starts with, quoting at most a
    segment ID: the text may be anything, patient data included."""
    head = text[:4].split(element)[0] if element else text[:3]
    shown = shown_id(head)
    if shown == head:
        return f"segment ID {head!r}"
    return "text that is not a segment"


def iter_segments(
    stream: TextIO, *, source: str | None = None, strict: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """Shorthand for `iter(X12Tokenizer(stream, source=source, strict=strict))`."""
    return iter(X12Tokenizer(stream, source=source, strict=strict))
