"""The README's console examples, produced by real runs (cogapp).

Each example in README.md is a cog block calling `console(...)`: the commands run in order,
in one scratch folder that holds a link to the project's `samples/` and its own store, with
the clock fixed by the commands' own `--now`/`--as-of`, and the block's text is what they
printed. `tests/test_readme.py` runs `cog --check`, so a change in any output fails CI until
the README is regenerated:

    .venv/bin/cog -I . -r README.md

Written for cog: `console` prints through `cog.outl`; outside cog (a test) it returns text.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_STATE: dict[str, Path] = {}


def workdir() -> Path:
    """The scratch folder of this cog run: `samples` linked in, an empty `dermclaim.db` spot."""
    if "dir" not in _STATE:
        d = Path(tempfile.mkdtemp(prefix="dermclaim-readme-"))
        (d / "samples").symlink_to(ROOT / "samples")
        _STATE["dir"] = d
    return _STATE["dir"]


def reset() -> None:
    """Start again from an empty folder (a new walk-through)."""
    d = _STATE.pop("dir", None)
    if d is not None:
        shutil.rmtree(d, ignore_errors=True)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DERMCLAIM_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["DERMCLAIM_LOG_DIR"] = str(workdir() / ".logs")
    env["COLUMNS"] = "100"
    env["TZ"] = "UTC"
    return env


def run(command: str, *, head: int | None = None, stderr: bool = True,
        masks: Sequence[tuple[str, str]] = ()) -> str:
    """One command as the README shows it: `$ command`, then what it printed (stdout, and
    stderr after it unless `stderr=False`), the first `head` lines when given; `masks`
    (pattern, replacement) hide what changes with every run (a timestamp, the scratch
    folder)."""
    proc = subprocess.run(["bash", "-c", command], cwd=workdir(), env=_env(),
                          capture_output=True, text=True, timeout=300)
    out = proc.stdout + (proc.stderr if stderr else "")
    out = out.replace(str(workdir()), ".")
    for pattern, replacement in masks:
        out = re.sub(pattern, replacement, out)
    lines = out.rstrip("\n").splitlines()
    if head is not None and len(lines) > head:
        lines = lines[:head] + ["..."]
    return "\n".join([f"$ {command}", *lines]) if lines else f"$ {command}"


def console(*commands: str, head: int | None = None, stderr: bool = True,
            lang: str = "console", masks: Sequence[tuple[str, str]] = ()) -> str:
    """A fenced block of the commands' runs, emitted into the README by cog."""
    body = "\n".join(run(c, head=head, stderr=stderr, masks=masks) for c in commands)
    text = f"```{lang}\n{body}\n```"
    try:
        import cog  # type: ignore[import-not-found]

        cog.outl(text)
    except ImportError:
        pass
    return text


def quiet(command: str) -> None:
    """Run a set-up step the README does not show (it must succeed); `{root}` is the
    project's folder."""
    proc = subprocess.run(["bash", "-c", command.replace("{root}", str(ROOT))],
                          cwd=workdir(), env=_env(),
                          capture_output=True, text=True, timeout=300)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"README set-up step failed ({proc.returncode}): "
                           f"{shlex.quote(command)}\n{proc.stderr}")
