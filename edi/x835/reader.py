"""The 835 (005010X221A1) reader: X12 text in, the typed model of `model.py` out, streaming.

    for item in iter_835_path("remit.835"):
        # RemittanceHeader, then each ClaimPayment, then RemittanceTrailer, per ST/SE
        ...
    remittances = read_835_path("remit.835")  # list[Remittance], for small files

Structure comes from the tables of `loops.py`, element positions from `segments.py`.
Tolerated defects (composite separator other than ISA16, a date that is not a date, a
4010 CR group, the BPR date in BPR15, no PER*BL, an unpadded ISA, control numbers that
differ, an unknown segment) become `RemitFinding(kind=DEFECT)` in the trailer and the
data is still read. Broken structure (truncated file, bad counts, a segment out of place,
an amount that is not a number) raises `X12SyntaxError` with segment number, ID and loop.
With `strict=True` control-number mismatches raise too.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from edi.x835.machine import Item, Reader835
from edi.x835.model import ClaimPayment, Remittance, RemittanceHeader

__all__ = ["Item", "gather", "iter_835", "iter_835_path", "iter_835_text", "read_835_path",
           "read_835_text"]


def iter_835(stream: TextIO, *, source: str | None = None, strict: bool = False) -> Iterator[Item]:
    """Stream the model objects of every 835 transaction in `stream` (a text stream; open
    files with newline="" so a CR segment terminator survives)."""
    return iter(Reader835(stream, source, strict))


def iter_835_path(path: str | Path, *, strict: bool = False) -> Iterator[Item]:
    """Stream an 835 file (BOM tolerated; undecodable bytes replaced, never a crash)."""
    with open(path, encoding="utf-8", errors="replace", newline="") as stream:
        yield from iter_835(stream, source=str(path), strict=strict)


def iter_835_text(text: str, source: str = "<text>", *, strict: bool = False) -> Iterator[Item]:
    return iter_835(io.StringIO(text, newline=""), source=source, strict=strict)


def gather(items: Iterator[Item]) -> list[Remittance]:
    """Whole `Remittance` objects from the stream of headers, claims and trailers."""
    result: list[Remittance] = []
    header: RemittanceHeader | None = None
    claims: list[ClaimPayment] = []
    for item in items:
        if isinstance(item, RemittanceHeader):
            header, claims = item, []
        elif isinstance(item, ClaimPayment):
            claims.append(item)
        else:
            assert header is not None
            result.append(Remittance(header, tuple(claims), item))
            header = None
    return result


def read_835_path(path: str | Path, *, strict: bool = False) -> list[Remittance]:
    """Every transaction of a (small) 835 file, whole."""
    return gather(iter_835_path(path, strict=strict))


def read_835_text(text: str, source: str = "<text>", *, strict: bool = False) -> list[Remittance]:
    return gather(iter_835_text(text, source, strict=strict))
