"""The patient's earlier services, read from the claims the store recorded as sent.

    history = prior_services(url, encounter)      # () when there is no store

For `dermclaim code` and `dermclaim claims`: the coding engine needs the services whose
global period may cover the encounter's date (`coding.history`). Read only: a store that does
not exist is never created (a missing SQLite file, or a database without dermclaim's tables,
means no history), and nothing is written. The patient is matched by member id and birth date
in each recorded claim's `encounter_json`; a claim's latest submission wins (a replacement
supersedes, a void removes it). Only the 91 days before the date of service are read (the
longest global period plus its day before).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from coding.edits.tables import global_period
from coding.history import PriorService
from coding.model import Encounter
from reconcile.store.database import new_engine, resolve_url
from reconcile.store.models import SubmittedClaim, SubmittedLine

__all__ = ["prior_services", "store_exists", "WINDOW_DAYS"]

WINDOW_DAYS = 91


def store_exists(url: str | None) -> bool:
    """True when the URL names an existing store file (SQLite) or a reachable database."""
    resolved = resolve_url(url)
    if resolved.startswith("sqlite:///"):
        path = resolved[len("sqlite:///"):]
        return path not in ("", ":memory:") and Path(path).is_file()
    return True


_ENGINES: dict[str, Engine] = {}  # one read engine per store for a batch of encounters


def prior_services(url: str | None, encounter: Encounter) -> tuple[PriorService, ...]:
    """Earlier services for the encounter's patient; () when there is no store (or no
    dermclaim tables in it). SQL errors propagate (sqlalchemy.exc.SQLAlchemyError) for the
    caller to report."""
    if not store_exists(url):
        return ()
    resolved = resolve_url(url)
    engine = _ENGINES.get(resolved)
    if engine is None:
        engine = new_engine(resolved)
        if not inspect(engine).has_table(SubmittedClaim.__tablename__):
            engine.dispose()
            return ()
        _ENGINES[resolved] = engine
    return _read(engine, encounter)


def _read(engine: Engine, encounter: Encounter) -> tuple[PriorService, ...]:
    day = encounter.date_of_service
    since = day - timedelta(days=WINDOW_DAYS)
    claims = SubmittedClaim.__table__  # type: ignore[attr-defined]  # SQLModel table
    lines = SubmittedLine.__table__  # type: ignore[attr-defined]
    latest: dict[str, tuple[Any, dict[str, Any]]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(claims.c.id, claims.c.claim_id, claims.c.encounter_claim_id,
                   claims.c.frequency, claims.c.encounter_json, claims.c.submitted_at)
            .where(claims.c.date_of_service >= since, claims.c.date_of_service < day)
            .order_by(claims.c.submitted_at, claims.c.id))
        for row in rows:
            if row.encounter_claim_id == encounter.claim_id:
                continue
            try:
                data = json.loads(row.encounter_json or "{}")
            except ValueError:
                continue
            if not _same_patient(data, encounter):
                continue
            latest[row.claim_id] = (row, data)  # CLM01: a replacement or void wins
        out: list[PriorService] = []
        for row, data in latest.values():
            if row.frequency == "8":
                continue  # voided
            dx = [str(d).replace(".", "").upper() for d in data.get("diagnoses", [])]
            npi = (data.get("rendering_provider") or {}).get("npi")
            found = conn.execute(
                select(lines.c.line_number, lines.c.code, lines.c.date_of_service,
                       lines.c.diagnosis_pointers)
                .where(lines.c.claim_row_id == row.id).order_by(lines.c.line_number))
            for line in found:
                pointers = [int(p) for p in (line.diagnosis_pointers or "").split(":")
                            if p.isdigit()]
                out.append(PriorService(
                    code=line.code, day=line.date_of_service,
                    global_period=global_period(line.code), provider_npi=npi,
                    diagnoses=tuple(dx[p - 1] for p in pointers if 0 < p <= len(dx)),
                    claim_id=row.claim_id, line=line.line_number))
    return tuple(out)


def _same_patient(data: dict[str, Any], encounter: Encounter) -> bool:
    patient = data.get("patient") or {}
    return (patient.get("member_id") == encounter.patient.member_id
            and patient.get("birth_date") == encounter.patient.birth_date.isoformat())



def history_for(url: str | None, encounter: Encounter
                ) -> tuple[tuple[PriorService, ...], str | None]:
    """`prior_services`, or () and a one-line reason (no patient data, no password) when the
    store cannot be read: coding goes on without the history, the CLI says so."""
    from sqlalchemy.exc import SQLAlchemyError

    from reconcile.errors import StoreError

    try:
        return prior_services(url, encounter), None
    except (SQLAlchemyError, StoreError) as exc:
        kind = type(exc).__name__
        return (), (f"claim {encounter.claim_id}: the patient's earlier claims could not be "
                    f"read from the store ({kind}); coded without them (global-period "
                    "modifiers 24/58/78/79 not checked)")
