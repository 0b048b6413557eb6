"""Rules a coder applies across procedures, written from the CPT / NCCI / CMS text cited in
each test: bundling per lesion, hierarchies re-run after an edit, the flap that includes the
excision, and coding that stays linear in the procedure count."""

from __future__ import annotations

from typing import Any

from encounter_factory import make

from coding.edits.ncci_file import PtpTable, curated_ptp
from coding.engine import MAX_PROCEDURES, code_encounter


def coded(claim: Any) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(line.code, line.units, line.modifiers) for line in claim.lines]


def found(claim: Any) -> list[str]:
    return [f.code for f in claim.findings]


def biopsy(site: str, technique: str = "tangential", **kw: Any) -> dict[str, Any]:
    return {"type": "biopsy", "technique": technique, "site": site, **kw}


def excision(behavior: str, size: str, margin: str, site: str,
             repair: tuple[str, str] | None = None, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "excision", "behavior": behavior, "lesion_cm": size,
                           "margin_cm": margin, "site": site,
                           "medical_necessity": "changing lesion", **kw}
    if repair:
        out["repair"] = {"complexity": repair[0], "length_cm": repair[1]}
    return out


# --------------------------------------------------- NCCI ch. III: small benign excision


def test_small_benign_excision_keeps_its_repair_bundled_beside_a_larger_one() -> None:
    # NCCI Policy Manual ch. III (quoted in AAPC-NCCI05): a benign excision of 0.5 cm or less
    # includes its repair; "removal of one lesion smaller than 0.5 cm does not preclude also
    # reporting an intermediate or complex repair for a larger lesion" — only that one.
    c = code_encounter(make(diagnoses=["D22.5"], procedures=[
        excision("benign", "0.4", "0", "back", ("intermediate", "3.0")),
        excision("benign", "1.2", "0.3", "chest", ("intermediate", "5.0")),
    ]))
    assert [(code, units) for code, units, _ in coded(c)] == [
        ("11400", 1), ("11402", 1), ("12032", 1)]  # 5.0 cm alone: 12032, not 8.0 cm 12034
    assert "REPAIR_INCLUDED_NCCI" in found(c) and not c.has_errors
    repair = c.lines[2]
    assert repair.procedure == 1 and "XS" in repair.modifiers  # a different lesion's repair


# --------------------------------------------------- an edit drops a primary: re-run


def test_biopsy_of_the_destroyed_lesion_goes_and_the_next_biopsy_becomes_primary() -> None:
    # NCCI ch. III / AAD-DES: the biopsy of a lesion destroyed the same session is included.
    # CPT: one primary biopsy per encounter — after the forehead biopsy goes, the back biopsy
    # is the primary 11102 (with XS for the 17000/11102 pair), never an orphan +11103.
    c = code_encounter(make(procedures=[
        {"type": "destruction", "lesion_class": "premalignant", "method": "cryo", "count": 1,
         "site": "forehead"},
        biopsy("forehead"), biopsy("back"),
    ]))
    assert coded(c) == [("11102", 1, ("XS",)), ("17000", 1, ())]
    assert "ADDON_WITHOUT_PRIMARY" not in found(c)
    assert c.lines[0].procedure == 2
    dropped = next(f for f in c.findings if f.code == "NCCI_NOT_DISTINCT")
    assert dropped.procedure == 1


def test_shave_and_biopsy_of_one_lesion_promote_the_other_biopsy() -> None:
    c = code_encounter(make(diagnoses=["D48.5"], procedures=[
        {"type": "shave", "lesion_cm": "0.8", "site": "back", "lesion": "A"},
        biopsy("back", lesion="A"), biopsy("arm", technique="punch", lesion="B"),
        biopsy("thigh", lesion="C"),
    ]))
    # lesion A's biopsy is inside its shave; B (punch) is the primary, C its tangential add-on
    # B and C are other lesions than the shaved A: the 11301/11104 and 11301/11103 pairs
    # take the distinct modifier
    assert [(code, mods) for code, _, mods in coded(c)] == [
        ("11104", ("XS",)), ("11103", ("XS",)), ("11301", ())]
    assert "ADDON_WITHOUT_PRIMARY" not in found(c)


def test_named_lesions_at_one_site_are_two_lesions() -> None:
    c = code_encounter(make(procedures=[
        {"type": "destruction", "lesion_class": "premalignant", "method": "cryo", "count": 1,
         "site": "back",
         "lesion": "A"},
        biopsy("back", lesion="B"),
    ]))
    assert coded(c) == [("11102", 1, ("XS",)), ("17000", 1, ())]


def test_destruction_of_the_excised_lesion_leaves_the_others_coded() -> None:
    # the AK on the nose (lesion A) is excised and destroyed: one lesion, the excision stays;
    # the two forehead AKs are still 17000 + 17003 × 1 (CPT 17000/17003), now a distinct site
    c = code_encounter(make(diagnoses=["C44.311", "L57.0"], procedures=[
        excision("malignant", "0.6", "0.2", "nose", lesion="A", diagnoses=["C44.311"]),
        {"type": "destruction", "lesion_class": "premalignant", "method": "cryo", "count": 1,
         "site": "nose",
         "lesion": "A", "diagnoses": ["L57.0"]},
        {"type": "destruction", "lesion_class": "premalignant", "method": "cryo", "count": 2,
         "site": "forehead", "diagnoses": ["L57.0"]},
    ]))
    assert [(code, units) for code, units, _ in coded(c)] == [
        ("11641", 1), ("17000", 1), ("17003", 1)]
    assert all("XS" in line.modifiers for line in c.lines[1:])


# --------------------------------------------------- CPT 14000-14302: flap includes excision


def flap_case(lesion2: str, *, decided: bool | None = True) -> Any:
    visit: dict[str, Any] = {"type": "office_visit", "code": "99213",
                             "separately_identifiable": False}
    if decided is not None:
        visit["decision_for_surgery"] = decided
    return code_encounter(make(diagnoses=["C44.319"], procedures=[
        visit,
        excision("malignant", "1.6", "0.4", "cheek", lesion=lesion2),
        {"type": "adjacent_tissue_transfer", "defect_sq_cm": "8.5", "site": "cheek",
         "lesion": "A"},
    ]))


def test_flap_includes_the_excision_of_its_lesion_and_the_visit_takes_57() -> None:
    # CPT 14000-14302 guidelines (AAD DCC 2025-06): the excision of the lesion closed by the
    # flap is not reported; 14040 has a 90-day global, so the visit that decided on it is 57
    # (CMS Claims Processing Manual ch. 12 §40.2), not 25.
    c = flap_case("A")
    assert coded(c) == [("99213", 1, ("57",)), ("14040", 1, ())]


def test_flap_and_the_excision_of_another_lesion() -> None:
    c = flap_case("B")
    assert coded(c) == [("99213", 1, ("57",)), ("11643", 1, ("XS",)), ("14040", 1, ())]


def test_visit_that_did_not_decide_on_the_flap_is_preoperative_care() -> None:
    c = flap_case("A", decided=False)
    assert coded(c) == [("14040", 1, ())]
    assert "EM_NOT_SEPARATE" in found(c)


def test_flap_sizes_and_any_area_codes() -> None:
    def one(area: str, site: str = "back") -> list[tuple[str, int]]:
        c = code_encounter(make(diagnoses=["C44.519"], procedures=[
            {"type": "adjacent_tissue_transfer", "defect_sq_cm": area, "site": site}]))
        return [(line.code, line.units) for line in c.lines]

    assert one("10") == [("14000", 1)] and one("10.1") == [("14001", 1)]
    assert one("30") == [("14001", 1)] and one("30.1") == [("14301", 1)]
    assert one("60") == [("14301", 1)] and one("61") == [("14301", 1), ("14302", 1)]
    assert one("95") == [("14301", 1), ("14302", 2)]
    assert one("5", "nose") == [("14060", 1)] and one("5", "scalp") == [("14020", 1)]


# --------------------------------------------------- issue 12: linear, and a limit


class CountingTable(PtpTable):
    def __init__(self) -> None:
        base = curated_ptp()
        super().__init__([e for edits in base._pairs.values() for e in edits], "counting")
        self.calls = 0

    def lookup(self, column1: str, column2: str, day: Any) -> Any:
        self.calls += 1
        return super().lookup(column1, column2, day)


def _lookups(n: int) -> int:
    procs = [excision("benign", "1.0", "0.2", "back" if i % 2 else "chest", lesion=f"L{i}")
             for i in range(n)] + [biopsy("arm"), biopsy("leg")]
    table = CountingTable()
    code_encounter(make(diagnoses=["D22.5"], procedures=procs), ptp=table)
    return table.calls


def test_ncci_work_grows_linearly_with_the_procedures() -> None:
    # every pair of 48 lines was looked up before (O(n²) lookups, O(n³) comparisons)
    small, large = _lookups(24), _lookups(96)
    assert large <= 4 * small + 10, (small, large)


def test_an_encounter_over_the_procedure_limit_is_held() -> None:
    procs = [biopsy("back") for _ in range(MAX_PROCEDURES + 1)]
    c = code_encounter(make(procedures=procs))
    assert c.lines == () and c.has_errors
    assert found(c) == ["TOO_MANY_PROCEDURES"]
    assert f"at most {MAX_PROCEDURES}" in c.findings[0].message


def test_visit_the_day_before_a_major_procedure_that_decided_on_it_takes_57() -> None:
    # CMS Claims Processing Manual ch. 12 §40.2: the 90-day global starts the day before;
    # the visit that decided on the surgery is billed with 57
    c = code_encounter(make(diagnoses=["C44.319"], procedures=[
        {"type": "office_visit", "code": "99214", "separately_identifiable": False,
         "decision_for_surgery": True}]))
    assert coded(c) == [("99214", 1, ("57",))]
