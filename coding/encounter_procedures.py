"""The `procedures` part of the encounter contract: per-type fields, drugs, and back to dict.

Each procedure type accepts the common fields plus its own (see `TYPE_FIELDS`); a field of
another type is reported ("does not apply to a shave") rather than ignored, because a coder
who wrote `margin_cm` on a shave expects it to matter.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from coding.encounter_fields import Fields, kind
from coding.model import Drug, Procedure, RepairSpec
from coding.validation import ICD10_SHAPE, dotted, normalize_icd10

__all__ = [
    "SITES", "PROCEDURE_TYPES", "TYPE_FIELDS", "EM_CODES", "PHOTOTHERAPY_CODES", "HS_REGIONS",
    "CLOSURES",
    "parse_procedure", "procedure_to_dict",
]

# The one site vocabulary of the input contract (issue 2); `coding.sites` maps each to the
# CPT site group of every family.
SITES = (
    "scalp", "forehead", "cheek", "chin", "mouth", "nose", "ear", "eyelid", "lip",
    "mucous_membrane", "face", "neck", "axilla", "chest", "abdomen", "back", "trunk",
    "buttock", "shoulder", "arm", "forearm", "hand", "finger", "thigh", "leg", "knee",
    "foot", "toe", "genitalia",
)
# New patient 99202-99205, established 99211-99215 (CPT 2021 office E/M revision: 99201
# deleted).
# Office consultations 99242–99245 (99241 deleted in CPT 2023; Medicare pays no consultation
# codes). Preventive medicine 99381–99387 new, 99391–99397 established patient, by age.
PROBLEM_EM_CODES = ("99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214",
                    "99215", "99242", "99243", "99244", "99245")
PREVENTIVE_EM_CODES = tuple(f"9938{n}" for n in range(1, 8)) + tuple(
    f"9939{n}" for n in range(1, 8))
EM_CODES = PROBLEM_EM_CODES + PREVENTIVE_EM_CODES
# CPT photomedicine (96900–96922) and photodynamic therapy: 96567 (light by staff), 96573
# (light by the physician/QHP), 96574 (with physician debridement, e.g. curettage), each per
# day. The one list: rules/phototherapy.py codes exactly these.
PHOTOTHERAPY_CODES = ("96900", "96910", "96912", "96913", "96920", "96921", "96922", "96567",
                      "96573", "96574")
DOSE_UNITS = ("mg", "mcg", "g", "units", "mL")
NDC_UNITS = ("UN", "ML", "GR", "F2", "ME")  # 837P CTP05-1 (005010X222A1)
COMMON_FIELDS = (
    "type", "diagnoses", "site", "laterality", "lesion", "digit", "eyelid", "cosmetic",
    "medical_necessity", "abn", "staged", "complication", "notes",
)
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "office_visit": ("code", "separately_identifiable", "decision_for_surgery"),
    "biopsy": ("technique", "special_site", "prior_pathology"),
    "destruction": ("lesion_class", "count", "method", "lesion_cm"),
    "skin_tag_removal": ("count",),
    "shave": ("lesion_cm",),
    "excision": ("behavior", "lesion_cm", "margin_cm", "repair", "re_excision"),
    "repair": ("complexity", "length_cm"),
    "adjacent_tissue_transfer": ("defect_sq_cm",),
    "graft": ("graft", "area_sq_cm"),
    "debridement": ("depth", "area_sq_cm"),
    "mohs": ("stages",),
    "intralesional": ("lesions", "drug"),
    "injection": ("route", "drug"),
    "pathology": ("code", "specimens", "in_house", "prior_pathology"),
    "phototherapy": ("code", "units", "area_sq_cm", "drug"),
    "other": ("code", "units", "modifiers", "count", "area_sq_cm", "complicated", "region",
              "closure", "drug"),
}
PROCEDURE_TYPES = tuple(TYPE_FIELDS)
MAX_CM = Decimal(100)  # a lesion, margin or repair beyond a metre is a typo
DRUG_FIELDS = (
    "hcpcs", "ndc", "dose", "dose_unit", "wasted", "ndc_quantity", "ndc_unit", "single_dose",
    "description",
)
# hidradenitis excision (11450-11471): the CPT regions and the closure that picks the code
HS_REGIONS = ("axillary", "inguinal", "perianal", "perineal", "umbilical")
CLOSURES = ("simple", "intermediate", "complex")
_NDC_HYPHENATED = re.compile(r"[0-9]{4}-[0-9]{4}-[0-9]{2}|[0-9]{5}-[0-9]{3}-[0-9]{2}"
                             r"|[0-9]{5}-[0-9]{4}-[0-9]{1,2}")


def parse_procedure(f: Fields, claim_dx: tuple[str, ...]) -> Procedure | None:
    """One procedure object; None (with problems recorded) when it cannot be read."""
    ptype = f.choice("type", PROCEDURE_TYPES)
    if ptype is None:
        return None
    f.only(COMMON_FIELDS + TYPE_FIELDS[ptype], f" for a procedure of type {ptype}")
    ok = len(f.problems)
    values: dict[str, Any] = {"type": ptype}
    values["diagnoses"] = _procedure_diagnoses(f, claim_dx)
    values["site"] = f.choice("site", SITES, required=False)
    values["laterality"] = f.choice("laterality", ("left", "right"), required=False)
    values["lesion"] = f.text("lesion", required=False, max_len=20, pattern=r"[A-Za-z0-9_-]+",
                              expect="a short lesion label such as A or 2 (letters, digits)")
    values["digit"] = _digit(f)
    values["eyelid"] = f.choice("eyelid", ("upper", "lower"), required=False)
    if values["eyelid"] is not None and values["site"] not in (None, "eyelid"):
        f.problem("eyelid", "only for site eyelid")
    values["abn"] = f.boolean("abn", default=None)
    values["staged"] = f.boolean("staged")
    values["complication"] = f.boolean("complication")
    values["cosmetic"] = f.boolean("cosmetic")
    values["medical_necessity"] = f.text("medical_necessity", required=False, max_len=200)
    values.update(_TYPE_READERS[ptype](f))
    if len(f.problems) > ok:
        return None
    return Procedure(**{k: v for k, v in values.items() if v is not None})


def _digit(f: Fields) -> int | None:
    if not f.has("digit"):
        return None
    digit = f.integer("digit", minimum=1)
    if digit is not None and (digit > 5 or f.data.get("site") not in ("finger", "toe")):
        f.problem("digit", "must be 1-5 (1 = thumb or great toe) on site finger or toe")
        return None
    return digit


def _procedure_diagnoses(f: Fields, claim_dx: tuple[str, ...]) -> tuple[str, ...] | None:
    raw = f.items("diagnoses", required=False)
    if raw is None:
        return None
    if len(raw) > 4:
        f.problem("diagnoses",
                  f"at most 4 (a service line points to four diagnoses), got {len(raw)}")
    codes: list[str] = []
    for i, item in enumerate(raw):
        path = f.at("diagnoses") + f"[{i}]"
        if not isinstance(item, str):
            f.problems.append((path, f"must be an ICD-10-CM code as text, got {kind(item)}"))
            continue
        code = normalize_icd10(item)
        if not ICD10_SHAPE.fullmatch(code):
            f.problems.append((path, f"{item!r} is not shaped like an ICD-10-CM code"))
        elif code not in claim_dx:
            f.problems.append((path, f"{dotted(code)} is not on the claim's diagnoses list"))
        elif code in codes:
            f.problems.append((path, f"{dotted(code)} is listed twice"))
        else:
            codes.append(code)
    return tuple(codes)


def _office_visit(f: Fields) -> dict[str, Any]:
    return {
        "code": f.choice("code", EM_CODES),
        "separately_identifiable": f.boolean("separately_identifiable", required=True),
        "decision_for_surgery": f.boolean("decision_for_surgery", default=None),
    }


def _flap(f: Fields) -> dict[str, Any]:
    return {"defect_sq_cm": f.decimal("defect_sq_cm", maximum=MAX_CM * 50)}


def _graft(f: Fields) -> dict[str, Any]:
    return {"graft": f.choice("graft", ("split", "full")),
            "area_sq_cm": f.decimal("area_sq_cm", maximum=MAX_CM * 100)}


def _debridement(f: Fields) -> dict[str, Any]:
    return {"depth": f.choice("depth", ("subcutaneous", "muscle", "bone")),
            "area_sq_cm": f.decimal("area_sq_cm", maximum=MAX_CM * 100)}


SPECIAL_SITES = ("lip_vermilion", "external_ear", "eyelid_margin", "nail_unit")


def _biopsy(f: Fields) -> dict[str, Any]:
    return {"technique": f.choice("technique", ("tangential", "punch", "incisional")),
            "special_site": f.choice("special_site", SPECIAL_SITES, required=False),
            "prior_pathology": f.boolean("prior_pathology", default=None)}


def _destruction(f: Fields) -> dict[str, Any]:
    return {
        "lesion_class": f.choice("lesion_class", ("premalignant", "benign", "malignant")),
        "count": f.integer("count", minimum=1,
                           required=f.data.get("lesion_class") != "malignant"),
        "method": f.text("method", max_len=60),
        "lesion_cm": f.decimal("lesion_cm", maximum=MAX_CM,
                               required=f.data.get("lesion_class") == "malignant"),
    }


def _skin_tags(f: Fields) -> dict[str, Any]:
    return {"count": f.integer("count", minimum=1)}


def _shave(f: Fields) -> dict[str, Any]:
    return {"lesion_cm": f.decimal("lesion_cm", maximum=MAX_CM)}


def _repair_fields(f: Fields) -> dict[str, Any]:
    return {
        "complexity": f.choice("complexity", ("simple", "intermediate", "complex")),
        "length_cm": f.decimal("length_cm", maximum=MAX_CM * 5),
    }


def _excision(f: Fields) -> dict[str, Any]:
    values: dict[str, Any] = {
        "behavior": f.choice("behavior", ("benign", "malignant")),
        "lesion_cm": f.decimal("lesion_cm", maximum=MAX_CM),
        "margin_cm": f.decimal("margin_cm", strict=False, maximum=MAX_CM),
        "re_excision": f.boolean("re_excision"),
    }
    sub = f.obj("repair", required=False)
    if sub is not None:
        sub.only(("complexity", "length_cm"))
        r = _repair_fields(sub)
        if r["complexity"] is not None and r["length_cm"] is not None:
            values["repair"] = RepairSpec(r["complexity"], r["length_cm"])
    return values


def _mohs(f: Fields) -> dict[str, Any]:
    raw = f.items("stages")
    if raw is None:
        return {}
    stages = [f.check_int(f"stages[{i}]", v, 1) for i, v in enumerate(raw)]
    if any(s is None for s in stages):
        return {}
    return {"stages": tuple(s for s in stages if s is not None)}


def _intralesional(f: Fields) -> dict[str, Any]:
    return {"lesions": f.integer("lesions", minimum=1), "drug": _drug(f)}


def _injection(f: Fields) -> dict[str, Any]:
    return {"route": f.choice("route", ("subcutaneous", "intramuscular",
                                        "chemodenervation_axillae", "chemodenervation_other")),
            "drug": _drug(f)}


def _pathology(f: Fields) -> dict[str, Any]:
    return {
        "code": f.text("code", pattern=r"[0-9]{5}", expect="a five-digit CPT code such as 88305"),
        "specimens": f.integer("specimens", minimum=1),
        "in_house": f.boolean("in_house", required=True),
        "prior_pathology": f.boolean("prior_pathology", default=None),
    }


def _phototherapy(f: Fields) -> dict[str, Any]:
    return {
        "code": f.choice("code", PHOTOTHERAPY_CODES),
        "units": f.integer("units", minimum=1, required=False),
        # excimer laser 96920-96922: the total area treated picks the code
        "area_sq_cm": f.decimal("area_sq_cm", required=False, maximum=MAX_CM * 100),
        # photodynamic therapy: the topical drug applied (e.g. J7345), on its own line
        "drug": _drug(f) if f.has("drug") else None,
    }


def _other(f: Fields) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": f.text("code", pattern=r"[0-9]{5}|[0-9]{4}[FT]|[A-V][0-9]{4}", upper=True,
                       expect="a CPT or HCPCS code (five characters, e.g. 10060 or J3490)"),
        "units": f.integer("units", minimum=1, required=False),
        # families counted by total (coding/data/count_families.csv): nails, abscesses,
        # allergens …; area treated in sq cm; I&D complicated; hidradenitis region/closure
        "count": f.integer("count", minimum=1, required=False),
        "area_sq_cm": f.decimal("area_sq_cm", required=False, maximum=MAX_CM * 100),
        "complicated": f.boolean("complicated"),
        "region": f.choice("region", HS_REGIONS, required=False),
        "closure": f.choice("closure", CLOSURES, required=False),
        # a drug given with the procedure (or the drug itself when `code` is its HCPCS)
        "drug": _drug(f) if f.has("drug") else None,
    }
    raw = f.items("modifiers", required=False, nonempty=False)
    if raw is not None:
        mods: list[str] = []
        for i, m in enumerate(raw):
            if not isinstance(m, str) or not re.fullmatch(r"[A-Z0-9]{2}", m.strip().upper()):
                f.problem(f"modifiers[{i}]", "must be a two-character modifier such as 59 or RT")
            else:
                mods.append(m.strip().upper())
        if len(mods) > 4:
            f.problem("modifiers", f"at most 4 modifiers fit on a line, got {len(mods)}")
        values["modifiers"] = tuple(mods)
    return values


def _drug(f: Fields) -> Drug | None:
    d = f.obj("drug")
    if d is None:
        return None
    d.only(DRUG_FIELDS)
    ok = len(d.problems)
    hcpcs = d.text("hcpcs", pattern=r"[A-Z][0-9]{4}", upper=True,
                   expect="a HCPCS Level II code such as J3301")
    ndc = d.text("ndc", pattern=r"[0-9-]+", expect="an NDC: digits and hyphens")
    if ndc is not None:
        digits = ndc.replace("-", "")
        if "-" in ndc and not _NDC_HYPHENATED.fullmatch(ndc):
            d.problem("ndc", "must be 4-4-2, 5-3-2, 5-4-1 or 5-4-2 digits when hyphenated")
        elif "-" not in ndc and len(digits) != 11:
            d.problem("ndc", "must be 11 digits, or a 10-digit NDC written with its hyphens "
                             "(4-4-2, 5-3-2 or 5-4-1) so it can be padded to 11")
    dose = d.decimal("dose", maximum=Decimal(100000))
    unit = d.choice("dose_unit", DOSE_UNITS)
    wasted = d.decimal("wasted", strict=False, required=False, maximum=Decimal(100000))
    qty = d.decimal("ndc_quantity", required=False, maximum=Decimal(100000))
    ndc_unit = d.choice("ndc_unit", NDC_UNITS, required=False)
    if d.has("ndc_quantity") != d.has("ndc_unit"):
        d.problem("ndc_quantity" if d.has("ndc_unit") else "ndc_unit",
                  "ndc_quantity and ndc_unit go together: give both or neither")
    single = d.boolean("single_dose", default=None)
    description = d.text("description", required=False, max_len=80)
    if len(d.problems) > ok or hcpcs is None or ndc is None or dose is None or unit is None:
        return None
    return Drug(hcpcs=hcpcs, ndc=ndc, dose=dose, dose_unit=unit, wasted=wasted,
                ndc_quantity=qty, ndc_unit=ndc_unit, single_dose=single,
                description=description)


_TYPE_READERS = {
    "office_visit": _office_visit, "biopsy": _biopsy, "destruction": _destruction,
    "skin_tag_removal": _skin_tags, "shave": _shave, "excision": _excision,
    "repair": _repair_fields, "adjacent_tissue_transfer": _flap, "graft": _graft,
    "debridement": _debridement, "mohs": _mohs,
    "intralesional": _intralesional,
    "injection": _injection, "pathology": _pathology, "phototherapy": _phototherapy,
    "other": _other,
}


# ------------------------------------------------------------------------- back to dict


def _num(value: Decimal) -> str:
    """Decimal as exact text: the loader reads decimal text back to the same value."""
    return str(value)


_FLAGS = frozenset({"re_excision", "complicated"})  # false is the default: left out


def procedure_to_dict(p: Procedure) -> dict[str, Any]:
    """Only the fields set on the procedure, in contract order (the loader rejects fields
    that do not apply to the type, so defaults must stay out)."""
    out: dict[str, Any] = {"type": p.type}
    if p.diagnoses:
        out["diagnoses"] = list(p.diagnoses)
    for key in ("site", "laterality", "lesion", "digit", "eyelid", "medical_necessity", "abn"):
        if getattr(p, key) is not None:
            out[key] = getattr(p, key)
    if p.cosmetic:
        out["cosmetic"] = True
    for key in ("staged", "complication"):
        if getattr(p, key):
            out[key] = True
    for key in TYPE_FIELDS[p.type]:
        value = getattr(p, key)
        if value is None or value == () or (value is False and key in _FLAGS):
            continue
        if key == "repair":
            out[key] = {"complexity": value.complexity, "length_cm": _num(value.length_cm)}
        elif key == "drug":
            out[key] = _drug_to_dict(value)
        elif isinstance(value, Decimal):
            out[key] = _num(value)
        elif isinstance(value, tuple):
            out[key] = list(value)
        else:
            out[key] = value
    return out


def _drug_to_dict(d: Drug) -> dict[str, Any]:
    out: dict[str, Any] = {"hcpcs": d.hcpcs, "ndc": d.ndc, "dose": _num(d.dose),
                           "dose_unit": d.dose_unit}
    if d.wasted is not None:
        out["wasted"] = _num(d.wasted)
    if d.ndc_quantity is not None:
        out["ndc_quantity"] = _num(d.ndc_quantity)
    if d.ndc_unit is not None:
        out["ndc_unit"] = d.ndc_unit
    if d.single_dose is not None:
        out["single_dose"] = d.single_dose
    if d.description is not None:
        out["description"] = d.description
    return out
