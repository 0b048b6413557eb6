"""Denial classification: the CARC/RARC table per cause, the context rules, precedence and
the adjustments that are not denials. Table-driven: each row is one remittance situation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from edi.x835.model import Adjustment, ClaimPayment, DateValue, Remark, ServiceLine
from reconcile.denials.classify import (
    CAUSES,
    SentLine,
    cause_actions,
    cause_rules,
    classify_adjustments,
    classify_claim,
)

DOS = date(2026, 10, 1)
BIOPSY = SentLine("11102", (), DOS)


def adj(text: str, amount: str = "100.00") -> Adjustment:
    group, carc = text.split("-")
    return Adjustment(group, carc, Decimal(amount))


def one(code: str, mods: tuple[str, ...], adjs: list[str], remarks: tuple[str, ...] = (),
        others: tuple[SentLine, ...] = (BIOPSY,)):
    line = SentLine(code, mods, DOS)
    return classify_adjustments([adj(a) for a in adjs], list(remarks), line, (line, *others))


# (code, modifiers, adjustments, remarks, other lines on the claim, cause, rule fragment)
CASES = [
    # bundling vs missing_25 (context rule em_25)
    ("11104", (), ["CO-97"], (), (), "bundling", "table:*-97"),
    ("12032", (), ["CO-236"], ("M15",), (), "bundling", "M15"),
    ("11105", (), ["CO-B15"], (), (), "bundling", "B15"),
    ("17003", (), ["CO-234"], ("N19",), (), "bundling", "N19"),
    ("11201", (), ["CO-97"], ("N122",), (), "bundling", "N122"),
    ("99213", ("25",), ["CO-97"], ("M15",), (BIOPSY,), "bundling", "em_with_25_bundled"),
    ("99213", (), ["CO-97"], (), (BIOPSY,), "missing_25", "em_without_25_beside_procedure"),
    ("99214", (), ["CO-236"], (), (BIOPSY,), "missing_25", "em_without_25_beside_procedure"),
    ("99203", (), ["CO-4"], (), (SentLine("17000", (), DOS),), "missing_25", "em_without_25"),
    ("99212", (), ["CO-182"], (), (SentLine("96372", (), DOS),), "missing_25", "em_without_25"),
    ("99213", (), ["CO-97"], ("N525",), (), "bundling", "em_without_same_day_procedure"),
    ("99213", (), ["CO-97"], (), (SentLine("11102", (), date(2026, 9, 30)),), "bundling",
     "em_without_same_day_procedure"),
    ("99213", (), ["CO-4"], (), (SentLine("J3301", (), DOS),), "modifier",
     "em_without_same_day_procedure"),
    # modifier on a non-E/M line
    ("17110", ("RT",), ["CO-4"], (), (), "modifier", "table:*-4"),
    ("11102", ("XS",), ["CO-182"], ("N519",), (), "modifier", "N519"),
    # cosmetic vs medical_necessity (context rule benign_lesion, and cosmetic remarks)
    ("17110", (), ["CO-50"], (), (), "cosmetic", "benign_lesion_not_covered"),
    ("17111", (), ["CO-96"], (), (), "cosmetic", "benign_lesion_not_covered"),
    ("11200", (), ["CO-204"], (), (), "cosmetic", "benign_lesion_not_covered"),
    ("11201", (), ["CO-49"], (), (), "cosmetic", "benign_lesion_not_covered"),
    ("11301", (), ["CO-96"], (), (), "cosmetic", "benign_lesion_not_covered"),
    ("11442", (), ["PR-96"], (), (), "cosmetic", "benign_lesion_not_covered"),
    ("11102", (), ["CO-96"], ("N383",), (), "cosmetic", "N383"),
    ("99213", (), ["CO-96"], ("N425",), (), "cosmetic", "N425"),
    ("11102", (), ["CO-50"], (), (), "medical_necessity", "table:*-50"),
    ("17000", (), ["CO-50"], ("N115",), (), "medical_necessity", "N115"),
    ("96372", (), ["CO-204"], (), (), "medical_necessity", "table:*-204"),
    ("J3301", (), ["CO-96"], ("N426",), (), "medical_necessity", "N426"),
    # count, incl. MUE unit denials
    ("17003", (), ["CO-151"], (), (), "count", "table:*-151"),
    ("11105", (), ["CO-151"], ("N362",), (), "count", "N362"),
    ("17312", (), ["CO-119"], (), (), "count", "table:*-119"),
    ("J3301", (), ["CO-16"], ("M53",), (), "count", "M53"),
    ("11107", (), ["CO-35"], (), (), "count", "table:*-35"),
    ("17315", (), ["CO-96"], ("N430",), (), "count", "N430"),
    ("11103", (), ["CO-151"], ("N640",), (), "count", "N640"),
    # administrative causes
    ("11102", (), ["CO-27"], (), (), "eligibility", "table:*-27"),
    ("11102", (), ["CO-26"], (), (), "eligibility", "table:*-26"),
    ("17311", (), ["CO-197"], (), (), "authorization", "table:*-197"),
    ("17311", (), ["CO-15"], (), (), "authorization", "table:*-15"),
    ("17311", (), ["CO-284"], (), (), "authorization", "table:*-284"),
    ("11102", (), ["OA-18"], (), (), "duplicate", "table:*-18"),
    ("11102", (), ["CO-29"], (), (), "timely_filing", "table:*-29"),
    ("11102", (), ["CO-16"], ("M127",), (), "missing_information", "M127"),
    ("J3301", (), ["CO-16"], ("M119",), (), "missing_information", "M119"),
    ("11102", (), ["OA-22"], (), (), "coordination_of_benefits", "table:*-22"),
    # every CARC has its own decision now: B7 (provider not certified) is `other` by its row
    ("11102", (), ["CO-B7"], (), (), "other", "table:*-B7"),
    ("11102", (), ["CO-ZZ9"], (), (), "other", "table:*-*"),  # a code not in the list
]


@pytest.mark.parametrize("code,mods,adjs,remarks,others,cause,rule", CASES,
                         ids=[f"{c[0]}-{'+'.join(c[2])}-{c[5]}" for c in CASES])
def test_cause(code, mods, adjs, remarks, others, cause, rule) -> None:  # type: ignore[no-untyped-def]
    c = one(code, mods, adjs, remarks, others)
    assert c is not None
    assert c.cause == cause
    assert rule in c.rule
    assert c.action == cause_actions()[cause].action or c.action  # never empty
    assert c.action
    assert c.amount == Decimal("100.00")


def test_every_cause_is_reachable_from_cases() -> None:
    assert {c[5] for c in CASES} == set(CAUSES)


@pytest.mark.parametrize("adjs", [
    ["CO-45"], ["CO-253"], ["CO-59"], ["PR-1"], ["PR-2"], ["PR-3"], ["OA-23"], ["PR-45"],
    ["CO-45", "PR-2", "CO-253"], ["PI-59", "PR-1"],
])
def test_not_denials(adjs: list[str]) -> None:
    assert one("11102", (), adjs) is None


def test_zero_and_negative_amounts_are_not_denials() -> None:
    line = SentLine("11102", (), DOS)
    assert classify_adjustments([adj("CO-97", "0")], [], line) is None
    assert classify_adjustments([adj("CO-97", "-40.00")], [], line) is None


def test_contractual_writedown_beside_a_denial_is_not_counted_in_the_denied_amount() -> None:
    line = SentLine("17003", (), DOS)
    c = classify_adjustments([adj("CO-45", "30.00"), adj("CO-151", "70.00"), adj("PR-2", "5")],
                             ["N362"], line)
    assert c is not None and c.cause == "count" and c.amount == Decimal("70.00")


@pytest.mark.parametrize("adjs,remarks,cause,carc", [
    # administrative barriers outrank coding causes
    (["CO-97", "CO-27"], (), "eligibility", "27"),
    (["CO-151", "CO-29"], (), "timely_filing", "29"),
    (["OA-18", "CO-50"], (), "duplicate", "18"),
    (["CO-197", "CO-16"], ("M127",), "authorization", "197"),
    # among coding causes: bundling before modifier before count before non-coverage
    (["CO-151", "CO-97"], (), "bundling", "97"),
    (["CO-4", "CO-151"], (), "modifier", "4"),
    (["CO-50", "CO-151"], ("N362",), "count", "151"),
    # a remark naming a cosmetic service outranks generic non-coverage
    (["CO-204", "CO-50"], ("N383",), "cosmetic", "204"),
])
def test_precedence(adjs: list[str], remarks: tuple[str, ...], cause: str, carc: str) -> None:
    c = one("11104", (), adjs, remarks)
    assert c is not None and c.cause == cause and c.carc == carc
    assert c.amount == Decimal("100.00") * len(adjs)
    for a in adjs:  # the evidence lists every adjustment, not just the winner
        assert a in c.evidence


def test_remark_rarc_beats_carc_only_row() -> None:
    c = one("11102", (), ["CO-96"], ("N383",))
    assert c is not None and c.cause == "cosmetic" and c.rarc == "N383"


def _claim(*lines: ServiceLine, status: str = "1", remarks: tuple[str, ...] = (),
           claim_adj: tuple[Adjustment, ...] = ()) -> ClaimPayment:
    return ClaimPayment("CLM1", status, Decimal("300"), Decimal("0"), None, "MB", "ICN1", 1,
                        adjustments=claim_adj, remarks=tuple(Remark("HE", r) for r in remarks),
                        dates=(DateValue("232", DOS),), service_lines=lines)


def _svc(code: str, mods: tuple[str, ...] = (), adjs: tuple[str, ...] = (),
         remarks: tuple[str, ...] = (), original: str | None = None) -> ServiceLine:
    return ServiceLine("HC", code, mods, Decimal("100"), Decimal("0"), Decimal("1"), 1,
                       original_code=original, adjustments=tuple(adj(a) for a in adjs),
                       remarks=tuple(Remark("HE", r) for r in remarks))


def test_claim_uses_835_lines_as_context_when_unmatched() -> None:
    c = _claim(_svc("99213", (), ("CO-97",)), _svc("11102", (), ("CO-45",)))
    out = classify_claim(c)
    assert [(d.line_index, d.classification.cause) for d in out] == [(0, "missing_25")]


def test_submitted_modifiers_outrank_the_835s() -> None:
    # the payer echoed the E/M without 25 but we sent it with 25: bundling, not missing_25
    c = _claim(_svc("99213", (), ("CO-97",)), _svc("11102", (), ("CO-45",)))
    out = classify_claim(c, [SentLine("99213", ("25",), DOS), None])
    assert out[0].classification.cause == "bundling"
    assert "em_with_25_bundled" in out[0].classification.rule


def test_recoded_line_uses_svc06_original_code() -> None:
    # we billed 17110 (benign), the payer recoded to 17000 and denied as not covered
    c = _claim(_svc("17000", (), ("CO-96",), original="17110"))
    assert classify_claim(c)[0].classification.cause == "cosmetic"


def test_claim_level_remarks_apply_to_lines() -> None:
    c = _claim(_svc("11102", (), ("CO-96",)), remarks=("N383",))
    assert classify_claim(c)[0].classification.cause == "cosmetic"


def test_claim_level_denial_gives_one_claim_row() -> None:
    c = _claim(_svc("11102"), _svc("99213"), status="4", claim_adj=(adj("CO-29", "200"),))
    out = classify_claim(c)
    assert len(out) == 1 and out[0].line_index is None
    assert out[0].classification.cause == "timely_filing"


def test_reversal_yields_no_denials() -> None:
    c = _claim(_svc("99213", (), ("CO-97",)), status="22")
    assert classify_claim(c) == []


def test_table_is_consistent() -> None:
    rules = cause_rules()
    assert rules[-1].group == rules[-1].carc == rules[-1].rarc == "*"  # catch-all last
    assert all(r.source for r in rules)
    assert {r.cause for r in rules if r.cause != "not_denial"} <= set(CAUSES)
    assert set(cause_actions()) == set(CAUSES)
    keys = [(r.group, r.carc, r.rarc) for r in rules]
    assert len(keys) == len(set(keys)), "duplicate rule keys"


# ------------------------------------------------------------- context rules on their own

def test_em_25_rule_directly() -> None:
    from reconcile.denials.classify import em_25
    proc = SentLine("17000", (), DOS)
    assert em_25("bundling", SentLine("11102", (), DOS), [proc]) is None  # not an E/M
    r = em_25("bundling", SentLine("99213", (), DOS), [proc])
    assert r is not None and r.cause == "missing_25" and "17000" in r.note
    r = em_25("modifier", SentLine("99213", ("25",), DOS), [proc])
    assert r is not None and r.cause == "bundling" and r.rule == "em_with_25_bundled"
    # drugs and pathology on the claim do not bundle a visit
    r = em_25("modifier", SentLine("99213", (), DOS), [SentLine("J3301", (), DOS),
                                                        SentLine("88305", (), DOS)])
    assert r is not None and r.cause == "modifier"
    # a procedure on another date does not make the E/M a same-day one
    r = em_25("bundling", SentLine("99213", (), DOS), [SentLine("11102", (), date(2026, 9, 1))])
    assert r is not None and r.cause == "bundling"


@pytest.mark.parametrize("code,cosmetic", [
    ("17110", True), ("17111", True), ("11200", True), ("11201", True), ("11300", True),
    ("11313", True), ("11400", True), ("11446", True), ("11600", False), ("17000", False),
    ("17003", False), ("11102", False), ("99213", False), ("J3301", False),
])
def test_benign_lesion_rule_directly(code: str, cosmetic: bool) -> None:
    from reconcile.denials.classify import benign_lesion
    r = benign_lesion("medical_necessity", SentLine(code, (), DOS), [])
    assert (r is not None and r.cause == "cosmetic") == cosmetic


@pytest.mark.parametrize("code,em,proc", [
    ("99202", True, False), ("99215", True, False), ("99216", False, False),
    ("99211", True, False), ("11102", False, True), ("96372", False, True),
    ("J3301", False, False), ("88305", False, False), ("", False, False),
])
def test_code_kinds(code: str, em: bool, proc: bool) -> None:
    from reconcile.denials.classify import is_em, is_procedure
    assert is_em(code) is em and is_procedure(code) is proc


def test_bundled_em_with_25_gets_an_em_appeal_action_not_the_pair_modifier_advice() -> None:
    em = one("99213", ("25",), ["CO-97"], ("M15",))
    proc = one("17110", (), ["CO-97"], ("M15",))
    assert em is not None and proc is not None
    assert em.cause == proc.cause == "bundling"
    assert "visit note" in em.action and "separately identifiable" in em.action
    assert "59/XS" not in em.action
    assert em.action != proc.action
    assert "59/XS" in proc.action  # a procedure pair: the distinct modifier is the fix


@pytest.mark.parametrize("mod", ["XS", "59"])
def test_procedure_bundled_despite_distinct_modifier_gets_an_appeal_action(mod: str) -> None:
    c = one("11104", (mod,), ["CO-236"], (), (SentLine("17311", (), DOS),))
    assert c is not None and c.cause == "bundling"
    assert c.rule.endswith("distinct_modifier_already_sent")
    assert f"already carried {mod}" in c.action


def test_procedure_bundled_without_modifier_keeps_the_add_modifier_advice() -> None:
    c = one("11104", (), ["CO-236"], (), (SentLine("17311", (), DOS),))
    assert c is not None and c.cause == "bundling" and "59/XS" in c.action
