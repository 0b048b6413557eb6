"""TOML text parsed once per content: the parsed tables kept (marshal) in the cache folder.

Importing tomllib costs ~4 ms of CPU (it compiles its patterns at import), more than a
one-encounter `dermclaim code` spends coding, and a guide's text seldom changes. `loads`
answers what `tomllib.loads` answers: from a cache file holding the text and its parse
when that very text was parsed before (the file is named by checksums of the text and the
Python version, and the text stored in it must equal the text asked about, so an edited
guide is always parsed again and never answered from an older parse), else by tomllib,
then storing the parse. A parse marshal cannot hold (TOML dates and times) is not stored.

The folder is the one `coding.icd10_index.cache_dir` uses: `$DERMCLAIM_CACHE_DIR`, else
`$XDG_CACHE_HOME/dermclaim`, else `~/.cache/dermclaim` (this package sits below coding and
reads the variables itself). When it cannot be written, every process parses (slower, the
same answers).
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any

__all__ = ["loads", "cache_dir"]

FORMAT = 1  # bump when the stored layout changes
# marshal's format and tomllib's answers both belong to the interpreter
_PYTHON = zlib.crc32(f"{sys.version}|{marshal.version}|{FORMAT}".encode())


def cache_dir() -> Path:
    explicit = os.environ.get("DERMCLAIM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dermclaim"


def loads(text: str) -> dict[str, Any]:
    """`tomllib.loads(text)`, from the cache when this exact text was parsed before.
    Raises tomllib.TOMLDecodeError (a ValueError) for text that is not TOML."""
    raw = text.encode()
    path = cache_dir() / (f"toml-{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}{len(raw):x}"
                          f"-{_PYTHON:08x}.marshal")
    try:
        stored = marshal.loads(path.read_bytes())
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == text \
                and isinstance(stored[1], dict):
            return stored[1]
    except (OSError, ValueError, EOFError, TypeError):
        pass  # no file yet, or an unreadable one: parse and store again
    import tomllib

    data = tomllib.loads(text)
    try:
        _write(path, marshal.dumps((text, data)))
    except (OSError, ValueError):  # a read-only folder; a value marshal cannot hold
        pass
    return data


def _write(path: Path, data: bytes) -> None:
    """`data` at `path`, atomically: readers see no file or the whole file."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
