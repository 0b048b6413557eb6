"""Streams and the store, the same way for every command.

- `-` as a FILE argument is standard input: `stdin_inputs` copies it once into a private
  temporary file named `<stdin>` (the libraries read paths) and `shown` puts the name
  `<stdin>` back into every message, so no temporary path ever reaches the user.
- `-` as a single-file `-o` is standard output (`is_stdout`); a command that writes several
  files refuses it with `refuse_dash`.
- `open_store` opens the store before the work: a store that cannot be used (no store for a
  reading command, a bad URL, a folder that does not exist) is exit 2, and a store created
  by this run is named on stderr (its path, or its URL without the password).
- `EXIT_EPILOG` is the exit-code table every `--help` ends with.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from dermclaim.cli._common import EXIT_BAD_INPUT, CliError
from dermclaim.cli._exits import EXIT_EPILOG

__all__ = ["EXIT_EPILOG", "STDIN", "STDOUT", "check_store_url", "display_name",
           "guide_options", "is_stdout", "open_store", "pick_guide", "refuse_dash", "shown",
           "stdin_inputs"]

STDIN = "<stdin>"
STDOUT = "<stdout>"
DASH = "-"



F = TypeVar("F", bound=Callable[..., Any])

_ALIASES: dict[str, str] = {}  # temporary path -> the name the user knows it by


def shown(text: str) -> str:
    """`text` with every temporary stand-in for stdin named `<stdin>`."""
    for tmp, name in _ALIASES.items():
        text = text.replace(tmp, name)
    return text


def display_name(arg: str | Path) -> str:
    """The name of a FILE argument in messages: `<stdin>` for `-`."""
    return STDIN if str(arg) == DASH else str(arg)


def is_stdout(path: str | Path | None) -> bool:
    return path is not None and str(path) == DASH


def refuse_dash(option: str, value: str | Path | None, what: str) -> None:
    """A command that writes several files cannot write them to stdout: say so (exit 2)."""
    if value is not None and str(value) == DASH:
        raise CliError(f"{option} -: {what} are several files and cannot go to stdout; "
                       "name a folder", EXIT_BAD_INPUT)


@contextmanager
def stdin_inputs(paths: Sequence[str | Path | None]) -> Iterator[list[Path | None]]:
    """The FILE arguments as paths, `-` replaced by a temporary copy of stdin (at most one
    `-`: stdin can be read once). Messages raised inside name it `<stdin>`."""
    dashes = sum(1 for p in paths if p is not None and str(p) == DASH)
    if dashes > 1:
        raise CliError("only one FILE can be '-': standard input is read once",
                       EXIT_BAD_INPUT)
    if not dashes:
        try:
            yield [None if p is None else Path(p) for p in paths]
        except CliError as exc:
            raise CliError(shown(exc.message), exc.exit_code) from None
        return
    import shutil  # only for stdin: a file argument never pays for these imports
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="dermclaim-stdin-"))
    copy = folder / STDIN
    try:
        with copy.open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out)
        _ALIASES[str(copy.resolve())] = STDIN
        _ALIASES[str(copy)] = STDIN
        try:
            yield [None if p is None else copy if str(p) == DASH else Path(p) for p in paths]
        except CliError as exc:
            raise CliError(shown(exc.message), exc.exit_code) from None
    finally:
        _ALIASES.pop(str(copy), None)
        _ALIASES.pop(str(copy.resolve()), None)
        shutil.rmtree(folder, ignore_errors=True)


def safe_url(url: str) -> str:
    """The store's URL without its password (the path for an SQLite file)."""
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url)
    except Exception:  # a URL SQLAlchemy cannot parse: show its scheme only
        return url.split(":", 1)[0] + ":..."
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return str(Path(u.database).resolve())
    return u.render_as_string(hide_password=True)


def check_store_url(db: str | None) -> None:
    """A store URL dermclaim cannot use is exit 2 before any work (nothing is opened)."""
    from reconcile.errors import StoreError
    from reconcile.store.database import check_url, resolve_url

    try:
        check_url(resolve_url(db))
    except StoreError as exc:
        raise CliError(str(exc), EXIT_BAD_INPUT) from None


def open_store(db: str | None, *, create: bool) -> None:
    """Open the store before the work. A store that cannot be used is exit 2 (a reading
    command given no store, a bad URL, a missing folder); a store this run creates is named
    on stderr once."""
    from reconcile.errors import StoreError
    from reconcile.store.database import NoStore, get_engine, resolve_url

    try:
        try:
            get_engine(db, create=False)
            return
        except NoStore as exc:
            if not create:
                raise CliError(_full_path(str(exc), db), EXIT_BAD_INPUT) from None
        get_engine(db, create=True)
    except StoreError as exc:
        raise CliError(str(exc), EXIT_BAD_INPUT) from None
    click.echo(f"dermclaim: created a new store: {safe_url(resolve_url(db))}", err=True)


def _full_path(message: str, db: str | None) -> str:
    """A message about the default store names it by its full path (the folder matters)."""
    from reconcile.store.database import check_url, resolve_url

    try:
        path = check_url(resolve_url(db))
    except Exception:  # the message stays as it was
        return message
    if path is None or path.is_absolute():
        return message
    return message.replace(f" {path}", f" {path.resolve()}", 1)


def guide_options(what: str) -> Callable[[F], F]:
    """`--guide NAME` (the companion guide to use, overriding the files' payer) and the old
    `--payer` spelling kept as a hidden alias that warns: a report's `--payer` filters, this
    one overrides, and one word must not mean both."""
    def wrap(f: F) -> F:
        f = click.option("--payer", "payer_alias", metavar="NAME", default=None, hidden=True,
                         help="Deprecated spelling of --guide.")(f)
        return click.option("--guide", "guide", metavar="NAME", default=None,
                            help=f"Companion guide for {what} (overrides the file's payer), "
                                 "e.g. medicare or commercial.")(f)
    return wrap


def pick_guide(guide: str | None, payer_alias: str | None) -> str | None:
    """The guide asked for (a known guide name, any case), from --guide or the old --payer."""
    if guide is None and payer_alias is None:
        return None  # the files' own payers: nothing to check (nor to import)
    from dermclaim.cli._filters import guide_names, known

    def checked(option: str, value: str | None) -> str | None:
        if value is not None and (value.endswith(".toml") or "/" in value):
            return value  # a guide file of your own: read (and checked) as the guide
        return known(option, value, guide_names())

    if payer_alias is None:
        return checked("--guide", guide)
    click.echo("dermclaim: warning: --payer here is deprecated, use --guide (--payer filters "
               "reports; --guide chooses the companion guide)", err=True)
    if guide is not None and guide != payer_alias:
        raise CliError(f"--guide {guide!r} and --payer {payer_alias!r} disagree: give --guide "
                       "only", EXIT_BAD_INPUT)
    return checked("--payer", payer_alias)
