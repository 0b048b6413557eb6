"""Provider-level adjustment (PLB) reason codes and their meanings.

Read from `reconcile/remit/data/plb_reasons.csv` (the 835 TR3's PLB03-1 list, with sources);
light on purpose: `remit show` uses it without opening the store.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

from attrs import frozen


@frozen
class PlbReason:
    code: str
    meaning: str
    names_claim: bool
    source: str


@cache
def plb_reasons() -> dict[str, PlbReason]:
    text = (resources.files("reconcile.remit") / "data" / "plb_reasons.csv").read_text("utf-8")
    lines = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    return {r["code"]: PlbReason(r["code"], r["meaning"], r["names_claim"] == "yes",
                                 r["source"])
            for r in csv.DictReader(io.StringIO(lines))}


def plb_meaning(code: str) -> str:
    reason = plb_reasons().get(code.strip().upper())
    return reason.meaning if reason else "provider adjustment (code not in the PLB list)"
