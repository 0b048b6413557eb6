"""Denial classification: every denied or non-contractually reduced line gets exactly one cause.

Two layers, as the design asks:

1. **The table** (`data/denial_causes.csv`): CAS group + CARC (+ RARC) -> cause, priority,
   optional context rule, action, source. An adjustment that matches a `not_denial` row
   (CO-45, CO-253, CO-59, PR-1/2/3, OA-23) is not a denial. Otherwise the most specific row
   wins: a RARC-specific row (e.g. N383 cosmetic, N362 units) beats a CARC-only row, which
   beats the catch-all `other`. Non-positive amounts are never denials (a reversal's negative
   CAS, a zero-dollar informational CAS).
2. **Context rules** (code, below): `em_25` turns a bundling/modifier cause on an E/M line
   billed WITHOUT 25, when the claim has a procedure on that date, into `missing_25`;
   `benign_lesion` turns a non-coverage cause on a benign-lesion removal/destruction code into
   `cosmetic`. A remark naming a cosmetic or excluded service (N383, N425) is cosmetic on any
   line through the table itself.

**Precedence** when one line carries several denial CARCs: the cause with the lowest
priority number wins (duplicate 10 < eligibility 20 < timely filing 30 < COB 40 <
authorization 50 < missing information 60 < bundling/missing_25 70 < modifier 75 <
count 80 < a remark naming a cosmetic/excluded service 88 < other non-coverage 90 <
other 99): an administrative barrier (not covered that day, filed late, a duplicate) makes
the coding question moot, and among coding causes the one whose fix also clears the others
comes first (a bundled line's units do not matter). Ties go to the adjustment whose own
CARC names the cause, then the larger amount, then group and CARC, so the result never
depends on the order of the CAS segments. The denied amount is the sum of every denial
adjustment on the line; the evidence lists them all.

**Context** comes from the submitted line when matched (code and modifiers as sent), else
from the 835's own SVC (SVC06 when the payer recoded).

**Reversals** (CLP02 = 22) produce no denials: they take back an earlier adjudication, whose
denials the loader marks `superseded`; the corrected adjudication that usually follows is
classified like any other claim.

**Claim status** (CLP02) decides too: a predetermination (25, pricing only, no payment) has
no denials, whatever its CAS say; a claim processed and forwarded to another payer (19, 20,
21) that was paid its full charge has none either (what it forwards is not denied).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from attrs import frozen

from coding.model import DISTINCT_MODIFIERS
from edi.codes import carc_meaning, rarc_meaning
from edi.x835.model import Adjustment, ClaimPayment
from reconcile.denials.actions import action_for
from reconcile.errors import StoreError

CAUSES = (
    "bundling", "missing_25", "cosmetic", "medical_necessity", "count", "modifier",
    "eligibility", "authorization", "duplicate", "timely_filing", "missing_information",
    "coordination_of_benefits", "other",
)
NOT_DENIAL = "not_denial"
# CLP02: 25 predetermination pricing only (no payment); 19/20/21 processed as primary/
# secondary/tertiary and forwarded to another payer (X12 835 TR3 CLP02 code list).
NO_DENIAL_STATUSES = frozenset({"25"})
FORWARDED_STATUSES = frozenset({"19", "20", "21"})

# E/M office/outpatient visits (CPT 2021+ 99202-99205 new, 99211-99215 established) and the
# office consultations commercial payers still accept (99242-99245).
EM_CODES = frozenset(
    [str(c) for c in range(99202, 99206)] + [str(c) for c in range(99211, 99216)]
    + [str(c) for c in range(99242, 99246)]
)
# Removal/destruction of benign lesions and cosmetic procedures (derm-coding.md "cosmetic":
# 17110/17111 benign destruction, 11200/11201 skin tags, 113xx shaves, 114xx benign
# excisions; plus 15780-15793 dermabrasion/peels, 11950-11954 fillers, 17340-17380).
BENIGN_LESION_CODES = frozenset(
    ["17110", "17111", "11200", "11201", "17340", "17360", "17380"]
    + [str(c) for c in range(11300, 11314)] + [str(c) for c in range(11400, 11447)]
    + [str(c) for c in range(15780, 15794)] + [str(c) for c in range(11950, 11955)]
)
# Injections that NCCI bundles with a same-day E/M like a surgical procedure does.
_PROCEDURE_EXTRA = frozenset(["96372", "96373", "96374", "96900", "96910", "96912", "96920",
                              "96921", "96922"])


def is_em(code: str | None) -> bool:
    return code in EM_CODES


def is_procedure(code: str | None) -> bool:
    """A surgical CPT (10000-69999) or a same-day injection/phototherapy NCCI bundles an E/M
    into; drugs (J-codes) and pathology are not."""
    if not code:
        return False
    if code in _PROCEDURE_EXTRA:
        return True
    return code.isdigit() and 10000 <= int(code) <= 69999


# ---------------------------------------------------------------------------------- tables


@frozen
class CauseRule:
    group: str
    carc: str
    rarc: str
    cause: str
    priority: int
    context: str
    action: str
    source: str

    @property
    def specificity(self) -> int:
        return 4 * (self.rarc != "*") + 2 * (self.carc != "*") + (self.group != "*")

    @property
    def label(self) -> str:
        return f"table:{self.group}-{self.carc}" + (f"/{self.rarc}" if self.rarc != "*" else "")


@frozen
class CauseAction:
    cause: str
    recoverable: bool
    action: str
    source: str


def _read_csv(name: str) -> list[tuple[int, dict[str, str]]]:
    text = (resources.files("reconcile.denials") / "data" / name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    return [(i, row) for i, row in enumerate(csv.DictReader(io.StringIO("\n".join(lines))), 2)]


@lru_cache(maxsize=1)
def cause_rules() -> tuple[CauseRule, ...]:
    rules = []
    for i, row in _read_csv("denial_causes.csv"):
        try:
            rule = CauseRule(
                group=row["group"].strip(), carc=row["carc"].strip(), rarc=row["rarc"].strip(),
                cause=row["cause"].strip(), priority=int(row["priority"]),
                context=(row["context"] or "").strip(), action=(row["action"] or "").strip(),
                source=(row["source"] or "").strip())
        except (KeyError, ValueError, AttributeError) as exc:
            raise StoreError(f"reconcile/denials/data/denial_causes.csv: row {i}: {exc}") from None
        if rule.cause not in CAUSES and rule.cause != NOT_DENIAL:
            raise StoreError(f"reconcile/denials/data/denial_causes.csv: row {i}: unknown cause "
                             f"{rule.cause!r}")
        if rule.context not in ("", *CONTEXT_RULES):
            raise StoreError(f"reconcile/denials/data/denial_causes.csv: row {i}: unknown context "
                             f"rule {rule.context!r}")
        rules.append(rule)
    return tuple(rules)


@lru_cache(maxsize=1)
def cause_actions() -> dict[str, CauseAction]:
    out = {}
    for _i, row in _read_csv("denial_actions.csv"):
        out[row["cause"]] = CauseAction(row["cause"], row["recoverable"] == "true",
                                        row["action"], row["source"])
    return out


def is_not_denial(adj: Adjustment) -> bool:
    return adj.amount <= 0 or _not_denial(adj.group, adj.reason)


def is_not_denial_code(group: str, carc: str) -> bool:
    """The table's decision for a group + CARC: not a denial (contractual, patient share,
    sequestration, withholds ...)."""
    return _not_denial(group, carc)


@lru_cache(maxsize=4096)
def _not_denial(group: str, carc: str) -> bool:
    return any(r.cause == NOT_DENIAL and r.group in ("*", group) and r.carc == carc
               for r in cause_rules())


def rule_for(adj: Adjustment, remarks: Sequence[str]) -> CauseRule:
    """The most specific denial row for one adjustment given the line's remark codes."""
    return _rule_for(adj.group, adj.reason, tuple(remarks))


@lru_cache(maxsize=8192)
def _rule_for(group: str, carc: str, remarks: tuple[str, ...]) -> CauseRule:
    best: CauseRule | None = None
    for r in cause_rules():
        if r.cause == NOT_DENIAL:
            continue
        if r.group not in ("*", group) or r.carc not in ("*", carc):
            continue
        if r.rarc != "*" and r.rarc not in remarks:
            continue
        if best is None or (r.specificity, -r.priority) > (best.specificity, -best.priority):
            best = r
    assert best is not None  # the table ends with a catch-all row (checked by a test)
    return best


# --------------------------------------------------------------------------- context rules


@frozen
class SentLine:
    """A line as billed: from the submitted line when matched, else from the 835 SVC."""

    code: str | None
    modifiers: tuple[str, ...] = ()
    date_of_service: date | None = None


@frozen
class ContextResult:
    cause: str
    rule: str
    note: str
    action: str = ""  # when the context calls for other advice than the cause's default


def em_25(cause: str, line: SentLine, claim_lines: Sequence[SentLine]) -> ContextResult | None:
    """Bundling or modifier cause on an E/M: without 25 beside a same-day procedure it is a
    missing 25; with 25 it stays bundling (appeal with the note); a modifier cause on an E/M
    with no same-day procedure stays modifier."""
    if not is_em(line.code):
        return None
    if "25" in line.modifiers:
        return ContextResult(
            "bundling", "em_with_25_bundled",
            f"E/M {line.code} carried 25 and was still bundled",
            action="Appeal with the visit note: it must show a significant, separately "
                   "identifiable E/M beyond the pre-procedure assessment of the lesion "
                   "(NCCI manual ch. I); a 59/X modifier does not apply to an E/M")
    procs = sorted({c.code for c in claim_lines if is_procedure(c.code) and c.code
                    and (line.date_of_service is None or c.date_of_service is None
                         or c.date_of_service == line.date_of_service)})
    if procs:
        return ContextResult("missing_25", "em_without_25_beside_procedure",
                             f"E/M {line.code} billed without 25 beside {', '.join(procs)} "
                             "the same date")
    return ContextResult(cause, "em_without_same_day_procedure",
                         f"E/M {line.code} with no procedure the same date")


def benign_lesion(cause: str, line: SentLine,
                  claim_lines: Sequence[SentLine]) -> ContextResult | None:
    """A non-coverage cause on a benign-lesion removal/destruction code is cosmetic."""
    if line.code in BENIGN_LESION_CODES:
        return ContextResult("cosmetic", "benign_lesion_not_covered",
                             f"{line.code} removes or destroys a benign lesion")
    return None


def bundling(cause: str, line: SentLine,
             claim_lines: Sequence[SentLine]) -> ContextResult | None:
    """A bundling cause: the E/M rules first; then a procedure line that already carried a
    distinct-procedure modifier needs an appeal with the note, not the modifier again."""
    on_em = em_25(cause, line, claim_lines)
    if on_em is not None:
        return on_em
    sent = sorted(DISTINCT_MODIFIERS & set(line.modifiers))
    if cause == "bundling" and sent:
        return ContextResult(
            "bundling", "distinct_modifier_already_sent",
            f"{line.code} carried {'/'.join(sent)} and was still bundled",
            action=f"The line already carried {'/'.join(sent)}: appeal with the note "
                   "documenting the separate lesion, site or session (NCCI modifier "
                   "indicator 1 allows the bypass only when the documentation supports it)")
    return None


CONTEXT_RULES = {"em_25": em_25, "bundling": bundling, "benign_lesion": benign_lesion}


# ---------------------------------------------------------------------------- classifying


@frozen
class Classification:
    cause: str
    group: str
    carc: str
    rarc: str
    amount: Decimal
    rule: str
    action: str
    recoverable: bool
    evidence: str


@frozen
class LineDenial:
    line_index: int | None  # index into claim.service_lines; None = claim-level adjustments
    classification: Classification


def classify_adjustments(adjustments: Sequence[Adjustment], remarks: Sequence[str],
                         line: SentLine, claim_lines: Sequence[SentLine] = ()
                         ) -> Classification | None:
    """One cause for a line's (or a claim's) adjustments, or None when nothing is a denial."""
    denials = [a for a in adjustments if not is_not_denial(a)]
    if not denials:
        return None
    picked = [(rule_for(a, remarks), a) for a in denials]
    # A line's remarks apply to all its CAS; among adjustments of the winning priority, the
    # one whose own CARC row names that cause is the evidence (CO-151 rather than CO-50 for
    # N362), then the larger amount.
    rule, adj = min(picked, key=lambda p: (p[0].priority,
                                           rule_for(p[1], ()).cause != p[0].cause,
                                           -p[1].amount, p[1].group, p[1].reason))
    cause, rule_name, note, context_action = rule.cause, rule.label, "", ""
    context = CONTEXT_RULES.get(rule.context)
    if context is not None:
        refined = context(cause, line, claim_lines)
        if refined is not None:
            cause, note, context_action = refined.cause, refined.note, refined.action
            rule_name = f"{rule.label}+{refined.rule}"
    actions = cause_actions()
    action = action_for(context_action or (
        rule.action if (rule.action and cause == rule.cause) else actions[cause].action),
        (a.reason for a in denials), remarks)
    amount = sum((a.amount for a in denials), Decimal("0"))
    rarc = rule.rarc if rule.rarc != "*" else next(iter(remarks), "")
    return Classification(
        cause=cause, group=adj.group, carc=adj.reason, rarc=rarc, amount=amount,
        rule=rule_name, action=action, recoverable=actions[cause].recoverable,
        evidence=_evidence(adjustments, remarks, note))


def classify_claim(claim: ClaimPayment, sent: Sequence[SentLine | None] | None = None,
                   claim_lines: Sequence[SentLine] | None = None) -> list[LineDenial]:
    """Denials of one claim payment. `sent[i]` is the submitted line matched to service line
    i (None: use the 835's SVC); `claim_lines` every line billed on the claim (default: the
    835's lines), for the same-day-procedure context. Reversals, predeterminations and
    forwarded claims paid in full yield nothing."""
    if claim.is_reversal or claim.status in NO_DENIAL_STATUSES:
        return []
    if claim.status in FORWARDED_STATUSES and claim.paid >= claim.charge:
        return []
    own = [SentLine(s.submitted_code, s.submitted_modifiers, s.service_date or _claim_date(claim))
           for s in claim.service_lines]
    lines: list[SentLine] = []
    for i, mine in enumerate(own):
        given = sent[i] if sent is not None and i < len(sent) else None
        lines.append(given if given is not None else mine)
    context = list(claim_lines) if claim_lines is not None else lines
    claim_remarks = [r.code for r in claim.remarks]
    out: list[LineDenial] = []
    for i, svc in enumerate(claim.service_lines):
        remarks = [r.code for r in svc.remarks] + [c for c in claim_remarks
                                                   if c not in {r.code for r in svc.remarks}]
        c = classify_adjustments(svc.adjustments, remarks, lines[i], context)
        if c is not None:
            out.append(LineDenial(i, c))
    if claim.adjustments:
        c = classify_adjustments(claim.adjustments, claim_remarks,
                                 SentLine(None, (), _claim_date(claim)), context)
        if c is not None:
            out.append(LineDenial(None, c))
    return out


def _claim_date(claim: ClaimPayment) -> date | None:
    for d in claim.dates:
        if d.qualifier in ("232", "472", "150"):
            return d.value
    return None


def _evidence(adjustments: Sequence[Adjustment], remarks: Sequence[str], note: str) -> str:
    parts = []
    for a in adjustments:
        meaning = _meaning("carc", a.reason)
        parts.append(f"{a.group}-{a.reason} {a.amount:.2f}" + (f" ({meaning})" if meaning else ""))
    for r in remarks:
        meaning = _meaning("rarc", r)
        parts.append(f"RARC {r}" + (f" ({meaning})" if meaning else ""))
    if note:
        parts.append(f"context: {note}")
    return "; ".join(parts)


def _meaning(kind: str, code: str) -> str:
    """Short CARC/RARC meaning from the shared code list (`edi.codes`)."""
    text = carc_meaning(code) if kind == "carc" else rarc_meaning(code)
    return _short(text or "")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
