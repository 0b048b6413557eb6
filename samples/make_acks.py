"""Regenerate samples/acks/: the clearinghouse's 999 and the payer's 277CA for samples/claims.837.

    .venv/bin/python samples/make_acks.py

`claims.999` accepts the Medicare transaction set and rejects the commercial one (the billing
provider's NM109 in 2010AA, IK3/IK4 as a clearinghouse sends them); `claims.277` acknowledges
every Medicare claim but one, rejected for the billing provider's NPI (A7:562:85). They
answer the control numbers `dermclaim claims` hands out on a new store (ISA13 1, GS06 1-2),
so the README's walk-through (claims on a fresh store, then `ack load`) ties every answer.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

REJECTED_BY_277 = 1  # the n-th Medicare claim (1-based) the payer rejects


def sets_in(path: Path) -> list[tuple[str, str, str, list[tuple[str, Decimal, date]]]]:
    """(GS06, ST02, payer id, [(CLM01, CLM02, first service date)]) per transaction set."""
    from edi.x12.tokenizer import iter_segments

    out: list[tuple[str, str, str, list[tuple[str, Decimal, date]]]] = []
    gs06 = ""
    pending: tuple[str, Decimal] | None = None
    with path.open(encoding="ascii") as stream:
        segments = [seg for _n, seg in iter_segments(stream)]
    for seg in segments:
        tag = seg[0]
        if tag == "GS":
            gs06 = seg[6]
        elif tag == "ST":
            out.append((gs06, seg[2], "", []))
        elif tag == "NM1" and seg[1] == "PR" and not out[-1][2]:
            out[-1] = (out[-1][0], out[-1][1], seg[9], out[-1][3])
        elif tag == "CLM":
            pending = (seg[1], Decimal(seg[2]))
        elif tag == "DTP" and seg[1] == "472" and pending is not None:
            day = seg[3].split("-")[0]
            out[-1][3].append((pending[0], pending[1],
                               date(int(day[:4]), int(day[4:6]), int(day[6:]))))
            pending = None
    return out


def main() -> int:
    from edi.x277.model import ClaimAck
    from edi.x277.writer import render_277, status
    from edi.x999.model import ElementError, SegmentError
    from edi.x999.writer import accept, answer_group, reject, render_999

    sets = sets_in(HERE / "claims.837")
    medicare = [s for s in sets if s[2] == "12502"]
    others = [s for s in sets if s[2] != "12502"]
    npi_error = SegmentError("NM1", 9, "2010AA", "8", 0,
                             (ElementError(9, None, None, "67", "7", 0),))
    groups: dict[str, list] = {}
    for gs06, st02, _payer, _claims in medicare:
        groups.setdefault(gs06, []).append(accept(st02))
    for gs06, st02, _payer, _claims in others:
        groups.setdefault(gs06, []).append(reject(st02, [npi_error]))
    when = datetime(2026, 3, 28, 9, 0)
    text_999 = render_999([answer_group(g, "005010X222A1", ts) for g, ts in groups.items()],
                          sender="EXCLEARINGHSE", receiver="SPRDERM01", control=501,
                          when=when)
    acks = []
    n = 0
    for _gs06, _st02, _payer, claims in medicare:
        for claim_id, charge, dos in claims:
            n += 1
            st = (status("A7", "562", "85", date(2026, 3, 30), charge) if n == REJECTED_BY_277
                  else status("A2", "20", "", date(2026, 3, 30), charge))
            acks.append(ClaimAck(claim_id, (st,), f"2026089{n:05d}", None, dos, dos,
                                 "1234567893", 0))
    text_277 = render_277(acks, source=("PR", "MEDICARE PART B", "PI", "12502"),
                          receiver="SPRDERM01", control=601, when=datetime(2026, 3, 30, 8, 0))
    folder = HERE / "acks"
    folder.mkdir(exist_ok=True)
    (folder / "claims.999").write_text(text_999, encoding="ascii")
    (folder / "claims.277").write_text(text_277, encoding="ascii")
    print(f"wrote {folder / 'claims.999'} ({len(medicare)} sets accepted, {len(others)} "
          f"rejected) and {folder / 'claims.277'} ({n} claims, {min(n, REJECTED_BY_277)} "
          "rejected)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
