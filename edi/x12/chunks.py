"""Cut a regular 837P interchange into smaller, complete interchanges of whole claims, so that
pyx12 can validate the pieces on several cores (see `edi.validate`).

A piece keeps the interchange and group headers, each transaction's header (ST, BHT, the
submitter and receiver loops) and billing provider loop (HL 20), and a run of subscriber
loops (HL 22, with their patient loops HL 23 and claims): HL numbers are renumbered from 1
in each piece, SE01/GE01/IEA01 recounted. Each piece remembers the original segment number
of each of its segments, so findings point into the original file.

Only a file whose envelope is already right can be cut (one interchange; every SE, GE and
IEA count and control number matching; HL01 sequential from 1 in each transaction, each
HL02 naming an earlier HL of the level above): pyx12 then finds in the pieces what it
finds in the whole. Anything else is `Uncuttable`, and the whole file is validated as it is.

`iter_pieces` reads the text once, segment by segment, and hands out each piece as soon as
it holds its claims: memory holds one piece, whatever the size of the file (a 50,000-claim
837P has a million segments). The envelope is checked as it is read, so a fault found late
raises `Uncuttable` after some pieces went out; the caller then validates the whole file.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator

from attrs import frozen

from coding.spool import Indexed
from edi.x12.scan import split_segments

__all__ = ["Origins", "Piece", "Uncuttable", "iter_pieces", "split_claims", "subscriber_loops"]


class Uncuttable(Exception):
    """The file's envelope is not regular: it must be validated whole."""


class Origins(Indexed[int]):
    """The original (1-based) segment number of each segment of a piece, kept as runs of
    consecutive numbers (a piece of 2,500 claims is ~50,000 segments in a dozen runs). A
    number not known yet (the SE or GE of a transaction or group still being read) is 0
    until `fill`."""

    def __init__(self) -> None:
        self.starts = array("q")  # index in the piece where each run starts
        self.firsts = array("q")  # the original number at that index
        self.size = 0
        self._next = -1  # the number that would continue the last run

    def append(self, number: int) -> int:
        """Add the next segment's number; returns its run (for `fill`)."""
        if not number or number != self._next:
            self.starts.append(self.size)
            self.firsts.append(number)
        self._next = number + 1 if number else -1
        self.size += 1
        return len(self.starts) - 1

    def fill(self, run: int, number: int) -> None:
        self.firsts[run] = number

    def __len__(self) -> int:
        return self.size

    def _item(self, index: int) -> int:
        run = bisect.bisect_right(self.starts, index) - 1
        first = self.firsts[run]
        return first + (index - self.starts[run]) if first else 0


@frozen
class Piece:
    text: str
    origin: Origins

    def original(self, number: int | None) -> int | None:
        if number is None or not 1 <= number <= len(self.origin):
            return number
        return self.origin[number - 1]


def split_claims(text: str, element: str, terminator: str, pieces: int) -> list[Piece] | None:
    """At most `pieces` pieces of about equal numbers of claims, or None when the file
    cannot be cut."""
    units = subscriber_loops(text, element, terminator)
    if pieces < 2 or units < 2:
        return None
    try:
        return list(iter_pieces(text, element, terminator, -(-units // min(pieces, units))))
    except Uncuttable:
        return None


def subscriber_loops(text: str, element: str, terminator: str) -> int:
    """How many subscriber loops (HL level 22) the text has: what pieces are made of."""
    return sum(1 for seg in split_segments(text, terminator)
               if seg.startswith("HL" + element) and _get(seg.split(element), 3) == "22")


def _get(f: list[str], n: int) -> str:
    return f[n] if len(f) > n else ""


class _Numbers:
    """The original numbers of the SE and GE segments read so far, and the places in
    pieces still waiting for one (a piece can end before its transaction does)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, int], int] = {}  # ("SE", ST number) -> SE number
        self.waiting: dict[tuple[str, int], list[tuple[Origins, int]]] = {}

    def place(self, key: tuple[str, int], origin: Origins) -> None:
        run = origin.append(self.known.get(key, 0))
        if key not in self.known:
            self.waiting.setdefault(key, []).append((origin, run))

    def read(self, key: tuple[str, int], number: int) -> None:
        self.known[key] = number
        for origin, run in self.waiting.pop(key, ()):
            origin.fill(run, number)


class _Builder:
    """One piece being put together."""

    def __init__(self, isa: str, element: str, numbers: _Numbers) -> None:
        self.isa, self.element, self.numbers = isa, element, numbers
        self.reset()

    def reset(self) -> None:
        self.out: list[str] = [self.isa]
        self.origin = Origins()
        self.origin.append(1)
        self.groups = 0
        self.transactions_in_group = 0
        self.count_from = -1  # index in `out` of the open transaction's ST
        self.st: tuple[int, str] | None = None  # the open transaction: (ST number, ST02)
        self.gs: tuple[int, str] | None = None  # the open group: (GS number, GS06)
        self.provider = -1  # original number of the provider HL last put in
        self.hl: dict[str, str] = {}
        self.claims = 0

    def add(self, segment: str, number: int) -> None:
        if segment.startswith("HL" + self.element):  # renumbered from 1 in each transaction
            f = segment.split(self.element)
            self.hl[f[1]] = str(len(self.hl) + 1)
            parent = self.hl.get(f[2], f[2]) if len(f) > 2 else ""
            segment = self.element.join(["HL", self.hl[f[1]], parent, *f[3:]])
        self.out.append(segment)
        self.origin.append(number)

    def put(self, tr: _Transaction, provider: list[tuple[str, int]],
            unit: list[tuple[str, int]]) -> None:
        if self.st is None or self.st[0] != tr.number:
            self.close_transaction()
            if self.gs is None or self.gs[0] != tr.gs_number:
                self.close_group()
                self.out.append(tr.gs)
                self.origin.append(tr.gs_number)
                self.gs, self.groups, self.transactions_in_group = (
                    (tr.gs_number, tr.gs06), self.groups + 1, 0)
            self.count_from = len(self.out)
            for seg, n in tr.header:
                self.add(seg, n)
            self.st, self.provider, self.hl = (tr.number, tr.st02), -1, {}
            self.transactions_in_group += 1
        if self.provider != provider[0][1]:
            for seg, n in provider:
                self.add(seg, n)
            self.provider = provider[0][1]
        for seg, n in unit:
            self.add(seg, n)
        self.claims += 1

    def close_transaction(self) -> None:
        if self.st is not None:
            self.out.append(self.element.join(
                ["SE", str(len(self.out) - self.count_from + 1), self.st[1]]))
            self.numbers.place(("SE", self.st[0]), self.origin)
            self.st = None

    def close_group(self) -> None:
        if self.gs is not None:
            self.out.append(self.element.join(["GE", str(self.transactions_in_group),
                                               self.gs[1]]))
            self.numbers.place(("GE", self.gs[0]), self.origin)
            self.gs = None

    def finish(self, isa13: str, terminator: str) -> Piece:
        self.close_transaction()
        self.close_group()
        self.out.append(self.element.join(["IEA", str(self.groups), isa13]))
        self.numbers.place(("IEA", 0), self.origin)
        return Piece(terminator.join(self.out) + terminator, self.origin)


class _Transaction:
    def __init__(self, st: str, number: int, gs: str, gs_number: int, element: str) -> None:
        f = st.split(element)
        if _get(f, 1) != "837":
            raise Uncuttable
        self.st02 = _get(f, 2)
        self.number = number
        self.gs, self.gs_number, self.gs06 = gs, gs_number, _get(gs.split(element), 6)
        self.header: list[tuple[str, int]] = [(st, number)]
        self.levels: dict[str, str] = {}  # HL01 -> HL03
        self.provider: list[tuple[str, int]] | None = None  # the billing provider loop
        self.with_units: set[int] = set()  # providers that have a subscriber loop
        self.providers: set[int] = set()
        self.unit: list[tuple[str, int]] | None = None  # the subscriber loop being read
        self.unit_hl = ""


def iter_pieces(text: str, element: str, terminator: str,
                claims_per_piece: int) -> Iterator[Piece]:
    """The pieces of `text`, each with at most `claims_per_piece` subscriber loops (each
    loop holds one claim as we write them), in file order. Raises `Uncuttable` (possibly
    after some pieces) when the envelope is not regular."""
    segments = split_segments(text, terminator)
    isa = next(segments, "")
    isa_fields = isa.split(element)
    if isa_fields[0] != "ISA":
        raise Uncuttable
    isa13 = _get(isa_fields, 13)
    numbers = _Numbers()
    piece = _Builder(isa, element, numbers)
    groups = transactions = 0
    gs, gs_number = "", -1  # -1: no group open
    tr: _Transaction | None = None
    ended = False
    number = 1
    for seg in segments:
        number += 1
        if ended:
            raise Uncuttable  # something after the IEA
        sid = seg.split(element, 1)[0]
        ready: Piece | None = None
        if tr is not None and sid not in ("SE", "ST", "GE", "GS", "IEA"):
            if sid == "HL":
                f = seg.split(element)
                hl, parent, level = _get(f, 1), _get(f, 2), _get(f, 3)
                if hl != str(len(tr.levels) + 1) or (parent and parent not in tr.levels):
                    raise Uncuttable
                tr.levels[hl] = level
                above = tr.levels.get(parent, "")
                if level == "23" and above == "22" and tr.unit is not None \
                        and parent == tr.unit_hl:
                    tr.unit.append((seg, number))
                    continue
                ready = _close_unit(tr, piece, claims_per_piece, isa13, terminator)
                if level == "20" and not parent:
                    tr.provider = [(seg, number)]
                    tr.providers.add(number)
                elif level == "22" and above == "20" and tr.provider is not None:
                    tr.unit, tr.unit_hl = [(seg, number)], hl
                else:
                    raise Uncuttable
            elif tr.provider is None:
                tr.header.append((seg, number))
            elif tr.unit is None:
                tr.provider.append((seg, number))
            else:
                tr.unit.append((seg, number))
        elif sid == "GS" and gs_number < 0 and tr is None:
            gs, gs_number, transactions = seg, number, 0
        elif sid == "ST" and gs_number >= 0 and tr is None:
            tr = _Transaction(seg, number, gs, gs_number, element)
        elif sid == "SE" and tr is not None:
            ready = _close_unit(tr, piece, claims_per_piece, isa13, terminator)
            if seg.split(element) != ["SE", str(number - tr.number + 1), tr.st02]:
                raise Uncuttable
            if not tr.providers or tr.with_units != tr.providers:
                raise Uncuttable  # a billing provider without subscribers would be in no piece
            numbers.read(("SE", tr.number), number)
            tr = None
            transactions += 1
        elif sid == "GE" and gs_number >= 0 and tr is None:
            if seg.split(element) != ["GE", str(transactions), _get(gs.split(element), 6)]:
                raise Uncuttable
            numbers.read(("GE", gs_number), number)
            groups, gs_number = groups + 1, -1
        elif sid == "IEA" and gs_number < 0 and tr is None:
            if seg.split(element) != ["IEA", str(groups), isa13]:
                raise Uncuttable
            ended = True
        else:
            raise Uncuttable
        if ready is not None:
            yield ready
    if not ended or piece.claims == 0:
        raise Uncuttable
    last = piece.finish(isa13, terminator)
    numbers.read(("IEA", 0), number)
    yield last


def _close_unit(tr: _Transaction, piece: _Builder, claims_per_piece: int, isa13: str,
                terminator: str) -> Piece | None:
    """Put the subscriber loop just read into the piece; the piece, when it was full (the
    loop then starts the next one: the caller makes a new builder and puts it there)."""
    if tr.unit is None:
        return None
    assert tr.provider is not None
    unit, tr.unit = tr.unit, None
    tr.with_units.add(tr.provider[0][1])
    if piece.claims < claims_per_piece:
        piece.put(tr, tr.provider, unit)
        return None
    ready = piece.finish(isa13, terminator)
    piece.reset()  # the caller's builder starts the next piece with this loop
    piece.put(tr, tr.provider, unit)
    return ready
