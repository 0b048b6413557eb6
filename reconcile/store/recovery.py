"""Finishing or rolling back an 837 submission that a crash interrupted.

A submission writes in this order (reconcile.store.submissions.submit_claims):

1. the 837 staged beside its target (hidden temporary, synced to disk);
2. the interchange, claims and lines committed with `state = "writing"`, the target's and
   the temporary's paths, the file's sha256 and the writing run (host:pid:start);
3. the temporary renamed over the target (one atomic step; the folder synced);
4. `state = "written"`.

A crash before 2 leaves nothing recorded (and at most a hidden temporary of a process that
is gone, which the next write to that folder removes). A crash after 2 leaves a "writing"
interchange whose run is gone; the next submission, under the submission lock, settles it
before anything else (`recover_interrupted`): the target holding the recorded bytes ->
recorded as written; the temporary still holding them -> put in place, then written; neither
-> the records are removed (the claims were never in a file: they may be sent again; the
control numbers stay used). Every outcome is reported in one line.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from edi.atomic import put_in_place
from reconcile.store.models import Interchange, SubmittedClaim, SubmittedLine
from reconcile.store.remit_models import Denial

__all__ = ["forget_interchange", "mark_written", "recover_interrupted", "writer_id"]

# A run on another machine cannot be asked whether it is alive; one still "writing" after
# this long (the window is the length of a rename) was interrupted.
FOREIGN_STALE_SECONDS = 15 * 60


def writer_id() -> str:
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{int(time.time())}"


def _writer_alive(writer: str | None) -> bool:
    if not writer:
        return False
    parts = writer.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return False
    host, pid, started = parts[0], int(parts[1]), int(parts[2])
    if host != socket.gethostname()[:50]:
        return time.time() - started < FOREIGN_STALE_SECONDS
    if pid == os.getpid():
        return True  # another thread of this process, mid-rename
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def recover_interrupted(session: Session) -> list[str]:
    """Settle every "writing" interchange whose run is gone (call under the submission
    lock, in the transaction that goes on to submit). Returns one line per interchange."""
    said: list[str] = []
    rows = session.execute(select(Interchange).where(col(Interchange.state) == "writing")
                           .order_by(col(Interchange.control_number))).scalars().all()
    for ic in rows:
        if _writer_alive(ic.writer):
            continue
        assert ic.id is not None
        name = f"interchange {ic.control_number:09d} ({ic.claim_count} claims)"
        target = Path(ic.file_path) if ic.file_path else None
        staged = Path(ic.staged_path) if ic.staged_path else None
        if target is not None and _sha256(target) == ic.file_hash:
            if staged is not None:
                staged.unlink(missing_ok=True)
            mark_written(session, ic.id)
            said.append(f"{name}: a run was interrupted after writing {target}; the file is "
                        "whole and now recorded as written")
        elif target is not None and staged is not None and _sha256(staged) == ic.file_hash:
            try:
                put_in_place(staged, target)
            except OSError as exc:
                said.append(f"{name}: a run was interrupted before putting {target} in place, "
                            f"and it still cannot be: {exc.strerror or exc}; try again")
                continue
            mark_written(session, ic.id)
            said.append(f"{name}: a run was interrupted before putting {target} in place; "
                        "finished: the file is now there and recorded as written")
        else:
            forget_interchange(session, ic.id)
            if staged is not None:
                staged.unlink(missing_ok=True)
            said.append(f"{name}: a run was interrupted and its file {target} is gone; its "
                        "records were removed (its claims can be sent again; its control "
                        "numbers stay used)")
    return said


def mark_written(session: Session, interchange_id: int) -> None:
    session.execute(update(Interchange).where(col(Interchange.id) == interchange_id)
                    .values(state="written", staged_path=None))


def forget_interchange(session: Session, interchange_id: int) -> None:
    """Remove a recorded interchange whose file never got in place (numbers stay used);
    the denials it was to correct are open again."""
    control = session.execute(select(col(Interchange.control_number))
                              .where(col(Interchange.id) == interchange_id)).scalar_one()
    session.execute(update(Denial).where(col(Denial.corrected_in) == control)
                    .values(corrected_in=None))
    claim_ids = select(col(SubmittedClaim.id)).where(
        col(SubmittedClaim.interchange_id) == interchange_id)
    session.execute(delete(SubmittedLine).where(col(SubmittedLine.claim_row_id)
                                                .in_(claim_ids)))
    session.execute(delete(SubmittedClaim).where(
        col(SubmittedClaim.interchange_id) == interchange_id))
    session.execute(delete(Interchange).where(col(Interchange.id) == interchange_id))
