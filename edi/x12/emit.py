"""Writing X12 segments: delimiters, trailing empty elements trimmed, composites joined,
segments counted (for SE01) and optionally one per line.

    out = SegmentEmitter(buffer.write, Delimiters(), newlines=True)
    out.segment("SVC", ("HC", "11102", "25"), "150.00", "80.00")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from edi.errors import EdiError
from edi.x12.delimiters import Delimiters

Value = str | Sequence[str]  # a plain element or a composite


def money(value: Decimal) -> str:
    """An X12 R value: plain notation, never an exponent."""
    return format(value, "f")


def ccyymmdd(value: date) -> str:
    return value.strftime("%Y%m%d")


def hhmm(value: datetime) -> str:
    return value.strftime("%H%M")


class SegmentEmitter:
    def __init__(
        self, write: Callable[[str], object], delimiters: Delimiters, *, newlines: bool = True
    ) -> None:
        self._write = write
        self.delimiters = delimiters
        self._end = delimiters.segment + ("\n" if newlines and delimiters.segment != "\n" else "")
        self.count = 0  # segments written since the last reset_count()

    def reset_count(self) -> None:
        self.count = 0

    def _check(self, text: str) -> str:
        d = self.delimiters
        for ch in (d.element, d.component, d.segment, d.repetition):
            if ch and ch in text:
                raise EdiError(
                    f"cannot write {text!r} in segment {self.count + 1}: it contains the "
                    f"delimiter {ch!r} (choose other delimiters or clean the value)"
                )
        return text

    def segment(self, sid: str, *elements: Value) -> None:
        parts = [sid]
        component = self.delimiters.component
        for value in elements:
            if isinstance(value, str):
                parts.append(self._check(value))
            else:
                comps = [self._check(c) for c in value]
                while comps and not comps[-1]:
                    comps.pop()
                parts.append(component.join(comps))
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        self._write(self.delimiters.element.join(parts) + self._end)
        self.count += 1

    def raw(self, text: str) -> None:
        """A segment already formatted (the fixed-width ISA)."""
        self._write(text + self._end)
        self.count += 1
