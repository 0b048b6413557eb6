"""One streaming pass over X12 text, before validation: its delimiters, how many segments
it has, its transaction types in order, the segments a transaction set must carry that it
lacks, and whether an ST lacks ST03 (pyx12 needs it for a 999). Segment by segment, so a
50,000-claim 837P (a million segments) is never listed whole."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

__all__ = ["REQUIRED_SEGMENTS", "Scan", "delimiters", "scan", "segments", "split_segments"]


def delimiters(text: str) -> tuple[str, str]:
    """(element separator, segment terminator) from the ISA, found by counting its 16
    element separators so that a non-fixed-width ISA still reads."""
    isa = text.lstrip()
    if len(isa) < 4:
        return "*", "~"
    sep, count = isa[3], 0
    for i, ch in enumerate(isa[:300]):
        if ch == sep:
            count += 1
            if count == 16 and i + 2 < len(isa):
                return sep, isa[i + 2]
    return sep, "~"


def split_segments(text: str, terminator: str) -> Iterator[str]:
    """The segments of `text`, stripped, empty ones skipped, one at a time (no list)."""
    start, n = 0, len(text)
    find = text.find
    while start < n:
        end = find(terminator, start)
        if end < 0:
            end = n
        seg = text[start:end].strip()
        if seg:
            yield seg
        start = end + 1


def segments(text: str) -> Iterator[list[str]]:
    """The segments of `text`, split into elements, one at a time."""
    elem, term = delimiters(text)
    for seg in split_segments(text.lstrip(), term):
        yield seg.split(elem)


# Segments every transaction set of the type must carry. pyx12 reports a missing one only
# once its walker has entered the transaction; an ST followed straight by SE passes it.
REQUIRED_SEGMENTS: dict[str, tuple[str, ...]] = {
    "837": ("BHT", "HL", "CLM", "SV1"),
    "835": ("BPR", "TRN", "N1"),  # no CLP: an 835 may carry only provider adjustments (PLB)
}


@attrs.define
class Scan:
    count: int = 0
    types: tuple[str, ...] = ()
    # (transaction type, required segment id, segment number of its ST), per one missing
    missing: list[tuple[str, str, int]] = attrs.Factory(list)
    missing_st03: bool = False


def scan(text: str) -> Scan:
    """Segment count, transaction types (in order), required segments missing from a
    transaction set, and whether an ST lacks ST03, in one pass."""
    out = Scan()
    types: list[str] = []
    current: str | None = None
    start = 0
    seen: set[str] = set()
    for n, seg in enumerate(segments(text), start=1):
        out.count = n
        if seg[0] == "ST":
            current, start, seen = (seg[1] if len(seg) > 1 else ""), n, set()
            if len(seg) > 1 and seg[1] not in types:
                types.append(seg[1])
            if len(seg) < 4 or not seg[3]:
                out.missing_st03 = True
        elif seg[0] == "SE" and current is not None:
            for required in REQUIRED_SEGMENTS.get(current, ()):
                if required not in seen:
                    out.missing.append((current, required, start))
            current = None
        else:
            seen.add(seg[0])
    out.types = tuple(types)
    return out
