"""Errors the reconcile package raises."""

from __future__ import annotations

import re


class StoreError(Exception):
    """Base of every store / reconcile error a user can cause (bad URL, unreachable DB...)."""


# user:password@ after a scheme; an @ inside the password counts when another @ follows
# before the host part ends
_CREDENTIALS = re.compile(
    r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*):(?:[^\s@]|@(?=[^\s/]*@))*@")


def hide_passwords(text: str) -> str:
    """`text` with the password of every URL in it replaced by `***` (user and host kept):
    for every message and log line that may quote a store URL."""
    return _CREDENTIALS.sub(r"\g<head>:***@", text)
