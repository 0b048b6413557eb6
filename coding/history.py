"""What the engine needs to know about the patient's earlier services (no I/O here).

    history = (PriorService(code="11642", day=date(2026, 3, 2), global_period="010",
                            provider_npi="1234567893", diagnoses=("C44319",),
                            claim_id="DC-1042", line=2),)
    claim = code_encounter(encounter, history=history)

Global surgical periods reach past the date of service: an E/M or a procedure inside another
procedure's 10- or 90-day global by the same provider needs 24, 79, 58 or 78
(`coding.edits.postop`). The CLI fills the history from the store's submitted claims
(`reconcile.store.history`); the engine only reads it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from coding.model import CodedClaim, Encounter

__all__ = ["PriorService", "global_window", "services_of"]

GLOBAL_DAYS = {"010": 10, "090": 90}


class PriorService(NamedTuple):  # a record, cheap to define (see coding/tables.py)
    code: str
    day: date
    global_period: str | None  # 000 / 010 / 090 / XXX / ZZZ …, from the code tables
    provider_npi: str | None  # rendering NPI on that claim; None = the billing provider
    diagnoses: tuple[str, ...]  # normalized ICD-10-CM codes the line pointed to
    claim_id: str  # the claim it was sent on, cited in rationales
    line: int | None = None  # its line number on that claim


def global_window(service: PriorService) -> tuple[date, date] | None:
    """First and last day of the service's global period, or None without one. CMS Claims
    Processing Manual ch. 12 §40.1: a 10-day global is the day of the procedure and the 10
    days after it; a 90-day global also covers the day before."""
    days = GLOBAL_DAYS.get(service.global_period or "")
    if days is None:
        return None
    start = service.day - timedelta(days=1) if days == 90 else service.day
    return start, service.day + timedelta(days=days)


def services_of(claim: CodedClaim) -> tuple[PriorService, ...]:
    """The services of a claim coded earlier in the same batch (not yet in the store), as
    history for the patient's later encounters."""
    from coding.edits.tables import global_period

    enc = claim.encounter
    npi = enc.rendering_provider.npi if enc.rendering_provider else None
    return tuple(
        PriorService(code=line.code, day=enc.date_of_service,
                     global_period=global_period(line.code), provider_npi=npi,
                     diagnoses=tuple(claim.diagnoses[p - 1] for p in line.diagnosis_pointers
                                     if 0 < p <= len(claim.diagnoses)),
                     claim_id=claim.claim_id, line=line.line)
        for line in claim.lines)


def patient_key(enc: Encounter) -> str:
    """The patient as the store knows them (birth date and member id), as one string
    (compact: a batch keeps one per encounter)."""
    return f"{enc.patient.birth_date.isoformat()}|{enc.patient.member_id}"
