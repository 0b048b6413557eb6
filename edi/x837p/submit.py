"""From coded claims to a validated 837P text: hold, split, group, render, check.

The store-free half of submission. `reconcile.store.submissions.submit_claims` wraps it
with control numbers from the store, the record of what was sent and the atomic file
write (edi never imports reconcile).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from attrs import frozen

from coding.model import CodedClaim
from coding.spool import spilled
from companion_guides import Guide, GuideError, get_guide
from edi.atomic import put_in_place, stage
from edi.errors import EdiError
from edi.practice import Practice
from edi.validate import PendingValidation, Progress, ValidationReport, start_validation
from edi.x837p.checks import claim_problems
from edi.x837p.envelope import (
    ControlNumbers,
    Group,
    Parts,
    guides_of,
    interchange_receiver,
    plan,
    usage_indicator,
)
from edi.x837p.split import ClaimPart, split_claim
from edi.x837p.writer import Rendered, render_interchange

__all__ = ["HeldClaim", "Prepared", "prepare", "render_validated", "render_started", "validated",
           "utc", "AtomicFile"]


@frozen
class HeldClaim:
    claim_id: str
    source: str | None  # the encounter file
    reasons: tuple[str, ...]

    def describe(self, verb: str = "held") -> str:
        head = f"{self.source}: " if self.source else ""
        return f"{head}claim {self.claim_id} {verb}: " + "; ".join(self.reasons)


@frozen
class Prepared:
    parts: Sequence[tuple[Guide, ClaimPart]]  # a tuple; spooled `Parts` for a large batch
    held: tuple[HeldClaim, ...]
    groups: tuple[Group, ...]
    warnings: tuple[HeldClaim, ...] = ()  # written, but a biller should look (same shape)

    @property
    def transaction_count(self) -> int:
        return sum(len(g.transactions) for g in self.groups)


def utc(now: datetime | None) -> datetime:
    """The file time: given (naive = UTC) or the current time, in UTC, to the minute's
    second (ISA/GS carry minutes; the store keeps seconds)."""
    if now is None:
        return datetime.now(UTC).replace(microsecond=0)
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)


def prepare(coded: Sequence[CodedClaim], now: datetime,
            already_sent: Mapping[str, str] | None = None) -> Prepared:
    """Hold what cannot go out (with reasons), split what is too long, group by receiver
    and payer. `already_sent` maps the claim ids whose submission (the original, the same
    replacement, the same void: `reconcile.store.sent`) is already recorded to where they
    went: a second copy gets a duplicate-claim denial (CARC 18), so it is held."""
    # claims that came from a spilled spool go to one (flat in the batch size); a list the
    # caller holds in memory anyway stays in memory
    parts = Parts(limit=None if spilled(coded) else sys.maxsize)
    held: list[HeldClaim] = []
    warnings: list[HeldClaim] = []
    seen: dict[str, str | None] = {}
    for claim in coded:
        enc = claim.encounter
        try:
            guide = get_guide(claim.payer)
        except GuideError as exc:
            held.append(HeldClaim(enc.claim_id, enc.source, (str(exc),)))
            continue
        reasons = claim_problems(claim, guide, now)
        if enc.claim_id in seen:
            reasons.append(f"claim id {enc.claim_id} is also used by "
                           f"{seen[enc.claim_id] or 'another encounter'} in this batch")
        seen.setdefault(enc.claim_id, enc.source)
        if already_sent and enc.claim_id in already_sent:
            reasons.append(_already_sent_reason(enc.frequency, enc.payer_claim_number,
                                                already_sent[enc.claim_id]))
        if reasons:
            held.append(HeldClaim(enc.claim_id, enc.source, tuple(reasons)))
            continue
        age = (now.date() - enc.date_of_service).days
        if enc.frequency == "1" and age > guide.timely_filing_days:
            # Sent anyway: the practice may hold proof of timely filing (CARC 29 otherwise).
            warnings.append(HeldClaim(enc.claim_id, enc.source, (
                f"{age} days after the date of service, past {guide.name}'s timely filing "
                f"limit of {guide.timely_filing_days} days: expect a CARC 29 denial unless "
                "you have proof of timely filing",)))
        claim_parts = split_claim(claim, guide.max_lines_per_claim,
                                  guide.max_diagnoses_per_claim)
        if len(claim_parts) > 1 and enc.frequency in ("7", "8"):
            # One REF*F8 names one payer claim: a replacement cannot fan out into parts.
            held.append(HeldClaim(enc.claim_id, enc.source, (
                f"a replacement or void replaces one claim, but this one needs "
                f"{len(claim_parts)} claims (over {guide.name}'s limit of "
                f"{guide.max_lines_per_claim} lines or {guide.max_diagnoses_per_claim} "
                "diagnoses): replace each part of the original separately",)))
            continue
        for part in claim_parts:
            parts.append(guide, part)
    kept: Sequence[tuple[Guide, ClaimPart]] = parts if parts.parts.spilled else tuple(parts)
    return Prepared(parts=kept, held=tuple(held), groups=tuple(plan(parts)),
                    warnings=tuple(warnings))


def _already_sent_reason(frequency: str, payer_claim_number: str | None, where: str) -> str:
    if frequency == "7":
        return (f"this replacement of payer claim {payer_claim_number} was already sent "
                f"{where}; a second copy would be denied as a duplicate (change the claim to "
                "send a new correction)")
    if frequency == "8":
        return (f"the void of payer claim {payer_claim_number} was already sent {where}")
    return (f"already sent {where}; send a replacement (frequency 7 with the payer's claim "
            "number) to change it")


def render_validated(prepared: Prepared, practice: Practice, control: ControlNumbers,
                     now: datetime, *, newlines: bool = True, source: str = "<837P>",
                     progress: Progress | None = None) -> tuple[Rendered, ValidationReport]:
    """Render and validate (pyx12 plus our checks). Raises EdiError, listing the problems,
    if what we wrote is not clean: nothing may go out that the guide would reject."""
    rendered, pending = render_started(prepared, practice, control, now, newlines=newlines,
                                       source=source, progress=progress)
    return rendered, validated(pending, source)


def render_started(prepared: Prepared, practice: Practice, control: ControlNumbers,
                   now: datetime, *, newlines: bool = True, source: str = "<837P>",
                   progress: Progress | None = None) -> tuple[Rendered, PendingValidation]:
    """`render_validated` in two steps: the text, with its validation under way (pyx12 in
    worker processes for a large file), so the caller can record it meanwhile; nothing
    may be committed or sent before `validated(pending)` has returned."""
    guides = guides_of(prepared.parts)
    rendered = render_interchange(
        prepared.groups, practice, control, now,
        receiver=interchange_receiver(practice, prepared.groups, guides),
        usage=usage_indicator(guides), newlines=newlines,
    )
    return rendered, start_validation(rendered.text, source, progress=progress)


def validated(pending: PendingValidation, source: str = "<837P>") -> ValidationReport:
    """The report of a validation `render_started` began; EdiError, listing the problems,
    when what we wrote is not clean."""
    report = pending.result()
    if not report.ok:
        shown = "\n  ".join(f.describe() for f in report.errors[:20])
        more = len(report.errors) - 20
        raise EdiError(f"{source}: the 837P written failed validation, nothing was saved "
                       f"({len(report.errors)} problems):\n  {shown}"
                       + (f"\n  ... and {more} more" if more > 0 else ""))
    return report


class AtomicFile:
    """The 837P staged beside `path` (hidden temporary, 0600, synced: `edi.atomic.stage`),
    making any missing folders; `commit()` renames it into place in one step (the file it
    replaces is gone only once the new one is whole), `rollback()` removes the temporary
    and the folders it made."""

    def __init__(self, path: Path, data: bytes | Iterable[bytes]):
        self.path = path
        self.created: list[Path] = []  # folders made for the file, removed on rollback
        folder = path.parent if str(path.parent) else Path(".")
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        for p in reversed(missing):
            try:
                p.mkdir()
            except OSError as exc:
                self._remove_created()
                raise EdiError(f"{path}: cannot create folder {p}: {exc.strerror}") from None
            self.created.append(p)
        if not folder.is_dir():
            raise EdiError(f"{path}: {folder} is not a folder")
        try:
            self.tmp: Path | None = stage(path, data)
        except OSError:
            self._remove_created()
            raise

    def commit(self) -> None:
        assert self.tmp is not None
        put_in_place(self.tmp, self.path)
        self.tmp = None
        self.created = []

    def rollback(self) -> None:
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            self.tmp = None
        self._remove_created()

    def _remove_created(self) -> None:
        for folder in reversed(self.created):
            try:
                folder.rmdir()
            except OSError:
                break
        self.created = []
