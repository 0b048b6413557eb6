"""The coding domain model: what the note documents (input) and the claim it becomes (output).

Plain frozen attrs classes: no JSON, X12, SQL or TOML knowledge here. `coding.encounter`
turns an encounter JSON file into these objects; `edi` writes the output model as an 837P;
`reconcile` stores it. Money is Decimal, dates are `datetime.date`.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import attrs
from attrs import frozen

# --------------------------------------------------------------------------- input model


@frozen
class Address:
    line1: str
    city: str
    state: str
    zip: str
    line2: str | None = None


@frozen
class Person:
    """A patient or a subscriber as documented on the encounter."""

    member_id: str
    last_name: str
    first_name: str
    birth_date: date
    sex: str  # F, M or U
    address: Address


@frozen
class Subscriber:
    """The insured, present only when the patient is not the subscriber."""

    person: Person
    relationship: str  # spouse, child, other


@frozen
class CasAdjustment:
    """One adjustment a payer made (835 CAS triplet): group (CO, PR, OA, PI), reason
    (CARC), amount, optional quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@frozen
class AdjudicatedLine:
    """What a payer did with one line we billed, as its 835 (loop 2110) said."""

    line_control_number: str  # REF*6R of the line billed
    paid: Decimal  # SVC03
    code: str  # SVC01-2 as adjudicated
    modifiers: tuple[str, ...]
    units: Decimal  # SVC05 paid units
    adjustments: tuple[CasAdjustment, ...]


@frozen
class Adjudication:
    """A payer's answer to the claim (835 loop 2100): what the next payer is shown."""

    payer_claim_number: str  # CLP07
    paid: Decimal  # CLP04
    adjudicated_on: date  # the remittance date (BPR16, else DTM*405)
    adjustments: tuple[CasAdjustment, ...]  # claim-level CAS
    lines: tuple[AdjudicatedLine, ...]
    patient_responsibility: Decimal | None = None  # CLP05


@frozen
class Coverage:
    """Another payer of the patient: secondary, tertiary (in the encounter's order), or the
    primary once a secondary claim is built from its answer (then `adjudication` is set)."""

    payer: str  # a companion guide name
    member_id: str
    relationship: str = "self"  # self, spouse, child, other: the patient to its subscriber
    subscriber: Person | None = None  # the insured when the relationship is not self
    group_number: str | None = None
    adjudication: Adjudication | None = None


@frozen
class Provider:
    npi: str
    last_name: str
    first_name: str


@frozen
class Drug:
    hcpcs: str
    ndc: str  # as documented (10 or 11 digits, hyphens allowed); normalized on the line
    dose: Decimal
    dose_unit: str  # mg, mcg, g, units, mL
    wasted: Decimal | None = None
    ndc_quantity: Decimal | None = None
    ndc_unit: str | None = None  # UN, ML, GR, F2, ME
    single_dose: bool | None = None  # container type; None = look it up in the drug table
    # what the drug is, for a not-otherwise-classified code (J3590/J3490): name, strength,
    # dose; the 837P carries it in SV101-7 (None = taken from coding/data/drug_noc.csv)
    description: str | None = None


@frozen
class RepairSpec:
    complexity: str  # simple, intermediate, complex
    length_cm: Decimal


@frozen
class Procedure:
    """One documented procedure. `type` selects which of the optional fields apply.

    Types: office_visit, biopsy, destruction, skin_tag_removal, shave, excision, repair,
    adjacent_tissue_transfer, graft, debridement, mohs, intralesional, injection, pathology,
    phototherapy, other.
    """

    type: str
    diagnoses: tuple[str, ...] = ()  # normalized (undotted, upper); empty = principal
    site: str | None = None
    laterality: str | None = None  # left, right
    # which lesion the procedure treats (any short text, e.g. "A"): procedures naming the same
    # lesion are one lesion (a biopsy of the lesion then destroyed), different names are
    # different lesions even at one site; without it the site stands in for the lesion
    lesion: str | None = None
    cosmetic: bool = False
    medical_necessity: str | None = None
    # an ABN signed for this service; None = the encounter's abn_on_file (CMS: the ABN names
    # each item or service expected to be denied, so it is per service)
    abn: bool | None = None
    # finger or toe 1-5 (1 = thumb / great toe) and upper/lower eyelid: with the laterality
    # they choose the anatomic modifier (FA/F1-F9, TA/T1-T9, E1-E4)
    digit: int | None = None
    eyelid: str | None = None
    # inside an earlier procedure's global period (coding.edits.postop): planned or staged
    # (58, e.g. re-excision after pathology), or a return for a complication of it (78)
    staged: bool = False
    complication: bool = False
    # excision: a re-excision (e.g. for margins) of a lesion whose earlier pathology was
    # malignant: coded from that pathology (116xx) even when the new specimen is clear
    re_excision: bool = False
    # office_visit / pathology / phototherapy / other
    code: str | None = None
    separately_identifiable: bool | None = None
    # biopsy / pathology on a Mohs day: False = no prior pathology of this lesion, so the
    # diagnostic biopsy and frozen section are billed with 59 (LCD article A56515)
    prior_pathology: bool | None = None
    # biopsy
    technique: str | None = None
    special_site: str | None = None  # lip_vermilion, external_ear, eyelid_margin, nail_unit
    # destruction
    lesion_class: str | None = None
    count: int | None = None
    method: str | None = None
    # shave / excision
    lesion_cm: Decimal | None = None
    behavior: str | None = None
    margin_cm: Decimal | None = None
    repair: RepairSpec | None = None
    # adjacent_tissue_transfer: primary + secondary defect
    defect_sq_cm: Decimal | None = None
    # graft (split / full) and debridement (depth subcutaneous / muscle / bone): area treated
    graft: str | None = None
    depth: str | None = None
    area_sq_cm: Decimal | None = None
    # office_visit: did this visit decide on a same-day 90-day procedure (None = assume so)
    decision_for_surgery: bool | None = None
    # repair
    complexity: str | None = None
    length_cm: Decimal | None = None
    # mohs
    stages: tuple[int, ...] = ()
    # intralesional / injection
    lesions: int | None = None
    route: str | None = None
    drug: Drug | None = None
    # pathology
    specimens: int | None = None
    in_house: bool | None = None
    # phototherapy / other
    units: int | None = None
    modifiers: tuple[str, ...] = ()
    # other (families counted by total, coding/data/count_families.csv): I&D documented as
    # complicated; hidradenitis excision region and closure
    complicated: bool = False
    region: str | None = None  # axillary, inguinal, perianal, perineal, umbilical
    closure: str | None = None  # simple, intermediate, complex


@frozen
class Encounter:
    claim_id: str
    date_of_service: date
    payer: str  # a companion guide name
    patient: Person
    diagnoses: tuple[str, ...]  # normalized: upper case, no dot; principal first
    procedures: tuple[Procedure, ...]
    place_of_service: str = "11"
    frequency: str = "1"  # 1 original, 7 replacement, 8 void
    payer_claim_number: str | None = None
    prior_authorization: str | None = None
    abn_on_file: bool = False
    # send services the payer excludes by statute (documented cosmetic) for a formal denial,
    # e.g. for a secondary payer: they go on the claim with the guide's cosmetic_modifier (GY)
    bill_excluded: bool = False
    subscriber: Subscriber | None = None
    rendering_provider: Provider | None = None
    source: str | None = None  # file the encounter came from, for messages
    # the patient's other payers (secondary, tertiary, in order); 837P loops 2320/2330
    other_coverage: tuple[Coverage, ...] = ()
    # which payer this claim goes to: P primary; S / T for a claim built from the earlier
    # payers' answers (`reconcile.secondary`), whose adjudications ride in other_coverage
    payer_order: str = "P"
    group_number: str | None = None  # the insured's group / policy number (2000B SBR03)

    @property
    def insured(self) -> Person:
        return self.subscriber.person if self.subscriber else self.patient


# -------------------------------------------------------------------------- output model

# The distinct-procedure modifiers that bypass an NCCI PTP edit with modifier indicator 1
# (59 and its subsets XE/XS/XP/XU; NCCI Policy Manual for Medicare Services, ch. I).
DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})


class Severity(enum.Enum):
    ERROR = "error"  # the claim must not go out
    WARNING = "warning"  # goes out, but a coder should look
    INFO = "info"  # explains a decision (e.g. a line deliberately not billed)


@frozen
class Finding:
    severity: Severity
    code: str  # stable machine-readable code, e.g. "EM_NOT_SEPARATE", "BAD_FIELD"
    message: str
    procedure: int | None = None  # index into encounter.procedures; None = claim level
    path: str | None = None  # field path for input problems, e.g. "procedures[2].margin_cm"


@frozen
class LineDrug:
    """NDC detail for a drug line (837P loop 2410)."""

    ndc: str  # 11 digits, 5-4-2, no hyphens
    quantity: Decimal
    unit: str  # UN, ML, GR, F2, ME


@frozen
class ClaimLine:
    line: int  # 1-based position on the claim
    code: str
    units: int
    modifiers: tuple[str, ...] = ()  # at most four, pricing modifiers first
    charge: Decimal | None = None  # units x fee; None without a fee schedule
    diagnosis_pointers: tuple[int, ...] = (1,)  # 1-based into CodedClaim.diagnoses, max 4
    line_control_number: str = ""  # REF*6R, unique per line
    drug: LineDrug | None = None
    rationale: str = ""
    procedure: int | None = None  # index of the documented procedure it came from
    # SV101-7: what a not-otherwise-classified code (J3590, J3490 …) billed
    description: str | None = None


@frozen
class CodedClaim:
    encounter: Encounter
    payer: str
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]
    findings: tuple[Finding, ...] = ()

    @property
    def claim_id(self) -> str:
        return self.encounter.claim_id

    @property
    def date_of_service(self) -> date:
        return self.encounter.date_of_service

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def total_charge(self) -> Decimal | None:
        charges = [line.charge for line in self.lines]
        if any(c is None for c in charges):
            return None
        return sum((c for c in charges if c is not None), Decimal("0"))

    def with_lines(self, lines: tuple[ClaimLine, ...]) -> CodedClaim:
        return attrs.evolve(self, lines=lines)


def line_control_number(claim_id: str, line: int) -> str:
    """REF*6R for a line: the claim id and the line position, unique within the store's
    claims as claim ids are unique; payers echo it in the 835 SVC loop's REF*6R."""
    return f"{claim_id}-{line}"
