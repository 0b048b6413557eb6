"""Writing an output file whole or not at all.

The content goes to a temporary file beside the target, then replaces it in one rename, so
a reader never sees half a file and a failure leaves the previous file (or none). The file
gets the permissions of an ordinary new file (0666 less the umask): mkstemp's 0600 would
hide a report or worklist from the rest of the billing team.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: str | Path, content: str | bytes, *, encoding: str = "utf-8",
                     newline: str | None = "") -> Path:
    """Write `content` to `path` atomically. Raises FileNotFoundError naming the folder
    when it does not exist (the caller turns it into a message)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(2, "No such directory", str(folder))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp, 0o666 & ~current_umask())
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as out:
                out.write(content)
        else:
            with os.fdopen(fd, "w", encoding=encoding, newline=newline) as out:
                out.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
