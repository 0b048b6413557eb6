"""Errors the reconcile package raises."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store / reconcile error a user can cause (bad URL, unreachable DB...)."""
