"""A list that keeps a large batch on disk: what keeps `dermclaim claims` flat in memory.

    claims = Spool()                 # in memory up to SPILL_FROM items
    for enc in encounters: claims.append(code_encounter(enc))
    claims[17], len(claims), list(claims)

A batch of 50,000 encounters held as objects (encounters, coded claims, claim parts) weighs
~0.5 GB; spooled, each item is pickled into an anonymous temporary file (unlinked at once,
0600, gone with the process) and read back one at a time, so memory holds one item per step
plus 8 bytes of offset per item. Up to `limit` items stay in memory as they are (no cost
for the batches most practices send); the first item past it moves them all to the file.

The file holds only what this process wrote into it, read back by this process: pickle is
safe here (it never reads a file someone else wrote).
"""

from __future__ import annotations

import os
from abc import abstractmethod
from array import array
from collections.abc import Iterable, Iterator, Sequence
from types import ModuleType
from typing import IO, TYPE_CHECKING, Generic, TypeVar, overload

if TYPE_CHECKING:
    from coding.model import Encounter

__all__ = ["SPILL_FROM", "Encounters", "Indexed", "Spool", "View", "spilled"]

T = TypeVar("T")

# Items a spool keeps in memory before it moves them to its file: 5,000 claims is what one
# encounter file may hold (coding.encounter_limits) and about 40 MB of coded objects.
SPILL_FROM = 5_000
_READ_AHEAD = 1 << 20  # bytes read at once when iterating a spilled spool in order


class Indexed(Sequence[T], Generic[T]):
    """A sequence that knows its length and how to read item `index` (0 <= index < len):
    indexing from the end and slices (as lists) come with it."""

    @abstractmethod
    def _item(self, index: int) -> T:
        """Item `index`, 0 <= index < len(self)."""

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        n = len(self)
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(n))]
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"{type(self).__name__} index out of range")
        return self._item(index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                              strict=True))
        return NotImplemented


class Spool(Indexed[T]):
    """An append-only sequence, in memory up to `limit` items, else in a temporary file."""

    def __init__(self, items: Iterable[T] = (), *, limit: int | None = None):
        self.limit = SPILL_FROM if limit is None else limit
        self._memory: list[T] = []
        self._file: IO[bytes] | None = None
        self._offsets = array("Q")  # start of item i in the file; one more: the end
        self._written = 0
        for item in items:
            self.append(item)

    @property
    def spilled(self) -> bool:
        return self._file is not None

    def append(self, item: T) -> None:
        if self._file is None:
            if len(self._memory) < self.limit:
                self._memory.append(item)
                return
            self._spill()
        assert self._file is not None
        data = _pickle().dumps(item, protocol=-1)
        self._file.write(data)
        self._written += len(data)
        self._offsets.append(self._written)

    def _spill(self) -> None:
        import tempfile  # only a batch that spills needs it (`dermclaim code` does not)

        self._file = tempfile.TemporaryFile(prefix="dermclaim-spool-")  # noqa: SIM115
        self._offsets.append(0)
        kept, self._memory = self._memory, []
        for item in kept:
            data = _pickle().dumps(item, protocol=-1)
            self._file.write(data)
            self._written += len(data)
            self._offsets.append(self._written)

    def __len__(self) -> int:
        return len(self._memory) if self._file is None else len(self._offsets) - 1

    def _item(self, index: int) -> T:
        if self._file is None:
            return self._memory[index]
        self._file.flush()
        start, end = self._offsets[index], self._offsets[index + 1]
        item: T = _pickle().loads(os.pread(self._file.fileno(), end - start, start))
        return item

    def __iter__(self) -> Iterator[T]:
        if self._file is None:
            yield from list(self._memory)
            return
        self._file.flush()
        fd, n = self._file.fileno(), len(self)
        i, buffer, base = 0, b"", 0
        while i < n:
            start, end = self._offsets[i], self._offsets[i + 1]
            if end - base > len(buffer):  # read the next stretch (at least this item)
                base = start
                buffer = os.pread(fd, max(_READ_AHEAD, end - start), start)
            yield _pickle().loads(buffer[start - base:end - base])
            i += 1

    def close(self) -> None:
        """Give the file back now (it goes with the process anyway)."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._offsets = array("Q")
            self._written = 0

    def __enter__(self) -> Spool[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pickle() -> ModuleType:
    import pickle  # imported when a spool first spills, not by every `coding.batch` user

    return pickle


class View(Indexed[T]):
    """The items of `base` at `indexes` (a run of a spool, without copying the items)."""

    def __init__(self, base: Sequence[T], indexes: Sequence[int]):
        self.base, self.indexes = base, indexes

    def __len__(self) -> int:
        return len(self.indexes)

    def _item(self, index: int) -> T:
        return self.base[self.indexes[index]]

    def __iter__(self) -> Iterator[T]:
        base = self.base
        for i in self.indexes:
            yield base[i]

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"View({list(self)!r})"


def spilled(items: Sequence[object]) -> bool:
    """Whether `items` (a spool, or a view of one) sits on disk: what comes from a spilled
    spool goes to one too, what is in memory stays there (no pickling for nothing)."""
    if isinstance(items, Spool):
        return items.spilled
    if isinstance(items, View):
        return spilled(items.base)
    return False


class Encounters(Spool["Encounter"]):
    """A spool of encounters that keeps each one's date of service (a day number) and
    patient, and the payers of them all, in memory: what `coding.batch.code_batch` orders
    and groups by, without reading an encounter twice."""

    def __init__(self, items: Iterable[Encounter] = (), *, limit: int | None = None):
        self.days = array("q")
        self.patients: list[str] = []
        self.payers: set[str] = set()
        super().__init__(items, limit=limit)

    def append(self, item: Encounter) -> None:
        super().append(item)
        self.days.append(item.date_of_service.toordinal())
        from coding.history import patient_key

        self.patients.append(patient_key(item))
        self.payers.add(item.payer)
