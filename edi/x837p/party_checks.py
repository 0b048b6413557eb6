"""837P checks on the people and addresses of a claim that pyx12 does not make.

- Names and addresses must be X12 text: Latin letters are folded (edi.x12.charset), a
  letter of another script holds the claim (never the batch) until it is written as on
  the insurance card. Messages name the field, never its value.
- Medicare member ids must be MBIs. CMS, "Understanding the Medicare Beneficiary
  Identifier (MBI) Format" (New Medicare Card project): 11 characters, positions
  C A AN N A AN N A A N N, where C is 1-9, N is 0-9, A is a letter other than S, L, O,
  I, B, Z and AN is either; no dashes in files.
- The billing provider address (2010AA N3) must be a street address: "The Billing
  Provider Address must be a street address. Post Office Box or Lock Box addresses are
  to be sent in the Pay-to Address Loop (Loop ID-2010AB), if necessary" (005010X222A1
  2010AA N3 note; X12 RFI 1451 gives the rationale). `is_po_box` is used by the practice
  loader and by `dermclaim validate`.
"""

from __future__ import annotations

import re

from coding.model import Address, CodedClaim, Person
from companion_guides import Guide
from edi.x12.charset import fold, unmapped

__all__ = ["MBI", "is_mbi", "is_po_box", "party_problems"]

_A = "AC-HJKMNP-RT-Y"  # A-Z without S, L, O, I, B, Z
MBI = re.compile(rf"[1-9][{_A}][0-9{_A}][0-9][{_A}][0-9{_A}][0-9][{_A}][{_A}][0-9][0-9]")
_PO_BOX = re.compile(
    r"\b(P\s*[.\s]?\s*[O0]\s*[.\s]?\s*BOX|POST\s+OFFICE\s+BOX|POB|P\s*O\s+DRAWER|"
    r"LOCK\s*BOX|PMB|POSTAL\s+BOX)\b|^\s*BOX\s+\d",
)


def is_mbi(member_id: str) -> bool:
    return MBI.fullmatch(member_id) is not None


def is_po_box(line: str | None) -> bool:
    """Whether an address line is a PO Box, lock box or private mailbox (not a street)."""
    return bool(line) and _PO_BOX.search(fold(line or "").upper()) is not None


def party_problems(claim: CodedClaim, guide: Guide) -> list[str]:
    """Why the people of `claim` cannot be written as they stand; [] when they can."""
    enc = claim.encounter
    out: list[str] = []
    people = [("patient", enc.patient)]
    if enc.subscriber is not None:
        people.append(("subscriber", enc.insured))
    for who, person in people:
        out += _person_text(who, person)
    if guide.is_medicare:
        member_id = enc.insured.member_id or ""
        if not is_mbi(member_id):
            hint = ("; remove the dashes (MBIs are written without them)"
                    if "-" in member_id and is_mbi(member_id.replace("-", "").upper())
                    else "; use the MBI from the beneficiary's Medicare card")
            out.append(f"subscriber.member_id is not a Medicare Beneficiary Identifier "
                       f"(11 characters, CMS MBI format){hint}")
    return out


def _person_text(who: str, person: Person) -> list[str]:
    out = []
    fields: list[tuple[str, str | None, bool]] = [
        ("last_name", person.last_name, True), ("first_name", person.first_name, False)]
    address: Address = person.address
    if address is not None:
        fields += [("address.line1", address.line1, True), ("address.line2", address.line2, False),
                   ("address.city", address.city, True)]
    for name, value, required in fields:
        if unmapped(value):
            out.append(f"{who}.{name} has letters outside the Latin alphabet (or a symbol "
                       "or emoji), which an 837P cannot carry: write it as on the insurance "
                       "card, in Latin letters")
        elif required and value and not _has_letter_or_digit(fold(value)):
            out.append(f"{who}.{name} has no letter or digit an 837P can carry")
    return out


_ASCII_LETTER_OR_DIGIT = re.compile(r"[A-Za-z0-9]")


def _has_letter_or_digit(text: str) -> bool:
    """Whether any character of `text` is a letter or digit (str.isalnum); ASCII text, the
    usual case, by one search instead of a test per character."""
    if text.isascii():
        return _ASCII_LETTER_OR_DIGIT.search(text) is not None
    return any(c.isalnum() for c in text)
