"""Digests of the outputs a speed change must leave byte-identical.

    python -m benchmarks.same_output before.json 5000 50000     # on the base checkout
    python -m benchmarks.same_output after.json 5000 50000      # on the changed one
    cmp before.json after.json

Digested (sha256): `dermclaim code --json`, with and without `--practice`, of every JSON
file in samples/encounters and samples/coding (stdout, stderr, exit status); and for the
benchmark's generated encounters of each size given: the 837P text of `prepare` +
`render_interchange` with fixed control numbers and `now` (as the `code-837` task writes
it), the same through `code_batch` (the `claims` path, batch history included), and the
coded JSON of `code_batch`. Run from the checkout measured; no store is read or created.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def code_outputs() -> dict[str, Any]:
    from click.testing import CliRunner

    import dermclaim.cli.code_cmd  # noqa: F401  (registers `code`)
    from dermclaim.cli import main as cli

    runner = CliRunner()
    out: dict[str, Any] = {}
    files = [*sorted((ROOT / "samples/encounters").glob("*.json")),
             *sorted((ROOT / "samples/coding").glob("*.json"))]
    for path in files:
        for extra in ([], ["--practice", str(ROOT / "samples/practice.toml")]):
            result = runner.invoke(cli, ["code", str(path), "--json", *extra])
            if result.exception and not isinstance(result.exception, SystemExit):
                raise result.exception
            key = f"code {path.parent.name}/{path.name}{' --practice' if extra else ''}"
            out[key] = [result.exit_code, _digest(result.stdout), _digest(result.stderr)]
    return out


def claim_outputs(count: int) -> dict[str, Any]:
    from benchmarks.generate import write_encounter_files
    from benchmarks.tasks import NOW
    from coding.batch import code_batch
    from coding.encounter import load_encounters
    from coding.engine import code_encounter
    from dermclaim.cli.code_cmd import claim_to_json
    from edi.practice import load_practice
    from edi.x837p.envelope import ControlNumbers, interchange_receiver, usage_indicator
    from edi.x837p.submit import prepare
    from edi.x837p.writer import render_interchange

    practice = load_practice(ROOT / "samples/practice.toml")

    def render(coded: Sequence[Any]) -> str:
        prepared = prepare(coded, NOW)
        guides = [g for g, _ in prepared.parts]
        control = ControlNumbers(1, tuple(range(1, len(prepared.groups) + 1)),
                                 tuple(range(1, prepared.transaction_count + 1)))
        return render_interchange(
            prepared.groups, practice, control, NOW, usage=usage_indicator(guides),
            receiver=interchange_receiver(practice, prepared.groups, guides)).text

    with tempfile.TemporaryDirectory() as tmp:
        encounters = [enc for path in write_encounter_files(Path(tmp), "enc", count)
                      for enc in load_encounters(path)]
    fees = practice.fee_schedule
    text = render([code_encounter(enc, fees=fees) for enc in encounters])
    batch = code_batch(encounters, fees=fees)
    return {f"837 code-837 task {count}": [len(text), _digest(text)],
            f"837 code_batch {count}": _digest(render(batch)),
            f"code_batch json {count}": _digest(json.dumps([claim_to_json(c) for c in batch]))}


def main(argv: Sequence[str]) -> None:
    target, *sizes = argv
    os.environ["DERMCLAIM_DB"] = "sqlite:////nonexistent/dermclaim-same-output.db"
    out = code_outputs()
    for count in sizes:
        out.update(claim_outputs(int(count)))
    Path(target).write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"{len(out)} digests in {target}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
