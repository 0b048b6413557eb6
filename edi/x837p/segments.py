"""837P segments with explicit element positions (005010X222A1).

Every segment the writer emits is declared here once, each named element bound to its
X12 position (`SV1-04` is `SEGMENTS["SV1"].positions["quantity"] == 4`). Nothing is
positional by argument order: LinuxForHealth's SV1 model declared a field twice and shifted
SV119-SV121 silently. `tests/test_837_segments.py` checks positions are unique per segment.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from attrs import field, frozen

from edi.x12.charset import fold

__all__ = ["SEGMENTS", "SegmentSpec", "Delimiters", "amount", "clean_text", "quantity"]


@frozen
class Delimiters:
    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"


DELIMITERS = Delimiters()


@frozen
class SegmentSpec:
    id: str
    positions: dict[str, int]  # element name -> X12 position (1-based)
    max_position: int
    # the segment id and max_position empty elements: what render copies and fills
    blank: tuple[str, ...] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "blank", (self.id, *[""] * self.max_position))

    def render(self, d: Delimiters = DELIMITERS, /, **values: str | None) -> str:
        """`SV1.render(procedure="HC:11102", charge="240", ...)` -> "SV1*HC:11102*240...".
        Unknown names raise (a typo must not drop an element); trailing empties are cut
        (pyx12 rejects trailing empty elements)."""
        positions = self.positions
        elements = list(self.blank)  # [0] is the segment id
        last = 0  # the last element with a value: empties after it are cut
        for name, value in values.items():
            position = positions.get(name)
            if position is None:
                raise KeyError(f"{self.id} has no element named {name!r}")
            if value:
                elements[position] = value
                if position > last:
                    last = position
        return d.element.join(elements[:last + 1])


def _spec(seg_id: str, **positions: int) -> SegmentSpec:
    return SegmentSpec(seg_id, positions, max(positions.values()))


# One entry per segment the writer emits. Comments give the loop(s) it appears in.
SEGMENTS: dict[str, SegmentSpec] = {
    # Envelope: ISA is fixed width and rendered in envelope.py from ISA_WIDTHS.
    "GS": _spec("GS", functional_id=1, sender=2, receiver=3, date=4, time=5,
                control_number=6, agency=7, version=8),
    "GE": _spec("GE", transaction_count=1, control_number=2),
    "IEA": _spec("IEA", group_count=1, control_number=2),
    "ST": _spec("ST", transaction_id=1, control_number=2, version=3),
    "SE": _spec("SE", segment_count=1, control_number=2),
    "BHT": _spec("BHT", structure=1, purpose=2, reference=3, date=4, time=5, type=6),
    # NM1: 1000A/1000B/2010AA/2010BA/2010BB/2010CA/2310B
    "NM1": _spec("NM1", entity=1, entity_type=2, last_or_org=3, first=4, middle=5,
                 suffix=7, id_qualifier=8, id=9),
    "PER": _spec("PER", function=1, name=2, qualifier1=3, number1=4, qualifier2=5,
                 number2=6),
    "HL": _spec("HL", id=1, parent=2, level=3, child=4),
    "PRV": _spec("PRV", provider_code=1, qualifier=2, taxonomy=3),
    "N3": _spec("N3", line1=1, line2=2),
    "N4": _spec("N4", city=1, state=2, zip=3),
    "REF": _spec("REF", qualifier=1, value=2),
    "SBR": _spec("SBR", payer_responsibility=1, relationship=2, group_number=3,
                 group_name=4, insurance_type=5, filing_indicator=9),
    "PAT": _spec("PAT", relationship=1),
    "DMG": _spec("DMG", format=1, birth_date=2, sex=3),
    "CLM": _spec("CLM", claim_id=1, total_charge=2, place_and_frequency=5,
                 provider_signature=6, assignment=7, benefits_assigned=8,
                 release_of_information=9),
    "HI": _spec("HI", **{f"code{i}": i for i in range(1, 13)}),
    "LX": _spec("LX", number=1),
    "SV1": _spec("SV1", procedure=1, charge=2, unit=3, quantity=4, place_of_service=5,
                 pointers=7),
    "DTP": _spec("DTP", qualifier=1, format=2, value=3),
    "LIN": _spec("LIN", assigned_id=1, qualifier=2, ndc=3),
    "CTP": _spec("CTP", quantity=4, unit=5),
    # Coordination of benefits: 2320 SBR/CAS/AMT/OI, 2330B REF*F8, 2430 SVD/CAS/DTP*573
    "CAS": _spec("CAS", group=1, **{f"{name}{i}": 2 + 3 * (i - 1) + k
                                    for i in range(1, 7)
                                    for k, name in enumerate(("reason", "amount",
                                                              "quantity"))}),
    "AMT": _spec("AMT", qualifier=1, amount=2),
    "OI": _spec("OI", benefits_assignment=3, patient_signature=4, release_of_information=6),
    "SVD": _spec("SVD", payer_id=1, paid=2, procedure=3, units=5, bundled_line=6),
}

# ISA element widths (fixed: ISA is always 106 characters with its terminator).
ISA_WIDTHS: dict[int, int] = {
    1: 2, 2: 10, 3: 2, 4: 10, 5: 2, 6: 15, 7: 2, 8: 15, 9: 6, 10: 4, 11: 1, 12: 5,
    13: 9, 14: 1, 15: 1, 16: 1,
}


CENT, MILLI = Decimal("0.01"), Decimal("0.001")


def amount(value: Decimal) -> str:
    """X12 R-type money: no currency sign, no trailing zeros after the point, no
    exponent ("240", "12.5", "0.75")."""
    q = value.quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def quantity(value: Decimal | int) -> str:
    """X12 R-type quantity (SV104, CTP04): at most 3 decimals, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    text = f"{value.quantize(MILLI):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_NOT_ALLOWED = re.compile(r"[^A-Z0-9 &'(),\-./#]")
_SPACES = re.compile(r"\s+")
# upper-case text that clean_text leaves as it is: allowed characters, single spaces inside
_CLEAN = re.compile(r"[A-Z0-9&'(),\-./#]+(?: [A-Z0-9&'(),\-./#]+)*")


def clean_text(value: str | None, max_len: int) -> str:
    """Upper-case free text (names, addresses) restricted to the X12 basic/extended set
    without our delimiters (* : ^ ~), spaces collapsed, cut to the element's maximum.
    Latin letters with diacritics are folded first (edi.x12.charset)."""
    if not value:
        return ""
    if value.isascii():
        text = value.upper()
        if _CLEAN.fullmatch(text):  # most names and addresses: nothing to replace
            return text[:max_len].rstrip()
    text = _NOT_ALLOWED.sub(" ", fold(value).upper())  # Müller -> MULLER, not M LLER
    text = _SPACES.sub(" ", text).strip()
    return text[:max_len].rstrip()
