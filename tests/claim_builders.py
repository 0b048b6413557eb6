"""CodedClaim objects built directly (without the coding engine) for the 837P tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import attrs

from coding.model import (
    Address,
    ClaimLine,
    CodedClaim,
    Encounter,
    LineDrug,
    Person,
    Procedure,
    Provider,
    Subscriber,
)
from edi.practice import Practice, load_practice
from edi.x837p.envelope import ControlNumbers, interchange_receiver, usage_indicator
from edi.x837p.submit import prepare
from edi.x837p.writer import Rendered, render_interchange

ROOT = Path(__file__).resolve().parent.parent
PRACTICE_PATH = ROOT / "samples" / "practice.toml"
NOW = datetime(2026, 3, 5, 9, 30)
HOME = Address("418 JUNIPER LN", "AUSTIN", "TX", "78704")


def practice() -> Practice:
    return load_practice(PRACTICE_PATH)


def person(member: str = "1EG4TE5MK73", last: str = "OKAFOR", first: str = "RUTH",
           born: date = date(1948, 6, 14), sex: str = "F") -> Person:
    return Person(member, last, first, born, sex, HOME)


def line(n: int, code: str, charge: str, *, units: int = 1, mods: tuple[str, ...] = (),
         ptrs: tuple[int, ...] = (1,), claim_id: str = "DC-1", drug: LineDrug | None = None,
         procedure: int | None = None) -> ClaimLine:
    return ClaimLine(line=n, code=code, units=units, modifiers=mods, charge=Decimal(charge),
                     diagnosis_pointers=ptrs, line_control_number=f"{claim_id}-{n}",
                     drug=drug, procedure=procedure)


def claim(claim_id: str = "DC-1", payer: str = "medicare",
          diagnoses: tuple[str, ...] = ("L570", "D485"),
          lines: tuple[ClaimLine, ...] | None = None, **enc_fields: object) -> CodedClaim:
    enc = Encounter(claim_id=claim_id, date_of_service=date(2026, 3, 2), payer=payer,
                    patient=person(), diagnoses=diagnoses,
                    procedures=(Procedure(type="biopsy", technique="tangential", site="back"),),
                    source=f"{claim_id}.json")
    if enc_fields:
        enc = attrs.evolve(enc, **enc_fields)
    if lines is None:
        lines = (line(1, "99213", "220", mods=("25",), ptrs=(1,), claim_id=claim_id),
                 line(2, "11102", "240", ptrs=(2,), claim_id=claim_id))
    return CodedClaim(encounter=enc, payer=payer, diagnoses=diagnoses, lines=lines)


def render(claims: list[CodedClaim], *, newlines: bool = True, isa13: int = 1) -> Rendered:
    """Render without the store (fixed control numbers), failing on held claims."""
    p = practice()
    prepared = prepare(claims, NOW)
    assert not prepared.held, [h.describe() for h in prepared.held]
    guides = [g for g, _ in prepared.parts]
    n_groups = len(prepared.groups)
    control = ControlNumbers(isa13, tuple(range(1, n_groups + 1)),
                             tuple(range(1, prepared.transaction_count + 1)))
    return render_interchange(prepared.groups, p, control, NOW,
                              receiver=interchange_receiver(p, prepared.groups, guides),
                              usage=usage_indicator(guides), newlines=newlines)


def segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def kenalog() -> LineDrug:
    return LineDrug("00003029328", Decimal("1"), "ML")


def spouse_subscriber() -> Subscriber:
    return Subscriber(person("W123456789", "OKAFOR", "JAMES", date(1946, 2, 1), "M"), "spouse")


def rendering() -> Provider:
    return Provider("1245319599", "LINDQVIST", "MAREN")
