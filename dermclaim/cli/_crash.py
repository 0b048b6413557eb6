"""The last resort: an exception no command expected becomes one line and a log file.

Every error a user can cause is turned into a clear message by `_common.user_errors`.
Anything else is a bug in dermclaim. The user gets one line naming the input file(s), saying
it is a bug and where the details are; the details (the traceback) go to a log file that
only its owner can read, under the user's state directory:

    $DERMCLAIM_LOG_DIR, else $XDG_STATE_HOME/dermclaim, else ~/.local/state/dermclaim

The log holds no patient data and no password: it records the command's name (`remit load`,
never its arguments or options: a note may name a patient, a --db URL carry a password),
the exception type and the frames (file, line, function, source line of the code), never
the exception's message, a frame's local values or any environment value.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

EXIT_BUG = 70  # sysexits EX_SOFTWARE: not 1 (findings) nor 2 (unreadable input)


def log_dir() -> Path:
    explicit = os.environ.get("DERMCLAIM_LOG_DIR")
    if explicit:
        return Path(explicit)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "dermclaim"


def scrubbed_traceback(exc: BaseException) -> str:
    """The traceback of `exc` and its causes without any message: type names and frames."""
    out: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        block = ["Traceback (most recent call last):\n", *traceback.format_list(frames),
                 f"{type(current).__module__}.{type(current).__qualname__} "
                 "(message withheld: it may quote input data)\n"]
        out[:0] = block
        nxt = current.__cause__ or current.__context__
        if nxt is not None:
            out[:0] = ["\nwhich was raised while handling:\n"]
        current = nxt
    return "".join(out)


def command_name(group: click.Group, argv: list[str]) -> str:
    """The command's name as the program knows it (`remit load`, `denial set`): the
    leading words of `argv` that name a command or sub-command, and nothing else (an
    argument or option value may be a patient's name or a password)."""
    words: list[str] = []
    current: click.Command = group
    for arg in argv:
        if arg.startswith("-") or not isinstance(current, click.Group):
            break
        known = current.commands if not hasattr(current, "lazy") else {
            *current.commands, *current.lazy}
        if arg not in known:
            break
        words.append(arg)
        current = current.commands.get(arg, current)
        if current is group:
            break
    return " ".join(words) or "(no command)"


def write_log(exc: BaseException, command: str) -> Path | None:
    """Write the scrubbed traceback to a new owner-only file; its path, or None. `command`
    is the command's name only (`command_name`), never its arguments."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    folder = log_dir()
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)  # mkdir's mode is filtered by the umask
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)  # whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"dermclaim internal error at {stamp}\ncommand: dermclaim {command}\n"
                     f"python {sys.version.split()[0]}\n\n")
            fh.write(scrubbed_traceback(exc))
    except OSError:
        return None
    return path


def input_files(args: list[str]) -> list[str]:
    """The command-line arguments that name existing files: what was being read."""
    found = []
    for arg in args:
        candidate = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
        try:
            if candidate != "-" and Path(candidate).is_file():
                found.append(candidate)
        except (OSError, ValueError):
            continue
    return found


def crash_message(exc: BaseException, args: list[str], command: str = "") -> str:
    files = input_files(args)
    where = f" while reading {', '.join(files)}" if files else ""
    log = write_log(exc, command or "(unknown)")
    told = (f"details are in {log}" if log is not None
            else f"no log could be written under {log_dir()}")
    return (f"dermclaim: internal error ({type(exc).__name__}){where}: this is a bug in "
            f"dermclaim, not in your file; {told} (no patient data); please report it")


class SafeGroup(click.Group):
    """The top-level group: an exception that is not click's own (nor an exit) becomes
    `crash_message` and exit status EXIT_BUG. Works for the installed script and for
    click's CliRunner alike (both call `main`)."""

    def main(self, args: Any = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        argv = list(args) if args is not None else sys.argv[1:]
        try:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        except (click.exceptions.ClickException, click.exceptions.Abort):
            raise  # only when not standalone: click shows them itself otherwise
        except Exception as exc:
            if not standalone_mode:
                raise
            click.echo(crash_message(exc, argv, command_name(self, argv)), err=True)
            sys.exit(EXIT_BUG)
