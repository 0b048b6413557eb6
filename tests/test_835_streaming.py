"""The reader streams: claims come out while the file is still being read, and peak
memory does not grow with the number of claims (the benchmark shows it at 100,000 claims;
this test at a size a unit test can afford)."""

from __future__ import annotations

import io
import tracemalloc
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from edi.x835 import segments
from edi.x835.build import adjustment, claim_payment, remittance, service_line
from edi.x835.model import ClaimPayment, RemittanceTrailer
from edi.x835.reader import iter_835, iter_835_path
from edi.x835.writer import Writer835


def write_file(path: Path, claims: int) -> None:
    header = remittance([]).header
    with open(path, "w", encoding="utf-8", newline="") as out:
        w = Writer835(out.write, sender_id="PAYER", receiver_id="CLINIC",
                      interchange_control_number=1, now=datetime(2026, 1, 15))
        w.begin_transaction(header)
        for n in range(claims):
            charge = Decimal(100 + n % 50)
            line = service_line("11102", charge, charge - 10, control_number=f"L{n}",
                                adjustments=[adjustment("CO", "45", 10)])
            w.claim(claim_payment(f"C{n}", charge, charge - 10, lines=[line],
                                  member_id=f"M{n}"))
        w.end_transaction()
        w.close()


class CountingStream(io.StringIO):
    """Remembers how much of the text the reader has asked for."""

    consumed = 0

    def read(self, size: int | None = -1) -> str:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def test_first_claim_arrives_long_before_the_end_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r.835"
    write_file(path, 3000)
    text = path.read_text(encoding="utf-8")
    stream = CountingStream(text, newline="")
    items = iter_835(stream, source="r.835")
    first_claim = next(i for i in items if isinstance(i, ClaimPayment))
    assert first_claim.patient_control_number == "C0"
    assert stream.consumed < len(text) / 10
    trailer = [i for i in items if isinstance(i, RemittanceTrailer)]
    assert trailer[0].claim_count == 3000 and stream.consumed == len(text)


def peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        for _item in iter_835_path(path):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_claims(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments.SharedValues, "LIMIT", 256)  # bounded tables fill early
    small, large = tmp_path / "small.835", tmp_path / "large.835"
    write_file(small, 1_000)
    write_file(large, 8_000)
    assert large.stat().st_size > 7 * small.stat().st_size
    small_peak, large_peak = peak_bytes(small), peak_bytes(large)
    assert large_peak < 1.5 * small_peak + 256_000, (small_peak, large_peak)
