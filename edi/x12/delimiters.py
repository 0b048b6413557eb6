"""Delimiters of one interchange, read from its ISA segment.

The ISA is fixed-width by the standard (106 characters) but real payers send it
unpadded (Nevada Medicaid), so nothing here uses fixed offsets: the element separator
is the character right after "ISA", ISA16 (the component separator) is the character
after the 16th element separator, and the segment terminator is the character right
after ISA16. ISA11 is the repetition separator when ISA12 (the version) is 00402 or
later; before that ISA11 was the standards identifier "U".
"""

from __future__ import annotations

from attrs import frozen

from edi.errors import X12SyntaxError

ISA_ELEMENT_COUNT = 16  # ISA01..ISA16
ISA_FIXED_LENGTH = 106  # a padded ISA including its terminator
# ISA element widths of the standard (ISA01..ISA16); unpadded ISAs differ from these.
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


@frozen
class Delimiters:
    element: str = "*"
    component: str = ":"
    segment: str = "~"
    repetition: str | None = "^"


def find_isa_end(text: str, element: str) -> int | None:
    """Index just past the ISA terminator in `text` (which starts with "ISA"), or None
    when `text` does not yet hold the whole ISA (read more, or it is truncated)."""
    count = 0
    index = 3
    while count < ISA_ELEMENT_COUNT:
        index = text.find(element, index)
        if index < 0:
            return None
        count += 1
        index += 1
    # index now points at ISA16; the terminator follows it
    if index + 1 >= len(text):
        return None
    return index + 2


def parse_isa(isa_text: str, *, source: str | None = None) -> tuple[Delimiters, list[str]]:
    """Delimiters and elements (elements[0] == "ISA") of one complete ISA segment text,
    terminator included. Raises X12SyntaxError naming segment 1 ISA when it is malformed."""

    def bad(message: str) -> X12SyntaxError:
        return X12SyntaxError(message, source=source, segment_number=1, segment_id="ISA")

    if not isa_text.startswith("ISA") or len(isa_text) < 4:
        raise bad("the interchange does not start with an ISA segment")
    element = isa_text[3]
    if element.isalnum() or element.isspace():
        raise bad(f"ISA element separator {element!r} is a letter, digit or blank")
    component = isa_text[-2]
    segment = isa_text[-1]
    body = isa_text[:-1]
    elements = body.split(element)
    if len(elements) != ISA_ELEMENT_COUNT + 1:
        raise bad(f"ISA has {len(elements) - 1} elements, 16 expected")
    if len(elements[16]) != 1:
        raise bad("ISA16 (component separator) must be exactly one character")
    if component.isalnum() or segment.isalnum() and segment not in "\r\n":
        raise bad(
            f"ISA16 component separator {component!r} or segment terminator {segment!r} "
            "is a letter or digit: the ISA is malformed or truncated"
        )
    if len({element, component, segment}) != 3:
        raise bad("element separator, component separator and segment terminator must differ")
    version = elements[12].strip()
    repetition: str | None = None
    if version.isdigit() and version >= "00402":
        rep = elements[11]
        if len(rep) != 1 or rep.isalnum() and rep != "U":
            raise bad(f"ISA11 repetition separator {rep!r} is not one special character")
        # "U" in a 005010 ISA11 is a common mistake; treating it as a separator would
        # split any value containing U, so it is ignored as a separator.
        repetition = None if rep == "U" or rep in (element, component, segment) else rep
    return Delimiters(element, component, segment, repetition), elements


def is_padded(elements: list[str]) -> bool:
    """True when every ISA element has the width the standard fixes."""
    return all(len(e) == w for e, w in zip(elements[1:], ISA_WIDTHS, strict=True))
