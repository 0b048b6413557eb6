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
            where.append(shown_id(segment_id) or "")
        if loop:
            where.append(f"loop {loop}")
        prefix = ": ".join([", ".join(where)]) + ": " if where else ""
        super().__init__(prefix + message)


def shown_id(segment_id: str | None) -> str | None:
    """A segment ID fit to print: 2-3 upper-case letters or digits. Anything else (a file
    whose delimiters are wrong makes a whole run of text the 'ID') is not quoted: it may be
    patient data."""
    if segment_id is None:
        return None
    if 2 <= len(segment_id) <= 3 and segment_id.isascii() and segment_id.isalnum() \
            and segment_id == segment_id.upper():
        return segment_id
    return "(unreadable segment ID)"


def shown_code(value: str, *, limit: int = 3) -> str:
    """A short code value quoted (`'CR'`), or a description that quotes nothing: element
    values may be names or member ids when a file is damaged."""
    if value and len(value) <= limit and value.isascii() and value.isalnum() \
            and value == value.upper():
        return repr(value)
    return "(a value of " + str(len(value)) + " characters)" if value else "(empty)"
