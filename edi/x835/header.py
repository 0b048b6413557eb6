"""The transaction header of an 835: BPR, TRN, REF, DTM and the 1000A payer / 1000B payee
loops, collected while read and frozen into `RemittanceHeader`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from edi.errors import X12SyntaxError, shown_code
from edi.x835 import segments as s
from edi.x835.model import DateValue, Envelope, Party, Payment, Reference, RemittanceHeader

ErrorFactory = Callable[[str, int, str], X12SyntaxError]
PAYER, PAYEE = "PR", "PE"


class PartyParts:
    """Loop 1000A/1000B while it is being read."""

    __slots__ = ("number", "n1", "address", "n4", "references", "contacts")

    def __init__(self, number: int, elements: list[str]) -> None:
        self.number = number
        self.n1 = elements
        self.address: list[str] = []
        self.n4: list[str] = []
        self.references: list[Reference] = []
        self.contacts: list[tuple[str, ...]] = []

    def freeze(self) -> Party:
        n1, n4 = self.n1, self.n4
        return Party(
            entity=s.el(n1, s.N101), name=s.el(n1, s.N102), id_qualifier=s.el(n1, s.N103),
            id=s.el(n1, s.N104), address=tuple(self.address), city=s.el(n4, s.N401),
            state=s.el(n4, s.N402), zip=s.el(n4, s.N403), references=tuple(self.references),
            contacts=tuple(self.contacts),
        )


class HeaderParts:
    """ST to the end of loop 1000B."""

    def __init__(self, number: int, control_number: str) -> None:
        self.number = number
        self.control_number = control_number
        self.bpr: list[str] = []
        self.bpr_number = number
        self.amount = Decimal(0)
        self.credit_debit = "C"
        self.payment_date: date | None = None
        self.trn: list[str] = []
        self.references: list[Reference] = []
        self.dates: list[DateValue] = []
        self.payer: Party | None = None
        self.payee: Party | None = None
        self.emitted = False

    def read_bpr(self, number: int, elements: list[str], note: s.Notes,
                 source: str | None) -> None:
        self.bpr = elements
        self.bpr_number = number
        self.amount = s.amount(elements, s.BPR02, number, source)
        self.credit_debit = s.el(elements, s.BPR03)
        if s.el(elements, s.BPR16):
            self.payment_date = s.checked_date(elements, s.BPR16, number, note)
            return
        fifteen = s.el(elements, s.BPR15)
        if len(fifteen) == 8 and fifteen.isdigit():
            note(number, "BPR", "the payment date sits in BPR15 instead of BPR16")
            self.payment_date = s.checked_date(elements, s.BPR15, number, note)
        else:
            note(number, "BPR", "BPR16 (payment date) is missing")

    def add_party(self, party: Party, number: int, note: s.Notes) -> None:
        if party.entity == PAYER:
            self.payer = party
            if not any(c and c[0] == "BL" for c in party.contacts):
                note(number, "N1", "loop 1000A (payer) has no PER*BL technical contact")
        elif party.entity == PAYEE:
            self.payee = party
        else:
            note(number, "N1",
                 f"N101 {shown_code(party.entity)} is neither PR (payer) nor PE (payee)")

    def freeze(self, envelope: Envelope, note: s.Notes, error: ErrorFactory, number: int,
               sid: str) -> RemittanceHeader:
        """Checks the required parts are there; `number`/`sid` is where the header ends."""
        self.emitted = True
        if not self.bpr:
            raise error("the transaction has no BPR (financial information) after ST",
                        number, sid)
        if not self.trn:
            raise error("the transaction has no TRN (reassociation trace number)", number, sid)
        if self.payer is None:
            raise error("the transaction has no N1*PR (payer) loop 1000A", number, sid)
        if self.payee is None:
            raise error("the transaction has no N1*PE (payee) loop 1000B", number, sid)
        bpr, trn = self.bpr, self.trn
        payment = Payment(
            handling_code=s.el(bpr, s.BPR01), amount=self.amount, credit_debit=self.credit_debit,
            method=s.el(bpr, s.BPR04), date=self.payment_date, trace_number=s.el(trn, s.TRN02),
            payer_identifier=s.el(trn, s.TRN03), format=s.el(bpr, s.BPR05) or None,
        )
        refs = {r.qualifier: r.value for r in self.references}
        production = next((d.value for d in self.dates if d.qualifier == "405"), None)
        return RemittanceHeader(
            envelope=envelope, control_number=self.control_number, payment=payment,
            payer=self.payer, payee=self.payee, segment_number=self.number,
            production_date=production, receiver_id=refs.get("EV"), version=refs.get("F2"),
        )
