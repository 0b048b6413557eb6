"""Read encounter JSON files into `Encounter` objects, reporting every bad field at once.

    encounters = load_encounters("samples/encounters/01-em25-biopsies.json")
    encounter = parse_encounter(data, "visit.json")          # one decoded JSON object
    data = encounter_to_dict(encounter)                      # JSON-able; parses back equal

A file holds one encounter object or a JSON array of them. Every problem found (malformed
JSON with its line and column, missing fields, wrong types, values outside the contract)
is collected with its path — `procedures[2].margin_cm`, `patient.address.zip`,
`[3].claim_id` in an array — and raised together as one `EncounterError`. Numbers are
read as `Decimal` (never float). ICD-10-CM codes are normalized (upper case, no dot).

What is a loader error here and what is an error finding of the coded claim is decided in
`coding.validation` (module docstring): shape and contract here, reference-data checks
(ICD-10-CM existence and billability, NPI check digit, known CPT/HCPCS) in the engine.
"""

from __future__ import annotations

import gc
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from coding import encounter_limits as limits
from coding.encounter_fields import Fields, Problems, join, kind
from coding.encounter_procedures import parse_procedure, procedure_to_dict
from coding.errors import EncounterError
from coding.model import (
    Address,
    Coverage,
    Encounter,
    Person,
    Procedure,
    Provider,
    Subscriber,
)
from coding.validation import ICD10_SHAPE, dotted, normalize_icd10
from companion_guides import guide_names

__all__ = ["load_encounters", "parse_encounter", "encounter_to_dict", "MAX_DIAGNOSES"]

MAX_DIAGNOSES = 12  # 837P HI segment: principal + 11 others
CLAIM_ID = r"[A-Za-z0-9-]{1,20}"  # CLM01 allows 38; 20 keeps REF*6R "<claim>-<line>" short
ENCOUNTER_FIELDS = (
    "claim_id", "date_of_service", "place_of_service", "payer", "frequency",
    "payer_claim_number", "prior_authorization", "abn_on_file", "bill_excluded", "patient",
    "subscriber", "other_coverage", "group_number",
    "rendering_provider", "diagnoses", "procedures", "notes",
)
PERSON_FIELDS = ("member_id", "last_name", "first_name", "birth_date", "sex", "address")
ADDRESS_FIELDS = ("line1", "line2", "city", "state", "zip")


def load_encounters(path: str | Path, payer: str | None = None) -> list[Encounter]:
    """Every encounter in a JSON file (one object or an array of objects).

    `payer` (a companion guide name) replaces the file's `payer`, which may then be
    omitted. Raises `EncounterError` naming the file and every bad field.

    The cyclic garbage collector is paused while the file is read: decoding and parsing
    build trees (JSON dicts and lists, then the frozen model), which hold no reference
    cycle, so a collection during the load could free nothing; the collections the
    allocations would trigger only move the whole decoded file into the oldest generation,
    and that growth triggers full collections over everything the caller holds later
    (coding and writing 50,000 generated encounters: 13 full collections, 2.7-3.1 s of
    collector, paused 6 and 1.5-1.7 s). The decoded JSON is freed before the pause ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(path, payer)
    finally:
        if enabled:
            gc.enable()


def _read(path: str | Path, payer: str | None) -> list[Encounter]:
    source = str(path)
    try:
        if too_big := limits.check_size(Path(path).stat().st_size):
            raise EncounterError(source, too_big)
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise EncounterError(source, [("", f"cannot read the file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EncounterError(source, [("", f"not UTF-8 text (byte {exc.start})")]) from None
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise EncounterError(
            source, [("", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise EncounterError(source, [("", f"not valid JSON: {exc}")]) from None
    except RecursionError:
        raise EncounterError(source, limits.too_deep(text)) from None
    if out_of_bounds := limits.check_decoded(data):
        raise EncounterError(source, out_of_bounds)
    problems: Problems = []
    encounters: list[Encounter] = []
    if isinstance(data, dict):
        enc = _parse(data, "", problems, source, payer)
        encounters = [enc] if enc else []
    elif isinstance(data, list):
        if not data:
            problems.append(("", "an empty array: no encounters in the file"))
        seen: dict[str, int] = {}
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                problems.append((f"[{i}]", f"must be an encounter object, got {kind(item)}"))
                continue
            enc = _parse(item, f"[{i}]", problems, source, payer)
            if enc is None:
                continue
            if enc.claim_id in seen:
                problems.append((f"[{i}].claim_id",
                                 f"claim id {enc.claim_id} is also used by [{seen[enc.claim_id]}]"))
            seen.setdefault(enc.claim_id, i)
            encounters.append(enc)
    else:
        problems.append(("", f"must be an encounter object or an array of them, got {kind(data)}"))
    if problems:
        raise EncounterError(source, problems)
    return encounters


def parse_encounter(
    data: dict[str, Any], source: str, index: int | None = None, payer: str | None = None
) -> Encounter:
    """One decoded encounter object; `index` prefixes paths (`[3].claim_id`) for arrays.
    Raises `EncounterError` with every problem found."""
    problems: Problems = []
    prefix = f"[{index}]" if index is not None else ""
    if not isinstance(data, dict):
        raise EncounterError(source, [(prefix, f"must be an encounter object, got {kind(data)}")])
    enc = _parse(data, prefix, problems, source, payer)
    if problems or enc is None:
        raise EncounterError(source, problems)
    return enc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse(
    data: dict[str, Any], path: str, problems: Problems, source: str, payer: str | None
) -> Encounter | None:
    start = len(problems)
    f = Fields(data, path, problems)
    f.only(ENCOUNTER_FIELDS)
    claim_id = f.text("claim_id", pattern=CLAIM_ID, max_len=20,
                      expect="1 to 20 letters, digits or '-'")
    dos = f.day("date_of_service")
    pos = f.text("place_of_service", required=False, pattern=r"[0-9]{2}",
                 expect="two digits (CMS place-of-service code, e.g. 11 office)") or "11"
    payer_name = _payer(f, payer)
    frequency = f.choice("frequency", ("1", "7", "8"), default="1")
    pcn = f.text("payer_claim_number", required=frequency in ("7", "8"), max_len=50,
                 pattern=r"[A-Za-z0-9-]+", expect="the payer's claim number (letters, digits, '-')")
    if pcn is not None and frequency == "1":
        f.problem("payer_claim_number", "only for a replacement (7) or void (8); "
                                        "set frequency or remove it")
    prior_auth = f.text("prior_authorization", required=False, max_len=50)
    group_number = f.text("group_number", required=False, max_len=50, pattern=r"[A-Za-z0-9-]+",
                          expect="the group or policy number (letters, digits or '-')")
    abn = f.boolean("abn_on_file")
    bill_excluded = f.boolean("bill_excluded")
    patient = _person(f.obj("patient"), dos)
    subscriber = _subscriber(f.obj("subscriber", required=False), dos)
    provider = _provider(f.obj("rendering_provider", required=False))
    other = _other_coverage(f, payer_name, dos)
    diagnoses = _diagnoses(f)
    procedures = _procedures(f, diagnoses or ())
    if len(problems) > start:
        return None
    assert claim_id and dos and payer_name and frequency and patient and diagnoses and procedures
    return Encounter(
        claim_id=claim_id, date_of_service=dos, payer=payer_name, patient=patient,
        diagnoses=diagnoses, procedures=procedures, place_of_service=pos, frequency=frequency,
        payer_claim_number=pcn, prior_authorization=prior_auth, abn_on_file=bool(abn),
        bill_excluded=bool(bill_excluded),
        subscriber=subscriber, rendering_provider=provider, source=source,
        other_coverage=other, group_number=group_number,
    )


def _payer(f: Fields, override: str | None) -> str | None:
    name = override if override is not None else f.text("payer")
    if name is not None and name not in guide_names():
        given = " (given as the payer override)" if override is not None else ""
        f.problem("payer", f"unknown payer {name!r}{given}: known companion guides are "
                           f"{', '.join(guide_names())}")
        return None
    return name


def _person(f: Fields | None, dos: Any, extra: tuple[str, ...] = ()) -> Person | None:
    if f is None:
        return None
    f.only(PERSON_FIELDS + extra)
    start = len(f.problems)
    member_id = f.text("member_id", pattern=r"[A-Za-z0-9-]+", max_len=80,
                       expect="the member id from the insurance card (letters, digits, '-')")
    last = f.text("last_name", max_len=60)
    first = f.text("first_name", max_len=35)
    birth = f.day("birth_date")
    if birth is not None and dos is not None and birth > dos:
        f.problem("birth_date", "is after the date of service")
    sex = f.choice("sex", ("F", "M", "U"))
    address = _address(f.obj("address"))
    if len(f.problems) > start:
        return None
    assert member_id and last and first and birth and sex and address
    return Person(member_id, last, first, birth, sex, address)


def _address(f: Fields | None) -> Address | None:
    if f is None:
        return None
    f.only(ADDRESS_FIELDS)
    start = len(f.problems)
    line1 = f.text("line1", max_len=55)
    line2 = f.text("line2", required=False, max_len=55)
    city = f.text("city", max_len=30)
    state = f.text("state", pattern=r"[A-Z]{2}", expect="a two-letter state code such as TX")
    zip_code = f.text("zip", pattern=r"[0-9]{5}(-?[0-9]{4})?", expect="a ZIP code: 5 or 9 digits")
    if len(f.problems) > start:
        return None
    assert line1 and city and state and zip_code
    return Address(line1=line1, city=city, state=state, zip=zip_code.replace("-", ""), line2=line2)


def _subscriber(f: Fields | None, dos: Any) -> Subscriber | None:
    if f is None:
        return None
    relationship = f.choice("relationship", ("spouse", "child", "other"))
    person = _person(f, dos, extra=("relationship",))
    if person is None or relationship is None:
        return None
    return Subscriber(person=person, relationship=relationship)


MAX_OTHER_COVERAGE = 2  # secondary and tertiary after the encounter's payer
COVERAGE_FIELDS = ("payer", "member_id", "relationship", "group_number", "subscriber")


def _other_coverage(f: Fields, primary: str | None, dos: Any) -> tuple[Coverage, ...]:
    """`other_coverage`: the patient's next payers in order (secondary, then tertiary),
    each a companion guide with the member id, the patient's relationship to that
    payer's subscriber (self by default) and the subscriber when not the patient."""
    raw = f.items("other_coverage", required=False)
    if raw is None:
        return ()
    if len(raw) > MAX_OTHER_COVERAGE:
        f.problem("other_coverage", f"at most {MAX_OTHER_COVERAGE} other payers (secondary "
                                    f"and tertiary), got {len(raw)}")
        return ()
    out: list[Coverage] = []
    seen = {primary} if primary else set()
    for i, item in enumerate(raw):
        where = join(f.at("other_coverage"), i)
        if not isinstance(item, dict):
            f.problems.append((where, f"must be a coverage object, got {kind(item)}"))
            continue
        c = Fields(item, where, f.problems)
        c.only(COVERAGE_FIELDS)
        start = len(f.problems)
        payer = c.text("payer")
        if payer is not None and payer not in guide_names():
            c.problem("payer", f"unknown payer {payer!r}: known companion guides are "
                               f"{', '.join(guide_names())}")
        elif payer is not None and payer in seen:
            c.problem("payer", f"{payer} is already a payer of this encounter (each payer "
                               "once, in order)")
        if payer is not None:
            seen.add(payer)
        member_id = c.text("member_id", pattern=r"[A-Za-z0-9-]+", max_len=80,
                           expect="the member id from the insurance card (letters, digits, '-')")
        relationship = c.choice("relationship", ("self", "spouse", "child", "other"),
                                default="self")
        group = c.text("group_number", required=False, max_len=50,
                       pattern=r"[A-Za-z0-9-]+", expect="letters, digits or '-'")
        subscriber = None
        if relationship not in (None, "self"):
            sub = c.obj("subscriber")
            if sub is not None:
                sub.data = {**sub.data, "member_id": member_id or "-"}
                subscriber = _person(sub, dos)
        elif c.has("subscriber"):
            c.problem("subscriber", "only when the relationship is spouse, child or other "
                                    "(the patient is this payer's subscriber)")
        if len(f.problems) > start or payer is None or member_id is None:
            continue
        out.append(Coverage(payer=payer, member_id=member_id, relationship=relationship or "self",
                            subscriber=subscriber, group_number=group))
    return tuple(out)


def _provider(f: Fields | None) -> Provider | None:
    if f is None:
        return None
    f.only(("npi", "last_name", "first_name"))
    npi = f.text("npi", pattern=r"[0-9]{10}", expect="a ten-digit NPI")
    last = f.text("last_name", max_len=60)
    first = f.text("first_name", max_len=35)
    if npi is None or last is None or first is None:
        return None
    return Provider(npi=npi, last_name=last, first_name=first)


def _diagnoses(f: Fields) -> tuple[str, ...] | None:
    raw = f.items("diagnoses")
    if raw is None:
        return None
    if len(raw) > MAX_DIAGNOSES:
        f.problem("diagnoses", f"at most {MAX_DIAGNOSES} diagnoses fit on a claim, got {len(raw)}")
    codes: list[str] = []
    ok = True
    for i, item in enumerate(raw):
        where = join(f.at("diagnoses"), i)
        if not isinstance(item, str):
            f.problems.append((where, f"must be an ICD-10-CM code as text, got {kind(item)}"))
            ok = False
            continue
        code = normalize_icd10(item)
        if not ICD10_SHAPE.fullmatch(code):
            f.problems.append((where, f"{item.strip()!r} is not shaped like an ICD-10-CM code "
                                      "(letter, digit, then up to five letters or digits)"))
            ok = False
        elif code in codes:
            f.problems.append((where, f"{dotted(code)} is listed twice"))
            ok = False
        else:
            codes.append(code)
    return tuple(codes) if ok and len(raw) <= MAX_DIAGNOSES else None


def _procedures(f: Fields, claim_dx: tuple[str, ...]) -> tuple[Procedure, ...] | None:
    raw = f.items("procedures")
    if raw is None:
        return None
    out: list[Procedure] = []
    for i, item in enumerate(raw):
        where = join(f.at("procedures"), i)
        if not isinstance(item, dict):
            f.problems.append((where, f"must be a procedure object, got {kind(item)}"))
            continue
        proc = parse_procedure(Fields(item, where, f.problems), claim_dx)
        if proc is not None:
            out.append(proc)
    return tuple(out) if len(out) == len(raw) else None


# ------------------------------------------------------------------------- back to dict


def encounter_to_dict(enc: Encounter) -> dict[str, Any]:
    """A JSON-able dict (strings, bools, ints, lists, dicts; sizes and doses as decimal
    text) that `parse_encounter` reads back to an equal Encounter (same `source`)."""
    out: dict[str, Any] = {
        "claim_id": enc.claim_id,
        "date_of_service": enc.date_of_service.isoformat(),
        "place_of_service": enc.place_of_service,
        "payer": enc.payer,
        "frequency": enc.frequency,
    }
    if enc.payer_claim_number is not None:
        out["payer_claim_number"] = enc.payer_claim_number
    if enc.prior_authorization is not None:
        out["prior_authorization"] = enc.prior_authorization
    if enc.group_number is not None:
        out["group_number"] = enc.group_number
    out["abn_on_file"] = enc.abn_on_file
    if enc.bill_excluded:
        out["bill_excluded"] = True
    out["patient"] = _person_dict(enc.patient)
    if enc.subscriber is not None:
        out["subscriber"] = {**_person_dict(enc.subscriber.person),
                             "relationship": enc.subscriber.relationship}
    if enc.other_coverage:
        out["other_coverage"] = [_coverage_dict(c) for c in enc.other_coverage]
    if enc.rendering_provider is not None:
        p = enc.rendering_provider
        out["rendering_provider"] = {"npi": p.npi, "last_name": p.last_name,
                                     "first_name": p.first_name}
    out["diagnoses"] = list(enc.diagnoses)
    out["procedures"] = [procedure_to_dict(p) for p in enc.procedures]
    return out


def _person_dict(p: Person) -> dict[str, Any]:
    address: dict[str, Any] = {"line1": p.address.line1}
    if p.address.line2 is not None:
        address["line2"] = p.address.line2
    address.update(city=p.address.city, state=p.address.state, zip=p.address.zip)
    return {"member_id": p.member_id, "last_name": p.last_name, "first_name": p.first_name,
            "birth_date": p.birth_date.isoformat(), "sex": p.sex, "address": address}


def _coverage_dict(c: Coverage) -> dict[str, Any]:
    out: dict[str, Any] = {"payer": c.payer, "member_id": c.member_id,
                           "relationship": c.relationship}
    if c.group_number is not None:
        out["group_number"] = c.group_number
    if c.subscriber is not None:
        person = _person_dict(c.subscriber)
        person.pop("member_id")
        out["subscriber"] = person
    return out
