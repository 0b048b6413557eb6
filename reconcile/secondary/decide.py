"""Whose turn the balance is once a payer has answered: ours to bill, or already forwarded.

Pure rules over one posted 835 claim (CLP02, its claim- and line-level remark codes, the
NM1*TT crossover payer) and the next coverage's guide, with their sources
(reference/cob-and-fee-schedule.md):

- CLP02 19 / 20 / 21 ("processed as primary / secondary / tertiary, forwarded to additional
  payer(s)", 005010X221A1 CLP02), or remark MA18 ("the claim information is also being
  forwarded to the patient's supplemental insurer") or N89 (forwarded to more than one
  payer): Medicare crossed the claim over (COBA). We send nothing; the claim waits for the
  supplemental payer's 835.
- MA08 (not forwarded: submit to the other insurer), MA19 (not forwarded: the Medigap
  information is invalid), or no crossover remark at all: we bill the next payer.
- Nothing left for a next payer: no patient-responsibility (PR) amount on the claim or its
  lines, and no line denied. The contractual write-offs (CO) are nobody's to pay.
- A line the primary denied (paid 0): sent with its CAS when the next payer's guide says
  `secondary_denied_lines = "send"`, the claim held with a finding when "hold".
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from attrs import frozen

from companion_guides import Guide

__all__ = ["CROSSOVER_REMARKS", "NOT_FORWARDED_REMARKS", "FORWARDED_STATUSES", "Answer",
           "Decision", "decide"]

FORWARDED_STATUSES = frozenset({"19", "20", "21"})
CROSSOVER_REMARKS = frozenset({"MA18", "N89"})
NOT_FORWARDED_REMARKS = {"MA08": "MA08 (not forwarded: submit to the other insurer)",
                         "MA19": "MA19 (not forwarded: the supplemental insurer "
                                 "information was invalid)"}
ZERO = Decimal("0")


@frozen
class Answer:
    """What the decision needs of one posted 835 claim."""

    status: str  # CLP02
    remarks: tuple[str, ...]  # claim-level and line-level RARCs
    crossover_payer: str  # NM1*TT, "" when absent
    patient_share: Decimal  # every PR amount, claim and line level
    denied_lines: int  # lines paid nothing with an adjustment


@frozen
class Decision:
    kind: str  # "bill", "crossed_over", "nothing_owed", "hold"
    reason: str
    crossed_to: str = ""  # the payer Medicare forwarded it to


def decide(answer: Answer, next_guide: Guide, primary: Guide) -> Decision:
    """The decision for the balance `answer` leaves, the next coverage being `next_guide`."""
    primary_guide_name = primary.name
    remarks = set(answer.remarks)
    forwarded = answer.status in FORWARDED_STATUSES or bool(remarks & CROSSOVER_REMARKS)
    if forwarded:
        to = answer.crossover_payer or next_guide.payer_name
        why = (f"CLP02 {answer.status}" if answer.status in FORWARDED_STATUSES
               else " / ".join(sorted(remarks & CROSSOVER_REMARKS)))
        return Decision("crossed_over", f"{primary_guide_name} forwarded it to {to} ({why}); "
                        f"waiting for {next_guide.name}'s 835", crossed_to=to)
    if answer.patient_share <= ZERO and not answer.denied_lines:
        return Decision("nothing_owed", f"nothing left for {next_guide.name}: no patient "
                        "responsibility and no denied line on the primary's 835")
    if answer.denied_lines and next_guide.secondary_denied_lines == "hold":
        return Decision("hold", f"{answer.denied_lines} line(s) denied by "
                        f"{primary_guide_name}: {next_guide.name}'s guide holds such claims "
                        "for review (secondary_denied_lines = hold)")
    said = [NOT_FORWARDED_REMARKS[r] for r in sorted(remarks) if r in NOT_FORWARDED_REMARKS]
    if said:
        why = f"{primary_guide_name} did not forward it: {', '.join(said)}"
    elif next_guide.crossover_from_medicare and primary.is_medicare:
        why = "the 835 has no crossover remark (MA18 / N89): bill it directly"
    else:
        why = f"{primary_guide_name} does not forward claims to {next_guide.name}"
    return Decision("bill", why)


def patient_share(adjustments: Sequence[tuple[str, Decimal]]) -> Decimal:
    """Sum of the PR amounts among (group, amount) pairs."""
    return sum((a for g, a in adjustments if g == "PR"), ZERO)
