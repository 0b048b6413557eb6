"""Errors the edi package raises."""

from __future__ import annotations


class EdiError(Exception):
    """Base of every edi error a user can cause."""


class X12SyntaxError(EdiError):
    """A file that cannot be read as X12: carries where (segment number, ID, loop) and why."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        segment_number: int | None = None,
        segment_id: str | None = None,
        loop: str | None = None,
    ):
        self.message = message
        self.source = source
        self.segment_number = segment_number
        self.segment_id = segment_id
        self.loop = loop
        where = []
        if source:
            where.append(source)
        if segment_number is not None:
            where.append(f"segment {segment_number}")
        if segment_id:
            where.append(segment_id)
        if loop:
            where.append(f"loop {loop}")
        prefix = ": ".join([", ".join(where)]) + ": " if where else ""
        super().__init__(prefix + message)
