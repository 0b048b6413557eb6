"""ICD-10-CM billability from a compact index of the official code set, built once and cached.

`simple_icd_10_cm` (the only module that imports it is this one) carries the CMS April 2026
ICD-10-CM tabular list and code list, but importing it parses the whole 9.7 MB XML into a
tree of ~98,000 nodes: 4-5 s of CPU in every process that asks "is L57.0 billable?". The
index keeps what coding asks, nothing else, for every category, subcategory and extended
subcategory of the library's own data:

    L57 L570 L571 L572 L573 L574 L575 L578 L579   a category: not billable, its children
    L570                                          a billable code (a leaf of the hierarchy)

Lines are sorted by code, so a lookup is a binary search of the text: a process reads the
1.4 MB file and searches it where it lies (not even split into lines). It is written
(atomically) on first use to the cache folder, in a file whose name carries the library's
version and the SHA-256 of its two data files as recorded in the installed distribution,
so a new code set (a new library release) builds a new index and an old index is never
read for it. Reading that record (importlib.metadata) costs more than the lookup itself,
so a small key file, named by the size, time and place of the installed library's files
(`_data_signature`), remembers the key: a process finds the index from a few stat calls,
and any change to the installed library's files leads back to the record. The cache
folder is `$DERMCLAIM_CACHE_DIR`, else `$XDG_CACHE_HOME/dermclaim`, else
`~/.cache/dermclaim`; when it cannot be written, the index is built in memory for the
process (slow, still correct).
"""

from __future__ import annotations

import os
import warnings
import zlib
from functools import cache
from pathlib import Path
from typing import NamedTuple

__all__ = ["Icd10Index", "icd10_index", "cache_dir"]

DISTRIBUTION = "simple-icd-10-cm"
FORMAT = 2  # bump when the file layout changes


class Icd10Index(NamedTuple):
    """Undotted ICD-10-CM codes (categories and below), each with its children."""

    version: str  # the code list, e.g. "April 2026"
    text: str  # lines "CODE CHILD CHILD ...\n", sorted by code; a leaf has no children

    def children(self, code: str) -> tuple[str, ...] | None:
        """The code's children (() for a billable leaf), or None when it is not a code."""
        text = self.text
        lo, hi = 0, len(text)  # both at line starts: the first line not before `code` is
        while lo < hi:  # in [lo, hi]
            mid = (lo + hi) // 2
            start = text.rfind("\n", 0, mid) + 1  # the line holding `mid`
            end = text.find("\n", start)
            space = text.find(" ", start, end)
            if text[start:end if space < 0 else space] < code:
                lo = end + 1
            else:
                hi = start
        if lo < len(text):
            end = text.find("\n", lo)
            found, _, rest = text[lo:end].partition(" ")
            if found == code:
                return tuple(rest.split())
        return None

    def exists(self, code: str) -> bool:
        return self.children(code) is not None

    def is_billable(self, code: str) -> bool:
        return self.children(code) == ()


def cache_dir() -> Path:
    explicit = os.environ.get("DERMCLAIM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dermclaim"


@cache
def icd10_index() -> Icd10Index:
    """The index of the installed code set: read from the cache, else built and cached."""
    folder = cache_dir()
    signature = _data_signature()
    pointer = folder / f"icd10cm-at-{signature}.key" if signature else None
    if pointer is not None:
        try:
            key = pointer.read_bytes().decode("ascii").strip()
            if key:
                return _read((folder / f"icd10cm-{key}.txt").read_bytes())
        except (OSError, ValueError):
            pass
    key, version = _code_set_key()
    path = folder / f"icd10cm-{key}.txt"
    try:
        index = _read(path.read_bytes())
    except (OSError, ValueError):
        index = _build(version)
        try:
            _write(path, f"# ICD-10-CM {index.version}\n{index.text}# end\n")
        except OSError:  # a read-only home: this process keeps its in-memory index
            return index
    if pointer is not None:
        try:
            _write(pointer, key + "\n")
        except OSError:
            pass
    return index


def _data_signature() -> str | None:
    """Where the installed library lies and the size and time of each of its files, hashed:
    a different install or release of it gives another signature. None when it cannot be
    found (then the distribution's record is read every time)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("simple_icd_10_cm")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    parts = []
    try:
        for folder in spec.submodule_search_locations:
            for base in (Path(folder), Path(folder) / "data"):
                for entry in sorted(os.scandir(base), key=lambda e: e.name):
                    if entry.is_file():
                        st = entry.stat()
                        parts.append(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}")
    except OSError:
        return None
    # two 32-bit checksums, not SHA-256: hashlib's first import (OpenSSL) costs more than
    # this whole lookup, and the signature only has to tell installs apart
    raw = "\n".join([f"v{FORMAT}", *parts]).encode()
    return f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}{len(raw):x}"


def _code_set_key() -> tuple[str, str]:
    """(file key, code list name) from the installed distribution's record: its version and
    the hashes of its data files, without importing (and so loading) the library."""
    import hashlib
    import importlib.metadata
    import re

    dist = importlib.metadata.distribution(DISTRIBUTION)
    parts = [f"v{FORMAT}", dist.version]
    version = ""
    for f in sorted(dist.files or [], key=str):
        name = str(f)
        if "/data/" in name and name.endswith((".txt", ".xml")):
            parts.append(f"{name}:{f.hash.value if f.hash else f.size}")
            found = re.search(r"code-list-([A-Za-z]+)-(\d{4})", name)
            if found:
                version = f"{found.group(1)} {found.group(2)}"
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
    return f"{dist.version}-{digest}", version or f"simple_icd_10_cm {dist.version}"


def _build(version: str) -> Icd10Index:
    with warnings.catch_warnings():  # the library reads its data with deprecated APIs
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd  # slow: parses the whole tabular list

    lines = []
    for code in icd.get_all_codes(with_dots=False):
        if not (icd.is_category_or_subcategory(code) or icd.is_extended_subcategory(code)):
            continue  # chapters and blocks are not codes a claim can carry
        lines.append(" ".join((code, *(c.replace(".", "") for c in icd.get_children(code)))))
    # a space sorts before every code character: sorting lines sorts them by code
    return Icd10Index(version, "".join(f"{line}\n" for line in sorted(lines)))


_HEAD, _END = b"# ICD-10-CM ", b"\n# end\n"


def _read(data: bytes) -> Icd10Index:
    """The index from its file's bytes. The 1.4 MB body is decoded straight from them: one
    copy, where reading text and slicing it made four (~2 ms of every `dermclaim code`)."""
    body = data.find(b"\n") + 1
    if not data.startswith(_HEAD) or not body or len(data) - body < len(_END) \
            or not data.endswith(_END):
        raise ValueError("not a complete index")  # a truncated file is rebuilt
    with memoryview(data) as view:  # a non-ASCII byte: UnicodeDecodeError, a ValueError
        text = str(view[body:len(data) - len(_END) + 1], "ascii")
    return Icd10Index(data[len(_HEAD):body - 1].decode("ascii"), text)


def _write(path: Path, text: str) -> None:
    """`text` at `path`, atomically: readers see the old file or the whole new one."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii", newline="\n") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
