"""Interchange envelope of an 837P: ISA/IEA, GS/GE, ST/SE, and how claims are grouped.

Grouping (005010X222A1 section 1.4 and appendix B): one interchange goes to one trading
partner (ISA08: the practice's clearinghouse, or the one receiver every payer shares).
Inside it, one functional group per receiver (GS03 = the receiver's application id, as
loop 1000B names it) and one transaction set per payer: a 999 acknowledges or rejects a
whole ST (AK2/IK5), so one payer's rejected transaction never takes another payer's
claims with it. A transaction set holds at most 5,000 claims (the guide's recommended
CLM limit per ST); a payer with more gets several.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from attrs import frozen

from coding.spool import Indexed, Spool, View
from companion_guides import Guide
from edi.errors import EdiError
from edi.practice import Practice
from edi.x837p.segments import DELIMITERS, ISA_WIDTHS, SEGMENTS, Delimiters
from edi.x837p.split import ClaimPart

__all__ = ["ControlNumbers", "Group", "Parts", "Transaction", "guides_of", "plan", "isa", "iea",
           "gs", "ge", "IMPLEMENTATION_GUIDE", "MAX_CLAIMS_PER_TRANSACTION", "interchange_receiver"]

IMPLEMENTATION_GUIDE = "005010X222A1"  # GS08, ST03
MAX_CLAIMS_PER_TRANSACTION = 5000


@frozen
class ControlNumbers:
    """Handed out by the store (`reconcile.store.submissions.next_control_numbers`)."""

    isa13: int
    gs06: tuple[int, ...]  # one per functional group, in file order
    st02: tuple[int, ...]  # one per transaction set, in file order


@frozen
class Transaction:
    guide: Guide
    parts: Sequence[ClaimPart]  # a tuple, or a view of a spool (a large batch)


@frozen
class Group:
    receiver_id: str
    receiver_name: str
    transactions: tuple[Transaction, ...]


class Parts(Indexed[tuple[Guide, ClaimPart]]):
    """(guide, claim part) pairs, the parts in a spool (`coding.spool`: on disk past its
    limit) and the guides beside them in memory, so grouping reads no part."""

    def __init__(self, pairs: Iterable[tuple[Guide, ClaimPart]] = (), *,
                 limit: int | None = None):
        self.guides: list[Guide] = []
        self.parts: Spool[ClaimPart] = Spool(limit=limit)
        for guide, part in pairs:
            self.append(guide, part)

    def append(self, guide: Guide, part: ClaimPart) -> None:
        self.guides.append(guide)
        self.parts.append(part)

    def __len__(self) -> int:
        return len(self.guides)

    def _item(self, index: int) -> tuple[Guide, ClaimPart]:
        return self.guides[index], self.parts[index]

    def __iter__(self) -> Iterator[tuple[Guide, ClaimPart]]:
        return zip(self.guides, self.parts, strict=True)



def guides_of(parts: Sequence[tuple[Guide, ClaimPart]]) -> Sequence[Guide]:
    """The guide of each part, reading no spooled part."""
    return parts.guides if isinstance(parts, Parts) else [g for g, _ in parts]


def plan(parts: Sequence[tuple[Guide, ClaimPart]]) -> list[Group]:
    """Group claim parts by receiver, then payer, keeping each payer's claims in input
    order; receivers and payers in sorted order so the file does not depend on which
    encounter came first. Spooled `Parts` stay where they are: a transaction then holds
    a view of them."""
    by_receiver: dict[str, dict[str, list[int]]] = {}
    guides: dict[str, Guide] = {}
    for i, guide in enumerate(guides_of(parts)):
        guides[guide.name] = guide
        by_receiver.setdefault(guide.receiver_id, {}).setdefault(guide.name, []).append(i)
    spooled: Sequence[ClaimPart] | None = (
        parts.parts if isinstance(parts, Parts) and parts.parts.spilled else None)
    groups: list[Group] = []
    for receiver_id in sorted(by_receiver):
        transactions: list[Transaction] = []
        names = sorted(by_receiver[receiver_id])
        for name in names:
            claims = by_receiver[receiver_id][name]
            for start in range(0, len(claims), MAX_CLAIMS_PER_TRANSACTION):
                run = claims[start:start + MAX_CLAIMS_PER_TRANSACTION]
                chunk: Sequence[ClaimPart] = (View(spooled, array("q", run)) if spooled
                                              is not None else tuple(parts[i][1] for i in run))
                transactions.append(Transaction(guides[name], chunk))
        groups.append(Group(receiver_id, guides[names[0]].receiver_name, tuple(transactions)))
    return groups


def interchange_receiver(practice: Practice, groups: Sequence[Group],
                         guides: Sequence[Guide]) -> tuple[str, str]:
    """(ISA07, ISA08): the clearinghouse, or the single receiver all payers share."""
    if practice.clearinghouse is not None:
        return practice.clearinghouse.id_qualifier, practice.clearinghouse.id
    receivers = {(g.receiver_qualifier, g.receiver_id) for g in guides}
    if len(receivers) > 1:
        names = ", ".join(sorted(g.name for g in guides))
        raise EdiError(
            f"{practice.path}: payers {names} have different receivers and one file goes to "
            "one trading partner: add a [clearinghouse] table (id, name) to the practice "
            "file (the trading partner every file goes to)"
        )
    return next(iter(receivers))


def usage_indicator(guides: Sequence[Guide]) -> str:
    usages = {g.usage_indicator for g in guides}
    if len(usages) > 1:
        raise EdiError("test (T) and production (P) payers cannot share one interchange "
                       "(ISA15): submit their encounters in separate runs")
    return usages.pop() if usages else "P"


def isa(practice: Practice, receiver: tuple[str, str], control: int, now: datetime,
        usage: str, d: Delimiters = DELIMITERS) -> str:
    values = {
        1: "00", 2: "", 3: "00", 4: "",
        5: practice.submitter.id_qualifier, 6: practice.submitter.id,
        7: receiver[0], 8: receiver[1],
        9: now.strftime("%y%m%d"), 10: now.strftime("%H%M"),
        11: d.repetition, 12: "00501", 13: f"{control:09d}", 14: "0", 15: usage,
        16: d.component,
    }
    if control > 999_999_999:
        raise EdiError("interchange control number is past 999999999 (ISA13 has 9 digits)")
    parts = ["ISA"]
    for pos in range(1, 17):
        value = values[pos]
        width = ISA_WIDTHS[pos]
        if len(value) > width:
            raise EdiError(f"ISA{pos:02d} is longer than its fixed width {width}")
        parts.append(value.ljust(width))
    return d.element.join(parts)


def iea(group_count: int, control: int, d: Delimiters = DELIMITERS) -> str:
    return SEGMENTS["IEA"].render(d, group_count=str(group_count),
                                  control_number=f"{control:09d}")


def gs(practice: Practice, receiver_id: str, control: int, now: datetime,
       d: Delimiters = DELIMITERS) -> str:
    return SEGMENTS["GS"].render(
        d, functional_id="HC", sender=practice.submitter.id, receiver=receiver_id,
        date=now.strftime("%Y%m%d"), time=now.strftime("%H%M"), control_number=str(control),
        agency="X", version=IMPLEMENTATION_GUIDE,
    )


def ge(transaction_count: int, control: int, d: Delimiters = DELIMITERS) -> str:
    return SEGMENTS["GE"].render(d, transaction_count=str(transaction_count),
                                 control_number=str(control))


def st_control(number: int) -> str:
    """ST02/SE02: 4 to 9 characters."""
    if number > 999_999_999:
        raise EdiError("transaction control number is past 999999999 (ST02 has 9 digits)")
    return f"{number:04d}"
