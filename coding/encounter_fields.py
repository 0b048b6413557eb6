"""Typed field readers for the encounter loader: each collects problems with their path.

A `Fields` wraps one JSON object and the path that leads to it (`patient.address`,
`procedures[2]`, `[3].patient` in an array file). Every getter returns the value or None
and records a (path, message) problem instead of raising, so one run reports every bad
field. Messages describe the expected value, never echo patient data (names, ids, dates
of birth): only the claim id and code-like values appear in messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

__all__ = ["Fields", "Problems", "join", "kind"]

Problems = list[tuple[str, str]]

_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """Compiled once: `re.fullmatch(text, ...)` looks its cache up on every field read."""
    return re.compile(pattern)


@cache
def _names(allowed: tuple[str, ...]) -> frozenset[str]:
    """The field names of a reader (a handful of tuples): built once, not per object."""
    return frozenset(allowed)


def join(base: str, key: str | int) -> str:
    """Path of a child: join('procedures', 2) → 'procedures[2]'; join('', 'x') → 'x'."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


def kind(value: Any) -> str:
    """A JSON type name for messages ('text', 'a number', …) without echoing the value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, Decimal, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class Fields:
    """One JSON object under validation."""

    def __init__(self, data: dict[str, Any], path: str, problems: Problems):
        self.data = data
        self.path = path
        self.problems = problems

    # ---------------------------------------------------------------- helpers
    def at(self, key: str | int) -> str:
        return join(self.path, key)

    def problem(self, key: str | int | None, message: str) -> None:
        self.problems.append((self.at(key) if key is not None else self.path, message))

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            self.problem(key, "missing (required)")
        return value

    def only(self, allowed: Iterable[str], why: str = "") -> None:
        """Report keys outside `allowed` (typos would otherwise be silently ignored)."""
        names = _names(allowed) if isinstance(allowed, tuple) else frozenset(allowed)
        if names.issuperset(self.data):
            return
        for key in self.data:
            if key not in names:
                self.problem(key, f"unknown field{why}")

    # ---------------------------------------------------------------- getters
    def obj(self, key: str, required: bool = True) -> Fields | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(key, f"must be an object, got {kind(value)}")
            return None
        return Fields(value, self.at(key), self.problems)

    def text(
        self,
        key: str,
        required: bool = True,
        pattern: str | None = None,
        expect: str = "",
        max_len: int = 60,
        upper: bool = False,
    ) -> str | None:
        value = self.data.get(key)  # _get inlined: the loader's most frequent call
        if value is None:
            if required:
                self.problem(key, "missing (required)")
            return None
        if not isinstance(value, str):
            self.problem(key, f"must be text, got {kind(value)}")
            return None
        value = value.strip().upper() if upper else value.strip()
        if not value:
            self.problem(key, "must not be empty")
            return None
        if pattern is not None and not _pattern(pattern).fullmatch(value):
            self.problem(key, f"must be {expect}")
            return None
        if len(value) > max_len:
            self.problem(key, f"must be at most {max_len} characters")
            return None
        return value

    def choice(
        self, key: str, options: Sequence[str], required: bool = True, default: str | None = None
    ) -> str | None:
        value = self.data.get(key)  # _get inlined
        if value is None:
            if required and default is None:
                self.problem(key, "missing (required)")
            return default
        if not isinstance(value, str) or value not in options:
            shown = repr(value) if isinstance(value, (str, int)) else kind(value)
            self.problem(key, f"must be one of {', '.join(options)}; got {shown}")
            return None
        return value

    def boolean(
        self, key: str, required: bool = False, default: bool | None = False
    ) -> bool | None:
        value = self.data.get(key)  # _get inlined
        if value is None:
            if required:
                self.problem(key, "missing (required)")
            return default
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, got {kind(value)}")
            return None
        return value

    def integer(self, key: str, minimum: int = 0, required: bool = True) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        return self.check_int(key, value, minimum)

    def check_int(self, key: str | int, value: Any, minimum: int) -> int | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = int(value)  # 3.0 is a whole number
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"must be a whole number >= {minimum}, got {kind(value)}")
            return None
        if value < minimum:
            self.problem(key, f"must be a whole number >= {minimum}, got {value}")
            return None
        return value

    def decimal(
        self, key: str, minimum: Decimal = Decimal(0), strict: bool = True, required: bool = True,
        maximum: Decimal = Decimal(1000),
    ) -> Decimal | None:
        """A number (JSON number or decimal text such as "0.5") above (strict) or at least
        `minimum`. Floats never appear: the loader parses JSON numbers as Decimal."""
        value = self._get(key, required)
        if value is None:
            return None
        bound = f"> {minimum}" if strict else f">= {minimum}"
        if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
            value = Decimal(value.strip())
        elif isinstance(value, float):  # a caller's own json.loads: keep the digits as written
            value = Decimal(repr(value))
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.problem(key, f"must be a number {bound}, got {kind(value)}")
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - int/Decimal always convert
            self.problem(key, f"must be a number {bound}")
            return None
        if not number.is_finite() or (number <= minimum if strict else number < minimum):
            self.problem(key, f"must be a number {bound}, got {number}")
            return None
        if number > maximum:
            self.problem(key, f"must be at most {maximum}, got {number}")
            return None
        return number

    def day(self, key: str, required: bool = True) -> date | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
            self.problem(key, f"must be a date YYYY-MM-DD, got {kind(value)}")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(key, "must be a real calendar date (YYYY-MM-DD)")
            return None

    def items(self, key: str, required: bool = True, nonempty: bool = True) -> list[Any] | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, list):
            self.problem(key, f"must be a list, got {kind(value)}")
            return None
        if nonempty and not value:
            self.problem(key, "must not be empty")
            return None
        return value
