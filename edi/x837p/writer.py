"""Writing claim parts as an 837P interchange (005010X222A1).

Loop by loop, for each transaction set (one payer):
  header      BHT (BHT06 CH: chargeable), 1000A submitter + PER, 1000B receiver
  2000A/2010AA billing provider: HL*20, PRV*BI taxonomy, NM1*85 (NPI), N3/N4 (ZIP+4),
              REF*EI (EIN); 2010AB pay-to address (NM1*87, N3, N4) when the practice has one
  per claim   2000B HL*22 + SBR (SBR02 18 when the patient is the subscriber, SBR09 from
              the guide), 2010BA subscriber, 2010BB payer; 2000C HL*23 + PAT and 2010CA
              patient when the patient is not the subscriber; 2300 CLM, REF*G1, REF*F8, HI;
              2310B rendering provider when one is documented and is not the billing NPI;
              2320/2330A/2330B the other payers (cob.py); 2400 LX/SV1/DTP*472/REF*6R, 2410
              LIN/CTP for a drug when the payer wants NDCs, 2430 the other payers' answers.
Each claim gets its own 2000B: the IG allows grouping a subscriber's claims under one
HL, but one HL per claim keeps every claim independent (a rejected claim never moves
another's HL numbers) and is what clearinghouses expect from practice systems.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from attrs import frozen

from coding.model import ClaimLine, Person
from coding.spool import Indexed
from companion_guides import Guide
from edi.practice import Practice
from edi.x837p.checks import RELATIONSHIP_CODES, needs_ndc
from edi.x837p.cob import line_adjudications, other_payer_loops
from edi.x837p.envelope import (
    IMPLEMENTATION_GUIDE,
    ControlNumbers,
    Group,
    Transaction,
    ge,
    gs,
    iea,
    isa,
    st_control,
)
from edi.x837p.segments import DELIMITERS, SEGMENTS, amount, clean_text, quantity
from edi.x837p.split import ClaimPart

__all__ = ["Rendered", "WrittenClaim", "render_interchange"]

S = SEGMENTS
D = DELIMITERS


@frozen
class WrittenClaim:
    """A claim part as it was written, with the envelope numbers it went out under."""

    part: ClaimPart
    guide: Guide
    group_control_number: int  # GS06
    transaction_control_number: str  # ST02


@frozen
class Rendered:
    text: str
    claims: Sequence[WrittenClaim]  # a tuple; for a spooled batch, read from the spool
    segment_count: int


def render_interchange(groups: Sequence[Group], practice: Practice, control: ControlNumbers,
                       now: datetime, *, receiver: tuple[str, str], usage: str,
                       newlines: bool = True) -> Rendered:
    """The interchange's text and the claims as written. The text grows a claim at a time
    in place (a local str with no other reference is resized, not copied: a 50,000-claim
    file of ~21 MB is never held twice, nor as a million segments)."""
    runs: list[tuple[Transaction, int, str]] = []
    count = [0]
    text = ""
    for chunk in _chunks(groups, practice, control, now, receiver, usage,
                         D.segment + ("\n" if newlines else ""), runs, count):
        text += chunk
    spooled = any(not isinstance(t.parts, tuple) for t, _, _ in runs)
    claims: Sequence[WrittenClaim] = (_Written(runs) if spooled else tuple(
        WrittenClaim(p, t.guide, gs06, st02) for t, gs06, st02 in runs for p in t.parts))
    return Rendered(text=text, claims=claims, segment_count=count[0])


def _chunks(groups: Sequence[Group], practice: Practice, control: ControlNumbers,
            now: datetime, receiver: tuple[str, str], usage: str, end: str,
            runs: list[tuple[Transaction, int, str]], count: list[int]) -> Iterator[str]:
    """The text in pieces (an envelope segment, a transaction's header, a claim), each
    transaction appended to `runs` and every segment counted in `count[0]`."""

    def put(segments: list[str]) -> str:
        count[0] += len(segments)
        return end.join(segments) + end

    yield put([isa(practice, receiver, control.isa13, now, usage)])
    st_iter = iter(control.st02)
    for group, gs06 in zip(groups, control.gs06, strict=True):
        yield put([gs(practice, group.receiver_id, gs06, now)])
        for transaction in group.transactions:
            st02 = st_control(next(st_iter))
            body = 0
            for segments in _transaction(transaction, group, practice, st02, control.isa13,
                                         now):
                yield put(segments)
                body += len(segments)
            yield put([S["SE"].render(segment_count=str(body + 1), control_number=st02)])
            runs.append((transaction, gs06, st02))
        yield put([ge(len(group.transactions), gs06)])
    yield put([iea(len(groups), control.isa13)])


class _Written(Indexed[WrittenClaim]):
    """The written claims of a spooled batch, read from the spool when asked for."""

    def __init__(self, runs: list[tuple[Transaction, int, str]]):
        self.runs = runs
        self.starts: list[int] = []
        n = 0
        for transaction, _, _ in runs:
            self.starts.append(n)
            n += len(transaction.parts)
        self.size = n

    def __len__(self) -> int:
        return self.size

    def _item(self, index: int) -> WrittenClaim:
        k = bisect.bisect_right(self.starts, index) - 1
        transaction, gs06, st02 = self.runs[k]
        return WrittenClaim(transaction.parts[index - self.starts[k]], transaction.guide,
                            gs06, st02)

    def __iter__(self) -> Iterator[WrittenClaim]:
        for transaction, gs06, st02 in self.runs:
            for part in transaction.parts:
                yield WrittenClaim(part, transaction.guide, gs06, st02)


def _transaction(tr: Transaction, group: Group, practice: Practice, st02: str, isa13: int,
                 now: datetime) -> Iterator[list[str]]:
    """The transaction's segments up to the SE: its header, then each claim's."""
    yield list(_header(tr, group, practice, st02, isa13, now))
    hl = 1
    for part in tr.parts:
        segments = list(_subscriber(part, tr.guide, practice, hl))
        hl += 2 if part.claim.encounter.subscriber is not None else 1
        yield segments


def _header(tr: Transaction, group: Group, practice: Practice, st02: str, isa13: int,
            now: datetime) -> Iterator[str]:
    sub, bp = practice.submitter, practice.billing_provider
    yield S["ST"].render(transaction_id="837", control_number=st02, version=IMPLEMENTATION_GUIDE)
    yield S["BHT"].render(structure="0019", purpose="00", reference=f"{isa13:09d}{st02}",
                          date=now.strftime("%Y%m%d"), time=now.strftime("%H%M"), type="CH")
    # 1000A submitter, 1000B receiver
    yield S["NM1"].render(entity="41", entity_type="2", last_or_org=clean_text(sub.name, 60),
                          id_qualifier="46", id=sub.id)
    contacts: list[tuple[str, str]] = []
    if sub.phone:
        contacts.append(("TE", sub.phone))
    if sub.email:
        contacts.append(("EM", sub.email.replace("*", "").replace("~", "").replace(":", "")))
    per = {"function": "IC", "name": clean_text(sub.contact_name, 60)}
    for i, (qual, number) in enumerate(contacts[:2], start=1):
        per[f"qualifier{i}"], per[f"number{i}"] = qual, number
    yield S["PER"].render(**per)
    yield S["NM1"].render(entity="40", entity_type="2",
                          last_or_org=clean_text(group.receiver_name, 60),
                          id_qualifier="46", id=group.receiver_id)
    # 2000A / 2010AA billing provider
    yield S["HL"].render(id="1", level="20", child="1")
    yield S["PRV"].render(provider_code="BI", qualifier="PXC", taxonomy=bp.taxonomy)
    yield S["NM1"].render(entity="85", entity_type=bp.entity_type,
                          last_or_org=clean_text(bp.name, 60),
                          first=clean_text(bp.first_name, 35) or None,
                          id_qualifier="XX", id=bp.npi)
    yield S["N3"].render(line1=clean_text(bp.address1, 55),
                         line2=clean_text(bp.address2, 55) or None)
    yield S["N4"].render(city=clean_text(bp.city, 30), state=bp.state, zip=bp.zip)
    yield S["REF"].render(qualifier="EI", value=bp.ein)
    if practice.pay_to is not None:  # 2010AB: where payments go (a PO Box may sit here)
        pay = practice.pay_to
        yield S["NM1"].render(entity="87", entity_type=bp.entity_type)
        yield S["N3"].render(line1=clean_text(pay.address1, 55),
                             line2=clean_text(pay.address2, 55) or None)
        yield S["N4"].render(city=clean_text(pay.city, 30), state=pay.state, zip=pay.zip)


def _subscriber(part: ClaimPart, guide: Guide, practice: Practice, hl: int) -> Iterator[str]:
    """2000B (and 2000C) with the claim; `hl` is the last HL number used before it."""
    hl_b = hl = hl + 1
    enc = part.claim.encounter
    patient_is_subscriber = enc.subscriber is None
    yield S["HL"].render(id=str(hl_b), parent="1", level="22",
                         child="0" if patient_is_subscriber else "1")
    yield S["SBR"].render(payer_responsibility=enc.payer_order,
                          relationship="18" if patient_is_subscriber else None,
                          group_number=clean_text(enc.group_number, 50) or None,
                          filing_indicator=guide.claim_filing_indicator)
    insured = enc.insured
    yield S["NM1"].render(entity="IL", entity_type="1", **_name(insured),
                          id_qualifier="MI", id=clean_text(insured.member_id, 80))
    if patient_is_subscriber:
        # 2010BA N3/N4/DMG: "Required when the patient is the subscriber ... If not
        # required by this implementation guide, do not send" (X12 RFI 2281, 1925).
        yield from _address(insured)
        yield _dmg(insured)
    yield S["NM1"].render(entity="PR", entity_type="2",
                          last_or_org=clean_text(guide.payer_name, 60),
                          id_qualifier="PI", id=guide.payer_id)
    if enc.subscriber is not None:
        hl += 1
        yield S["HL"].render(id=str(hl), parent=str(hl_b), level="23", child="0")
        yield S["PAT"].render(relationship=RELATIONSHIP_CODES[enc.subscriber.relationship])
        yield S["NM1"].render(entity="QC", entity_type="1", **_name(enc.patient))
        yield from _address(enc.patient)
        yield _dmg(enc.patient)
    yield from _claim(part, guide, practice)


def _claim(part: ClaimPart, guide: Guide, practice: Practice) -> Iterator[str]:
    enc = part.claim.encounter
    c = D.component
    yield S["CLM"].render(
        claim_id=part.clm01, total_charge=amount(part.total_charge),
        place_and_frequency=c.join([enc.place_of_service, "B", enc.frequency]),
        provider_signature="Y", assignment="A", benefits_assigned="Y",
        release_of_information="Y",
    )
    # 2300 REF order in the guide: ... G1 (prior authorization) before F8 (original claim).
    if enc.prior_authorization:
        yield S["REF"].render(qualifier="G1", value=clean_text(enc.prior_authorization, 50))
    if enc.frequency in ("7", "8") and enc.payer_claim_number:
        yield S["REF"].render(qualifier="F8", value=clean_text(enc.payer_claim_number, 50))
    hi = {f"code{i}": c.join(["ABK" if i == 1 else "ABF", dx.replace(".", "")])
          for i, dx in enumerate(part.diagnoses, start=1)}
    yield S["HI"].render(**hi)
    rp = enc.rendering_provider
    if rp is not None and rp.npi != practice.billing_provider.npi:
        yield S["NM1"].render(entity="82", entity_type="1",
                              last_or_org=clean_text(rp.last_name, 60),
                              first=clean_text(rp.first_name, 35),
                              id_qualifier="XX", id=rp.npi)
    yield from other_payer_loops(enc, guide)  # 2320/2330A/2330B (cob.py)
    dos = _d8(enc.date_of_service)
    for line in part.lines:
        yield from _line(line, dos, guide)
        yield from line_adjudications(enc, line, guide)  # 2430 (cob.py)


def _line(line: ClaimLine, dos: str, guide: Guide) -> Iterator[str]:
    c = D.component
    yield S["LX"].render(number=str(line.line))
    # SV105 is sent only when it differs from CLM05-1 (IG note), which it never does here:
    # every line of an encounter has the encounter's place of service.
    procedure = ["HC", line.code, *line.modifiers]
    if line.description:  # SV101-7, after the four modifier places (NOC codes: J3590 …)
        procedure += [""] * (6 - len(procedure)) + [clean_text(line.description, 80)]
    yield S["SV1"].render(
        procedure=c.join(procedure),
        charge=amount(line.charge) if line.charge is not None else "0",
        unit="UN", quantity=quantity(line.units),
        pointers=c.join(map(str, line.diagnosis_pointers)),
    )
    yield S["DTP"].render(qualifier="472", format="D8", value=dos)
    yield S["REF"].render(qualifier="6R", value=line.line_control_number)
    if line.drug is not None and needs_ndc(line.code, guide):
        yield S["LIN"].render(qualifier="N4", ndc=line.drug.ndc)
        yield S["CTP"].render(quantity=quantity(line.drug.quantity), unit=line.drug.unit)


def _name(person: Person) -> dict[str, str]:
    return {"last_or_org": clean_text(person.last_name, 60),
            "first": clean_text(person.first_name, 35)}


def _address(person: Person) -> Iterator[str]:
    a = person.address
    yield S["N3"].render(line1=clean_text(a.line1, 55), line2=clean_text(a.line2, 55) or None)
    zip_code = "".join(ch for ch in a.zip if ch.isdigit())
    yield S["N4"].render(city=clean_text(a.city, 30), state=a.state.upper(), zip=zip_code)


def _dmg(person: Person) -> str:
    return S["DMG"].render(format="D8", birth_date=_d8(person.birth_date), sex=person.sex)


def _d8(day: date) -> str:
    """CCYYMMDD, as strftime("%Y%m%d") writes it (which is slower; it leaves a year before
    1000 unpadded, so those go through it)."""
    return day.isoformat().replace("-", "") if day.year >= 1000 else day.strftime("%Y%m%d")
