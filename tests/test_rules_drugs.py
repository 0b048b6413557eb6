"""Drugs (units, NDC, JW/JZ) and injections (11900/11901, 96372)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from helpers_coding import coded, codes, drug, errors, finding_codes, proc, run
from hypothesis import given
from hypothesis import strategies as st

from coding.model import LineDrug, Procedure, Severity
from coding.rules.drugs import hcpcs_units, normalize_ndc
from coding.tables import drug_units


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("49401-101-01", "49401010101"),  # 5-3-2
        ("0003-0293-05", "00003029305"),  # 4-4-2
        ("57894-0060-3", "57894006003"),  # 5-4-1
        ("57894-0060-03", "57894006003"),  # 5-4-2 already
        ("57894006003", "57894006003"),  # 11 digits bare
        (" 49401-101-01 ", "49401010101"),
    ],
)
def test_ndc_normalized(raw: str, expected: str) -> None:
    assert normalize_ndc(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["5789406003", "57894-60-03", "5789-4006-003", "ABCDE-0060-03",
                                 "", None, "57894-0060-03-1", "123"])
def test_ndc_rejected(raw: object) -> None:
    ndc, why = normalize_ndc(raw)
    assert ndc is None and why


def test_bare_ten_digit_ndc_is_an_error_finding() -> None:
    result = run(proc("intralesional", lesions=2, drug=drug(ndc="0003029305")))
    assert ("BAD_NDC", "procedures[0].drug.ndc") in errors(result)
    assert "ambiguous" in result.findings[0].message
    assert codes(result) == [("11900", 1)]


@pytest.mark.parametrize(
    ("hcpcs", "dose", "unit", "units"),
    [
        ("J3301", "40", "mg", 4), ("J3301", "10", "mg", 1), ("J3301", "5", "mg", 1),
        ("J3301", "41", "mg", 5), ("J3301", "0.02", "g", 2), ("J3301", "10000", "mcg", 1),
        ("J0585", "100", "units", 100), ("J2357", "300", "mg", 60), ("J2357", "301", "mg", 61),
        ("J7308", "354", "mg", 1), ("J7308", "355", "mg", 2), ("J7345", "2000", "mg", 200),
        ("J3358", "130", "mg", 130), ("J0135", "40", "mg", 2), ("J1438", "50", "mg", 2),
    ],
)
def test_hcpcs_units(hcpcs: str, dose: str, unit: str, units: int) -> None:
    assert hcpcs_units(Decimal(dose), unit, drug_units()[hcpcs]) == units


def test_incompatible_dose_unit() -> None:
    assert hcpcs_units(Decimal(1), "mL", drug_units()["J3301"]) is None
    result = run(proc("injection", route="intramuscular",
                      drug=drug(dose="1", dose_unit="mL")))
    assert ("DOSE_UNIT_MISMATCH", "procedures[0].drug.dose_unit") in errors(result)
    assert codes(result) == [("96372", 1)]


@pytest.mark.parametrize(("lesions", "code"), [(1, "11900"), (7, "11900"), (8, "11901"),
                                               (30, "11901")])
def test_intralesional_boundary(lesions: int, code: str) -> None:
    result = run(proc("intralesional", lesions=lesions, drug=drug()))
    assert codes(result) == [(code, 1), ("J3301", 4)]


KENALOG_10 = "68258-8903-05"  # 5 mL multi-dose vial (ndclist 68258-8903)


def test_intralesional_summed_over_session() -> None:
    result = run(proc("intralesional", lesions=4, drug=drug(dose="20")),
                 proc("intralesional", lesions=4, drug=drug(dose="20")))
    # one drug, one day: 40 mg → J3301 × 4 on one line (CMS Claims Processing Manual ch. 17 §10)
    assert codes(result) == [("11901", 1), ("J3301", 4)]
    assert "4 in procedure 0 + 4 in procedure 1" in result.lines[0].rationale
    assert result.lines[1].procedures == (0, 1)


def test_drug_units_summed_per_day_before_rounding() -> None:
    # two keloids, 15 mg each from one Kenalog-10 vial: 30 mg ÷ 10 mg = 3 units, one line;
    # rounding each site (2 + 2) would bill 40 mg for 30 mg given
    sites = [proc("intralesional", lesions=1, site=site, drug=drug(ndc=KENALOG_10, dose="15"))
             for site in ("chest", "back")]
    result = run(*sites)
    assert coded(result) == [("11900", 1, ()), ("J3301", 3, ())]
    assert result.lines[1].drug == LineDrug(ndc="68258890305", quantity=Decimal(30), unit="ME")


def test_different_ndcs_of_one_code_stay_on_their_own_lines() -> None:
    result = run(proc("intralesional", lesions=1, drug=drug(ndc=KENALOG_10, dose="15")),
                 proc("intralesional", lesions=1, drug=drug(dose="40")))
    assert [(c, n) for c, n, _ in coded(result)] == [("11900", 1), ("J3301", 2), ("J3301", 4)]


def test_multi_dose_kenalog_takes_neither_jw_nor_jz() -> None:
    result = run(proc("intralesional", lesions=3,
                      drug=drug(ndc=KENALOG_10, dose="20", wasted="30")))
    assert coded(result) == [("11900", 1, ()), ("J3301", 2, ())]
    assert "MULTI_DOSE_NO_JW" in finding_codes(result, Severity.INFO)


def test_kenalog_40_one_ml_vial_is_single_dose_by_its_ndc() -> None:
    # NDC 0003-0293-05 is a 1 mL single-dose vial (ndclist 0003-0293): 20 mg given, 20 mg
    # discarded → J3301 × 2 and J3301-JW × 2 (CMS JW/JZ policy for single-dose containers)
    result = run(proc("intralesional", lesions=3, drug=drug(dose="20", wasted="20")))
    assert coded(result) == [("11900", 1, ()), ("J3301", 2, ()), ("J3301", 2, ("JW",))]
    nothing = run(proc("intralesional", lesions=1, drug=drug(dose="40", wasted="0")))
    assert coded(nothing)[1] == ("J3301", 4, ("JZ",))
    # the 5 mL vial of the same product is multi-dose
    multi = run(proc("intralesional", lesions=1,
                     drug=drug(ndc="0003-0293-20", dose="20", wasted="20")))
    assert coded(multi)[1] == ("J3301", 2, ())


def test_container_of_an_unlisted_ndc_of_a_mixed_code_is_asked_for() -> None:
    result = run(proc("intralesional", lesions=1, drug=drug(ndc="12345-6789-01", dose="20")))
    assert coded(result)[1] == ("J3301", 2, ())
    assert "CONTAINER_UNKNOWN" in finding_codes(result, Severity.WARNING)


STELARA: dict[str, Any] = dict(
    hcpcs="J3357", ndc="57894-060-03", dose_unit="mg", ndc_quantity="0.5", ndc_unit="ML"
)


def sc(dose: str, wasted: object = None, **kw: Any) -> Procedure:
    fields = STELARA | kw
    return proc("injection", route="subcutaneous", diagnoses=("L400",),
                drug=drug(dose=dose, wasted=wasted, **fields))


def test_single_dose_nothing_wasted_gets_jz() -> None:
    result = run(sc("45", "0"))
    assert coded(result) == [("96372", 1, ()), ("J3357", 45, ("JZ",))]
    assert result.lines[1].drug == LineDrug(ndc="57894006003", quantity=Decimal("0.5"), unit="ML")
    assert result.lines[1].diagnoses == ("L400",)


def test_single_dose_wasted_gets_jw_line() -> None:
    result = run(sc("30", "15", ndc_quantity="0.5"))
    assert coded(result) == [("96372", 1, ()), ("J3357", 30, ()), ("J3357", 15, ("JW",))]
    jw = result.lines[2]
    assert jw.drug is not None and jw.drug.quantity == Decimal("0.250")


def test_rounding_covers_discard_no_jw_line() -> None:
    # J2357 per 5 mg: 72 mg → 15 units (75 mg); 3 mg discarded is inside the rounding
    result = run(proc("injection", route="subcutaneous",
                      drug=drug(hcpcs="J2357", ndc="50242-040-62", dose="72", wasted="3")))
    assert coded(result) == [("96372", 1, ()), ("J2357", 15, ("JZ",))]
    assert "covered by rounding up" in result.lines[1].rationale


def test_rounding_partly_covers_discard() -> None:
    # 72 mg + 8 mg wasted = 80 mg = 16 units; 15 billed for the dose → 1 JW unit
    result = run(proc("injection", route="subcutaneous",
                      drug=drug(hcpcs="J2357", ndc="50242-040-62", dose="72", wasted="8")))
    assert coded(result)[1:] == [("J2357", 15, ()), ("J2357", 1, ("JW",))]


def test_no_jw_jz_when_guide_does_not_ask() -> None:
    result = run(sc("30", "15"), jw_jz=False)
    assert coded(result) == [("96372", 1, ()), ("J3357", 30, ())]


def test_jz_assumed_when_waste_not_documented() -> None:
    result = run(sc("45"))
    assert coded(result)[1] == ("J3357", 45, ("JZ",))
    assert "JZ_ASSUMED" in finding_codes(result, Severity.INFO)


def test_single_dose_flag_overrides_table() -> None:
    result = run(proc("intralesional", lesions=1,
                      drug=drug(dose="20", wasted="20", single_dose=True)))
    assert coded(result)[1:] == [("J3301", 2, ()), ("J3301", 2, ("JW",))]


def test_ndc_quantity_from_dose_and_missing() -> None:
    result = run(proc("intralesional", lesions=1, drug=drug(dose="20")))
    assert result.lines[1].drug == LineDrug(ndc="00003029305", quantity=Decimal(20), unit="ME")
    assert "NDC_QUANTITY_FROM_DOSE" in finding_codes(result)
    botox = run(proc("injection", route="intramuscular",
                     drug=drug(hcpcs="J0585", ndc="0023-1145-01", dose="100",
                               dose_unit="units", wasted="0")))
    assert botox.lines[1].drug is None
    assert "NDC_QUANTITY_MISSING" in finding_codes(botox, Severity.WARNING)


@pytest.mark.parametrize(
    ("drug_kw", "path"),
    [
        ({"hcpcs": "J0222"}, "procedures[0].drug.hcpcs"),
        ({"dose": "0"}, "procedures[0].drug.dose"),
        ({"wasted": "-1"}, "procedures[0].drug.wasted"),
        ({"ndc_unit": "XX"}, "procedures[0].drug.ndc_unit"),
        ({"ndc": "1-2-3"}, "procedures[0].drug.ndc"),
    ],
)
def test_bad_drug_fields(drug_kw: dict, path: str) -> None:
    result = run(proc("injection", route="subcutaneous", drug=drug(**drug_kw)))
    assert path in [p for _, p in errors(result)]
    assert codes(result) == [("96372", 1)]


def test_bad_ndc_quantity() -> None:
    result = run(proc("injection", route="subcutaneous",
                      drug=drug(ndc_quantity="0", ndc_unit="ML")))
    assert ("BAD_FIELD", "procedures[0].drug.ndc_quantity") in errors(result)


@pytest.mark.parametrize(
    ("proc_kw", "path"),
    [
        ({"type": "injection", "route": "intravenous", "drug": drug()}, "procedures[0].route"),
        ({"type": "injection", "route": None, "drug": drug()}, "procedures[0].route"),
        ({"type": "injection", "route": "subcutaneous", "drug": None}, "procedures[0].drug"),
        ({"type": "intralesional", "lesions": 0, "drug": drug()}, "procedures[0].lesions"),
        ({"type": "intralesional", "lesions": None, "drug": drug()}, "procedures[0].lesions"),
    ],
)
def test_bad_injection_fields(proc_kw: dict, path: str) -> None:
    kind = proc_kw.pop("type")
    assert path in [p for _, p in errors(run(proc(kind, **proc_kw)))]


@given(st.sampled_from(sorted(drug_units())),
       st.decimals(min_value="0.001", max_value="5000", places=3))
def test_property_units_cover_dose(hcpcs: str, dose: Decimal) -> None:
    ref = drug_units()[hcpcs]
    units = hcpcs_units(dose, ref.billing_unit, ref)
    assert units is not None and units >= 1
    assert units * ref.billing_amount >= dose > (units - 1) * ref.billing_amount
    assert units == math.ceil(dose / ref.billing_amount)


@given(st.decimals(min_value="1", max_value="90", places=1),
       st.decimals(min_value="0", max_value="90", places=1))
def test_property_jw_units_never_overbill(dose: Decimal, wasted: Decimal) -> None:
    result = run(sc(str(dose), str(wasted)))
    drug_lines = [ln for ln in result.lines if ln.code == "J3357"]
    billed = sum(ln.units for ln in drug_lines)
    assert billed == math.ceil(dose + wasted)  # 1 mg units: dose + waste, rounded up once
    assert sum("JZ" in ln.modifiers for ln in drug_lines) == (1 if len(drug_lines) == 1 else 0)


@pytest.mark.parametrize(
    ("hcpcs", "dose", "units"),
    # HCPCS descriptors: J1010 per 1 mg (from 2024-04-01), J0702 per 3 mg + 3 mg (6 mg
    # combined, 1 mL Celestone; CMS HCPCS answer), J1100 per 1 mg, J9190 per 500 mg
    [("J1010", "40", 40), ("J0702", "6", 1), ("J0702", "12", 2), ("J1100", "4", 4),
     ("J9190", "50", 1)],
)
def test_more_injectables_have_billing_units(hcpcs: str, dose: str, units: int) -> None:
    result = run(proc("intralesional", lesions=1,
                      drug=drug(hcpcs=hcpcs, ndc="12345-6789-01", dose=dose, single_dose=False)))
    assert codes(result)[1] == (hcpcs, units)


def test_deleted_methylprednisolone_codes_name_their_replacement() -> None:
    # J1030/J1040 deleted 2024-04-01 (CMS HCPCS quarterly update); the test DOS is 2026
    result = run(proc("intralesional", lesions=1,
                      drug=drug(hcpcs="J1030", ndc="12345-6789-01", dose="40")))
    problems = [f for f in result.findings if f.code == "CODE_NOT_VALID_ON_DOS"]
    assert problems and "J1010" in problems[0].message
    assert codes(result) == [("11900", 1)]
