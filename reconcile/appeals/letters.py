"""Appeal letters (`dermclaim appeal`): one letter per claim and appeal level, built from
the store, written as HTML (prints on US letter) and plain text.

For each denial asked for:

* its cause must be one an appeal can argue (`reconcile/appeals/data/appeal_arguments.csv`,
  `appealable`); a duplicate, a coordination-of-benefits or eligibility denial, a claim
  returned for missing information, an ABN-shifted (PR) necessity denial get a refusal
  saying what to do instead, and no letter;
* its status must allow a move to `appealed` (the lifecycle table), and its level is the
  next one of the payer's guide after the level it was last appealed at (the first level
  when never appealed); the deadline is the level's window counted from the remittance
  (first level) or from the recorded decision of the level before (an `upheld` move);
* the letter quotes the CARC/RARC as received and argues the cause with the rule behind the
  line (`reconcile.appeals.facts`), and lists the documents to attach.

Denials of one claim at one level make one letter listing each item in dispute. Medicare
letters carry the request elements of 42 CFR 405.944(b) (or 405.964(b) at
reconsideration); other payers' letters go to the guide's `appeal_address`. A letter past
its window is still written, with a good-cause request (42 CFR 405.942(b) for Medicare).
The store does not keep the 835's N3/N4 payer address, so a letter with no guide address
says where the contractor's address must be added, and a finding says so too.

Files are DIR/<claim>-<level>.html and .txt, owner-only, staged first and put in place only
when every letter rendered (nothing half-written). With `sent`, each denial of the letters
moves to `appealed` (level, date, who, note) in the same run, through the lifecycle's checks.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import frozen
from sqlmodel import Session, col, select

from coding.encounter import parse_encounter
from coding.errors import CodingError
from companion_guides import AppealLevel, Guide, get_guide, guide_names
from edi.atomic import (
    FileNameClash,
    check_unique_targets,
    put_in_place,
    put_or_take_back,
    safe_file_name,
    stage,
)
from edi.codes import carc_meaning, rarc_meaning
from edi.practice import Practice, load_practice
from reconcile.appeals import facts as facts_mod
from reconcile.denials.actions import NO_APPEAL, unprocessable_evidence
from reconcile.denials.levels import level_deadline, next_level
from reconcile.denials.lifecycle import (
    HistoryRow,
    check_move,
    current_user,
    history,
    record_appeals,
)
from reconcile.errors import StoreError
from reconcile.store.ack_models import AckAnswer
from reconcile.store.database import session_scope
from reconcile.store.models import Interchange, SubmittedClaim, SubmittedLine
from reconcile.store.remit_models import (
    Denial,
    RemitAdjustment,
    RemitClaim,
    RemitLine,
    RemitTransaction,
)
from reconcile.templates.render import render, render_path

NOT_QUOTED = {("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3")}  # contractual / patient share


@frozen
class Refusal:
    denial_id: int
    claim_id: str
    cause: str
    reason: str


# An address a guide ships as an example, not a payer's: "PO BOX 0000", "(example address"
PLACEHOLDER_ADDRESS = re.compile(r"\bBOX\s+0+\b|\bexample address\b", re.IGNORECASE)


def is_placeholder_address(address: str) -> bool:
    """True for a guide's example appeal address (a letter must not go there)."""
    return bool(PLACEHOLDER_ADDRESS.search(address))


@frozen
class WrittenLetter:
    claim_id: str
    level: str
    denial_ids: tuple[int, ...]
    html: str
    text: str
    deadline: date | None
    late: bool
    address_missing: bool  # no usable address: none, or the guide's placeholder
    address_placeholder: bool = False  # the guide's example address (PO BOX 0000 ...)
    total_denied: Decimal | None = None  # the money the letter asks back


@frozen
class AppealResult:
    letters: tuple[WrittenLetter, ...]
    refused: tuple[Refusal, ...]
    findings: tuple[str, ...]
    moved: tuple[int, ...]  # denial ids moved to appealed (with `sent`)

    def as_json(self) -> str:
        return json.dumps({
            "letters": [{"claim_id": x.claim_id, "level": x.level,
                         "denial_ids": list(x.denial_ids), "html": x.html, "text": x.text,
                         "deadline": x.deadline.isoformat() if x.deadline else None,
                         "late": x.late, "address_missing": x.address_missing,
                         "address_placeholder": x.address_placeholder,
                         "total_denied": (None if x.total_denied is None
                                          else f"{x.total_denied:.2f}")}
                        for x in self.letters],
            "refused": [{"denial_id": r.denial_id, "claim_id": r.claim_id, "cause": r.cause,
                         "reason": r.reason} for r in self.refused],
            "findings": list(self.findings), "moved_to_appealed": list(self.moved)},
            indent=2)


@cache
def level_texts() -> dict[str, dict[str, str]]:
    text = (resources.files("reconcile.appeals") / "data" / "appeal_levels.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["level"]: r for r in rows}


def _level_text(name: str) -> dict[str, str]:
    return level_texts().get(name) or level_texts()["*"]


# --------------------------------------------------------------------- what the store holds


@frozen
class _Denied:
    d: Denial
    payer_835: str
    line: RemitLine | None
    adjustments: tuple[RemitAdjustment, ...]
    sent_line: SubmittedLine | None
    sent_claim: SubmittedClaim | None
    events: tuple[HistoryRow, ...]


def _read(s: Session, denial_id: int) -> _Denied:
    d = s.get(Denial, denial_id)
    if d is None:
        raise StoreError(f"no denial {denial_id} in the store")
    rc = s.get(RemitClaim, d.claim_row_id)
    tx = s.get(RemitTransaction, rc.transaction_id) if rc else None
    ln = s.get(RemitLine, d.line_row_id) if d.line_row_id else None
    q = select(RemitAdjustment).where(col(RemitAdjustment.claim_row_id) == d.claim_row_id)
    q = (q.where(col(RemitAdjustment.line_row_id) == ln.id) if ln is not None
         else q.where(col(RemitAdjustment.line_row_id).is_(None)))
    adjustments = tuple(s.exec(q.order_by(col(RemitAdjustment.id))))
    sl = s.get(SubmittedLine, d.submitted_line_id) if d.submitted_line_id else None
    sc_id = sl.claim_row_id if sl else (rc.submitted_claim_id if rc else None)
    sc = s.get(SubmittedClaim, sc_id) if sc_id else None
    events = tuple(history(s, [denial_id]).get(denial_id, []))
    return _Denied(d, tx.payer_name if tx else "", ln, adjustments, sl, sc, events)


def _claim_lines(s: Session, sc: SubmittedClaim | None) -> list[facts_mod.SentLine]:
    if sc is None:
        return []
    rows = s.exec(select(SubmittedLine).where(col(SubmittedLine.claim_row_id) == sc.id)
                  .order_by(col(SubmittedLine.line_number)))
    return [facts_mod.SentLine(r.line_control_number, r.code,
                               tuple(m for m in r.modifiers.split(":") if m), r.units,
                               r.procedure_index, r.date_of_service) for r in rows]


def _acceptance(s: Session, sc: SubmittedClaim | None) -> tuple[int | None, str | None]:
    if sc is None:
        return None, None
    ic = s.get(Interchange, sc.interchange_id)
    ack = s.exec(select(AckAnswer).where(col(AckAnswer.submitted_claim_id) == sc.id,
                                         col(AckAnswer.outcome) == "accepted")
                 .order_by(col(AckAnswer.id))).first()
    accepted = (f"{ack.source} accepted on {ack.received_on}" if ack and ack.received_on
                else f"{ack.source} accepted" if ack else None)
    return (ic.control_number if ic else None), accepted


# ------------------------------------------------------------------------- levels, deadlines


def _guide(payer: str) -> Guide | None:
    return get_guide(payer) if payer in guide_names() else None


def deadline(d: Denial, events: Sequence[HistoryRow], index: int, level: AppealLevel
             ) -> tuple[date | None, str]:
    """The level's last filing day and what it counts from: the decision recorded after the
    last appeal (`reconcile.denials.levels`, the lifecycle's own computation)."""
    last_appeal = max((i for i, e in enumerate(events) if e.to_status == "appealed"),
                      default=-1)
    decided = [e for e in events[last_appeal + 1:] if e.to_status == "upheld"]
    on = (decided[-1].on_date or decided[-1].at.date()) if decided else None
    return level_deadline(d.payment_date, index, level, on)


# ---------------------------------------------------------------------------- the letters


def _quoted(x: _Denied) -> list[str]:
    out = []
    seen = set()
    for a in x.adjustments:
        if (a.group_code, a.carc) in NOT_QUOTED or (a.group_code, a.carc) in seen:
            continue
        seen.add((a.group_code, a.carc))
        amount = f" {a.amount:.2f}" if a.amount is not None else ""
        out.append(f"{a.group_code}-{a.carc}{amount}: {carc_meaning(a.carc) or 'CARC ' + a.carc}")
    if not out and x.d.carc:
        out.append(f"{x.d.group_code}-{x.d.carc}: {carc_meaning(x.d.carc) or ''}".rstrip(": "))
    remarks = [r for r in ((x.line.remarks if x.line else "") or x.d.rarc).split(":") if r]
    for r in dict.fromkeys(remarks):
        out.append(f"RARC {r}: {rarc_meaning(r) or 'remark code ' + r}")
    return out


def _person_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _render(practice: Practice, ctx: dict[str, Any]) -> tuple[str, str]:
    lt = practice.letters
    html = render_path(lt.template_html, **ctx) if lt.template_html else render(
        "letter.html", **ctx)
    text = render_path(lt.template_text, **ctx) if lt.template_text else render(
        "letter.txt", **ctx)
    return html, text


def write_appeals(url: str | None, denial_ids: Sequence[int], out_dir: str | Path,
                  practice_path: str | Path, *, sent: bool = False, by: str | None = None,
                  note: str | None = None, on: date | None = None, as_of: date | None = None,
                  now: datetime | None = None) -> AppealResult:
    """Write the letters for `denial_ids` (refusing what cannot be appealed) and, with
    `sent`, move their denials to `appealed`."""
    practice = load_practice(practice_path)
    today = as_of or (now or datetime.now(UTC)).date()
    refused: list[Refusal] = []
    findings: list[str] = []
    groups: dict[tuple[str, str], list[tuple[_Denied, int, AppealLevel]]] = defaultdict(list)
    args = facts_mod.arguments()
    with session_scope(url) as s:
        read = [_read(s, i) for i in dict.fromkeys(denial_ids)]
        for x in read:
            d = x.d
            assert d.id is not None
            why = _refusal(x, args)
            if why is None:
                try:
                    check_move(d.status, "appealed", None)
                    index, level = next_level(d, x.events)
                except StoreError as exc:
                    why = str(exc)
            if why is not None:
                refused.append(Refusal(d.id, d.claim_id, d.cause, why))
                continue
            groups[(d.claim_id, level.name)].append((x, index, level))
        letters = [_letter(s, practice, key, members, today, findings)
                   for key, members in sorted(groups.items())]
    if not letters:
        return AppealResult((), tuple(refused), tuple(findings), ())
    folder = Path(out_dir)
    staged: list[tuple[Path, Path]] = []
    written: list[WrittenLetter] = []
    # the claim id encoded (unique, reversible), the level as the guide names it (a word)
    bases = [folder / (f"{safe_file_name(ctx['claim_id'], 'claim')}-"
                       + (ctx["level"] if re.fullmatch(r"\w+", ctx["level"], re.ASCII)
                          else safe_file_name(ctx["level"])))
             for ctx, *_ in letters]
    try:
        check_unique_targets(
            (base.with_name(base.name + suffix), f"claim {ctx['claim_id']} {ctx['level']}")
            for base, (ctx, *_) in zip(bases, letters, strict=True)
            for suffix in (".html", ".txt"))
    except FileNameClash as exc:
        raise StoreError(str(exc)) from None
    made = not folder.exists()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        for base, (ctx, html, text, members) in zip(bases, letters, strict=True):
            for suffix, content in ((".html", html), (".txt", text)):
                target = base.with_name(base.name + suffix)
                staged.append((stage(target, content.encode("utf-8")), target))
            written.append(WrittenLetter(
                ctx["claim_id"], ctx["level"], tuple(m[0].d.id or 0 for m in members),
                str(base) + ".html", str(base) + ".txt", ctx["deadline"], ctx["late"],
                ctx["address_missing"], ctx["address_placeholder"], ctx["total_denied"]))
        moved: list[int] = []
        if sent:
            levels = {m[0].d.id or 0: m[2].name for *_, members in letters for m in members}
            with session_scope(url) as s:
                record_appeals(s, levels, on=on or today, actor=by or current_user(),
                               note=note or "appeal letter sent", now=now)
                s.flush()  # the store takes the change (or refuses it) before any letter
                with put_or_take_back(staged):
                    s.commit()
            moved = sorted(levels)
        else:
            _put(staged)
    finally:
        for tmp, _target in staged:
            tmp.unlink(missing_ok=True)
        if made and not any(folder.iterdir()):  # refused: not even an empty folder stays
            folder.rmdir()
    return AppealResult(tuple(written), tuple(refused), tuple(findings), tuple(moved))


def _put(staged: list[tuple[Path, Path]]) -> None:
    for tmp, target in staged:
        put_in_place(tmp, target)


def _refusal(x: _Denied, args: dict[str, facts_mod.Argument]) -> str | None:
    d = x.d
    if d.superseded or d.status == "superseded":
        return "not appealed: a reversal took this adjudication back"
    if unprocessable_evidence(d.evidence):
        return NO_APPEAL
    key = facts_mod.key_for(d.cause, d.code, d.modifiers.split(":"))
    arg = args.get(key) or args.get(d.cause)
    if arg is None:
        return f"not appealed: no appeal argument is kept for cause {d.cause}"
    if not arg.appealable:
        return arg.refusal
    if d.group_code == "PR" and d.cause in ("cosmetic", "medical_necessity"):
        return ("not appealed: the patient is responsible (group PR: an ABN or waiver on file "
                "shifted liability); bill the patient")
    return None


def _letter(s: Session, practice: Practice, key: tuple[str, str],
            members: list[tuple[_Denied, int, AppealLevel]], today: date,
            findings: list[str]) -> tuple[dict[str, Any], str, str, list[Any]]:
    claim_id, level_name = key
    first, index, level = members[0]
    d0 = first.d
    guide = _guide(d0.payer)
    sc = next((m[0].sent_claim for m in members if m[0].sent_claim is not None), None)
    enc = None
    if sc is not None:
        try:
            enc = parse_encounter(json.loads(sc.encounter_json or "{}"),
                                  source=f"stored encounter of claim {claim_id}")
        except (CodingError, ValueError):
            enc = None
    interchange, accepted = _acceptance(s, sc)
    builder = facts_mod.FactBuilder(claim_id, enc, _claim_lines(s, sc), guide,
                                    sc.submitted_at if sc else None, interchange, accepted)
    items = []
    attach: list[str] = []
    args = facts_mod.arguments()
    for x, _i, _lv in members:
        d = x.d
        mods = tuple(m for m in (x.sent_line.modifiers if x.sent_line else d.modifiers)
                     .split(":") if m)
        units = x.sent_line.units if x.sent_line else (
            int(x.line.units) if x.line and x.line.units is not None else None)
        sent_line = None if x.sent_line is None else facts_mod.SentLine(
            x.sent_line.line_control_number, x.sent_line.code, mods, x.sent_line.units,
            x.sent_line.procedure_index, x.sent_line.date_of_service)
        f = builder.facts(d.cause, d.code, mods, units, d.date_of_service, sent_line)
        arg = args[f.key]
        findings.extend(f.warnings)
        for a in facts_mod.attachments(arg, f):
            if a not in attach:
                attach.append(a)
        items.append({
            "denial_id": d.id, "code": d.code or "(claim level)", "modifiers": ":".join(mods),
            "units": units, "date_of_service": d.date_of_service,
            "line_control_number": d.line_control_number or "",
            "charge": x.line.charge if x.line else None, "denied": d.amount,
            "cause": d.cause.replace("_", " "), "quoted": _quoted(x),
            "argument": facts_mod.fill(arg.argument, f.values),
            "rule": facts_mod.fill(arg.rule, f.values)})
    attach.append("a copy of the remittance advice (835/ERA) showing the denial")
    due, counted = deadline(d0, first.events, index, level)
    late = due is not None and today > due
    lt = _level_text(level.name)
    medicare = bool(guide and guide.is_medicare)
    if due is None:
        findings.append(f"claim {claim_id} {level.name}: no deadline can be computed "
                        f"(counted from {counted}): record the decision with `dermclaim denial "
                        "set ID --status upheld --on DATE`")
    if late:
        findings.append(f"claim {claim_id} {level.name}: past the {level.days}-day window "
                        f"(deadline {due}): written with a good-cause request "
                        f"({lt['good_cause_rule'].split(' (')[0]})")
    address = guide.appeal_address if guide and guide.appeal_address else None
    payer_name = first.payer_835 or (guide.receiver_name if medicare and guide else
                                     (guide.payer_name if guide else d0.payer))
    placeholder = address is not None and is_placeholder_address(address)
    if placeholder:
        findings.append(f"claim {claim_id} {level.name}: the payer's appeal address is the "
                        "companion guide's example (placeholder): replace it with the address "
                        "in the payer's provider manual before mailing (appeal_address in the "
                        "guide)")
    if address is None:
        findings.append(f"claim {claim_id} {level.name}: no appeal address: "
                        + ("add the Medicare contractor's address from its remittance notice "
                           "(the store does not keep the 835 payer address, N1*PR N3/N4), or "
                           "set appeal_address in the payer's guide" if medicare else
                           "set appeal_address in the payer's companion guide"))
    insured = enc.insured if enc else None
    patient = enc.patient if enc else None
    fallback_name = " ".join(reversed([p.strip() for p in d0.patient_name.split(",")]))
    rp = enc.rendering_provider if enc else None
    bp = practice.billing_provider
    letters_cfg = practice.letters
    ctx: dict[str, Any] = {
        "claim_id": claim_id, "level": level.name,
        "level_label": level.name.replace("_", " "), "title": lt["title"],
        "request_rule": lt["request_rule"], "good_cause_rule": lt["good_cause_rule"],
        "medicare": medicare, "date": today,
        "payer_claim_numbers": sorted({m[0].d.payer_claim_number for m in members
                                       if m[0].d.payer_claim_number}),
        "payer_name": payer_name,
        "to_lines": address.splitlines() if address else [payer_name],
        "address_missing": address is None or placeholder,
        "address_placeholder": placeholder,
        "beneficiary_name": (_person_name(insured.first_name, insured.last_name) if insured
                             else fallback_name),
        "member_id": insured.member_id if insured else d0.patient_id,
        "patient_name": (_person_name(patient.first_name, patient.last_name)
                         if patient and insured is not patient else None),
        "dates_of_service": sorted({i["date_of_service"] for i in items
                                    if i["date_of_service"]}),
        "items": items, "attachments": attach,
        "total_denied": sum((i["denied"] or Decimal("0") for i in items), Decimal("0")),
        "deadline": due, "deadline_basis": counted, "window_days": level.days,
        "window_source": level.source, "late": late,
        "provider": {
            "rendering_name": _person_name(rp.first_name, rp.last_name) if rp else None,
            "rendering_npi": rp.npi if rp else None,
            "billing_name": bp.name if not bp.first_name else _person_name(bp.first_name,
                                                                           bp.name),
            "billing_npi": bp.npi,
            "address_lines": [bp.address1, *([bp.address2] if bp.address2 else []),
                              f"{bp.city}, {bp.state} {bp.zip[:5]}"
                              + (f"-{bp.zip[5:]}" if len(bp.zip) == 9 else "")],
            "phone": _phone(letters_cfg.phone or practice.submitter.phone)},
        "signer_name": letters_cfg.signer_name or (
            _person_name(rp.first_name, rp.last_name) if rp else bp.name),
        "signer_title": letters_cfg.signer_title or "",
    }
    html, text = _render(practice, ctx)
    return ctx, html, text, members


def _phone(digits: str | None) -> str | None:
    if not digits or len(digits) != 10:
        return digits
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
