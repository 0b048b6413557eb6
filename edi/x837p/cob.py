"""Coordination of benefits in the 837P: the other payers' loops (005010X222A1).

Per other payer of the claim (`Encounter.other_coverage`, at most 10 in the guide, 2 here):

  2320  SBR (SBR01 that payer's order P/S/T, SBR02 the patient's relationship to its
        subscriber, SBR09 its filing indicator); once it has adjudicated the claim: the
        claim-level CAS of its 835 (one CAS per group, at most 6 reasons each), AMT*D (what
        it paid, 0 when nothing), AMT*EAF (the patient responsibility it left); then OI
  2330A NM1*IL: its subscriber and member id
  2330B NM1*PR: the payer (NM109 its payer id; for a Medigap plan on a Medicare claim, its
        COBA Medigap id); REF*F8 its claim number once it has adjudicated the claim
  2430  per line it adjudicated (after the line's 2410): SVD (payer id, paid, the procedure
        as adjudicated, paid units), the line CAS as its 835 gave them, DTP*573 the date it
        adjudicated

A payer that has not adjudicated the claim (the secondary listed on a primary claim) gets
SBR, OI, NM1*IL and NM1*PR only: CAS and AMT*D come "only after that payer adjudicated"
(X12 RFI 1865). Balancing (RFI 1294, 2023): CLM02 = AMT*D + every CAS of that payer
(2320 and 2430), and each line SV102 = SVD02 + its 2430 CAS; `check_text` verifies both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from coding.model import AdjudicatedLine, CasAdjustment, ClaimLine, Coverage, Encounter
from companion_guides import Guide, get_guide
from edi.x837p.segments import DELIMITERS, SEGMENTS, amount, clean_text, quantity

__all__ = ["COVERAGE_RELATIONSHIP", "ORDERS", "coverage_orders", "other_payer_loops",
           "line_adjudications", "other_payer_id"]

S = SEGMENTS
ORDERS = ("P", "S", "T")
# SBR02 / PAT01 individual relationship codes (005010X222A1): the patient to the subscriber
COVERAGE_RELATIONSHIP: dict[str, str] = {"self": "18", "spouse": "01", "child": "19",
                                         "other": "G8"}
MAX_CAS_REASONS = 6  # reason/amount/quantity triplets in one CAS segment


def coverage_orders(enc: Encounter) -> list[tuple[str, Coverage]]:
    """Each other coverage with its payer order: the orders the claim's own payer does not
    hold, in sequence (a primary claim: S, T; a secondary claim: P, T)."""
    if not enc.other_coverage:  # most claims: asked once per claim and once per line
        return []
    free = [o for o in ORDERS if o != enc.payer_order]
    return list(zip(free, enc.other_coverage, strict=False))


def other_payer_id(coverage: Coverage, destination: Guide) -> str:
    """2330B NM109 (and SVD01): the payer id of its guide; a Medigap plan on a claim to
    Medicare is named by its COBA Medigap id (claim-based crossover, CMS MM5662)."""
    guide = get_guide(coverage.payer)
    if destination.is_medicare and guide.coba_id and coverage.adjudication is None:
        return guide.coba_id
    return guide.payer_id


def other_payer_loops(enc: Encounter, destination: Guide) -> Iterator[str]:
    """2320/2330A/2330B for every other payer of the claim."""
    for order, cov in coverage_orders(enc):
        guide = get_guide(cov.payer)
        adj = cov.adjudication
        yield S["SBR"].render(payer_responsibility=order,
                              relationship=COVERAGE_RELATIONSHIP[cov.relationship],
                              group_number=clean_text(cov.group_number, 50) or None,
                              filing_indicator=guide.claim_filing_indicator)
        if adj is not None:
            yield from cas_segments(adj.adjustments)
            yield S["AMT"].render(qualifier="D", amount=amount(adj.paid))
            if adj.patient_responsibility:
                yield S["AMT"].render(qualifier="EAF", amount=amount(adj.patient_responsibility))
        yield S["OI"].render(benefits_assignment="Y", release_of_information="Y")
        insured = cov.subscriber if cov.subscriber is not None else enc.patient
        yield S["NM1"].render(entity="IL", entity_type="1",
                              last_or_org=clean_text(insured.last_name, 60),
                              first=clean_text(insured.first_name, 35),
                              id_qualifier="MI", id=clean_text(cov.member_id, 80))
        yield S["NM1"].render(entity="PR", entity_type="2",
                              last_or_org=clean_text(guide.payer_name, 60),
                              id_qualifier="PI", id=other_payer_id(cov, destination))
        if adj is not None and adj.payer_claim_number:
            yield S["REF"].render(qualifier="F8", value=clean_text(adj.payer_claim_number, 50))


def line_adjudications(enc: Encounter, line: ClaimLine, destination: Guide) -> Iterator[str]:
    """2430 for every other payer that adjudicated this line."""
    c = DELIMITERS.component
    for _order, cov in coverage_orders(enc):
        adj = cov.adjudication
        if adj is None:
            continue
        answer = _line(adj.lines, line.line_control_number)
        if answer is None:
            continue
        yield S["SVD"].render(payer_id=other_payer_id(cov, destination),
                              paid=amount(answer.paid),
                              procedure=c.join(["HC", answer.code, *answer.modifiers]),
                              units=quantity(answer.units))
        yield from cas_segments(answer.adjustments)
        yield S["DTP"].render(qualifier="573", format="D8",
                              value=adj.adjudicated_on.strftime("%Y%m%d"))


def cas_segments(adjustments: Sequence[CasAdjustment]) -> Iterator[str]:
    """CAS segments: one per group code (in the order the groups first appear), at most six
    reasons each (a seventh starts another CAS of the same group); zero amounts left out."""
    groups: dict[str, list[CasAdjustment]] = {}
    for a in adjustments:
        if a.amount != 0:
            groups.setdefault(a.group, []).append(a)
    for group, items in groups.items():
        for start in range(0, len(items), MAX_CAS_REASONS):
            values: dict[str, str | None] = {"group": group}
            for i, a in enumerate(items[start:start + MAX_CAS_REASONS], start=1):
                values[f"reason{i}"] = a.reason
                values[f"amount{i}"] = amount(a.amount)
                if a.quantity is not None:
                    values[f"quantity{i}"] = quantity(a.quantity)
            yield S["CAS"].render(**values)


def _line(lines: Sequence[AdjudicatedLine], control_number: str) -> AdjudicatedLine | None:
    for ln in lines:
        if ln.line_control_number == control_number:
            return ln
    return None
