"""Our own 837P checks: what pyx12 4.0 lets through (see reference/pyx12-notes.md).

Two layers:
- `claim_problems(claim, guide, now)` runs BEFORE writing: a claim with a problem is held
  back with the reasons (never written half-right). It is the only place that knows why a
  claim cannot go out (no fee, a bad NPI check digit, a dotted ICD-10, a pointer past the
  diagnoses, zero units, a 10-digit NDC, a missing REF*F8 on a replacement...).
- `check_text(text)` runs AFTER writing, on the X12 itself: `edi.x837p.text_checks`.
"""

from __future__ import annotations

import re
from datetime import datetime

from coding.model import CodedClaim
from coding.validation import npi_is_valid
from companion_guides import Guide
from edi.x837p.party_checks import party_problems

__all__ = ["claim_problems", "RELATIONSHIP_CODES", "needs_ndc", "MODIFIERS"]

# 2000C PAT01 individual relationship codes for the relationships an encounter documents.
RELATIONSHIP_CODES: dict[str, str] = {"spouse": "01", "child": "19", "other": "G8"}

# CPT and HCPCS level II modifiers a dermatology claim can carry (AMA CPT Appendix A; CMS
# HCPCS modifier file). A two-character string outside this set (e.g. "XX") is a typo that
# pyx12 would let through and the payer would reject.
MODIFIERS: frozenset[str] = frozenset(
    "22 24 25 26 27 32 33 47 50 51 52 53 54 55 56 57 58 59 62 66 73 74 76 77 78 79 80 81 82 "
    "90 91 92 95 96 97 99 AQ AS CR CS E1 E2 E3 E4 F1 F2 F3 F4 F5 F6 F7 F8 F9 FA FX FY GA GC "
    "GJ GQ GT GU GV GW GX GY GZ JW JZ JG JB KX LC LD LM LT Q5 Q6 QW RC RI RT SA SB SG TA T1 "
    "T2 T3 T4 T5 T6 T7 T8 T9 TC XE XP XS XU".split()
)
ICD10 = re.compile(r"[A-TV-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?")
NDC_UNITS = ("F2", "GR", "ME", "ML", "UN")
CLAIM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{0,19}")
_PLACE = re.compile(r"\d{2}")
_CODE = re.compile(r"[A-Z0-9]{5}")
_NDC = re.compile(r"\d{11}")


def needs_ndc(code: str, guide: Guide) -> bool:
    """Whether this payer wants loop 2410 (LIN*N4/CTP) on a line with this code."""
    if guide.ndc_required == "never":
        return False
    if guide.ndc_required == "j_codes":
        return code.startswith("J")
    return code[:1] in ("J", "Q")  # all_drugs: HCPCS drug codes (J, and Q biologicals)


def claim_problems(claim: CodedClaim, guide: Guide, now: datetime | None = None) -> list[str]:
    """Why `claim` cannot be written as it stands; [] when it can."""
    enc = claim.encounter
    out = [f"{f.code}: {f.message}" for f in claim.findings if f.severity.value == "error"]
    if not CLAIM_ID.fullmatch(enc.claim_id):
        out.append("claim id must be 1-20 letters, digits or hyphens (CLM01)")
    if not claim.lines:
        out.append("no billable service lines")
    if not claim.diagnoses:
        out.append("no diagnosis (HI needs at least one)")
    for dx in claim.diagnoses:
        if not ICD10.fullmatch(dx):
            out.append(f"diagnosis {dx!r} is not an ICD-10-CM code without a dot")
    if enc.frequency not in ("1", "7", "8"):
        out.append(f"frequency {enc.frequency!r} must be 1, 7 or 8 (CLM05-3)")
    if enc.frequency in ("7", "8") and not enc.payer_claim_number:
        out.append("a replacement (7) or void (8) needs the payer's claim number (REF*F8)")
    if not _PLACE.fullmatch(enc.place_of_service):
        out.append(f"place of service {enc.place_of_service!r} must be 2 digits")
    if now is not None and enc.date_of_service > now.date():
        out.append(f"date of service is after the file date {now.date()}")
    if enc.subscriber and guide.is_medicare:
        out.append("Medicare: the beneficiary is always the subscriber (SBR02 18); the "
                   "encounter names another subscriber")
    out += _coverage_problems(claim, guide)
    if enc.subscriber and enc.subscriber.relationship not in RELATIONSHIP_CODES:
        out.append(f"subscriber relationship {enc.subscriber.relationship!r} must be one of "
                   f"{', '.join(RELATIONSHIP_CODES)}")
    for who, person in (("patient", enc.patient), ("subscriber", enc.insured)):
        if person.sex not in ("F", "M", "U"):
            out.append(f"{who} sex must be F, M or U")
        if not person.member_id or len(person.member_id) > 80:
            out.append(f"{who} member id must be 1-80 characters")
    if enc.rendering_provider and not npi_is_valid(enc.rendering_provider.npi):
        out.append("rendering provider NPI fails the check digit (Luhn over 80840 + 9 digits)")
    engine_no_fee = any(f.code == "NO_FEE" for f in claim.findings)  # already a reason
    seen_lcn: set[str] = set()
    for line in claim.lines:
        where = f"line {line.line} ({line.code})"
        if not _CODE.fullmatch(line.code):
            out.append(f"{where}: procedure code must be 5 letters or digits")
        if line.charge is None:
            if not engine_no_fee:
                out.append(f"{where}: no fee for {line.code} in the practice file")
        elif line.charge <= 0:
            out.append(f"{where}: charge must be greater than 0")
        if line.units < 1:
            out.append(f"{where}: units must be at least 1")
        if len(line.modifiers) > 4:
            out.append(f"{where}: at most 4 modifiers (SV101-3 to -6)")
        for mod in line.modifiers:
            if mod not in MODIFIERS:
                out.append(f"{where}: {mod!r} is not a CPT/HCPCS modifier")
        ptrs = line.diagnosis_pointers
        if not ptrs or len(ptrs) > 4 or len(set(ptrs)) != len(ptrs):
            out.append(f"{where}: 1 to 4 distinct diagnosis pointers (SV107)")
        if any(p < 1 or p > len(claim.diagnoses) for p in ptrs):
            out.append(f"{where}: a diagnosis pointer is past the {len(claim.diagnoses)} "
                       "diagnoses")
        if line.line_control_number:
            if line.line_control_number in seen_lcn or len(line.line_control_number) > 50:
                out.append(f"{where}: line control number must be unique and at most 50 "
                           "characters (REF*6R)")
            seen_lcn.add(line.line_control_number)
        if line.drug is not None:
            if not _NDC.fullmatch(line.drug.ndc):
                out.append(f"{where}: NDC must be 11 digits (5-4-2, no hyphens)")
            if line.drug.quantity <= 0:
                out.append(f"{where}: NDC quantity must be greater than 0")
            if line.drug.unit not in NDC_UNITS:
                out.append(f"{where}: NDC unit must be one of {', '.join(NDC_UNITS)}")
        elif needs_ndc(line.code, guide):
            out.append(f"{where}: {guide.name} requires the NDC (LIN/CTP) on this drug line")
    return out + party_problems(claim, guide)  # names, addresses, MBI (party_checks.py)


def _coverage_problems(claim: CodedClaim, guide: Guide) -> list[str]:
    """Other coverage (2320/2330/2430): each payer once, the earlier payers' answers on a
    claim to a later payer, and what this writer cannot say (Medicare as a secondary payer
    needs SBR05, the MSP type, which the encounter does not carry)."""
    enc = claim.encounter
    out: list[str] = []
    if enc.payer_order not in ("P", "S", "T"):
        out.append(f"payer order {enc.payer_order!r} must be P, S or T (SBR01)")
        return out
    payers = [enc.payer, *(c.payer for c in enc.other_coverage)]
    if len(set(payers)) != len(payers):
        out.append("a payer is listed twice among the encounter's coverages")
    if len(enc.other_coverage) > 2:
        out.append("at most two other payers (secondary and tertiary)")
    earlier = {"P": 0, "S": 1, "T": 2}[enc.payer_order]
    for cov in enc.other_coverage[:earlier]:
        if cov.adjudication is None:
            out.append(f"a claim to the {'secondary' if earlier == 1 else 'tertiary'} payer "
                       f"needs {cov.payer}'s answer (its 835): use `dermclaim secondary`")
        elif not cov.adjudication.lines:
            out.append(f"{cov.payer}'s answer has no service lines (2430)")
    for cov in enc.other_coverage[earlier:]:
        if cov.adjudication is not None:
            out.append(f"{cov.payer} comes after this claim's payer but has an answer")
    if enc.payer_order != "P" and guide.is_medicare:
        out.append("Medicare as a secondary payer needs the MSP type (2000B SBR05), which "
                   "the encounter does not carry: bill Medicare secondary claims by hand")
    for cov in enc.other_coverage:
        if cov.relationship not in ("self", "spouse", "child", "other"):
            out.append(f"{cov.payer}: relationship {cov.relationship!r} must be self, "
                       "spouse, child or other")
    return out
