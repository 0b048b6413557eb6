"""Code-set checks that need a reference list: ICD-10-CM and the NPI check digit.

Where each problem lands (one rule, applied everywhere):

* **Loader errors** (`EncounterError`, exit 2) — the file cannot be read as an encounter:
  malformed JSON, a missing or mistyped field, a value outside the contract's vocabulary or
  shape (a diagnosis that is not shaped like an ICD-10-CM code, an NPI that is not ten
  digits, a procedure diagnosis missing from the claim list, more than 12 diagnoses).
* **Error findings** on the coded claim (exit 1) — the encounter is readable but the claim
  must not go out: a well-shaped ICD-10-CM code that does not exist or is not billable
  (a category with children), an NPI whose check digit is wrong, a CPT/HCPCS code that is
  not in dermclaim's code tables. These depend on reference data that changes every year,
  so they are reported with the rest of the coding result instead of refusing the file.

ICD-10-CM lookups go through `coding.icd10_index`: a compact index of `simple_icd_10_cm`'s
official code set (April 2026 code list in 1.5.x), built once and cached, so a process does
not parse the whole tabular XML. Codes are normalized (upper case, no dot) first.
"""

from __future__ import annotations

import re
from functools import lru_cache

from coding.icd10_index import icd10_index

__all__ = [
    "ICD10_SHAPE",
    "normalize_icd10",
    "icd10_problem",
    "npi_check_digit",
    "npi_check_digit_ok",
    "dotted",
    "npi_problem",
]

# Letter, digit, then one to five characters (undotted): A00 … S72.001A → S72001A.
ICD10_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?")


def normalize_icd10(code: str) -> str:
    """Upper case, surrounding blanks and the dot removed: ' l57.0 ' → 'L570'."""
    return code.strip().upper().replace(".", "")


def dotted(code: str) -> str:
    """'L570' → 'L57.0' for messages (codes of three characters have no dot)."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


@lru_cache(maxsize=4096)
def icd10_problem(code: str) -> str | None:
    """Why a normalized ICD-10-CM code cannot go on a claim, or None when it can.

    A code must exist in the ICD-10-CM list and be billable: a leaf of the hierarchy
    (CMS accepts only codes with no further subdivision).
    """
    if not ICD10_SHAPE.fullmatch(code):
        return f"{code!r} is not shaped like an ICD-10-CM code"
    index = icd10_index()
    kids = index.children(code)
    if kids is None:
        return f"{dotted(code)} is not an ICD-10-CM code ({index.version} code list)"
    if kids:
        children = [dotted(c) for c in kids[:4]]
        more = ", …" if len(kids) > 4 else ""
        return (
            f"{dotted(code)} is a category, not a billable code: use one of its subcodes "
            f"({', '.join(children)}{more})"
        )
    return None


def npi_check_digit_ok(npi: str) -> bool:
    """True when a ten-digit NPI's last digit is its Luhn check digit.

    The NPI check digit is the ISO/IEC 7812 Luhn digit computed over the card-issuer
    prefix 80840 followed by the first nine digits (CMS, "Requirements for NPI check
    digit", NPPES). The prefix contributes a constant 24 to the Luhn sum.
    """
    if not re.fullmatch(r"[0-9]{10}", npi):
        return False
    return npi[9] == npi_check_digit(npi[:9])


@lru_cache(maxsize=4096)
def npi_is_valid(npi: str) -> bool:
    """An NPI as CMS issues them (first digit 1 or 2) with a valid check digit: the
    practice's NPIs (edi.practice) and every NPI in an 837P (edi.x837p) are judged by it."""
    return re.fullmatch(r"[12]\d{9}", npi) is not None and npi_check_digit_ok(npi)


def npi_check_digit(first_nine: str) -> str:
    """The check digit for the first nine digits of an NPI."""
    digits = [int(d) for d in "80840" + first_nine]
    total = 0
    # Double every second digit counting from the right of the payload (the check digit
    # would be the rightmost, so the payload's last digit is doubled).
    for pos, d in enumerate(reversed(digits)):
        if pos % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


@lru_cache(maxsize=4096)
def npi_problem(npi: str) -> str | None:
    """Why an NPI cannot go on a claim (shape or check digit), or None (cached: a batch
    names the same few rendering providers on every claim)."""
    if not re.fullmatch(r"[0-9]{10}", npi):
        return f"NPI {npi!r} must be exactly ten digits"
    if not npi_check_digit_ok(npi):
        return (
            f"NPI {npi} fails its check digit (expected {npi_check_digit(npi[:9])} as the "
            "last digit): check it against NPPES"
        )
    return None
