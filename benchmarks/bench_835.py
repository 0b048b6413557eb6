"""835 reader speed and memory, against the floor of a plain read + split.

    .venv/bin/python benchmarks/bench_835.py            # 50,000 claims (~30 MB)
    .venv/bin/python benchmarks/bench_835.py --claims 20000 --no-memory

Writes a synthetic 835 with `edi.x835.writer.Writer835` into a temporary directory (one
transaction, two or three service lines per claim, CAS/REF*6R/DTM/AMT/LQ, like a payer's
big daily file), then in the same run times:
  (a) the floor: read the file in 1 MB chunks and split each on the segment terminator;
  (b) the full typed parse: `iter_835_path` consumed to the end (headers, claims, trailer).
Memory: peak RSS of a child process that streams a 10k-claim and a 100k-claim file; flat
memory means the reader does not hold the file or the claims.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import attrs  # noqa: E402

from edi.x12.tokenizer import X12Tokenizer  # noqa: E402
from edi.x835.build import adjustment, claim_payment, remittance, service_line  # noqa: E402
from edi.x835.model import Amount, DateValue, Name  # noqa: E402
from edi.x835.reader import iter_835_path  # noqa: E402
from edi.x835.writer import Writer835  # noqa: E402

EXTRA_NAMES = (Name("IL", "DOE", "JOHN", "Q", "MI", "1EG4TE5MK72"),
               Name("82", "SKINNER", "ALEX", "", "XX", "1234567893"))
CLAIM_DATES = (DateValue("232", date(2026, 1, 5), "20260105"),
               DateValue("233", date(2026, 1, 5), "20260105"),
               DateValue("050", date(2026, 1, 9), "20260109"))
CODES = [("11102", "150.00"), ("17000", "95.00"), ("17003", "12.00"), ("99213", "120.00"),
         ("11402", "260.00"), ("J3301", "18.00")]


def make_file(path: Path, claims: int) -> int:
    """Write `claims` claims in one 835 transaction; returns the size in bytes."""
    header = remittance([]).header
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = Writer835(out.write, sender_id="PAYER", receiver_id="CLINIC",
                           interchange_control_number=1, now=datetime(2026, 1, 15, 12, 0))
        writer.begin_transaction(header)
        for n in range(claims):
            lines = []
            for k in range(2 + n % 2):
                code, charge = CODES[(n + k) % len(CODES)]
                paid = (Decimal(charge) * Decimal("0.6")).quantize(Decimal("0.01"))
                rest = Decimal(charge) - paid
                lines.append(service_line(
                    code, charge, paid, modifiers=["25"] if code == "99213" else [],
                    control_number=f"C{n:07d}-{k + 1}", service_date=date(2026, 1, 5),
                    allowed=paid + rest / 2, remarks=["N19"] if k == 2 else [],
                    adjustments=[adjustment("CO", "45", rest / 2),
                                 adjustment("PR", "2", rest - rest / 2)],
                ))
            charge = sum((x.charge for x in lines), Decimal(0))
            paid = sum((x.paid for x in lines), Decimal(0))
            claim = claim_payment(f"C{n:07d}", charge, paid, lines=lines,
                                  patient_responsibility=charge - paid,
                                  payer_claim_number=f"PCN{n:09d}",
                                  member_id=f"1EG4TE5MK{n % 97:02d}",
                                  remarks=["MA01"] if n % 5 == 0 else [])
            writer.claim(attrs.evolve(claim, names=(*claim.names, *EXTRA_NAMES),
                                      dates=CLAIM_DATES, amounts=(Amount("AU", charge),)))
        writer.end_transaction()
        writer.close()
    return path.stat().st_size


def floor(path: Path) -> int:
    segments = 0
    with open(path, encoding="utf-8", newline="") as stream:
        rest = ""
        while chunk := stream.read(1 << 20):
            parts = (rest + chunk).split("~")
            rest = parts.pop()
            segments += len(parts)
    return segments


def split_elements(path: Path) -> int:
    """What any Python reader pays at least: each segment stripped and split on '*'."""
    segments = 0
    with open(path, encoding="utf-8", newline="") as stream:
        rest = ""
        while chunk := stream.read(1 << 16):
            parts = (rest + chunk).split("~")
            rest = parts.pop()
            for part in parts:
                part.strip().split("*")
                segments += 1
    return segments


def tokenize(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as stream:
        return sum(1 for _ in X12Tokenizer(stream, source=str(path)))


def typed(path: Path) -> int:
    claims = 0
    for item in iter_835_path(path):
        if type(item).__name__ == "ClaimPayment":
            claims += 1
    return claims


def timed(fn, path: Path) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """(wall seconds, CPU seconds of this process, result): CPU time is the steadier
    figure on a machine shared with other work."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(path)
    return time.perf_counter() - wall, time.process_time() - cpu, result


CHILD = """
import resource, sys
sys.path.insert(0, {root!r})
from edi.x835.reader import iter_835_path
n = sum(1 for _ in iter_835_path({path!r}))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(path: Path) -> float:
    code = CHILD.format(root=str(ROOT), path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024  # ru_maxrss is KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.835"
        size = make_file(path, args.claims)
        mb = size / 1e6
        print(f"file: {args.claims:,} claims, {mb:.1f} MB")
        # round-robin rather than one measure after the other: on a machine shared with
        # other work a busy spell then slows every measure a little, not one of them a lot
        floor_runs, split_runs, token_runs, typed_runs = [], [], [], []
        for _ in range(args.repeat):
            floor_runs.append(timed(floor, path))
            split_runs.append(timed(split_elements, path))
            token_runs.append(timed(tokenize, path))
            typed_runs.append(timed(typed, path))
        assert typed_runs[0][2] == args.claims, typed_runs[0][2]
        results = {}
        for label, runs in (("(a) floor, read + split", floor_runs),
                            ("    + strip/split elems", split_runs),
                            ("    edi.x12 tokenizer", token_runs),
                            ("(b) typed 835 parse", typed_runs)):
            wall = min(r[0] for r in runs)
            cpu = min(r[1] for r in runs)
            results[label] = cpu
            print(f"{label:24s}: {wall:6.2f} s wall {mb / wall:6.1f} MB/s | "
                  f"{cpu:6.2f} s CPU {mb / cpu:6.1f} MB/s")
        floor_cpu, split_cpu, _token_cpu, typed_cpu = results.values()
        print(f"typed / floor (CPU): {typed_cpu / floor_cpu:.1f}x; typed / element split: "
              f"{typed_cpu / split_cpu:.1f}x; {args.claims / typed_cpu:,.0f} claims/s")
        if args.no_memory:
            return
        for claims in (10_000, 100_000):
            mem_path = Path(tmp) / f"mem{claims}.835"
            mem_size = make_file(mem_path, claims) / 1e6
            print(f"peak RSS streaming {claims:>7,} claims ({mem_size:5.1f} MB): "
                  f"{peak_rss_mb(mem_path):6.1f} MB")
            mem_path.unlink()


if __name__ == "__main__":
    main()
