"""One measured piece of work, run in its own process by `python -m benchmarks`.

    python -m benchmarks.tasks TASK FILE...        (code-837: PRACTICE FILE...)

Prints one JSON object: {"seconds": the work alone (imports excluded), "count": what it
produced}. The parent reads the process's peak RSS and wall time from the OS, so each task
gets a fresh interpreter: no warm caches from another measure, and memory is the task's own.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)  # after every generated date of service


Work = Callable[[], int]


def floor(path: str) -> Work:
    """What any Python reader of X12 pays at least: read the file in 1 MB chunks, split it
    into segments on the terminator and each segment into elements."""
    return lambda: _floor(path)


def _floor(path: str) -> int:
    segments = 0
    with open(path, encoding="utf-8", newline="") as stream:
        rest = ""
        while chunk := stream.read(1 << 20):
            parts = (rest + chunk).split("~")
            rest = parts.pop()
            for part in parts:
                part.split("*")
            segments += len(parts)
    return segments


def parse(path: str) -> Work:
    """The typed 835 model, every item of the stream consumed."""
    from edi.x835.model import ClaimPayment
    from edi.x835.reader import iter_835_path

    return lambda: sum(1 for item in iter_835_path(path) if isinstance(item, ClaimPayment))


def _encounters(paths: tuple[str, ...]) -> Iterator[Any]:
    from coding.encounter import load_encounters

    for path in paths:
        yield from load_encounters(path)


def _warm_up() -> None:
    """One-off set-up every coding process pays once (imports, code tables, the ICD-10-CM
    lookup), shown by the `dermclaim code` row rather than in encounters/s."""
    import edi.x837p.submit  # noqa: F401
    import edi.x837p.writer  # noqa: F401
    from coding.validation import icd10_problem

    icd10_problem("L570")


def code(*paths: str) -> Work:
    """Load and code every encounter (what `dermclaim code` does per file)."""
    from coding.engine import code_encounter

    _warm_up()
    return lambda: sum(1 for enc in _encounters(paths) if code_encounter(enc).lines)


def code_837(practice_path: str, *paths: str) -> Work:
    """Load, code, hold/split/group and render the 837P text, without validation or store:
    the work `dermclaim claims` does besides pyx12 and the record."""
    from edi.practice import load_practice

    _warm_up()
    practice = load_practice(practice_path)
    return lambda: _code_837(paths, practice)


def _code_837(paths: tuple[str, ...], practice: Any) -> int:
    from coding.engine import code_encounter
    from edi.x837p.envelope import ControlNumbers, interchange_receiver, usage_indicator
    from edi.x837p.submit import prepare
    from edi.x837p.writer import render_interchange

    coded = [code_encounter(enc, fees=practice.fee_schedule) for enc in _encounters(paths)]
    prepared = prepare(coded, NOW)
    guides = [g for g, _ in prepared.parts]
    transactions = prepared.transaction_count
    control = ControlNumbers(1, tuple(range(1, len(prepared.groups) + 1)),
                             tuple(range(1, transactions + 1)))
    rendered = render_interchange(prepared.groups, practice, control, NOW,
                                  receiver=interchange_receiver(practice, prepared.groups,
                                                                guides),
                                  usage=usage_indicator(guides))
    return len(rendered.claims)


def pyx12_validate(path: str) -> Work:
    """pyx12 alone validating a file in one process, as its own x12valid command does."""
    import logging


    logging.getLogger("pyx12").propagate = False
    return lambda: _pyx12_validate(path)


def _pyx12_validate(path: str) -> int:
    import pyx12.params
    import pyx12.x12n_document

    with open(path, encoding="ascii", newline="") as fd:
        ok = pyx12.x12n_document.x12n_document(param=pyx12.params.params(), src_file=fd,
                                               fd_997=None, fd_html=None, fd_json=io.StringIO())
    return int(bool(ok))


def pyx12_reader(path: str) -> Work:
    """pyx12's X12ContextReader walking every segment of an 835 into its map (its reader)."""

    return lambda: _pyx12_reader(path)


def _pyx12_reader(path: str) -> int:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    errh = pyx12.error_handler.err_handler()
    with open(path, encoding="ascii", newline="") as fd:
        reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), errh, fd)
        return sum(1 for _ in reader.iter_segments())


def edi_835_parser(path: str) -> Work:
    """edi-835-parser (PyPI) reading the 835 into its transaction sets."""
    from edi_835_parser import parse as parse_835  # type: ignore[import-not-found]

    def work() -> int:
        parsed = parse_835(path)
        return sum(len(t.claims) for t in getattr(parsed, "transaction_sets", [parsed]))
    return work


TASKS: dict[str, Callable[..., Work]] = {
    "floor": floor, "parse": parse, "code": code, "code-837": code_837,
    "pyx12-validate": pyx12_validate, "pyx12-reader": pyx12_reader,
    "edi-835-parser": edi_835_parser,
}


def main(argv: list[str]) -> None:
    task, *args = argv
    work = TASKS[task](*args)  # imports and set-up, not timed
    started = time.perf_counter()
    count = work()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "count": count}))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(sys.argv[1:])
