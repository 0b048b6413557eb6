"""Properties of classification over arbitrary CAS/RARC combinations (hypothesis): exactly
one cause or none, none iff nothing is a denial, the amount is the sum of the denials, and
the order of the CAS segments never changes the outcome."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from edi.x835.model import Adjustment
from reconcile.denials.classify import CAUSES, SentLine, classify_adjustments, is_not_denial

DOS = date(2026, 10, 1)
GROUPS = st.sampled_from(["CO", "PR", "OA", "PI"])
CARCS = st.sampled_from(["1", "2", "3", "4", "11", "15", "16", "18", "22", "23", "26", "27",
                         "29", "35", "45", "49", "50", "59", "96", "97", "119", "151", "182",
                         "197", "204", "231", "234", "236", "253", "284", "B15", "B7", "A1"])
RARCS = st.lists(st.sampled_from(["M15", "M80", "N19", "N20", "N122", "N383", "N425", "N115",
                                  "N362", "M53", "N430", "N640", "M127", "M119", "N519",
                                  "N525", "MA130"]), max_size=3, unique=True)
AMOUNTS = st.decimals(min_value=Decimal("-50"), max_value=Decimal("500"), places=2,
                      allow_nan=False, allow_infinity=False)
ADJ = st.builds(Adjustment, GROUPS, CARCS, AMOUNTS)
CODES = st.sampled_from(["99213", "99214", "11102", "11104", "17000", "17003", "17110",
                         "11200", "11306", "11402", "17311", "J3301", "96372", "88305"])
LINES = st.builds(SentLine, CODES, st.sampled_from([(), ("25",), ("XS",), ("RT",)]),
                  st.just(DOS))


@settings(max_examples=300, deadline=None)
@given(st.lists(ADJ, max_size=5), RARCS, LINES, st.lists(LINES, max_size=3), st.randoms())
def test_one_cause_or_none(adjs, remarks, line, others, rnd) -> None:  # type: ignore[no-untyped-def]
    c = classify_adjustments(adjs, remarks, line, [line, *others])
    denials = [a for a in adjs if not is_not_denial(a)]
    if not denials:
        assert c is None
        return
    assert c is not None and c.cause in CAUSES and c.action and c.rule
    assert c.amount == sum((a.amount for a in denials), Decimal("0")) and c.amount > 0
    assert any(a.reason == c.carc and a.group == c.group for a in denials)
    shuffled = list(adjs)
    rnd.shuffle(shuffled)
    again = classify_adjustments(shuffled, remarks, line, [line, *others])
    assert again is not None
    assert (again.cause, again.carc, again.group, again.amount, again.rule) == (
        c.cause, c.carc, c.group, c.amount, c.rule)
