"""CLI-level fuzz: mutated inputs through the real `dermclaim` command, one process each.

    .venv/bin/python -m benchmarks.fuzz_cli                 # 300 mutants per command
    .venv/bin/python -m benchmarks.fuzz_cli --count 50 --commands code
    .venv/bin/python -m benchmarks.fuzz_cli --db postgresql+psycopg://...   # remit/ack on PG

tests/test_fuzz.py calls the readers in-process; this drives what sits around them at the
command line (`remit load` = reader + store writes, `ack load` = ST01 sniffing + reader +
store, `code` = loader + coding engine + printing). The mutants are the ones tests/test_fuzz.py
draws (same hypothesis strategies, same seeds, derandomised), deduplicated. For every run:
exit code in {0, 1, 2}, no "Traceback" in stderr, under 10 s, and no patient value of the
seed file in stderr (the test's own leak check). Prints figures; not a timed unit test.
A failing mutant is kept under --keep (default: a temporary folder, printed) to replay.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("DERMCLAIM_FUZZ_EXAMPLES", "25")

import test_fuzz as tf  # noqa: E402  (the strategies, seeds and leak check of the test)
from hypothesis import HealthCheck, given, settings  # noqa: E402

DERMCLAIM = str(Path(sys.executable).with_name("dermclaim"))
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
LIMIT = 10.0  # seconds a run may take
KILL_AFTER = 60.0  # a run still going then is killed and counted as a hang


def draw(strategy, count: int) -> list[tuple[bytes, bytes]]:  # type: ignore[no-untyped-def]
    """`count` distinct mutants drawn by the test's strategy (derandomised)."""
    seen: dict[str, tuple[bytes, bytes]] = {}

    @settings(max_examples=count * 3, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def collect(case: tuple[bytes, bytes]) -> None:
        if len(seen) < count:
            seen.setdefault(hashlib.sha256(case[1]).hexdigest(), case)

    collect()
    return list(seen.values())


def leaks(message: str, secrets: set[str], data: bytes) -> list[str]:
    """The test's leak check, a value counted only where it stands alone and when the file
    does not also carry it as a payment's own number: the duplicate-payment line (a store
    shared by all runs of a command sees such) quotes the EFT trace number, and the public
    samples use the placeholder 123456789 both as a member id and as TRN02, or a member id
    123456789 inside the trace number 1234567890."""
    import re

    payment_numbers = set(re.findall(rb"TRN.1.([0-9A-Za-z]+)", data))
    return [s for s in tf._leaks(message, secrets)
            if s.encode() not in payment_numbers
            and re.search(rf"(?<![0-9A-Za-z]){re.escape(s)}(?![0-9A-Za-z])", message, re.I)]


def commands(names: list[str]) -> dict[str, tuple]:  # type: ignore[type-arg]
    table = {
        "remit load": (tf.x12_mutant(tf.SEEDS_835), "mutant.835", tf._secrets_x12,
                       lambda f, db: ["remit", "load", f, "--db", db]),
        "ack load": (tf.x12_mutant(tf.SEEDS_ACK), "mutant.x12", tf._secrets_x12,
                     lambda f, db: ["ack", "load", f, "--db", db]),
        "code": (tf.json_mutant(tf.SEEDS_ENCOUNTER), "mutant.json", tf._secrets_encounter,
                 lambda f, db: ["code", f, "--db", "sqlite:///nonexistent-fuzz.db"]),
    }
    return {n: table[n] for n in names}


def run_one(args: list[str], cwd: Path) -> tuple[int | None, float, float, str, str]:
    """(exit code or None when killed, wall seconds, CPU seconds, stdout, stderr). The CPU
    time is the child's own (user + system), what a busy shared machine does not inflate."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([DERMCLAIM, *args], cwd=cwd, env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=KILL_AFTER)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        code = None
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return code, wall, cpu, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def fuzz(name: str, spec: tuple, count: int, work: Path, keep: Path,  # type: ignore[type-arg]
         db: str | None) -> dict:  # type: ignore[type-arg]
    strategy, file_name, secrets_of, argv = spec
    t0 = time.perf_counter()
    mutants = draw(strategy, count)
    drawn = time.perf_counter() - t0
    folder = work / name.replace(" ", "-")
    folder.mkdir()
    url = db or f"sqlite:///{folder / 'store.db'}"
    codes: Counter[str] = Counter()
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    bad: list[dict] = []  # type: ignore[type-arg]
    for n, (seed, data) in enumerate(mutants):
        path = folder / file_name
        path.write_bytes(data)
        code, took, cpu, out, err = run_one(argv(str(path), url), folder)
        seconds.append(took)
        cpu_seconds.append(cpu)
        codes[str(code)] += 1
        said = (err + "\n" + (out if name != "code" else "")).replace(str(path), "<file>")
        problems = []
        if code not in (0, 1, 2):
            problems.append(f"exit {code}")
        if "Traceback" in err:
            problems.append("traceback")
        if took > LIMIT:
            problems.append(f"{took:.1f} s")
        leaked = leaks(said, secrets_of(seed), data)
        if leaked:
            problems.append(f"patient value in a message ({len(leaked)})")
        if problems:
            kept = keep / f"{name.replace(' ', '-')}-{n}{Path(file_name).suffix}"
            kept.write_bytes(data)
            bad.append({"mutant": str(kept), "problems": problems, "cpu_seconds": round(cpu, 2),
                        "stderr": err[-600:]})
        path.unlink()
    seconds.sort()
    cpu_seconds.sort()
    return {"command": name, "mutants": len(mutants), "draw_seconds": round(drawn, 1),
            "exit_codes": dict(sorted(codes.items())), "max_seconds": round(seconds[-1], 2),
            "p99_seconds": round(seconds[int(0.99 * (len(seconds) - 1))], 2),
            "median_seconds": round(seconds[len(seconds) // 2], 2),
            "over_10s": sum(s > LIMIT for s in seconds),
            "max_cpu_seconds": round(cpu_seconds[-1], 2),
            "p99_cpu_seconds": round(cpu_seconds[int(0.99 * (len(cpu_seconds) - 1))], 2),
            "failures": bad}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=300, help="mutants per command")
    parser.add_argument("--commands", nargs="+", default=["remit load", "ack load", "code"],
                        choices=["remit load", "ack load", "code"])
    parser.add_argument("--db", default=None,
                        help="store URL for remit/ack load (default: a fresh SQLite file)")
    parser.add_argument("--keep", type=Path, default=None, help="folder for failing mutants")
    parser.add_argument("--json", action="store_true", help="one JSON object per command")
    args = parser.parse_args(argv)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="dermclaim-fuzz-cli-") as tmp:
        keep = args.keep or Path(tempfile.mkdtemp(prefix="dermclaim-fuzz-kept-"))
        keep.mkdir(parents=True, exist_ok=True)
        for name, spec in commands(args.commands).items():
            t0 = time.perf_counter()
            figures = fuzz(name, spec, args.count, Path(tmp), keep, args.db)
            figures["wall_seconds"] = round(time.perf_counter() - t0, 1)
            failures += len(figures["failures"])
            if args.json:
                print(json.dumps(figures), flush=True)
                continue
            print(f"{name}: {figures['mutants']} mutants in {figures['wall_seconds']} s; "
                  f"exit codes {figures['exit_codes']}; per run median "
                  f"{figures['median_seconds']} s, p99 {figures['p99_seconds']} s, max "
                  f"{figures['max_seconds']} s, over 10 s: {figures['over_10s']}; CPU per run "
                  f"p99 {figures['p99_cpu_seconds']} s, max {figures['max_cpu_seconds']} s; "
                  f"failures: {len(figures['failures'])}", flush=True)
            for bad in figures["failures"][:10]:
                print(f"  {bad['mutant']}: {', '.join(bad['problems'])} "
                      f"(CPU {bad['cpu_seconds']} s)\n    "
                      + bad["stderr"].strip().replace("\n", "\n    "), flush=True)
        if not failures and args.keep is None:
            keep.rmdir()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
