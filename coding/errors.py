"""Errors the coding package raises. Each names the file and the field that is wrong."""

from __future__ import annotations


class CodingError(Exception):
    """Base of every error a user can cause in the coding package."""


class EncounterError(CodingError):
    """An encounter file that cannot be read as an encounter.

    Carries every problem found (not only the first), each as (path, message), e.g.
    ("procedures[2].margin_cm", "must be a number >= 0").
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = [f"{source}: {path}: {msg}" if path else f"{source}: {msg}"
                 for path, msg in problems]
        super().__init__("\n".join(lines))
