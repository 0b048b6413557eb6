"""The 835 state machine behind `edi.x835.reader`: segments in (from the tokenizer),
model objects out. Loop structure comes from the tables of `loops.py`, element positions
from `segments.py`; the claim and line loops are collected by `claims.py`, the header and
payer/payee loops by `header.py`. See `reader.py` for the public functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TextIO

from edi.errors import X12SyntaxError, shown_code, shown_id
from edi.x12.delimiters import is_padded
from edi.x12.tokenizer import X12Tokenizer
from edi.x835 import segments as s
from edi.x835.balance import transaction_finding
from edi.x835.claims import ClaimParts, LineParts
from edi.x835.header import HeaderParts, PartyParts
from edi.x835.loops import (
    CLAIM,
    ENV,
    HEADER,
    HEADER_NUMBER,
    HOME_LOOP,
    KNOWN_SEGMENTS,
    LINE,
    LOOP_NAMES,
    LOOP_TRIGGERS,
    PARTY,
    SUMMARY,
)
from edi.x835.model import (
    ClaimPayment,
    Envelope,
    FindingKind,
    PlbItem,
    ProviderAdjustment,
    RemitFinding,
    RemittanceHeader,
    RemittanceTrailer,
)

Item = RemittanceHeader | ClaimPayment | RemittanceTrailer
Handler = Callable[[int, list[str]], None]
ZERO = Decimal(0)


class Reader835:
    """One pass over one stream; `__iter__` yields the model objects."""

    def __init__(self, stream: TextIO, source: str | None, strict: bool) -> None:
        self.source = source
        self.tok = X12Tokenizer(stream, source=source, strict=strict, read_through_counts=True)
        self.out: list[Item] = []
        self.shared = s.SharedValues(source)
        self.loop = ENV
        self.isa: list[str] = []
        self.envelope: Envelope | None = None
        self.interchange_notes: list[RemitFinding] = []
        self.carried: list[RemitFinding] = []
        self.findings: list[RemitFinding] = []
        self.head: HeaderParts | None = None
        self.party: PartyParts | None = None
        self.claim: ClaimParts | None = None
        self.line: LineParts | None = None
        self.pending: dict[str, object] | None = None
        # bound once: `self.note` as an argument would build a bound method per segment
        self.notes: s.Notes = self.note
        self._reset_totals()
        self.members: dict[str, dict[str, Handler]] = {
            ENV: {"ISA": self._isa, "GS": self._gs, "GE": self._skip, "IEA": self._iea,
                  "TA1": self._skip},
            HEADER: {"BPR": self._bpr, "TRN": self._trn, "CUR": self._skip,
                     "REF": self._header_ref, "DTM": self._header_dtm},
            PARTY: {"N2": self._skip, "N3": self._n3, "N4": self._n4, "REF": self._party_ref,
                    "PER": self._per, "RDM": self._skip},
            HEADER_NUMBER: {"TS3": self._skip, "TS2": self._skip},
            CLAIM: {"CAS": self._claim_cas, "NM1": self._nm1, "MIA": self._mia,
                    "MOA": self._moa, "REF": self._claim_ref, "DTM": self._claim_dtm,
                    "PER": self._skip, "AMT": self._claim_amt, "QTY": self._claim_qty},
            LINE: {"DTM": self._line_dtm, "CAS": self._line_cas, "REF": self._line_ref,
                   "AMT": self._line_amt, "QTY": self._line_qty, "LQ": self._lq},
            SUMMARY: {},
        }
        self.openers: dict[str, Handler] = {
            "ST": self._st, "N1": self._n1, "LX": self._lx, "CLP": self._clp,
            "SVC": self._svc, "PLB": self._plb, "SE": self._se,
        }

    def _reset_totals(self) -> None:
        self.claim_count = 0
        self.line_count = 0
        self.total_paid = ZERO
        self.total_adjusted = ZERO
        self.plbs: list[ProviderAdjustment] = []
        self.unsummed: list[int] = []  # claims whose SVC02s do not add up to CLP03

    # ---- driver ----
    def __iter__(self) -> Iterator[Item]:
        out = self.out
        members = self.members[ENV]
        for first, segments in self.tok.runs():
            for number, elements in enumerate(segments, first):
                sid = elements[0]
                handler = members.get(sid)
                if handler is None:
                    trigger = LOOP_TRIGGERS.get(sid)
                    if trigger is None or self.loop not in trigger.after:
                        self._misplaced(number, sid)
                        continue
                    self.openers[sid](number, elements)
                    self.loop = trigger.opens
                    members = self.members[self.loop]
                else:
                    handler(number, elements)
                if out:
                    yield from out
                    out.clear()
        self._flush_trailer(None)
        yield from out

    def note(self, number: int, sid: str, message: str) -> None:
        claim = self.claim.claim_id if self.claim is not None else None
        self.findings.append(RemitFinding(FindingKind.DEFECT, message, number, sid, claim))

    def _error(self, message: str, number: int, sid: str) -> X12SyntaxError:
        loop = self.loop if self.loop[0].isdigit() else None  # X12 loop ids: 1000, 2100...
        return X12SyntaxError(message, source=self.source, segment_number=number,
                              segment_id=sid, loop=loop)

    def _misplaced(self, number: int, sid: str) -> None:
        if sid not in KNOWN_SEGMENTS:
            self.note(number, shown_id(sid) or "", f"segment {shown_id(sid)} is not part of an "
                      "835; skipped")
            return
        trigger = LOOP_TRIGGERS.get(sid)
        if trigger is not None:
            after = ", ".join(LOOP_NAMES[loop] for loop in sorted(trigger.after))
            raise self._error(
                f"{sid} ({trigger.meaning}) cannot appear in {LOOP_NAMES[self.loop]}; "
                f"it must follow {after}", number, sid)
        raise self._error(
            f"{sid} cannot appear in {LOOP_NAMES[self.loop]}; it belongs in "
            f"{LOOP_NAMES.get(HOME_LOOP[sid], HOME_LOOP[sid])}", number, sid)

    @staticmethod
    def _skip(number: int, elements: list[str]) -> None:
        """Segments read past on purpose (TS3/TS2 summaries, CUR, RDM, N2, claim PER)."""

    # ---- envelope ----
    def _isa(self, number: int, elements: list[str]) -> None:
        self.isa = elements
        self.interchange_notes = []
        if not is_padded(elements):
            self.interchange_notes.append(RemitFinding(
                FindingKind.DEFECT, "ISA elements are not padded to their fixed widths",
                number, "ISA"))

    def _gs(self, number: int, elements: list[str]) -> None:
        isa = self.isa
        self.envelope = Envelope(
            sender_qualifier=s.el(isa, s.ISA05).strip(), sender_id=s.el(isa, s.ISA06).strip(),
            receiver_qualifier=s.el(isa, s.ISA07).strip(),
            receiver_id=s.el(isa, s.ISA08).strip(),
            interchange_control_number=s.el(isa, s.ISA13).strip(),
            interchange_date=s.parse_date(s.el(isa, s.ISA09)),
            usage_indicator=s.el(isa, s.ISA15).strip(),
            group_control_number=s.el(elements, s.GS06),
            group_sender=s.el(elements, s.GS02), group_receiver=s.el(elements, s.GS03),
            version=s.el(elements, s.GS08),
        )

    def _iea(self, number: int, elements: list[str]) -> None:
        self._flush_trailer(number + 1)
        # defects of an interchange without a transaction go to the next transaction read
        self.carried += [RemitFinding(FindingKind.DEFECT, message, n, sid)
                         for n, sid, message in self.tok.defects]
        self.tok.defects.clear()

    # ---- transaction header and 1000A/B ----
    def _st(self, number: int, elements: list[str]) -> None:
        self._flush_trailer(number)
        if s.el(elements, 1) != "835":
            raise self._error(f"ST01 is {shown_code(s.el(elements, 1))}: this reader reads "
                              "835s only",
                              number, "ST")
        self.findings = self.carried + self.interchange_notes
        self.interchange_notes = []
        self.carried = []
        self.head = HeaderParts(number, s.el(elements, s.ST02))
        self._reset_totals()

    def _head(self) -> HeaderParts:
        assert self.head is not None  # the loop table only lets these follow ST
        return self.head

    def _bpr(self, number: int, elements: list[str]) -> None:
        self._head().read_bpr(number, elements, self.notes, self.source)

    def _trn(self, number: int, elements: list[str]) -> None:
        self._head().trn = elements

    def _header_ref(self, number: int, elements: list[str]) -> None:
        self._head().references.append(s.reference(elements))

    def _header_dtm(self, number: int, elements: list[str]) -> None:
        self._head().dates.append(s.date_value(elements, number, self.notes))

    def _n1(self, number: int, elements: list[str]) -> None:
        self._close_party()
        self.party = PartyParts(number, elements)

    def _party(self) -> PartyParts:
        assert self.party is not None
        return self.party

    def _n3(self, number: int, elements: list[str]) -> None:
        self._party().address.extend(e for e in elements[1:3] if e)

    def _n4(self, number: int, elements: list[str]) -> None:
        self._party().n4 = elements

    def _party_ref(self, number: int, elements: list[str]) -> None:
        self._party().references.append(s.reference(elements))

    def _per(self, number: int, elements: list[str]) -> None:
        self._party().contacts.append(tuple(elements[1:]))

    def _close_party(self) -> None:
        if self.party is not None:
            self._head().add_party(self.party.freeze(), self.party.number, self.notes)
            self.party = None

    def _emit_header(self, number: int, sid: str) -> None:
        """Leaving the 1000 loops: the header is complete (or the transaction is broken)."""
        if self.head is None or self.head.emitted:
            return
        self._close_party()
        if self.envelope is None:
            raise self._error("ST before any GS", number, sid)
        header = self.head.freeze(self.envelope, self.notes, self._error, number, sid)
        self.out.append(header)

    # ---- 2000 / 2100 / 2110 ----
    def _lx(self, number: int, elements: list[str]) -> None:
        self._emit_header(number, "LX")
        self._close_claim()

    def _clp(self, number: int, elements: list[str]) -> None:
        if self.loop == PARTY:
            self.note(number, "CLP", "CLP without an LX header number before it")
        self._emit_header(number, "CLP")
        self._close_claim()
        self.claim = ClaimParts(number, elements)
        self.claim.read_amounts(self.source, self.notes)  # its defects name the claim

    def _svc(self, number: int, elements: list[str]) -> None:
        self._close_line()
        head = self.shared.service(elements, self.tok.delimiters.component, number, self.notes)
        self.line = LineParts(number, head)

    def _close_line(self) -> None:
        if self.line is not None:
            assert self.claim is not None
            self.claim.add_line(self.line)
            self.line_count += 1
            self.line = None

    def _close_claim(self) -> None:
        self._close_line()
        if self.claim is not None:
            claim, adjusted = self.claim.freeze(self.findings)
            self.claim_count += 1
            lines = claim.service_lines
            if lines and sum([line.charge for line in lines], ZERO) != claim.charge:
                self.unsummed.append(claim.segment_number)  # see _whole_despite_count
            self.total_paid += claim.paid
            self.total_adjusted += adjusted
            self.out.append(claim)
            self.claim = None

    def _claim_cas(self, number: int, elements: list[str]) -> None:
        claim = self.claim
        assert claim is not None
        found, total = self.shared.adjustments(elements, number, self.notes)
        claim.adjustments += found
        claim.adjusted += total

    def _nm1(self, number: int, elements: list[str]) -> None:
        assert self.claim is not None
        self.claim.names += (self.shared.name(elements),)

    def _mia(self, number: int, elements: list[str]) -> None:
        assert self.claim is not None
        self.claim.inpatient = tuple(elements[1:])
        self.claim.remarks += s.remarks(elements, s.MIA_REMARKS)

    def _moa(self, number: int, elements: list[str]) -> None:
        assert self.claim is not None
        self.claim.outpatient = tuple(elements[1:])
        self.claim.remarks += s.remarks(elements, s.MOA_REMARKS)

    def _claim_ref(self, number: int, elements: list[str]) -> None:
        assert self.claim is not None
        self.claim.references += (self.shared.reference(elements),)

    def _claim_dtm(self, number: int, elements: list[str]) -> None:
        assert self.claim is not None
        self.claim.dates += (self.shared.date(elements, number, self.notes),)

    def _claim_amt(self, number: int, elements: list[str]) -> None:
        assert self.claim is not None
        self.claim.amounts += (s.amount_value(elements, number, self.source),)

    def _claim_qty(self, number: int, elements: list[str]) -> None:
        assert self.claim is not None
        self.claim.quantities += (s.quantity_value(elements, number, self.source),)

    def _line_dtm(self, number: int, elements: list[str]) -> None:
        assert self.line is not None
        self.line.dates += (self.shared.date(elements, number, self.notes),)

    def _line_cas(self, number: int, elements: list[str]) -> None:
        line = self.line
        assert line is not None
        found, total = self.shared.adjustments(elements, number, self.notes)
        line.adjustments += found
        line.adjusted += total

    def _line_ref(self, number: int, elements: list[str]) -> None:
        line = self.line
        assert line is not None
        e = s.padded(elements, s.REF02)
        if e[s.REF01] == "6R" and line.control_number is None:
            line.control_number = e[s.REF02]
        else:
            line.references += (self.shared.reference(elements),)

    def _line_amt(self, number: int, elements: list[str]) -> None:
        assert self.line is not None
        self.line.amounts += (self.shared.amount(elements, number),)

    def _line_qty(self, number: int, elements: list[str]) -> None:
        assert self.line is not None
        self.line.quantities += (s.quantity_value(elements, number, self.source),)

    def _lq(self, number: int, elements: list[str]) -> None:
        assert self.line is not None
        self.line.remarks += (self.shared.remark(elements),)

    # ---- PLB and SE ----
    def _plb(self, number: int, elements: list[str]) -> None:
        self._emit_header(number, "PLB")
        self._close_claim()
        component = self.tok.delimiters.component
        items = []
        for reason_at, amount_at in s.PLB_PAIRS:
            value = s.el(elements, reason_at)
            if not value:
                continue
            parts = s.split_composite(value, component, number, "PLB", reason_at, self.notes)
            amount = s.amount(elements, amount_at, number, self.source)
            items.append(PlbItem(parts[0], parts[1] if len(parts) > 1 else "", amount))
        if not items:
            raise self._error("PLB has no adjustment reason / amount pair", number, "PLB")
        self.plbs.append(ProviderAdjustment(
            s.el(elements, s.PLB01), s.checked_date(elements, s.PLB02, number, self.notes),
            tuple(items), number))

    def _se(self, number: int, elements: list[str]) -> None:
        self._emit_header(number, "SE")
        self._close_claim()
        head = self._head()
        total_plb = sum((i.amount for p in self.plbs for i in p.items), ZERO)
        finding = transaction_finding(head.amount, head.credit_debit, self.total_paid,
                                      total_plb, head.bpr_number)
        if finding is not None:
            self.findings.append(finding)
        if number in self.tok.envelope.count_mismatches:
            self._whole_despite_count(number, head.number)
        self.pending = {
            "control_number": head.control_number, "provider_adjustments": tuple(self.plbs),
            "claim_count": self.claim_count, "line_count": self.line_count,
            "total_paid": self.total_paid, "total_adjusted": self.total_adjusted,
            "segment_count": number - head.number + 1,
        }
        self.head = None

    def _whole_despite_count(self, number: int, st_number: int) -> None:
        """SE01 disagrees with the segments counted. The transaction is read through only
        when its data is whole: it reached SE with every loop closed (else an error came
        first), every balance holds and each claim's line charges add up to CLP03 (a lost
        or doubled SVC, CAS or CLP shows in one of these)."""
        unbalanced = [f for f in self.findings if f.kind is not FindingKind.DEFECT]
        if unbalanced:
            why = (f"it does not balance ({len(unbalanced)} balancing finding(s), the first "
                   f"at segment {unbalanced[0].segment_number})")
        elif self.unsummed:
            why = (f"the line charges (SVC02) of the claim at segment {self.unsummed[0]} do "
                   "not add up to its CLP03")
        else:
            return
        raise self._error(
            f"SE01 disagrees with the {number - st_number + 1} segments from ST to SE and the "
            f"data is not whole: {why}; segments are missing or extra, the file is refused",
            number, "SE")

    def _flush_trailer(self, before: int | None) -> None:
        """Emit the last transaction's trailer, once the envelope defects that follow its
        SE (SE02, GE02, IEA02 mismatches) are known: those found before segment `before`
        (the tokenizer works a chunk ahead of the reader), or all at the end."""
        if self.pending is None:
            return
        defects = self.tok.defects
        keep = [d for d in defects if before is not None and d[0] >= before]
        for number, sid, message in defects:
            if before is None or number < before:
                self.findings.append(RemitFinding(FindingKind.DEFECT, message, number, sid))
        defects[:] = keep
        self.out.append(RemittanceTrailer(findings=tuple(self.findings), **self.pending))  # type: ignore[arg-type]
        self.pending = None
        self.findings = []
