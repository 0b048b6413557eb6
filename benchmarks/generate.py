"""Deterministic, realistic benchmark inputs: a payer's 835 and a biller's encounter batch.

The 835 looks like a big payer's daily file: transactions of up to 5,000 claims (one check
each), 3-5 service lines a claim, CAS on every line (contractual CO-45 and patient PR-1/2/3
on paid lines; CO-97/16/50/151/96, OA-18 denials with their RARCs), REF*6R line control
numbers, DTM*472, AMT*B6, claim-level MOA remarks, a reversal (CLP02 = 22) of an earlier
claim followed by its corrected claim every 40 claims, and a PLB (interest, forward
balance) per transaction. Same count -> same bytes.

The encounter batch is `tests/encounter_batch.make_encounters` (every procedure type, both
shipped payers, codes a careful coder would bill), written as one JSON array.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs

from edi.x835.build import adjustment, claim_payment, plb, remittance, service_line
from edi.x835.model import Amount, ClaimPayment, DateValue, Name, ServiceLine
from edi.x835.writer import Writer835

ROOT = Path(__file__).resolve().parent.parent
CLAIMS_PER_TRANSACTION = 5000
CENT = Decimal("0.01")

# (code, modifiers, units, charge per unit)
CODES = (("99213", ("25",), 1, "120.00"), ("11102", (), 1, "150.00"),
         ("11103", (), 2, "90.00"), ("17000", (), 1, "95.00"), ("17003", (), 5, "15.00"),
         ("17110", (), 1, "110.00"), ("11402", ("59",), 1, "260.00"),
         ("J3301", (), 2, "18.00"), ("88305", ("26",), 1, "72.00"), ("96910", (), 1, "85.00"))
DENIALS = (("CO", "97", ("M15",)), ("CO", "16", ("M127",)), ("CO", "50", ("N115",)),
           ("CO", "151", ("N362",)), ("CO", "96", ("N425",)), ("OA", "18", ("N522",)))
PATIENT_SHARE = (("PR", "2"), ("PR", "1"), ("PR", "3"))
DOS = date(2026, 1, 5)
RENDERING = Name("82", "SKINNER", "ALEX", "", "XX", "1234567893")


def _line(n: int, k: int) -> ServiceLine:
    code, mods, units, unit_charge = CODES[(n * 3 + k) % len(CODES)]
    charge = Decimal(unit_charge) * units
    dos = DOS + timedelta(days=n % 50)
    control = f"C{n:07d}-{k + 1}"
    if (n + k) % 7 == 0:  # denied: the whole charge adjusted under one CARC
        group, carc, remarks = DENIALS[(n // 7 + k) % len(DENIALS)]
        return service_line(code, charge, 0, modifiers=mods, units=units,
                            control_number=control, service_date=dos, allowed=0,
                            adjustments=[adjustment(group, carc, charge)], remarks=remarks)
    allowed = (charge * Decimal("0.72")).quantize(CENT)
    patient = (allowed * Decimal("0.20")).quantize(CENT)
    group, carc = PATIENT_SHARE[(n + k) % len(PATIENT_SHARE)]
    return service_line(code, charge, allowed - patient, modifiers=mods, units=units,
                        control_number=control, service_date=dos, allowed=allowed,
                        adjustments=[adjustment("CO", "45", charge - allowed),
                                     adjustment(group, carc, patient)])


def _claim(n: int) -> ClaimPayment:
    lines = [_line(n, k) for k in range(3 + n % 3)]
    charge = sum((x.charge for x in lines), Decimal(0))
    paid = sum((x.paid for x in lines), Decimal(0))
    patient = sum((a.amount for x in lines for a in x.adjustments if a.group == "PR"),
                  Decimal(0))
    claim = claim_payment(f"C{n:07d}", charge, paid, status="1" if paid else "4", lines=lines,
                          patient_responsibility=patient, payer_claim_number=f"PCN{n:010d}",
                          member_id=f"1EG4TE5MK{n % 97:02d}",
                          remarks=["MA01"] if n % 5 == 0 else [])
    day = DOS + timedelta(days=n % 50)
    dates = (DateValue("232", day, day.strftime("%Y%m%d")),
             DateValue("233", day, day.strftime("%Y%m%d")),
             DateValue("050", day + timedelta(days=4), ""))
    return attrs.evolve(claim, names=(*claim.names, RENDERING), dates=dates,
                        amounts=(Amount("AU", charge),))


def _reversal(claim: ClaimPayment) -> ClaimPayment:
    """CLP02 = 22: every amount of the earlier adjudication with its sign flipped."""
    def negated(x: ServiceLine) -> ServiceLine:
        return attrs.evolve(x, charge=-x.charge, paid=-x.paid, amounts=(), remarks=(),
                            adjustments=tuple(attrs.evolve(a, amount=-a.amount)
                                              for a in x.adjustments))
    resp = claim.patient_responsibility
    return attrs.evolve(claim, status="22", charge=-claim.charge, paid=-claim.paid,
                        patient_responsibility=None if resp is None else -resp,
                        service_lines=tuple(negated(x) for x in claim.service_lines),
                        amounts=(), outpatient=(), remarks=())


def claims_835(count: int) -> Iterator[ClaimPayment]:
    """`count` claims; in every 40, one reverses an earlier claim and the next one pays it
    again (a corrected adjudication)."""
    n = 0
    while n < count:
        if n % 40 == 38 and n >= 40:
            earlier = _claim(n - 20)
            yield _reversal(earlier)
            yield earlier
            n += 2
            continue
        yield _claim(n)
        n += 1


def write_835(path: Path, count: int) -> int:
    """Write the 835 of `count` claims at `path`; returns its size in bytes."""
    with open(path, "w", encoding="ascii", newline="") as out:
        writer = Writer835(out.write, sender_id="12502", receiver_id="DERMCLINIC",
                           interchange_control_number=1, now=datetime(2026, 3, 2, 6, 0))
        batch: list[ClaimPayment] = []

        def flush(number: int) -> None:
            plbs = [plb("1234567893", date(2026, 12, 31),
                        ("L6", "INTEREST", Decimal("-3.17")),
                        ("FB", f"FB{number:06d}", Decimal("25.00")))]
            remit = remittance(batch, payer_id="12502", trace_number=f"EFT{number:08d}",
                               payment_date=date(2026, 3, 2), provider_adjustments=plbs,
                               control_number=f"{number:04d}")
            writer.begin_transaction(remit.header)
            for claim in batch:
                writer.claim(claim)
            writer.end_transaction(plbs)
            batch.clear()

        transactions = 0
        for claim in claims_835(count):
            batch.append(claim)
            if len(batch) == CLAIMS_PER_TRANSACTION:
                transactions += 1
                flush(transactions)
        if batch:
            flush(transactions + 1)
        writer.close()
    return path.stat().st_size


def write_encounters(path: Path, count: int, seed: int = 2026) -> int:
    """A JSON array of `count` generated encounters; returns the size in bytes."""
    sys.path.insert(0, str(ROOT / "tests"))
    from encounter_batch import make_encounters  # the tests' generator: valid, varied

    path.write_text(json.dumps(make_encounters(count, seed=seed)), encoding="utf-8")
    return path.stat().st_size


def write_encounter_files(folder: Path, stem: str, count: int, seed: int = 2026) -> list[Path]:
    """`count` generated encounters as JSON files of at most MAX_ENCOUNTERS each (the
    per-file limit of `load_encounters`), as a biller's day arrives in several exports;
    the same encounters whatever the split."""
    sys.path.insert(0, str(ROOT / "tests"))
    from encounter_batch import make_encounters

    from coding.encounter_limits import MAX_ENCOUNTERS

    everything = make_encounters(count, seed=seed)
    paths = []
    for k, start in enumerate(range(0, count, MAX_ENCOUNTERS), 1):
        path = folder / f"{stem}-{k:02d}.json"
        path.write_text(json.dumps(everything[start:start + MAX_ENCOUNTERS]), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str]) -> None:
    """`python -m benchmarks.generate FOLDER N`: the 835 and the encounter files of size N
    in FOLDER, their names and the 835's size printed as JSON. The benchmark generates in
    this separate process so that its own memory stays small: a child process's peak RSS
    as the OS reports it (wait4) starts from its parent's at the fork."""
    folder, count = Path(argv[0]), int(argv[1])
    remit = folder / f"remit-{count}.835"
    size = write_835(remit, count)
    encounters = write_encounter_files(folder, f"encounters-{count}", count)
    print(json.dumps({"remit": str(remit), "bytes": size,
                      "encounters": [str(p) for p in encounters]}))


if __name__ == "__main__":
    main(sys.argv[1:])
