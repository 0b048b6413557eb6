"""What to do with a denied line: one decision, read by the classifier (the action
`denials` prints), `correct` (what it sends) and `appeal` (what it refuses), so the three
never disagree.

A line the payer returned unprocessable (CARC 16 with RARC MA130: "no appeal rights are
afforded because the claim is unprocessable. Please submit a new claim with the
complete/correct information", X12 RARC list; CMS Pub. 100-04 ch. 1 §80.3.2) was never
adjudicated: whatever its cause, payer route or other remark codes, the step is to send it
again as a new claim (`dermclaim correct` sends a new original holding the returned lines),
never an appeal or a reopening. Every other line keeps the action of its cause
(`data/denial_causes.csv`, `data/denial_actions.csv`), worked by `correct` when the
documentation supports a different line, else by `appeal` — worded for the payer's route
(`route_action`): for a payer that takes no corrected claims (Medicare Part B, route
`reopening`), a correction is a reopening request (`data/route_actions.csv`), as `correct`
writes it, never "send a corrected claim".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from companion_guides import GuideError, get_guide, guide_names

UNPROCESSABLE_CARCS = frozenset({"16"})
UNPROCESSABLE_RARCS = frozenset({"MA130"})
NEW_CLAIM = ("Returned unprocessable (MA130: no appeal rights): correct the line and send it "
             "again as a new claim (dermclaim correct)")
NO_APPEAL = ("not appealed: returned unprocessable (CO-16 with MA130), no appeal rights: "
             "send it again as a new claim (dermclaim correct)")
_CARC = re.compile(r"(?:^|; )[A-Z]{2}-(\w+) ")
_RARC = re.compile(r"\bRARC (\w+)")


def is_unprocessable(carcs: Iterable[str], remarks: Iterable[str]) -> bool:
    """The line was returned unprocessable: a CARC 16 adjustment and an MA130 remark."""
    return bool(set(carcs) & UNPROCESSABLE_CARCS) and bool(set(remarks) & UNPROCESSABLE_RARCS)


def unprocessable_evidence(evidence: str) -> bool:
    """`is_unprocessable` read from a stored denial's evidence text ("CO-16 85.00 (...);
    RARC MA130 (...)", `reconcile.denials.classify`)."""
    return is_unprocessable(_CARC.findall(evidence), _RARC.findall(evidence))


def action_for(action: str, carcs: Iterable[str], remarks: Iterable[str]) -> str:
    """The action a classified line gets: its cause's, unless it came back unprocessable."""
    return NEW_CLAIM if is_unprocessable(carcs, remarks) else action


# actions that send a corrected or replacement claim (denial_actions.csv, denial_causes.csv)
_CORRECTED_CLAIM = re.compile(r"\b(corrected|replacement) claim\b|frequency 7", re.I)


@lru_cache(maxsize=1)
def _route_actions() -> dict[tuple[str, str], str]:
    text = (resources.files("reconcile.denials") / "data" / "route_actions.csv").read_text(
        "utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {(r["route"], r["cause"]): r["action"] for r in rows}


@lru_cache(maxsize=64)
def correction_route(payer: str | None) -> str | None:
    """The payer's companion-guide correction route (None: no guide); once per payer name
    (called for every denial a load writes)."""
    if not payer or payer not in guide_names():
        return None
    try:
        return get_guide(payer).correction_route
    except GuideError:
        return None


def route_action(action: str, cause: str, payer: str | None) -> str:
    """The classified action worded for the payer's correction route: a corrected-claim
    action becomes the route's (a reopening request for Medicare Part B)."""
    if action == NEW_CLAIM:
        return action
    route = correction_route(payer)
    better = _route_actions().get((route or "", cause))
    if better is None or not _CORRECTED_CLAIM.search(action):
        return action
    return better
