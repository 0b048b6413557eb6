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
finds in the whole. Anything else returns None and the whole file is validated as it is.
"""

from __future__ import annotations

from attrs import frozen

__all__ = ["Piece", "split_claims"]


@frozen
class Piece:
    text: str
    origin: tuple[int, ...]  # 1-based segment number in the original file, per segment

    def original(self, number: int | None) -> int | None:
        if number is None or not 1 <= number <= len(self.origin):
            return number
        return self.origin[number - 1]


@frozen
class _Unit:
    """A subscriber loop with its patients and claims: what pieces are made of."""
    transaction: int  # index into the transactions
    provider: int  # segment index of its billing provider HL
    segments: tuple[int, ...]  # segment indexes, HL 22 first


@frozen
class _Transaction:
    group: int  # segment index of its GS
    header: tuple[int, ...]  # ST up to the first HL
    se: int
    providers: dict[int, tuple[int, ...]]  # billing provider HL index -> its own segments


def split_claims(text: str, element: str, terminator: str, pieces: int) -> list[Piece] | None:
    """At most `pieces` pieces of about equal size, or None when the file cannot be cut."""
    segs = [s for s in (part.strip() for part in text.split(terminator)) if s]
    fields = [s.split(element) for s in segs]
    parsed = _structure(fields)
    if parsed is None or pieces < 2:
        return None
    transactions, units = parsed
    if len(units) < 2:
        return None
    runs = _balanced_runs(units, pieces)
    return [_piece(segs, fields, transactions, run, element, terminator) for run in runs]


def _get(f: list[str], n: int) -> str:
    return f[n] if len(f) > n else ""


def _structure(fields: list[list[str]]) -> tuple[list[_Transaction], list[_Unit]] | None:
    if not fields or fields[0][0] != "ISA" or fields[-1][0] != "IEA":
        return None
    transactions: list[_Transaction] = []
    units: list[_Unit] = []
    groups = 0
    i, end = 1, len(fields) - 1
    while i < end:
        if fields[i][0] != "GS":
            return None
        gs, i, count = i, i + 1, 0
        while i < end and fields[i][0] == "ST":
            found = _transaction(fields, i, gs, len(transactions), units)
            if found is None:
                return None
            transactions.append(found)
            i, count = found.se + 1, count + 1
        if i >= end or fields[i][0] != "GE" or fields[i][1:3] != [str(count), _get(fields[gs], 6)]:
            return None
        groups, i = groups + 1, i + 1
    if fields[-1][1:3] != [str(groups), _get(fields[0], 13)]:
        return None
    return transactions, units


def _transaction(fields: list[list[str]], st: int, gs: int, number: int,
                 units: list[_Unit]) -> _Transaction | None:
    """Read one ST..SE; its subscriber loops are appended to `units`."""
    if _get(fields[st], 1) != "837":
        return None
    levels: dict[str, str] = {}  # HL01 -> HL03
    header: list[int] = [st]
    providers: dict[int, list[int]] = {}
    mine: list[tuple[int, list[int]]] = []  # (provider, segments) of each subscriber loop
    current: list[int] | None = None
    provider = -1
    i = st + 1
    while i < len(fields) and fields[i][0] not in ("SE", "ST", "GE", "GS", "IEA"):
        f = fields[i]
        if f[0] == "HL":
            hl, parent, level = _get(f, 1), _get(f, 2), _get(f, 3)
            if hl != str(len(levels) + 1) or (parent and parent not in levels):
                return None
            levels[hl] = level
            above = levels.get(parent, "")
            if level == "20" and not parent:
                provider, current = i, [i]
                providers[i] = current
            elif level == "22" and above == "20" and provider >= 0:
                current = [i]
                mine.append((provider, current))
            elif level == "23" and above == "22" and mine and current is mine[-1][1]:
                current.append(i)  # a patient of the subscriber just read
            else:
                return None
        elif current is None:
            header.append(i)
        else:
            current.append(i)
        i += 1
    if i >= len(fields) or fields[i][0] != "SE":
        return None
    if fields[i][1:3] != [str(i - st + 1), _get(fields[st], 2)]:
        return None
    if not providers or {p for p, _ in mine} != set(providers):
        return None  # a billing provider without subscribers would be in no piece
    units.extend(_Unit(number, p, tuple(segments)) for p, segments in mine)
    return _Transaction(gs, tuple(header), i,
                        {p: tuple(segments) for p, segments in providers.items()})


def _balanced_runs(units: list[_Unit], pieces: int) -> list[list[_Unit]]:
    """Consecutive runs of units of about equal segment counts, in file order."""
    total = sum(len(u.segments) for u in units)
    target = total / min(pieces, len(units))
    runs: list[list[_Unit]] = [[]]
    size = 0
    for unit in units:
        if runs[-1] and size >= target * len(runs) and len(runs) < pieces:
            runs.append([])
        runs[-1].append(unit)
        size += len(unit.segments)
    return runs


def _piece(segs: list[str], fields: list[list[str]], transactions: list[_Transaction],
           run: list[_Unit], element: str, terminator: str) -> Piece:
    out: list[str] = [segs[0]]
    origin: list[int] = [1]

    def add(index: int, text: str | None = None) -> None:
        out.append(segs[index] if text is None else text)
        origin.append(index + 1)

    last_group = last_transaction = last_provider = -1
    groups = transactions_in_group = 0
    hl: dict[str, str] = {}  # old HL01 -> new, in the current transaction
    count_from = 0  # index in `out` of the current ST

    def close_transaction() -> None:
        se = transactions[last_transaction].se
        f = fields[se]
        add(se, element.join(["SE", str(len(out) - count_from + 1), *f[2:]]))

    def close_group() -> None:
        ge = next(i for i in range(transactions[last_transaction].se + 1, len(fields))
                  if fields[i][0] == "GE")
        add(ge, element.join(["GE", str(transactions_in_group), *fields[ge][2:]]))

    for unit in run:
        t = transactions[unit.transaction]
        if unit.transaction != last_transaction:
            if last_transaction >= 0:
                close_transaction()
            if t.group != last_group:
                if last_group >= 0:
                    close_group()
                add(t.group)
                last_group, groups, transactions_in_group = t.group, groups + 1, 0
            count_from = len(out)
            for index in t.header:
                add(index)
            last_transaction, last_provider, hl = unit.transaction, -1, {}
            transactions_in_group += 1
        if unit.provider != last_provider:
            for index in t.providers[unit.provider]:
                add(index, _renumbered(fields[index], element, hl))
            last_provider = unit.provider
        for index in unit.segments:
            add(index, _renumbered(fields[index], element, hl))
    close_transaction()
    close_group()
    iea = fields[-1]
    add(len(segs) - 1, element.join(["IEA", str(groups), *iea[2:]]))
    return Piece(terminator.join(out) + terminator, tuple(origin))


def _renumbered(f: list[str], element: str, hl: dict[str, str]) -> str | None:
    """An HL with its number (and its parent's) as in the piece; other segments as they are."""
    if f[0] != "HL":
        return None
    hl[f[1]] = str(len(hl) + 1)
    parent = hl.get(f[2], f[2]) if len(f) > 2 else ""
    return element.join(["HL", hl[f[1]], parent, *f[3:]])
