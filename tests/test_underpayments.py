"""Underpayments (issue 23): the Medicare PFS amount and the contract rate of each line,
computed here independently from the published figures (RVU26C rows, the 2026 conversion
factor 33.4009), against what `reconcile.underpayments` and `dermclaim underpayments` say."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pfs_helpers import CF_2025, CONTRACT, DOS, SAMPLES, D, cents, pfs

from edi.practice import parse_practice
from reconcile.underpayments.compare import allowed_of, check_lines
from reconcile.underpayments.contracts import ContractError, parse_contract
from reconcile.underpayments.pfs import PfsFileError, load_pfs, read_cms_gpci, read_cms_rvu
from reconcile.underpayments.price import LineIn, Pricing, price_claim
from reconcile.underpayments.read import PostedLine


def medicare() -> Pricing:
    return Pricing(load_pfs([], []), medicare=True)


def amounts(lines: list[LineIn], pricing: Pricing | None = None) -> list[Decimal | None]:
    return [e.amount for e in price_claim(lines, pricing or medicare())]


# ---------------------------------------------------------------------- the PFS arithmetic


def test_national_non_facility_amount_is_total_rvu_times_factor() -> None:
    # 11102 RVU26C: work 0.64, non-facility PE 2.16, MP 0.06 -> 95.53 (reference table)
    got = amounts([LineIn(1, "11102", (), D(1), DOS, "11")])
    assert got == [pfs("0.64", "2.16", "0.06")] == [D("95.53")]


def test_facility_place_of_service_takes_the_facility_pe() -> None:
    got = amounts([LineIn(1, "11102", (), D(1), DOS, "22")])  # on-campus outpatient hospital
    assert got == [pfs("0.64", "0.20", "0.06")] == [D("30.06")]


def test_multiple_procedure_day_with_an_add_on() -> None:
    """17110 (highest, indicator 2) 100 %; 17000 (indicator 2) 50 %; 17003 x 4 (ZZZ add-on,
    indicator 0) exempt: each unit at its full amount."""
    lines = [LineIn(1, "17000", (), D(1), DOS, "11"), LineIn(2, "17003", (), D(4), DOS, "11"),
             LineIn(3, "17110", (), D(1), DOS, "11")]
    f17000, f17003, f17110 = (pfs("0.59", "1.34", "0.06"), pfs("0.04", "0.15", "0.00"),
                              pfs("0.68", "2.58", "0.07"))
    assert amounts(lines) == [cents(f17000 / 2), f17003 * 4, f17110]
    assert amounts(lines) == [D("33.24"), D("25.40"), D("111.22")]
    exp = price_claim(lines, medicare())
    assert exp[1].add_on_exempt and exp[0].reduced_units == 1 and exp[2].reduced_units == 0
    assert "exempt" in exp[1].basis and "50 %" in exp[0].basis


def test_distinct_procedure_modifier_is_still_reduced_and_other_dates_are_not() -> None:
    lines = [LineIn(1, "11104", ("XS",), D(1), DOS, "11"),
             LineIn(2, "17000", (), D(1), DOS, "11"),
             LineIn(3, "17000", (), D(1), date(2026, 3, 18), "11")]
    f11104, f17000 = pfs("0.81", "2.73", "0.09"), pfs("0.59", "1.34", "0.06")
    assert amounts(lines) == [f11104, cents(f17000 / 2), f17000]


def test_global_surgery_split_modifier_54() -> None:
    # 11402 (GLOB 010: pre 0.10, intra 0.80, post 0.10): surgical care only = 90 %
    full = pfs("1.41", "3.53", "0.18")
    assert amounts([LineIn(1, "11402", ("54",), D(1), DOS, "11")]) == [cents(full * D("0.9"))]
    assert amounts([LineIn(1, "11402", ("55",), D(1), DOS, "11")]) == [cents(full * D("0.1"))]


# ---------------------------------------------------------------------- CMS's own files

PPRRVU = "\n".join([
    ",,2026 National Physician Fee Schedule Relative Value File July Release" + "," * 23,
    ",,RELEASED 06/30/2026" + "," * 23,
    ",,,,NOT USED" + "," * 21,
    ",,,,FOR,,,NON-FAC,,FACILITY" + "," * 16,
    ",,,STATUS,MEDICARE,WORK,NON-FAC,NA,FACILITY,NA,MP,NON-FACILITY,FACILITY,PCTC,GLOB,PRE,"
    "INTRA,POST,MULT,BILAT,ASST,CO-,TEAM,PRIC,ENDO,CONV",
    "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,"
    "IND,DAYS,OP,OP,OP,PROC,SURG,SURG,SURG,SURG,IND,BASE,FACTOR",
    "11450,,Test row,A,,3.14,9.95,,3.77,,0.72,13.81,7.63,0,090,0.10,0.71,0.19,2,1,1,0,0,9,,"
    "33.4009",
    "11102,,Test row,A,,0.70,2.00,,0.20,,0.10,2.80,1.00,0,000,0.00,0.00,0.00,2,0,1,0,0,9,,"
    "33.4009", ""])
GPCI = "\n".join([
    "ADDENDUM E. FINAL CY 2026 GEOGRAPHIC PRACTICE COST INDICES (GPCIs) BY STATE AND MEDICARE "
    "LOCALITY",
    "Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,"
    "2026 PW GPCI (with 1.0 Floor),2026 PE GPCI,2026 MP GPCI",
    "06102,IL,99,REST OF ILLINOIS,1.000,0.900,1.200",
    "06102,IL,16,CHICAGO,1.030,1.100,1.900", ""])


@pytest.fixture()
def cms_files(tmp_path: Path) -> tuple[Path, Path]:
    """Files in CMS's layouts; the figures are test values, not CMS's."""
    rvu, gpci = tmp_path / "PPRRVU2026_Jul_nonQPP.csv", tmp_path / "GPCI2026.csv"
    rvu.write_text(PPRRVU, encoding="latin-1")
    gpci.write_text(GPCI, encoding="latin-1")
    return rvu, gpci


def test_cms_files_replace_the_shipped_rows_and_add_localities(cms_files: tuple[Path, Path]
                                                              ) -> None:
    rvu, gpci = cms_files
    rows = {r.hcpcs: r for r in read_cms_rvu(rvu)}
    assert rows["11450"].bilat_surg == "1" and rows["11450"].year == 2026
    assert rows["11450"].pe_facility == D("3.77") and rows["11450"].global_days == "090"
    assert {g.locality for g in read_cms_gpci(gpci)} == {"06102-99", "06102-16"}
    tables = load_pfs([rvu], [gpci])
    p = Pricing(tables, medicare=True, locality="06102-99")
    # the file's 11102 row wins over the shipped one, priced at the locality's GPCIs
    want = pfs("0.70", "2.00", "0.10", g=("1.000", "0.900", "1.200"))
    assert amounts([LineIn(1, "11102", (), D(1), DOS, "11")], p) == [want]
    # bilateral (indicator 1) with modifier 50: 150 % of one side
    one = pfs("3.14", "9.95", "0.72", g=("1.000", "0.900", "1.200"))
    assert amounts([LineIn(1, "11450", ("50",), D(1), DOS, "11")], p) == [cents(one * D("1.5"))]


def test_a_bad_cms_file_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "PPRRVU2026.csv"
    bad.write_text(PPRRVU.replace("11102,,Test row,A,,0.70", "11102,,Test row,A,,x.70"))
    with pytest.raises(PfsFileError, match=r"PPRRVU2026.csv:8: 'x.70' is not a number"):
        read_cms_rvu(bad)
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(PfsFileError, match="not a CMS PPRRVU file"):
        read_cms_rvu(other)
    with pytest.raises(PfsFileError, match="not a CMS GPCI file"):
        read_cms_gpci(other)


# ---------------------------------------------------------------------- contracts



def test_contract_rate_in_force_on_the_date_of_service_and_modifier_rows() -> None:
    c = parse_contract(CONTRACT, "c.csv")
    p = Pricing(load_pfs([], []), medicare=False, contract=c)
    f11102 = pfs("0.64", "2.16", "0.06")
    lines = [LineIn(1, "11102", (), D(1), DOS, "11"),
             LineIn(2, "11102", (), D(1), date(2025, 6, 2), "11"),
             LineIn(3, "99213", (), D(1), DOS, "11")]
    got = amounts(lines, p)
    assert got[0] == cents(f11102 * D("1.5"))
    # 2025: 140 % of the 2025 fee schedule, whose rows dermclaim does not ship: no basis
    assert got[1] is None
    assert got[2] == D("118.00")
    assert amounts([LineIn(1, "11102", ("59",), D(1), DOS, "11")], p) == [D("99.00")]
    row = c.rate("11102", (), DOS)
    assert row is not None and c.previous(row) is not None
    assert c.previous(row).percent_of_medicare == D("140")  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "message"), [
    ("code,modifier,allowed,effective_from,effective_to\n", "header lacks column(s) "
     "percent_of_medicare"),
    (CONTRACT + "1110,,1.00,,2026-01-01,\n", "row 6, column code: '1110' is not a 5-character"),
    (CONTRACT + "11104,,1.00,150,2026-01-01,\n", "row 6, column allowed: give allowed or "
     "percent_of_medicare, exactly one"),
    (CONTRACT + "11104,,-3,,2026-01-01,\n", "row 6, column allowed: '-3' is not an amount"),
    (CONTRACT + "11104,,3.00,,2026-13-01,\n", "row 6, column effective_from: '2026-13-01'"),
    (CONTRACT + "11104,,3.00,,2026-02-01,2026-01-01\n", "row 6, column effective_to: "
     "2026-01-01 is before"),
    (CONTRACT + "99213,,120.00,,2026-06-01,\n", "row 6, column effective_from: 99213 (any "
     "modifier) overlaps row 5"),
])
def test_contract_problems_name_file_row_and_column(text: str, message: str) -> None:
    with pytest.raises(ContractError) as exc:
        parse_contract(text, "contracts/commercial.csv")
    assert "contracts/commercial.csv" in str(exc.value) and message in str(exc.value)


def test_practice_contracts_name_a_guide_and_pricing_needs_the_file(tmp_path: Path) -> None:
    base = (SAMPLES / "practice.toml").read_text()
    base = base.replace('commercial = "contracts/commercial.csv"',
                        'acme = "contracts/commercial.csv"\ncommercial = "nowhere.csv"')
    from edi.practice import PracticeError

    with pytest.raises(PracticeError) as exc:
        parse_practice(base, str(tmp_path / "practice.toml"))
    assert "contracts.acme: no companion guide of that name" in str(exc.value)
    # a missing contract file stops the pricing, not the practice file (claims, letters)
    p = parse_practice(base.replace('acme = "contracts/commercial.csv"\n', ''),
                       str(tmp_path / "practice.toml"))
    from reconcile.underpayments.setup import Pricer

    with pytest.raises(ContractError, match=r"nowhere.csv: cannot read the contract file"):
        Pricer(p, load_pfs([], []))


# ---------------------------------------------------------------------- allowed amounts


ZERO = D("0")


def _posted(adjustments: tuple[tuple[str, str, Decimal], ...], b6: Decimal | None = None,
            paid: Decimal = ZERO) -> PostedLine:
    return PostedLine(1, 1, "C1", "medicare", "", "", DOS, "C1-1", "17110", (), D(1), D(1),
                      D("250.00"), paid, b6, adjustments, DOS, "11", False)


def test_allowed_without_amt_b6_excludes_patient_share_and_sequestration() -> None:
    allowed = D("111.22")
    coins = cents(allowed * D("0.2"))
    seq = cents((allowed - coins) * D("0.02"))
    line = _posted((("CO", "45", D("250.00") - allowed), ("PR", "2", coins), ("CO", "253", seq)),
                   paid=allowed - coins - seq)
    assert allowed_of(line) == (allowed, "charge - contractual adjustments")
    assert allowed_of(_posted((), b6=D("100.00")))[0] == D("100.00")


def test_a_sequestered_medicare_line_paid_right_is_not_underpaid() -> None:
    from reconcile.underpayments.setup import Pricer

    practice = parse_practice((SAMPLES / "practice.toml").read_text(),
                              str(SAMPLES / "practice.toml"))
    pricer = Pricer(practice, load_pfs([], []))
    allowed = pfs("0.68", "2.58", "0.07")
    coins = cents(allowed * D("0.2"))
    seq = cents((allowed - coins) * D("0.02"))
    right = _posted((("CO", "45", D("250.00") - allowed), ("PR", "2", coins),
                     ("CO", "253", seq)), paid=allowed - coins - seq)
    check = check_lines([right], pricer)
    assert (check.compared, check.paid_right, check.findings) == (1, 1, [])
    short = _posted((("CO", "45", D("250.00") - allowed + D("5")), ("PR", "2", coins),
                     ("CO", "253", seq)), paid=allowed - D("5") - coins - seq)
    [f] = check_lines([short], pricer).findings
    assert (f.kind, f.short, f.expected_allowed) == ("underpaid", D("5.00"), allowed)
    # allowed right, but 3 % sequestration taken: paid short by the extra 1 %
    seq3 = cents((allowed - coins) * D("0.03"))
    over_seq = _posted((("CO", "45", D("250.00") - allowed), ("PR", "2", coins),
                        ("CO", "253", seq3)), paid=allowed - coins - seq3)
    [f] = check_lines([over_seq], pricer).findings
    assert (f.kind, f.short, f.allowed) == ("paid_short", seq3 - seq, allowed)
    assert f.reason.startswith(f"sequestration {seq3} is more than 2 %")


def _line(code: str, allowed: Decimal, units: int = 1, paid_units: int | None = None,
          payer: str = "medicare") -> PostedLine:
    return PostedLine(1, 1, "C1", payer, "", "", DOS, "C1-1", code, (), D(units),
                      D(paid_units if paid_units is not None else units), D("900.00"), allowed,
                      allowed, (), DOS, "11", False)


def test_likely_reasons_other_locality_last_years_factor_units_cut(
        cms_files: tuple[Path, Path]) -> None:
    from reconcile.underpayments.setup import Pricer

    _, gpci = cms_files
    text = (SAMPLES / "practice.toml").read_text().replace('locality = "national"',
                                                             'locality = "06102-99"')
    pricer = Pricer(parse_practice(text, str(SAMPLES / "practice.toml")), load_pfs([], [gpci]))
    here = pfs("0.68", "2.58", "0.07", g=("1.000", "0.900", "1.200"))  # 17110 at 06102-99
    national = pfs("0.68", "2.58", "0.07")
    last_year = pfs("0.68", "2.58", "0.07", cf=CF_2025, g=("1.000", "0.900", "1.200"))
    assert len({here, national, last_year}) == 3

    def reason(line: PostedLine) -> tuple[str, Decimal, str]:
        [f] = check_lines([line], pricer).findings
        return f.kind, f.expected_allowed, f.reason

    assert reason(_line("17110", national)) == ("overpaid", here,
                                                 "a different locality (national)")
    assert reason(_line("17110", last_year)) == (
        "underpaid", here, "last year's conversion factor (2025: 32.3465)")
    # 17003 x 4 paid as 3 units
    one = pfs("0.04", "0.15", "0.00", g=("1.000", "0.900", "1.200"))
    assert reason(_line("17003", one * 3, units=4, paid_units=3)) == (
        "underpaid", one * 4, "units cut: paid 3 of 4")
    # a charge below the fee schedule amount is what is allowed (lower of the two)
    low = PostedLine(1, 1, "C1", "medicare", "", "", DOS, "C1-1", "17110", (), D(1), D(1),
                     D("50.00"), D("50.00"), D("50.00"), (), DOS, "11", False)
    assert check_lines([low], pricer).paid_right == 1
    # within the tolerance (one cent) is paid right
    assert check_lines([_line("17110", here - D("0.01"))], pricer).paid_right == 1
    assert check_lines([_line("17110", here - D("0.02"))], pricer).findings[0].short == D("0.02")


@pytest.mark.parametrize(("code", "amount"), [
    ("11102", "95.53"), ("11104", "121.25"), ("11106", "151.31"), ("17000", "66.47"),
    ("17003", "6.35"), ("17004", "162.33"), ("17110", "111.22"), ("17311", "667.02"),
    ("17312", "402.81"), ("12032", "299.94"), ("13132", "462.27"), ("99213", "95.19"),
    ("99214", "135.61"), ("96372", "15.36")])
def test_shipped_rows_give_the_reference_national_amounts(code: str, amount: str) -> None:
    """../shared/reference/cob-and-fee-schedule.md Part 2 table (RVU26C, national,
    non-facility, total x 33.4009)."""
    assert amounts([LineIn(1, code, (), D(1), DOS, "11")]) == [D(amount)]


def test_shipped_table_is_consistent() -> None:
    rows = load_pfs([], []).rvus.values()
    assert len(rows) >= 190
    for r in rows:
        assert r.global_days in ("000", "010", "090", "XXX", "YYY", "ZZZ"), r.hcpcs
        assert r.mult_proc in ("0", "2", "9"), r.hcpcs
        if r.is_add_on:
            assert r.mult_proc == "0", r.hcpcs  # add-ons are never reduced
        if r.global_days in ("010", "090"):
            assert r.pre_op + r.intra_op + r.post_op == 1, r.hcpcs
        assert r.year == 2026 and "RVU26C" in r.source
