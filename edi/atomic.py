"""Writing an output file whole or not at all, readable by its owner only.

Every file dermclaim writes (837P, 999, worklist, letters, report) and the SQLite store carry
patient names, birth dates and member ids, so each is created 0600 (owner read/write)
whatever the umask: the mode is set on the open file, not left to the umask. A billing team
that shares files does so on purpose (chmod, a shared folder), not by accident.

Only regular files are replaced: a device or pipe named as the output (`-o /dev/null`,
`-o /dev/stdout`, often run as root in containers) is written through as a stream, and a
socket or a file of /proc or /sys is refused.

The content goes to a hidden temporary file beside the target (`.<name>.<pid>-<tag>.tmp`),
is flushed to disk (fsync), then replaces the target in one rename, and the folder is
synced so the rename survives a power cut. A reader never sees half a file; a failure
leaves the previous file (or none). A process killed mid-write can leave only its hidden
temporary, which the next write to the same target removes (its process is gone).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["OWNER_ONLY", "FileNameClash", "check_unique_targets", "create_private",
           "original_text", "put_in_place", "put_or_take_back", "remove_stale_temporaries",
           "safe_file_name", "stage", "write_atomically", "write_through"]

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


def _kind(target: Path) -> str:
    """What is at `target` (symlinks followed): "absent", "file" (a regular file dermclaim
    may replace), "stream" (a terminal, /dev/null, a pipe: written through, never
    replaced) or "other" (a socket, a block device, a file of /proc or /sys: refused)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return "absent"
    except OSError:
        return "absent"  # the write itself names the problem
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return "stream"
    if stat.S_ISREG(st.st_mode):
        real = os.path.realpath(target)
        return "other" if real.startswith(("/proc/", "/sys/")) else "file"
    return "other"


def _refuse_special(target: Path) -> None:
    kind = _kind(target)
    if kind in ("stream", "other"):
        raise OSError(errno.EINVAL, "not a regular file: dermclaim writes its outputs to "
                      "regular files (replaced whole) or to stdout with '-', and never "
                      "replaces a device, pipe or system file", str(target))


def write_through(target: Path, data: bytes) -> Path:
    """Write `data` into the device or pipe at `target` as a stream (no temporary, no
    rename: the device stays what it is)."""
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return target


def stage(target: str | Path, data: bytes | Iterable[bytes]) -> Path:
    """Write `data` (bytes, or its chunks in order) to a new hidden temporary beside
    `target` (0600, synced to disk) and
    return its path; `put_in_place` finishes the write. Raises FileNotFoundError naming the
    folder when it does not exist, and OSError when `target` is not a regular file's place
    (a device, a pipe, a file of /proc or /sys: never replaced)."""
    path = Path(target)
    _refuse_special(path)
    folder = _folder(path)
    remove_stale_temporaries(path)
    tmp = folder / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                 OWNER_ONLY)
    try:
        os.fchmod(fd, OWNER_ONLY)
        for chunk in [data] if isinstance(data, bytes) else data:
            view = memoryview(chunk)
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
    _refuse_special(path)  # a device may have appeared since the staging
    os.replace(tmp, path)
    _sync_folder(_folder(path))
    return path


@contextlib.contextmanager
def put_or_take_back(staged: list[tuple[Path, Path]]) -> Iterator[None]:
    """Put every staged temporary in place, then run the body (the store's commit): when
    putting or the body fails, every target is restored as it was (the previous file
    back, a new one removed), so files and store agree. The previous files are kept as
    hidden hard links until the body has succeeded."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for tmp, target in staged:
            keep: Path | None = None
            if target.is_file() and not target.is_symlink():
                keep = target.with_name(f".{target.name}.{os.getpid()}-"
                                        f"{secrets.token_hex(4)}.tmp")
                os.link(target, keep)
            done.append((target, keep))
            put_in_place(tmp, target)
        yield
    except BaseException:
        for target, keep in reversed(done):
            with contextlib.suppress(OSError):
                if keep is not None:
                    os.replace(keep, target)
                else:
                    target.unlink(missing_ok=True)
        raise
    for _target, keep in done:
        if keep is not None:
            with contextlib.suppress(OSError):
                keep.unlink()


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


_KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-")
_ESCAPE = "_"
_HASHED = "~"  # never produced by the encoding: marks a shortened name


class FileNameClash(ValueError):
    """Two outputs of one run would get the same file name (or names that differ only in
    case, the same file on a case-insensitive file system)."""


def safe_file_name(text: str, fallback: str = "_", limit: int = 80) -> str:
    """`text` (a claim id, a payer claim number) as part of a file name, unique and
    reversible: letters, digits, dot (not first) and dash kept, every other character
    (slash, space, underscore itself) written `_XX` per UTF-8 byte, so `EXT/1` is
    `EXT_2F1` and `EXT_1` is `EXT_5F1`; `original_text` reads it back. A name longer than
    `limit` keeps its first characters and ends in `~` plus 12 hex digits of the text's
    SHA-256, unique as well (the full id is inside the file)."""
    if not text:
        return fallback
    out = []
    for i, ch in enumerate(text):
        if ch in _KEPT and not (i == 0 and ch == "."):
            out.append(ch)
        else:
            out.extend(f"{_ESCAPE}{b:02X}" for b in ch.encode("utf-8"))
    name = "".join(out)
    if len(name) > limit:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        head = name[:max(limit - len(digest) - 1, 1)]
        head = re.sub(r"_[0-9A-F]?$", "", head)  # no escape cut in half
        name = f"{head}{_HASHED}{digest}"
    return name


def original_text(name: str) -> str | None:
    """The text `safe_file_name` encoded as `name`; None for a shortened (hashed) name."""
    if _HASHED in name:
        return None
    raw = bytearray()
    i = 0
    while i < len(name):
        if name[i] == _ESCAPE:
            raw += bytes.fromhex(name[i + 1:i + 3])
            i += 3
        else:
            raw += name[i].encode("ascii")
            i += 1
    return raw.decode("utf-8")


def check_unique_targets(targets: Iterable[tuple[Path, str]]) -> None:
    """Refuse, before anything is written, a set of outputs in which two different items
    (`what`, e.g. "claim X redetermination") would share a file, exactly or up to case;
    and a target whose name differs only in case from a file already in its folder that
    belongs to another item (a case-insensitive file system would replace it)."""
    seen: dict[str, tuple[Path, str]] = {}
    listed: dict[Path, dict[str, str]] = {}
    for path, what in targets:
        key = str(path.parent / path.name.casefold())
        if key in seen and seen[key][1] != what:
            raise FileNameClash(f"{path}: the outputs for {seen[key][1]} and {what} would "
                                "share this file name; nothing was written")
        seen[key] = (path, what)
        folder = path.parent if str(path.parent) else Path(".")
        if folder not in listed:
            try:
                listed[folder] = {p.name.casefold(): p.name for p in folder.iterdir()}
            except OSError:
                listed[folder] = {}
        other = listed[folder].get(path.name.casefold())
        if other is not None and other != path.name:
            raise FileNameClash(f"{folder / other}: already there, and {path.name} (for "
                                f"{what}) would replace it on a case-insensitive file "
                                "system; move it away first; nothing was written")


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
    if _kind(target) == "stream":  # `-o /dev/null`, `-o /dev/stdout`: through, not over
        return write_through(target, data)
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
