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

import sys
from array import array
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from coding.engine import code_encounter
from coding.history import PriorService, global_window, patient_key, services_of
from coding.model import CodedClaim, Encounter

if TYPE_CHECKING:
    from coding.spool import Spool

__all__ = ["code_batch"]

Stored = Callable[[Encounter], Sequence[PriorService]]


def code_batch(encounters: Sequence[Encounter], *, fees: Mapping[str, Decimal] | None = None,
               stored: Stored | None = None) -> Sequence[CodedClaim]:
    """Code `encounters`, each with its stored history and the batch's earlier claims: a
    list, or a spool in the order of `encounters` when they came spooled and spilled."""
    # a spool exists only once something imported coding.spool: `dermclaim code` never does
    spool = sys.modules.get("coding.spool")
    if spool is not None and isinstance(encounters, spool.Encounters):
        days: Sequence[int] = encounters.days
        patients: Sequence[str] = encounters.patients
    else:
        days = [e.date_of_service.toordinal() for e in encounters]
        patients = [patient_key(e) for e in encounters]
    visits = Counter(patients)
    # patient -> (last day of the global period, service), in the order they were coded
    batch: dict[str, list[tuple[date, PriorService]]] = {}
    order = sorted(range(len(encounters)), key=days.__getitem__)
    coded: list[CodedClaim] | Spool[CodedClaim] = []
    spooled = spool is not None and isinstance(encounters, spool.Spool) and encounters.spilled
    if spool is not None and spooled:
        coded = spool.Spool(limit=0)
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
    if isinstance(coded, list):
        return [coded[p] for p in position]
    assert spool is not None
    return spool.View(coded, position)
