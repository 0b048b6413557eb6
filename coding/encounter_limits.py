"""Bounds on an encounter file, checked before and right after JSON decoding.

A file that is huge, nested thousands of levels deep (Python's decoder then fails with a
RecursionError), or holds 100,000 procedures is not an encounter a practice wrote: it is
refused with the file and the path, as every other loader error, instead of crashing or
running for minutes. The limits sit far above any real visit (an 837P claim carries at
most 50 lines and 12 diagnoses); the coding engine holds an encounter with more
procedures than it bills (that is a finding, not a file error).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from coding.encounter_fields import Problems, join

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 16  # an encounter is 5 levels deep: [i].procedures[j].lesions[k].size_cm
MAX_ENCOUNTERS = 5000  # per file (a practice's batch, not a data dump)
MAX_ITEMS = 1000  # in any other array (procedures, diagnoses, lesions...)
MAX_TEXT = 10_000  # characters in one string (notes included)
MAX_DIGITS = 15  # digits before the decimal point of any number

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def check_size(size: int) -> Problems:
    if size > MAX_FILE_BYTES:
        return [("", f"the file is {size:,} bytes, at most {MAX_FILE_BYTES:,} (an encounter "
                     "file holds a batch of visits, not a data dump)")]
    return []


def too_deep(text: str) -> Problems:
    """Where the nesting first passes MAX_DEPTH (line and column), for text the decoder
    could not take (RecursionError)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - text.rfind("\n", 0, match.start())
                return [("", f"nested more than {MAX_DEPTH} levels deep (at line {line} "
                             f"column {column})")]
        elif token in "]}":
            depth -= 1
    return [("", f"nested more than {MAX_DEPTH} levels deep")]


def check_decoded(data: Any) -> Problems:
    """Depth, array sizes, string lengths and number sizes of decoded JSON, each problem
    with its path (`procedures: 100000 items, at most 1000`). Iterative: no recursion.
    A value's path is written only when it has a problem: each entry of the walk keeps
    its parent's entry and its key (building 70,000 path strings was most of the cost).
    A file within every bound (all but a broken one) is known so by `_within_bounds`, a
    walk that keeps no path at all; only a file with a problem is walked again for paths."""
    if isinstance(data, (dict, list)) and _within_bounds(data):
        return []
    return _problems(data)


def _problems(data: Any) -> Problems:
    """The walk of `check_decoded` that names each problem's path."""
    problems: Problems = []
    # (value, where, depth); where = (parent's where, key) or None at the top
    stack: list[tuple[Any, Any, int]] = [(data, None, 0)]
    while stack and len(problems) < 20:
        value, where, depth = stack.pop()
        if isinstance(value, dict):
            if depth >= MAX_DEPTH:
                problems.append((_path(where), f"nested more than {MAX_DEPTH} levels deep"))
                continue
            stack.extend([(v, (where, str(k)), depth + 1) for k, v in value.items()])
        elif isinstance(value, list):
            if depth >= MAX_DEPTH:
                problems.append((_path(where), f"nested more than {MAX_DEPTH} levels deep"))
                continue
            limit = MAX_ENCOUNTERS if depth == 0 else MAX_ITEMS
            if len(value) > limit:
                what = "encounters" if depth == 0 else "items"
                problems.append((_path(where), f"{len(value):,} {what}, at most {limit:,}"))
                continue
            stack.extend([(v, (where, i), depth + 1) for i, v in enumerate(value)])
        elif isinstance(value, str):
            if len(value) > MAX_TEXT:
                problems.append((_path(where), f"text of {len(value):,} characters, at most "
                                               f"{MAX_TEXT:,}"))
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            if _too_big(value):
                problems.append((_path(where), f"a number with more than {MAX_DIGITS} digits "
                                               "before the decimal point"))
    problems.sort(key=lambda p: p[0])
    return problems


def _within_bounds(data: dict[str, Any] | list[Any]) -> bool:
    """True when `check_decoded` finds nothing in `data`: the same bounds, checked on each
    container's items in place (a scalar is never put on the stack) and with no path kept."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return False
        if isinstance(value, dict):
            items = value.values()
        elif len(value) > (MAX_ENCOUNTERS if depth == 0 else MAX_ITEMS):
            return False
        else:
            items = value
        depth += 1
        for item in items:
            kind = type(item)
            if kind is str:
                if len(item) > MAX_TEXT:
                    return False
            elif kind is dict or kind is list:
                stack.append((item, depth))
            elif kind is bool or item is None:
                continue
            elif kind is int or kind is Decimal:
                if _too_big(item):
                    return False
            else:  # a subclass or another type: the full walk decides
                return False
    return True


def _path(where: Any) -> str:
    """The path of a walk entry (see `check_decoded`): 'procedures[2].site'."""
    keys: list[str | int] = []
    while where is not None:
        where, key = where
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path = join(path, key)
    return path


def _too_big(value: int | Decimal) -> bool:
    if isinstance(value, int):
        return abs(value) >= 10**MAX_DIGITS
    return not value.is_finite() or (value != 0 and value.adjusted() >= MAX_DIGITS)
