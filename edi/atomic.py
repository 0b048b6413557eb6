"""Writing an output file whole or not at all, readable by its owner only.

Every file dermclaim writes (837P, 999, worklist, letters, report) and the SQLite store carry
patient names, birth dates and member ids, so each is created 0600 (owner read/write)
whatever the umask: the mode is set on the open file, not left to the umask. A billing team
that shares files does so on purpose (chmod, a shared folder), not by accident.

The content goes to a hidden temporary file beside the target (`.<name>.<pid>-<tag>.tmp`),
is flushed to disk (fsync), then replaces the target in one rename, and the folder is
synced so the rename survives a power cut. A reader never sees half a file; a failure
leaves the previous file (or none). A process killed mid-write can leave only its hidden
temporary, which the next write to the same target removes (its process is gone).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

__all__ = ["OWNER_ONLY", "create_private", "put_in_place", "remove_stale_temporaries",
           "safe_file_name", "stage", "write_atomically"]

OWNER_ONLY = 0o600


def _folder(target: Path) -> Path:
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(2, "No such directory", str(folder))
    return folder


def _temporaries(target: Path) -> list[Path]:
    folder = target.parent if str(target.parent) else Path(".")
    return sorted(folder.glob(f".{target.name}.*.tmp"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(target: str | Path) -> list[Path]:
    """Remove the hidden temporaries of `target` left by processes that are gone; return
    what was removed."""
    removed = []
    for tmp in _temporaries(Path(target)):
        tag = tmp.name[len(Path(target).name) + 2:-len(".tmp")]
        pid_text = tag.split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text)):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def stage(target: str | Path, data: bytes) -> Path:
    """Write `data` to a new hidden temporary beside `target` (0600, synced to disk) and
    return its path; `put_in_place` finishes the write. Raises FileNotFoundError naming the
    folder when it does not exist."""
    path = Path(target)
    folder = _folder(path)
    remove_stale_temporaries(path)
    tmp = folder / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                 OWNER_ONLY)
    try:
        os.fchmod(fd, OWNER_ONLY)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def put_in_place(tmp: Path, target: str | Path) -> Path:
    """Rename a staged temporary over `target` (atomic on one file system) and sync the
    folder so the new name is on disk."""
    path = Path(target)
    os.replace(tmp, path)
    _sync_folder(_folder(path))
    return path


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder; the rename still happened
        pass
    finally:
        os.close(fd)


def safe_file_name(text: str, fallback: str = "_", limit: int = 60) -> str:
    """`text` (a claim id, a payer claim number) as part of a file name: letters, digits,
    dot, dash and underscore kept, anything else (a slash, a space) an underscore."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)[:limit] or fallback


def write_atomically(path: str | Path, content: str | bytes, *, encoding: str = "utf-8",
                     newline: str | None = "") -> Path:
    """Write `content` to `path` atomically, readable by its owner only. Text is encoded
    before any file is touched (an unencodable character changes nothing). `newline=None`
    writes os.linesep for each "\\n", as text files opened with the default do."""
    if isinstance(content, str):
        if newline is None and os.linesep != "\n":
            content = content.replace("\n", os.linesep)
        elif newline not in (None, ""):
            content = content.replace("\n", newline)
        data = content.encode(encoding)
    else:
        data = content
    target = Path(path)
    tmp = stage(target, data)
    try:
        return put_in_place(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def create_private(path: str | Path) -> bool:
    """Create an empty file readable by its owner only (the SQLite store before SQLite
    opens it, so that it and its -wal/-shm files, which copy its mode, are 0600). False
    when it already exists (its mode is left as its owner set it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, OWNER_ONLY)
    finally:
        os.close(fd)
    return True
