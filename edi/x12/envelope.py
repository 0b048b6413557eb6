"""Envelope checks: ISA/IEA, GS/GE and ST/SE nesting, counts and control numbers.

Called by the tokenizer only for envelope segments (and for a segment seen outside any
transaction), so the per-segment cost of the checks stays near zero.

| trailer | count element | must equal | control element | must equal |
|---|---|---|---|---|
| SE  | SE01  | segments from ST to SE inclusive | SE02  | ST02  |
| GE  | GE01  | transactions (ST) in the group   | GE02  | GS06  |
| IEA | IEA01 | groups (GS) in the interchange   | IEA02 | ISA13 |

A control number that differs is a defect (raised when `strict`). A count that differs
raises, unless the reader asked for `read_through_counts` (it then checks the data is whole
itself, see `edi.x835.machine`); `strict` always raises.
"""

from __future__ import annotations

from typing import NoReturn

from edi.errors import X12SyntaxError, shown_id

ENVELOPE_IDS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})

# element positions
ISA13 = 13
GS06 = 6
ST02 = 2
# SE01/GE01/IEA01 (count) and SE02/GE02/IEA02 (control number) share positions 1 and 2
# segments allowed between ISA and GS (interchange acknowledgment)
_INTERCHANGE_LEVEL = frozenset({"TA1"})


def _element(elements: list[str], position: int) -> str:
    return elements[position].strip() if position < len(elements) else ""


def _is_count(text: str) -> bool:
    """An N0 count: ASCII digits only ('٣'.isdigit() is true in Python)."""
    return text.isascii() and text.isdigit() and len(text) <= 10


def _shown_control(text: str) -> str:
    """A control number quoted when it looks like one (digits or a short code); else its
    length only, as it may be any text of a damaged file."""
    if text.isascii() and text.isalnum() and len(text) <= 9:
        return repr(text)
    return f"(a value of {len(text)} characters)"


def _same_number(a: str, b: str) -> bool:
    """Control numbers compare as numbers when both are digits (000000907 == 907)."""
    if _is_count(a) and _is_count(b):
        return int(a) == int(b)
    return a == b


class EnvelopeTracker:
    """State of the envelopes open at the current segment."""

    def __init__(self, *, source: str | None = None, strict: bool = False,
                 read_through_counts: bool = False) -> None:
        self.source = source
        self.strict = strict
        # a reader that can tell a whole transaction from a damaged one (the 835 reader:
        # every loop closed, every balance holds) asks for count mismatches as defects and
        # decides itself; without it a wrong SE01/GE01/IEA01 refuses the file
        self.read_through_counts = read_through_counts and not strict
        self.count_mismatches: set[int] = set()  # segment numbers of SE/GE/IEA read through
        self.defects: list[tuple[int, str, str]] = []
        self.in_interchange = False
        self.in_group = False
        self.in_transaction = False
        self._isa_control = ""
        self._gs_control = ""
        self._st_control = ""
        self._st_number = 0
        self._groups = 0
        self._transactions = 0

    def _error(self, message: str, number: int | None, sid: str | None) -> X12SyntaxError:
        return X12SyntaxError(message, source=self.source, segment_number=number, segment_id=sid)

    def _mismatch(self, message: str, number: int, sid: str, *, tolerable: bool) -> None:
        if tolerable and not self.strict:
            self.defects.append((number, sid, message))
            return
        raise self._error(message, number, sid)

    def open_interchange(self, isa: list[str]) -> None:
        self.in_interchange = True
        self.in_group = self.in_transaction = False
        self._isa_control = _element(isa, ISA13)
        self._groups = 0

    def outside(self, number: int, elements: list[str]) -> None:
        """A non-envelope segment seen while no transaction is open."""
        sid = elements[0]
        if sid in _INTERCHANGE_LEVEL and not self.in_group:
            return
        where = "before any ST" if not self.in_group else "between SE and the next ST/GE"
        raise self._error(
            f"segment {shown_id(sid)} is outside a transaction ({where}): it must sit between "
            "ST and SE", number, sid,
        )

    def segment(self, number: int, elements: list[str]) -> None:
        sid = elements[0]
        getattr(self, "_" + sid.lower())(number, elements)

    def _isa(self, number: int, elements: list[str]) -> None:
        raise self._error(
            "a new ISA starts before the IEA that closes the previous interchange", number, "ISA"
        )

    def _gs(self, number: int, elements: list[str]) -> None:
        if self.in_transaction:
            raise self._error("GS inside a transaction: SE missing before it", number, "GS")
        if self.in_group:
            raise self._error("GS inside a group: GE missing before it", number, "GS")
        self.in_group = True
        self._gs_control = _element(elements, GS06)
        self._groups += 1
        self._transactions = 0

    def _st(self, number: int, elements: list[str]) -> None:
        if self.in_transaction:
            raise self._error("ST inside a transaction: SE missing before it", number, "ST")
        if not self.in_group:
            raise self._error("ST outside a functional group: GS missing before it", number, "ST")
        self.in_transaction = True
        self._st_control = _element(elements, ST02)
        self._st_number = number
        self._transactions += 1

    def _se(self, number: int, elements: list[str]) -> None:
        if not self.in_transaction:
            raise self._error("SE without an ST before it", number, "SE")
        self.in_transaction = False
        counted = number - self._st_number + 1
        self._trailer(number, elements, "SE", counted,
                      f"segments but the transaction has {counted} (ST to SE): segments are "
                      "missing or extra", "ST02", self._st_control, exact=True)

    def _ge(self, number: int, elements: list[str]) -> None:
        if self.in_transaction:
            raise self._error("GE inside a transaction: SE missing before it", number, "GE")
        if not self.in_group:
            raise self._error("GE without a GS before it", number, "GE")
        self.in_group = False
        self._trailer(number, elements, "GE", self._transactions,
                      f"transactions but the group has {self._transactions}",
                      "GS06", self._gs_control)

    def _iea(self, number: int, elements: list[str]) -> None:
        if self.in_transaction or self.in_group:
            missing = "SE and GE" if self.in_transaction else "GE"
            raise self._error(f"IEA before the {missing} closing what is open", number, "IEA")
        self.in_interchange = False
        self._trailer(number, elements, "IEA", self._groups,
                      f"groups but the interchange has {self._groups}",
                      "ISA13", self._isa_control)

    def _trailer(self, number: int, elements: list[str], sid: str, counted: int,
                 what: str, opener: str, opened: str, *, exact: bool = False) -> None:
        """The table above: the count element (01) must equal what was counted, and the
        control element (02) the opener's (ST02 to the letter; GS06/ISA13 as numbers)."""
        declared = _element(elements, 1)
        if not _is_count(declared) or int(declared) != counted:
            said = declared if _is_count(declared) else "nothing" if not declared else "no number"
            if self.read_through_counts and _is_count(declared):
                self.count_mismatches.add(number)
                self.defects.append((number, sid, f"{sid}01 says {said} {what}; read through"))
            else:
                raise self._error(f"{sid}01 says {said} {what}", number, sid)
        control = _element(elements, 2)
        if not (control == opened if exact else _same_number(control, opened)):
            self._mismatch(f"{sid}02 control number {_shown_control(control)} differs from "
                           f"{opener} {_shown_control(opened)}", number, sid, tolerable=True)

    def at_end(self, number: int) -> NoReturn:
        """The file ended without the IEA of the open interchange."""
        missing = (
            "SE, GE and IEA" if self.in_transaction else "GE and IEA" if self.in_group else "IEA"
        )
        raise self._error(
            f"the file ends without {missing}: it is truncated", number, None
        )
