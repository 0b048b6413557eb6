"""Writing 277CAs from the model (for tests, samples and trading-partner simulations).

    claim = ClaimAck("DC-1001", (status("A7", "562", "85", when),), "PCN1", None, dos, dos,
                     "1234567893", 0)
    text = render_277([claim], source=("PR", "MEDICARE PART B", "PI", "12502"),
                      receiver="SPRDERM01", control=9, when=datetime(2026, 4, 2, 8, 0))

One interchange, one HN group, one ST: HL 20 (the source), HL 21 (the receiver, with an
A1:20 batch status counting the claims), one HL 19 per billing provider, one HL PT per
claim with TRN*2 = its claim id, its STCs, REF*1K / REF*D9, DTP*472 and the service lines
(SVC, STC, REF*FJ, DTP*472). `edi.x277.reader` reads back what went in.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from edi.acks import isa_text
from edi.x12.delimiters import Delimiters
from edi.x12.emit import SegmentEmitter, ccyymmdd, money
from edi.x277.model import ClaimAck, LineAck, Status, StatusCode

__all__ = ["render_277", "status"]

VERSION = "005010X214"


def status(category: str, code: str, entity: str = "", when: date | None = None,
           charge: Decimal | None = None, *, action: str = "") -> Status:
    """One STC; the action code (STC03) is WQ for an accepted status, U for a rejected one."""
    rejected = category in ("A3", "A4", "A6", "A7", "A8")
    return Status((StatusCode(category, code, entity),), when, action or ("U" if rejected
                                                                          else "WQ"),
                  charge, None, 0)


def render_277(claims: Sequence[ClaimAck], *, source: tuple[str, str, str, str],
               receiver: str, control: int, when: datetime, sender: str = "",
               usage: str = "P", delimiters: Delimiters | None = None,
               newlines: bool = True) -> str:
    """`source` = (NM101 entity, name, NM108 qualifier, NM109 id) of the answering party."""
    d = delimiters or Delimiters()
    buf = io.StringIO()
    out = SegmentEmitter(buf.write, d, newlines=newlines)
    sender_id = sender or source[3]
    day = ccyymmdd(when)
    out.raw(isa_text(d, sender=sender_id, receiver=receiver, control=control, when=when,
                     usage=usage))
    out.segment("GS", "HN", sender_id, receiver, day, when.strftime("%H%M"), str(control),
                "X", VERSION)
    out.reset_count()
    st02 = f"{control:04d}"
    out.segment("ST", "277", st02, VERSION)
    out.segment("BHT", "0085", "08", f"{control}", day, when.strftime("%H%M"), "TH")
    out.segment("HL", "1", "", "20", "1")
    out.segment("NM1", source[0], "2", source[1], "", "", "", "", source[2], source[3])
    out.segment("TRN", "1", str(control))
    out.segment("DTP", "050", "D8", day)
    out.segment("DTP", "009", "D8", day)
    out.segment("HL", "2", "1", "21", "1")
    out.segment("NM1", "41", "2", receiver, "", "", "", "", "46", receiver)
    out.segment("TRN", "2", str(control))
    total = sum((c.statuses[0].charge or Decimal(0) for c in claims if c.statuses),
                Decimal(0))
    out.segment("STC", ("A1", "20"), day, "WQ", money(total))
    out.segment("QTY", "90", str(len(claims)))
    out.segment("AMT", "YU", money(total))
    hl = 2
    providers: dict[str, list[ClaimAck]] = {}
    for c in claims:
        providers.setdefault(c.provider_id, []).append(c)
    for npi, mine in providers.items():
        hl += 1
        provider_hl = hl
        out.segment("HL", str(hl), "2", "19", "1")
        out.segment("NM1", "85", "2", "BILLING PROVIDER", "", "", "", "", "XX", npi)
        out.segment("TRN", "1", f"{control}-{provider_hl}")
        for c in mine:
            hl += 1
            out.segment("HL", str(hl), str(provider_hl), "PT")
            out.segment("NM1", "QC", "1", "PATIENT", "", "", "", "", "MI", "UNKNOWN")
            out.segment("TRN", "2", c.claim_id)
            for s in c.statuses:
                _stc(out, s)
            if c.payer_claim_number:
                out.segment("REF", "1K", c.payer_claim_number)
            if c.clearinghouse_trace:
                out.segment("REF", "D9", c.clearinghouse_trace)
            _service_date(out, c.service_from, c.service_to)
            for line in c.lines:
                _line(out, line)
    out.segment("SE", str(out.count + 1), st02)
    out.segment("GE", "1", str(control))
    out.segment("IEA", "1", f"{control:09d}")
    return buf.getvalue()


def _stc(out: SegmentEmitter, s: Status) -> None:
    first, *more = [(c.category, c.status, c.entity, c.code_list) for c in s.codes]
    extra: list[object] = ["", "", "", "", ""]  # STC05..STC09
    elements: list[object] = [first, ccyymmdd(s.effective) if s.effective else "", s.action,
                              money(s.charge) if s.charge is not None else ""]
    if more or s.message:
        elements += extra
        elements += [more[0] if more else "", more[1] if len(more) > 1 else "", s.message]
    out.segment("STC", *elements)  # type: ignore[arg-type]


def _service_date(out: SegmentEmitter, start: date | None, end: date | None) -> None:
    if start is None:
        return
    if end is None or end == start:
        out.segment("DTP", "472", "D8", ccyymmdd(start))
    else:
        out.segment("DTP", "472", "RD8", f"{ccyymmdd(start)}-{ccyymmdd(end)}")


def _line(out: SegmentEmitter, line: LineAck) -> None:
    out.segment("SVC", (line.qualifier, line.code, *line.modifiers),
                money(line.charge) if line.charge is not None else "0", "0", "", "", "",
                str(line.units) if line.units is not None else "")
    for s in line.statuses:
        _stc(out, s)
    if line.control_number:
        out.segment("REF", "FJ", line.control_number)
    _service_date(out, line.service_date, line.service_date)
