"""The benchmark: one table of dermclaim's speed and memory at each step a billing company runs.

    .venv/bin/python -m benchmarks                       # 5,000 and 50,000 claims
    .venv/bin/python -m benchmarks --quick               # 500 claims, one run (CI-sized)
    .venv/bin/python -m benchmarks --sizes 2000 --pg postgresql+psycopg://user:pw@host/db

Every input is generated (benchmarks/generate.py, deterministic) into a temporary folder.
Every measure runs in a fresh process (benchmarks/tasks.py or the `dermclaim` command
itself), best of `--repeat` runs taken round-robin, so that a busy spell on a shared
machine slows each measure a little rather than one a lot; ratios compare measures of
the same run. Peak RSS is the process's own (wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.generate import ROOT, write_835, write_encounters

PYTHON = sys.executable
DERMCLAIM = str(Path(PYTHON).with_name("dermclaim"))
PRACTICE = str(ROOT / "samples" / "practice.toml")
SAMPLE_ENCOUNTER = str(ROOT / "samples" / "encounters" / "01-em25-biopsies.json")
# the checkout this benchmark sits in is the code measured, whatever the venv points at
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}


@dataclass
class Run:
    wall: float  # seconds, the whole process
    rss_mb: float  # peak resident set size of the process
    seconds: float | None = None  # the work alone, as the task reported it
    count: int | None = None
    stdout: str = ""


def run(cmd: Sequence[str], *, ok: Callable[[int], bool] = lambda rc: rc == 0) -> Run:
    """Run a process to its end: wall time, its own peak RSS (wait4) and its report."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                cwd=ROOT, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
    if not ok(proc.returncode):
        raise SystemExit(f"benchmark step failed ({' '.join(cmd)}):\n{errors[-2000:]}")
    result = Run(wall, usage.ru_maxrss / 1024, stdout=text)  # ru_maxrss is KiB on Linux
    last = text.strip().splitlines()[-1] if text.strip() else ""
    if last.startswith("{"):
        report = json.loads(last)
        result.seconds, result.count = report["seconds"], report["count"]
    return result


def task(name: str, *args: str) -> list[str]:
    return [PYTHON, "-m", "benchmarks.tasks", name, *args]


@dataclass
class Best:
    """The best (fastest) of the runs of one measure; memory is the largest seen."""
    runs: list[Run] = field(default_factory=list)

    def add(self, r: Run) -> None:
        self.runs.append(r)

    @property
    def wall(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def seconds(self) -> float:
        return min(r.seconds for r in self.runs if r.seconds is not None)

    @property
    def rss(self) -> float:
        return max(r.rss_mb for r in self.runs)


def _installed(module: str) -> bool:
    out = subprocess.run([PYTHON, "-c", f"import {module}"], capture_output=True)
    return out.returncode == 0


class Bench:
    def __init__(self, tmp: Path, args: argparse.Namespace):
        self.tmp, self.args = tmp, args
        self.cells: dict[tuple[str, int], str] = {}
        self.rows: list[str] = []
        self.notes: list[str] = []

    def put(self, row: str, size: int, text: str) -> None:
        if row not in self.rows:
            self.rows.append(row)
        self.cells[(row, size)] = text

    # ---------------------------------------------------------------- measures
    def size(self, n: int) -> None:
        args = self.args
        remit = self.tmp / f"remit-{n}.835"
        mb = write_835(remit, n) / 1e6
        enc = self.tmp / f"encounters-{n}.json"
        write_encounters(enc, n)
        validate = n <= args.validate_max
        m: dict[str, Best] = {k: Best() for k in (
            "floor", "parse", "load", "pg", "code", "code837", "claims", "pyx12")}
        for r in range(args.repeat):
            m["floor"].add(run(task("floor", str(remit))))
            m["parse"].add(run(task("parse", str(remit))))
            m["load"].add(run([DERMCLAIM, "remit", "load", str(remit), "--db",
                               f"sqlite:///{self.tmp}/load-{n}-{r}.db"]))
            if args.pg:
                m["pg"].add(self._pg_load(remit))
            m["code"].add(run(task("code", str(enc))))
            m["code837"].add(run(task("code-837", str(enc), PRACTICE)))
            if validate:
                out = self.tmp / f"claims-{n}-{r}.837"
                m["claims"].add(run([DERMCLAIM, "claims", str(enc), "--practice", PRACTICE,
                                     "-o", str(out), "--now", "2026-03-31T12:00:00",
                                     "--db", f"sqlite:///{self.tmp}/claims-{n}-{r}.db"],
                                    ok=lambda rc: rc in (0, 1)))
                m["pyx12"].add(run(task("pyx12-validate", str(out))))
        lines = _count_lines(remit)
        floor = m["floor"].seconds
        self.put("835 file: MB (claims / service lines)", n, f"{mb:.1f} ({n:,}/{lines:,})")
        self.put("1 read + split floor: s (MB/s)", n, f"{floor:.3f} ({mb / floor:.0f})")
        parse = m["parse"].seconds
        self.put("1 typed 835 parse: MB/s (x floor)", n, f"{mb / parse:.1f} ({parse / floor:.1f}x)")
        self.put("1 typed 835 parse: peak RSS MB", n, f"{m['parse'].rss:.0f}")
        load = m["load"].wall
        self.put("2 remit load SQLite, whole command: s", n, f"{load:.2f}")
        self.put("2   claims/s, lines/s", n, f"{n / load:,.0f}, {lines / load:,.0f}")
        self.put("2   x floor; peak RSS MB", n, f"{load / floor:.1f}x; {m['load'].rss:.0f}")
        if args.pg:
            pg = m["pg"].wall
            self.put("2 remit load PostgreSQL: s (x SQLite)", n, f"{pg:.2f} ({pg / load:.2f}x)")
            self.put("2   claims/s; peak RSS MB", n, f"{n / pg:,.0f}; {m['pg'].rss:.0f}")
        self.put("3 coding alone: encounters/s", n, f"{n / m['code'].seconds:,.0f}")
        self.put("3 coding + 837P writing, no validation: enc/s", n,
                 f"{n / m['code837'].seconds:,.0f}")
        if validate:
            claims, pyx12 = m["claims"].wall, m["pyx12"].wall
            self.put("4 claims end to end (validated, recorded): s", n, f"{claims:.2f}")
            self.put("4 pyx12 alone validating that 837P: s", n, f"{pyx12:.2f}")
            self.put("4   claims / pyx12 alone", n, f"{claims / pyx12:.2f}x")
            self.put("4   claims: peak RSS MB (largest process)", n, f"{m['claims'].rss:.0f}")
        else:
            self.put("4 claims end to end (validated, recorded): s", n,
                     f"(> --validate-max {args.validate_max:,})")

    def _pg_load(self, remit: Path) -> Run:
        import sqlalchemy as sa

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(self.args.pg)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in self.args.pg else "?"
        try:
            return run([DERMCLAIM, "remit", "load", str(remit), "--db",
                        f"{self.args.pg}{sep}options=-csearch_path%3D{schema}"])
        finally:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()

    def start_up(self, n: int) -> None:
        """Row 5: one encounter coded by the whole command, against an empty interpreter
        and against `dermclaim --help` (same table column: these do not depend on size)."""
        best = {k: Best() for k in ("pass", "help", "code")}
        for _ in range(max(self.args.repeat, 3)):
            best["pass"].add(run([PYTHON, "-c", "pass"]))
            best["help"].add(run([DERMCLAIM, "--help"]))
            best["code"].add(run([DERMCLAIM, "code", SAMPLE_ENCOUNTER]))
        p, h, c = best["pass"].wall, best["help"].wall, best["code"].wall
        self.put("5 python -c pass: s", n, f"{p:.3f}")
        self.put("5 dermclaim --help: s (x python)", n, f"{h:.3f} ({h / p:.1f}x)")
        self.put("5 dermclaim code (1 encounter): s (x --help)", n, f"{c:.3f} ({c / h:.1f}x)")
        self.put("5   peak RSS MB (code)", n, f"{best['code'].rss:.0f}")

    def peers(self, n: int) -> None:
        """Row 6: other readers on the same 835, when installed (the `bench` extra)."""
        remit = self.tmp / f"remit-{n}.835"
        mb = remit.stat().st_size / 1e6
        ours = Best()
        peers = {"pyx12-reader": ("pyx12", "pyx12's X12ContextReader"),
                 "edi-835-parser": ("edi_835_parser", "edi-835-parser")}
        found = {k: Best() for k, (module, _) in peers.items() if _installed(module)}
        for _ in range(self.args.peer_repeat):
            ours.add(run(task("parse", str(remit))))
            for k, best in found.items():
                best.add(run(task(k, str(remit))))
        self.put("6 dermclaim typed parse, whole process: MB/s", n, f"{mb / ours.wall:.2f}")
        for k, (_, label) in peers.items():
            if k in found:
                w = found[k].wall
                self.put(f"6 {label}: MB/s (our speed-up)", n,
                         f"{mb / w:.2f} ({w / ours.wall:.0f}x)")
            else:
                self.put(f"6 {label}: MB/s (our speed-up)", n,
                         "not installed (pip install -e '.[bench]')")

    # ---------------------------------------------------------------- output
    def table(self, sizes: Sequence[int]) -> str:
        heads = ["measure", *(f"{n:,} claims" for n in sizes)]
        body = [[row, *(self.cells.get((row, n), "") for n in sizes)] for row in self.rows]
        widths = [max(len(r[i]) for r in [heads, *body]) for i in range(len(heads))]
        fmt = "| " + " | ".join(f"{{:{'<' if i == 0 else '>'}{w}}}"
                                for i, w in enumerate(widths)) + " |"
        out = [fmt.format(*heads), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        out += [fmt.format(*r) for r in body]
        return "\n".join(out)


def _count_lines(path: Path) -> int:
    return path.read_bytes().count(b"SVC*")


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="5000,50000",
                    help="claims (and encounters) per input, comma separated")
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs of each measure")
    ap.add_argument("--quick", action="store_true", help="500 claims, one run (for CI)")
    ap.add_argument("--pg", metavar="URL", default=os.environ.get("DERMCLAIM_BENCH_PG_URL"),
                    help="also load into PostgreSQL (a schema per run, dropped after)")
    ap.add_argument("--validate-max", type=int, default=5000,
                    help="largest size at which `claims` and pyx12 validation run")
    ap.add_argument("--peer-repeat", type=int, default=1, help="runs of the peer readers")
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "500", 1
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dermclaim-bench-") as tmp:
        bench = Bench(Path(tmp), args)
        for n in sizes:
            print(f"measuring {n:,} claims ...", file=sys.stderr, flush=True)
            bench.size(n)
        bench.start_up(sizes[0])
        peer_size = min(sizes, key=lambda s: abs(s - 5000))
        if not args.no_peers:
            print("measuring peer readers ...", file=sys.stderr, flush=True)
            bench.peers(peer_size)
        print(bench.table(sizes))
    print(f"\nbest of {args.repeat} run(s); {os.cpu_count()} cores; "
          f"{time.perf_counter() - started:.0f} s in all", file=sys.stderr)


if __name__ == "__main__":
    main()
