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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from coding.engine import code_encounter
from coding.history import PriorService, global_window, services_of
from coding.model import CodedClaim, Encounter

__all__ = ["code_batch"]

Stored = Callable[[Encounter], Sequence[PriorService]]


def code_batch(encounters: Sequence[Encounter], *, fees: Mapping[str, Decimal] | None = None,
               stored: Stored | None = None) -> list[CodedClaim]:
    """Code `encounters`, each with its stored history and the batch's earlier claims."""
    # patient -> (last day of the global period, service), in the order they were coded
    batch: dict[tuple[str, date], list[tuple[date, PriorService]]] = {}
    out: dict[int, CodedClaim] = {}
    order = sorted(range(len(encounters)), key=lambda i: encounters[i].date_of_service)
    for i in order:
        enc = encounters[i]
        key = (enc.patient.member_id, enc.patient.birth_date)
        history = tuple(stored(enc)) if stored is not None else ()
        earlier = batch.get(key)
        if earlier:
            earlier[:] = [(end, s) for end, s in earlier if end >= enc.date_of_service]
            history += tuple(s for _, s in earlier)
        claim = code_encounter(enc, fees=fees, history=history)
        if not claim.has_errors:
            for service in services_of(claim):
                window = global_window(service)
                if window is not None:
                    batch.setdefault(key, []).append((window[1], service))
        out[i] = claim
    return [out[i] for i in range(len(encounters))]
