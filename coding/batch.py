"""Coding a batch of encounters: each with the patient's earlier services as history.

    claims = code_batch(encounters, fees=fees, stored=lambda enc: history_from_store(enc))

The one way `dermclaim code` and `dermclaim claims` code a batch, so the preview is what is
sent. A visit inside the global period of a procedure coded earlier *in the same batch* (a
re-excision ten days after the excision, a visit a week after a destruction) needs 58, 78,
79 or 24 (`coding.edits.postop`) just as when the earlier claim is already in the store:
the encounters are coded in date-of-service order (the file's order among visits of one
day), each with `stored(encounter)` (the store's earlier claims; `()` without a store) plus
the services of the patient's earlier claims of this batch that have no error finding (a
claim held back is not sent, so it opens no global period). The patient is the member id
and birth date, as in the store (`reconcile.store.history`). The claims come back in the
order of `encounters`.

Of the batch's services only those whose global period has not ended before the visit are
handed on: the engine reads history for open global periods alone, and the visits come in
date order, so a service out of its period (or without one) can matter to no later visit.
A patient seen every week of a year thus carries the few services still open, not every
earlier line (which made a batch quadratic in the visits of one patient).

A large batch stays flat in memory: give `code_batch` an `Encounters` spool (it keeps each
encounter's date and patient beside it, so ordering reads no encounter twice) and the
claims come back spooled too (`coding.spool`); a patient's services are dropped after
their last visit of the batch.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from coding.engine import code_encounter
from coding.history import PriorService, global_window, services_of
from coding.model import CodedClaim, Encounter
from coding.spool import Spool, View

__all__ = ["Encounters", "code_batch"]

Stored = Callable[[Encounter], Sequence[PriorService]]
Patient = str  # member id and birth date, as one string (compact: 50,000 are kept)


class Encounters(Spool[Encounter]):
    """A spool of encounters that keeps each one's date of service and patient, and the
    payers of them all, in memory."""

    def __init__(self, items: Iterable[Encounter] = (), *, limit: int | None = None):
        self.days = array("q")  # date of service, as a day number
        self.patients: list[Patient] = []
        self.payers: set[str] = set()
        super().__init__(items, limit=limit)

    def append(self, item: Encounter) -> None:
        super().append(item)
        self.days.append(item.date_of_service.toordinal())
        self.patients.append(_patient(item))
        self.payers.add(item.payer)


def _patient(enc: Encounter) -> Patient:
    return f"{enc.patient.birth_date.isoformat()}|{enc.patient.member_id}"


def code_batch(encounters: Sequence[Encounter], *, fees: Mapping[str, Decimal] | None = None,
               stored: Stored | None = None) -> Sequence[CodedClaim]:
    """Code `encounters`, each with its stored history and the batch's earlier claims: a
    list, or a spool in the order of `encounters` when they came spooled and spilled."""
    if isinstance(encounters, Encounters):
        days: Sequence[int] = encounters.days
        patients: Sequence[Patient] = encounters.patients
    else:
        days = [e.date_of_service.toordinal() for e in encounters]
        patients = [_patient(e) for e in encounters]
    visits = Counter(patients)
    # patient -> (last day of the global period, service), in the order they were coded
    batch: dict[Patient, list[tuple[date, PriorService]]] = {}
    order = sorted(range(len(encounters)), key=days.__getitem__)
    spooled = isinstance(encounters, Spool) and encounters.spilled
    coded: Spool[CodedClaim] = Spool(limit=0 if spooled else len(encounters))
    position = array("q", bytes(8 * len(encounters))) if spooled else [0] * len(encounters)
    for i in order:
        enc = encounters[i]
        patient = patients[i]
        history = tuple(stored(enc)) if stored is not None else ()
        earlier = batch.get(patient)
        if earlier:
            earlier[:] = [(end, s) for end, s in earlier if end >= enc.date_of_service]
            history += tuple(s for _, s in earlier)
        claim = code_encounter(enc, fees=fees, history=history)
        visits[patient] -= 1
        if not visits[patient]:  # their last visit of the batch: nothing later reads it
            batch.pop(patient, None)
        elif not claim.has_errors:
            for service in services_of(claim):
                window = global_window(service)
                if window is not None:
                    batch.setdefault(patient, []).append((window[1], service))
        position[i] = len(coded)
        coded.append(claim)
    if not coded.spilled:
        return [coded[p] for p in position]
    return View(coded, position)
