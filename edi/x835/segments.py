"""Element positions of the 835 segments and the small converters that read them.

Positions are explicit constants (CLP04 = 4 means elements[4] of the CLP segment, where
elements[0] is the segment ID), never implied by attribute order. Converters turn text
into Decimal/date and report tolerated defects through a `Notes` callback instead of
raising; a required amount that is not a number raises X12SyntaxError.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from edi.errors import X12SyntaxError, shown_code
from edi.x12.numbers import r_number, why_not_r
from edi.x835.model import Adjustment, Amount, DateValue, Name, Quantity, Reference, Remark

# ---- element positions (elements[0] is the segment ID) ----
BPR01, BPR02, BPR03, BPR04, BPR05, BPR15, BPR16 = 1, 2, 3, 4, 5, 15, 16
TRN02, TRN03 = 2, 3
CLP01, CLP02, CLP03, CLP04, CLP05, CLP06, CLP07, CLP08, CLP09 = 1, 2, 3, 4, 5, 6, 7, 8, 9
CAS01 = 1
CAS_TRIPLETS = ((2, 3, 4), (5, 6, 7), (8, 9, 10), (11, 12, 13), (14, 15, 16), (17, 18, 19))
SVC01, SVC02, SVC03, SVC04, SVC05, SVC06, SVC07 = 1, 2, 3, 4, 5, 6, 7
# SVC01 / SVC06 composite: -1 qualifier, -2 code, -3..-6 modifiers, -7 description
COMPOSITE_MODIFIERS = slice(2, 6)
NM101, NM103, NM104, NM105, NM108, NM109 = 1, 3, 4, 5, 8, 9
N101, N102, N103, N104 = 1, 2, 3, 4
N301, N302 = 1, 2
N401, N402, N403 = 1, 2, 3
REF01, REF02 = 1, 2
DTM01, DTM02 = 1, 2
AMT01, AMT02 = 1, 2
QTY01, QTY02 = 1, 2
LQ01, LQ02 = 1, 2
MIA_REMARKS = (5, 20, 21, 22, 23)  # MIA05, MIA20..MIA23: claim payment remark codes
MOA_REMARKS = (3, 4, 5, 6, 7)  # MOA03..MOA07
PLB01, PLB02 = 1, 2
PLB_PAIRS = ((3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14))
ISA05, ISA06, ISA07, ISA08, ISA09, ISA13, ISA15 = 5, 6, 7, 8, 9, 13, 15
GS02, GS03, GS06, GS08 = 2, 3, 6, 8
ST02 = 2

ONE = Decimal(1)
# group codes of 005010X221A1; CR (4010) is kept but reported
GROUP_CODES_5010 = frozenset({"CO", "OA", "PI", "PR"})

# (segment number, segment ID, message) -> None: where tolerated defects are reported
Notes = Callable[[int, str, str], None]


_PAD = [""] * 24


def el(elements: list[str], position: int) -> str:
    """Element at `position`, "" when the segment is shorter (trailing elements omitted)."""
    return elements[position] if position < len(elements) else ""


def padded(elements: list[str], last: int) -> list[str]:
    """`elements` long enough to index up to `last` (omitted trailing elements are "")."""
    size = len(elements)
    return elements if size > last else elements + _PAD[: last + 1 - size]


def fast_amount(elements: list[str], position: int, number: int, source: str | None) -> Decimal:
    """`amount` for the hot paths: the R check and one C call when the text is a number."""
    value = r_number(elements[position]) if position < len(elements) else None
    if value is None:
        return amount(elements, position, number, source)
    return value


def amount(elements: list[str], position: int, number: int, source: str | None) -> Decimal:
    """A required amount (Decimal, an X12 R value of at most 18 digits) or X12SyntaxError
    naming the segment and element, never quoting the text (it may be a name)."""
    text = elements[position] if position < len(elements) else ""
    value = r_number(text)
    if value is None:
        sid = elements[0]
        raise X12SyntaxError(
            f"{sid}{position:02d} {why_not_r(text)}", source=source, segment_number=number,
            segment_id=sid,
        )
    return value


def required_amount(
    elements: list[str], position: int, number: int, source: str | None, notes: Notes
) -> Decimal:
    """A required amount; when the element is empty (a bare 'CLP*id*22' reversal stub)
    it reads as 0 and is reported. Text that is not a number still raises."""
    if position >= len(elements) or not elements[position]:
        sid = elements[0]
        notes(number, sid, f"{sid}{position:02d} (a required amount) is empty; read as 0")
        return Decimal(0)
    return amount(elements, position, number, source)


def optional_amount(
    elements: list[str], position: int, number: int, source: str | None
) -> Decimal | None:
    if position >= len(elements) or not elements[position]:
        return None
    return fast_amount(elements, position, number, source)


@lru_cache(maxsize=4096)
def parse_date(text: str) -> date | None:
    """CCYYMMDD (or YYMMDD, as in ISA09) to a date; None when it is not a real date."""
    if len(text) == 6 and text.isdigit():
        text = "20" + text
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def date_value(elements: list[str], number: int, notes: Notes) -> DateValue:
    elements = padded(elements, DTM02)
    raw = elements[DTM02]
    value = parse_date(raw)
    if value is None:
        notes(number, elements[0], f"{elements[0]}02 is not a date (CCYYMMDD); kept as text")
    return DateValue(elements[DTM01], value, raw)


def checked_date(elements: list[str], position: int, number: int, notes: Notes) -> date | None:
    raw = el(elements, position)
    if not raw:
        return None
    value = parse_date(raw)
    if value is None:
        notes(number, elements[0], f"{elements[0]}{position:02d} is not a date (CCYYMMDD)")
    return value


def split_composite(
    value: str, component: str, number: int, sid: str, position: int, notes: Notes
) -> list[str]:
    """Split a composite on ISA16. A file that writes its composites with another
    separator (LinuxForHealth samples: 'HC>55669' with ISA16 ':') is read anyway and
    reported: every composite of the 835 starts with a 2-character qualifier or code."""
    if component in value:
        return value.split(component)
    if len(value) > 2:
        third = value[2]
        if not third.isalnum() and not third.isspace() and third not in "-.":
            notes(
                number, sid,
                f"{sid}{position:02d} is written with {third!r} as component "
                f"separator although ISA16 is {component!r}",
            )
            return value.split(third)
    return [value]


def adjustments(
    elements: list[str], number: int, source: str | None, notes: Notes
) -> list[Adjustment]:
    """Every triplet of one CAS segment (up to six); see also `check_group`."""
    group = elements[CAS01] if len(elements) > CAS01 else ""
    found = []
    size = len(elements)
    for reason_at, amount_at, quantity_at in CAS_TRIPLETS:
        if reason_at >= size:
            break
        reason = elements[reason_at]
        if not reason:
            continue
        value = fast_amount(elements, amount_at, number, source)
        quantity = (
            optional_amount(elements, quantity_at, number, source) if quantity_at < size else None
        )
        found.append(Adjustment(group, reason, value, quantity))
    if not found:
        raise X12SyntaxError(
            "CAS has no reason code / amount pair", source=source, segment_number=number,
            segment_id="CAS",
        )
    return found


class ServiceHead(NamedTuple):
    """What one SVC segment says, parsed (the rest of loop 2110 comes from its children)."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    revenue_code: str | None
    units: Decimal
    original_qualifier: str | None
    original_code: str | None
    original_modifiers: tuple[str, ...]
    original_units: Decimal | None


def service_head(elements: list[str], component: str, number: int, notes: Notes,
                 source: str | None) -> ServiceHead:
    e = padded(elements, SVC07)
    svc01 = e[SVC01]
    if component in svc01:
        parts = svc01.split(component)
    else:
        parts = split_composite(svc01, component, number, "SVC", 1, notes)
    code = parts[1] if len(parts) > 1 else ""
    if not code:
        notes(number, "SVC", "SVC01 has no procedure code (SVC01-2)")
    charge, paid = r_number(e[SVC02]), r_number(e[SVC03])
    if charge is None or paid is None:
        charge = required_amount(e, SVC02, number, source, notes)
        paid = required_amount(e, SVC03, number, source, notes)
    original = split_composite(e[SVC06], component, number, "SVC", 6, notes) if e[SVC06] else []
    if len(original) == 1:
        notes(number, "SVC", "SVC06 is not a qualifier:procedure composite; ignored")
        original = []
    return ServiceHead(
        parts[0], code, tuple(filter(None, parts[COMPOSITE_MODIFIERS])), charge, paid,
        e[SVC04] or None, optional_amount(e, SVC05, number, source) or ONE,
        original[0] if original else None, original[1] if original else None,
        tuple(filter(None, original[COMPOSITE_MODIFIERS])),
        optional_amount(e, SVC07, number, source),
    )


def check_group(elements: list[str], number: int, notes: Notes) -> None:
    group = elements[CAS01] if len(elements) > CAS01 else ""
    if group not in GROUP_CODES_5010:
        notes(number, "CAS",
              f"CAS01 group code {shown_code(group)} is not one of CO, OA, PI, PR (5010)")


class SharedValues:
    """Equal frozen values built once per file and shared: payer files repeat the same
    service dates, CAS segments, allowed amounts and remarks line after line, and building
    an attrs object costs far more than a dict lookup. Sharing is safe because the values
    are immutable. Bounded: each table is emptied when it reaches LIMIT entries, so memory
    stays flat on any file."""

    LIMIT = 4096

    def __init__(self, source: str | None) -> None:
        self.source = source
        self._cas: dict[tuple[str, ...], tuple[tuple[Adjustment, ...], Decimal]] = {}
        self._dates: dict[tuple[str, ...], DateValue] = {}
        self._amounts: dict[tuple[str, ...], Amount] = {}
        self._remarks: dict[tuple[str, ...], Remark] = {}
        self._names: dict[tuple[str, ...], Name] = {}
        self._services: dict[tuple[str, ...], tuple[ServiceHead, list[tuple[str, str]]]] = {}
        self._references: dict[tuple[str, ...], Reference] = {}

    def adjustments(self, elements: list[str], number: int, notes: Notes
                    ) -> tuple[tuple[Adjustment, ...], Decimal]:
        """The CAS triplets and their total."""
        key = tuple(elements)
        hit = self._cas.get(key)
        if hit is None:
            found = adjustments(elements, number, self.source, notes)
            hit = (tuple(found), sum((a.amount for a in found), Decimal(0)))
            if len(self._cas) >= self.LIMIT:
                self._cas.clear()
            self._cas[key] = hit
        if hit[0][0].group not in GROUP_CODES_5010:
            check_group(elements, number, notes)
        return hit

    def date(self, elements: list[str], number: int, notes: Notes) -> DateValue:
        key = tuple(elements)
        value = self._dates.get(key)
        if value is None:
            value = date_value(elements, number, notes)
            if len(self._dates) >= self.LIMIT:
                self._dates.clear()
            self._dates[key] = value
        elif value.value is None:
            notes(number, elements[0], f"{elements[0]}02 is not a date (CCYYMMDD); kept as text")
        return value

    def amount(self, elements: list[str], number: int) -> Amount:
        key = tuple(elements)
        value = self._amounts.get(key)
        if value is None:
            value = amount_value(elements, number, self.source)
            if len(self._amounts) >= self.LIMIT:
                self._amounts.clear()
            self._amounts[key] = value
        return value

    def service(self, elements: list[str], component: str, number: int, notes: Notes
                ) -> ServiceHead:
        """The parsed SVC; the defects it had are reported again at each repetition."""
        key = (component, *elements)
        hit = self._services.get(key)
        if hit is None:
            seen: list[tuple[str, str]] = []
            head = service_head(elements, component, number,
                                lambda _n, sid, message: seen.append((sid, message)),
                                self.source)
            hit = (head, seen)
            if len(self._services) >= self.LIMIT:
                self._services.clear()
            self._services[key] = hit
        for sid, message in hit[1]:
            notes(number, sid, message)
        return hit[0]

    def name(self, elements: list[str]) -> Name:
        key = tuple(elements)
        value = self._names.get(key)
        if value is None:
            value = name(elements)
            if len(self._names) >= self.LIMIT:
                self._names.clear()
            self._names[key] = value
        return value

    def reference(self, elements: list[str]) -> Reference:
        key = tuple(elements)
        value = self._references.get(key)
        if value is None:
            value = reference(elements)
            if len(self._references) >= self.LIMIT:
                self._references.clear()
            self._references[key] = value
        return value

    def remark(self, elements: list[str]) -> Remark:
        key = tuple(elements)
        value = self._remarks.get(key)
        if value is None:
            value = lq_remark(elements)
            if len(self._remarks) >= self.LIMIT:
                self._remarks.clear()
            self._remarks[key] = value
        return value


def name(elements: list[str]) -> Name:
    e = padded(elements, NM109)
    return Name(e[NM101], e[NM103], e[NM104], e[NM105], e[NM108], e[NM109])


def reference(elements: list[str]) -> Reference:
    e = padded(elements, REF02)
    return Reference(e[REF01], e[REF02])


def amount_value(elements: list[str], number: int, source: str | None) -> Amount:
    return Amount(padded(elements, AMT01)[AMT01], fast_amount(elements, AMT02, number, source))


def quantity_value(elements: list[str], number: int, source: str | None) -> Quantity:
    return Quantity(el(elements, QTY01), amount(elements, QTY02, number, source))


def remarks(elements: list[str], positions: tuple[int, ...]) -> tuple[Remark, ...]:
    return tuple(Remark("HE", elements[p]) for p in positions
                 if p < len(elements) and elements[p])


def lq_remark(elements: list[str]) -> Remark:
    e = padded(elements, LQ02)
    return Remark(e[LQ01], e[LQ02])
