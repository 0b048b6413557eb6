"""The benchmark: one table of dermclaim's speed and memory at each step a billing company runs.

    .venv/bin/python -m benchmarks                       # 5,000 and 50,000 claims
    .venv/bin/python -m benchmarks --quick               # CI: small sizes, exit 1 on a regression
    .venv/bin/python -m benchmarks --sizes 2000 --pg postgresql+psycopg://user:pw@host/db

Every input is generated (benchmarks/generate.py, deterministic) into a temporary folder.
Every measure runs in a fresh process (benchmarks/tasks.py or the `dermclaim` command
itself), best of `--repeat` runs taken round-robin, so that a busy spell on a shared
machine slows each measure a little rather than one a lot; ratios compare measures of
the same run. Peak RSS is the process's own (wait4).

Before measuring, the checkout's modules are compiled to bytecode (`compileall`), as any
installed program's are: with PYTHONDONTWRITEBYTECODE set, every process would otherwise
compile every module from source and the start-up rows would measure the compiler.

`--quick` (CI) measures two small sizes and checks the RATIOS of `GUARDS` against their
regression lines (twice the target, or the growth of a per-item cost between the two
sizes): a step that turns quadratic, a model that doubles its cost, a command that imports
what it does not need fails CI, whatever the machine's speed. A ratio over its line is
measured again (best of more runs) before it counts, so a busy spell does not fail CI.
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

QUICK_SIZES = "1000,5000"  # --quick: two sizes 5x apart, so growth shows
QUICK_CLAIMS = 1000  # --quick: `claims` and pyx12 at the smaller size only
ROOT = Path(__file__).resolve().parent.parent
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
        result.seconds, result.count = report.get("seconds"), report.get("count")
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


@dataclass(frozen=True)
class Guard:
    """A ratio `--quick` checks: `key` in `Bench.values`, its target and regression line."""
    key: str
    label: str
    target: float
    line: float  # CI fails above it (about twice the target)


# Lines: twice the target where the target is met; where it is not (yet), about twice the
# value measured when the guard was set (issue 24, this 2-core machine, busy), so CI fails
# on a regression, not on the gap to the target (issue 24's closing note has the figures).
GUARDS = (
    # measured 5.0-7.5 (5,000 claims): a model twice as costly to build passes 12
    Guard("parse_x_floor", "typed 835 parse, x read+split floor", 3.0, 12.0),
    # measured 57-62 (5,000 claims) with the overturn search of before issue 18; 30.5 in
    # --quick after issue 24c (queries led by their indexes, rows as tuples, fewer GC
    # passes; 55-89 from 5,000 to 50,000 claims, busy); the quadratic overturn search
    # fixed in c8b37b3 (207.7 s for 5,000 claims) was ~5,000x
    Guard("load_marginal_x_floor", "remit load per claim beyond start-up, x floor", 10.0,
          80.0),
    Guard("parse_growth", "parse time per claim, large / small size", 1.0, 2.0),
    Guard("code_growth", "coding time per encounter, large / small size", 1.0, 2.0),
    Guard("code837_growth", "coding + 837P time per encounter, large / small", 1.0, 2.0),
    Guard("parse_rss_growth", "parse peak RSS, large / small size", 1.5, 3.0),
    Guard("load_rss_growth", "remit load peak RSS, large / small size", 1.5, 3.0),
    # measured 1.3 (1,000 encounters, busy) to 2.1 (400, before issue 24's overlap), 1.95
    # with the test suite running beside it: the line leaves room for a busy CI machine and
    # still fails a coding or recording step that turns quadratic (10x and more)
    Guard("claims_x_pyx12", "claims / pyx12 alone on the same file", 0.75, 3.0),
    Guard("code_x_help", "dermclaim code (1 encounter) / dermclaim --help", 2.0, 4.0),
)


class Bench:
    def __init__(self, tmp: Path, args: argparse.Namespace):
        self.tmp, self.args = tmp, args
        self.cells: dict[tuple[str, int], str] = {}
        self.rows: list[str] = []
        self.notes: list[str] = []
        self.values: dict[tuple[str, int], float] = {}  # numbers behind the cells (guards)
        self.measures: dict[int, dict[str, Best]] = {}  # kept: a re-measure adds runs
        self.inputs: dict[int, tuple[Path, list[Path], float]] = {}

    def put(self, row: str, size: int, text: str) -> None:
        if row not in self.rows:
            self.rows.append(row)
        self.cells[(row, size)] = text

    # ---------------------------------------------------------------- measures
    def size(self, n: int, repeat: int | None = None) -> None:
        args = self.args
        if n not in self.inputs:  # in a child process: this one stays small (see generate)
            made = json.loads(run([PYTHON, "-m", "benchmarks.generate", str(self.tmp),
                                   str(n)]).stdout.strip().splitlines()[-1])
            self.inputs[n] = (Path(made["remit"]), [Path(p) for p in made["encounters"]],
                              made["bytes"] / 1e6)
        remit, enc, mb = self.inputs[n]
        encounters = [str(p) for p in enc]
        validate = n <= args.validate_max
        m = self.measures.setdefault(n, {k: Best() for k in (
            "floor", "parse", "load", "pg", "code", "code837", "claims", "pyx12")})
        for _ in range(args.repeat if repeat is None else repeat):
            r = len(m["floor"].runs)
            m["floor"].add(run(task("floor", str(remit))))
            m["parse"].add(run(task("parse", str(remit))))
            m["load"].add(run([DERMCLAIM, "remit", "load", str(remit), "--db",
                               f"sqlite:///{self.tmp}/load-{n}-{r}.db"]))
            if args.pg:
                m["pg"].add(self._pg_load(remit))
            m["code"].add(run(task("code", *encounters)))
            m["code837"].add(run(task("code-837", PRACTICE, *encounters)))
            if validate:
                out = self.tmp / f"claims-{n}-{r}.837"
                m["claims"].add(run([DERMCLAIM, "claims", *encounters, "--practice", PRACTICE,
                                     "-o", str(out), "--now", "2026-03-31T12:00:00",
                                     "--db", f"sqlite:///{self.tmp}/claims-{n}-{r}.db"],
                                    ok=lambda rc: rc in (0, 1)))
                m["pyx12"].add(run(task("pyx12-validate", str(out))))
        self._report(n, m, mb, validate)

    def _report(self, n: int, m: dict[str, Best], mb: float, validate: bool) -> None:
        args, v = self.args, self.values
        lines = _count_lines(self.inputs[n][0])
        floor = m["floor"].seconds
        v["floor", n], v["parse", n], v["load", n] = floor, m["parse"].seconds, m["load"].wall
        v["code", n], v["code837", n] = m["code"].seconds, m["code837"].seconds
        v["parse_rss", n], v["load_rss", n] = m["parse"].rss, m["load"].rss
        self.put("835 file: MB (claims / service lines)", n, f"{mb:.1f} ({n:,}/{lines:,})")
        self.put("1 read + split floor: s (MB/s)", n, f"{floor:.3f} ({mb / floor:.0f})")
        parse = m["parse"].seconds
        v["parse_x_floor", n] = parse / floor
        self.put("1 typed 835 parse: MB/s (x floor)", n, f"{mb / parse:.1f} ({parse / floor:.1f}x)")
        self.put("1 typed 835 parse: peak RSS MB", n, f"{m['parse'].rss:.0f}")
        load = m["load"].wall
        v["load_x_floor", n] = load / floor
        self.put("2 remit load SQLite, whole command: s", n, f"{load:.2f}")
        self.put("2   claims/s, lines/s", n, f"{n / load:,.0f}, {lines / load:,.0f}")
        self.put("2   x floor; peak RSS MB", n, f"{load / floor:.1f}x; {m['load'].rss:.0f}")
        if args.pg:
            pg = m["pg"].wall
            v["pg_x_sqlite", n] = pg / load
            self.put("2 remit load PostgreSQL: s (x SQLite)", n, f"{pg:.2f} ({pg / load:.2f}x)")
            self.put("2   claims/s; peak RSS MB", n, f"{n / pg:,.0f}; {m['pg'].rss:.0f}")
        self.put("3 coding alone: encounters/s", n, f"{n / m['code'].seconds:,.0f}")
        self.put("3 coding + 837P writing, no validation: enc/s", n,
                 f"{n / m['code837'].seconds:,.0f}")
        if validate:
            claims, pyx12 = m["claims"].wall, m["pyx12"].wall
            v["claims_x_pyx12", n], v["claims_rss", n] = claims / pyx12, m["claims"].rss
            self.put("4 claims end to end (validated, recorded): s", n, f"{claims:.2f}")
            self.put("4 pyx12 alone validating that 837P: s", n, f"{pyx12:.2f}")
            self.put("4   claims / pyx12 alone", n, f"{claims / pyx12:.2f}x")
            self.put("4   claims: peak RSS MB (largest process)", n, f"{m['claims'].rss:.0f}")
        else:
            self.put("4 claims end to end (validated, recorded): s", n,
                     f"(> --validate-max {args.validate_max:,})")

    def growth(self, small: int, large: int) -> None:
        """Ratios between two sizes, in the column of the larger: the per-item cost at the
        larger size over that at the smaller (1.0 when a step is linear), remit load beyond
        its fixed start-up against the floor's growth, and peak RSS."""
        v, k = self.values, large / small
        for name in ("parse", "code", "code837"):
            v[f"{name}_growth", large] = v[name, large] / v[name, small] / k
        load = v["load", large] - v["load", small]
        floor = v["floor", large] - v["floor", small]
        v["load_marginal_x_floor", large] = load / floor
        for name in ("parse", "load", "claims"):
            if (f"{name}_rss", small) in v and (f"{name}_rss", large) in v:
                v[f"{name}_rss_growth", large] = v[f"{name}_rss", large] / v[f"{name}_rss", small]
        self.put(f"7 growth {small:,} -> {large:,} claims, per item (1.0 = linear)", large,
                 "parse {:.2f}, code {:.2f}, 837 {:.2f}".format(
                     *(v[f"{x}_growth", large] for x in ("parse", "code", "code837"))))
        self.put("7   remit load beyond start-up: x floor", large, f"{load / floor:.1f}x")
        self.put("7   peak RSS growth: parse, load (, claims)", large, ", ".join(
            f"{v[f'{x}_rss_growth', large]:.2f}x" for x in ("parse", "load", "claims")
            if (f"{x}_rss_growth", large) in v))

    def _pg_load(self, remit: Path) -> Run:
        """`remit load` into a fresh schema, made and dropped by a child process (SQLAlchemy
        in this process would raise every later child's peak RSS: see generate.main)."""
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        ddl = ("import sqlalchemy as sa, sys; c = sa.create_engine(sys.argv[1]).connect(); "
               "c.execute(sa.text(sys.argv[2])); c.commit()")
        run([PYTHON, "-c", ddl, self.args.pg, f'CREATE SCHEMA "{schema}"'])
        sep = "&" if "?" in self.args.pg else "?"
        try:
            return run([DERMCLAIM, "remit", "load", str(remit), "--db",
                        f"{self.args.pg}{sep}options=-csearch_path%3D{schema}"])
        finally:
            run([PYTHON, "-c", ddl, self.args.pg, f'DROP SCHEMA "{schema}" CASCADE'])

    def start_up(self, n: int) -> None:
        """Row 5: one encounter coded by the whole command, against an empty interpreter
        and against `dermclaim --help` (same table column: these do not depend on size)."""
        best = {k: Best() for k in ("pass", "help", "code")}
        for _ in range(max(self.args.repeat, 3)):
            best["pass"].add(run([PYTHON, "-c", "pass"]))
            best["help"].add(run([DERMCLAIM, "--help"]))
            best["code"].add(run([DERMCLAIM, "code", SAMPLE_ENCOUNTER]))
        p, h, c = best["pass"].wall, best["help"].wall, best["code"].wall
        self.values["code_x_help", n] = c / h
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


def compile_checkout() -> None:
    """Bytecode for the measured checkout, as an installed program has (see the docstring)."""
    import compileall

    for package in ("dermclaim", "reconcile", "edi", "coding", "companion_guides", "benchmarks"):
        compileall.compile_dir(ROOT / package, quiet=1)


def check(bench: Bench, rounds: int) -> list[str]:
    """The guards over their line, each measured again `rounds` times before it counts."""
    def failing() -> list[tuple[Guard, int, float]]:
        """Each guard at the largest size it was measured at (a ratio of milliseconds at
        the small size is mostly noise; the small size is there for growth and `claims`)."""
        out = []
        for g in GUARDS:
            at = [n for key, n in bench.values if key == g.key]
            if at and bench.values[g.key, max(at)] > g.line:
                out.append((g, max(at), bench.values[g.key, max(at)]))
        return out

    sizes = sorted(bench.measures)
    for _ in range(rounds):
        over = failing()
        if not over:
            break
        print("re-measuring: " + ", ".join(f"{g.key} {value:.2f} > {g.line}"
                                           for g, _, value in over), file=sys.stderr)
        for n in sizes:  # more runs: each Best keeps the fastest
            bench.size(n, repeat=1)
        if any(g.key == "code_x_help" for g, _, _ in over):
            bench.start_up(sizes[0])
        if len(sizes) > 1:
            bench.growth(sizes[0], sizes[-1])
    return [f"{g.label}: {value:.2f} at {n:,} claims, over its line {g.line} "
            f"(target {g.target})" for g, n, value in failing()]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="5000,50000",
                    help="claims (and encounters) per input, comma separated")
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs of each measure")
    ap.add_argument("--quick", action="store_true",
                    help="CI: 1,000 and 5,000 claims, best of 2, `claims` at 1,000; exit 1 when a "
                    "ratio passes its regression line (GUARDS)")
    ap.add_argument("--pg", metavar="URL", default=os.environ.get("DERMCLAIM_BENCH_PG_URL"),
                    help="also load into PostgreSQL (a schema per run, dropped after)")
    ap.add_argument("--validate-max", type=int, default=5000,
                    help="largest size at which `claims` and pyx12 validation run")
    ap.add_argument("--peer-repeat", type=int, default=1, help="runs of the peer readers")
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.no_peers = QUICK_SIZES, 2, True
        args.validate_max = min(args.validate_max, QUICK_CLAIMS)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    started = time.perf_counter()
    compile_checkout()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dermclaim-bench-") as tmp:
        bench = Bench(Path(tmp), args)
        for n in sizes:
            print(f"measuring {n:,} claims ...", file=sys.stderr, flush=True)
            bench.size(n)
        if len(sizes) > 1:
            bench.growth(sizes[0], sizes[-1])
        bench.start_up(sizes[0])
        peer_size = min(sizes, key=lambda s: abs(s - 5000))
        if not args.no_peers:
            print("measuring peer readers ...", file=sys.stderr, flush=True)
            bench.peers(peer_size)
        if args.quick:
            problems = check(bench, rounds=2)
        print(bench.table(sizes))
    print(f"\nbest of {args.repeat} run(s); {os.cpu_count()} cores; "
          f"{time.perf_counter() - started:.0f} s in all", file=sys.stderr)
    if args.quick:
        for g in GUARDS:
            found = [f"{bench.values[g.key, n]:.2f}" for n in sizes if (g.key, n) in bench.values]
            found = found[-1:]
            print(f"guard {g.key}: {', '.join(found) or '-'} (line {g.line}, target {g.target})",
                  file=sys.stderr)
        for p in problems:
            print(f"REGRESSION: {p}", file=sys.stderr)
        if problems:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
