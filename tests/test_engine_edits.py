"""MUE, coverage/ABN, laterality, modifier order and limit, pointers, prices, code checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from encounter_factory import make
from hypothesis import given, settings
from hypothesis import strategies as st

import coding.engine as engine
from coding.edits.modifiers import ordered
from coding.engine import code_encounter
from coding.model import Severity
from coding.rules.base import DraftLine, RuleResult
from companion_guides import get_guide


def codes(findings) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in findings]


def destruction(count: int, lesion_class: str = "premalignant", **extra: object) -> dict:
    return {"type": "destruction", "lesion_class": lesion_class, "count": count,
            "method": "cryotherapy", **extra}


# ----------------------------------------------------------------------------- MUE


@pytest.mark.parametrize(("units", "warned"), [(13, False), (14, True)])
def test_mue_boundary_on_17003(units: int, warned: bool,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(enc, ctx):  # type: ignore[no-untyped-def]
        return RuleResult(lines=[
            DraftLine("17000", 1, "r", "destruction", 0, (0,), site="face"),
            DraftLine("17003", units, "r", "destruction", 0, (0,), site="face")])
    monkeypatch.setattr(engine, "code_families", fake)
    c = code_encounter(make(procedures=[destruction(units + 1)]))
    mue = [f for f in c.findings if f.code == "MUE_EXCEEDED"]
    assert bool(mue) is warned
    if warned:
        assert "17003 × 14 exceeds its MUE of 13" in mue[0].message
        assert "ABN does not move" in mue[0].message


def test_real_rules_never_exceed_17003_mue() -> None:
    for count in (14, 15, 40):
        assert "MUE_EXCEEDED" not in codes(code_encounter(make(
            procedures=[destruction(count, site="face")])).findings)


def test_guide_override_wins_over_table() -> None:
    guide = get_guide("commercial")
    enc = make(payer="commercial", procedures=[{"type": "other", "code": "17110", "units": 2}])
    assert "MUE_EXCEEDED" in codes(code_encounter(enc, guide).findings)  # table: 1
    from attrs import evolve
    relaxed = evolve(guide, mue_overrides={"17110": 2})
    assert "MUE_EXCEEDED" not in codes(code_encounter(enc, relaxed).findings)


# ------------------------------------------------------------------------ coverage


def test_cosmetic_procedure_goes_to_the_patient() -> None:
    enc = make(diagnoses=["L57.0", "L82.1"], procedures=[
        destruction(2, site="face", diagnoses=["L57.0"]),
        {"type": "shave", "lesion_cm": 0.4, "site": "back", "cosmetic": True,
         "diagnoses": ["L82.1"]}])
    c = code_encounter(enc)
    assert [line.code for line in c.lines] == ["17000", "17003"]
    info = next(f for f in c.findings if f.code == "COSMETIC_PATIENT_PAY")
    assert info.severity is Severity.INFO and info.procedure == 1 and "11300" in info.message


def test_only_cosmetic_procedures_leave_no_claim() -> None:
    c = code_encounter(make(diagnoses=["L82.1"], procedures=[
        {"type": "shave", "lesion_cm": 0.4, "site": "back", "cosmetic": True}]))
    assert c.lines == () and "NO_BILLABLE_LINES" in codes(c.findings) and c.has_errors


def test_cosmetic_index_mapping_keeps_finding_paths_right() -> None:
    enc = make(procedures=[{"type": "shave", "lesion_cm": 0.4, "site": "back", "cosmetic": True},
                           {"type": "shave", "lesion_cm": 0.4, "site": "face"}])
    c = code_encounter(enc)
    assert [line.procedure for line in c.lines] == [1]


@pytest.mark.parametrize(
    ("dx", "necessity", "abn", "payer", "modifier", "finding"),
    [
        ("L82.1", None, False, "medicare", None, "COSMETIC_RISK"),
        ("L82.1", "itching and bleeding", False, "medicare", None, None),
        ("L82.1", None, True, "medicare", "GA", "ABN_MODIFIER"),
        ("L82.1", None, True, "commercial", None, "COSMETIC_RISK"),
        ("L82.0", None, False, "medicare", None, None),      # inflamed SK: not cosmetic-prone
        ("D22.5", None, False, "medicare", None, "COSMETIC_RISK"),
        ("L72.0", None, True, "medicare", "GA", "ABN_MODIFIER"),
    ],
)
def test_cosmetic_prone_removal(dx: str, necessity: str | None, abn: bool, payer: str,
                                modifier: str | None, finding: str | None) -> None:
    proc: dict = {"type": "shave", "lesion_cm": 0.8, "site": "back"}
    if necessity:
        proc["medical_necessity"] = necessity
    c = code_encounter(make(payer=payer, diagnoses=[dx], abn_on_file=abn, procedures=[proc]))
    line = c.lines[0]
    assert (modifier in line.modifiers) if modifier else ("GA" not in line.modifiers)
    found = [f.code for f in c.findings if f.code in ("COSMETIC_RISK", "ABN_MODIFIER")]
    assert found == ([finding] if finding else [])


def test_premalignant_destruction_is_never_cosmetic_risk() -> None:
    c = code_encounter(make(diagnoses=["L82.1"], procedures=[destruction(3, site="face")]))
    assert "COSMETIC_RISK" not in codes(c.findings)


# ---------------------------------------------------------------------- laterality


@pytest.mark.parametrize(("payer", "expected"), [("medicare", ()), ("commercial", ("LT",))])
def test_laterality_only_where_the_guide_requires(payer: str, expected: tuple) -> None:
    c = code_encounter(make(payer=payer, procedures=[
        {"type": "biopsy", "technique": "punch", "site": "arm", "laterality": "left"}]))
    assert c.lines[0].modifiers == expected


def test_missing_side_on_a_paired_site_warns_when_required() -> None:
    c = code_encounter(make(payer="commercial", procedures=[
        {"type": "biopsy", "technique": "punch", "site": "forearm"}]))
    assert "LATERALITY_MISSING" in codes(c.findings)
    c = code_encounter(make(payer="commercial", procedures=[
        {"type": "biopsy", "technique": "punch", "site": "back"}]))
    assert "LATERALITY_MISSING" not in codes(c.findings)


def test_drug_lines_take_no_side() -> None:
    c = code_encounter(make(payer="commercial", procedures=[
        {"type": "intralesional", "lesions": 2, "site": "arm", "laterality": "right",
         "drug": {"hcpcs": "J3301", "ndc": "0003-0293-05", "dose": 10, "dose_unit": "mg",
                  "ndc_quantity": 1, "ndc_unit": "ML"}}]))
    mods = {line.code: line.modifiers for line in c.lines}
    assert mods["11900"] == ("RT",) and "RT" not in mods["J3301"]


# ----------------------------------------------------------------------- modifiers


@pytest.mark.parametrize(
    ("given_", "expected"),
    [(["RT", "XS", "26"], ["26", "XS", "RT"]),
     (["LT", "GA", "59"], ["59", "GA", "LT"]),
     (["51", "59"], ["51", "59"]),          # same rank: order kept
     (["25", "25"], ["25"]),
     (["ZZ", "RT", "22"], ["22", "ZZ", "RT"])],
)
def test_modifier_order(given_: list[str], expected: list[str]) -> None:
    assert ordered(given_) == expected


def test_more_than_four_modifiers_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(enc, ctx):  # type: ignore[no-untyped-def]
        return RuleResult(lines=[DraftLine("17110", 1, "r", "destruction", 0, (0,),
                                           modifiers=["59", "79", "76", "XS"], site="hand",
                                           laterality="left")])
    monkeypatch.setattr(engine, "code_families", fake)
    c = code_encounter(make(payer="commercial", procedures=[destruction(2, "benign")]))
    assert c.has_errors and "TOO_MANY_MODIFIERS" in codes(c.findings)
    assert len(c.lines[0].modifiers) == 4


def test_four_modifiers_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(enc, ctx):  # type: ignore[no-untyped-def]
        return RuleResult(lines=[DraftLine("17110", 1, "r", "destruction", 0, (0,),
                                           modifiers=["59", "79", "76"], site="hand",
                                           laterality="left")])
    monkeypatch.setattr(engine, "code_families", fake)
    c = code_encounter(make(payer="commercial", procedures=[destruction(2, "benign")]))
    assert c.lines[0].modifiers == ("59", "79", "76", "LT")  # payment rank keeps its order
    assert not c.has_errors


# ----------------------------------------------------- pointers, numbering, charges


def test_pointers_line_numbers_and_control_numbers() -> None:
    enc = make(claim_id="AB-7", diagnoses=["D49.2", "L57.0", "L30.9"], procedures=[
        {"type": "biopsy", "technique": "punch", "site": "back",
         "diagnoses": ["D49.2", "L30.9"]},
        destruction(1, site="scalp", diagnoses=["L57.0"]),
        {"type": "other", "code": "88305", "units": 1}])
    c = code_encounter(enc)
    assert [(x.line, x.code, x.diagnosis_pointers, x.line_control_number) for x in c.lines] == [
        (1, "11104", (1, 3), "AB-7-1"), (2, "17000", (2,), "AB-7-2"),
        (3, "88305", (1,), "AB-7-3")]


def test_charges_are_fee_times_units() -> None:
    fees = {"17000": Decimal("170.00"), "17003": Decimal("18.25")}
    c = code_encounter(make(procedures=[destruction(4, site="face")]), fees=fees)
    assert [x.charge for x in c.lines] == [Decimal("170.00"), Decimal("54.75")]
    assert c.total_charge == Decimal("224.75")
    assert all(x.charge is None for x in code_encounter(
        make(procedures=[destruction(4, site="face")])).lines)


def test_missing_fee_is_an_error() -> None:
    c = code_encounter(make(procedures=[destruction(4, site="face")]),
                       fees={"17000": Decimal("170")})
    assert c.has_errors and "NO_FEE" in codes(c.findings)


# -------------------------------------------------------------- reference-code checks


@pytest.mark.parametrize(
    ("changes", "finding", "path"),
    [
        ({"diagnoses": ["L82"]}, "ICD10_INVALID", "diagnoses[0]"),
        ({"diagnoses": ["Z99.999"]}, "ICD10_INVALID", "diagnoses[0]"),
        ({"rendering_provider": {"npi": "1234567890", "last_name": "a", "first_name": "b"}},
         "NPI_CHECK_DIGIT", "rendering_provider.npi"),
        ({"procedures": [{"type": "other", "code": "99999"}]}, "UNKNOWN_CODE",
         "procedures[0].code"),
    ],
)
def test_reference_problems_are_error_findings(changes: dict, finding: str, path: str) -> None:
    c = code_encounter(make(**changes))
    f = next(f for f in c.findings if f.code == finding)
    assert f.severity is Severity.ERROR and f.path == path and c.has_errors


def test_too_many_lines_for_the_guide(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(enc, ctx):  # type: ignore[no-untyped-def]
        return RuleResult(lines=[DraftLine("88305", 1, "r", "pathology", 0, (0,))
                                 for _ in range(51)])
    monkeypatch.setattr(engine, "code_families", fake)
    c = code_encounter(make())
    assert "TOO_MANY_LINES" in codes(c.findings)


@settings(max_examples=40, deadline=None)
@given(count=st.integers(1, 60))
def test_premalignant_counts_code_clean(count: int) -> None:
    c = code_encounter(make(procedures=[destruction(count, site="face")]))
    assert not c.has_errors
    units = {x.code: x.units for x in c.lines}
    if count >= 15:
        assert units == {"17004": 1}
    else:
        assert units.get("17000") == 1 and units.get("17003", 0) == count - 1


# ------------------------------------------------------------------ same-code lines


@pytest.mark.parametrize(
    ("sites", "payer", "second", "finding"),
    [
        (("back", "thigh"), "medicare", ("XS",), "SAME_CODE_DISTINCT"),
        (("back", "thigh"), "commercial", ("59",), "SAME_CODE_DISTINCT"),
        # two excisions are two lesions even at one site (CPT: each excised lesion is
        # reported on its own), so the second is a separate structure
        (("back", "back"), "medicare", ("XS",), "SAME_CODE_DISTINCT"),
    ],
)
def test_same_code_twice(sites: tuple[str, str], payer: str, second: tuple,
                         finding: str) -> None:
    procs = [{"type": "excision", "behavior": "benign", "lesion_cm": 1, "margin_cm": 0.2,
              "site": s, "medical_necessity": "changing"} for s in sites]
    c = code_encounter(make(payer=payer, diagnoses=["D22.5"], procedures=procs))
    assert [(x.code, x.modifiers) for x in c.lines] == [("11402", ()), ("11402", second)]
    assert finding in codes(c.findings) and not c.has_errors


def test_same_code_same_site_without_lesions_is_a_duplicate() -> None:
    procs = [{"type": "other", "code": "11402", "site": "back"} for _ in range(2)]
    c = code_encounter(make(procedures=procs))
    assert [(x.code, x.modifiers) for x in c.lines] == [("11402", ()), ("11402", ())]
    assert "DUPLICATE_LINE" in codes(c.findings)


def test_same_code_named_lesions_decide_over_the_site() -> None:
    procs = [{"type": "other", "code": "11402", "site": "back", "lesion": name}
             for name in ("A", "B")]
    c = code_encounter(make(procedures=procs))
    assert [(x.code, x.modifiers) for x in c.lines] == [("11402", ()), ("11402", ("XS",))]


def test_same_code_told_apart_by_laterality_needs_nothing_more() -> None:
    procs = [{"type": "excision", "behavior": "benign", "lesion_cm": 1, "margin_cm": 0.2,
              "site": "arm", "laterality": side, "medical_necessity": "changing"}
             for side in ("left", "right")]
    c = code_encounter(make(payer="commercial", diagnoses=["D22.5"], procedures=procs))
    assert [x.modifiers for x in c.lines] == [("LT",), ("RT",)]
    assert not {"DUPLICATE_LINE", "SAME_CODE_DISTINCT"} & set(codes(c.findings))


# ------------------------------------------------------------------ CMS MUE file

MUE_CSV = (
    '"CPT codes, descriptions and other data only are copyright 2025 American Medical\n'
    'Association. All Rights Reserved.",,,\n'
    '"HCPCS/\nCPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
    '"MUE Rationale"\n'
    '17003,13,"2 Date of Service Edit: Policy","Code Descriptor / CPT Instruction"\n'
    '17110,1,"2 Date of Service Edit: Policy","Code Descriptor / CPT Instruction"\n'
    '11104,1,"2 Date of Service Edit: Policy","Clinical: Data"\n'
    '11105,3,"3 Date of Service Edit: Clinical","Clinical: Data"\n'
)


def test_read_cms_mue_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from coding.edits.mue_file import read_cms_mue

    path = tmp_path / "MCR_MUE_PractitionerServices_Eff_01-01-2026.csv"
    path.write_text(MUE_CSV, encoding="latin-1")
    table = read_cms_mue(path)
    assert {c: (m.units, m.mai) for c, m in table.items()} == {
        "17003": (13, "2"), "17110": (1, "2"), "11104": (1, "2"), "11105": (3, "3")}
    assert table["17003"].source.endswith(".csv:5")


@pytest.mark.parametrize(("row", "words"), [("11104,one,2,x\n", "not a whole number"),
                                            ("11104,1,7 Other,x\n", "start with 1, 2 or 3")])
def test_bad_cms_mue_rows_name_file_and_line(tmp_path, row: str, words: str) -> None:  # type: ignore[no-untyped-def]
    from coding.edits.mue_file import MueFileError, read_cms_mue

    path = tmp_path / "mue.csv"
    path.write_text(MUE_CSV + row)
    with pytest.raises(MueFileError) as info:
        read_cms_mue(path)
    assert f"{path}:9" in str(info.value) and words in str(info.value)


def test_cms_mue_file_drives_the_warning(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from coding.edits.mue_file import MUE_ENV_VAR

    path = tmp_path / "mue.csv"
    path.write_text(MUE_CSV)
    procs = [{"type": "biopsy", "technique": "punch", "site": s}
             for s in ("back", "chest", "arm", "leg", "neck")]   # 11104 + 11105 × 4
    enc = make(procedures=procs)
    assert "MUE_EXCEEDED" not in codes(code_encounter(enc).findings)  # curated: no 11105 row
    found = [f for f in code_encounter(enc, mue_files=[path]).findings
             if f.code == "MUE_EXCEEDED"]
    assert len(found) == 1 and "11105 × 4 exceeds its MUE of 3" in found[0].message
    assert "MAI 3" in found[0].message
    monkeypatch.setenv(MUE_ENV_VAR, str(path))
    assert "MUE_EXCEEDED" in codes(code_encounter(enc).findings)


def test_a_line_summing_both_documented_sides_gets_no_side_and_no_warning() -> None:
    c = code_encounter(make(payer="commercial", diagnoses=["L57.0"], procedures=[
        {"type": "destruction", "lesion_class": "premalignant", "count": 2, "method": "cryo",
         "site": "forearm", "laterality": "left"},
        {"type": "destruction", "lesion_class": "premalignant", "count": 2, "method": "cryo",
         "site": "forearm", "laterality": "right"}]))
    assert [(ln.code, ln.units) for ln in c.lines] == [("17000", 1), ("17003", 3)]
    assert all(not {"LT", "RT"} & set(ln.modifiers) for ln in c.lines)
    assert "LATERALITY_MISSING" not in codes(c.findings)
    assert "LATERALITY_BOTH_SIDES" in codes(c.findings)


def test_a_fold_with_one_undocumented_side_warns_on_that_procedure() -> None:
    c = code_encounter(make(payer="commercial", diagnoses=["L57.0"], procedures=[
        {"type": "destruction", "lesion_class": "premalignant", "count": 2, "method": "cryo",
         "site": "forearm", "laterality": "left"},
        {"type": "destruction", "lesion_class": "premalignant", "count": 2, "method": "cryo",
         "site": "forearm"}]))
    missing = [f for f in c.findings if f.code == "LATERALITY_MISSING"]
    assert missing and missing[0].procedure == 1
