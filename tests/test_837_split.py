"""Splitting claims to the guide's limits: properties over line and diagnosis counts."""

from __future__ import annotations

from decimal import Decimal

from claim_builders import claim, line
from hypothesis import given, settings
from hypothesis import strategies as st

from coding.model import ClaimLine
from edi.x837p.split import part_claim_id, split_claim

DX = tuple(f"L{n:02d}0" for n in range(10, 40))  # 30 distinct ICD-10-shaped codes


@st.composite
def claims(draw: st.DrawFn) -> tuple[int, int, object]:
    n_dx = draw(st.integers(1, 30))
    n_lines = draw(st.integers(1, 130))
    max_lines = draw(st.integers(1, 50))
    max_dx = draw(st.integers(4, 12))
    lines = []
    procedure = 0
    for n in range(1, n_lines + 1):
        if draw(st.booleans()):  # start a new procedure, or continue the previous one
            procedure += 1
        ptrs = draw(st.lists(st.integers(1, n_dx), min_size=1, max_size=4, unique=True))
        lines.append(line(n, "11102", str(draw(st.integers(1, 500))), ptrs=tuple(ptrs),
                          procedure=procedure))
    return max_lines, max_dx, claim(diagnoses=DX[:n_dx], lines=tuple(lines))


@settings(max_examples=150, deadline=None)
@given(claims())
def test_parts_respect_limits_and_keep_every_line(case: tuple[int, int, object]) -> None:
    max_lines, max_dx, c = case
    parts = split_claim(c, max_lines, max_dx)  # type: ignore[arg-type]
    original: tuple[ClaimLine, ...] = c.lines  # type: ignore[attr-defined]
    kept = [ln for p in parts for ln in p.lines]
    # every line once, in order, with its REF*6R unchanged
    assert [ln.line_control_number for ln in kept] == [ln.line_control_number for ln in original]
    total = sum((p.total_charge for p in parts), Decimal(0))
    assert total == sum((ln.charge or Decimal(0) for ln in original), Decimal(0))
    by_lcn = {ln.line_control_number: ln for ln in original}
    diagnoses: tuple[str, ...] = c.diagnoses  # type: ignore[attr-defined]
    for p in parts:
        assert 1 <= len(p.lines) <= max_lines
        assert 1 <= len(p.diagnoses) <= (max(max_dx, len(diagnoses)) if len(parts) == 1
                                         else max_dx)
        assert len(set(p.diagnoses)) == len(p.diagnoses)
        assert [ln.line for ln in p.lines] == list(range(1, len(p.lines) + 1))
        assert len(p.clm01) <= 38
        for new in p.lines:
            old = by_lcn[new.line_control_number]
            # re-pointered: the part's pointers name the same diagnoses as before
            assert [p.diagnoses[i - 1] for i in new.diagnosis_pointers] == \
                [diagnoses[i - 1] for i in old.diagnosis_pointers]
    if len(parts) > 1:
        assert [p.clm01 for p in parts] == [part_claim_id("DC-1", k, len(parts))
                                            for k in range(1, len(parts) + 1)]


def test_a_claim_that_fits_is_untouched() -> None:
    c = claim()
    (only,) = split_claim(c)
    assert only.clm01 == "DC-1" and only.lines == c.lines and only.diagnoses == c.diagnoses


def test_procedure_groups_stay_together_unless_too_big() -> None:
    lines = tuple(line(n, "11102", "1", procedure=1 if n <= 30 else 2) for n in range(1, 61))
    parts = split_claim(claim(lines=lines), 50, 12)
    assert [len(p.lines) for p in parts] == [30, 30]
    big = tuple(line(n, "17003", "1", procedure=1) for n in range(1, 61))
    assert [len(p.lines) for p in split_claim(claim(lines=big), 50, 12)] == [50, 10]
