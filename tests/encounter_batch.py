"""Generated encounters: varied, valid encounter JSON covering every procedure type and
both shipped payers, for batch tests of `dermclaim claims` (deterministic per seed).

Each encounter is built so that a careful coder would bill it: diagnoses that support the
procedure, distinct sites for same-day procedures, drugs with real NDCs, an E/M only with
its own diagnosis and `separately_identifiable`. Patients, members and addresses are
made up.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from coding.validation import npi_check_digit

__all__ = ["make_encounter", "make_encounters", "write_encounters", "npi_with_check_digit",
           "PROCEDURE_MAKERS"]

PAYERS = ("medicare", "commercial")
LAST = ("Okafor", "Nguyen", "Garcia", "Smith", "Kowalski", "O'Brien", "Haddad", "Lindqvist",
        "Patel", "Johnson", "Moreau", "Tanaka", "Schmidt", "Rossi", "Dubois", "Fischer")
FIRST = ("Ruth", "Amir", "Lena", "Carlos", "Mei", "John", "Ava", "Noah", "Ines", "Omar",
         "Grace", "Ivan", "Sofia", "Liam", "Hana", "Paul")
CITIES = (("Austin", "TX", "78704"), ("Springfield", "IL", "62704"),
          ("Portland", "OR", "97205"), ("Madison", "WI", "53703"), ("Tampa", "FL", "33602"))
STREETS = ("Juniper Lane", "Main St", "Oak Ave", "Elm St", "Cedar Rd", "Maple Dr")
TRUNK_LIMB = ("back", "chest", "abdomen", "arm", "forearm", "thigh", "leg", "shoulder")
HEAD = ("cheek", "forehead", "nose", "ear", "chin", "scalp", "neck")
ALL_SITES = TRUNK_LIMB + HEAD + ("hand", "foot")
LATERAL = {"arm", "forearm", "thigh", "leg", "shoulder", "cheek", "ear", "hand", "foot"}

# (hcpcs, ndc 11 digits, dose, dose_unit, ndc_quantity, ndc_unit)
INTRALESIONAL_DRUGS = (("J3301", "00003029305", "20", "mg", "0.5", "ML"),
                       ("J3301", "00003029328", "40", "mg", "1", "ML"))
INJECTED_DRUGS = (("J3357", "57894006003", "45", "mg", "0.5", "ML"),
                  ("J3245", "47335017795", "100", "mg", "1", "ML"),
                  ("J1628", "57894064001", "100", "mg", "1", "ML"),
                  ("J2357", "50242004062", "150", "mg", "1", "ML"))


def npi_with_check_digit(first_nine: str) -> str:
    return first_nine + npi_check_digit(first_nine)


def _site(r: random.Random, used: set[str], pool: tuple[str, ...] = ALL_SITES) -> dict[str, str]:
    free = [s for s in pool if s not in used] or list(pool)
    site = r.choice(free)
    used.add(site)
    out = {"site": site}
    if site in LATERAL:
        out["laterality"] = r.choice(("left", "right"))
    return out


def _biopsy(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    return ({"type": "biopsy", "technique": r.choice(("tangential", "punch", "incisional")),
             **_site(r, used)}, r.choice(("D48.5", "D49.2")))


def _destruction(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    if r.random() < 0.6:
        return ({"type": "destruction", "lesion_class": "premalignant",
                 "count": r.randint(1, 20), "method": "cryotherapy", **_site(r, used)}, "L57.0")
    return ({"type": "destruction", "lesion_class": "benign", "count": r.randint(1, 18),
             "method": "cryotherapy", **_site(r, used)}, r.choice(("B07.8", "B07.0")))


def _skin_tags(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    return ({"type": "skin_tag_removal", "count": r.randint(1, 30),
             **_site(r, used, ("neck", "axilla", "chest"))}, "L91.8")


def _shave(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    return ({"type": "shave", "lesion_cm": str(r.choice((0.4, 0.8, 1.2, 1.8, 2.5))),
             **_site(r, used)}, r.choice(("L82.1", "D22.5")))


def _excision(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    malignant = r.random() < 0.5
    proc: dict[str, Any] = {
        "type": "excision", "behavior": "malignant" if malignant else "benign",
        "lesion_cm": str(r.choice((0.5, 0.9, 1.4, 2.2, 3.5))),
        "margin_cm": str(r.choice((0.2, 0.4)) if malignant else r.choice((0.1, 0.2))),
        **_site(r, used, TRUNK_LIMB),
    }
    if r.random() < 0.5:
        proc["repair"] = {"complexity": "intermediate",
                          "length_cm": str(r.choice((2.0, 3.5, 6.0)))}
    return proc, ("C44.519" if proc["site"] in ("back", "chest", "abdomen") else
                  "C44.619") if malignant else "D23.5"


def _repair(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    return ({"type": "repair", "complexity": r.choice(("simple", "intermediate", "complex")),
             "length_cm": str(r.choice((1.5, 3.0, 5.5, 8.0))), **_site(r, used, TRUNK_LIMB)},
            "S41.111A" if r.random() < 0.5 else "S51.811A")


def _mohs(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    stages = [r.randint(1, 3) for _ in range(r.randint(1, 3))]
    return ({"type": "mohs", "stages": stages, **_site(r, used, ("nose", "cheek", "ear"))},
            "C44.311" if used and "nose" in used else "C44.319")


def _intralesional(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    h, ndc, dose, unit, qty, qunit = r.choice(INTRALESIONAL_DRUGS)
    return ({"type": "intralesional", "lesions": r.randint(1, 10), **_site(r, used),
             "drug": {"hcpcs": h, "ndc": ndc, "dose": dose, "dose_unit": unit,
                      "ndc_quantity": qty, "ndc_unit": qunit}},
            r.choice(("L91.0", "L63.9", "L73.2")))


def _injection(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    h, ndc, dose, unit, qty, qunit = r.choice(INJECTED_DRUGS)
    dx = "L20.9" if h == "J2357" else "L40.0"
    if h == "J2357":
        dx = "L50.1"
    return ({"type": "injection", "route": "subcutaneous",
             "drug": {"hcpcs": h, "ndc": ndc, "dose": dose, "dose_unit": unit,
                      "ndc_quantity": qty, "ndc_unit": qunit, "single_dose": True}}, dx)


def _pathology(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    return ({"type": "pathology", "code": "88305", "specimens": r.randint(1, 3),
             "in_house": True}, r.choice(("D48.5", "D49.2")))


def _phototherapy(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    return ({"type": "phototherapy", "code": r.choice(("96910", "96900")), "units": 1},
            r.choice(("L40.0", "L80")))


def _other(r: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    return ({"type": "other", "code": "10060", "units": 1, **_site(r, used, TRUNK_LIMB)},
            "L02.212")


PROCEDURE_MAKERS: dict[str, Callable[[random.Random, set[str]], tuple[dict[str, Any], str]]] = {
    "biopsy": _biopsy, "destruction": _destruction, "skin_tag_removal": _skin_tags,
    "shave": _shave, "excision": _excision, "repair": _repair, "mohs": _mohs,
    "intralesional": _intralesional, "injection": _injection, "pathology": _pathology,
    "phototherapy": _phototherapy, "other": _other,
}
EM_DX = ("L30.9", "L70.0", "L21.9", "L71.9")


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z (CMS MBI format)


def mbi(n: int, r: random.Random) -> str:
    """A member id in the CMS MBI format (C A AN N A AN N A A N N), unique per `n`; one
    draw from `r`, as before, so every other generated value stays the same."""
    d = f"{n:07d}"[-7:]
    k = len(_MBI_LETTERS)
    a, b, c = (_MBI_LETTERS[(n // k**i) % k] for i in range(3))
    first = f"{int(d[0]) % 9 + 1}{r.choice(_MBI_LETTERS)}{d[1]}{d[2]}{a}"
    return f"{first}{d[3]}{d[4]}{b}{c}{d[5]}{d[6]}"


def _person(r: random.Random, n: int, born: date) -> dict[str, Any]:
    city, state, zip_code = r.choice(CITIES)
    return {
        "member_id": mbi(n, r),
        "last_name": r.choice(LAST), "first_name": r.choice(FIRST),
        "birth_date": born.isoformat(), "sex": r.choice(("F", "M")),
        "address": {"line1": f"{r.randint(1, 9999)} {r.choice(STREETS)}", "city": city,
                    "state": state, "zip": zip_code},
    }


def make_encounter(r: random.Random, n: int, *, kind: str | None = None,
                   payer: str | None = None) -> dict[str, Any]:
    """One encounter; `kind` forces the main procedure type (office_visit = E/M only)."""
    payer = payer or r.choice(PAYERS)
    dos = date(2026, 1, 5) + timedelta(days=r.randint(0, 50))
    medicare = payer == "medicare"
    born = date(1940 + r.randint(0, 18), r.randint(1, 12), r.randint(1, 28)) if medicare \
        else date(1960 + r.randint(0, 45), r.randint(1, 12), r.randint(1, 28))
    enc: dict[str, Any] = {
        "claim_id": f"GEN-{n:06d}", "date_of_service": dos.isoformat(),
        "place_of_service": "11", "payer": payer, "patient": _person(r, n, born),
    }
    used: set[str] = set()
    procedures: list[dict[str, Any]] = []
    diagnoses: list[str] = []
    kinds = [kind] if kind else [r.choice(list(PROCEDURE_MAKERS))]
    if kind is None and r.random() < 0.3:
        second = r.choice(("biopsy", "destruction", "shave"))
        if second not in kinds:
            kinds.append(second)
    for k in kinds:
        if k == "office_visit":
            continue
        proc, dx = PROCEDURE_MAKERS[k](r, used)
        if dx not in diagnoses:
            diagnoses.append(dx)
        proc["diagnoses"] = [dx]
        procedures.append(proc)
    if kind == "office_visit" or not procedures or r.random() < 0.35:
        em_dx = r.choice(EM_DX)
        diagnoses.append(em_dx)
        code = r.choice(("99203", "99204")) if not procedures and r.random() < 0.3 else \
            r.choice(("99212", "99213", "99214"))
        procedures.insert(0, {"type": "office_visit", "code": code,
                              "separately_identifiable": True, "diagnoses": [em_dx]})
    enc["diagnoses"] = diagnoses
    enc["procedures"] = procedures
    if not medicare and r.random() < 0.3:
        rel = r.choice(("spouse", "child", "other"))
        sub_born = born - timedelta(days=365 * 30) if rel == "child" else born
        enc["subscriber"] = {"relationship": rel, **_person(r, n + 500000, sub_born)}
        if rel == "child":
            enc["patient"]["last_name"] = enc["subscriber"]["last_name"]
    if r.random() < 0.6:
        enc["rendering_provider"] = {
            "npi": npi_with_check_digit(f"1{r.randint(10000000, 99999999)}"),
            "last_name": r.choice(LAST), "first_name": r.choice(FIRST)}
    if r.random() < 0.05:
        enc["frequency"] = "7"
        enc["payer_claim_number"] = f"{r.randint(10**12, 10**13 - 1)}"
    if not medicare and r.random() < 0.1:
        enc["prior_authorization"] = f"PA{r.randint(100000, 999999)}"
    return enc


def make_encounters(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    """`count` encounters; the first ones cycle through every procedure type on both payers
    so even a small batch covers them all."""
    r = random.Random(seed)
    kinds = ["office_visit", *PROCEDURE_MAKERS]
    forced = [(k, p) for k in kinds for p in PAYERS]
    out = []
    for n in range(count):
        if n < len(forced):
            kind, payer = forced[n]
            out.append(make_encounter(r, n, kind=kind, payer=payer))
        else:
            out.append(make_encounter(r, n))
    return out


def write_encounters(folder: Path, count: int, seed: int = 2026,
                     per_file: int = 100) -> list[Path]:
    """Write encounters as JSON arrays of up to `per_file` each (the loader reads arrays)."""
    folder.mkdir(parents=True, exist_ok=True)
    encounters = make_encounters(count, seed)
    paths = []
    for start in range(0, count, per_file):
        path = folder / f"batch-{start // per_file:04d}.json"
        path.write_text(json.dumps(encounters[start:start + per_file], indent=1))
        paths.append(path)
    return paths
