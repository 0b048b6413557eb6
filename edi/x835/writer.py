"""Write `Remittance` model objects as 835 text (005010X221A1).

    write_835(
        remittances: Sequence[Remittance], *,
        sender_id: str | None = None, receiver_id: str | None = None,
        interchange_control_number: int | None = None, now: datetime | None = None,
        sender_qualifier: str = "ZZ", receiver_qualifier: str = "ZZ",
        usage_indicator: str | None = None, group_control_number: int | None = None,
        delimiters: Delimiters = STANDARD_DELIMITERS, newlines: bool = True,
    ) -> str

One ISA/GS around every transaction given (one ST/SE per `Remittance`), with SE01, GE01
and IEA01 counted. Envelope values left out come from the first remittance's
`header.envelope` (so read -> write -> read keeps them); `now` defaults to the
interchange date. For files too big to hold as a list, `Writer835` streams:

    w = Writer835(stream.write, sender_id="PAYER", receiver_id="CLINIC",
                  interchange_control_number=1, now=datetime.now())
    w.begin_transaction(header); w.claim(c) ...; w.end_transaction(plbs); w.close()

What the model does not hold is not written: BPR06-BPR15 bank details, LX/TS3/TS2
provider summaries (one LX*1 opens the claims), claim-level PER. A claim's `remarks`
with no `outpatient`/`inpatient` elements are written as MOA03-MOA07. Build test
remittances with `edi.x835.build`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from edi.errors import EdiError
from edi.x12.delimiters import Delimiters
from edi.x12.emit import SegmentEmitter, ccyymmdd, hhmm, money
from edi.x835.model import (
    Adjustment,
    ClaimPayment,
    Envelope,
    Party,
    ProviderAdjustment,
    Remittance,
    RemittanceHeader,
    ServiceLine,
)

VERSION = "005010X221A1"
CAS_MAX_TRIPLETS = 6
STANDARD_DELIMITERS = Delimiters()  # * : ~ ^
PLB_MAX_PAIRS = 6


def _pad(value: str, width: int) -> str:
    if len(value) > width:
        raise EdiError(f"ISA value {value!r} is longer than its {width} characters")
    return value.ljust(width)


def _qty(value: object) -> str:
    return "" if value is None else money(value)  # type: ignore[arg-type]


class Writer835:
    """Streams one interchange with one functional group of 835 transactions."""

    def __init__(
        self,
        write: Callable[[str], object],
        *,
        sender_id: str,
        receiver_id: str,
        interchange_control_number: int,
        now: datetime,
        sender_qualifier: str = "ZZ",
        receiver_qualifier: str = "ZZ",
        usage_indicator: str = "P",
        group_control_number: int | None = None,
        delimiters: Delimiters = STANDARD_DELIMITERS,
        newlines: bool = True,
    ) -> None:
        self.out = SegmentEmitter(write, delimiters, newlines=newlines)
        self.icn = interchange_control_number
        self.gcn = group_control_number if group_control_number is not None else self.icn
        self.transactions = 0
        self._control = ""
        self._lx_open = False
        d = delimiters
        isa = d.element.join([
            "ISA", "00", " " * 10, "00", " " * 10, _pad(sender_qualifier, 2),
            _pad(sender_id, 15), _pad(receiver_qualifier, 2), _pad(receiver_id, 15),
            now.strftime("%y%m%d"), hhmm(now), d.repetition or "U", "00501",
            f"{self.icn:09d}", "0", usage_indicator, d.component,
        ])
        self.out.raw(isa)
        self.out.segment("GS", "HP", sender_id, receiver_id, ccyymmdd(now.date()), hhmm(now),
                         str(self.gcn), "X", VERSION)

    # ---- one transaction ----
    def begin_transaction(
        self, header: RemittanceHeader, control_number: str | None = None
    ) -> None:
        self.transactions += 1
        out = self.out
        out.reset_count()
        self._control = control_number or header.control_number or f"{self.transactions:04d}"
        out.segment("ST", "835", self._control)
        p = header.payment
        out.segment("BPR", p.handling_code, money(p.amount), p.credit_debit, p.method,
                    p.format or "", *([""] * 10), ccyymmdd(p.date) if p.date else "")
        out.segment("TRN", "1", p.trace_number, p.payer_identifier)
        if header.receiver_id:
            out.segment("REF", "EV", header.receiver_id)
        if header.version:
            out.segment("REF", "F2", header.version)
        if header.production_date:
            out.segment("DTM", "405", ccyymmdd(header.production_date))
        self._party(header.payer)
        self._party(header.payee)
        self._lx_open = False

    def _party(self, party: Party) -> None:
        out = self.out
        out.segment("N1", party.entity, party.name, party.id_qualifier, party.id)
        if party.address:
            out.segment("N3", *party.address[:2])
        if party.city or party.state or party.zip:
            out.segment("N4", party.city, party.state, party.zip)
        for ref in party.references:
            out.segment("REF", ref.qualifier, ref.value)
        for contact in party.contacts:
            out.segment("PER", *contact)

    def claim(self, claim: ClaimPayment) -> None:
        out = self.out
        if not self._lx_open:
            out.segment("LX", "1")
            self._lx_open = True
        out.segment(
            "CLP", claim.patient_control_number, claim.status, money(claim.charge),
            money(claim.paid), _qty(claim.patient_responsibility), claim.filing_indicator,
            claim.payer_claim_number, claim.facility_code or "", claim.frequency or "",
        )
        self._cas(claim.adjustments)
        for n in claim.names:
            out.segment("NM1", n.entity, "1" if n.first else "2", n.last_or_org, n.first,
                        n.middle, "", "", n.id_qualifier, n.id)
        if claim.inpatient:
            out.segment("MIA", *claim.inpatient)
        if claim.outpatient:
            out.segment("MOA", *claim.outpatient)
        elif claim.remarks and not claim.inpatient:
            out.segment("MOA", "", "", *[r.code for r in claim.remarks[:5]])
        for ref in claim.references:
            out.segment("REF", ref.qualifier, ref.value)
        for d in claim.dates:
            out.segment("DTM", d.qualifier, ccyymmdd(d.value) if d.value else d.raw)
        for a in claim.amounts:
            out.segment("AMT", a.qualifier, money(a.amount))
        for q in claim.quantities:
            out.segment("QTY", q.qualifier, money(q.quantity))
        for line in claim.service_lines:
            self._line(line)

    def _line(self, line: ServiceLine) -> None:
        out = self.out
        original: tuple[str, ...] = ()
        if line.original_code:
            original = (line.original_qualifier or line.qualifier, line.original_code,
                        *line.original_modifiers)
        out.segment(
            "SVC", (line.qualifier, line.code, *line.modifiers), money(line.charge),
            money(line.paid), line.revenue_code or "", money(line.units), original,
            _qty(line.original_units),
        )
        for d in line.dates:
            out.segment("DTM", d.qualifier, ccyymmdd(d.value) if d.value else d.raw)
        self._cas(line.adjustments)
        if line.control_number is not None:
            out.segment("REF", "6R", line.control_number)
        for ref in line.references:
            out.segment("REF", ref.qualifier, ref.value)
        for a in line.amounts:
            out.segment("AMT", a.qualifier, money(a.amount))
        for q in line.quantities:
            out.segment("QTY", q.qualifier, money(q.quantity))
        for r in line.remarks:
            out.segment("LQ", r.qualifier, r.code)

    def _cas(self, adjustments: Iterable[Adjustment]) -> None:
        """Consecutive adjustments of one group share a CAS, six triplets at most."""
        group: str | None = None
        triplets: list[str] = []
        for adj in adjustments:
            if adj.group != group or len(triplets) == 3 * CAS_MAX_TRIPLETS:
                if group is not None:
                    self.out.segment("CAS", group, *triplets)
                group, triplets = adj.group, []
            triplets += [adj.reason, money(adj.amount), _qty(adj.quantity)]
        if group is not None:
            self.out.segment("CAS", group, *triplets)

    def end_transaction(self, provider_adjustments: Sequence[ProviderAdjustment] = ()) -> None:
        for plb in provider_adjustments:
            date = ccyymmdd(plb.fiscal_period_end) if plb.fiscal_period_end else ""
            items = list(plb.items)
            for start in range(0, max(len(items), 1), PLB_MAX_PAIRS):
                pairs: list[str | tuple[str, ...]] = []
                for item in items[start:start + PLB_MAX_PAIRS]:
                    pairs += [(item.reason, item.reference), money(item.amount)]
                self.out.segment("PLB", plb.provider_id, date, *pairs)
        self.out.segment("SE", str(self.out.count + 1), self._control)

    def close(self) -> None:
        self.out.segment("GE", str(self.transactions), str(self.gcn))
        self.out.segment("IEA", "1", f"{self.icn:09d}")

    def transaction(self, remittance: Remittance) -> None:
        self.begin_transaction(remittance.header)
        for claim in remittance.claims:
            self.claim(claim)
        self.end_transaction(remittance.provider_adjustments)


def write_835(
    remittances: Sequence[Remittance],
    *,
    sender_id: str | None = None,
    receiver_id: str | None = None,
    interchange_control_number: int | None = None,
    now: datetime | None = None,
    sender_qualifier: str | None = None,
    receiver_qualifier: str | None = None,
    usage_indicator: str | None = None,
    group_control_number: int | None = None,
    delimiters: Delimiters = STANDARD_DELIMITERS,
    newlines: bool = True,
) -> str:
    """The 835 text of `remittances` in one interchange (see module docstring)."""
    if not remittances:
        raise ValueError("write_835 needs at least one remittance")
    env: Envelope = remittances[0].header.envelope
    if now is None:
        day = env.interchange_date or remittances[0].header.payment.date
        now = datetime(day.year, day.month, day.day) if day else datetime(2000, 1, 1)
    buffer = io.StringIO()
    writer = Writer835(
        buffer.write,
        sender_id=sender_id if sender_id is not None else env.sender_id,
        receiver_id=receiver_id if receiver_id is not None else env.receiver_id,
        interchange_control_number=(
            interchange_control_number if interchange_control_number is not None
            else int(env.interchange_control_number or 1)
        ),
        now=now,
        sender_qualifier=sender_qualifier or env.sender_qualifier or "ZZ",
        receiver_qualifier=receiver_qualifier or env.receiver_qualifier or "ZZ",
        usage_indicator=usage_indicator or env.usage_indicator or "P",
        group_control_number=(
            group_control_number if group_control_number is not None
            else None if interchange_control_number is not None  # then GS06 = ISA13
            else int(env.group_control_number) if env.group_control_number.isdigit() else None
        ),
        delimiters=delimiters,
        newlines=newlines,
    )
    for remittance in remittances:
        writer.transaction(remittance)
    writer.close()
    return buffer.getvalue()
