"""What every command shares: turning library errors into one clear message and exit code.

A user never sees a traceback: every error a user can cause is one of the packages' base
exceptions (CodingError, EdiError, StoreError, GuideError) or an OSError on a file, and
`user_errors` turns it into a message on stderr and a non-zero exit.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from coding.errors import CodingError, EncounterError
from companion_guides import GuideError
from dermclaim.cli._exits import EXIT_BAD_INPUT, EXIT_FINDINGS
from edi.errors import EdiError
from reconcile.errors import StoreError, StoreUnusable, hide_passwords


class CliError(click.ClickException):
    """A user-facing failure with its own exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FINDINGS):
        super().__init__(message)
        # click reads exit_code from the instance; ClickException declares it on the class
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        # a message may quote a store URL: never its password
        click.echo(f"dermclaim: error: {hide_passwords(self.format_message())}", err=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Map the packages' exceptions to CliError; anything else is a bug and propagates."""
    try:
        yield
    except EncounterError as exc:
        raise CliError(str(exc), EXIT_BAD_INPUT) from None
    except (CodingError, GuideError, EdiError) as exc:
        raise CliError(str(exc), EXIT_BAD_INPUT) from None
    except StoreUnusable as exc:  # read-only, permission, full, locked, unreachable
        raise CliError(str(exc), EXIT_BAD_INPUT) from None
    except StoreError as exc:
        raise CliError(str(exc), EXIT_FINDINGS) from None
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        raise CliError(f"{where}{exc.strerror or exc}", EXIT_BAD_INPUT) from None


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def is_tty() -> bool:
    return sys.stdout.isatty()


def reading_store(db: str | None) -> None:
    """For a command that only reads the store: open it without creating it, so that a
    wrong --db or folder says "no store at ..." instead of showing an empty new store."""
    from dermclaim.cli._io import open_store

    open_store(db, create=False)


DB_OPTION = click.option("--db", "db", metavar="URL", default=None,
                         help="Store URL (default: $DERMCLAIM_DB, else sqlite:///dermclaim.db).")


def require_store(db: str | None) -> None:
    """A command that only reads the store says so when there is none (never creates one):
    an SQLite file missing, or a PostgreSQL schema without dermclaim's tables."""
    reading_store(db)
