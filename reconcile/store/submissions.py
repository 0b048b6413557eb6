"""Store side of submission: control numbers that are never reused, the record of every
interchange, claim and line sent, and `submit_claims`, the one path that writes an 837P
(`dermclaim claims` and corrected claims both go through it).

`next_control_numbers` and `record_interchange` run inside the caller's session, so the
numbers handed out, the rows recorded and the file written commit together or not at
all: a failed submission consumes no numbers (nothing went out under them), a successful
one can never be handed the same numbers again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from attrs import frozen
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlmodel import Session, col

from coding.model import CodedClaim
from edi.errors import EdiError
from edi.practice import Practice
from edi.x837p.envelope import ControlNumbers
from edi.x837p.submit import AtomicFile, HeldClaim, prepare, render_started, utc, validated
from edi.x837p.writer import WrittenClaim
from reconcile.errors import StoreError
from reconcile.store.ack_models import ClaimResubmission
from reconcile.store.database import as_store_error, get_engine
from reconcile.store.models import ControlCounter, Interchange, SubmittedClaim, SubmittedLine
from reconcile.store.recovery import (
    forget_interchange,
    mark_written,
    recover_interrupted,
    writer_id,
)
from reconcile.store.sent import (
    already_sent,
    encounter_json,
    next_payer,
    released_originals,
    submission_identity,
)

__all__ = ["COUNTERS", "SubmitResult", "already_sent", "file_sha256", "lock_submissions",
           "next_control_numbers", "record_interchange", "submit_claims"]

COUNTERS = ("ISA13", "GS06", "ST02")


def next_control_numbers(session: Session, *, groups: int, transactions: int) -> ControlNumbers:
    """Take one ISA13, `groups` GS06 and `transactions` ST02 numbers, each counter moving
    past what it hands out. The counter rows stay locked until the session commits
    (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the UPDATE takes the database write lock),
    so two concurrent submissions can never get the same numbers."""
    if groups < 1 or transactions < groups:
        raise ValueError("an interchange needs at least one group and one transaction each")
    wanted = {"ISA13": 1, "GS06": groups, "ST02": transactions}
    taken: dict[str, int] = {}
    try:
        _ensure_counters(session)
        postgres = session.get_bind().dialect.name == "postgresql"
        for name in COUNTERS:
            n = wanted[name]
            if postgres:
                current = session.execute(
                    select(col(ControlCounter.value)).where(col(ControlCounter.name) == name)
                    .with_for_update()
                ).scalar_one()
                session.execute(update(ControlCounter).where(col(ControlCounter.name) == name)
                                .values(value=current + n))
                last = current + n
            else:
                last = session.execute(
                    update(ControlCounter).where(col(ControlCounter.name) == name)
                    .values(value=col(ControlCounter.value) + n)
                    .returning(col(ControlCounter.value))
                ).scalar_one()
            taken[name] = last - n + 1
    except OperationalError as exc:
        raise as_store_error(exc, "cannot take control numbers from the store: ") from None
    return ControlNumbers(
        isa13=taken["ISA13"],
        gs06=tuple(range(taken["GS06"], taken["GS06"] + groups)),
        st02=tuple(range(taken["ST02"], taken["ST02"] + transactions)),
    )


def _ensure_counters(session: Session) -> None:
    existing = set(session.execute(select(col(ControlCounter.name))).scalars())
    missing = [name for name in COUNTERS if name not in existing]
    if not missing:
        return
    dialect = session.get_bind().dialect.name
    rows = [{"name": name, "value": 0} for name in missing]
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(ControlCounter).values(rows).on_conflict_do_nothing())
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(ControlCounter).values(rows).on_conflict_do_nothing())
    else:
        session.execute(insert(ControlCounter), rows)


def lock_submissions(session: Session) -> None:
    """Take the store's submission lock until the session's transaction ends. Every run
    that sends claims takes it before it checks what was already sent, and keeps it until
    what it sends is recorded (or rolled back), so the check and the record are one step:
    SQLite BEGIN IMMEDIATE (the database write lock), PostgreSQL the ISA13 counter row
    FOR UPDATE. A second run waits (up to $DERMCLAIM_LOCK_TIMEOUT seconds, default 60),
    then sees everything the first one recorded."""
    try:
        if session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        else:
            _ensure_counters(session)
            session.execute(select(col(ControlCounter.value))
                            .where(col(ControlCounter.name) == "ISA13").with_for_update())
    except OperationalError as exc:
        raise as_store_error(exc) from None


def file_sha256(data: bytes | Iterable[bytes]) -> str:
    """SHA-256 of bytes, or of the chunks of a file in order."""
    digest = hashlib.sha256()
    for chunk in [data] if isinstance(data, bytes) else data:
        digest.update(chunk)
    return digest.hexdigest()


class AsciiText:
    """An 837P text as the ASCII bytes it goes out as, a megabyte at a time: a 50,000-claim
    file (~21 MB) is never copied whole. Iterable again and again; `sha256` once."""

    CHUNK = 1 << 20

    def __init__(self, text: str, source: str | Path):
        if not text.isascii():
            offset = next(i for i, ch in enumerate(text) if not ch.isascii())
            raise EdiError(f"{source}: the 837P has a character X12 does not allow at "
                           f"offset {offset}")
        self.text = text
        self.sha256 = file_sha256(self)

    def __iter__(self) -> Iterator[bytes]:
        text, size = self.text, self.CHUNK
        for start in range(0, len(text), size):
            yield text[start:start + size].encode("ascii")


def record_interchange(session: Session, *, control: ControlNumbers, file_name: str,
                       data: bytes | AsciiText, created_at: datetime,
                       claims: Sequence[WrittenClaim],
                       file_path: Path | None = None,
                       staged_path: Path | None = None) -> Interchange:
    """Record one interchange with its claims and lines (bulk inserts of RECORD_CHUNK claims
    at a time, reading `claims` once: a spooled batch stays flat in memory), each claim's
    first part carrying the submission's identity (UNIQUE: a second copy of a submission
    cannot be recorded). With `staged_path` it is recorded as "writing" until
    `recovery.mark_written`. `created_at` must be timezone-aware UTC."""
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    interchange = Interchange(
        control_number=control.isa13, file_name=file_name,
        file_hash=data.sha256 if isinstance(data, AsciiText) else file_sha256(data),
        created_at=created_at, claim_count=0, line_count=0, total_charge=Decimal("0"),
        state="writing" if staged_path is not None else "written",
        file_path=str(file_path) if file_path is not None else None,
        staged_path=str(staged_path) if staged_path is not None else None,
        writer=writer_id() if staged_path is not None else None,
    )
    try:
        session.add(interchange)
        session.flush()
        assert interchange.id is not None
        claim_count = line_count = 0
        total = Decimal("0")
        stored_json: dict[str, str] = {}  # the parts of one claim share its encounter
        chunk: list[WrittenClaim] = []
        for w in claims:
            chunk.append(w)
            if len(chunk) == RECORD_CHUNK:
                _record_claims(session, interchange.id, created_at, chunk, stored_json)
                chunk = []
            claim_count += 1
            line_count += len(w.part.lines)
            total += w.part.total_charge
        if chunk:
            _record_claims(session, interchange.id, created_at, chunk, stored_json)
        interchange.claim_count, interchange.line_count = claim_count, line_count
        interchange.total_charge = total
        session.flush()
    except IntegrityError as exc:
        if "submission_key" in str(exc.orig):
            raise StoreError(f"cannot record interchange {control.isa13:09d}: a claim in it "
                             "is already recorded as sent (the store refused a second copy)"
                             ) from None
        raise StoreError(f"cannot record interchange {control.isa13:09d}: {exc.orig}") from None
    except OperationalError as exc:
        raise as_store_error(exc, f"cannot record interchange {control.isa13:09d}: ") from None
    return interchange


RECORD_CHUNK = 1000  # claims recorded per round of inserts


def _record_claims(session: Session, interchange_id: int, created_at: datetime,
                   claims: Sequence[WrittenClaim], stored_json: dict[str, str]) -> None:
    released = released_originals(session, {w.part.claim.claim_id for w in claims})
    claim_rows: list[dict[str, Any]] = []
    for w in claims:
        enc = w.part.claim.encounter
        if w.part.part == 1:  # a claim's parts are written one after the other
            stored_json.clear()
        if enc.claim_id not in stored_json:
            stored_json[enc.claim_id] = encounter_json(w.part.claim)
        claim_rows.append({
            "interchange_id": interchange_id, "claim_id": w.part.clm01,
            "encounter_claim_id": enc.claim_id, "payer": w.guide.name,
            "payer_id": w.guide.payer_id, "frequency": enc.frequency,
            "payer_claim_number": enc.payer_claim_number,
            "date_of_service": enc.date_of_service, "total_charge": w.part.total_charge,
            "group_control_number": w.group_control_number,
            "transaction_control_number": w.transaction_control_number,
            "encounter_json": stored_json[enc.claim_id], "submitted_at": created_at,
            "submission_key": submission_identity(w.part.claim) if w.part.part == 1
            else None,
            "follows_id": released.get(enc.claim_id) if enc.frequency == "1"
            and w.part.part == 1 and enc.payer_order == "P" else None,
            "payer_order": enc.payer_order, "next_payer": next_payer(enc),
        })
    ids = session.execute(
        insert(SubmittedClaim).returning(col(SubmittedClaim.id), col(SubmittedClaim.claim_id),
                                         sort_by_parameter_order=True),
        claim_rows,
    ).all()
    row_id = {claim_id: row_id for row_id, claim_id in ids}
    links = [{"claim_row_id": row_id[r["claim_id"]], "rejected_claim_row_id": r["follows_id"]}
             for r in claim_rows if r["follows_id"] is not None]
    if links:  # a new original after a rejection: `claims status` shows the link
        session.execute(insert(ClaimResubmission), links)
    line_rows: list[dict[str, Any]] = []
    for w in claims:
        dos = w.part.claim.encounter.date_of_service
        for line in w.part.lines:
            line_rows.append({
                "claim_row_id": row_id[w.part.clm01], "line_number": line.line,
                "line_control_number": line.line_control_number, "code": line.code,
                "modifiers": ":".join(line.modifiers), "units": line.units,
                "charge": line.charge, "date_of_service": dos,
                "diagnosis_pointers": ":".join(str(p) for p in line.diagnosis_pointers),
                "ndc": line.drug.ndc if line.drug else None,
                "procedure_index": line.procedure,
            })
    if line_rows:
        session.execute(insert(SubmittedLine), line_rows)


# ------------------------------------------------------------------ the whole submission


@frozen
class SubmitResult:
    out_path: Path | None  # None when every claim was held (nothing written)
    interchange_control_number: int | None
    claims: Sequence[WrittenClaim]  # a tuple; read from the spool for a large batch
    held: tuple[HeldClaim, ...]
    file_hash: str | None
    segment_count: int
    warnings: tuple[HeldClaim, ...] = ()  # claims written that a biller should look at
    recovered: tuple[str, ...] = ()  # interrupted earlier runs this run settled first

    @property
    def line_count(self) -> int:
        return sum(len(w.part.lines) for w in self.claims)

    @property
    def total_charge(self) -> Decimal:
        return sum((w.part.total_charge for w in self.claims), Decimal("0"))


# Called inside the submission's transaction, after its rows are recorded and before the
# commit, with the interchange's ISA13 and the claim ids written: what must be recorded
# together with the submission (e.g. the denials a correction answers) goes here.
# When nothing is written it is called with ISA13 0 and no claim ids (what a hook did
# before the check can be undone there).
BeforeCommit = Callable[[Session, int, frozenset[str]], None]
# Called under the submission lock before the already-sent check (e.g. to release a claim
# the payer returned unprocessable, so its new original is not held as a duplicate).
BeforeCheck = Callable[[Session], None]


def submit_claims(coded: Sequence[CodedClaim], practice: Practice, out_path: str | Path, *,
                  url: str | None = None, now: datetime | None = None,
                  newlines: bool = True, before_commit: BeforeCommit | None = None,
                  before_check: BeforeCheck | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  stream: BinaryIO | None = None) -> SubmitResult:
    """Write `coded` claims (originals, replacements with frequency 7 + REF*F8, voids 8) as
    one 837P at `out_path`, validated by pyx12 and our checks, with control numbers from
    the store, and record the interchange, claims and lines. Claims already sent are held
    (the check runs under the submission lock, in the transaction that records); claims
    that cannot go out are held with reasons (in the result), never written. A crash at
    any point leaves the file in place and recorded, or nothing recorded, once the next
    submission has settled it (`reconcile.store.recovery`). Same claims + same store state
    + same `now` -> same bytes. `progress(segments validated, segments in all)` follows the
    validation. With `stream` (standard output) the 837P goes there instead of to a file:
    recorded by its content hash under the name `<stdout>`, with no path; it is written
    after the records commit, and a failed write takes the records back."""
    when = utc(now)
    out = Path(STDOUT_NAME) if stream is not None else Path(out_path)
    engine = get_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        pending: AtomicFile | None = None
        try:
            lock_submissions(session)  # the check below and the record are one step
            recovered = tuple(recover_interrupted(session))
            if before_check is not None:
                before_check(session)
            sent = already_sent(session, coded)
            prepared = prepare(coded, when, sent)
            if not prepared.parts:
                if before_commit is not None:
                    before_commit(session, 0, frozenset())
                session.commit()  # what recovery settled
                return SubmitResult(None, None, (), prepared.held, None, 0,
                                    recovered=recovered)
            control = next_control_numbers(session, groups=len(prepared.groups),
                                           transactions=prepared.transaction_count)
            # pyx12 validates in worker processes while this process stages the file and
            # records the rows (uncommitted): nothing commits before `validated` passes
            rendered, validation = render_started(prepared, practice, control, when,
                                                  newlines=newlines, source=str(out),
                                                  progress=progress)
            try:
                data = AsciiText(rendered.text, out)
                if stream is not None:  # validated before a byte goes to stdout
                    validated(validation, str(out))
                    interchange = record_interchange(session, control=control,
                                                     file_name=STDOUT_NAME, data=data,
                                                     created_at=when, claims=rendered.claims)
                    if before_commit is not None:
                        before_commit(session, control.isa13,
                                      frozenset(w.part.claim.claim_id for w in rendered.claims))
                    session.commit()
                    _to_stream(engine, interchange, stream, data)
                    return SubmitResult(out, control.isa13, rendered.claims, prepared.held,
                                        data.sha256, rendered.segment_count,
                                        prepared.warnings, recovered)
                # Order: temp file written and synced -> rows committed as "writing" ->
                # rename -> "written". A crash between commit and rename leaves rows that
                # name the synced temporary: the next run finishes the rename (recovery).
                pending = AtomicFile(out, data)
                assert pending.tmp is not None
                interchange = record_interchange(session, control=control,
                                                 file_name=out.name, data=data,
                                                 created_at=when, claims=rendered.claims,
                                                 file_path=out.resolve(),
                                                 staged_path=pending.tmp.resolve())
            except BaseException:
                validation.cancel()
                raise
            validated(validation, str(out))
            if before_commit is not None:
                before_commit(session, control.isa13,
                              frozenset(w.part.claim.claim_id for w in rendered.claims))
            session.commit()
        except BaseException as exc:
            session.rollback()
            if pending is not None:
                pending.rollback()
            if isinstance(exc, SQLAlchemyError):  # e.g. the server went away at commit
                raise as_store_error(exc, f"{out}: not written, the store failed: ") from None
            if isinstance(exc, OSError):
                raise EdiError(f"{out}: not written: {exc.strerror or exc}") from None
            raise
    assert interchange.id is not None
    try:
        pending.commit()
    except OSError as exc:
        pending.rollback()
        with Session(engine) as session:
            forget_interchange(session, interchange.id)
            session.commit()
        raise EdiError(f"{out}: not written: {exc.strerror or exc} (its store record was "
                       "removed; its control numbers stay used)") from None
    try:
        with Session(engine) as session:
            mark_written(session, interchange.id)
            session.commit()
    except SQLAlchemyError:
        pass  # the file is in place and recorded; the next run confirms it (recovery)
    return SubmitResult(out, control.isa13, rendered.claims, prepared.held, data.sha256,
                        rendered.segment_count, prepared.warnings, recovered)


STDOUT_NAME = "<stdout>"  # the file name recorded for an 837P written to standard output


def _to_stream(engine: Any, interchange: Interchange, stream: BinaryIO,
               data: AsciiText) -> None:
    """Write a recorded 837P to a stream; a failed write (a closed pipe) takes its record
    back, so the store never says a file went out that nobody received."""
    assert interchange.id is not None
    try:
        for chunk in data:
            stream.write(chunk)
        stream.flush()
    except (OSError, ValueError) as exc:
        with Session(engine) as session:
            forget_interchange(session, interchange.id)
            session.commit()
        raise EdiError(f"{STDOUT_NAME}: not written: {getattr(exc, 'strerror', None) or exc} "
                       "(its store record was removed; its control numbers stay used)") from None
