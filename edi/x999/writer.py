"""Writing 999s from the model (for tests, samples and trading-partner simulations).

    group = answer_group("1", "005010X222A1", [accept("0001"), reject("0002", [error])])
    text = render_999([group], sender="EXCLEARINGHSE", receiver="SPRDERM01", control=7,
                      when=datetime(2026, 4, 1, 9, 0))

`answer_group` sets AK9 the way 005010X231A1 defines it: A when every set is accepted
(E when one was accepted with errors), R when none is, P (partially accepted) otherwise,
with AK902..AK904 counted. `render_999` writes one interchange, one FA group and one ST
per answered group; what `edi.x999.reader` reads back equals what went in.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from edi.acks import isa_text
from edi.x12.delimiters import Delimiters
from edi.x12.emit import SegmentEmitter
from edi.x999.model import GroupAck, SegmentError, TransactionSetAck

__all__ = ["accept", "answer_group", "reject", "render_999"]

VERSION = "005010X231A1"


def accept(control_number: str, convention: str = "005010X222A1", *,
           with_errors: bool = False) -> TransactionSetAck:
    return TransactionSetAck("837", control_number, convention, "E" if with_errors else "A",
                             (), 0)


def reject(control_number: str, segment_errors: Sequence[SegmentError] = (),
           error_codes: Sequence[str] = ("5",),
           convention: str = "005010X222A1") -> TransactionSetAck:
    """IK5*R; IK502 5 = one or more segments in error (the usual companion of IK3s)."""
    return TransactionSetAck("837", control_number, convention, "R", tuple(error_codes), 0,
                             tuple(segment_errors))


def answer_group(group_control_number: str, version: str,
                 sets: Sequence[TransactionSetAck], *, included: int | None = None,
                 error_codes: Sequence[str] = ()) -> GroupAck:
    n = included if included is not None else len(sets)
    accepted = sum(1 for s in sets if s.accepted) + (n - len(sets))
    if accepted == n:
        code = "E" if any(s.code == "E" for s in sets) else "A"
    elif accepted == 0:
        code = "R"
    else:
        code = "P"
    return GroupAck("HC", group_control_number, version, code, n, n, accepted,
                    tuple(error_codes), 0, tuple(sets))


def render_999(groups: Sequence[GroupAck], *, sender: str, receiver: str, control: int,
               when: datetime, first_transaction: int = 1, usage: str = "P",
               delimiters: Delimiters | None = None, newlines: bool = True) -> str:
    d = delimiters or Delimiters()
    buf = io.StringIO()
    out = SegmentEmitter(buf.write, d, newlines=newlines)
    out.raw(isa_text(d, sender=sender, receiver=receiver, control=control, when=when,
                     usage=usage))
    out.segment("GS", "FA", sender, receiver, when.strftime("%Y%m%d"), when.strftime("%H%M"),
                str(control), "X", VERSION)
    for index, group in enumerate(groups):
        st02 = f"{first_transaction + index:04d}"
        out.reset_count()
        out.segment("ST", "999", st02, VERSION)
        out.segment("AK1", group.functional_id, group.group_control_number, group.version)
        for t in group.transactions:
            out.segment("AK2", t.transaction_set_id, t.control_number, t.convention)
            for s in t.segment_errors:
                out.segment("IK3", s.segment_id, _num(s.position), s.loop, s.code)
                for c in s.context:
                    out.segment("CTX", *_composites(c))
                for e in s.elements:
                    out.segment("IK4", (_num(e.position), _num(e.component),
                                        _num(e.repetition)), e.element_reference, e.code)
                    for c in e.context:
                        out.segment("CTX", *_composites(c))
            out.segment("IK5", t.code, *t.error_codes)
        out.segment("AK9", group.code, _num(group.included), _num(group.received),
                    _num(group.accepted_count), *group.error_codes)
        out.segment("SE", str(out.count + 1), st02)
    out.segment("GE", str(len(groups)), str(control))
    out.segment("IEA", "1", f"{control:09d}")
    return buf.getvalue()


def _composites(context: str) -> list[tuple[str, ...]]:
    return [tuple(part.split(":")) for part in context.split("*")]


def _num(value: int | None) -> str:
    return "" if value is None else str(value)
