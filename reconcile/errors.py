"""Errors the reconcile package raises."""

from __future__ import annotations

import re
from functools import cache


class StoreError(Exception):
    """Base of every store / reconcile error a user can cause (bad URL, unreachable DB...)."""


# user:password@ after a scheme; an @ inside the password counts when another @ follows
# before the host part ends. Compiled on first use, not at import: every command imports
# this module, few ever quote a URL.
@cache
def _credentials() -> re.Pattern[str]:
    return re.compile(
        r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*):(?:[^\s@]|@(?=[^\s/]*@))*@")


def hide_passwords(text: str) -> str:
    """`text` with the password of every URL in it replaced by `***` (user and host kept):
    for every message and log line that may quote a store URL."""
    return _credentials().sub(r"\g<head>:***@", text)


class StoreUnusable(StoreError):
    """The store cannot take the change at all, whatever the input (exit status 2): the
    command stops, and nothing it would have written is left behind."""


class StoreReadOnly(StoreUnusable):
    """The store may only be read by this user (a read-only file, a SELECT-only role)."""


class StorePermission(StoreUnusable):
    """The store's files or folder, or the server, refuse this user."""


class StoreFull(StoreUnusable):
    """The disk (or the server's) has no room left, or fails."""


class StoreLocked(StoreUnusable):
    """Another run holds the store's lock longer than the lock timeout."""


class StoreUnreachable(StoreUnusable):
    """The server cannot be reached or did not answer in time."""
