"""Envelope checks: ISA/IEA, GS/GE and ST/SE nesting, counts and control numbers.

Called by the tokenizer only for envelope segments (and for a segment seen outside any
transaction), so the per-segment cost of the checks stays near zero.

| trailer | count element | must equal | control element | must equal |
|---|---|---|---|---|
| SE  | SE01  | segments from ST to SE inclusive | SE02  | ST02  |
| GE  | GE01  | transactions (ST) in the group   | GE02  | GS06  |
| IEA | IEA01 | groups (GS) in the interchange   | IEA02 | ISA13 |
"""

from __future__ import annotations

from typing import NoReturn

from edi.errors import X12SyntaxError

ENVELOPE_IDS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})

# element positions
ISA13 = 13
GS06 = 6
ST02 = 2
SE01, SE02 = 1, 2
GE01, GE02 = 1, 2
IEA01, IEA02 = 1, 2
# segments allowed between ISA and GS (interchange acknowledgment)
_INTERCHANGE_LEVEL = frozenset({"TA1"})


def _element(elements: list[str], position: int) -> str:
    return elements[position].strip() if position < len(elements) else ""


def _same_number(a: str, b: str) -> bool:
    """Control numbers compare as numbers when both are digits (000000907 == 907)."""
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b


class EnvelopeTracker:
    """State of the envelopes open at the current segment."""

    def __init__(self, *, source: str | None = None, strict: bool = False) -> None:
        self.source = source
        self.strict = strict
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
            f"segment {sid} is outside a transaction ({where}): it must sit between ST and SE",
            number, sid,
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
        declared = _element(elements, SE01)
        if not declared.isdigit() or int(declared) != counted:
            raise self._error(
                f"SE01 says {declared or 'nothing'} segments but the transaction has {counted} "
                f"(ST to SE): segments are missing or extra",
                number, "SE",
            )
        control = _element(elements, SE02)
        if control != self._st_control:
            self._mismatch(
                f"SE02 control number {control!r} differs from ST02 {self._st_control!r}",
                number, "SE", tolerable=True,
            )

    def _ge(self, number: int, elements: list[str]) -> None:
        if self.in_transaction:
            raise self._error("GE inside a transaction: SE missing before it", number, "GE")
        if not self.in_group:
            raise self._error("GE without a GS before it", number, "GE")
        self.in_group = False
        declared = _element(elements, GE01)
        if not declared.isdigit() or int(declared) != self._transactions:
            raise self._error(
                f"GE01 says {declared or 'nothing'} transactions but the group has "
                f"{self._transactions}",
                number, "GE",
            )
        control = _element(elements, GE02)
        if not _same_number(control, self._gs_control):
            self._mismatch(
                f"GE02 control number {control!r} differs from GS06 {self._gs_control!r}",
                number, "GE", tolerable=True,
            )

    def _iea(self, number: int, elements: list[str]) -> None:
        if self.in_transaction or self.in_group:
            missing = "SE and GE" if self.in_transaction else "GE"
            raise self._error(f"IEA before the {missing} closing what is open", number, "IEA")
        self.in_interchange = False
        declared = _element(elements, IEA01)
        if not declared.isdigit() or int(declared) != self._groups:
            raise self._error(
                f"IEA01 says {declared or 'nothing'} groups but the interchange has {self._groups}",
                number, "IEA",
            )
        control = _element(elements, IEA02)
        if not _same_number(control, self._isa_control):
            self._mismatch(
                f"IEA02 control number {control!r} differs from ISA13 {self._isa_control!r}",
                number, "IEA", tolerable=True,
            )

    def at_end(self, number: int) -> NoReturn:
        """The file ended without the IEA of the open interchange."""
        missing = (
            "SE, GE and IEA" if self.in_transaction else "GE and IEA" if self.in_group else "IEA"
        )
        raise self._error(
            f"the file ends without {missing}: it is truncated", number, None
        )
